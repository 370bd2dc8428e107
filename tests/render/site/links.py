"""A link checker for a built website: every page's ids, and every link inside the site that leads nowhere."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        for key in ("href", "src"):
            if found.get(key):
                self.links.append(found[key] or "")


def broken_links(site: Path) -> list[str]:
    """``page -> link`` for every link to a missing file or a missing id inside ``site``."""
    pages = {}
    for path in site.rglob("*.html"):
        parser = _Page()
        parser.feed(path.read_text("utf-8"))
        pages[path] = parser
    broken = []
    for path, page in pages.items():
        for link in page.links:
            url = urlsplit(link)
            if url.scheme or url.netloc:
                continue
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            fragment = unquote(url.fragment)
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                broken.append(f"{path.name} -> {link}")
            elif fragment and fragment not in pages[target].ids:
                broken.append(f"{path.name} -> {link} (no such id)")
    return broken
