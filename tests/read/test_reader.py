"""The reader, construct by construct: Markdown in, expected model out (tests/fixtures/*.md)."""
from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from publish import model
from publish.diagnostics import Code
from publish.read.reader import read_markdown

FIXTURES = Path(__file__).parent / "fixtures"


def _fixtures() -> list[object]:
    return [pytest.param(source, expected, id=f"{path.stem}:{line}:{title}")
            for path in sorted(FIXTURES.glob("*.md"))
            for line, title, source, expected in read_fixture_file(path)]


@pytest.mark.parametrize(("source", "expected"), _fixtures())
def test_fixture(source: str, expected: str) -> None:
    blocks, _ = read_markdown(source, Path("fixture.md"))
    assert blocks == eval(expected, vars(model))  # noqa: S307 - expressions from our own fixtures


def _codes(source: str) -> list[tuple[Code, int]]:
    _, diagnostics = read_markdown(source, Path("x.md"))
    return [(d.code, d.line) for d in diagnostics]


def test_unclosed_attributes_are_reported_with_line() -> None:
    assert _codes("Intro\n\n## Term {#Term .chapter\n") == [(Code.UNCLOSED_ATTRIBUTES, 3)]


def test_unknown_inline_html_is_reported() -> None:
    assert _codes("Text\n\nsee <blink>b</blink>\n") == [(Code.UNKNOWN_CONSTRUCT, 3)] * 2


def test_link_positions_point_at_the_target() -> None:
    blocks, _ = read_markdown("## T\n\nSiehe [GPU](#GPU) und\n[TPU](#TPU).\n", Path("x.md"))
    links = [n for n in blocks[1].content if isinstance(n, model.Link)]
    assert [(l.pos.line, l.pos.col) for l in links] == [(3, 13), (4, 7)]


def test_english_quotes_follow_the_language() -> None:
    blocks, _ = read_markdown('"Hi" there', Path("x.md"), language="en-GB")
    assert blocks == (model.Para((model.Str("“Hi” there"),)),)
