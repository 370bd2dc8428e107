"""Raw HTML from entries, reduced to harmless markup: no scripts, no styles, no outside resources."""
from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "hr", "i", "ins", "kbd", "li", "mark", "ol",
    "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template",
                                  "noscript", "svg", "math", "form", "select", "textarea"})
ALLOWED_ATTRS = frozenset({"class", "title", "lang", "dir", "colspan", "rowspan"})
"""No ids and no hrefs: links and anchors come from Markdown, where the resolver checks them."""
VOID = frozenset({"br", "hr"})


def sanitize_html(fragment: str, xhtml: bool = False) -> str:
    """Keep allowed tags with allowed attributes; drop active content with everything inside it."""
    parser = _Sanitizer(xhtml)
    parser.feed(fragment)
    parser.close()
    return parser.result()


def html_text(fragment: str) -> str:
    """Only the text a reader would see, for formats that cannot show HTML at all."""
    parser = _Sanitizer(xhtml=False)
    parser.feed(fragment)
    parser.close()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", parser.result())).split())


class _Sanitizer(HTMLParser):
    def __init__(self, xhtml: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.xhtml = xhtml
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
            return
        if self.skipping or tag not in ALLOWED_TAGS:
            return
        kept = "".join(f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs
                       if name in ALLOWED_ATTRS)
        if tag in VOID:
            self.out.append(f"<{tag}{kept}{' /' if self.xhtml else ''}>")
            return
        self.out.append(f"<{tag}{kept}>")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID or tag not in DROPPED_WITH_CONTENT:
            self.handle_starttag(tag, attrs)
            if tag not in VOID and tag in ALLOWED_TAGS and not self.skipping:
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag not in self.open:
            return
        while self.open:
            last = self.open.pop()
            self.out.append(f"</{last}>")
            if last == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))
