"""TeX math rendered to SVG for the PDF (WeasyPrint has no MathML)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache

import ziamath
from ziamath.tex import tex2mml

from .mathml import (MathError, check_known_commands, check_size, check_tex, describe_error, local_name,
                     tex_to_mathml, text_escapes)

# ziamath lays out at `size` pixels per em and writes SVG user units in those pixels, so at
# 100 every length divides by 100 to give em exactly (ziafont rounds to 3 decimals: 1e-5 em).
# A smaller size would also run into ziamath's floor for script glyphs (7.2 px).
_PX_PER_EM = 100.0

# Blank border around the ink, in px, so anti-aliased edges of glyphs that touch the bounding
# box are not clipped by the SVG viewport; 1 px is 0.01 em.
_MARGIN_PX = 1.0

# Stands in for the caller's ident in the cached SVG. ziamath never writes text content into
# the SVG (every glyph becomes a path), so this private-use character cannot occur otherwise.
_IDENT_SLOT = "\ue000"

_XML_ID_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_URL_REF = re.compile(r"url\(#([^)]+)\)")
# TeX's \nabla and \partial are ordinary symbols, but latex2mathml emits them as <mo>, which
# ziamath spaces like a prefix operator ("∇ f") and, when subscripted, drops the subscript
# about 0.2 em too low. ziamath lays out <mn> as an ordinary symbol, as TeX does; without
# mathvariant="normal" it would slant a non-digit <mn>.
_ORDINARY_SYMBOLS = frozenset("∇∂")


@dataclass(frozen=True, slots=True)
class MathSVG:
    svg: str
    """A complete ``<svg>`` element, ready to inline in (X)HTML; no XML declaration."""
    width_em: float
    """Width in em of the surrounding text size."""
    height_em: float
    """Height in em."""
    depth_em: float
    """How far the formula reaches below the text baseline, in em (>= 0): CSS
    ``vertical-align: -{depth}em`` puts the formula's baseline on the text baseline."""


@dataclass(frozen=True, slots=True)
class _Rendered:
    parts: tuple[str, ...]
    """The SVG split where the caller's ident goes."""
    width_em: float
    height_em: float
    depth_em: float


def render_math(tex: str, display: bool, ident: str) -> MathSVG:
    """Render TeX to SVG. ``ident`` is a prefix unique in the document: every id inside the SVG
    (ziamath reuses glyph symbol ids across formulas, which makes WeasyPrint log "Anchor
    defined twice") is rewritten to start with it, and every reference to those ids
    (href="#…", xlink:href="#…", url(#…)) follows. Cached on (tex, display) internally; the id
    rewrite happens per call."""
    if not _XML_ID_PREFIX.fullmatch(ident):
        raise ValueError(f"ident {ident!r} cannot start an XML id")
    rendered = _render_cached(tex, display)
    return MathSVG(
        svg=f"{ident}-".join(rendered.parts),
        width_em=rendered.width_em,
        height_em=rendered.height_em,
        depth_em=rendered.depth_em,
    )


@lru_cache(maxsize=4096)
def _render_cached(tex: str, display: bool) -> _Rendered:
    check_tex(tex)
    mathml = _to_mathml(tex, display)
    check_size(mathml)
    check_known_commands(mathml)
    _mark_ordinary_symbols(mathml)
    svg = _layout(mathml).svgxml()
    width, height, depth = _fit_to_baseline(svg)
    _mark_ids(svg)
    _add_title(svg, tex)
    return _Rendered(
        parts=tuple(ET.tostring(svg, encoding="unicode").split(_IDENT_SLOT)),
        width_em=width,
        height_em=height,
        depth_em=depth,
    )


def _to_mathml(tex: str, display: bool) -> ET.Element:
    # ziamath.Latex is not used: it turns \tag into an equation number right-aligned in a
    # 6.5in column, which would wreck the size of the box.
    try:
        root = ET.fromstring(tex2mml(tex, inline=not display))
    except ET.ParseError:
        # latex2mathml copies text (`\text{a < b}`) into its MathML unescaped; the
        # tree-built MathML of the reflowable formats keeps it as text (without ziamath's tweaks).
        return tex_to_mathml(tex, display)
    except Exception as exc:
        # latex2mathml's errors share no base class and carry their meaning in the class name.
        raise MathError(f"cannot read TeX: {describe_error(exc)}") from exc
    for text in root.iter():
        if local_name(text) == "mtext" and text.text:
            text.text = text_escapes(text.text)
    return root


def _layout(mathml: ET.Element) -> ziamath.Math:
    try:
        return ziamath.Math(mathml, size=_PX_PER_EM, margin=_MARGIN_PX)
    except AssertionError as exc:
        # ziamath checks child counts with bare assertions: `\frac{a}` leaves <mfrac> short.
        raise MathError("cannot read TeX: a command is missing an argument") from exc
    except Exception as exc:
        # Whatever else breaks in ziamath on this input is still one formula the book cannot
        # show, to be reported with its source position rather than end the whole build.
        raise MathError(f"cannot lay out TeX: {exc!r}") from exc


def _mark_ordinary_symbols(mathml: ET.Element) -> None:
    for element in mathml.iter():
        if local_name(element) == "mo" and element.text in _ORDINARY_SYMBOLS:
            element.tag = element.tag.removesuffix("mo") + "mn"
            element.attrib.setdefault("mathvariant", "normal")


def _add_title(svg: ET.Element, tex: str) -> None:
    """The TeX as the SVG's ``<title>``: a tagged PDF takes a figure's alternative text from it
    (WeasyPrint's /Alt), so a screen reader reads the formula's source, not nothing."""
    title = ET.Element(svg.tag.replace("}svg", "}title") if svg.tag.startswith("{") else "title")
    title.text = tex
    svg.insert(0, title)


def _fit_to_baseline(svg: ET.Element) -> tuple[float, float, float]:
    """Size the SVG in em and return (width, height, depth) in em.

    ziamath draws with the baseline at y = 0 and sets the viewBox to the ink plus margin.
    A formula that stays above the baseline (a lone `-` sits on the math axis) would then
    have a negative depth, so the box is stretched down to the baseline, keeping depth >= 0.
    """
    x, y, width, height = (float(v) for v in svg.attrib["viewBox"].split())
    bottom = max(y + height, 0.0)
    height = bottom - y
    svg.attrib["viewBox"] = f"{x:.3f} {y:.3f} {width:.3f} {height:.3f}"
    width_em, height_em, depth_em = (round(v / _PX_PER_EM, 5) for v in (width, height, bottom))
    svg.attrib["width"] = f"{width_em}em"
    svg.attrib["height"] = f"{height_em}em"
    return width_em, height_em, depth_em


def _mark_ids(svg: ET.Element) -> None:
    """Put the ident slot in front of every id and every reference to one."""
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name == "id":
                element.attrib[name] = _IDENT_SLOT + value
            elif name.endswith("href") and value.startswith("#"):
                element.attrib[name] = "#" + _IDENT_SLOT + value[1:]
            elif "url(#" in value:
                element.attrib[name] = _URL_REF.sub(rf"url(#{_IDENT_SLOT}\1)", value)
