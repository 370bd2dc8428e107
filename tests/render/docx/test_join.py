"""Two halves of a book written by pandoc and joined read as the whole book written at once
(pandoc's own DOCX reader is the oracle), with every id, list, note and relationship intact."""
from __future__ import annotations

import io
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
from publish.render.docx.join import join
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


def _with_document(parts: dict[str, bytes], document: etree._Element) -> dict[str, bytes]:
    return {**parts, "word/document.xml": etree.tostring(document, xml_declaration=True, encoding="UTF-8")}


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

    whole = docx_of("--toc", "-M", "title=T", str(folder / "first.md"), str(folder / "second.md"))
    first = docx_of("--toc", "-M", "title=T", str(folder / "first.md"))
    second = docx_of(str(folder / "second.md"))
    return {"whole": whole, "joined": _zip(_with_document(*join(_parts(first), _parts(second))))}


def _as_pandoc_reads_it(data: bytes) -> str:
    native = run_pandoc(["-f", "docx", "-t", "native", "--track-changes=all"], stdin=data).decode("utf-8")
    # pandoc names the images it reads after their relationship ids, which differ
    return re.sub(r'"media/[^"]+"', '"media"', native)


def test_pandoc_reads_the_joined_halves_as_the_whole_book(written: dict[str, bytes]) -> None:
    joined = _as_pandoc_reads_it(written["joined"])
    assert joined == _as_pandoc_reads_it(written["whole"])
    for text in ('Str "note,"', 'Str "also"', 'Str "paren"', 'Str "styled"', '"https://example.org/b"', '"#Alpha"'):
        assert text in joined  # the oracle saw the second half


def test_images_keep_their_own_pictures_where_the_halves_named_them_alike(written: dict[str, bytes]) -> None:
    parts = _parts(written["joined"])
    document = etree.fromstring(parts["word/document.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    pictures = [parts["word/" + rels[blip.get(f"{{{R}}}embed")]]
                for blip in document.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")]
    assert pictures == [RED, RED, BLUE]
    types = etree.fromstring(parts["[Content_Types].xml"])
    typed = {o.get("PartName") for o in types if o.get("ContentType") == "image/png"}
    assert typed == {"/" + name for name in parts if name.startswith("word/media/")} and len(typed) == 2


def test_every_id_is_unique_and_every_reference_lands(written: dict[str, bytes]) -> None:
    parts = _parts(written["joined"])
    document = etree.fromstring(parts["word/document.xml"])
    notes = etree.fromstring(parts["word/footnotes.xml"])
    comments = etree.fromstring(parts["word/comments.xml"])
    numbering = etree.fromstring(parts["word/numbering.xml"])
    bookmarks = [b.get(f"{{{W}}}id") for root in (document, notes) for b in root.iter(f"{{{W}}}bookmarkStart")]
    assert len(bookmarks) == len(set(bookmarks)) == 4  # A, Alpha, B, Beta
    drawings = [d.get("id") for d in document.iter(f"{{{NS['wp']}}}docPr")]
    assert len(drawings) == len(set(drawings)) == 3
    for root, rels in ((document, "word/_rels/document.xml.rels"), (notes, "word/_rels/footnotes.xml.rels")):
        known = {r.get("Id") for r in etree.fromstring(parts[rels])}
        used = {value for node in root.iter() for name, value in node.attrib.items() if name.startswith(f"{{{R}}}")}
        assert used and used <= known
    footnotes = {n.get(f"{{{W}}}id") for n in notes.xpath("w:footnote[not(@w:type)]", namespaces=NS)}
    references = [r.get(f"{{{W}}}id") for r in document.iter(f"{{{W}}}footnoteReference")]
    assert sorted(references) == sorted(footnotes) and len(references) == 2
    commented = {c.get(f"{{{W}}}id") for c in comments.iter(f"{{{W}}}comment")}
    assert {c.get(f"{{{W}}}id") for c in document.iter(f"{{{W}}}commentReference")} == commented
    assert len(commented) == 2
    lists = {n.get(f"{{{W}}}numId"): n.find(f"{{{W}}}abstractNumId").get(f"{{{W}}}val")
             for n in numbering.iter(f"{{{W}}}num")}
    definitions = {a.get(f"{{{W}}}abstractNumId") for a in numbering.iter(f"{{{W}}}abstractNum")}
    used_lists = {n.get(f"{{{W}}}val") for root in (document, notes) for n in root.iter(f"{{{W}}}numId")}
    assert used_lists <= set(lists) and set(lists.values()) <= definitions
    # CT_Numbering: every list definition before the first list
    kinds = [etree.QName(child).localname for child in numbering]
    assert kinds.index("num") > max(i for i, kind in enumerate(kinds) if kind == "abstractNum")


def test_the_split_falls_before_the_letter_nearest_the_middle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)

    def letter(name: str) -> m.Header:
        return m.Header(1, m.Attr(name, (m.LETTER_CLASS,)), (m.Str(name),))
    text = m.Para((m.Str("x" * 100),))
    blocks = [letter("A"), text, text, text, letter("B"), text, letter("C"), text, text]
    first, second = pandoc_docx._halves(blocks)
    assert len(first) == 4 and len(second) == 5
    assert pandoc_docx._halves([letter("A"), text, text]) is None  # one letter: nothing to split at
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 10_000)
    assert pandoc_docx._halves(blocks) is None  # too small to pay for two runs


@pytest.mark.parametrize("source", ["seeds", "corpus"])
def test_the_book_built_in_halves_is_the_book_built_at_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             source: str) -> None:
    if source == "corpus" and not CORPUS.is_dir():
        pytest.skip(CORPUS_ABSENT)
    monkeypatch.setenv("PUBLISH_SOFFICE", "off")
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)
    book, theme = load_book(SEEDS if source == "seeds" else CORPUS).book, load_theme("default")
    built = {}
    for free in (1, 2):
        monkeypatch.setattr(pandoc_docx, "free_cores", lambda free=free: free)
        runs = []
        monkeypatch.setattr(pandoc_docx, "run_pandoc", lambda args, env, runs=runs: (runs.append(args),
                                                                                      run_pandoc(args, env=env))[1])
        docx.render(book, theme, tmp_path / f"{free}.docx", options=RenderOptions(jobs=2))
        assert len(runs) == free
        built[free] = (tmp_path / f"{free}.docx").read_bytes()
    assert _as_pandoc_reads_it(built[2]) == _as_pandoc_reads_it(built[1])
    halves, whole = _parts(built[2]), _parts(built[1])
    assert halves.keys() == whole.keys()
    for name in ("word/styles.xml", "word/settings.xml", "word/header-terms-default.xml", "word/fontTable.xml"):
        assert halves[name] == whole[name], name


def test_a_part_only_the_second_half_has_comes_along_once(tmp_path: Path) -> None:
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
    parts = _with_document(*join(first, _parts(target.read_bytes())))
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
    numbering = etree.fromstring(join(first, second)[0]["word/numbering.xml"])
    looks = {a.get(f"{{{W}}}abstractNumId"): a.find("w:lvl/w:numFmt", NS).get(f"{{{W}}}val")
             for a in numbering.iter(f"{{{W}}}abstractNum")}
    lists = [looks[n.find("w:abstractNumId", NS).get(f"{{{W}}}val")] for n in numbering.iter(f"{{{W}}}num")]
    assert "decimal" in lists and "upperRoman" in lists
    assert len({n.get(f"{{{W}}}numId") for n in numbering.iter(f"{{{W}}}num")}) == len(lists)


def test_formulas_weigh_more_than_their_characters_where_the_book_is_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)

    def letter(name: str) -> m.Header:
        return m.Header(1, m.Attr(name, (m.LETTER_CLASS,)), (m.Str(name),))
    text = m.Para((m.Str("x" * 3000),))
    formulas = m.Para(tuple(m.Math(display=False, tex="x^2") for _ in range(4)))
    # by characters the middle is before B; by pandoc's work (4 formulas ≈ 20,000 characters) before C
    blocks = [letter("A"), text, text, letter("B"), text, letter("C"), formulas]
    first, second = pandoc_docx._halves(blocks)
    assert len(first) == 5 and len(second) == 2
    monkeypatch.setattr(pandoc_docx, "MATH_WORK", 0)
    first, second = pandoc_docx._halves(blocks)
    assert len(first) == 3 and len(second) == 4
