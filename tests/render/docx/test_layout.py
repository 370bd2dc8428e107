"""Pages, fields and fonts in the DOCX's XML: sections and their headers, the TOC and INDEX
results, embedded fonts, and what the build says without LibreOffice."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish import model as m
from publish.build import load_book
from publish.render.docx import backend as docx
from publish.render.docx.fonts import obfuscate
from publish.render.docx.libreoffice import destination_name
from publish.theme.theme import load_theme

from tests.conftest import SEEDS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}


@pytest.fixture(scope="module")
def without_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path, list[str]]:
    patch = pytest.MonkeyPatch()
    patch.setenv("PUBLISH_SOFFICE", "off")
    try:
        book = load_book(SEEDS).book
        out = tmp_path_factory.mktemp("layout") / "book.docx"
        result = docx.render(book, load_theme("default"), out)
    finally:
        patch.undo()
    return book, out, result.notes


@pytest.fixture(scope="module")
def print_theme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    patch = pytest.MonkeyPatch()
    patch.setenv("PUBLISH_SOFFICE", "off")
    try:
        out = tmp_path_factory.mktemp("layout") / "print.docx"
        docx.render(load_book(SEEDS).book, load_theme("print"), out)
    finally:
        patch.undo()
    return out


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def test_without_libreoffice_the_build_says_so_and_lists_everything(
        without_libreoffice: tuple[m.Book, Path, list[str]]) -> None:
    book, path, notes = without_libreoffice
    assert len(notes) == 1 and "LibreOffice" in notes[0] and "Word" in notes[0]
    document = _part(path, "word/document.xml")
    toc = document.xpath("//w:p[w:pPr/w:pStyle[@w:val='TOC2']]", namespaces=NS)
    assert ["".join(p.xpath(".//w:t/text()", namespaces=NS)) for p in toc] == [e.title_text for e in book.entries]
    assert not document.xpath("//w:instrText[contains(., 'PAGEREF')]", namespaces=NS), "no page numbers guessed"
    instructions = " ".join(document.xpath("//w:instrText/text()", namespaces=NS))
    assert 'TOC \\o "1-2"' in instructions and "INDEX " in instructions
    assert _part(path, "word/settings.xml").xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]


def test_sections_title_page_and_running_heads(without_libreoffice: tuple[m.Book, Path, list[str]]) -> None:
    book, path, _ = without_libreoffice
    document = _part(path, "word/document.xml")
    sections = document.xpath("//w:sectPr", namespaces=NS)
    assert len(sections) == 4, "title page, front, entries, index"
    title, front, entries, index = sections
    rels = _part(path, "word/_rels/document.xml.rels")
    target = {r.get("Id"): r.get("Target") for r in rels}

    def header(section: etree._Element, kind: str = "default") -> str:
        [ref] = section.xpath(f"w:headerReference[@w:type='{kind}']/@r:id", namespaces=NS)
        return " ".join(_part(path, "word/" + target[ref]).xpath("//w:instrText/text()|//w:t/text()", namespaces=NS))

    assert header(title).strip() == "" and "STYLEREF" not in header(front)
    assert 'STYLEREF "Term"' in header(entries) and 'STYLEREF "Term" \\l' in header(entries)
    assert "Index" in header(index)
    for section in sections[1:]:
        [ref] = section.xpath("w:footerReference[@w:type='default']/@r:id", namespaces=NS)
        assert "PAGE" in " ".join(_part(path, "word/" + target[ref]).xpath("//w:instrText/text()", namespaces=NS))
    letters = document.xpath("//w:p[w:pPr/w:pStyle/@w:val='Letter']", namespaces=NS)
    assert len(letters) == len(book.letters)
    assert all(p.find(f"{{{W}}}pPr/{{{W}}}pageBreakBefore") is not None for p in letters[1:])


def test_print_theme_mirrors_pages_and_starts_letters_on_the_right(print_theme: Path) -> None:
    settings = _part(print_theme, "word/settings.xml")
    assert settings.find(f"{{{W}}}mirrorMargins") is not None
    assert settings.find(f"{{{W}}}evenAndOddHeaders") is not None
    document = _part(print_theme, "word/document.xml")
    starts = document.xpath("//w:sectPr/w:type/@w:val", namespaces=NS)
    assert starts.count("oddPage") == len(load_book(SEEDS).book.letters)
    entries = document.xpath("//w:sectPr[w:headerReference[@w:type='even']]", namespaces=NS)
    assert entries


def test_fonts_are_embedded_and_obfuscated(without_libreoffice: tuple[m.Book, Path, list[str]]) -> None:
    _, path, _ = without_libreoffice
    table = _part(path, "word/fontTable.xml")
    embedded = table.xpath("//w:font/*[starts-with(local-name(), 'embed')]", namespaces=NS)
    assert {e.getparent().get(f"{{{W}}}name") for e in embedded} == {"Noto Serif", "Noto Sans", "Noto Sans Mono"}
    rels = {r.get("Id"): r.get("Target") for r in _part(path, "word/_rels/fontTable.xml.rels")}
    theme = load_theme("default")
    files = {f.path.name: f.path.read_bytes() for f in theme.fonts}
    with zipfile.ZipFile(path) as archive:
        for element in embedded:
            data = archive.read("word/" + rels[element.get(f"{{{R}}}id")])
            plain = obfuscate(data, element.get(f"{{{W}}}fontKey"))
            assert plain in files.values() and data != plain
    assert _part(path, "word/settings.xml").find(f"{{{W}}}embedTrueTypeFonts") is not None


def test_libreoffice_destination_names() -> None:
    assert destination_name("Compute_Budget") == "Compute5FBudget"
    assert destination_name("Compute__zukünftige") == "Compute5F5Fzuk25C325BCnftige"
