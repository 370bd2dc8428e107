"""Pandoc header attributes ``## Term {#id .class key=value}`` as a markdown-it core rule."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from .diagnostics_env import report

_TRAILING = re.compile(r"\s*(\{[^{}]*\})\s*$")
_UNCLOSED = re.compile(r"\{\s*[#.][^}]*$")
_ATTR_TOKEN = re.compile(
    r"""\s*(?:\#(?P<id>[^\s{}]+)|\.(?P<cls>[^\s{}.#=]+)|(?P<dash>-)(?=\s|$)"""
    r"""|(?P<key>[\w:.-]+)=(?P<value>"(?:[^"\\]|\\.)*"|'[^']*'|[^\s{}"']+))\s*""")


def header_attrs_plugin(md: MarkdownIt) -> None:
    # Runs on the heading's raw text before inline parsing, so smart quotes and
    # emphasis never see the attribute syntax.
    md.core.ruler.before("inline", "header_attrs", _header_attrs)


def parse_pandoc_attrs(text: str) -> dict[str, str] | None:
    """Parse pandoc's ``{#id .class key=value key="v w" -}``; None if it is not an attribute block.

    Pandoc identifiers may hold dots and non-ASCII letters (``#Leonardo.ai``, ``#KI-Ökosystem``),
    which mdit-py-plugins' djot-style attribute parser rejects.
    """
    if not (text.startswith("{") and text.endswith("}")):
        return None
    attrs: dict[str, str] = {}
    classes: list[str] = []
    body = text[1:-1]
    pos = 0
    while pos < len(body):
        token = _ATTR_TOKEN.match(body, pos)
        if token is None:
            return None
        pos = token.end()
        if token["id"]:
            attrs["id"] = token["id"]
        elif token["cls"]:
            classes.append(token["cls"])
        elif token["dash"]:
            classes.append("unnumbered")
        elif token["key"]:
            value = token["value"]
            if value[:1] in "\"'" and len(value) > 1 and value[-1] == value[0]:
                value = value[1:-1].replace('\\"', '"')
            attrs[token["key"]] = value
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


def _header_attrs(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        match = _TRAILING.search(inline.content)
        attrs = parse_pandoc_attrs(match[1]) if match else None
        if match and attrs is not None:
            inline.content = inline.content[: match.start()]
            for key, value in attrs.items():
                token.attrSet(key, value)
        elif _UNCLOSED.search(inline.content) or match:
            line = token.map[0] if token.map else 0
            col = inline.content.rfind("{") + token.markup.__len__() + 2
            what = "unclosed" if not match else "unreadable"
            report(state.env, "unclosed-attributes", line, col,
                   f"{what} header attributes in {inline.content.strip()!r}; kept as text")
