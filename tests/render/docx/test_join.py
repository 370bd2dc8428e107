"""Pieces of a book written by pandoc and joined read as the whole book written at once (pandoc's
own DOCX reader is the oracle), with every id, list, note and relationship intact."""
from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from publish import model as m
from publish.build import load_book
from publish.render import RenderOptions
from publish.render.docx import backend as docx
from publish.render.docx import pandoc_docx
from publish.render.docx.join import Joined, Piece, join
from publish.render.docx.pandoc_json import block_json
from publish.render.docx.pandoc_runner import run_pandoc
from publish.theme.theme import load_theme

from tests.conftest import CORPUS, CORPUS_ABSENT, SEEDS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}

FIRST = """# A {#A}

## Alpha {#Alpha}

Text with a note[^a] and a [link](https://example.org/a) and [to Beta](#Beta). ![red](red.png)

3. three
4. four
   a. sub
   b. sub

- bullet
  - nested

[Note]{.comment-start id="1" author="X"}commented[]{.comment-end id="1"}

[^a]: A note with [a link](https://example.org/note).
"""

THIRD = """# C {#C}

Third[^c] with [the first link](https://example.org/a), ![blue](blue.png) and

1. a list of its own

[Third]{.comment-start id="3" author="Z"}comment[]{.comment-end id="3"}

[^c]: Third note.
"""

SECOND = """# B {#B}

## Beta {#Beta}

Second text[^b] with the [same link](https://example.org/a), [back](#Alpha), ![red again](red.png) ![blue](blue.png).

i. roman
ii. roman two

5) paren

``` python
def f(x): return x
```

::: {custom-style="Second Only"}
styled
:::

| a | b |
|---|---|
| 1 | 2 |

[Other]{.comment-start id="2" author="Y"}also[]{.comment-end id="2"}

[^b]: Second note, [a link](https://example.org/b), and a list:

    - one
    - two
"""


def _png(rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = b"".join(b"\0" + bytes(rgb) * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


RED, BLUE = _png((255, 0, 0)), _png((0, 0, 255))


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _joined(*pieces: dict[str, bytes]) -> dict[str, bytes]:
    """The pieces joined, every part as bytes; no finishing."""
    return _bytes(join([Piece(parts) for parts in pieces], lambda document, last: None))


def _bytes(joined: Joined) -> dict[str, bytes]:
    return {name: data if isinstance(data, bytes) else b"".join(data.written()) for name, data in joined.items()}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("halves")
    (folder / "red.png").write_bytes(RED)
    (folder / "blue.png").write_bytes(BLUE)
    (folder / "first.md").write_text(FIRST, encoding="utf-8")
    (folder / "second.md").write_text(SECOND, encoding="utf-8")

    def docx_of(*args: str) -> bytes:
        target = folder / "out.docx"
        run_pandoc([*args, f"--resource-path={folder}", "-o", str(target)])
        return target.read_bytes()

    (folder / "third.md").write_text(THIRD, encoding="utf-8")
    whole = docx_of("--toc", "-M", "title=T", *(str(folder / f"{n}.md") for n in ("first", "second", "third")))
    first = docx_of("--toc", "-M", "title=T", str(folder / "first.md"))
    second, third = docx_of(str(folder / "second.md")), docx_of(str(folder / "third.md"))
    return {"whole": whole, "joined": _zip(_joined(_parts(first), _parts(second), _parts(third)))}


def _as_pandoc_reads_it(data: bytes) -> str:
    native = run_pandoc(["-f", "docx", "-t", "native", "--track-changes=all"], stdin=data).decode("utf-8")
    # pandoc names the images it reads after their relationship ids, which differ
    return re.sub(r'"media/[^"]+"', '"media"', native)


def test_pandoc_reads_the_joined_pieces_as_the_whole_book(written: dict[str, bytes]) -> None:
    joined = _as_pandoc_reads_it(written["joined"])
    assert joined == _as_pandoc_reads_it(written["whole"])
    for text in ('Str "note,"', 'Str "also"', 'Str "paren"', 'Str "styled"', '"https://example.org/b"', '"#Alpha"',
                 'Str "Third"', 'Str "comment"'):
        assert text in joined  # the oracle saw the second and third pieces


def test_images_keep_their_own_pictures_where_the_pieces_named_them_alike(written: dict[str, bytes]) -> None:
    parts = _parts(written["joined"])
    document = etree.fromstring(parts["word/document.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    pictures = [parts["word/" + rels[blip.get(f"{{{R}}}embed")]]
                for blip in document.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")]
    assert pictures == [RED, RED, BLUE, BLUE]
    types = etree.fromstring(parts["[Content_Types].xml"])
    typed = {o.get("PartName") for o in types if o.get("ContentType") == "image/png"}
    # the third piece's picture has a name of its own: a file of its own, typed
    assert typed == {"/" + name for name in parts if name.startswith("word/media/")} and len(typed) == 3


def test_every_id_is_unique_and_every_reference_lands(written: dict[str, bytes]) -> None:
    parts = _parts(written["joined"])
    document = etree.fromstring(parts["word/document.xml"])
    notes = etree.fromstring(parts["word/footnotes.xml"])
    comments = etree.fromstring(parts["word/comments.xml"])
    numbering = etree.fromstring(parts["word/numbering.xml"])
    bookmarks = [b.get(f"{{{W}}}id") for root in (document, notes) for b in root.iter(f"{{{W}}}bookmarkStart")]
    assert len(bookmarks) == len(set(bookmarks)) == 5  # A, Alpha, B, Beta, C
    drawings = [d.get("id") for d in document.iter(f"{{{NS['wp']}}}docPr")]
    assert len(drawings) == len(set(drawings)) == 4
    for root, rels in ((document, "word/_rels/document.xml.rels"), (notes, "word/_rels/footnotes.xml.rels")):
        known = {r.get("Id") for r in etree.fromstring(parts[rels])}
        used = {value for node in root.iter() for name, value in node.attrib.items() if name.startswith(f"{{{R}}}")}
        assert used and used <= known
    footnotes = {n.get(f"{{{W}}}id") for n in notes.xpath("w:footnote[not(@w:type)]", namespaces=NS)}
    references = [r.get(f"{{{W}}}id") for r in document.iter(f"{{{W}}}footnoteReference")]
    assert sorted(references) == sorted(footnotes) and len(references) == 3
    commented = {c.get(f"{{{W}}}id") for c in comments.iter(f"{{{W}}}comment")}
    assert {c.get(f"{{{W}}}id") for c in document.iter(f"{{{W}}}commentReference")} == commented
    assert len(commented) == 3
    lists = {n.get(f"{{{W}}}numId"): n.find(f"{{{W}}}abstractNumId").get(f"{{{W}}}val")
             for n in numbering.iter(f"{{{W}}}num")}
    definitions = {a.get(f"{{{W}}}abstractNumId") for a in numbering.iter(f"{{{W}}}abstractNum")}
    used_lists = {n.get(f"{{{W}}}val") for root in (document, notes) for n in root.iter(f"{{{W}}}numId")}
    assert used_lists <= set(lists) and set(lists.values()) <= definitions
    # CT_Numbering: every list definition before the first list
    kinds = [etree.QName(child).localname for child in numbering]
    assert kinds.index("num") > max(i for i, kind in enumerate(kinds) if kind == "abstractNum")


def _letter(name: str) -> m.Header:
    return m.Header(1, m.Attr(name, (m.LETTER_CLASS,)), (m.Str(name),))


def _term(name: str) -> m.Header:
    return m.Header(2, m.Attr(name, (m.TERM_CLASS,)), (m.Str(name),))


TEXT = m.Para((m.Str("x" * 1000),))
Cut = pandoc_docx.Cut


def test_a_piece_starts_only_where_pandoc_writes_the_block_as_in_one_run(tmp_path: Path) -> None:
    items = m.BulletList(((m.Plain((m.Str("i"),)),),))
    formula = m.Para((m.Math(display=True, tex="x^2"),))
    blocks = [_letter("A"), _term("a"), TEXT, TEXT, _term("b"), TEXT, items, TEXT, _letter("B"), _term("c"), TEXT,
              m.Div(m.Attr(), (TEXT,)), TEXT, formula, TEXT, TEXT]
    cuts = [span.cut for span in pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")]
    assert cuts == [Cut.NEVER,  # the start
                    Cut.NEVER, Cut.NEVER,  # after a heading: its first block stays with it
                    Cut.RESTYLE,  # a paragraph after a paragraph: pandoc would style it a first paragraph
                    Cut.CLEAN, Cut.NEVER, Cut.CLEAN,
                    Cut.NEVER,  # a paragraph after a list
                    Cut.NEVER,  # a letter ends the section before it, in the same piece
                    Cut.NEVER, Cut.NEVER,
                    Cut.NEVER,  # a Div: its first paragraph's style is pandoc's to choose
                    Cut.NEVER, Cut.RESTYLE,
                    Cut.NEVER,  # a paragraph after a displayed formula is a first paragraph
                    Cut.RESTYLE]


def test_the_blocks_file_holds_each_block_where_its_span_says(tmp_path: Path) -> None:
    blocks = [_letter("A"), _term("Ä"), TEXT, m.Para((m.Math(display=False, tex="x^2"),))]
    spans = pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")
    data = (tmp_path / "blocks.json").read_bytes()
    read = [json.loads(data[span.start:span.end]) for span in spans]
    assert read == [block_json(b) for b in blocks]
    assert spans[3].work - (spans[3].end - spans[3].start) == pandoc_docx.MATH_WORK + 2  # its ", " too


def test_pieces_are_bounded_and_start_at_a_clean_block_when_one_comes_soon(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    blocks = [_letter("A"), _term("a"), *[TEXT] * 5, _term("b"), TEXT, TEXT]
    spans = pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")
    total = sum(span.work for span in spans)
    monkeypatch.setattr(pandoc_docx, "PIECE_WORK", total)
    assert pandoc_docx.cut(spans, 1) == [0]
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", total + 1)
    assert pandoc_docx.cut(spans, 2) == [0]  # too small to pay for two runs
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", total)
    # due at the fourth paragraph, then the term comes a paragraph later: within a quarter share
    assert pandoc_docx.cut(spans, 2) == [0, 7]
    monkeypatch.setattr(pandoc_docx, "PIECE_WORK", total / 2)
    assert pandoc_docx.cut(spans, 1) == [0, 7]
    # a long book: smaller pieces, for pandoc's memory
    monkeypatch.setattr(pandoc_docx, "LONG_BOOK", total - 1)
    monkeypatch.setattr(pandoc_docx, "LONG_PIECE_WORK", total)
    assert pandoc_docx.cut(spans, 1) == [0]


def test_a_long_run_of_paragraphs_is_cut_a_quarter_share_late(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocks = [_letter("A"), _term("a"), *[TEXT] * 40]
    spans = pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")
    total = sum(span.work for span in spans)
    monkeypatch.setattr(pandoc_docx, "PIECE_WORK", total / 4)
    starts = pandoc_docx.cut(spans, 1)
    assert len(starts) == 4
    share = total / 4
    for k, start in enumerate(starts[1:], 1):
        before = sum(span.work for span in spans[:start])
        assert spans[start].cut is Cut.RESTYLE
        assert k * share + share / 4 <= before < k * share + share / 4 + spans[start - 1].work


def test_formulas_weigh_more_than_their_characters_where_the_book_is_split(monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    text = m.Para((m.Str("x" * 3000),))
    formulas = m.Para(tuple(m.Math(display=False, tex="x^2") for _ in range(3)))
    # by pandoc's work (3 formulas ≈ 15,000 characters) the middle is before b; by characters before c
    blocks = [_letter("A"), _term("a"), formulas, text, _term("b"), text, _term("c"), text, text]
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)
    spans = pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")
    assert pandoc_docx.cut(spans, 2) == [0, 4]
    monkeypatch.setattr(pandoc_docx, "MATH_WORK", 0)
    spans = pandoc_docx.write_blocks(blocks, tmp_path / "blocks.json")
    assert pandoc_docx.cut(spans, 2) == [0, 6]


def _styles(docx_bytes: bytes) -> list[str]:
    document = etree.fromstring(_parts(docx_bytes)["word/document.xml"])
    return [style.get(f"{{{W}}}val") for style in document.iter(f"{{{W}}}pStyle")]


def _long_entries(folder: Path) -> Path:
    """Two entries of many paragraphs (notes, formulas inline and displayed, links, lists) and few
    headings: most pieces start inside a run of paragraphs."""
    for name in ("Alpha", "Beta"):
        paragraphs = []
        for n in range(90):
            paragraphs.append(f"P{n} *{name}* with $x_{n}$ and [a link](#Alpha) and a note[^{n}].\n\n[^{n}]: Note {n}.")
            if n % 13 == 6:
                paragraphs.append(f"$$y_{n} = x^2$$")
            if n % 17 == 8:
                paragraphs.append("- one\n- two")
        (folder / f"{name}.md").write_text(f"## {name} {{#{name}}}\n\n" + "\n\n".join(paragraphs) + "\n",
                                          encoding="utf-8")
    return folder


@pytest.mark.parametrize("source", ["seeds", "corpus", "long entries"])
def test_the_book_built_in_pieces_is_the_book_built_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             source: str) -> None:
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip(CORPUS_ABSENT)
    monkeypatch.setenv("PUBLISH_SOFFICE", "off")
    folder = {"seeds": SEEDS, "corpus": CORPUS}.get(source) or _long_entries(tmp_path)
    book, theme = load_book(folder).book, load_theme("default")
    built, runs = {}, {}
    # whole; in halves on two free cores; in pieces of 20,000 characters, on one core and on two
    for name, free, piece in (("whole", 1, 10**9), ("halves", 2, 10**9), ("1", 1, 20_000), ("2", 2, 20_000)):
        monkeypatch.setattr(pandoc_docx, "free_cores", lambda free=free: free)
        monkeypatch.setattr(pandoc_docx, "PIECE_WORK", piece)
        monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)
        runs[name] = []
        monkeypatch.setattr(pandoc_docx, "run_pandoc", lambda args, env, seen=runs[name]: (
            seen.append(args), run_pandoc(args, env=env))[1])
        docx.render(book, theme, tmp_path / f"{name}.docx", options=RenderOptions(jobs=2))
        built[name] = (tmp_path / f"{name}.docx").read_bytes()
    assert len(runs["whole"]) == 1 and len(runs["halves"]) == 2 and min(len(runs["1"]), len(runs["2"])) > 2
    whole = _parts(built["whole"])
    for name in ("halves", "1", "2"):
        assert _as_pandoc_reads_it(built[name]) == _as_pandoc_reads_it(built["whole"]), name
        # pandoc's reader does not tell a first paragraph from body text: the styles must match too
        assert _styles(built[name]) == _styles(built["whole"]), name
        parts = _parts(built[name])
        assert parts.keys() == whole.keys()
        for part in ("word/styles.xml", "word/settings.xml", "word/header-terms-default.xml", "word/fontTable.xml"):
            assert parts[part] == whole[part], (name, part)


def test_a_part_only_a_later_piece_has_comes_along_once(tmp_path: Path) -> None:
    (tmp_path / "red.png").write_bytes(RED)
    (tmp_path / "blue.png").write_bytes(BLUE)
    (tmp_path / "second.md").write_text(SECOND, encoding="utf-8")
    first = _parts(run_pandoc(["-f", "markdown", "-t", "docx", "-o", "-"], stdin="# A\n\nPlain.\n"))
    # as if the first half's writer had made no notes part at all
    first.pop("word/footnotes.xml")
    first["word/_rels/document.xml.rels"] = first["word/_rels/document.xml.rels"].replace(
        b'Target="footnotes.xml"', b'Target="gone.xml"')
    target = tmp_path / "second.docx"
    run_pandoc([str(tmp_path / "second.md"), f"--resource-path={tmp_path}", "-o", str(target)])
    parts = _joined(first, _parts(target.read_bytes()))
    notes = etree.fromstring(parts["word/footnotes.xml"])
    assert sorted(str(n.get(f"{{{W}}}type")) for n in notes) == ["None", "continuationSeparator", "separator"]
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    assert [r.get("Target") for r in rels].count("footnotes.xml") == 1
    assert len({r.get("Id") for r in rels}) == len(rels)
    assert 'Str "Second"' in _as_pandoc_reads_it(_zip(parts))


def test_a_list_definition_named_alike_but_different_keeps_its_own_look(tmp_path: Path) -> None:
    first = _parts(run_pandoc(["-f", "markdown", "-t", "docx", "-o", "-"], stdin="# A\n\n1. one\n2. two\n"))
    second = _parts(run_pandoc(["-f", "markdown", "-t", "docx", "-o", "-"], stdin="# B\n\n1. eins\n2. zwei\n"))
    # the same definition number, another look: the second's list must keep its own
    second["word/numbering.xml"] = second["word/numbering.xml"].replace(b'w:val="decimal"', b'w:val="upperRoman"')
    numbering = etree.fromstring(_joined(first, second)["word/numbering.xml"])
    looks = {a.get(f"{{{W}}}abstractNumId"): a.find("w:lvl/w:numFmt", NS).get(f"{{{W}}}val")
             for a in numbering.iter(f"{{{W}}}abstractNum")}
    lists = [looks[n.find("w:abstractNumId", NS).get(f"{{{W}}}val")] for n in numbering.iter(f"{{{W}}}num")]
    assert "decimal" in lists and "upperRoman" in lists
    assert len({n.get(f"{{{W}}}numId") for n in numbering.iter(f"{{{W}}}num")}) == len(lists)
