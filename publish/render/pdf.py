"""PDF through WeasyPrint: the book's HTML laid out with the theme's paged CSS."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import URLFetcher, URLFetchingError

from .. import model as m
from .html.book import BookHtml
from .pages import page_starts
from .pdf_structure import refine_structure
from ..output import write_atomically
from ..progress import Progress, Stage
from ..theme.theme import Theme
from . import RenderError, RenderResult

name = "pdf"
suffix = ".pdf"
folder = False


def linker(book: m.Book) -> Callable[[str], str]:
    """Every id is an anchor of the one HTML document WeasyPrint lays out."""
    return _fragment


def _fragment(anchor: str) -> str:
    return f"#{anchor}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None) -> RenderResult:
    """Lay the book out and write ``out``, only if layout succeeded without errors."""
    progress = progress or Progress()
    with progress.stage("PDF: writing HTML", len(book.entries)):
        html = BookHtml(book, theme, href=linker(book))
        page = html.document("pdf.css.j2", font_url=lambda face: face.path.as_uri())
    fetcher = SafeFetcher((book.source, *theme.folders))
    with _weasyprint_errors() as errors:
        with progress.stage("PDF: laying out pages") as stage, _routed("weasyprint.progress", _PageCounter(stage)):
            document = weasyprint.HTML(string=page, base_url=book.source.resolve().as_uri() + "/",
                                       url_fetcher=fetcher).render()
        with progress.stage("PDF: writing file", len(document.pages)) as stage:
            pdf = document.write_pdf(pdf_variant=theme.value("pdf", "variant") or None,
                                     finisher=refine_structure) if not errors else b""
            stage.update(len(document.pages))
    if errors:
        raise RenderError("WeasyPrint reported errors, so no PDF was written:\n  " + "\n  ".join(errors))
    write_atomically(out, pdf)
    return RenderResult(out, len(document.pages), html.diagnostics, page_starts(book, document.pages))


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


class _PageCounter(logging.Handler):
    """WeasyPrint logs "Step 5 - Creating layout - Page 12" on its progress logger."""

    def __init__(self, stage: Stage) -> None:
        super().__init__(logging.INFO)
        self.stage = stage

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"Creating layout - Page (\d+)", record.getMessage())
        if match:
            self.stage.update(int(match[1]))


@contextmanager
def _routed(name: str, handler: logging.Handler) -> Iterator[None]:
    """Send a WeasyPrint logger's records at ``handler``'s level to it alone, for one block."""
    logger = logging.getLogger(name)
    saved = logger.level, logger.propagate
    logger.setLevel(handler.level)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs as errors (``No anchor #x`` …): each one fails the build.

    Its warnings (unsupported CSS, font subsetting notes) are WeasyPrint's business; errors reach
    the user through RenderError, so nothing is printed twice."""
    collector = _ErrorCollector()
    with _routed("weasyprint", collector):
        yield collector.messages
