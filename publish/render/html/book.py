"""The book as HTML: template context for every part, built with one HtmlWriter and the theme."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import Any

from markupsafe import Markup

from ... import model as m
from ...diagnostics import Diagnostic
from .writer import NOTES_CLOSE, NOTES_OPEN, PAGED, HtmlWriter, Medium
from ...theme.languages import language_of
from ...tree import stringify
from ...theme.theme import FontFace, Theme
from ...theme.units import length_mm, page_size_mm


_NOTES_HELD = 1 << 16
"""Characters of an entry's endnotes kept in memory until its body is written; more go to a file."""


@dataclass(frozen=True)
class EntryPart:
    id: str
    title: Markup
    title_text: str
    classes: list[str]
    body: Markup
    backlinks: list[tuple[str, str]]
    """(title, href) of each entry linking here, when the theme or the medium shows them."""


@dataclass(frozen=True)
class FrontPart:
    id: str
    title: str
    html: Markup


@dataclass(frozen=True)
class LetterPart:
    letter: str
    anchor: str
    entries: list[EntryPart]


class BookHtml:
    """Renders a Book through the theme's templates; ``href`` makes links for the medium."""

    def __init__(self, book: m.Book, theme: Theme, href: Callable[[str], str] = lambda i: f"#{i}",
                 medium: Medium = PAGED, asset: Callable[[str], str] = str, backlinks: bool | None = None,
                 standalone: bool = False) -> None:
        self.book = book
        self.backlinks = theme.value("features", "backlinks") if backlinks is None else backlinks
        """Whether entries list the entries linking to them (the theme's switch unless the medium decides)."""
        self._titles = {e.id: e.title_text for e in book.entries}
        self.theme = theme
        self.href = href
        self.standalone = standalone
        """Every part is a page of its own (a website): its title is its h1, its sections h2."""
        self.writer = HtmlWriter(href, medium, 0 if standalone else 1, taken=book.anchors, asset=asset)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.writer.diagnostics

    def entry(self, entry: m.Entry) -> EntryPart:
        return self.entry_part(entry, Markup("".join(self.entry_body(entry))))

    def entry_body(self, entry: m.Entry) -> Iterator[str]:
        """The HTML of the entry's body a block at a time, its endnotes last (meanwhile kept in a
        temporary file once they are many): a huge entry's document need never be whole in
        memory. ``entry_part`` comes after the last piece."""
        self.writer.start_part(entry.id, entry.source, entry.line)
        with SpooledTemporaryFile(_NOTES_HELD, "w+", encoding="utf-8", newline="") as notes:
            for n, block in enumerate(entry.blocks):
                yield ("\n" if n else "") + self.writer.visit(block)
                notes.writelines(self.writer.pending_notes())
            if notes.tell():
                notes.seek(0)
                yield NOTES_OPEN
                while piece := notes.read(_NOTES_HELD):
                    yield piece
                yield NOTES_CLOSE

    def entry_part(self, entry: m.Entry, body: Markup) -> EntryPart:
        """The entry for the templates, its ``body`` written by ``entry_body`` just before."""
        backlinks = [(self._titles[i], self.href(i)) for i in self.book.backlinks.get(entry.id, ())] \
            if self.backlinks else []
        return EntryPart(entry.id, self.writer.inlines(entry.title), entry.title_text, list(entry.attr.classes), body,
                         backlinks)

    @staticmethod
    def _named(entry: m.Entry) -> EntryPart:
        return EntryPart(entry.id, Markup(""), entry.title_text, [], Markup(""), [])

    def front(self, part: m.FrontMatter) -> FrontPart:
        self.writer.start_part(part.id, part.source, 1)
        header = next((b for b in part.blocks if isinstance(b, m.Header)), None)
        title = stringify(header.content) if header else part.source.stem
        if self.standalone:
            self.writer.heading_offset = 1 - min((b.level for b in part.blocks if isinstance(b, m.Header)), default=1)
        html = self.writer.blocks(part.blocks) + self.writer.take_notes()
        self.writer.heading_offset = 0 if self.standalone else 1
        return FrontPart(part.id, title, html)

    def context(self, rendered: Callable[[m.Entry], bool] = lambda entry: True,
                write: Callable[[m.Entry], EntryPart] | None = None) -> dict[str, Any]:
        """Everything the templates use; parts are rendered once, in book order. Entries that
        ``rendered`` declines keep their id and title only (a preview writes just the pages that changed);
        ``write`` renders an entry in place of ``entry`` (the EPUB writes bodies straight to files).

        The whole book is shown; a PDF laid out in parts overrides ``show`` (which of title, toc,
        front, letters, index), ``shown_letters``, ``counters`` (what carries over from earlier
        parts) and ``folio`` (a target's page number as a ``data-page`` attribute)."""
        write = write or self.entry
        letters = [LetterPart(g.letter, g.anchor, [write(e) if rendered(e) else self._named(e) for e in g.items])
                   for g in self.book.letters]
        return {
            "book": self.book, "labels": language_of(self.book.metadata.language).labels, "href": self.href,
            "front_matter": [self.front(f) for f in self.book.front_matter], "letters": letters,
            "index": self.book.index, "index_id": m.INDEX_ID, "paged": self.writer.medium.paged,
            "created": self.book.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "show": WHOLE_BOOK, "shown_letters": letters, "counters": None, "folio": _no_folio,
        }

    def css(self, *names: str, font_url: Callable[[FontFace], str], layer: str | None = None) -> Markup:
        """The theme's CSS; ``layer`` is None for the book in one pass, else "body" or "folio" (PDF parts)."""
        stack = lambda role: ", ".join(f'"{f}"' for f in self.theme.font_stack(role)) + ", serif"  # noqa: E731
        return Markup("\n".join(self.theme.render_css(name, stack=stack, font_url=font_url, book=self.book,
                                                       length_mm=length_mm, page_size_mm=page_size_mm, layer=layer)
                                for name in names))

    def document(self, *css: str, font_url: Callable[[FontFace], str]) -> str:
        return self.theme.render("book.html.j2", css=self.css("book.css.j2", *css, font_url=font_url),
                                 **self.context())


WHOLE_BOOK = ("title", "toc", "front", "letters", "index")


def _no_folio(anchor: str) -> str:
    return ""
