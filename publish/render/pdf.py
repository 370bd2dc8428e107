"""PDF through WeasyPrint: the book's HTML laid out with the theme's paged CSS, whole or in parts."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import escape

from .. import model as m
from ..cache import fingerprint, folder_fingerprint
from ..progress import Progress
from ..theme.theme import Theme
from ..tree import walk
from . import RenderError, RenderOptions, RenderResult
from .html.book import BookHtml
from .pdf_join import join
from .pdf_task import LaidOut, LayoutTask, lay_out
from .pdf_parts import Part, Placement, carried, part_context, place, plan_parts, sides_matter, starts_right
from .pages import PageStart, containers
from .pdf_store import PartStore
from .pdf_workers import Workers, fork_server, workers

name = "pdf"
suffix = ".pdf"
folder = False

MAX_ROUNDS = 5
"""Layout rounds before giving up: the first lays out every part, the next the table of contents
and the index with the numbers found; a third is needed only when the contents changed length."""

FOLIO_PAGES = 500
"""Pages in one layer of folios: the layers are laid out in parallel, each in bounded memory."""

FOLIO_SLACK = 50
"""The last folio layer runs on past the book's end to a multiple of this many pages: a book that
grows by a page (mostly) keeps its folio layers, and a small book lays out a small layer."""


def linker(book: m.Book) -> Callable[[str], str]:
    """Every id is an anchor of the one HTML document WeasyPrint lays out."""
    return _fragment


def _fragment(anchor: str) -> str:
    return f"#{anchor}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           options: RenderOptions | None = None) -> RenderResult:
    """Lay the book out and write ``out``, only if layout succeeded without errors.

    In parts unless ``options.parts`` is off or the theme prints page numbers inside entries
    (``crossref_pages``: a part cannot know the pages of targets in later parts). Either way the
    result says where each page begins (the EPUB's print edition)."""
    progress = progress or Progress()
    options = options or RenderOptions()
    with progress.stage("PDF: writing HTML", len(book.entries)):
        html = BookHtml(book, theme, href=linker(book))
        context = html.context()
    book_pdf = _BookPdf(book, theme, html, context)
    if not options.parts or theme.value("features", "crossref_pages"):
        pages, starts = book_pdf.one_pass(out, progress)
    else:
        with ExitStack() as stack:
            folder = options.cache or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            pages, starts = book_pdf.in_parts(out, progress, PartStore(folder), options.jobs)
    return RenderResult(out, pages, html.diagnostics, page_starts=starts)


class _BookPdf:
    """The book's layout tasks: the whole book, its parts, the folio layer."""

    def __init__(self, book: m.Book, theme: Theme, html: BookHtml, context: dict[str, Any]) -> None:
        self.book, self.theme, self.html, self.context = book, theme, html, context
        self.base_url = book.source.resolve().as_uri() + "/"
        self.roots = (book.source, *theme.folders)
        self.variant = theme.value("pdf", "variant") or None
        self.containers = containers(book)

    def css(self, layer: str | None) -> str:
        return self.html.css("book.css.j2", "pdf.css.j2", font_url=lambda face: face.path.as_uri(), layer=layer)

    def one_pass(self, out: Path, progress: Progress) -> tuple[int, tuple[PageStart, ...]]:
        """The whole book in one layout: its page count and where each page begins."""
        page = self.theme.render("book.html.j2", css=self.css(None), **self.context)
        with progress.stage("PDF: laying out pages") as stage:
            laid = lay_out(LayoutTask(page, self.base_url, self.roots, self.variant, out, containers=self.containers),
                           on_page=stage.update)
        _raise_errors(laid)
        return len(laid.pages), _starts([facts.start for facts in laid.pages])

    def in_parts(self, out: Path, progress: Progress, store: PartStore, jobs: int) -> tuple[int, tuple[PageStart, ...]]:
        """Lay the parts out (in ``jobs`` processes, from ``store`` where it has them) until the
        page numbers they print agree with where they landed, then stamp folios and join: the
        joined book's page count and where each page begins."""
        parts = plan_parts(self.book, self.theme)
        counters = carried(self.book, parts)
        css = self.css("body")
        base = fingerprint(version("weasyprint"), self.variant or "", folder_fingerprint(self.theme.folders),
                           self._assets())
        sided = sides_matter(self.theme)

        def html(index: int, placement: Placement | None, right: bool) -> str:
            return self.theme.render("book.html.j2", css=css,
                                     **part_context(self.context, parts[index], counters[index], placement, right))

        def task(index: int, placement: Placement | None) -> _PartTask | None:
            if placement is None and parts[index].numbered and index == len(parts) - 1:
                return None  # the index is laid out once the numbers are known: nothing comes after it
            right = not sided or starts_right(placement, index)
            page = html(index, placement, right)
            key = fingerprint(base, page, str(right))
            # the HTML is made again (in milliseconds) when the part goes to a worker, so the main
            # process holds only the HTML of the parts being laid out, not of every part
            return _PartTask(key, len(page), lambda: LayoutTask(html(index, placement, right), self.base_url, self.roots,
                                                                self.variant, store.pdf(key), not right, self.containers,
                                                                tree=True, joined=True))

        laid: dict[str, LaidOut] = {}
        placement: Placement | None = None
        used: list[str | None] = []
        with workers(jobs, [self.book.metadata.language]) as pool:
            for _ in range(MAX_ROUNDS):
                tasks = [task(i, placement) for i in range(len(parts))]
                keys = [t.key if t else None for t in tasks]
                if placement is not None and keys == used:
                    break
                used = keys
                self._lay_out(parts, tasks, laid, store, pool, progress)
                placement = place(parts, [laid[k] if k else None for k in keys])
            else:
                raise RenderError("the PDF's page numbers did not settle: the table of contents keeps changing length")
            with progress.stage("PDF: folio layers", len(placement.sheets)) as stage:
                folios = self._folio_layers(placement, base, store, pool)
                stage.update(len(placement.sheets))
        # every part is written and the workers are gone: the join's memory does not come on top of theirs
        with progress.stage("PDF: stamping folios and joining", len(placement.sheets)) as stage:
            dividers = bool(self.theme.value("features", "letter_dividers"))
            keys = [k for k in used if k]
            fonts = join([store.pdf(k) for k in keys], placement.sheets, folios, out,
                         [part.continued and dividers for part in parts], self.book.modified, store,
                         lambda part, fresh: store.tree(keys[part], fresh))
            # every round's parts: the next build's first round lays out the contents without numbers again
            store.keep(self.theme.name, [*laid, *(path.stem for path in folios), *fonts])
            stage.update(len(placement.sheets))
        pages = [laid[k].pages for k in used if k]
        return len(placement.sheets), _starts([pages[s.part][s.page].start if s.part is not None else None
                                               for s in placement.sheets])

    def _lay_out(self, parts: list[Part], tasks: list[_PartTask | None], laid: dict[str, LaidOut],
                 store: PartStore, pool: Workers, progress: Progress) -> None:
        """Lay out the tasks not done yet and not in the store, biggest first; progress names them.
        A part counts as laid out once its pages are (the next round can start); it goes into the
        store when its PDF is written."""
        todo: dict[str, tuple[str, _PartTask]] = {}
        cached = 0
        for part, item in zip(parts, tasks):
            if item is None:
                continue
            if item.key not in laid and (found := store.load(item.key)) is not None:
                laid[item.key] = found
            if item.key in laid:
                cached += 1
            else:
                todo.setdefault(item.key, (part.name, item))
        if not todo:
            return
        names = ", ".join(n for n, _ in todo.values()) if len(todo) <= 4 else f"{len(todo)} parts"
        with progress.stage(f"PDF: laying out {names} ({cached} parts from the cache)", len(todo)) as stage:
            by_path = {store.pdf(key): key for key in todo}
            ordered = sorted((t for _, t in todo.values()), key=lambda t: -t.size)

            def written(task: LayoutTask, result: LaidOut) -> None:
                _raise_errors(result)
                store.store(by_path[task.out], result)

            for done, result in pool.lay_out((t.make() for t in ordered), written):
                _raise_errors(result)
                laid[by_path[done.out]] = replace(result, tree=None)  # the join reads one tree at a time
                stage.advance()

    def _folio_layers(self, placement: Placement, base: str, store: PartStore, pool: Workers) -> list[Path]:
        """One page per page of the book, with nothing on it but its folio, in layers of
        ``FOLIO_PAGES`` pages laid out by the workers (the last layer runs on past the book's end,
        to a multiple of ``FOLIO_SLACK`` pages).
        A layer is laid out again only when its page names change: a part that changes length
        changes only these small layouts, and none where no named page moves (the default theme
        names only the title page)."""
        css = self.css("folio")
        layers: list[Path] = []
        todo: dict[Path, tuple[str, int]] = {}
        tasks: list[LayoutTask] = []
        for start in range(0, len(placement.folio_pages), FOLIO_PAGES):
            names = placement.folio_pages[start:start + FOLIO_PAGES]
            names += ("",) * (-len(names) % FOLIO_SLACK)
            pages = "\n".join(f'<div class="folio" style="page: {name}"></div>' if name else '<div class="folio"></div>'
                              for name in names)
            html = (f'<!DOCTYPE html><html lang="{escape(self.book.metadata.language)}"><head><meta charset="utf-8">'
                    f"<style>{css}\n@page :first {{ counter-reset: page {start + 1}; }}</style></head>"
                    f"<body>{pages}</body></html>")
            key = fingerprint(base, html)
            layers.append(store.pdf(key))
            if store.load(key) is None:
                todo[store.pdf(key)] = (key, len(names))
                tasks.append(LayoutTask(html, self.base_url, self.roots, None, store.pdf(key), joined=True))
        for task, laid in pool.lay_out(tasks):
            _raise_errors(laid)
            key, count = todo[task.out]
            if len(laid.pages) != count:
                raise RenderError(f"a folio layer has {len(laid.pages)} pages for {count}")
            store.store(key, laid)
        return layers

    def _assets(self) -> str:
        """The images the book uses, by content: a part's HTML names them only by path."""
        paths = sorted({n.src for item in (*self.book.entries, *self.book.front_matter)
                        for n in walk(item.blocks) if isinstance(n, m.Image)})
        files = [self.book.source / p for p in paths if (self.book.source / p).is_file()]
        return fingerprint(*(f"{p}\0" for p in paths), *(f.read_bytes() for f in files))


class _PartTask(NamedTuple):
    """A part to lay out: the key of everything its layout depends on, its HTML's length, and how to
    make its layout task (its HTML again)."""

    key: str
    size: int
    make: Callable[[], LayoutTask]


def prepare(metadata: m.Metadata, options: RenderOptions) -> None:
    """While the book is read: start the layout workers' fork server, if the book will be laid out
    in parts by more than one worker."""
    if options.parts and options.jobs > 1:
        fork_server([metadata.language])


def _starts(keys: list[tuple[str, int] | None]) -> tuple[PageStart, ...]:
    """Where each page of the book begins, from (part, block) per page (its number is its place)."""
    return tuple(PageStart(str(number), *key) for number, key in enumerate(keys, start=1) if key is not None)


def _raise_errors(laid: LaidOut) -> None:
    if laid.errors:
        raise RenderError("WeasyPrint reported errors, so no PDF was written:\n  " + "\n  ".join(laid.errors))
