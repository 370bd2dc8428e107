"""TeX → MathML for reflowable media: built as a tree, only presentation MathML, errors reported."""
from __future__ import annotations

import pytest
from lxml import etree

from publish.render.html.mathml import MATHML, MathError, mathml

HOSTILE = [
    r"\text{</mtext></mrow></math><script>alert(document.domain)</script><math><mrow><mtext>}",
    r"\href{javascript:alert(1)}{x}",
    r"\mathrm{a & b}",
    r"\text{&lt;script&gt;alert(1)&lt;/script&gt;}",
    r"\mathbin{\style{color:red}{x}}",
    r"\color{red}{x} \mathrm{\&\#60;}",
]


@pytest.mark.parametrize("tex", HOSTILE)
def test_author_tex_stays_text_inside_well_formed_mathml(tex: str) -> None:
    try:
        markup = mathml(tex, display=False)
    except MathError:
        return  # refused as bad TeX: the writer shows it as escaped code instead
    root = etree.fromstring(markup)  # well-formed XML, or this raises
    assert root.tag == f"{{{MATHML}}}math" and root.get("alttext") == tex
    names = {etree.QName(e).localname for e in root.iter()}
    assert "script" not in names and all(etree.QName(e).namespace == MATHML for e in root.iter())
    attributes = {name for e in root.iter() for name in e.attrib}
    assert attributes <= {"alttext", "display", "mathvariant", "stretchy", "width", "fence", "separator",
                          "accent", "movablelimits", "lspace", "rspace"}, attributes


def test_script_text_is_text() -> None:
    root = etree.fromstring(mathml(HOSTILE[0], display=False))
    assert "<script>alert(document.domain)</script>" in "".join(root.itertext())


def test_characters_become_characters_not_entity_text() -> None:
    root = etree.fromstring(mathml(r"a \leq b", display=True))
    assert [e.text for e in root.iter(f"{{{MATHML}}}mo")] == ["≤"] and root.get("display") == "block"


@pytest.mark.parametrize(("tex", "says"), [
    (r"\frac{a}{", "'{' without '}'"),
    ("x^", "missing super script or subscript"),
    (r"\unknowncommand{x}", r"unknown TeX command \unknowncommand"),
    ("  ", "empty formula"),
    (r"a & b", "'&' outside an environment"),
    ("{" * 5000 + "x" + "}" * 5000, "cannot read TeX"),
])
def test_bad_tex_is_a_math_error(tex: str, says: str) -> None:
    with pytest.raises(MathError, match=r".*" + __import__("re").escape(says)):
        mathml(tex, display=False)



def test_an_ampersand_inside_an_environment_aligns_and_an_escaped_one_is_text() -> None:
    matrix = etree.fromstring(mathml(r"\begin{matrix} a & b \\ c & d \end{matrix}", display=True))
    assert len(matrix.findall(f".//{{{MATHML}}}mtd")) == 4
    escaped = etree.fromstring(mathml(r"\text{Daten \& Modelle}", display=False))
    assert "".join(escaped.itertext()).replace("\xa0", " ") == "Daten & Modelle"


def test_a_formula_of_more_than_so_many_elements_is_not_typeset() -> None:
    """A 200 × 200 matrix took 69 s of PDF layout: past ``MAX_ELEMENTS`` MathML elements a formula is
    a MathError in every format (shown as its TeX), a 30 × 30 matrix still typesets."""
    from publish.render.html import math_svg
    from publish.render.html.mathml import MAX_ELEMENTS

    def matrix(n: int) -> str:
        return "\\begin{matrix}" + "\\\\".join(["&".join(["a"] * n)] * n) + "\\end{matrix}"

    assert mathml(matrix(30), False).count("<mi>") == 900
    math_svg.render_math(matrix(30), False, "m1")
    for render in (lambda tex: mathml(tex, False), lambda tex: math_svg.render_math(tex, False, "m2")):
        with pytest.raises(MathError, match=f"too large to typeset .* at most {MAX_ELEMENTS:,}"):
            render(matrix(60))
