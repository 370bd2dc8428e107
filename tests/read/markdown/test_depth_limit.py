"""Deep nesting: kept up to what books need, read flat past it with too-deep, never lost, never a traceback."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish import model as m
from publish.diagnostics import Code
from publish.read.reader import read_markdown


def _list(depth: int) -> str:
    return "".join("  " * i + f"- item{i}\n" for i in range(depth))


def _grid(depth: int) -> str:
    lines = ["tief"]
    for _ in range(depth):
        width = max(map(len, lines)) + 2
        lines = ["+" + "-" * width + "+", *("| " + line.ljust(width - 2) + " |" for line in lines),
                 "+" + "-" * width + "+"]
    return "\n".join(lines)


def _read(source: str) -> tuple[str, list[tuple[Code, int]]]:
    blocks, diagnostics = read_markdown(source + "\n\nDanach.\n\n## Nächster Eintrag\n", Path("x.md"))
    return repr(blocks), [(d.code, d.line) for d in diagnostics]


@pytest.mark.parametrize("source", [_list(10), "> " * 20 + "tief", _grid(8)])
def test_what_books_nest_is_read_as_structure(source: str) -> None:
    text, found = _read(source)
    assert found == [] and "Danach." in text and "Nächster Eintrag" in text


@pytest.mark.parametrize("source, line", [
    (_list(40) + "  " * 40 + "- tief", 16),
    ("> " * 200 + "tief", 1),
    (">" * 5000 + " tief", 1),
    (_grid(100), 17),
    ("*" * 3000 + "tief" + "*" * 3000, 1),
    ("[" * 3000 + "tief" + "](#x)" * 3000, None),
    ("::: {.a}\n" * 60 + "tief\n" + ":::\n" * 60, 33),
])
def test_deeper_nesting_keeps_every_word_and_says_so(source: str, line: int | None) -> None:
    text, found = _read(source)
    assert "tief" in text and "Danach." in text and "Nächster Eintrag" in text
    assert found == ([(Code.TOO_DEEP, line)] if line else [])


def test_the_rest_of_a_too_deep_list_stays_in_its_items() -> None:
    blocks, _ = read_markdown(_list(40), Path("x.md"))
    assert re.findall(r"item\d+", repr(blocks)) == [f"item{i}" for i in range(40)]
    assert isinstance(blocks[0], m.BulletList)


def test_character_references_cannot_make_control_characters_in_text() -> None:
    blocks, _ = read_markdown("a&#12;b [x](#y&#11;z)\n", Path("x.md"))
    assert blocks == (m.Para((m.Str("a b "), m.Link(m.NO_ATTR, (m.Str("x"),), "#y&#11;z", "",
                                                    m.SourcePos(Path("x.md"), 1, 8)))),)
