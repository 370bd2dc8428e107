"""Pandoc's ``smart`` punctuation that markdown-it lacks: dashes, ellipses, unpaired quotes.

markdown-it's own ``replacements`` rule would also turn ``(c)`` into ©, which pandoc does not.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_DASHES = re.compile(r"---|--|\.\.\.")
_REPLACEMENT = {"---": "\u2014", "--": "\u2013", "...": "\u2026"}
_OPENING_QUOTE = re.compile(r'(?:(?<=^)|(?<=[\s(\[{\u2013\u2014/]))"(?=\S)')


def smart_punctuation_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "smart_dashes", _smart_dashes)
    md.core.ruler.after("smartquotes", "unpaired_quotes", _unpaired_quotes)


def _text_tokens(state: StateCore):  # noqa: ANN202 - a generator of markdown-it tokens
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        inside_autolink = 0
        for token in block.children:
            if token.type == "link_open" and token.info == "auto":
                inside_autolink += 1
            elif token.type == "link_close" and inside_autolink:
                inside_autolink -= 1
            elif token.type == "text" and not inside_autolink:
                yield token


def _smart_dashes(state: StateCore) -> None:
    for token in _text_tokens(state):
        token.content = _DASHES.sub(lambda m: _REPLACEMENT[m[0]], token.content)


def _unpaired_quotes(state: StateCore) -> None:
    """A ``"`` smartquotes could not pair: opening quote before a word, closing quote otherwise."""
    quotes = state.md.options["quotes"]
    for token in _text_tokens(state):
        if '"' in token.content:
            text = _OPENING_QUOTE.sub(quotes[0], token.content)
            token.content = text.replace('"', quotes[1])
