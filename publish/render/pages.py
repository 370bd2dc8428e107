"""Print pages for other formats: where each page of a laid-out PDF begins, said in terms that
every format's HTML shares (a part's id and the index of one of its blocks), so the EPUB can carry
page-break markers and a page list for the print edition of the same build."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .. import model as m


@dataclass(frozen=True, slots=True)
class PageStart:
    """Where one printed page begins."""

    label: str
    """The page's number as printed on it."""
    part: str
    """The id of the entry, front matter or index the page begins in."""
    block: int
    """Which element child of the part's container the page's first line belongs to (the
    container is the element with the part's id: an entry's ``article``, a front matter
    ``section``, the index ``section``); -1 for what stands before an entry in its document
    (the letter divider of a letter's first entry)."""


@dataclass(frozen=True, slots=True)
class PrintEdition:
    """The pages of a PDF rendered in the same build."""

    source: str
    """What the pages are of: the PDF's file name (the EPUB's ``pageBreakSource``)."""
    pages: tuple[PageStart, ...]


def containers(book: m.Book) -> frozenset[str]:
    """The ids of the elements whose children a page start names: entries, front matter, the index."""
    return frozenset({p.id for p in (*book.front_matter, *book.entries)} | {m.INDEX_ID})


def page_keys(pages: Iterable[Any], parts: frozenset[str]) -> list[tuple[str, int] | None]:
    """Per page of WeasyPrint's laid-out ``pages``, (part, block) where it begins, or None.

    A page that begins inside a paragraph starts at that paragraph: a page break inside a block
    is placed before the block, so "page 212" leads to the paragraph its first line is in."""
    pages = list(pages)
    root = next((box.element for page in pages for box in _boxes(page._page_box)
                 if getattr(box, "element_tag", None) == "html"), None)
    if root is None:
        return [None] * len(pages)
    keys = block_keys(root, set(parts))
    return [next((keys[box.element] for box in _boxes(page._page_box)
                  if getattr(box, "element", None) is not None and box.element in keys), None) for page in pages]


def block_keys(root: Any, parts: set[str]) -> dict[Any, tuple[str, int]]:
    """(part, block) of every element child of a part's container, and (first entry, -1) of what
    stands in a letter's section before its first entry; works on ElementTree and lxml trees."""
    keys: dict[Any, tuple[str, int]] = {}
    for element in root.iter():
        part = element.get("id")
        if part in parts:
            for n, child in enumerate(element_children(element)):
                keys[child] = (part, n)
        elif m.LETTER_CLASS in (element.get("class") or "").split() and _local(element.tag) == "section":
            children = element_children(element)
            first = next((c for c in children if c.get("id") in parts), None)
            for child in children[:children.index(first)] if first is not None else ():
                keys[child] = (first.get("id"), -1)
    return keys


def element_children(element: Any) -> list[Any]:
    """Element children only: no comments or processing instructions."""
    return [child for child in element if isinstance(child.tag, str)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _boxes(box: Any) -> Iterator[Any]:
    """Every box below ``box`` in document order."""
    stack = [box]
    while stack:
        box = stack.pop()
        yield box
        stack.extend(reversed(getattr(box, "children", None) or ()))
