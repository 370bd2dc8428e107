"""The reader, construct by construct: Markdown in, expected model out (tests/fixtures/*.md)."""
from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file

from publish import model, tree
from publish.diagnostics import Code
from publish.read import reader
from publish.read.markdown import blockwise, make_parser
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


_GRID = "+---+---+\n| a | b |\n+===+===+\n| c | *d* |\n+---+---+\n"
_KINDS = (
    "P{n} *e* [l][r{k}] und [x](#T) $x_{k}$ `c`[^n{n}] ^[inline {n}] <em>h</em>\nzweite Zeile.\n",
    "- eins {n}[^n11]\n- zwei\n\n  mehr\n\n  1. tief $y$\n  2. tiefer\n",
    "> Zitat {n}\n> > innen [l][r{k}]\n\nlazy\n",
    "```python\ncode {n}\n\n\n  eingerückt\n```\n",
    "| a | b |\n|:--|--:|\n| {n} | [x](#T) |\n\n: Tabelle {n}\n",
    _GRID,
    "```{{=html}}\n<b>{n}</b>\n```\n\n<div>roh {n}</div>\n",
    "$$\nx^{n}\n$$\n",
    "### Teil {n} {{#teil-{n} .x}}\n\nText\n===\n",
    "::: {{.note}}\nIm Div {n}[^n{n}]\n:::\n",
    "Begriff {n}\n:   Definition\n\n    eingerückt\n",
    "[^n{n}]: Fußnote {n}\n\n    zweiter Absatz\n",
    "[r{k}]: https://example.org/{k} \"Titel\"\n",
    "    eingerückter Code {n}\n\n\n    nach Leerzeilen\n",
    "## Kaputt {n} {{#offen\n\n" + "> " * 120 + "zu tief {n}\n",
)


def _varied_entry(count: int) -> str:
    """An entry with every kind of block, footnotes and link references defined before and after use."""
    return "## T {#T}\n\n" + "\n".join(_KINDS[n % len(_KINDS)].format(n=n, k=n % 5) for n in range(count))


@pytest.mark.parametrize("window", [1, 7])
def test_reading_in_windows_of_lines_gives_the_model_of_the_whole_text(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    """The block rules see a window of lines at a time (publish.read.markdown.blockwise): the model,
    every position and every diagnostic are those of one window holding the whole text."""
    text = _varied_entry(15 * len(_KINDS))
    monkeypatch.setattr(blockwise, "_WINDOW", 10**9)
    whole, whole_found = read_markdown(text, Path("x.md"))
    monkeypatch.setattr(blockwise, "_WINDOW", window)
    parts, parts_found = read_markdown(text, Path("x.md"))
    assert parts == whole
    positions = lambda blocks: [(type(n), n.pos) for n in tree.walk(blocks) if getattr(n, "pos", None)]  # noqa: E731
    assert positions(parts) == positions(whole) and len(positions(whole)) > 100
    assert parts_found == whole_found and {d.code for d in whole_found} == {Code.TOO_DEEP, Code.UNCLOSED_ATTRIBUTES}
    assert sum(isinstance(n, model.Note) and bool(n.blocks) for n in tree.walk(whole)) > 10


def _cut_short(filler: int) -> str:
    return ("## T\n\n" + "Absatz.\n" * filler + "\n[l][r] und [m][s] und[^a] und[^b].\n\n[r]: /url\n  \"Titel\"\n\n"
            + "[^a]: Eins\n    zwei\n\n```\n" + "code\n" * 30 + "```\n\n[s]:\n/s\n\n[^b]: B\n\nEnde.\n")


@pytest.mark.parametrize("window", [1, 2, 3, 7])
def test_the_first_pass_takes_back_what_its_window_cut_short(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    """The first pass reads windows of lines too: a block its window ends in (a link reference
    whose title is on the next line, a footnote, code longer than the window) is read again whole
    in the next window, and what it stored is taken back first."""
    for filler in range(8):
        text = _cut_short(filler)
        monkeypatch.setattr(blockwise, "_WINDOW", 10**9)
        whole = read_markdown(text, Path("x.md"))
        links = [(n.url, n.title) for n in tree.walk(whole[0]) if isinstance(n, model.Link)]
        assert links == [("/url", "Titel"), ("/s", "")] and whole[1] == []
        monkeypatch.setattr(blockwise, "_WINDOW", window)
        assert read_markdown(text, Path("x.md")) == whole, filler
        for again, twice in (("", False), ("\n[^a]: wieder\n", True)):
            env: dict[str, object] = {}
            for _ in blockwise.parse_blocks(make_parser("de-DE"), text + again, env):
                pass
            assert env[blockwise.REDEFINED_KEY] is twice


def test_block_tokens_read_in_windows_are_markdown_its_for_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block by block and a window at a time, the block tokens and their lines are those
    ``MarkdownIt.parse`` gives for the whole text (footnotes aside: they follow their block)."""
    text = _varied_entry(3 * len(_KINDS)).replace("> " * 120, "> ")

    def blocks(tokens: list[Token]) -> list[tuple[object, ...]]:
        kept, notes = [], 0
        for t in tokens:
            notes += t.type == "footnote_block_open"
            if not notes:
                kept.append((t.type, t.tag, t.map, t.content, t.info, t.hidden))
            notes -= t.type == "footnote_block_close"
        return kept

    monkeypatch.setattr(blockwise, "_WINDOW", 1)
    md = make_parser("de-DE")
    read = [t for batch in blockwise.parse_blocks(md, text, {}) for t in batch]
    assert blocks(read) == blocks(md.parse(text, {}))


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


def test_a_full_memo_of_shared_nodes_starts_again_and_the_model_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "## T\n\n" + "".join(f"A *Wort* und [*Wort*](#T) mit `c`, $x$ und **fett** {n}.\n\n" for n in range(50))
    whole, _ = read_markdown(text, Path("x.md"))
    monkeypatch.setattr(reader, "_SHARED_MAX", 40)
    emptied, _ = read_markdown(text, Path("x.md"))
    assert emptied == whole
    emph = [n for n in tree.walk(emptied) if type(n) is model.Emph]
    assert 1 < len({id(n) for n in emph}) < len(emph)


_NOTES = """## T {#T}

T[^a] und[^b] und ^[inline *i*[^a]] und[^c] und ^[schlicht].

[^a]: A einfach.

S[^a] und[^g] und ^[inline schlicht].

[^g]: G.

[^b]: B mit[^a] drin[^h].

Y[^f].

P[^d] <blink>x</blink>.

[^d]: D mit <blink>f</blink>.

[^c]: C eins.

V[^c].

W[^b].

X[^d].

Q[^c] und[^a] wieder[^f].

[^c]: C zwei.

[^e]: E selbst[^e].

R[^e] und [^a] und[^f].

U[^g] und[^a].

[^f]: F <blink>g</blink> am Ende.

[^h]: H.
"""


@pytest.mark.parametrize("text", [_NOTES, _NOTES.replace("[^c]: C zwei.", ""), _varied_entry(15 * len(_KINDS))],
                         ids=["a-note-defined-twice", "notes", "varied"])
def test_footnotes_put_in_place_as_soon_as_read_give_the_model_of_placing_them_at_the_end(
        monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """A block's footnotes are put in place once each is read (no findings, no references of
    their own, no label of the file defined twice), the rest at the file's end: the model,
    positions and diagnostics (their order too) are those of putting every footnote in place at
    the end."""
    monkeypatch.setattr(blockwise, "_BATCH", 1)
    placed = []
    with_notes = reader._Reader._with_notes
    monkeypatch.setattr(reader._Reader, "_with_notes",
                        lambda self, blocks, spans: placed.append(spans := list(spans)) or with_notes(self, blocks, spans))
    early, early_found = read_markdown(text, Path("x.md"))
    assert sum(len(spans) for spans in placed[:-1]) >= ("C zwei" not in text)
    monkeypatch.setattr(reader._Reader, "_ready", lambda self, keys, redefined: None)
    end, end_found = read_markdown(text, Path("x.md"))
    assert early == end
    positions = lambda blocks: [(type(n), n.pos) for n in tree.walk(blocks) if getattr(n, "pos", None)]  # noqa: E731
    assert positions(early) == positions(end)
    assert early_found == end_found and len(end_found) >= 2
    notes = [tree.stringify(n.blocks[0].content) for n in tree.walk(early) if isinstance(n, model.Note) and n.blocks]
    if text == _NOTES:
        assert placed[-1]
        assert notes == ["A einfach.", "B mit drin.", "A einfach.", "H.", "inline i", "A einfach.", "C zwei.", "schlicht",
                         "A einfach.", "G.", "inline schlicht", "F <blink>g</blink> am Ende.", "D mit <blink>f</blink>.",
                         "C zwei.", "B mit drin.", "A einfach.", "H.", "D mit <blink>f</blink>.", "C zwei.", "A einfach.",
                         "F <blink>g</blink> am Ende.", "E selbst.", "A einfach.", "F <blink>g</blink> am Ende.", "G.",
                         "A einfach."]
        # The paragraph's own finding, then the notes' in the order of their first references.
        assert [d.line for d in early_found] == [15, 15, 37, 37, 17, 17]


def test_only_defined_labels_are_footnotes_however_they_begin_alike() -> None:
    """The labels the first pass found are kept sorted in one string: a label is a footnote
    reference only if it is defined, not if it starts or ends like one that is."""
    text = "T[^a] [^ab] [^abc] [^b] [^] [^0].\n\n[^ab]: AB\n\n[^a]: A\n\n[^b]: B\n\n[^0]: Null\n"
    blocks, found = read_markdown(text, Path("x.md"))
    content = blocks[0].content
    notes = [tree.stringify(n.blocks[0].content) for n in content if isinstance(n, model.Note)]
    assert notes == ["A", "AB", "B", "Null"] and found == []
    assert tree.stringify(content) == "T  [^abc]  [^] ."


def test_reading_leaves_no_cycles_for_the_collector() -> None:
    """Syntax trees point to their parents; the reader unlinks each once read, so a long file's
    trees do not wait in memory for a full collection. Nor does the reader itself (with the
    file's text) once its footnotes are in place."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        blocks, _ = read_markdown(_varied_entry(2 * len(_KINDS)), Path("x.md"))
        assert sum(isinstance(n, model.Note) and bool(n.blocks) for n in tree.walk(blocks)) > 1
        gc.collect()
        assert [type(o).__name__ for o in gc.garbage] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_crlf_line_endings_and_nul_read_as_markdown_it_normalises_them() -> None:
    # Text with neither is not normalised at all (markdown-it's normalize would only copy it).
    assert read_markdown("## T\r\n\r\nA\r\nB\rC\0D\n", Path("x.md")) == read_markdown("## T\n\nA\nB\nC\ufffdD\n", Path("x.md"))
    blocks, _ = read_markdown("## T\r\n\r\nA\0\r\n", Path("x.md"))
    assert blocks[1] == model.Para((model.Str("A\ufffd"),))
