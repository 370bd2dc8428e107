"""The generated Word reference document: the theme's style names, page, margins and fonts."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.render.docx.reference import reference_docx, style_id
from publish.theme.theme import Theme, load_theme

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TWIPS_PER_INCH = 1440  # Word's twentieths of a point; 72 pt to the inch


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _parts(theme: Theme, language: str = "de-DE") -> tuple[etree._Element, etree._Element]:
    docx = zipfile.ZipFile(io.BytesIO(reference_docx(theme, language)))
    return etree.fromstring(docx.read("word/styles.xml")), etree.fromstring(docx.read("word/document.xml"))


def _style(styles: etree._Element, style_id_: str) -> etree._Element:
    [style] = styles.xpath("w:style[@w:styleId=$id]", namespaces=NS, id=style_id_)
    return style


def _run_props(element: etree._Element) -> dict[str, dict[str, str]]:
    """rPr children by local name → their attributes by local name."""
    props = element.find("w:rPr", NS) if element.tag != _w("rPr") else element
    if props is None:
        return {}
    return {etree.QName(c).localname: {etree.QName(k).localname: v for k, v in c.attrib.items()} for c in props}


@pytest.fixture
def custom_theme(tmp_path: Path) -> Theme:
    """A theme whose every value differs from the defaults, so nothing can come from elsewhere."""
    folder = tmp_path / "themes" / "probe"
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text('''
[page]
size = "A5 landscape"
margin_top = "1in"
margin_bottom = "2cm"
margin_inner = "30mm"
margin_outer = "15mm"

[fonts]
body = "Libertinus Serif"
heading = "Fira Sans"
mono = "Fira Mono"
size = "12pt"

[sizes]
term = "2em"
section = "1.25em"
small = "0.5em"

[colors]
text = "#112233"
accent = "#445566"
link = "#778899"
muted = "#aabbcc"

[docx]
letter = "Buchstabe"
term = "Stichwort"
section = "Abschnitt Titel"
seealso_heading = "Siehe Auch Titel"
tagline = "Leitsatz"
seealso = "Siehe Auch"
index_letter = "Register Buchstabe"
index_entry = "Register Eintrag"
''', encoding="utf-8")
    return load_theme("probe", themes=tmp_path / "themes")


# --- page ---------------------------------------------------------------------------


def test_default_theme_page_is_a4_with_its_margins_in_twips() -> None:
    _, document = _parts(load_theme("default"))
    [section] = document.findall("w:body/w:sectPr", NS)
    # A4 = 210 × 297 mm = 11906 × 16838 twips (Word's own A4); 22 mm = 1247 twips, 24 mm = 1361.
    assert section.find("w:pgSz", NS).attrib == {_w("w"): "11906", _w("h"): "16838"}
    margins = section.find("w:pgMar", NS)
    assert {k: margins.get(_w(k)) for k in ("top", "bottom", "left", "right")} == \
        {"top": "1247", "bottom": "1361", "left": "1247", "right": "1247"}


def test_page_size_and_margins_come_from_the_theme(custom_theme: Theme) -> None:
    _, document = _parts(custom_theme)
    body = document.find("w:body", NS)
    sections = body.findall("w:sectPr", NS)
    assert len(sections) == 1, "pandoc's own sectPr must be replaced, not kept beside ours"
    assert body[-1] is sections[0], "Word requires the body's sectPr to be its last child"
    # A5 landscape: 210 × 148 mm → 11906 × 8391 twips.
    assert sections[0].find("w:pgSz", NS).attrib == {_w("w"): "11906", _w("h"): "8391"}
    margins = sections[0].find("w:pgMar", NS)
    assert {k: margins.get(_w(k)) for k in ("top", "bottom", "left", "right")} == {
        "top": str(TWIPS_PER_INCH),      # 1 in
        "bottom": "1134",                # 2 cm = 1133.86 twips
        "left": "1701",                  # inner 30 mm = 1700.79 twips
        "right": "850",                  # outer 15 mm = 850.39 twips
    }


def test_the_print_themes_trim_is_the_word_page() -> None:
    _, document = _parts(load_theme("print"))
    # 148 × 210 mm → 8390.55 × 11905.5 twips.
    assert document.find("w:body/w:sectPr/w:pgSz", NS).attrib == {_w("w"): "8391", _w("h"): "11906"}


# --- styles -------------------------------------------------------------------------


def test_style_ids_are_word_style_names_without_spaces() -> None:
    assert style_id("See Also") == "SeeAlso"
    assert style_id("Explanation Heading") == "ExplanationHeading"
    assert style_id("Term") == "Term"


def test_default_theme_style_names_are_present() -> None:
    styles, _ = _parts(load_theme("default"))
    names = {s.find("w:name", NS).get(_w("val")): s.get(_w("styleId")) for s in styles.findall("w:style", NS)}
    expected = {"Letter": "Letter", "Term": "Term", "Explanation Heading": "ExplanationHeading",
                "See Also Heading": "SeeAlsoHeading", "Tagline": "Tagline", "See Also": "SeeAlso",
                "Index Letter": "IndexLetter", "Index Entry": "IndexEntry"}
    assert {name: names.get(name) for name in expected} == expected


def test_style_names_come_from_the_theme_as_paragraph_styles_on_the_right_base(custom_theme: Theme) -> None:
    styles, _ = _parts(custom_theme)
    found = {}
    for name in ("Buchstabe", "Stichwort", "Abschnitt Titel", "Siehe Auch Titel", "Leitsatz", "Siehe Auch",
                 "Register Buchstabe", "Register Eintrag"):
        [style] = styles.xpath("w:style[w:name/@w:val=$name]", namespaces=NS, name=name)
        assert style.get(_w("type")) == "paragraph", name
        assert style.get(_w("styleId")) == name.replace(" ", ""), name
        found[name] = style.find("w:basedOn", NS).get(_w("val"))
    # Letter → Heading 1, term → Heading 2, sections → Heading 3: Word's outline and TOC levels.
    assert found == {"Buchstabe": "Heading1", "Stichwort": "Heading2", "Abschnitt Titel": "Heading3",
                     "Siehe Auch Titel": "Heading3", "Leitsatz": "BodyText", "Siehe Auch": "Compact",
                     "Register Buchstabe": "BodyText", "Register Eintrag": "Compact"}
    # The default names are not added besides the theme's own.
    assert not styles.xpath("w:style[w:name/@w:val='Term' or w:name/@w:val='See Also']", namespaces=NS)


def test_every_style_id_is_unique_and_the_added_styles_base_styles_exist() -> None:
    styles, _ = _parts(load_theme("default"))
    ids = [s.get(_w("styleId")) for s in styles.findall("w:style", NS)]
    assert len(ids) == len(set(ids))
    # (pandoc's own Table style is based on Word's built-in TableNormal, which its file need not define.)
    ours = ("Letter", "Term", "ExplanationHeading", "SeeAlsoHeading", "Tagline", "SeeAlso", "IndexLetter",
            "IndexEntry")
    bases = {_style(styles, name).find("w:basedOn", NS).get(_w("val")) for name in ours}
    assert bases == {"Heading1", "Heading2", "Heading3", "BodyText", "Compact"}
    assert bases <= set(ids), bases - set(ids)


# --- fonts, sizes, colours ------------------------------------------------------------


def test_default_theme_fonts_are_its_noto_families() -> None:
    styles, _ = _parts(load_theme("default"))
    defaults = _run_props(styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS))
    assert defaults["rFonts"]["ascii"] == "Noto Serif"
    assert defaults["sz"]["val"] == "21"  # 10.5 pt in half-points
    assert _run_props(_style(styles, "Heading2"))["rFonts"]["ascii"] == "Noto Sans"
    assert _run_props(_style(styles, "VerbatimChar"))["rFonts"]["ascii"] == "Noto Sans Mono"


def test_fonts_sizes_colours_and_language_come_from_the_theme(custom_theme: Theme) -> None:
    styles, _ = _parts(custom_theme, language="en-GB")
    family = lambda name: {"ascii": name, "hAnsi": name, "cs": name, "eastAsia": name}  # noqa: E731

    defaults = _run_props(styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS))
    assert defaults["rFonts"] == family("Libertinus Serif")
    assert defaults["sz"] == {"val": "24"} and defaults["szCs"] == {"val": "24"}  # 12 pt
    assert defaults["color"] == {"val": "112233"}
    assert defaults["lang"]["val"] == "en-GB"

    heading2 = _run_props(_style(styles, "Heading2"))
    assert heading2["rFonts"] == family("Fira Sans")
    assert heading2["sz"] == {"val": "48"}  # term = 2em of 12 pt
    assert heading2["color"] == {"val": "445566"}
    assert heading2["b"] == {"val": "true"}

    heading3 = _run_props(_style(styles, "Heading3"))
    assert heading3["rFonts"] == family("Fira Sans")
    assert heading3["sz"] == {"val": "30"}  # section = 1.25em of 12 pt
    assert heading3["color"] == {"val": "112233"}

    code = _run_props(_style(styles, "VerbatimChar"))
    assert code["rFonts"] == family("Fira Mono")
    assert code["sz"] == {"val": "22"}  # 0.9 × 12 pt = 10.8 pt → 21.6 half-points

    see_also_heading = _run_props(_style(styles, "SieheAuchTitel"))
    assert see_also_heading["sz"] == {"val": "12"}  # small = 0.5em of 12 pt
    assert see_also_heading["color"] == {"val": "AABBCC"}
    assert see_also_heading["caps"] == {"val": "true"}

    assert _run_props(_style(styles, "RegisterBuchstabe"))["rFonts"] == family("Fira Sans")
    tagline = _run_props(_style(styles, "Leitsatz"))
    assert tagline["color"] == {"val": "445566"} and tagline["i"] == {"val": "true"}


@pytest.mark.parametrize(("link_color", "expected"), [(True, "778899"), (False, "112233")])
def test_hyperlinks_take_the_link_colour_only_when_the_theme_asks(custom_theme: Theme, link_color: bool,
                                                                   expected: str) -> None:
    values = {k: dict(v) for k, v in custom_theme.values.items()}
    values["features"]["link_color"] = link_color
    theme = Theme(custom_theme.name, custom_theme.folder, values, custom_theme.fonts)
    styles, _ = _parts(theme)
    assert _run_props(_style(styles, "Hyperlink"))["color"] == {"val": expected}


# ECMA-376 Part 1, CT_RPr: the order Word insists on (a misordered rPr makes Word refuse the file).
_SCHEMA_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
                 "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
                 "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
                 "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]


def test_run_properties_keep_the_schema_order(custom_theme: Theme) -> None:
    styles, _ = _parts(custom_theme)
    for props in styles.iter(_w("rPr")):
        names = [etree.QName(c).localname for c in props]
        assert names == sorted(names, key=_SCHEMA_ORDER.index), names
