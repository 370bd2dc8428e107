"""Pages like the book's: sections with their own headers and footers, page breaks, mirrored spreads.

Four kinds of section: the title page (no header or footer), the front (contents, front matter),
the entries (dictionary running heads: Word's ``STYLEREF`` on the term style gives the first
term on a page, ``STYLEREF \\l`` the last), the index. Page breaks are paragraph properties or
section breaks, never empty paragraphs.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

from ...theme.theme import Theme
from ...theme.units import length_mm
from .fields import field_runs, text_run
from .reference import W, text_width_twips

_W = f"{{{W}}}"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_R = f"{{{R}}}"
HEADER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
HEADER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
FOOTER_CONTENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
_NS = f'xmlns:w="{W}" xmlns:r="{R}"'


@dataclass(frozen=True, slots=True)
class Part:
    """A header or footer part: its file under ``word/``, relationship id and kind."""

    name: str
    rel_id: str
    kind: str
    """``header`` or ``footer``."""
    xml: bytes


def mirrored(theme: Theme) -> bool:
    """Print themes bind the pages: inner and outer margins differ, so left and right pages do too."""
    page = theme.values["page"]
    return length_mm(page["margin_inner"]) != length_mm(page["margin_outer"])


class Layout:
    """The header and footer parts of a theme and the section properties that use them."""

    def __init__(self, theme: Theme, term_style: str, index_label: str, title: str) -> None:
        self.theme = theme
        self.mirrored = mirrored(theme)
        width = text_width_twips(theme)
        tabs = (f'<w:tabs><w:tab w:val="center" w:pos="{width // 2}"/>'
                f'<w:tab w:val="right" w:pos="{width}"/></w:tabs>')
        # Word computes STYLEREF on every page; a reader that cannot (LibreOffice before 7.6)
        # shows the saved result on every page, so that is the book's title, not one term.
        first = field_runs(f'STYLEREF "{term_style}"', text_run(title))
        last = field_runs(f'STYLEREF "{term_style}" \\l', text_run(title))
        page = field_runs("PAGE", text_run("1"))

        def para(runs: str, align: str = "left", style: str = "Header") -> str:
            return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{tabs}<w:jc w:val="{align}"/></w:pPr>{runs}</w:p>')

        def part(kind: str, key: str, body: str) -> Part:
            root = "hdr" if kind == "header" else "ftr"
            xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{root} {_NS}>{body}</w:{root}>'
            return Part(f"{kind}-{key}.xml", f"rIdPublish{kind.title()}{key.title()}", kind, xml.encode("utf-8"))

        empty_header = part("header", "empty", para("", style="Header"))
        empty_footer = part("footer", "empty", para("", style="Footer"))
        self.parts: list[Part] = [empty_header, empty_footer]
        if not theme.value("features", "running_heads"):
            first = last = ""
        if self.mirrored:
            heads = {"even": para(first), "default": para(last, "right")}
            foots = {"even": para(page, "left", "Footer"), "default": para(page, "right", "Footer")}
            index_heads = {"even": para(text_run(index_label)), "default": para(text_run(index_label), "right")}
        else:
            paired = field_runs(f'STYLEREF "{term_style}" \\l') if first else ""
            heads = {"default": para(first + '<w:r><w:tab/></w:r><w:r><w:tab/></w:r>' + paired)}
            foots = {"default": para(page, "center", "Footer")}
            index_heads = {"default": para(text_run(index_label), "right")}
        self.references: dict[str, list[tuple[str, str, str]]] = {"title": [], "front": [], "entries": [], "index": []}
        """Section kind → (header|footer, type, rel id) references."""
        for key, body in foots.items():
            self._add(part("footer", f"page-{key}", body), key, ("front", "entries", "index"))
        for key, body in heads.items():
            self._add(part("header", f"terms-{key}", body), key, ("entries",))
        for key, body in index_heads.items():
            self._add(part("header", f"index-{key}", body), key, ("index",))
        for key in heads:
            self.references["front"].append(("header", key, empty_header.rel_id))
            # The title page is a section of its own rather than Word's "different first page",
            # which LibreOffice carries over badly to the left page after it.
            self.references["title"] += [("header", key, empty_header.rel_id), ("footer", key, empty_footer.rel_id)]

    def _add(self, part: Part, key: str, kinds: tuple[str, ...]) -> None:
        self.parts.append(part)
        for kind in kinds:
            self.references[kind].append((part.kind, key, part.rel_id))

    def section(self, template: etree._Element, kind: str, start: str = "nextPage") -> etree._Element:
        """Section properties for one kind of section, page size and margins from ``template``."""
        section = etree.Element(f"{_W}sectPr")
        order = {"header": 0, "footer": 1}
        for what, key, rel_id in sorted(self.references[kind], key=lambda r: order[r[0]]):
            etree.SubElement(section, f"{_W}{what}Reference", {f"{_W}type": key, f"{_R}id": rel_id})
        etree.SubElement(section, f"{_W}type", {f"{_W}val": start})
        for child in template:
            if etree.QName(child).localname in ("pgSz", "pgMar"):
                section.append(copy.deepcopy(child))
        return section


def end_section_before(element: etree._Element, section: etree._Element) -> None:
    """Make the paragraph before ``element`` (past bookmarks) the last of a section."""
    previous = element.getprevious()
    while previous is not None and etree.QName(previous).localname in ("bookmarkStart", "bookmarkEnd"):
        previous = previous.getprevious()
    if previous is None or etree.QName(previous).localname != "p":
        # After a table (or at the start) a paragraph must carry the break: Word's own way.
        previous = etree.Element(f"{_W}p")
        element.addprevious(previous)
    props = previous.find(f"{_W}pPr")
    if props is None:
        props = etree.Element(f"{_W}pPr")
        previous.insert(0, props)
    old = props.find(f"{_W}sectPr")
    if old is not None:
        props.remove(old)
    later = props.find(f"{_W}pPrChange")
    if later is not None:
        later.addprevious(section)
    else:
        props.append(section)


def break_page_before(paragraph: etree._Element) -> None:
    props = paragraph.find(f"{_W}pPr")
    if props is None:
        props = etree.Element(f"{_W}pPr")
        paragraph.insert(0, props)
    # pageBreakBefore comes right after pStyle, keepNext and keepLines in CT_PPr.
    anchor = None
    for name in ("pStyle", "keepNext", "keepLines"):
        found = props.find(f"{_W}{name}")
        if found is not None:
            anchor = found
    element = etree.Element(f"{_W}pageBreakBefore")
    if anchor is None:
        props.insert(0, element)
    else:
        anchor.addnext(element)
