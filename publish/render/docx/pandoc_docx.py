"""pandoc's DOCX of the book's blocks: one run, or on two free cores a large book's two halves at once, joined."""
from __future__ import annotations

import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ... import model as m
from ...cores import free_cores
from .join import Parts, join
from .pandoc_json import block_json, write_document, write_serialised
from .pandoc_runner import run_pandoc

HALVES_CHARACTERS = 1_500_000
"""Below this much JSON one pandoc run is as quick as two at once and the join (about 120 entries)."""

RUNTIME = ["+RTS", "-O256m", "-RTS"]
"""GHC's old generation starts at 256 MB: pandoc's Word writer spends half its time collecting
garbage by default, a third less so (bench/run.py docx)."""


def pandoc_docx(blocks: list[m.Block], meta: dict[str, Any], toc: list[str], options: list[str],
                env: dict[str, str], folder: Path, jobs: int) -> Parts:
    """The DOCX's parts as pandoc writes them from ``blocks``: the title page (``meta``) and the
    table of contents (``toc``) in the first half; ``options`` and ``env`` for every run."""
    halves = _halves(blocks) if jobs > 1 and free_cores() > 1 else None
    if halves is None:
        source = folder / "book.json"
        with source.open("w", encoding="utf-8") as f:
            write_document(f, blocks, meta)
        return _run(source, [*toc, *options], env)
    first, second = folder / "first.json", folder / "second.json"
    with ThreadPoolExecutor(1) as spare:
        # The second half's JSON is written while pandoc works on the first.
        with first.open("w", encoding="utf-8") as f:
            write_serialised(f, halves[0], meta)
        running = spare.submit(_run, first, [*toc, *options], env)
        with second.open("w", encoding="utf-8") as f:
            write_serialised(f, halves[1], {"lang": meta["lang"]} if "lang" in meta else {})
        parts = _run(second, options, env)
        return join(running.result(), parts)


def _halves(blocks: list[m.Block]) -> tuple[list[str], list[str]] | None:
    """The blocks as JSON, split before the letter that comes nearest the middle; None for a book
    too small to pay for two runs."""
    if sum(_is_letter(b) for b in blocks) < 2:
        return None
    texts = [json.dumps(block_json(b)) for b in blocks]
    total = sum(map(len, texts))
    if total < HALVES_CHARACTERS:
        return None
    before, best, at = 0, total, None
    for n, (block, text) in enumerate(zip(blocks, texts)):
        if n and _is_letter(block) and abs(2 * before - total) < best:
            best, at = abs(2 * before - total), n
        before += len(text)
    return (texts[:at], texts[at:]) if at else None


def _is_letter(block: m.Block) -> bool:
    return isinstance(block, m.Header) and block.level == 1 and m.LETTER_CLASS in block.attr.classes


def _run(source: Path, options: list[str], env: dict[str, str]) -> Parts:
    target = source.with_suffix(".docx")
    run_pandoc([*RUNTIME, "-f", "json", "-t", "docx", *options, "-o", str(target), str(source)], env=env)
    return _read_parts(target.read_bytes())


def _read_parts(data: bytes) -> Parts:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
