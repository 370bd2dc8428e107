"""The HTML writer shared by PDF and EPUB."""
from __future__ import annotations

from pathlib import Path

import pytest

from publish import model as m
from publish.render.html.writer import PAGED, REFLOWABLE, HtmlWriter, Medium
from publish.read.reader import read_markdown


def _writer(medium: Medium = PAGED) -> HtmlWriter:
    return HtmlWriter(href=lambda anchor: f"entry.xhtml#{anchor}", medium=medium)


def _html(markdown: str, medium: Medium = PAGED) -> str:
    blocks, _ = read_markdown(markdown, Path("x.md"))
    return str(_writer(medium).blocks(blocks))


def test_internal_links_use_the_medium_and_external_links_stay() -> None:
    assert _html("[GPU](#GPU) [CC](https://example.org/a?b=1&c=2)") == (
        '<p><a href="entry.xhtml#GPU">GPU</a> <a href="https://example.org/a?b=1&amp;c=2">CC</a></p>')


def test_unresolved_link_is_a_plain_span() -> None:
    span = m.Span(m.Attr("", (m.UNRESOLVED_CLASS,)), (m.Str("Kigo"),))
    assert _writer().visit(span) == '<span class="unresolved">Kigo</span>'


@pytest.mark.parametrize(("markdown", "html"), [
    # A language switch, a direction and a title mean what they say, as pandoc writes them …
    ("[Wort]{lang=en}", '<p><span lang="en">Wort</span></p>'),
    ('[Wort]{dir=rtl title="<b>&</b>"}', '<p><span dir="rtl" title="&lt;b&gt;&amp;&lt;/b&gt;">Wort</span></p>'),
    # … a bad value of them, and any other key, stays inert data.
    ('[Wort]{lang="en onclick" dir=sideways}', '<p><span data-lang="en onclick" data-dir="sideways">Wort</span></p>'),
    ('[Wort]{style="color:red"}', '<p><span data-style="color:red">Wort</span></p>'),
])
def test_key_value_attributes(markdown: str, html: str) -> None:
    assert _html(markdown) == html


def test_the_writer_knows_every_meaningful_attribute() -> None:
    from publish.render.html.writer import _MEANINGFUL
    assert set(_MEANINGFUL) == set(m.MEANINGFUL_ATTRIBUTES)


def test_grid_table_spans_alignment_and_foot() -> None:
    html = _html("+-----+-----+\n| A   | B   |\n+:====+====:+\n| a   | b   |\n+=====+=====+\n| Fuß       |\n+===========+\n")
    assert '<col style="width: 50.0%">' in html
    assert '<thead><tr><th style="text-align: left">A</th><th style="text-align: right">B</th></tr></thead>' in html
    assert '<tfoot><tr><td colspan="2" style="text-align: left">Fuß</td></tr></tfoot>' in html


def test_code_is_escaped_and_raw_html_is_sanitised() -> None:
    html = _html("```python\nif a < b: print('<b>')\n```\n\n```{=html}\n<b>fett</b><script>x()</script>\n```\n")
    assert "<pre class=\"language-python\"><code>if a &lt; b: print('&lt;b&gt;')</code></pre>" in html
    assert html.endswith("<b>fett</b>")


def test_math_goes_through_the_medium_and_xhtml_closes_void_elements() -> None:
    reflowed = _html("a $x^2$ b\\\nc", REFLOWABLE)
    assert reflowed.startswith('<p>a <math xmlns="http://www.w3.org/1998/Math/MathML" alttext="x^2" display="inline">')
    assert reflowed.endswith("</math> b<br />c</p>") and "<msup><mi>x</mi><mn>2</mn></msup>" in reflowed
    paged = _html("a $x^2$ b\\\nc", PAGED)
    assert '<span class="math inline" role="math" aria-label="x^2"' in paged and "<svg" in paged
    assert paged.endswith("</span> b<br>c</p>")


def test_a_node_the_writer_does_not_know_is_named() -> None:
    with pytest.raises(TypeError, match="cannot write a Unknown node"):
        _writer().visit(Unknown())  # type: ignore[arg-type]


class Unknown:
    """A node type no writer has a method for."""


def test_headings_sit_below_the_entry_title() -> None:
    assert _html("## Abschnitt {#a .explanation}") == '<h3 id="a" class="explanation">Abschnitt</h3>'


def test_a_formula_that_cannot_be_typeset_is_shown_as_tex_with_a_diagnostic(tmp_path: Path) -> None:
    from publish.build import load_book
    from publish.render.html.book import BookHtml
    from publish.theme.theme import load_theme

    (tmp_path / "A.md").write_text("## A {#A .term}\n\nKaputt: $\\frac{a}{$ und gut: $x^2$.\n", encoding="utf-8")
    html = BookHtml(load_book(tmp_path).book, load_theme("default"))
    page = html.document("pdf.css.j2", font_url=lambda face: face.path.as_uri())
    assert '<code class="tex">\\frac{a}{</code>' in page and page.count("<svg") == 1
    [diagnostic] = html.diagnostics
    assert (diagnostic.code.value, diagnostic.path.name, diagnostic.line, diagnostic.col) == ("bad-math", "A.md", 3, 10)
    reflowed = BookHtml(load_book(tmp_path).book, load_theme("default"), medium=REFLOWABLE)
    reflowed.context()
    assert [(d.code.value, d.path.name) for d in reflowed.diagnostics] == [("bad-math", "A.md")]


def test_tokens_too_long_for_a_word_get_break_opportunities_on_pages_only() -> None:
    token = "a1" * 50  # 100 characters: a hash, a URL
    paged = _html(f"Wert {token} und `{token}` und Donaudampfschifffahrtsgesellschaftskapitän.")
    assert paged.count("\u200b") == 6 and "\u200b".join([token[:32], token[32:64], token[64:96], token[96:]]) in paged
    assert "Donaudampfschifffahrtsgesellschaftskapitän" in paged  # a long German word still hyphenates
    assert "\u200b" not in _html(f"Wert {token}.", REFLOWABLE)
