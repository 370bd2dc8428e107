"""The book's PDF in parts: which parts there are, where each lands, and the page numbers that follow."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import model as m
from ..theme.theme import Theme
from ..tree import walk
from .pdf_join import Sheet
from .pdf_layout import LaidOut


UNDATED = "2000-01-01T00:00:00Z"
"""The date in every part's metadata but the title part's: the join takes the book's metadata from
the title part, so the others need not change when a source file's date (the book's date) does."""


@dataclass(frozen=True)
class Part:
    """A stretch of the book that begins on a new page, so it can be laid out alone."""

    name: str
    show: tuple[str, ...]
    """What of the book template it shows: ``title``, ``toc``, ``front``, ``letters``, ``index``."""
    letters: tuple[int, ...] = ()
    """The letter groups it shows (``letters`` parts)."""
    right: bool = False
    """It starts on a right-hand page (the theme says so): the join inserts a blank page before it if need be."""
    numbered: bool = False
    """It prints other parts' page numbers (table of contents, index)."""
    anchor: str = ""
    """The id on its first page, known to be there before the part is laid out."""


@dataclass(frozen=True)
class Placement:
    """Where the laid-out parts land in the joined book."""

    sheets: tuple[Sheet, ...]
    starts: tuple[int, ...]
    """Each part's first page in the book (0-based)."""
    numbers: dict[str, int]
    """Anchor → its page number (1-based, as the folio prints it)."""
    folio_pages: tuple[str, ...]
    """Per page of the book, the CSS page name the folio layer gives it (``folio-blank`` for a
    blank page the join inserts, ``folio-none`` for one WeasyPrint left blank)."""


def plan_parts(book: m.Book, theme: Theme) -> list[Part]:
    """The parts in book order, cut where the theme starts a new page anyway."""
    feature = lambda name: bool(theme.value("features", name))  # noqa: E731
    right = feature("letter_right_page")
    parts = [Part("title", ("title",))]
    if feature("toc"):
        parts.append(Part("toc", ("toc",), numbered=True))
    if book.front_matter:
        parts.append(Part("front", ("front",)))
    if right or feature("letter_new_page"):
        parts += [Part(g.anchor, ("letters",), (i,), right=right, anchor=g.anchor) for i, g in enumerate(book.letters)]
    elif book.letters:
        parts.append(Part("letters", ("letters",), tuple(range(len(book.letters)))))
    if feature("index"):
        parts.append(Part("index", ("index",), right=right, numbered=True, anchor=m.INDEX_ID))
    return parts


def sides_matter(theme: Theme) -> bool:
    """Whether left- and right-hand pages differ (mirrored margins, thumb tabs): then a part's layout
    depends on the side it starts on."""
    return (theme.value("page", "margin_inner") != theme.value("page", "margin_outer")
            or bool(theme.value("features", "thumb_index")))


def place(parts: list[Part], laid: list[LaidOut | None]) -> Placement:
    """Put the parts one after another; a part not laid out yet (None) takes no pages."""
    sheets: list[Sheet] = []
    starts: list[int] = []
    numbers: dict[str, int] = {}
    names: list[str] = []
    for index, (part, result) in enumerate(zip(parts, laid)):
        if part.right and len(sheets) % 2:
            sheets.append(Sheet(None))
            names.append("folio-blank")
        starts.append(len(sheets))
        if part.anchor:
            numbers[part.anchor] = len(sheets) + 1
        for number, page in enumerate(result.pages if result else ()):
            for anchor in page.anchors:
                numbers.setdefault(anchor, len(sheets) + 1)
            sheets.append(Sheet(index, number))
            names.append("folio-none" if page.blank else page.name)
    return Placement(tuple(sheets), tuple(starts), numbers, tuple(names))


def carried(book: m.Book, parts: list[Part]) -> list[dict[str, Any]]:
    """What each part takes over from the parts before it: the footnote count (footnotes are
    numbered through the book) and the last term (where its first page's running head starts)."""
    counters, notes, term = [], 0, ""
    for part in parts:
        counters.append({"footnote": notes, "term": term})
        items = [*(book.front_matter if "front" in part.show else ()),
                 *(e for i in part.letters for e in book.letters[i].items)]
        notes += sum(isinstance(n, m.Note) for item in items for n in walk(item.blocks))
        term = next((e.title_text for i in reversed(part.letters) for e in reversed(book.letters[i].items)), term)
    return counters


def part_context(context: dict[str, Any], part: Part, counters: dict[str, Any],
                 placement: Placement | None, right: bool) -> dict[str, Any]:
    """The book template's context for one part: what it shows, what it carries over, which side
    it starts on, and the page numbers it prints (0 until the parts have been placed)."""
    numbers = placement.numbers if placement else {}
    return {**context, "show": part.show, "shown_letters": [context["letters"][i] for i in part.letters],
            "created": context["created"] if "title" in part.show else UNDATED,
            "counters": {**counters, "verso": not right},
            "folio": (lambda anchor: Markup(f' data-page="{numbers.get(anchor, 0)}"')) if part.numbered else
            context["folio"]}


def starts_right(placement: Placement | None, index: int) -> bool:
    """Whether part ``index`` starts on a right-hand page (assumed until it has been placed)."""
    return placement is None or index >= len(placement.starts) or placement.starts[index] % 2 == 0
