"""The book's PDF in parts: which parts there are, where each lands, and the page numbers that follow."""
from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from .. import model as m
from ..theme.theme import Theme
from ..tree import walk
from .pdf_join import Sheet
from .pdf_task import LaidOut


UNDATED = "2000-01-01T00:00:00Z"
"""The date in every part's metadata: the join dates the book, so no part changes when a source
file's date (the book's date) does."""


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
    span: tuple[int, int] | None = None
    """The entries of its one letter it shows (start, end), when the letter is laid out in chunks."""
    continued: bool = False
    """It continues the letter of the part before (a later chunk): no letter heading, no id, no right-hand start."""


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


CHUNK_CHARACTERS = 60_000
"""At most this many characters of entry text in one part (about 27 A4 pages of the sample): a
larger letter is laid out in chunks, each continuing on a new page, so a part's layout (its
memory, and the wait for a proof after an edit) stays bounded however large the book grows."""

def plan_parts(book: m.Book, theme: Theme) -> list[Part]:
    """The parts in book order, cut where the theme starts a new page anyway; a letter whose
    entries have more than ``CHUNK_CHARACTERS`` of text, in chunks."""
    feature = lambda name: bool(theme.value("features", name))  # noqa: E731
    right = feature("letter_right_page")
    parts = [Part("title", ("title",))]
    if feature("toc"):
        parts.append(Part("toc", ("toc",), numbered=True))
    if book.front_matter:
        parts.append(Part("front", ("front",)))
    if right or feature("letter_new_page"):
        letters = [[(e.id, _characters(e)) for e in group.items] for group in book.letters]
        least = _least_entries([size for letter in letters for _, size in letter], CHUNK_CHARACTERS)
        for i, (group, letter) in enumerate(zip(book.letters, letters)):
            spans = _chunks(letter, CHUNK_CHARACTERS, least)
            if len(spans) == 1:
                parts.append(Part(group.anchor, ("letters",), (i,), right=right, anchor=group.anchor))
                continue
            parts += [Part(group.anchor if n == 0 else f"{group.anchor}.{n + 1}", ("letters",), (i,),
                           right=right and n == 0, anchor=group.anchor if n == 0 else "", span=span, continued=n > 0)
                      for n, span in enumerate(spans)]
    elif book.letters:
        parts.append(Part("letters", ("letters",), tuple(range(len(book.letters)))))
    if feature("index"):
        parts.append(Part("index", ("index",), right=right, numbered=True, anchor=m.INDEX_ID))
    return parts


def _characters(entry: m.Entry) -> int:
    """The characters an entry sets: text, code and formulas (their TeX)."""
    return sum(len(n.tex) if isinstance(n, m.Math) else len(n.text)
               for n in walk(entry.blocks) if isinstance(n, (m.Str, m.Code, m.CodeBlock, m.Math)))


def _chunks(entries: list[tuple[str, int]], limit: int, least: int = 1) -> list[tuple[int, int]]:
    """(start, end) of runs of consecutive entries (id, characters), each at most ``limit``
    characters (or one entry). A run of at least ``least`` entries and a sixth of ``limit``
    characters also ends before an entry whose id's hash picks it (one in four). Where the count
    decides, the boundaries follow the entries alone, not their sizes: an edit that grows or shrinks
    one entry moves no boundary unless its run reaches ``limit``, so the other chunks of its letter
    keep their layouts in the cache. (A run ended by characters alone moved the first boundary after
    the edit, and that one the next.) Entries of ``limit`` characters or less stay one run."""
    if sum(size for _, size in entries) <= limit:
        return [(0, len(entries))]
    spans, start, total = [], 0, 0
    for n, (anchor, size) in enumerate(entries):
        if n > start and (total + size > limit
                          or (n - start >= least and total >= limit // 6 and _starts_chunk(anchor))):
            spans.append((start, n))
            start, total = n, 0
        total += size
    return [*spans, (start, len(entries))]


def _least_entries(sizes: list[int], limit: int) -> int:
    """The entries a chunk holds at least: as many as a third of ``limit`` takes at the book's
    median entry size (one edit rarely moves the median, and then by one entry)."""
    return max(1, round(limit / 3 / max(statistics.median(sizes), 1))) if sizes else 1


def _starts_chunk(anchor: str) -> bool:
    return hashlib.blake2b(anchor.encode("utf-8", "surrogatepass"), digest_size=1).digest()[0] % 4 == 0


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
        entries = [e for i in part.letters for e in _shown(book.letters[i].items, part)]
        notes += sum(isinstance(n, m.Note) for item in (*(book.front_matter if "front" in part.show else ()), *entries)
                     for n in walk(item.blocks))
        term = entries[-1].title_text if entries else term
    return counters


def _shown(items: Sequence[Any], part: Part) -> Sequence[Any]:
    """The entries of a letter that ``part`` shows."""
    return items[slice(*part.span)] if part.span else items


def part_context(context: dict[str, Any], part: Part, counters: dict[str, Any],
                 placement: Placement | None, right: bool) -> dict[str, Any]:
    """The book template's context for one part: what it shows, what it carries over, which side
    it starts on, and the page numbers it prints (0 until the parts have been placed)."""
    numbers = placement.numbers if placement else {}
    letters = [replace(context["letters"][i], entries=_shown(context["letters"][i].entries, part)) for i in part.letters]
    return {**context, "show": part.show, "shown_letters": letters,
            "created": UNDATED,
            "counters": {**counters, "verso": not right, "continued": part.continued},
            "folio": (lambda anchor: Markup(f' data-page="{numbers.get(anchor, 0)}"')) if part.numbered else
            context["folio"]}


def starts_right(placement: Placement | None, index: int) -> bool:
    """Whether part ``index`` starts on a right-hand page (assumed until it has been placed)."""
    return placement is None or index >= len(placement.starts) or placement.starts[index] % 2 == 0
