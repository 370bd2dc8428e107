"""The immutable, Pandoc-shaped document model every backend renders."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Generic, TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Attr:
    """Pandoc's attribute triple: identifier, classes, key-value pairs."""

    id: str = ""
    classes: tuple[str, ...] = ()
    kv: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        return next((value for name, value in self.kv if name == key), default)


NO_ATTR = Attr()


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a node starts in its source file (1-based line and column)."""

    path: Path
    line: int
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


# --- inlines -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Str:
    """Text. Unlike Pandoc's Str it may hold spaces; the JSON writer splits it."""

    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Underline:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strikeout:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class SmallCaps:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    attr: Attr
    text: str


@dataclass(frozen=True, slots=True)
class SoftBreak:
    pass


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


@dataclass(frozen=True, slots=True)
class Math:
    display: bool
    """True for ``$$…$$`` (Pandoc's DisplayMath), False for ``$…$``."""
    tex: str
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RawInline:
    format: str
    text: str
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Link:
    attr: Attr
    content: tuple[Inline, ...]
    url: str
    """After resolution an internal link's url is ``#`` plus the canonical target id."""
    title: str = ""
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Image:
    attr: Attr
    alt: tuple[Inline, ...]
    src: str
    title: str = ""
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote, its blocks inline where it is referenced (as in Pandoc)."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Span:
    attr: Attr
    content: tuple[Inline, ...]


Inline = Union[
    Str, Emph, Strong, Underline, Strikeout, Superscript, Subscript, SmallCaps, Code,
    SoftBreak, LineBreak, Math, RawInline, Link, Image, Note, Span,
]

# --- blocks --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plain:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Para:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    attr: Attr
    text: str


@dataclass(frozen=True, slots=True)
class RawBlock:
    format: str
    text: str
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    start: int
    style: str
    """Pandoc's ListNumberStyle: Decimal, LowerAlpha, UpperAlpha, LowerRoman, UpperRoman."""
    delim: str
    """Pandoc's ListNumberDelim: Period, OneParen, TwoParens."""
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class DefinitionList:
    items: tuple[tuple[tuple[Inline, ...], tuple[tuple[Block, ...], ...]], ...]
    """(term, definitions) pairs; each definition is a tuple of blocks."""


@dataclass(frozen=True, slots=True)
class Header:
    level: int
    attr: Attr
    content: tuple[Inline, ...]
    pos: SourcePos | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class HorizontalRule:
    pass


@dataclass(frozen=True, slots=True)
class ColSpec:
    align: str
    """Pandoc's Alignment: AlignLeft, AlignRight, AlignCenter, AlignDefault."""
    width: float | None = None
    """Relative width (0–1) for grid tables; None means ColWidthDefault."""


@dataclass(frozen=True, slots=True)
class Cell:
    blocks: tuple[Block, ...]
    align: str = "AlignDefault"
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    attr: Attr
    caption: tuple[Block, ...]
    colspecs: tuple[ColSpec, ...]
    head: tuple[Row, ...]
    bodies: tuple[tuple[Row, ...], ...]
    foot: tuple[Row, ...] = ()


@dataclass(frozen=True, slots=True)
class Figure:
    attr: Attr
    caption: tuple[Block, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Div:
    attr: Attr
    blocks: tuple[Block, ...]


Block = Union[
    Plain, Para, CodeBlock, RawBlock, BlockQuote, OrderedList, BulletList, DefinitionList,
    Header, HorizontalRule, Table, Figure, Div,
]

# --- the book ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metadata:
    title: str = "Untitled"
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    language: str = "de-DE"
    date: str = ""
    rights: str = ""
    """The licence line."""
    identifier: str = ""
    version: str = ""
    base_url: str = ""
    """Where the website is published (``https://example.org/glossar/``, ending in ``/``): absolute
    addresses for its sitemap and canonical links; empty when unknown."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One term of the book: its heading plus everything up to the next entry heading."""

    id: str
    title: tuple[Inline, ...]
    title_text: str
    """The title as plain text, for sorting, running heads and the index."""
    attr: Attr
    aliases: tuple[str, ...]
    blocks: tuple[Block, ...]
    """The entry's body; its section headers are renumbered from level 2 down."""
    source: Path
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A front-matter file (title page text, licence …) kept in book.toml order."""

    id: str
    source: Path
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class IndexTarget:
    id: str
    """The anchor the index points to: an entry id or an in-text ``.index`` mark."""
    main: bool
    """True for the entry's own place (printed first and bold)."""


@dataclass(frozen=True, slots=True)
class IndexItem:
    term: str
    targets: tuple[IndexTarget, ...]
    see: str = ""
    """For aliases: the entry title to see instead; then targets holds that entry."""


@dataclass(frozen=True, slots=True)
class LetterGroup(Generic[T]):
    letter: str
    """The group heading: an upper-case letter, or ``0–9`` for digits and symbols."""
    items: tuple[T, ...]
    anchor: str = ""
    """The group's id in the book (``letter-A`` for entries, ``Index-A`` in the index)."""


@dataclass(frozen=True, slots=True)
class Book:
    metadata: Metadata
    front_matter: tuple[FrontMatter, ...]
    entries: tuple[Entry, ...]
    """Sorted in German dictionary order."""
    letters: tuple[LetterGroup[Entry], ...]
    """The entries grouped by initial letter."""
    index: tuple[LetterGroup[IndexItem], ...]
    """The generated index, id ``Index``."""
    anchors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Every id in the book → the id of the entry or front matter holding it (or ``Index``)."""
    links: int = 0
    """How many internal links were resolved (backends check their output against it)."""
    backlinks: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Entry id → the ids of the other entries whose text links into it, in book order."""
    images: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    """Every image the book shows: its path inside the source folder (as in ``Image.src``) → media type."""
    source: Path = field(default=Path("."), compare=False)
    """The source folder: images and other files are read from inside it only."""
    modified: datetime = field(default=datetime(1970, 1, 1, tzinfo=timezone.utc), compare=False)
    """The time the build claims (``SOURCE_DATE_EPOCH``, else the newest source file): never the clock."""

    def part_of(self, anchor: str) -> str:
        """The id of the entry, front matter or generated part (``Index``) holding ``anchor``."""
        return self.anchors.get(anchor, anchor)


# --- the node vocabulary ---------------------------------------------------------------
# Classes and ids that more than one stage gives meaning to. Themes style them (docs/themes.md).

TERM_CLASS = "term"
"""The class of an entry heading (``## GPU {#GPU .term}``); book.toml may name another."""
SEEALSO_CLASS = "seealso"
"""A Div of this class holds an entry's see-also list of cross-references."""
TAGLINE_CLASS = "tagline"
"""A Div of this class wraps an entry's opening bold-italic line."""
INDEX_MARK_CLASS = "index"
"""``[Begriff]{.index}`` marks a place in the text for the index (``term="…"`` files it elsewhere)."""
UNRESOLVED_CLASS = "unresolved"
"""A link whose target does not exist becomes a Span of this class: plain text in every format."""
MISSING_IMAGE_CLASS = "missing-image"
"""An image that cannot be used becomes a Span of this class holding its alt text."""
LETTER_CLASS = "letter"
"""The heading of a letter group (``A``, ``B`` …) in every format."""
LETTER_PREFIX = "letter"
"""Letter groups of entries have ids ``letter-A`` …; each belongs to its group's first entry."""
INDEX_GROUP_PREFIX = "Index"
"""Letter groups of the index have ids ``Index-A`` …; they belong to the index."""
INDEX_ID = "Index"
"""The generated index; every entry may link to ``#Index``."""
RESERVED_IDS = (INDEX_ID, "titlepage", "toc", "cover")
"""Ids the backends use for generated parts; no entry can take them."""
MEANINGFUL_ATTRIBUTES = ("lang", "dir", "title")
"""Key-value attributes that mean the same in every format (as pandoc writes them to HTML);
every other key is kept only as inert data (``data-<key>`` in HTML)."""
