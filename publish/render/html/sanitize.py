"""Raw HTML from entries, reduced to harmless, valid markup: no scripts, no styles, no outside resources.

The fragment is parsed into a small tree (HTML's implied end tags for ``li``, ``dt``/``dd``, table
parts and ``p``), then written out again following HTML5's content models for the place it
stands in: a raw block among blocks (flow content), a raw inline inside a paragraph or heading
(phrasing content). Whatever does not fit there is unwrapped — its text stays — and the output is
always balanced, well-formed XML and valid XHTML for EPUBCheck, whatever the input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from typing import Literal

Context = Literal["block", "inline"]
"""Where the fragment stands: between blocks (a RawBlock) or inside a paragraph (a RawInline)."""

PHRASING = frozenset({
    "a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "u", "var",
})
FLOW_ONLY = frozenset({"blockquote", "details", "div", "dl", "figure", "hr", "ol", "p", "pre", "table", "ul"})
PARTS = frozenset({"caption", "dd", "dt", "figcaption", "li", "summary", "tbody", "td", "tfoot", "th", "thead", "tr"})
"""Elements that are only valid inside one particular parent."""
ALLOWED_TAGS = PHRASING | FLOW_ONLY | PARTS
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                                  "svg", "math", "form", "select", "textarea", "applet", "frameset",
                                  "frame", "noembed", "noframes"})
ALLOWED_ATTRS = frozenset({"class", "title", "lang", "dir", "colspan", "rowspan"})
"""No ids and no hrefs: links and anchors come from Markdown, where the resolver checks them."""
VOID = frozenset({"br", "hr"})
_HTML_VOID = VOID | {"area", "base", "col", "embed", "img", "input", "keygen", "link", "meta", "param",
                     "source", "track", "wbr"}
_PHRASING_MODEL = frozenset({"abbr", "b", "cite", "code", "dfn", "em", "i", "kbd", "mark", "p", "pre", "q",
                             "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "u", "var"})
_TRANSPARENT = frozenset({"a", "del", "ins"})
_CLOSES_P = FLOW_ONLY | {"dd", "dt", "figcaption", "li"}
_P_SCOPE = frozenset({"caption", "table", "td", "th"})
_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_MAX_DEPTH = 64
"""Elements nested deeper than this are unwrapped (their text stays): the tree is walked recursively."""
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "table"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl", "table"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl", "table"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table"}) | _SECTIONS),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    **{s: (_SECTIONS | {"tr", "td", "th", "caption"}, frozenset({"table"})) for s in _SECTIONS},
    "caption": (frozenset({"caption"}), frozenset({"table"})),
}
"""Start tag → (open elements it closes, elements that stop the search), as HTML parsers do."""

_BCP47 = re.compile(r"""
    (?: [a-z]{2,3} (?:-[a-z]{3}){0,3} | [a-z]{4} | [a-z]{5,8} )   # language (extlang)
    (?: -[a-z]{4} )?                                             # script
    (?: -(?:[a-z]{2}|[0-9]{3}) )?                                # region
    (?: -(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}) )*                   # variants
    (?: -[0-9a-wyz](?:-[a-z0-9]{2,8})+ )*                        # extensions
    (?: -x(?:-[a-z0-9]{1,8})+ )?                                 # private use
    | x(?:-[a-z0-9]{1,8})+
    | i-[a-z]{2,8} | en-gb-oed | sgn-(?:be-fr|be-nl|ch-de)        # grandfathered
""", re.VERBOSE | re.IGNORECASE)
_SPACE = re.compile(r"[ \t\n\f\r]+")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                      + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
                      + "]")
"""Characters XML forbids or HTML calls errors (controls, surrogates, noncharacters)."""


def sanitize_html(fragment: str, xhtml: bool = False, context: Context = "block") -> str:
    """Keep allowed tags with valid attributes where they may stand; drop active content with its content."""
    root = _parse(fragment)
    if context == "inline":
        # A raw inline may stand inside a link, and an ``a`` without href means nothing: unwrap it.
        nodes = _content(root.children, "phrasing", frozenset({"a"}))
    else:
        nodes = _content(root.children, "flow", frozenset())
    return "".join(_serialise(node, xhtml) for node in nodes)


def html_text(fragment: str) -> str:
    """Only the text a reader would see, for formats that cannot show HTML at all."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", sanitize_html(fragment))).split())


# --- parsing: tokens → a balanced tree ------------------------------------------------

@dataclass(slots=True)
class _Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[_Element | str] = field(default_factory=list)


_Node = _Element | str


def _parse(fragment: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(fragment)
    builder.close()
    return builder.root


class _TreeBuilder(HTMLParser):
    """Allowed elements into a tree; unknown tags vanish (their text stays), active content goes whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("")
        self.stack: list[_Element] = [self.root]
        self.dropping: list[str] = []
        """The dropped elements currently open: until the last one closes, nothing is kept."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.dropping.append(tag)
            return
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        if tag in _CLOSES_P:
            self._close_implied(frozenset({"p"}), _P_SCOPE)
        if tag in _IMPLIED_END:
            self._close_implied(*_IMPLIED_END[tag])
        if len(self.stack) > _MAX_DEPTH and tag not in _HTML_VOID:
            return
        element = _Element(tag, [(name, value or "") for name, value in attrs])
        self.stack[-1].children.append(element)
        if tag not in _HTML_VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # ``<script/>`` has no content to drop; ``<div/>`` is an empty div.
        if tag in DROPPED_WITH_CONTENT or self.dropping or tag not in ALLOWED_TAGS:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _HTML_VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag in self.dropping:
                del self.dropping[len(self.dropping) - 1 - self.dropping[::-1].index(tag):]
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.dropping:
            # Inside <script>/<style> the parser sees a nested start tag as text: count it, so that
            # the inner end tag does not end the drop.
            if self.cdata_elem:
                for match in re.finditer(rf"<{self.cdata_elem}(?=[\s/>])[^>]*?(/?)>", data, re.IGNORECASE):
                    if not match[1]:
                        self.dropping.append(self.cdata_elem)
            return
        children = self.stack[-1].children
        if children and isinstance(children[-1], str):
            children[-1] += data
        else:
            children.append(data)

    def set_cdata_mode(self, elem: str) -> None:
        # Inside a dropped element (``<svg><style>``) only the outer one's end tag matters: reading
        # the inner one as raw text would hide ``</svg>`` and drop everything after it.
        if len(self.dropping) <= 1:
            super().set_cdata_mode(elem)

    def _close_implied(self, closes: frozenset[str], scope: frozenset[str]) -> None:
        found = 0
        for i in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[i].tag
            if tag in scope:
                break
            if tag in closes:
                found = i
        if found:
            del self.stack[found:]


# --- content models: the tree → only what may stand where it stands --------------------

def _content(nodes: list[_Node], model: Literal["flow", "phrasing"], banned: frozenset[str]) -> list[_Node]:
    """Free content (flow or phrasing): elements that may not stand here are unwrapped."""
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.tag not in banned and (node.tag in PHRASING or (model == "flow" and node.tag in FLOW_ONLY)):
            out.extend(_element(node, model, banned))
        else:
            out.extend(_content(node.children, model, banned))
    return out


def _element(node: _Element, model: Literal["flow", "phrasing"], banned: frozenset[str]) -> list[_Node]:
    """One allowed element with its content made valid; a list, as some are unwrapped after all."""
    tag = node.tag
    if tag in VOID:
        return [_Element(tag, node.attrs)]
    if tag in _TRANSPARENT:
        inner = banned | ({"a", "details"} if tag == "a" else set())
        return [_Element(tag, node.attrs, _content(node.children, model, frozenset(inner)))]
    if tag == "dfn":
        banned = banned | {"dfn"}
    if tag in _PHRASING_MODEL:
        return [_Element(tag, node.attrs, _content(node.children, "phrasing", banned))]
    if tag in ("ul", "ol"):
        return [_Element(tag, node.attrs, _parts(node.children, {"li"}, "li", banned))]
    if tag == "dl":
        return [_Element(tag, node.attrs, _definitions(node.children, banned))]
    if tag == "table":
        return _table(node, banned)
    if tag == "details":
        return _details(node, banned)
    if tag == "figure":
        return [_Element(tag, node.attrs, _figure(node.children, banned))]
    return [_Element(tag, node.attrs, _content(node.children, "flow", banned))]  # div, blockquote


def _parts(nodes: list[_Node], allowed: set[str], wrapper: str, banned: frozenset[str]) -> list[_Node]:
    """A container's own children (li in ul …); anything else is wrapped into a new one of them."""
    out: list[_Node] = []
    stray: list[_Node] = []

    def flush() -> None:
        if any(not isinstance(n, str) or n.strip() for n in stray):
            out.extend(_part(_Element(wrapper, [], stray[:]), banned))
        else:
            out.extend(stray)
        stray.clear()

    for node in _flatten_unknown(nodes, allowed):
        if isinstance(node, _Element) and node.tag in allowed:
            flush()
            out.extend(_part(node, banned))
        else:
            stray.append(node)
    flush()
    return out


def _flatten_unknown(nodes: list[_Node], allowed: set[str]) -> list[_Node]:
    """Lift the parts out of elements that may not stand in a container (``<ul><b><li>``)."""
    out: list[_Node] = []
    for node in nodes:
        if isinstance(node, _Element) and node.tag not in allowed and _contains(node, allowed) \
                and node.tag not in FLOW_ONLY:
            out.extend(_flatten_unknown(node.children, allowed))
        else:
            out.append(node)
    return out


def _contains(node: _Element, tags: set[str]) -> bool:
    return any(isinstance(c, _Element) and (c.tag in tags or (c.tag not in FLOW_ONLY and _contains(c, tags)))
               for c in node.children)


def _part(node: _Element, banned: frozenset[str]) -> list[_Node]:
    tag = node.tag
    if tag == "tr":
        return [_Element(tag, node.attrs, _parts(node.children, {"td", "th"}, "td", banned))]
    if tag in _SECTIONS:
        return [_Element(tag, node.attrs, _parts(node.children, {"tr"}, "tr", banned))]
    if tag in ("dt", "li", "dd", "td", "th", "figcaption"):
        return [_Element(tag, node.attrs, _content(node.children, "flow", banned))]
    if tag == "caption":
        return [_Element(tag, node.attrs, _content(node.children, "flow", banned | {"table"}))]
    return [_Element(tag, node.attrs, _content(node.children, "phrasing", banned))]  # summary


def _definitions(nodes: list[_Node], banned: frozenset[str]) -> list[_Node]:
    """``(dt+, dd+)*``: an empty term before a leading dd, an empty definition after a trailing dt."""
    out = _parts(nodes, {"dt", "dd"}, "dd", banned)
    items = [n for n in out if isinstance(n, _Element)]
    if items and items[0].tag == "dd":
        out.insert(out.index(items[0]), _Element("dt"))
    if items and items[-1].tag == "dt":
        out.append(_Element("dd"))
    return out


def _table(node: _Element, banned: frozenset[str]) -> list[_Node]:
    """caption?, thead?, (tbody* | tr+), tfoot?; stray content becomes rows, a table without rows its text."""
    parts = _parts(node.children, {"caption", "thead", "tbody", "tfoot", "tr"}, "tr", banned)
    items = [n for n in parts if isinstance(n, _Element)]
    for i, item in enumerate(items):
        if item.tag == "caption" and i > 0:
            # A caption after rows: its content becomes a row of its own.
            item.tag, item.children = "tr", [_Element("td", [], item.children)]
            item.attrs = []
        elif item.tag == "thead" and any(x.tag != "caption" for x in items[:i]):
            item.tag = "tbody"
        elif item.tag == "tfoot" and i != len(items) - 1:
            item.tag = "tbody"
    if not any(item.tag == "tr" or any(isinstance(r, _Element) for r in item.children)
               for item in items if item.tag != "caption"):
        return [child for item in items if item.tag == "caption" for child in item.children]
    if any(item.tag == "tbody" for item in items):
        # tbody and bare rows may not mix: bare runs of rows get a tbody of their own.
        grouped: list[_Node] = []
        body: _Element | None = None
        for n in parts:
            if isinstance(n, _Element) and n.tag == "tr":
                if body is None:
                    body = _Element("tbody")
                    grouped.append(body)
                body.children.append(n)
            else:
                if isinstance(n, _Element):
                    body = None
                grouped.append(n)
        parts = grouped
    return [_Element("table", node.attrs, parts)]


def _details(node: _Element, banned: frozenset[str]) -> list[_Node]:
    """summary first, then flow content; without a summary it is a plain div."""
    first = next((n for n in node.children if not isinstance(n, str) or n.strip()), None)
    if not (isinstance(first, _Element) and first.tag == "summary"):
        return [_Element("div", node.attrs, _content(node.children, "flow", banned))]
    index = node.children.index(first)
    rest = _content(node.children[index + 1:], "flow", banned)
    return [_Element("details", node.attrs, [*node.children[:index], *_part(first, banned), *rest])]


def _figure(nodes: list[_Node], banned: frozenset[str]) -> list[_Node]:
    """At most one figcaption, and only as the first or the last child."""
    significant = [i for i, n in enumerate(nodes) if not isinstance(n, str) or n.strip()]
    keep = None
    for i in (significant[:1] + significant[-1:]):
        if isinstance(nodes[i], _Element) and nodes[i].tag == "figcaption":
            keep = i
            break
    out: list[_Node] = []
    for i, n in enumerate(nodes):
        if i == keep:
            out.extend(_part(n, banned))  # type: ignore[arg-type]
        else:
            out.extend(_content([n], "flow", banned))
    return out


# --- serialising ------------------------------------------------------------------------

def _serialise(node: _Node, xhtml: bool) -> str:
    if isinstance(node, str):
        return escape(_NOT_XML.sub("", node), quote=False)
    attrs = "".join(f' {name}="{escape(value, quote=True)}"' for name, value in _valid_attrs(node.tag, node.attrs))
    if node.tag in VOID:
        return f"<{node.tag}{attrs}{' /' if xhtml else ''}>"
    inner = "".join(_serialise(child, xhtml) for child in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def _valid_attrs(tag: str, attrs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Allowed names, each once (the first wins, as in HTML), with values valid for them."""
    out: dict[str, str] = {}
    for name, raw in attrs:
        name = name.lower()
        if name in out or name not in ALLOWED_ATTRS:
            continue
        value = _valid_value(tag, name, _NOT_XML.sub("", raw))
        if value is not None:
            out[name] = value
    return list(out.items())


def _valid_value(tag: str, name: str, value: str) -> str | None:
    if name == "class":
        return " ".join(_SPACE.split(value.strip(" \t\n\f\r"))) or None
    if name == "title":
        return value
    if name == "dir":
        value = value.strip().lower()
        return value if value in ("ltr", "rtl", "auto") else None
    if name == "lang":
        value = value.strip()
        return value if _BCP47.fullmatch(value) else None
    # colspan, rowspan: table cells only, a positive integer HTML parsers do not clamp.
    value = value.strip()
    if tag in ("td", "th") and value.isascii() and value.isdigit() and 1 <= int(value) <= 1000:
        return str(int(value))
    return None
