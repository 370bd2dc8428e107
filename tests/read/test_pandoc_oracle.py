"""pandoc as the oracle: our reading of every source file equals ``pandoc -f markdown -t json``.

Both ASTs are reduced to the same feature list (headings with levels, paragraphs, list items,
table cells with spans, link targets, math, code) by ``features`` below. Normalisation, each
an intended difference:
- Text is compared as plain text with whitespace collapsed: our Str may hold spaces.
- pandoc's Quoted nodes become the book language's quote characters, which our reader
  writes straight into the text (German „…“ and ‚…‘). Double quotes are then compared as
  ``"``: for a quote without a partner pandoc writes “ (an English opening quote but a German
  closing one), we write „ before a word — the quote characters are tested in test_reader.
- HTML comments are dropped on pandoc's side too (pandoc keeps them as raw HTML; we never
  show them). Raw inline HTML tags are dropped from pandoc's text: we turn ``<sub>`` & co.
  into model nodes, whose text is the same.
- Identifiers are not compared: pandoc makes auto ids per file, we make them per book.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from publish.read.config import SourceConfig
from publish.render.docx.pandoc_runner import run_pandoc
from publish.render.docx.pandoc_json import blocks_json
from publish.read.reader import read_markdown
from publish.read.sources import gather_sources

from tests.conftest import CORPUS, CORPUS_ABSENT, SEEDS

QUOTES = {"DoubleQuote": ("„", "“"), "SingleQuote": ("‚", "‘")}


def _text(inlines: list[dict[str, Any]]) -> str:
    text = re.sub(r"\s+", " ", "".join(_strings(inlines))).strip()
    return re.sub("[„“”]", '"', text)


def _strings(inlines: list[dict[str, Any]]) -> Iterator[str]:
    for node in inlines:
        t, c = node["t"], node.get("c")
        if t == "Str":
            yield c
        elif t in ("Space", "SoftBreak", "LineBreak"):
            yield " "
        elif t == "Code":
            yield c[1]
        elif t == "Math":
            yield c[1]
        elif t == "RawInline":
            continue
        elif t == "Quoted":
            left, right = QUOTES[c[0]["t"]]
            yield left + "".join(_strings(c[1])) + right
        elif t in ("Link", "Image"):
            yield from _strings(c[1])
        elif t == "Span":
            yield from _strings(c[1])
        elif t == "Note":
            continue
        else:
            yield from _strings(c)


def features(blocks: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for block in blocks:
        _block_features(block, out)
    return out


def _inline_features(inlines: list[dict[str, Any]], out: list[tuple[Any, ...]]) -> None:
    for node in inlines:
        t, c = node["t"], node.get("c")
        if t == "Link":
            out.append(("link", c[2][0]))
            _inline_features(c[1], out)
        elif t == "Math":
            out.append(("math", c[0]["t"], c[1].strip()))
        elif t == "Code":
            out.append(("code", c[1]))
        elif t == "Note":
            out.append(("note",))
            for block in c:
                _block_features(block, out)
        elif t == "RawInline" and not c[1].startswith("<"):
            out.append(("raw", c[0], c[1]))
        elif t == "Quoted":
            _inline_features(c[1], out)
        elif t in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "Underline", "SmallCaps"):
            _inline_features(c, out)
        elif t in ("Span", "Image"):
            _inline_features(c[1], out)


def _block_features(block: dict[str, Any], out: list[tuple[Any, ...]]) -> None:
    t, c = block["t"], block.get("c")
    if t in ("Para", "Plain"):
        out.append((t.lower(), _text(c)))
        _inline_features(c, out)
    elif t == "Header":
        out.append(("header", c[0], _text(c[2])))
        _inline_features(c[2], out)
    elif t in ("BulletList", "OrderedList"):
        items = c if t == "BulletList" else c[1]
        start = None if t == "BulletList" else c[0][0]
        out.append((t, start, len(items)))
        for item in items:
            out.append(("item",))
            for b in item:
                _block_features(b, out)
    elif t == "CodeBlock":
        out.append(("codeblock", tuple(c[0][1]), c[1]))
    elif t == "RawBlock":
        if not (c[0] == "html" and c[1].strip().startswith("<!--")):
            out.append(("rawblock", c[0], c[1].strip()))
    elif t in ("BlockQuote",):
        out.append(("blockquote",))
        for b in c:
            _block_features(b, out)
    elif t == "Div":
        out.append(("div", tuple(c[0][1])))
        for b in c[1]:
            _block_features(b, out)
    elif t == "DefinitionList":
        for term, defs in c:
            out.append(("term", _text(term)))
            for d in defs:
                for b in d:
                    _block_features(b, out)
    elif t == "Table":
        caption = [b for b in c[1][1]]
        out.append(("table", len(c[2]), tuple(a[0]["t"] for a in c[2])))
        for b in caption:
            _block_features(b, out)
        sections = [("head", c[3][1])] + [("body", body[3]) for body in c[4]] + [("foot", c[5][1])]
        for name, rows in sections:
            for row in rows:
                out.append(("row", name))
                for cell in row[1]:
                    out.append(("cell", cell[2], cell[3]))
                    for b in cell[4]:
                        _block_features(b, out)
    elif t == "HorizontalRule":
        out.append(("hr",))
    else:
        out.append((t,))


def _sources(folder: Path) -> list[Any]:
    sources, _ = gather_sources(folder, SourceConfig())
    return sources.files


def _cases() -> list[Any]:
    folders = [SEEDS] + ([CORPUS] if CORPUS.is_dir() else [])
    cases = [pytest.param(f, id=f"{f.path.parent.name}/{f.path.name}") for folder in folders for f in _sources(folder)]
    # Without the corpus its cases are one visible skip, not silently fewer cases.
    return cases if CORPUS.is_dir() else cases + [pytest.param(None, id="corpus", marks=pytest.mark.skip(CORPUS_ABSENT))]


@pytest.mark.parametrize("source", _cases())
def test_reader_matches_pandoc(source: Any) -> None:
    ours, _ = read_markdown(source.text, source.path)
    theirs = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], source.text))
    assert features(blocks_json(ours)) == features(theirs["blocks"])


def test_corpus_is_compared(corpus: Path) -> None:
    """The sample corpus really is part of the comparison when ../shared is there."""
    names = {f.path.name for f in _sources(corpus)}
    assert {"ACT-R.md", "Haiku.md", "Learning-Rate.md", "002-ki-lizenz.txt"} <= names
