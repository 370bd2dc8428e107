"""The HTML writer shared by PDF and EPUB."""
from __future__ import annotations

from pathlib import Path

from publish import model as m
from publish.render.html.writer import HtmlWriter
from publish.read.reader import read_markdown


def _writer(**kwargs: object) -> HtmlWriter:
    return HtmlWriter(href=lambda anchor: f"entry.xhtml#{anchor}", math=lambda node: f"[{node.tex}]", **kwargs)


def _html(markdown: str, **kwargs: object) -> str:
    blocks, _ = read_markdown(markdown, Path("x.md"))
    return str(_writer(**kwargs).blocks(blocks))


def test_internal_links_use_the_medium_and_external_links_stay() -> None:
    assert _html("[GPU](#GPU) [CC](https://example.org/a?b=1&c=2)") == (
        '<p><a href="entry.xhtml#GPU">GPU</a> <a href="https://example.org/a?b=1&amp;c=2">CC</a></p>')


def test_unresolved_link_is_a_plain_span() -> None:
    span = m.Span(m.Attr("", (m.UNRESOLVED_CLASS,)), (m.Str("Kigo"),))
    assert _writer().inline(span) == '<span class="unresolved">Kigo</span>'


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
    assert _html("a $x^2$ b\\\nc", xhtml=True) == "<p>a [x^2] b<br />c</p>"


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
    assert (diagnostic.code.value, diagnostic.path.name, diagnostic.line) == ("bad-math", "A.md", 1)
