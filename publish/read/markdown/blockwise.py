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
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, islice
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .diagnostics_env import ENV_KEY

_BATCH = 250
"""Block tokens parsed before the inline rules run on them: small enough to keep memory flat
(with 1000, a batch's inline tokens were half a dense text's size at the reading's peak), large
enough that running the core rules per batch costs nothing measurable."""

_WINDOW = 4096
"""Lines of text the block rules see at a time (more only when one block is longer)."""

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
    the footnote labels and whether one is defined twice in ``env`` and return where windows start
    (pairs of line and offset: the first top-level block at least ``_WINDOW`` lines after the
    previous cut).

    This pass too reads a window of lines at a time (the whole text's line tables, with a number
    object for each line's start and end, would leave memory behind that the model cannot use):
    a window ends after the last block it holds whole, and the next begins where that block ends."""
    first: dict[str, Any] = {k: v for k, v in env.items() if k not in ("references", "footnotes")}
    cuts = array("q")
    line = offset = last = 0  # where the window starts in the whole text; the last cut
    labels = redefined = 0
    size = 2 * _WINDOW
    while True:
        end = _after_lines(src, offset, size)
        state = StateBlock(src[offset:end], md, first, [])
        start, whole, kept = state.skipEmptyLines(0), 0, _sizes(first)
        for after in _top_level(state):
            if after >= state.lineMax and end < len(src):  # the window may have cut the block short
                _forget_since(first, kept)
                break
            # A label defined again adds no new one to the plugin's table of labels.
            defined = sum(token.type == "footnote_reference_open" for token in state.tokens)
            if defined:
                now = len(first["footnotes"]["refs"])
                redefined |= now - labels < defined
                labels = now
            state.tokens.clear()
            start, whole, kept = after, whole + 1, _sizes(first)
            if line + after - last >= _WINDOW and after < state.lineMax:
                cuts.extend((line + after, offset + state.bMarks[after]))
                last = line + after
        else:
            break
        size = 2 * _WINDOW if whole else 2 * size
        line, offset = line + start, offset + state.bMarks[start]
    if "references" in first:
        env["references"] = first["references"]
    if "footnotes" in first:
        env["footnotes"] = {"refs": _Labels(first["footnotes"]["refs"]), "list": {}}
    env[REDEFINED_KEY] = bool(redefined)
    return cuts


def _after_lines(src: str, offset: int, lines: int) -> int:
    """Where the text after ``lines`` lines from ``offset`` begins (its end if it has fewer)."""
    for _ in range(lines):
        offset = src.find("\n", offset) + 1
        if not offset:
            return len(src)
    return offset


def _sizes(env: dict[str, Any]) -> tuple[int | None, int | None]:
    """How many link references and footnote labels ``env`` holds (None: no table yet)."""
    references, footnotes = env.get("references"), env.get("footnotes")
    return (None if references is None else len(references),
            None if footnotes is None else len(footnotes["refs"]))


def _forget_since(env: dict[str, Any], sizes: tuple[int | None, int | None]) -> None:
    """Take out of ``env`` the link references and footnote labels stored since it held ``sizes``
    (the tables keep their keys in the order they were stored)."""
    for name, size in zip(("references", "footnotes"), sizes):
        if name in env and size is None:
            del env[name]
        elif name in env:
            table = env[name] if name == "references" else env[name]["refs"]
            for key in list(islice(reversed(table), len(table) - size)):
                del table[key]


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
    """Run the footnote plugin's tail on one batch of blocks: only the footnotes it made or defined.

    Then the plugin's list of footnotes starts again, empty but counting on (see ``_Footnotes``),
    so that a long file's footnotes leave no record each behind."""
    data = state.env.get("footnotes")
    if data is None:
        return
    made: dict[Any, dict[str, Any]] = {i: note for i, note in data["list"].items() if "tokens" in note}
    defined = [t.meta["label"] for t in state.tokens if t.type == "footnote_reference_open"]
    count = len(data["list"])
    if made or defined:
        data["list"] = made | {("label", label): {"label": label} for label in defined}
        tail(state)
    data["list"] = _Footnotes(count)


class _Footnotes(dict):  # type: ignore[type-arg]
    """The footnote plugin's list of footnotes (number → record) for one batch of blocks: its
    length, which gives a new footnote its number, counts the ``earlier`` footnotes too. No one
    asks for an earlier one: a reference to a label is always its first (see ``_Labels``)."""

    def __init__(self, earlier: int) -> None:
        super().__init__()
        self.earlier = earlier

    def __len__(self) -> int:
        return self.earlier + super().__len__()


class _Labels:
    """The footnote plugin's table of labels (``":" + label`` → the number of its footnote) once
    the first pass has read every definition: only whether a label is defined, the labels sorted
    in one string (a dictionary of them held about ten times as much for a file of short notes).

    Each reference counts as its label's first (``get`` gives the default): the reader keys
    footnotes by label, not by the plugin's numbers, and new numbers are read by no one."""

    def __init__(self, labels: Iterable[str]) -> None:
        ordered = sorted(labels)
        self._text = "".join(ordered)
        self._starts = array("Q", accumulate(map(len, ordered), initial=0))

    def _label(self, number: int) -> str:
        return self._text[self._starts[number]:self._starts[number + 1]]

    def __contains__(self, key: object) -> bool:
        count = len(self._starts) - 1
        at = bisect_left(range(count), key, key=self._label)
        return at < count and self._label(at) == key

    def __bool__(self) -> bool:
        return len(self._starts) > 1

    def __setitem__(self, key: str, value: int) -> None:
        """The plugin notes a definition (every one is known) or a footnote's number (not kept)."""

    def get(self, key: str, default: int) -> int:
        return default
