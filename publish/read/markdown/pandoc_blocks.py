"""Pandoc's block rules where they differ from CommonMark: lists and headings need a blank line before."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, list_block


def pandoc_blocks_plugin(md: MarkdownIt) -> None:
    # Pandoc's markdown has no lists_without_preceding_blankline and requires
    # blank_before_header: neither may interrupt a paragraph — except that a
    # sublist may follow its item's first line directly, as pandoc allows.
    for rule in md.block.ruler.__rules__:
        if rule.name in ("list", "heading"):
            rule.alt = [alt for alt in rule.alt if alt != "paragraph"]
    md.block.ruler.after("list", "sublist_in_item", _sublist_in_item, {"alt": ["paragraph"]})


def _sublist_in_item(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Only ever asked as a paragraph terminator (silent); the real list rule parses.
    return silent and state.blkIndent > 0 and list_block(state, start_line, end_line, silent)
