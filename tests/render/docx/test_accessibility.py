"""The DOCX for readers with assistive technology, checked on its XML (issue 13):
language and title, alternative text on images, formulas as Word equations, real headings with
outline levels, repeated table header rows, hyperlinks with text, no layout by empty paragraphs."""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from publish import model as m
from publish.render.docx import backend as docx

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source, rendered

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
      "dc": "http://purl.org/dc/elements/1.1/",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xc0\x20\x20" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def figures_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small book with what the big ones lack: images with and without alt text, a table, math."""
    source = tmp_path_factory.mktemp("a11y-book")
    (source / "quadrat.png").write_bytes(_png())
    (source / "Quadrat.md").write_text(
        "## Quadrat {#Quadrat .term}\n\n"
        "Ein Bild ![Ein rotes Quadrat](quadrat.png) und eines ohne Text: ![](quadrat.png).\n\n"
        "| Seite | Fläche |\n|---|---|\n| $a$ | $a^2$ |\n| 2 | 4 |\n\n"
        "$$A = a^2$$\n\nSiehe [Kreis](#Kreis).\n\n----\n\n"
        "## Kreis {#Kreis .term}\n\nDie Fläche ist $\\pi r^2$.\n", encoding="utf-8")
    return source


@pytest.fixture(scope="module", params=["seeds", "corpus", "figures"])
def document(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             figures_book: Path) -> tuple[m.Book, Path]:
    source = {"seeds": lambda: SEEDS, "corpus": corpus_source, "figures": lambda: figures_book}[request.param]()
    return rendered(docx, source, tmp_path_factory.mktemp("a11y") / "book.docx")


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def _text(element: etree._Element) -> str:
    return "".join(element.xpath(".//w:t/text()", namespaces=NS))


def test_language_and_title(document: tuple[m.Book, Path]) -> None:
    book, path = document
    core = _part(path, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS) == book.metadata.title
    assert core.findtext("dc:language", namespaces=NS) == book.metadata.language
    styles = _part(path, "word/styles.xml")
    assert styles.xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS) == [book.metadata.language]
    body = _part(path, "word/document.xml")
    assert _text(body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Title']", namespaces=NS)[0]) == book.metadata.title


def test_every_image_has_alternative_text(document: tuple[m.Book, Path]) -> None:
    book, path = document
    pictures = _part(path, "word/document.xml").xpath("//wp:docPr", namespaces=NS)
    assert all(p.get("descr", "").strip() for p in pictures)
    if any(isinstance(n, m.Image) for n in _nodes(book)):
        assert [p.get("descr") for p in pictures] == ["Ein rotes Quadrat", "quadrat"]


def _nodes(book: m.Book) -> list[object]:
    """Every node of the book's entries and front matter."""
    from publish.tree import walk

    return [n for part in (*book.front_matter, *book.entries) for n in walk(part.blocks)]


def test_formulas_are_word_equations(document: tuple[m.Book, Path]) -> None:
    """Word equations (OMML) are read out by screen readers as mathematics; a formula as an image
    or as TeX would need alt text and says less."""
    book, path = document
    body = _part(path, "word/document.xml")
    formulas = sum(isinstance(n, m.Math) for n in _nodes(book))
    equations = body.xpath("//m:oMath", namespaces=NS)
    assert len(equations) == formulas
    assert all("".join(eq.xpath(".//m:t/text()", namespaces=NS)).strip() for eq in equations)
    assert "\\frac" not in _text(body) and "^2" not in _text(body)


def test_headings_are_real_headings_with_outline_levels(document: tuple[m.Book, Path]) -> None:
    book, path = document
    styles = _part(path, "word/styles.xml")
    levels = docx._outline_levels(etree.tostring(styles))
    expected = {"Letter": 0, "Term": 1, "ExplanationHeading": 2, "SeeAlsoHeading": 2,
                "Heading1": 0, "Heading2": 1, "Heading3": 2}
    assert {sid: levels.get(sid) for sid in expected} == expected
    body = _part(path, "word/document.xml")
    terms = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Term']", namespaces=NS)
    assert [_text(p) for p in terms] == [e.title_text for e in book.entries]
    for paragraph in body.xpath("//w:p[w:pPr/w:pStyle[starts-with(@w:val, 'Heading')]]", namespaces=NS):
        assert _text(paragraph).strip(), "a heading with no text"


def test_table_header_rows_repeat(document: tuple[m.Book, Path]) -> None:
    book, path = document
    heads = sum(bool(n.head) for n in _nodes(book) if isinstance(n, m.Table))
    body = _part(path, "word/document.xml")
    repeated = body.xpath("//w:tbl[w:tr[1]/w:trPr/w:tblHeader]", namespaces=NS)
    assert len(repeated) == heads


def test_hyperlinks_have_text(document: tuple[m.Book, Path]) -> None:
    _, path = document
    links = _part(path, "word/document.xml").xpath("//w:hyperlink", namespaces=NS)
    assert links and all(_text(link).strip() for link in links)


def test_no_layout_by_empty_paragraphs(document: tuple[m.Book, Path]) -> None:
    """Space and page breaks come from styles, page-break-before and section breaks; a paragraph
    without text is only allowed where it carries something (an image, an equation, a field)."""
    _, path = document
    body = _part(path, "word/document.xml")
    for paragraph in body.xpath("//w:body//w:p", namespaces=NS):
        carries = paragraph.xpath(".//w:drawing | .//m:oMath | .//m:oMathPara | .//w:fldChar | .//w:sectPr", namespaces=NS)
        assert _text(paragraph).strip() or carries, etree.tostring(paragraph)[:200]
    assert not body.xpath("//w:br[@w:type='page']", namespaces=NS)
