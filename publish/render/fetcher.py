"""The only files WeasyPrint may read: those inside the source and theme folders, and data: URLs."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetchingError


class SafeFetcher(URLFetcher):
    """Reads only files inside the given folders; never the network, never anything else."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: object = None) -> object:
        if not self.allows(url):
            raise URLFetchingError(f"refused {url}: only files inside the source and theme folders are read")
        return super().fetch(url, headers)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parts.path)).resolve()
        return any(path.is_relative_to(root) for root in self.roots)
