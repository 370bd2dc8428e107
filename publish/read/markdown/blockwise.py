"""Parse Markdown one top-level block at a time, so a long file's tokens are never all alive at once.

``MarkdownIt.parse`` runs its block rules over the whole text and then every core rule over the
whole token stream: for a 20 MB entry that is tens of millions of tokens at once. Here the block
rules run one top-level block at a time (the loop of ``ParserBlock.tokenize`` at level 0) and the
remaining core rules (inline, typography, our plugins) run on a batch of such blocks at a time.

A long text is not even given to the block rules whole: markdown-it's ``StateBlock`` keeps five
lists with an entry per line (about twice the text), so the text is cut into windows of about
``_WINDOW`` lines, each cut where a top-level block starts, and each window gets its own state;
the tokens' line numbers are moved back to the whole text's. A first pass over the block rules,
keeping no tokens, finds those starts, and the link references and footnote labels that may be
defined after their use.

Footnotes come after the batch of blocks that makes them, as ``footnote_block`` tokens: each footnote
whose text the batch holds (a ``[^label]:`` definition, keyed by ``label``; an inline
``^[…]``, keyed by ``id``). References to them (``footnote_ref`` tokens) carry the same keys.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .diagnostics_env import ENV_KEY

_BATCH = 1000
"""Block tokens parsed before the inline rules run on them: small enough to keep memory flat,
large enough that running the core rules per batch costs nothing measurable."""

_WINDOW = 4096
"""Lines of text the block rules see at a time (more only when one block is longer)."""

_SEEN = "publish_footnotes_seen"
"""In the parse env: how many footnotes earlier blocks made (their tokens are gone)."""

_DONE = "publish_footnote_done"
"""In the parse env: the record that stands for every footnote of earlier blocks."""

REDEFINED_KEY = "publish_footnotes_redefined"
"""In the parse env: True if a footnote label is defined more than once (the last definition counts)."""


def parse_blocks(md: MarkdownIt, text: str, env: dict[str, Any]) -> Iterator[list[Token]]:
    """The tokens of whole top-level blocks in document order, as ``md.parse`` would give them,
    a batch at a time, each batch followed by the footnotes it defines or makes (see the module
    docstring)."""
    rules = dict(zip(md.core.ruler.get_active_rules(), md.core.ruler.getRules(""), strict=True))
    core = StateCore(text, md, env)
    if "\r" in text or "\0" in text:  # line endings and NUL, as md.parse does; without either,
        rules["normalize"](core)     # it would only copy the text (its pattern matches every "\n")
    long = core.src.count("\n") > _WINDOW
    cuts = _first_pass(md, core.src, env) if "]:" in core.src or long else array("q")
    for tokens in _windows(md, core.src, env, cuts):
        core.tokens = tokens
        for name, rule in rules.items():
            if name == "footnote_tail":
                _footnotes_of_block(core, rule)
            elif name not in ("normalize", "block"):
                rule(core)
        yield core.tokens
        core.tokens = []


def _first_pass(md: MarkdownIt, src: str, env: dict[str, Any]) -> array[int]:
    """Run the block rules once over the whole text, keeping no tokens: store the link references,
    the footnote labels and those defined twice in ``env`` and return where windows start (pairs
    of line and offset: the first top-level block at least ``_WINDOW`` lines after the previous cut)."""
    first: dict[str, Any] = {k: v for k, v in env.items() if k not in ("references", "footnotes")}
    state = StateBlock(src, md, first, [])
    cuts = array("q")
    last = 0
    labels = redefined = 0
    for line in _top_level(state):
        # A label defined again adds no new one to the plugin's table of labels.
        defined = sum(token.type == "footnote_reference_open" for token in state.tokens)
        if defined:
            now = len(first["footnotes"]["refs"])
            redefined |= now - labels < defined
            labels = now
        state.tokens.clear()
        if line - last >= _WINDOW and line < state.lineMax:
            cuts.extend((line, state.bMarks[line]))
            last = line
    if "references" in first:
        env["references"] = first["references"]
    if "footnotes" in first:
        env["footnotes"] = {"refs": first["footnotes"]["refs"], "list": {}}
    env[REDEFINED_KEY] = bool(redefined)
    return cuts


def _windows(md: MarkdownIt, src: str, env: dict[str, Any], cuts: array[int]) -> Iterator[list[Token]]:
    """The tokens of the top-level blocks, about ``_BATCH`` at a time, parsed a window at a time
    (``cuts``: see ``_first_pass``), with line numbers in the whole text."""
    bounds = [(0, 0), *zip(cuts[::2], cuts[1::2])]
    for (first, begin), (_, end) in zip(bounds, [*bounds[1:], (0, len(src))]):
        state = StateBlock(src[begin:end], md, env, [])
        reports: list[Any] = env.setdefault(ENV_KEY, [])
        found = len(reports)
        for _ in _top_level(state):
            if len(state.tokens) >= _BATCH or state.line >= state.lineMax:
                tokens, state.tokens = state.tokens, []
                _move(tokens, reports, found, first)
                yield tokens
                found = len(reports)


def _top_level(state: StateBlock) -> Iterator[int]:
    """The loop of markdown-it's ``ParserBlock.tokenize`` at level 0: after each top-level block,
    the line where the next one starts (``state.lineMax`` after the last)."""
    rules: list[Callable[[StateBlock, int, int, bool], bool]] = state.md.block.ruler.getRules("")
    end = state.lineMax
    line = state.skipEmptyLines(state.line)
    while line < end:
        state.line = line
        if not any(rule(state, line, end, False) for rule in rules) or state.line <= line:
            raise RuntimeError(f"no block rule advanced past line {line + 1}")
        line = state.line = state.skipEmptyLines(state.line)
        yield line


def _move(tokens: list[Token], reports: list[Any], found: int, lines: int) -> None:
    """Number the lines of a window's tokens, and of what its block rules reported since
    ``found``, in the whole text: ``lines`` down."""
    if not lines:
        return
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + lines, token.map[1] + lines]
    reports[found:] = [(code, line + lines, *rest) for code, line, *rest in reports[found:]]


def _footnotes_of_block(state: StateCore, tail: Callable[[StateCore], None]) -> None:
    """Run the footnote plugin's tail on one block: only the footnotes this block made or defined.

    The plugin's list of footnotes stays, because new ids are its length, but each entry becomes
    one shared record: only a later reference to a label still reads it, to count its references
    (``subId``, which the reader does not use)."""
    data = state.env.get("footnotes")
    if data is None:
        return
    everything: dict[Any, dict[str, Any]] = data["list"]
    new = range(state.env.get(_SEEN, 0), len(everything))
    state.env[_SEEN] = len(everything)
    made = [i for i in new if "tokens" in everything[i]]
    defined = [t.meta["label"] for t in state.tokens if t.type == "footnote_reference_open"]
    if made or defined:
        data["list"] = {i: everything[i] for i in made} | {("label", label): {"label": label} for label in defined}
        try:
            tail(state)
        finally:
            data["list"] = everything
    done = state.env.setdefault(_DONE, {"count": 0})
    for i in new:
        everything[i] = done
