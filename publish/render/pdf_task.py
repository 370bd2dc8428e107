"""What one WeasyPrint layout is given and gives back, between the build and its workers: WeasyPrint
itself is imported only where a layout runs, so a build in parts starts without it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .pdf_part_tree import PartTree

PART_LINK = "x-publish-anchor:"
"""Links to an anchor in another part leave a part as URI links with this prefix; the join turns
them back into links to the named destination."""


@dataclass(frozen=True)
class LayoutTask:
    """One document to lay out, picklable for a worker process."""

    html: str
    base_url: str
    roots: tuple[Path, ...]
    """Folders the document may read files from."""
    variant: str | None
    """WeasyPrint's ``pdf_variant`` (``pdf/a-2b``), or None."""
    out: Path
    drop_first: bool = False
    """The first page only sets the parity (a part that starts on a left-hand page); it is not written."""
    containers: frozenset[str] = frozenset()
    """Ids of the entries, front matter and index: each page reports where it begins in them."""
    tree: bool = False
    """A part of the book: its structure tree is read out for the join, here where it was laid out."""
    joined: bool = False
    """The join opens the PDF (a part, a folio layer): it is written with small object streams, so
    the join reads the objects it takes, not a stream of every object (WeasyPrint writes one:
    opening the parts of 300 entries took 0.27 s, now 0.06 s)."""


@dataclass(frozen=True)
class PageFacts:
    """What the join needs to know of one laid-out page."""

    anchors: tuple[str, ...]
    name: str
    """The CSS page name (``titlepage``), or ""."""
    blank: bool
    """A page WeasyPrint left blank for a right/left break."""
    start: tuple[str, int] | None = None
    """(part, block) where the page begins (see ``pages.PageStart``), if it begins in one."""


@dataclass(frozen=True)
class LaidOut:
    pages: tuple[PageFacts, ...]
    errors: tuple[str, ...]
    """WeasyPrint's errors: when there are any, nothing was written."""
    tree: PartTree | None = None
    """The part's structure tree, when the task asked for it and the PDF is tagged."""


def lay_out(task: LayoutTask, on_page: Callable[[int], None] | None = None,
            on_laid: Callable[[LaidOut], None] | None = None) -> LaidOut:
    """``pdf_layout.lay_out``, imported on first use (WeasyPrint with it)."""
    from .pdf_layout import lay_out as run

    return run(task, on_page, on_laid)
