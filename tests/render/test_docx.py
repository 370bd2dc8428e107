"""The DOCX, read from its XML: bookmarks and hyperlinks, styles, fields, metadata, math."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish import model as m
from publish.render.docx import backend as docx
from publish.build import load_book
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source, rendered

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
      "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def default_docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(docx, SEEDS, tmp_path_factory.mktemp("docx") / "book.docx")


@pytest.fixture(scope="module")
def corpus_docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(docx, corpus_source(), tmp_path_factory.mktemp("docx") / "corpus.docx")


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def _index_links(book: m.Book) -> int:
    """One link per index line: the term to its entry, or an alias to the entry to see."""
    return sum(len(group.items) for group in book.index)


def _toc_lines(document: etree._Element) -> list[etree._Element]:
    return document.xpath("//w:p[w:pPr/w:pStyle[@w:val='TOC1' or @w:val='TOC2']]", namespaces=NS)


@pytest.mark.parametrize("fixture", ["default_docx", "corpus_docx"])
def test_every_hyperlink_has_its_bookmark(fixture: str, request: pytest.FixtureRequest) -> None:
    book, path = request.getfixturevalue(fixture)
    document = _part(path, "word/document.xml")
    bookmarks = document.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    anchors = document.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
    assert anchors and set(anchors) <= set(bookmarks)
    assert len(anchors) == book.links + _index_links(book) + len(_toc_lines(document))
    assert all(len(name) <= 40 and name[0].isalpha() and re.fullmatch(r"\w+", name) for name in bookmarks
               if not name.startswith("_"))


def test_index_links_reach_the_index_heading(default_docx: tuple[m.Book, Path]) -> None:
    book, path = default_docx
    document = _part(path, "word/document.xml")
    index_links = document.xpath("//w:hyperlink[@w:anchor='Index']", namespaces=NS)
    assert len(index_links) == len(book.entries) + 1  # every entry's see-also list, and the contents
    # pandoc puts a heading's bookmark right before its paragraph (it bookmarks whole sections).
    [heading] = document.xpath("//w:bookmarkStart[@w:name='Index']/following-sibling::w:p[1]", namespaces=NS)
    assert "".join(heading.itertext()).strip() == "Index"
    assert heading.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Heading1"]


def test_theme_styles_exist_and_are_used(default_docx: tuple[m.Book, Path]) -> None:
    _, path = default_docx
    styles = _part(path, "word/styles.xml")
    names = {s.xpath("string(w:name/@w:val)", namespaces=NS): s.get(f"{{{W}}}styleId")
             for s in styles.xpath("//w:style", namespaces=NS)}
    used = set(_part(path, "word/document.xml").xpath("//w:pStyle/@w:val", namespaces=NS))
    for name in load_theme("default").values["docx"].values():
        assert name in names, name
        assert names[name] in used, name
    term = styles.xpath("//w:style[@w:styleId='Term']", namespaces=NS)[0]
    assert term.xpath("string(w:basedOn/@w:val)", namespaces=NS) == "Heading2"
    body_font = styles.xpath("string(//w:docDefaults//w:rFonts/@w:ascii)", namespaces=NS)
    assert body_font == "Noto Serif"
    page = _part(path, "word/document.xml").xpath("//w:body/w:sectPr/w:pgSz", namespaces=NS)[0]
    assert (page.get(f"{{{W}}}w"), page.get(f"{{{W}}}h")) == ("11906", "16838")  # A4 in twips


def test_term_headings_carry_xe_fields_and_word_gets_an_index_field(default_docx: tuple[m.Book, Path]) -> None:
    book, path = default_docx
    document = _part(path, "word/document.xml")
    instructions = [t.strip() for t in document.xpath("//w:instrText/text()", namespaces=NS)]
    for entry in book.entries:
        assert f'XE "{entry.title_text}" \\b' in instructions
    assert 'XE "Grafikprozessor" \\t "siehe GPU"' in instructions
    assert 'XE "Energieeffizienz"' in instructions
    assert any(i.startswith("INDEX ") for i in instructions) and any(i.startswith("TOC ") for i in instructions)
    settings = _part(path, "word/settings.xml")
    assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]
    terms = document.xpath("//w:p[w:pPr/w:pStyle/@w:val='Term']", namespaces=NS)
    assert ["".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in terms] == [e.title_text for e in book.entries]


def test_core_properties(default_docx: tuple[m.Book, Path]) -> None:
    book, path = default_docx
    core = _part(path, "docProps/core.xml")
    assert core.findtext("dc:title", namespaces=NS) == book.metadata.title
    assert core.findtext("dc:language", namespaces=NS) == "de-DE"
    assert all(author in core.findtext("dc:creator", namespaces=NS) for author in book.metadata.authors)


@pytest.mark.parametrize("fixture", ["default_docx", "corpus_docx"])
def test_math_is_omml_not_tex(fixture: str, request: pytest.FixtureRequest) -> None:
    _, path = request.getfixturevalue(fixture)
    document = _part(path, "word/document.xml")
    assert document.xpath("//m:oMath", namespaces=NS)
    text = "".join(document.xpath("//w:t/text()", namespaces=NS))
    assert "\\frac" not in text and "\\alpha" not in text and "\\eta" not in text


def test_dangling_links_are_plain_text(corpus_docx: tuple[m.Book, Path]) -> None:
    _, path = corpus_docx
    document = _part(path, "word/document.xml")
    assert not document.xpath("//w:hyperlink[contains(@w:anchor, 'Kigo')]", namespaces=NS)
    assert "Kigo" in "".join(document.xpath("//w:t/text()", namespaces=NS))
    assert document.xpath("//w:tc/w:tcPr/w:gridSpan", namespaces=NS), "grid table spans"


def test_same_sources_and_epoch_give_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    theme = load_theme("default")
    first = tmp_path / "a.docx"
    second = tmp_path / "b.docx"
    docx.render(load_book(SEEDS).book, theme, first)
    docx.render(load_book(SEEDS).book, theme, second)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    assert "2026-01-01T00:00:00Z" in etree.tostring(_part(first, "docProps/core.xml")).decode()


def test_libreoffice_opens_it_and_shows_the_entries(default_docx: tuple[m.Book, Path], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed here; the DOCX XML tests above still ran")
    book, path = default_docx
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "book.pdf").pages)
    for entry in book.entries[:3]:
        assert entry.title_text in text
    assert "Grafikprozessor" in text


def test_bookmark_names_are_unique_ignoring_case_and_at_most_40_characters(tmp_path: Path) -> None:
    """Word compares bookmark names case-insensitively and refuses names over 40 characters."""
    long_id = "Ein-sehr-langer-Begriff-der-nicht-aufhoeren-will"
    (tmp_path / "A.md").write_text(
        "## gpu {#gpu .term}\n\nx\n\n## GPU {#GPU .term}\n\nx\n\n"
        f"## Lang {{#{long_id}-a .term}}\n\nx\n\n## Lang {{#{long_id}-b .term}}\n\n[l](#{long_id}-a)\n",
        encoding="utf-8")
    book = load_book(tmp_path).book
    names = docx.bookmark_names(book)
    assert {"gpu", "GPU", f"{long_id}-a", f"{long_id}-b"} <= set(names)
    assert len({name.lower() for name in names.values()}) == len(names)
    assert all(len(name) <= docx.BOOKMARK_LIMIT and re.fullmatch(r"[A-Za-z]\w*", name) for name in names.values())


def test_bad_math_is_reported_and_shown_as_tex(tmp_path: Path) -> None:
    """README: TeX that cannot be typeset is a bad-math warning and shows its source, in Word too."""
    (tmp_path / "A.md").write_text("## A {#A .term}\n\nKaputt: $\\frac{a}{$ und gut: $x^2$.\n", encoding="utf-8")
    book = load_book(tmp_path).book
    result = docx.render(book, load_theme("default"), tmp_path / "book.docx")
    assert [(d.code.value, d.path.name, d.line, d.col) for d in result.diagnostics] == [("bad-math", "A.md", 3, 10)]
    body = _part(tmp_path / "book.docx", "word/document.xml")
    assert "\\frac{a}{" in "".join(body.xpath("//w:t/text()", namespaces=NS))
    assert len(body.xpath("//m:oMath", namespaces=NS)) == 1


def test_a_formula_nested_thousands_deep_is_tex_source_not_word_xml_too_deep_to_read(tmp_path: Path) -> None:
    """pandoc reads TeX our typesetter refuses (1,000 nested ``\\left(``) and writes Word XML nested
    beyond what lxml reads back (a traceback): such a formula goes to Word as its TeX, as in the
    other formats, with the one bad-math warning."""
    deep = "\\left(" * 1000 + "x" + "\\right)" * 1000
    (tmp_path / "A.md").write_text(f"## A {{#A .term}}\n\nTief: ${deep}$ und gut: $x^2$.\n", encoding="utf-8")
    book = load_book(tmp_path).book
    result = docx.render(book, load_theme("default"), tmp_path / "book.docx")
    assert [(d.code.value, d.line, "nested too deeply" in d.message, len(d.message) < 200)
            for d in result.diagnostics] == [("bad-math", 3, True, True)]
    body = _part(tmp_path / "book.docx", "word/document.xml")
    assert deep in "".join(body.xpath("//w:t/text()", namespaces=NS))
    assert len(body.xpath("//m:oMath", namespaces=NS)) == 1


def test_word_xml_too_deep_to_read_is_a_render_error() -> None:
    from publish.render import RenderError
    from publish.render.docx.join import parse_part

    with pytest.raises(RenderError, match="cannot be read back"):
        parse_part(b"<a>" * 3000 + b"</a>" * 3000)
