"""Joining separately laid-out PDF parts into one book with pikepdf: pages, folios, links, outline."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Page, String

from .pdf_fonts import share_fonts
from .pdf_join_structure import join_structure
from .pdf_layout import PART_LINK


@dataclass(frozen=True)
class Sheet:
    """One page of the joined book: a part's page, or (``part`` None) a blank page from the folio layer."""

    part: int | None
    page: int = 0
    """The page's index in its part."""


def join(parts: list[Path], sheets: list[Sheet], folio_layers: list[Path], out: Path, nested: list[bool]) -> None:
    """Write ``out``: the parts' pages in ``sheets`` order, each with its folio stamped on, with one
    table of named destinations, one outline, one structure tree (tagged parts) and one copy of
    every font. A part ``nested`` (a later chunk of a letter) puts its outline items below the
    last item of the part before."""
    sources = [pikepdf.open(path) for path in parts]
    layers = [pikepdf.open(path) for path in folio_layers]
    folios = [page for layer in layers for page in layer.pages]
    book = pikepdf.new()
    first = sources[0]
    for key in ("/Metadata", "/OutputIntents", "/MarkInfo", "/Lang", "/ViewerPreferences"):
        if key in first.Root:
            book.Root[key] = book.copy_foreign(first.make_indirect(first.Root[key]))
    book.trailer.Info = book.copy_foreign(first.make_indirect(first.trailer.Info))
    placed: list[dict[tuple[int, int], int]] = [{} for _ in sources]
    for number, sheet in enumerate(sheets):
        if sheet.part is None:
            book.pages.append(folios[number])
            continue
        source_page = sources[sheet.part].pages[sheet.page]
        placed[sheet.part][source_page.obj.objgen] = number
        book.pages.append(source_page)
        if _has_text(folios[number]):  # title and blank pages have no folio
            _stamp(book, book.pages[number], folios[number], Name(f"/Folio{number + 1}"))
    _retarget_part_links(book)
    if any("/StructTreeRoot" in source.Root for source in sources):
        join_structure(book, sources, placed)
    _merge_destinations(book, sources, placed)
    _merge_outlines(book, sources, placed, nested)
    share_fonts(book)
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _stamp(book: pikepdf.Pdf, page: Page, folio: Page, name: Name) -> None:
    """Draw the folio page over ``page``, the page's own drawing state saved around its content,
    marked as an artifact (page furniture, outside a tagged PDF's structure tree).

    The name is the page's own: a part's pages may share one resource dictionary."""
    form = book.copy_foreign(folio.as_form_xobject())
    page.add_resource(form, Name.XObject, name)
    page.contents_add(book.make_stream(b"q\n"), prepend=True)
    page.contents_add(book.make_stream(b"\nQ\n/Artifact BMC q " + str(name).encode() + b" Do Q EMC\n"))


def _has_text(page: Page) -> bool:
    return any(str(operator) == "BT" for _, operator in pikepdf.parse_content_stream(page))


def _retarget_part_links(book: pikepdf.Pdf) -> None:
    """Links that left their part as ``x-publish-anchor:`` URIs become links to named destinations."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(PART_LINK):
                del annotation["/A"]
                annotation.Dest = String(uri[len(PART_LINK):])


def _merge_destinations(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], placed: list[dict]) -> None:
    """One name tree of every part's anchors, each pointing to the page it landed on."""
    destinations: dict[str, Array] = {}
    for part, source in enumerate(sources):
        names = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary()).get("/Names", Array())
        for index in range(0, len(names), 2):
            target = names[index + 1]
            destinations.setdefault(str(names[index]), _moved(book, target, placed[part]))
    flat = Array()
    for name in sorted(destinations):
        flat.extend([String(name), destinations[name]])
    book.Root.Names = Dictionary(Dests=book.make_indirect(Dictionary(Names=flat)))


def _moved(book: pikepdf.Pdf, destination: Array, placed: dict[tuple[int, int], int]) -> Array:
    """A destination ``[page /XYZ x y z]`` of a part, pointing at the joined book's page."""
    return Array([book.pages[placed[destination[0].objgen]].obj, *list(destination)[1:]])


def _merge_outlines(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], placed: list[dict], nested: list[bool]) -> None:
    items: list[OutlineItem] = []
    for part, source in enumerate(sources):
        with source.open_outline() as outline:
            copies = [_copied(book, item, placed[part]) for item in outline.root]
        (items[-1].children if nested[part] and items else items).extend(copies)
    with book.open_outline() as outline:
        outline.root.extend(items)


def _copied(book: pikepdf.Pdf, item: OutlineItem, placed: dict[tuple[int, int], int]) -> OutlineItem:
    copy = OutlineItem(item.title, destination=_moved(book, item.destination, placed))
    copy.is_closed = item.is_closed
    copy.children.extend(_copied(book, child, placed) for child in item.children)
    return copy
