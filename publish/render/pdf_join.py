"""Joining separately laid-out PDF parts into one book with pikepdf: pages, folios, links, outline."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name, OutlineItem, Page, String

from .pdf_fonts import MergedFonts, font_descriptors, share_fonts
from .pdf_join_structure import append_structure, shift_parent_keys
from .pdf_part_tree import PartTree, part_tree
from .pdf_task import PART_LINK


XMP = "http://ns.adobe.com/xap/1.0/"


@dataclass(frozen=True)
class Sheet:
    """One page of the joined book: a part's page, or (``part`` None) a blank page from the folio layer."""

    part: int | None
    page: int = 0
    """The page's index in its part."""


def join(parts: list[Path], sheets: list[Sheet], folio_layers: list[Path], out: Path, nested: list[bool],
         created: datetime, fonts: MergedFonts | None = None,
         trees: Callable[[int, bool], PartTree | None] | None = None) -> list[str]:
    """Write ``out``: the parts' pages in ``sheets`` order, each with its folio stamped on, with one
    table of named destinations, one outline, one structure tree (tagged parts), the book's date
    ``created`` and one copy of
    every font (merged once, then kept in ``fonts``: the keys of those it used are returned). A
    part ``nested`` (a later chunk of a letter) puts its outline items below the last item of the
    part before. ``trees`` gives a part's structure tree, kept from its layout (default: read out
    of the part).

    One part is open at a time: everything the book takes from it is copied before it is closed
    (its page contents and font programs are read from its file when the book is saved). The
    structure tree, most of a tagged book's objects, is not held at all: it is appended to the
    saved book part by part. So the join's memory grows with the book's pages and anchors only."""
    pages, tagged, font_keys = _save_pages(parts, sheets, folio_layers, out, nested, created, fonts)
    if tagged:  # the book's objects are gone by now: the tree's memory does not come on top of theirs
        append_structure(out, trees or (lambda part, fresh: part_tree(parts[part])), pages)
    return font_keys


def _save_pages(parts: list[Path], sheets: list[Sheet], folio_layers: list[Path], out: Path,
                nested: list[bool], created: datetime, fonts: MergedFonts | None) -> tuple[list[list[int]], bool, list[str]]:
    """Write ``out`` without the structure tree: each part's pages' indices in the book, whether
    any part is tagged, and the keys of the merged fonts."""
    with ExitStack() as layers:
        folios = [page for path in folio_layers for page in layers.enter_context(pikepdf.open(path)).pages]
        book = pikepdf.new()
        keys, tagged = 0, False
        pages: list[list[int]] = [[] for _ in parts]
        destinations: dict[str, Array] = {}
        outline: list[OutlineItem] = []
        descriptors: dict[tuple[int, int], pikepdf.Object] = {}
        for part, numbered in groupby(enumerate(sheets), key=lambda item: item[1].part):
            if part is None:
                for number, _ in numbered:
                    book.pages.append(folios[number])
                continue
            with pikepdf.open(parts[part]) as source:
                if part == 0:
                    _take_document_facts(book, source, created)
                placed: dict[tuple[int, int], pikepdf.Object] = {}
                walked: set[tuple[int, int]] = set()
                for number, sheet in numbered:
                    pages[part].append(number)
                    source_page = source.pages[sheet.page]
                    book.pages.append(source_page)
                    page = book.pages[-1]
                    placed[source_page.obj.objgen] = page.obj
                    # a part's pages share their resources: their fonts are looked for once
                    resources = page.obj.get("/Resources")
                    if resources is None or not resources.is_indirect or resources.objgen not in walked:
                        walked.add(resources.objgen if resources is not None else (0, 0))
                        descriptors.update((d.objgen, d) for d in font_descriptors(page.obj))
                    if _has_text(folios[number]):  # title and blank pages have no folio
                        form = _stamp(book, page, folios[number], Name(f"/Folio{number + 1}"))
                        descriptors.update((d.objgen, d) for d in font_descriptors(form))
                    _retarget_part_links(page)
                keys = shift_parent_keys(source, list(placed.values()), keys)
                tagged |= "/StructTreeRoot" in source.Root
                for name, target in _destinations(source):
                    destinations.setdefault(name, _moved(target, placed))
                with source.open_outline() as part_outline:
                    copies = [_copied(item, placed) for item in part_outline.root]
                (outline[-1].children if nested[part] and outline else outline).extend(copies)
        book.Root.Names = Dictionary(Dests=book.make_indirect(Dictionary(Names=Array(
            [x for name in sorted(destinations) for x in (String(name), destinations[name])]))))
        with book.open_outline() as book_outline:
            book_outline.root.extend(outline)
        font_keys = share_fonts(book, descriptors.values(), fonts)
        book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return pages, tagged, font_keys


def _take_document_facts(book: pikepdf.Pdf, first: pikepdf.Pdf, created: datetime) -> None:
    """The book's metadata, output intents, language and viewer settings: the title part's, with
    the book's date ``created`` in the document information and the XMP metadata. Every part is
    laid out undated, so a new date (an edited source file) lays out no part again."""
    for key in ("/Metadata", "/OutputIntents", "/MarkInfo", "/Lang", "/ViewerPreferences"):
        if key in first.Root:
            book.Root[key] = book.copy_foreign(first.make_indirect(first.Root[key]))
    book.trailer.Info = book.copy_foreign(first.make_indirect(first.trailer.Info))
    moment = created.astimezone(timezone.utc)
    for key in ("/CreationDate", "/ModDate"):
        book.trailer.Info[key] = String(moment.strftime("D:%Y%m%d%H%M%SZ"))
    if "/Metadata" in book.Root:
        book.Root.Metadata.write(_dated_xmp(book.Root.Metadata.read_bytes(), moment.strftime("%Y-%m-%dT%H:%M:%SZ")))


def _dated_xmp(packet: bytes, moment: str) -> bytes:
    """An XMP packet with its creation and modification dates (``xmp:CreateDate``,
    ``xmp:ModifyDate``, as elements or attributes) set to ``moment``."""
    root = etree.fromstring(packet, etree.XMLParser(resolve_entities=False, no_network=True))
    names = {f"{{{XMP}}}CreateDate", f"{{{XMP}}}ModifyDate"}
    for element in root.iter(etree.Element):
        if element.tag in names:  # <xmp:CreateDate>…</xmp:CreateDate>
            element.text = moment
        for name in names & set(element.attrib):  # xmp:CreateDate="…", XMP's shorter form
            element.set(name, moment)
    return etree.tostring(root.getroottree(), encoding="utf-8")


def _stamp(book: pikepdf.Pdf, page: Page, folio: Page, name: Name) -> pikepdf.Object:
    """Draw the folio page over ``page``, the page's own drawing state saved around its content,
    marked as an artifact (page furniture, outside a tagged PDF's structure tree): the folio's form.

    The name is the page's own: a part's pages may share one resource dictionary."""
    form = book.copy_foreign(folio.as_form_xobject())
    page.add_resource(form, Name.XObject, name)
    page.contents_add(book.make_stream(b"q\n"), prepend=True)
    page.contents_add(book.make_stream(b"\nQ\n/Artifact BMC q " + str(name).encode() + b" Do Q EMC\n"))
    return form


def _has_text(page: Page) -> bool:
    return any(str(operator) == "BT" for _, operator in pikepdf.parse_content_stream(page))


def _retarget_part_links(page: Page) -> None:
    """Links that left their part as ``x-publish-anchor:`` URIs become links to named destinations."""
    for annotation in page.obj.get("/Annots", Array()):
        action = annotation.get("/A")
        uri = str(action.get("/URI", "")) if action is not None else ""
        if uri.startswith(PART_LINK):
            del annotation["/A"]
            annotation.Dest = String(uri[len(PART_LINK):])


def _destinations(source: pikepdf.Pdf) -> Iterator[tuple[str, Array]]:
    """A part's named destinations: (anchor, ``[page /XYZ x y z]``)."""
    names = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary()).get("/Names", Array())
    for index in range(0, len(names), 2):
        yield str(names[index]), names[index + 1]


def _moved(destination: Array, placed: dict[tuple[int, int], pikepdf.Object]) -> Array:
    """A destination ``[page /XYZ x y z]`` of a part, pointing at the joined book's page."""
    return Array([placed[destination[0].objgen], *list(destination)[1:]])


def _copied(item: OutlineItem, placed: dict[tuple[int, int], pikepdf.Object]) -> OutlineItem:
    copy = OutlineItem(item.title, destination=_moved(item.destination, placed))
    copy.is_closed = item.is_closed
    copy.children.extend(_copied(child, placed) for child in item.children)
    return copy
