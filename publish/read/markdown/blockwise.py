"""Parse Markdown one top-level block at a time, so a long file's tokens are never all alive at once.

``MarkdownIt.parse`` runs its block rules over the whole text and then every core rule over the
whole token stream: for a 20 MB entry that is tens of millions of tokens at once. Here the block
rules run one top-level block at a time (the loop of ``ParserBlock.tokenize`` at level 0) and the
remaining core rules (inline, typography, our plugins) run on a batch of such blocks at a time. Link
references and footnote labels may be defined after their use, so a first pass over the block
rules, keeping no tokens, collects them when the text holds any ``]:``.

Footnotes come after the batch of blocks that makes them, as ``footnote_block`` tokens: each footnote
whose text the batch holds (a ``[^label]:`` definition, keyed by ``label``; an inline
``^[…]``, keyed by ``id``). References to them (``footnote_ref`` tokens) carry the same keys.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_BATCH = 1000
"""Block tokens parsed before the inline rules run on them: small enough to keep memory flat,
large enough that running the core rules per batch costs nothing measurable."""

_SEEN = "publish_footnotes_seen"
"""In the parse env: how many footnotes earlier blocks made (their tokens are gone)."""


def parse_blocks(md: MarkdownIt, text: str, env: dict[str, Any]) -> Iterator[list[Token]]:
    """The tokens of whole top-level blocks in document order, as ``md.parse`` would give them,
    a batch at a time, each batch followed by the footnotes it defines or makes (see the module docstring)."""
    rules = dict(zip(md.core.ruler.get_active_rules(), md.core.ruler.getRules(""), strict=True))
    core = StateCore(text, md, env)
    if "\r" in text or "\0" in text:  # line endings and NUL, as md.parse does; without either,
        rules["normalize"](core)     # it would only copy the text (its pattern matches every "\n")
    if "]:" in core.src:
        _collect_definitions(md, core.src, env)
    for tokens in _top_level(StateBlock(core.src, md, env, [])):
        core.tokens = tokens
        for name, rule in rules.items():
            if name == "footnote_tail":
                _footnotes_of_block(core, rule)
            elif name not in ("normalize", "block"):
                rule(core)
        yield core.tokens
        core.tokens = []


def _top_level(state: StateBlock) -> Iterator[list[Token]]:
    """The loop of markdown-it's ``ParserBlock.tokenize`` at level 0, yielding the tokens of whole
    top-level blocks, about ``_BATCH`` at a time."""
    rules: list[Callable[[StateBlock, int, int, bool], bool]] = state.md.block.ruler.getRules("")
    end = state.lineMax
    line = state.skipEmptyLines(state.line)
    while line < end:
        state.line = line
        if not any(rule(state, line, end, False) for rule in rules) or state.line <= line:
            raise RuntimeError(f"no block rule advanced past line {line + 1}")
        line = state.skipEmptyLines(state.line)
        if len(state.tokens) >= _BATCH or line >= end:
            tokens, state.tokens = state.tokens, []
            yield tokens


def _collect_definitions(md: MarkdownIt, src: str, env: dict[str, Any]) -> None:
    """Run the block rules once, keeping no tokens, for the link references and footnote labels."""
    first: dict[str, Any] = {k: v for k, v in env.items() if k not in ("references", "footnotes")}
    for _ in _top_level(StateBlock(src, md, first, [])):
        pass
    if "references" in first:
        env["references"] = first["references"]
    if "footnotes" in first:
        env["footnotes"] = {"refs": first["footnotes"]["refs"], "list": {}}


def _footnotes_of_block(state: StateCore, tail: Callable[[StateCore], None]) -> None:
    """Run the footnote plugin's tail on one block: only the footnotes this block made or defined.

    The plugin's list of footnotes stays, without their tokens, because new ids are its length."""
    data = state.env.get("footnotes")
    if data is None:
        return
    everything: dict[Any, dict[str, Any]] = data["list"]
    made = [i for i in range(state.env.get(_SEEN, 0), len(everything)) if "tokens" in everything[i]]
    state.env[_SEEN] = len(everything)
    defined = [t.meta["label"] for t in state.tokens if t.type == "footnote_reference_open"]
    if not made and not defined:
        return
    data["list"] = {i: everything[i] for i in made} | {("label", label): {"label": label} for label in defined}
    try:
        tail(state)
    finally:
        data["list"] = everything
    for i in made:
        everything[i] = {}
