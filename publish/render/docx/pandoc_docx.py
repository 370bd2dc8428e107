"""pandoc's DOCX of the book's blocks, written in pieces of bounded size (two at once on two free
cores) and joined in order: pandoc's memory grows with its input, a piece's stays small."""
from __future__ import annotations

import enum
import io
import json
import math
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from ... import model as m
from ...cores import free_cores
from ...tree import walk
from .join import Joined, Parts, Piece, join
from .pandoc_json import block_json, write_serialised
from .pandoc_runner import run_pandoc

PIECE_WORK = 4_000_000
"""At most about this much of pandoc's work (characters of JSON) in one run. pandoc's Word writer
needs about 90 MB and 50–70 more for each MB of JSON (4 MB: 290–430 MB; 12 MB, one 2 MB entry
written whole: 840 MB); each run costs about 0.1 s more than its share of one run (a 300-entry
book, 8 MB: two pieces, as quick as before it was cut)."""

LONG_BOOK = 16_000_000
"""Beyond this much JSON (twice a 300-entry book) pieces are of ``LONG_PIECE_WORK``: memory
rather than the runs' cost decides."""

LONG_PIECE_WORK = 1_500_000
"""About 200 MB for each pandoc run, whatever the book's length (one 20 MB entry: 120 MB of JSON)."""

HALVES_CHARACTERS = 1_500_000
"""From this much JSON two runs at once (on two free cores) are quicker than one, the join included."""

MATH_WORK = 5_000
"""What pandoc's Word writer spends on a formula (TeX to OMML), in characters of JSON: about
0.6 ms against 0.12 µs a character (300 entries: the half with 290 formulas took a third longer)."""

RUNTIME = ["+RTS", "-O256m", "-RTS"]
"""GHC's old generation starts at 256 MB: pandoc's Word writer spends half its time collecting
garbage by default, a third less so (bench/run.py docx)."""


class Cut(enum.Enum):
    """Whether a piece may start at a block, so that pandoc writes it as it would in one run."""

    NEVER = enum.auto()
    CLEAN = enum.auto()
    RESTYLE = enum.auto()
    """Only with its first paragraph restyled (``Piece.restyle``)."""


@dataclass(frozen=True, slots=True)
class Span:
    """One top-level block in the file of the book's blocks as JSON."""

    start: int
    end: int
    work: int
    cut: Cut


def pandoc_docx(blocks: list[m.Block], meta: dict[str, Any], toc: list[str], options: list[str],
                env: dict[str, str], folder: Path, jobs: int, finish: Callable[[etree._Element, bool], None],
                meanwhile: Callable[[], None] = lambda: None) -> Joined:
    """The DOCX's parts as pandoc writes them from ``blocks``, joined (``join.join``, which gives
    ``finish`` each piece's document): the title page (``meta``) and the table of contents
    (``toc``) in the first piece; ``options`` and ``env`` for every run; ``meanwhile`` runs
    here while pandoc works on the first pieces."""
    workers = 2 if jobs > 1 and free_cores() > 1 else 1
    source = folder / "blocks.json"
    spans = write_blocks(blocks, source)
    pieces = cut(spans, workers)
    others = {"lang": meta["lang"]} if "lang" in meta else {}

    def results(runs: ThreadPoolExecutor) -> Iterator[Piece]:
        running: deque[Future[Parts]] = deque()
        with source.open("rb") as text:
            def start(n: int) -> None:
                first, end = pieces[n], pieces[n + 1] if n + 1 < len(pieces) else len(spans)
                text.seek(spans[first].start)
                target = folder / f"piece-{n}.json"
                with target.open("w", encoding="utf-8") as f:
                    write_serialised(f, [text.read(spans[end - 1].end - spans[first].start).decode("utf-8")],
                                     meta if n == 0 else others)
                running.append(runs.submit(_run, target, [*toc, *options] if n == 0 else options, env))

            for n in range(min(workers, len(pieces))):
                start(n)
            meanwhile()
            for n, first in enumerate(pieces):
                parts = running.popleft().result()
                if n + workers < len(pieces):
                    start(n + workers)
                yield Piece(parts, restyle=spans[first].cut is Cut.RESTYLE and n > 0)

    with ThreadPoolExecutor(workers) as runs:
        return join(results(runs), finish)


def write_blocks(blocks: list[m.Block], target: Path) -> list[Span]:
    """Every top-level block's JSON into ``target``, one after the other with ``, `` between; where
    each is, what pandoc spends on it and whether a piece may start at it."""
    spans: list[Span] = []
    previous: m.Block | None = None
    at = 0
    with target.open("wb") as out:
        for block in blocks:
            data = (", " * bool(spans) + json.dumps(block_json(block))).encode("utf-8")
            out.write(data)
            start = at + 2 * bool(spans)
            at += len(data)
            work = len(data) + MATH_WORK * data.count(b'"t": "Math"')
            spans.append(Span(start, at, work, _cut_before(previous, block)))
            previous = block
    return spans


def _cut_before(previous: m.Block | None, block: m.Block) -> Cut:
    if previous is None or isinstance(previous, m.Header):
        return Cut.NEVER  # a heading keeps its first block
    if isinstance(block, m.Header):
        # A letter or the index ends the section before it: that paragraph must be in its piece.
        return Cut.NEVER if block.level == 1 else Cut.CLEAN
    if isinstance(block, (m.Para, m.Plain, m.Div)):
        # pandoc styles a paragraph by what came before it: a first paragraph after a heading, a
        # list, a displayed formula or at the start, body text after a paragraph of text.
        return Cut.RESTYLE if isinstance(block, m.Para) and _is_text(previous) else Cut.NEVER
    return Cut.CLEAN


def _is_text(block: m.Block) -> bool:
    """A paragraph of text: no displayed formula, no picture (pandoc's figures and formulas
    start their own styling)."""
    return isinstance(block, m.Para) and not any(
        isinstance(node, m.Image) or (isinstance(node, m.Math) and node.display) for node in walk(block.content))


def cut(spans: list[Span], workers: int) -> list[int]:
    """Where each piece starts: pieces of at most about ``PIECE_WORK`` (``LONG_PIECE_WORK`` in a
    long book), as many as the workers or
    a multiple (for a book from ``HALVES_CHARACTERS`` on), each after its share of the work at
    the first block a piece may start at (one needing a restyle only a quarter share later)."""
    total = sum(span.work for span in spans)
    count = math.ceil(total / (PIECE_WORK if total <= LONG_BOOK else LONG_PIECE_WORK))
    if workers > 1 and total >= HALVES_CHARACTERS:
        count = workers * math.ceil(count / workers)
    share = total / max(count, 1)
    starts, before = [0], 0
    for n, span in enumerate(spans):
        due = share * len(starts)
        if len(starts) < count and before >= due and (
                span.cut is Cut.CLEAN or (span.cut is Cut.RESTYLE and before >= due + share / 4)):
            starts.append(n)
        before += span.work
    return starts


def _run(source: Path, options: list[str], env: dict[str, str]) -> Parts:
    target = source.with_suffix(".docx")
    run_pandoc([*RUNTIME, "-f", "json", "-t", "docx", *options, "-o", str(target), str(source)], env=env)
    parts = _read_parts(target.read_bytes())
    source.unlink()
    target.unlink()
    return parts


def _read_parts(data: bytes) -> Parts:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
