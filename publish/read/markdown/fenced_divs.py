"""Pandoc fenced divs ``::: {.class}`` … ``:::``, nested by counting fences."""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from .header_attrs import parse_pandoc_attrs

_OPEN = re.compile(r"^:{3,}\s*(\{[^{}]*\}|[^\s{}:]+)\s*:*\s*$")
_CLOSE = re.compile(r"^:{3,}\s*$")


def fenced_div_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "fenced_div", _fenced_div,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]: state.eMarks[line]]


def _fenced_div(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    opening = _OPEN.match(_line(state, start_line))
    if not opening:
        return False
    spec = opening[1]
    attrs = parse_pandoc_attrs(spec) if spec.startswith("{") else {"class": spec}
    if attrs is None:
        return False
    if silent:
        return True
    depth, line = 1, start_line + 1
    while line < end_line:
        if state.sCount[line] < state.blkIndent and state.bMarks[line] + state.tShift[line] < state.eMarks[line]:
            break
        text = _line(state, line)
        if _OPEN.match(text):
            depth += 1
        elif _CLOSE.match(text):
            depth -= 1
            if depth == 0:
                break
        line += 1
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "fenced_div"  # type: ignore[assignment]
    state.lineMax = line
    token = state.push("div_open", "div", 1)
    token.block, token.map = True, [start_line, line]
    for key, value in attrs.items():
        token.attrSet(key, value)
    state.md.block.tokenize(state, start_line + 1, line)
    state.push("div_close", "div", -1).block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = line + 1 if line < end_line else line
    return True
