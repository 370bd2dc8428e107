"""Raw HTML from entries keeps its harmless markup and loses everything active or external."""
from __future__ import annotations

from publish.render.html.sanitize import sanitize_html


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
