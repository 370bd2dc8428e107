"""pandoc's DOCX of the book's blocks: one run, or on two free cores a large book's two halves at once, joined."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lxml import etree

from ... import model as m
from ...cores import free_cores
from .join import Parts, join, parse_part
from .pandoc_json import block_json, write_document, write_serialised
from .pandoc_runner import run_pandoc

HALVES_CHARACTERS = 1_500_000
"""Below this much JSON one pandoc run is as quick as two at once and the join (about 120 entries)."""

MATH_WORK = 5_000
"""What pandoc's Word writer spends on a formula (TeX to OMML), in characters of JSON: about
0.6 ms against 0.12 µs a character (300 entries: the half with 290 formulas took a third longer)."""

RUNTIME = ["+RTS", "-O256m", "-RTS"]
"""GHC's old generation starts at 256 MB: pandoc's Word writer spends half its time collecting
garbage by default, a third less so (bench/run.py docx)."""


def pandoc_docx(blocks: list[m.Block], meta: dict[str, Any], toc: list[str], options: list[str],
                env: dict[str, str], folder: Path, jobs: int,
                meanwhile: Callable[[], None] = lambda: None) -> tuple[Parts, etree._Element]:
    """The DOCX's parts as pandoc writes them from ``blocks``, and its ``word/document.xml`` as a
    tree: the title page (``meta``) and the table of contents (``toc``) in the first half;
    ``options`` and ``env`` for every run; ``meanwhile`` runs here while pandoc works."""
    halves = _halves(blocks) if jobs > 1 and free_cores() > 1 else None
    with ThreadPoolExecutor(2) as runs:
        if halves is None:
            source = folder / "book.json"
            with source.open("w", encoding="utf-8") as f:
                write_document(f, blocks, meta)
            whole = runs.submit(_run, source, [*toc, *options], env)
            meanwhile()
            parts = whole.result()
            return parts, parse_part(parts["word/document.xml"])
        first, second = folder / "first.json", folder / "second.json"
        with first.open("w", encoding="utf-8") as f:
            write_serialised(f, halves[0], meta)
        # The second half's JSON is written while pandoc works on the first.
        running = runs.submit(_run, first, [*toc, *options], env)
        with second.open("w", encoding="utf-8") as f:
            write_serialised(f, halves[1], {"lang": meta["lang"]} if "lang" in meta else {})
        rest = runs.submit(_run, second, options, env)
        meanwhile()
        return join(running.result(), rest.result())


def _halves(blocks: list[m.Block]) -> tuple[list[str], list[str]] | None:
    """The blocks as JSON, split before the letter that comes nearest the middle of pandoc's work;
    None for a book too small to pay for two runs."""
    if sum(_is_letter(b) for b in blocks) < 2:
        return None
    texts = [json.dumps(block_json(b)) for b in blocks]
    work = [len(text) + MATH_WORK * text.count('"t": "Math"') for text in texts]
    total = sum(work)
    if total < HALVES_CHARACTERS:
        return None
    before, best, at = 0, total, None
    for n, (block, cost) in enumerate(zip(blocks, work)):
        if n and _is_letter(block) and abs(2 * before - total) < best:
            best, at = abs(2 * before - total), n
        before += cost
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
