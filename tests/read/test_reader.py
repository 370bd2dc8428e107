"""The reader, construct by construct: Markdown in, expected model out (tests/fixtures/*.md)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from publish import model, tree
from publish.diagnostics import Code
from publish.read import reader
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


def test_an_unused_footnote_reports_nothing() -> None:
    assert _codes("Text.\n\n[^u]: <blink>b</blink>\n") == []
    assert _codes("Text[^u].\n\n[^u]: <blink>b</blink>\n") == [(Code.UNKNOWN_CONSTRUCT, 3)] * 2


def test_a_huge_entry_loses_no_text() -> None:
    """Read block by block (publish.read.markdown.blockwise): every paragraph, footnote and link
    reference of a 2 MB entry arrives, whichever side of its use it is defined on."""
    count = 10_000
    filler = "Wort " * 30
    paragraphs = [f"P{n:06d} *e* [l][r{n % 7}] $x$ `c`[^n{n}] ^[i{n:06d}] {filler}\n{filler}.\n\n"
                  f"[^n{n}]: F{n:06d} **s**.\n\n"
                  + f"[r{n % 7}]: https://example.org/{n % 7}\n\n" * (n < 7 and n % 2)
                  + "| a | b |\n|---|---|\n" * (n % 500 == 0) for n in range(count)]
    text = "## Huge {#Huge}\n\n" + "".join(paragraphs) + "".join(f"[r{k}]: /r{k}\n\n" for k in range(7))
    assert len(text) > 2_000_000
    blocks, diagnostics = read_markdown(text, Path("huge.md"))
    assert diagnostics == []
    found = " ".join(tree.stringify((n,)) for n in tree.walk(blocks) if isinstance(n, model.Str))
    for marker in ("P", "F", "i"):
        assert [int(m) for m in re.findall(marker + r"(\d{6})", found)] == list(range(count)), marker
    links = [n.url for n in tree.walk(blocks) if isinstance(n, model.Link)]
    assert len(links) == count
    assert {url for url in links} == {f"https://example.org/{k}" for k in (1, 3, 5)} | {f"/r{k}" for k in (0, 2, 4, 6)}


def test_equal_inlines_without_a_position_are_one_node_and_the_model_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "## T\n\n" + "".join(f"A *Wort* und [*Wort*](#T) mit `c`, $x$ und **fett**.\nZeile {n}\n\n" for n in range(50))
    shared, _ = read_markdown(text, Path("x.md"))
    monkeypatch.setattr(reader, "_SHAREABLE", frozenset())
    alone, _ = read_markdown(text, Path("x.md"))
    assert shared == alone
    positions = lambda blocks: [(type(n), n.pos) for n in tree.walk(blocks) if getattr(n, "pos", None)]  # noqa: E731
    assert positions(shared) == positions(alone) and len(positions(shared)) == 1 + 50 * 2
    nodes = lambda kind: [n for n in tree.walk(shared) if type(n) is kind]  # noqa: E731
    assert len({id(n) for n in nodes(model.Str)}) == len({n.text for n in nodes(model.Str)}) < len(nodes(model.Str))
    assert [len({id(n) for n in nodes(kind)}) for kind in (model.Emph, model.Strong, model.Code)] == [1, 1, 1]
    assert len({id(n) for n in nodes(model.Link)}) == len({id(n) for n in nodes(model.Math)}) == 50


def test_crlf_line_endings_and_nul_read_as_markdown_it_normalises_them() -> None:
    # Text with neither is not normalised at all (markdown-it's normalize would only copy it).
    assert read_markdown("## T\r\n\r\nA\r\nB\rC\0D\n", Path("x.md")) == read_markdown("## T\n\nA\nB\nC\ufffdD\n", Path("x.md"))
    blocks, _ = read_markdown("## T\r\n\r\nA\0\r\n", Path("x.md"))
    assert blocks[1] == model.Para((model.Str("A\ufffd"),))
