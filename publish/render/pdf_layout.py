"""Laying out one HTML document with WeasyPrint: the whole book, one part of it, or the folio layer."""
from __future__ import annotations

import io
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pikepdf
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from PIL import Image

from ..output import write_atomically
from .fetcher import SafeFetcher
from .pages import page_keys
from .pdf_part_tree import PartTree, part_tree, tree_of
from .pdf_structure import refine_structure
from .pdf_task import PART_LINK, LaidOut, LayoutTask, PageFacts


def lay_out(task: LayoutTask, on_page: Callable[[int], None] | None = None,
            on_laid: Callable[[LaidOut], None] | None = None) -> LaidOut:
    """Lay ``task.html`` out and write its PDF to ``task.out`` (its structure tree refined, when it
    is tagged, and read out for the join, when it is a part); links to anchors it lacks leave as
    part links. ``on_laid`` is given the pages before the PDF is written, if layout had no errors."""
    fetcher = SafeFetcher(task.roots)
    with weasyprint_errors() as errors, _font_configuration() as fonts, warnings.catch_warnings():
        # Images reach the layout checked (at most 100 million pixels); Pillow would warn on
        # standard error of every one above 89 million.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with _routed("weasyprint.progress", _PageCounter(on_page)) if on_page else _nothing():
            document = weasyprint.HTML(string=task.html, base_url=task.base_url,
                                       url_fetcher=fetcher).render(font_config=fonts)
        if task.drop_first:
            document = document.copy(document.pages[1:])
        anchors = {name for page in document.pages for name in page.anchors}
        for page in document.pages:
            page.links[:] = [_part_link(link, anchors) for link in page.links]
        starts = page_keys(document.pages, task.containers) if task.containers else [None] * len(document.pages)
        facts = tuple(PageFacts(tuple(page.anchors), page._page_box.page_type.name or "",
                                bool(page._page_box.page_type.blank), start)
                      for page, start in zip(document.pages, starts))
        if on_laid and not errors:
            on_laid(LaidOut(facts, ()))
        tree = None if errors else _write(task, document.write_pdf(pdf_variant=task.variant, finisher=refine_structure))
    return LaidOut(facts, tuple(errors), tree)


def _write(task: LayoutTask, pdf: bytes) -> PartTree | None:
    """Write ``pdf`` to ``task.out`` (rewritten by qpdf with its objects in streams of a hundred,
    when the join opens it); its structure tree when the task asks for it (read while the PDF is
    open anyway)."""
    if not task.joined:
        write_atomically(task.out, pdf)
        return part_tree(task.out) if task.tree else None
    with pikepdf.open(io.BytesIO(pdf)) as document:
        rewritten = io.BytesIO()
        document.save(rewritten, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        write_atomically(task.out, rewritten.getvalue())
        return tree_of(document) if task.tree else None


@contextmanager
def _font_configuration() -> Iterator[FontConfiguration]:
    """WeasyPrint's font configuration for one layout, its folder of font files removed afterwards.
    WeasyPrint leaves that to the garbage collector, which a worker process does not run before it
    exits: each part left the theme's fonts (6 MB) in the temporary folder."""
    fonts = FontConfiguration()
    try:
        yield fonts
    finally:
        fonts.__del__()  # WeasyPrint's own clean-up; running it again later does nothing


def _part_link(link: tuple, anchors: set[str]) -> tuple:
    kind, target, rectangle, box = link
    if kind == "internal" and target not in anchors:
        return "external", PART_LINK + target, rectangle, box
    return link


class _PageCounter(logging.Handler):
    """WeasyPrint logs "Step 5 - Creating layout - Page 12" on its progress logger."""

    def __init__(self, on_page: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"Creating layout - Page (\d+)", record.getMessage())
        if match:
            self.on_page(int(match[1]))


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _routed(name: str, handler: logging.Handler, shown: bool = False) -> Iterator[None]:
    """Send a WeasyPrint logger's records at ``handler``'s level to it alone (``shown``: also to
    the build's own log, at its level), for one block."""
    logger = logging.getLogger(name)
    saved = logger.level, logger.propagate
    level = logging.getLogger().getEffectiveLevel()
    logger.setLevel(min(handler.level, level) if shown else handler.level)
    logger.propagate = shown
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
def weasyprint_errors() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs as errors (``No anchor #x`` …): each one fails the build.

    Its warnings (unsupported CSS, font subsetting notes) are WeasyPrint's business; errors reach
    the user through RenderError, so nothing is printed twice — unless the build shows what the
    libraries log (``--verbose``): then everything WeasyPrint logs is shown too."""
    collector = _ErrorCollector()
    with _routed("weasyprint", collector, shown=logging.getLogger().getEffectiveLevel() <= logging.INFO):
        yield collector.messages
