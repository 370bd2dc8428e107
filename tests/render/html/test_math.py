"""TeX math to SVG: well-formed, unique ids, baseline depth, sizes, errors."""
from __future__ import annotations

import dataclasses
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from publish import model as m
from publish.render.html.math_svg import MathError, MathSVG, _mark_ids, render_math
from publish.read.reader import read_markdown
from tests.conftest import SEEDS

SVG_NS = "{http://www.w3.org/2000/svg}"
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

GLOSSARY_INLINE = [
    r"\eta",
    r"\theta_{t+1} = \theta_t - \eta \cdot \nabla_\theta J(\theta)",
    r"\mathbf{v} = (v_1, v_2, \dots, v_n)",
    r"\|\mathbf{v}\| = \sqrt{\sum_{i=1}^n v_i^2}",
    r"\cos(\theta) = \frac{\mathbf{a} \cdot \mathbf{b}}{\|\mathbf{a}\| \|\mathbf{b}\|}",
    r"z \sim \mathcal{N}(0, I)",
    r"C \approx 6\,N\,D",
    r"0{,}076",
    r"L(N) \approx (N_c / N)^{\alpha_N}",
]


def _ids(svg: ET.Element) -> list[str]:
    return [e.attrib["id"] for e in svg.iter() if "id" in e.attrib]


def _references(svg: ET.Element) -> list[str]:
    refs = []
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                refs.append(value)
            refs += re.findall(r"url\((#[^)]*)\)", value)
    return refs


def _view_box(svg: ET.Element) -> tuple[float, ...]:
    return tuple(float(v) for v in svg.attrib["viewBox"].split())


@pytest.mark.parametrize("tex", GLOSSARY_INLINE)
def test_glossary_formula_is_a_well_formed_self_contained_svg(tex: str) -> None:
    result = render_math(tex, display=False, ident="f1")
    assert result.svg.startswith("<svg ")
    svg = ET.fromstring(result.svg)
    assert svg.tag == f"{SVG_NS}svg"
    assert not any(e.tag.endswith("script") for e in svg.iter())
    assert all(ref.startswith("#") for ref in _references(svg)), "external reference"
    assert result.width_em > 0 and result.height_em > 0 and result.depth_em >= 0


def test_two_idents_share_no_id_and_references_stay_inside_their_svg() -> None:
    tex = r"x_{t+1} = x_t - \eta \nabla f"
    first = ET.fromstring(render_math(tex, display=False, ident="eq-1").svg)
    second = ET.fromstring(render_math(tex, display=False, ident="eq-2").svg)
    for svg, ident in ((first, "eq-1"), (second, "eq-2")):
        ids = _ids(svg)
        assert ids, "ziamath is expected to define glyph symbols"
        assert len(ids) == len(set(ids))
        assert all(NCNAME.fullmatch(i) and i.startswith(f"{ident}-") for i in ids)
        assert _references(svg)
        assert {ref.removeprefix("#") for ref in _references(svg)} <= set(ids)
    assert not set(_ids(first)) & set(_ids(second))


def test_weasyprint_sees_no_duplicate_anchor(caplog: pytest.LogCaptureFixture) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    svgs = [render_math(r"\alpha_N \approx 0{,}076", display=False, ident=f"m{i}").svg
            for i in range(2)]
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        weasyprint.HTML(string=f"<p>{svgs[0]} und {svgs[1]}</p>").write_pdf()
    assert not [r for r in caplog.records if "Anchor defined twice" in r.getMessage()]


def test_id_rewrite_covers_xlink_and_url_references() -> None:
    # ziamath only writes href today; xlink:href and url(#…) are what other SVG writers use.
    svg = ET.fromstring(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<clipPath id="c"/><use xlink:href="#c" clip-path="url(#c)"/></svg>')
    _mark_ids(svg)
    marked = ET.tostring(svg, encoding="unicode")
    assert marked.count("\ue000c") == 3


def test_size_attributes_are_the_reported_em_values() -> None:
    result = render_math(r"\frac{a}{b}", display=False, ident="s")
    svg = ET.fromstring(result.svg)
    assert svg.attrib["width"] == f"{result.width_em}em"
    assert svg.attrib["height"] == f"{result.height_em}em"
    _, _, width, height = _view_box(svg)
    assert width / height == pytest.approx(result.width_em / result.height_em, rel=1e-3)


def _baseline_depth(result: MathSVG) -> float:
    """Depth in em of the SVG's y = 0 line (ziamath's baseline) below the box's top edge."""
    _, y, _, height = _view_box(ET.fromstring(result.svg))
    return (y + height) / height * result.height_em


@pytest.mark.parametrize("tex", [r"a+b", r"x_{t}", r"\frac{a}{b}", r"-"])
def test_depth_puts_the_svg_baseline_on_the_text_baseline(tex: str) -> None:
    result = render_math(tex, display=False, ident="d")
    assert result.depth_em == pytest.approx(_baseline_depth(result), abs=1e-4)


def test_depth_is_zero_without_descender_and_positive_with_subscript() -> None:
    flat = render_math("a+b", display=False, ident="d")
    subscripted = render_math("x_{t}", display=False, ident="d")
    # a+b only overshoots the baseline (round glyphs, the 0.01 em margin): well under 0.1 em.
    assert 0 <= flat.depth_em < 0.07
    # A TeX subscript sits about 0.15–0.25 em below the baseline.
    assert 0.15 < subscripted.depth_em < 0.35


def test_formula_above_the_baseline_keeps_the_baseline_in_its_box() -> None:
    minus = render_math("-", display=False, ident="d")
    _, y, _, height = _view_box(ET.fromstring(minus.svg))
    assert minus.depth_em == 0 and y + height == pytest.approx(0)
    # The minus sign sits on the math axis, about a quarter em up, not on the baseline.
    assert minus.height_em > 0.2


def test_subscripted_nabla_sits_like_any_subscript() -> None:
    nabla = render_math(r"\nabla_\theta", display=False, ident="n")
    letter = render_math(r"x_\theta", display=False, ident="n")
    assert nabla.depth_em == pytest.approx(letter.depth_em, abs=0.02)


def test_display_fraction_is_larger_than_inline() -> None:
    tex = r"L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}"
    inline = render_math(tex, display=False, ident="i")
    display = render_math(tex, display=True, ident="b")
    assert display.height_em > 1.3 * inline.height_em
    assert display.depth_em > inline.depth_em


@pytest.mark.parametrize(("tex", "says"), [
    (r"\frac{a}{", "'{' without '}'"),
    (r"a}", "'}' without '{'"),
    (r"\unknowncommand", r"\unknowncommand"),
    (r"x^", "super script or subscript"),
    (r"x_1_2", "double subscripts"),
    (r"\frac{a}", "missing an argument"),
    (r"\left( a", "missing right"),
    (r"a & b", "&"),
    (" ", "empty"),
])
def test_broken_tex_raises_math_error(tex: str, says: str) -> None:
    with pytest.raises(MathError, match=re.escape(says)):
        render_math(tex, display=False, ident="e")


@pytest.mark.parametrize("text", ["a < b", "</mtext></math><script>alert(1)</script>"])
def test_markup_characters_in_text_are_typeset_as_text(text: str) -> None:
    # latex2mathml copies \text{…} into its MathML unescaped; the formula must still be typeset,
    # not refused with a reason about a character the author did not write.
    svg = ET.fromstring(render_math(rf"\text{{{text}}} + x", display=False, ident="t").svg)
    names = {element.tag.rpartition("}")[2] for element in svg.iter()}
    assert "script" not in names and names & {"path", "use"}
    assert svg.findtext("{http://www.w3.org/2000/svg}title") == rf"\text{{{text}}} + x"


def test_ident_that_cannot_start_an_xml_id_is_refused() -> None:
    with pytest.raises(ValueError, match="XML id"):
        render_math("x", display=False, ident="1st formula")


def _maths(node: object) -> Iterator[m.Math]:
    if isinstance(node, m.Math):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _maths(item)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from _maths(getattr(node, field.name))


def _book_maths(folder: Path) -> list[m.Math]:
    maths = []
    for path in sorted(folder.glob("*.md")):
        blocks, _ = read_markdown(path.read_text(encoding="utf-8"), path)
        maths += _maths(blocks)
    return maths


def test_every_formula_in_the_seed_book_renders() -> None:
    maths = _book_maths(SEEDS)
    assert any(math.display for math in maths)
    for number, math in enumerate(maths):
        render_math(math.tex, math.display, f"m{number}")


def test_every_formula_in_the_sample_corpus_renders(corpus: Path) -> None:
    maths = _book_maths(corpus)
    assert len(maths) > 20
    for number, math in enumerate(maths):
        render_math(math.tex, math.display, f"m{number}")
