"""The Word reference document, generated from the theme's values (never edited by hand)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from lxml import etree

from ...output import rewrite_zip
from .pandoc_runner import run_pandoc
from ...theme.theme import Theme
from ...theme.units import MM_PER_PT, length_mm, page_size_mm

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
TWIPS_PER_MM = 1440 / 25.4
_REFERENCE_TIME = datetime(1980, 1, 1, tzinfo=timezone.utc)
"""The reference document is pandoc's input, never an output: any fixed time will do."""


def reference_docx(theme: Theme, language: str) -> bytes:
    """pandoc's default reference.docx with the theme's fonts, sizes, colours, page and styles."""
    default = run_pandoc(["--print-default-data-file", "reference.docx"])
    return rewrite_zip(default, _REFERENCE_TIME, change={
        "word/styles.xml": lambda xml: _styles(etree.fromstring(xml), theme, language),
        "word/document.xml": lambda xml: _page(etree.fromstring(xml), theme)})


def _twips(mm: float) -> str:
    return str(round(mm * TWIPS_PER_MM))


def _page(document: etree._Element, theme: Theme) -> bytes:
    page = theme.values["page"]
    width, height = page_size_mm(page["size"])
    body = document.find(f"{_W}body")
    for old in body.findall(f"{_W}sectPr"):
        body.remove(old)
    section = etree.SubElement(body, f"{_W}sectPr")
    etree.SubElement(section, f"{_W}pgSz", {f"{_W}w": _twips(width), f"{_W}h": _twips(height)})
    etree.SubElement(section, f"{_W}pgMar", {
        f"{_W}top": _twips(length_mm(page["margin_top"])), f"{_W}bottom": _twips(length_mm(page["margin_bottom"])),
        f"{_W}left": _twips(length_mm(page["margin_inner"])), f"{_W}right": _twips(length_mm(page["margin_outer"])),
        f"{_W}header": "708", f"{_W}footer": "708", f"{_W}gutter": "0"})
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(styles: etree._Element, theme: Theme, language: str) -> bytes:
    fonts, colors, sizes = theme.values["fonts"], theme.values["colors"], theme.values["sizes"]
    body_pt = length_mm(fonts["size"]) / MM_PER_PT
    em = lambda key: body_pt * float(sizes[key].removesuffix("em"))  # noqa: E731
    defaults = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    _run(defaults, font=fonts["body"], size=body_pt, color=colors["text"])
    defaults.find(f"{_W}lang").set(f"{_W}val", language)
    by_id = {s.get(f"{_W}styleId"): s for s in styles.findall(f"{_W}style")}
    heading = dict(font=fonts["heading"], color=colors["accent"])
    _run(_props(by_id["Title"]), **heading, size=body_pt * 2.4, bold=True)
    _run(_props(by_id["Heading1"]), **heading, size=body_pt * 2.2, bold=True)
    _run(_props(by_id["Heading2"]), **heading, size=em("term"), bold=True)
    _run(_props(by_id["Heading3"]), font=fonts["heading"], color=colors["text"], size=em("section"), bold=True)
    # Underlined as well as coloured: a link must not be told apart by colour alone (WCAG 1.4.1).
    _run(_props(by_id["Hyperlink"]), color=colors["link"] if theme.value("features", "link_color") else colors["text"],
         underline=True)
    _run(_props(by_id["VerbatimChar"]), font=fonts["mono"], size=body_pt * 0.9)
    names = theme.values["docx"]
    small = body_pt * float(sizes["small"].removesuffix("em"))
    custom = {
        "letter": ("paragraph", "Heading1", {}),
        "term": ("paragraph", "Heading2", {}),
        "section": ("paragraph", "Heading3", {}),
        "seealso_heading": ("paragraph", "Heading3", dict(size=small, color=colors["muted"], caps=True)),
        "tagline": ("paragraph", "BodyText", dict(color=colors["accent"], italic=True, bold=True)),
        "seealso": ("paragraph", "Compact", {}),
        "index_letter": ("paragraph", "BodyText", dict(font=fonts["heading"], color=colors["accent"], bold=True,
                                                       size=body_pt * 1.2)),
        "index_entry": ("paragraph", "Compact", {}),
    }
    # Screen readers and Word's navigation pane find headings by outline level: say it on each.
    outline = {"letter": 0, "term": 1, "section": 2, "seealso_heading": 2}
    for role, (kind, based_on, run) in custom.items():
        style = _style(styles, style_id(names[role]), names[role], based_on, custom=True)
        if role in outline:
            props = etree.SubElement(style, f"{_W}pPr")
            etree.SubElement(props, f"{_W}keepNext")
            etree.SubElement(props, f"{_W}keepLines")
            etree.SubElement(props, f"{_W}outlineLvl", {f"{_W}val": str(outline[role])})
        if run:
            _run(_props(style), **run)
    width = text_width_twips(theme)
    tabs = lambda leader: (f'<w:tabs xmlns:w="{W}"><w:tab w:val="right" w:leader="{leader}" w:pos="{width}"/></w:tabs>')  # noqa: E731
    extra = {
        # Word's built-in names (lower case): Word and LibreOffice use them for headers, footers, TOC.
        "Header": ("header", None, dict(font=fonts["heading"], size=small, color=colors["muted"])),
        "Footer": ("footer", None, dict(font=fonts["heading"], size=small, color=colors["muted"])),
        "TOC1": ("toc 1", '<w:spacing w:before="120" w:after="0"/>', dict(font=fonts["heading"], bold=True)),
        "TOC2": ("toc 2", '<w:spacing w:before="0" w:after="0"/><w:ind w:left="280"/>', {}),
    }
    for sid, (name, spacing, run) in extra.items():
        old = by_id.get(sid)
        if old is not None:
            styles.remove(old)
        style = _style(styles, sid, name, "Normal", custom=False)
        props = etree.SubElement(style, f"{_W}pPr")
        props.append(etree.fromstring(tabs("dot" if sid.startswith("TOC") else "none")))
        if spacing:
            for element in etree.fromstring(f'<x xmlns:w="{W}">{spacing}</x>'):
                props.append(element)
        if run:
            _run(_props(style), **run)
    return etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style(styles: etree._Element, sid: str, name: str, based_on: str, custom: bool) -> etree._Element:
    attrs = {f"{_W}type": "paragraph", f"{_W}styleId": sid}
    if custom:
        attrs[f"{_W}customStyle"] = "1"
    style = etree.SubElement(styles, f"{_W}style", attrs)
    etree.SubElement(style, f"{_W}name", {f"{_W}val": name})
    etree.SubElement(style, f"{_W}basedOn", {f"{_W}val": based_on})
    etree.SubElement(style, f"{_W}qFormat")
    return style


def text_width_twips(theme: Theme) -> int:
    """The width between the margins, where headers, footers and TOC lines put their right tab."""
    page = theme.values["page"]
    width, _ = page_size_mm(page["size"])
    return round((width - length_mm(page["margin_inner"]) - length_mm(page["margin_outer"])) * TWIPS_PER_MM)


def style_id(name: str) -> str:
    """Word's style id for a style name: the name without spaces (``See Also`` → ``SeeAlso``)."""
    return re.sub(r"[^A-Za-z0-9]", "", name)


def _props(style: etree._Element) -> etree._Element:
    props = style.find(f"{_W}rPr")
    return props if props is not None else etree.SubElement(style, f"{_W}rPr")


# Children of w:rPr must keep the schema's order, or Word refuses the file.
_RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def _run(props: etree._Element, font: str | None = None, size: float | None = None, color: str | None = None,
         bold: bool | None = None, italic: bool | None = None, caps: bool | None = None,
         underline: bool | None = None) -> None:
    def put(tag: str, **attrs: str) -> None:
        old = props.find(f"{_W}{tag}")
        if old is not None:
            props.remove(old)
        props.append(etree.Element(f"{_W}{tag}", {f"{_W}{k}": v for k, v in attrs.items()}))

    if font:
        put("rFonts", ascii=font, hAnsi=font, cs=font, eastAsia=font)
    for tag, on in (("b", bold), ("i", italic), ("caps", caps)):
        if on is not None:
            put(tag, val="true" if on else "false")
    if color:
        put("color", val=color.lstrip("#").upper())
    if underline is not None:
        put("u", val="single" if underline else "none")
    if size:
        put("sz", val=str(round(size * 2)))
        put("szCs", val=str(round(size * 2)))
    props[:] = sorted(props, key=lambda el: _RPR_ORDER.index(etree.QName(el).localname))
