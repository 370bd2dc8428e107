"""Nesting deeper than a book needs is read flat with a diagnostic, never dropped or recursed into."""
from __future__ import annotations

from typing import TYPE_CHECKING

from markdown_it.token import Token

from ...xml_chars import INVALID_XML, without_invalid_xml
from .diagnostics_env import report

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore

MAX_DEPTH = 32
"""Block nesting levels a book may use: a list level counts two (list and item), a ``>`` or a div one.
Pandoc has no limit; markdown-it (maxNesting 20) silently drops everything after a deeper block."""

MAX_INLINE_DEPTH = 32
"""Nesting levels of emphasis, links and spans inside one paragraph."""

DEPTH_KEY = "publish_depth"
"""In the parse env: the depth the text starts at (a grid table cell is as deep as its table)."""

_REPORTED = "publish_depth_reported"


def depth_limit_plugin(md: MarkdownIt) -> None:
    # markdown-it's own limit must never be reached: past it, it skips the rest of the file.
    md.options["maxNesting"] = MAX_DEPTH + 16
    md.block.ruler.before(md.block.ruler.get_all_rules()[0], "too_deep", _too_deep_block)
    md.core.ruler.push("too_deep_inline", _flatten_deep_inlines)
    md.core.ruler.push("xml_chars", _drop_invalid_xml)


def _too_deep_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Past the limit, each paragraph of the rest of the container becomes plain text, markers and all."""
    if state.level + state.env.get(DEPTH_KEY, 0) < MAX_DEPTH:
        return False
    if silent:
        return True
    line = start_line + 1
    while line < end_line and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        line += 1
    if not state.env.get(_REPORTED):
        state.env[_REPORTED] = True
        report(state.env, "too-deep", start_line, 1,
               f"nested deeper than {MAX_DEPTH} levels; the text from here to the end of the nesting "
               "is kept as plain paragraphs")
    state.push("paragraph_open", "p", 1).map = [start_line, line]
    inline = state.push("inline", "", 0)
    inline.content = state.getLines(start_line, line, state.blkIndent, False).strip()
    inline.map = [start_line, line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line
    return True


def _flatten_deep_inlines(state: StateCore) -> None:
    """A paragraph whose inlines nest too deep (``*****a*****`` a thousand times) keeps its source as text."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        if max(child.level for child in token.children) > MAX_INLINE_DEPTH:
            text = Token("text", "", 0)
            text.content = token.content
            token.children = [text]
            report(state.env, "too-deep", token.map[0] if token.map else 0, 1,
                   f"inline formatting nested deeper than {MAX_INLINE_DEPTH} levels; the paragraph is kept as plain text")


def _drop_invalid_xml(state: StateCore) -> None:
    """Character references (``&#12;``) can still make characters that XML cannot hold."""
    for token in state.tokens:
        for node in [token, *(token.children or ())]:
            if INVALID_XML.search(node.content):
                node.content = without_invalid_xml(node.content)
            for key, value in node.attrs.items():
                if isinstance(value, str) and INVALID_XML.search(value):
                    node.attrs[key] = without_invalid_xml(value)
