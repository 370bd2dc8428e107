"""The screen PDF is tagged PDF/UA-1: checked with ``pdfua`` and by reading the structure tree with pikepdf."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from publish.build import load_book
from publish.render import pdf
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source


def _pdf(source: Path, out: Path, theme: str = "default") -> Path:
    result = pdf.render(load_book(source).book, load_theme(theme), out)
    assert result.diagnostics == []
    return result.path


@pytest.fixture(scope="module")
def default_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _pdf(SEEDS, tmp_path_factory.mktemp("pdf") / "book.pdf")


@pytest.fixture(scope="module")
def corpus_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _pdf(corpus_source(), tmp_path_factory.mktemp("pdf") / "corpus.pdf")


def _elements(pdf_file: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    stack = [pdf_file.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") in (None, "/StructElem") and "/S" in kid:
                yield kid
                stack.append(kid)


def _text(element: pikepdf.Dictionary) -> bool:
    """Whether the element has marked content (an MCID) somewhere below it."""
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid):
            return True
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and _text(kid):
            return True
    return False


@pytest.mark.parametrize("fixture", ["default_pdf", "corpus_pdf"])
def test_pdfua_finds_nothing(fixture: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(fixture)
    run = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_catalogue_declares_language_title_outline_and_ua(default_pdf: Path) -> None:
    with pikepdf.open(default_pdf) as book:
        root = book.Root
        assert str(root.Lang) == "de-DE"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert bool(root.MarkInfo.Marked) is True
        assert "/Outlines" in root
        assert str(book.docinfo.Title) == "KI-Glossar"
        assert b"pdfuaid:part" in book.Root.Metadata.read_bytes()


def test_terms_are_h2_with_text_and_letters_h1(default_pdf: Path) -> None:
    book_entries = load_book(SEEDS).book.entries
    with pikepdf.open(default_pdf) as book:
        roles = [str(e.S) for e in _elements(book)]
        headings = [e for e in _elements(book) if str(e.S) in ("/H1", "/H2", "/H3")]
        assert roles.count("/H2") >= len(book_entries)
        assert "/H1" in roles
        assert all(_text(h) for h in headings)


def test_tables_have_header_cells_with_scope(default_pdf: Path) -> None:
    with pikepdf.open(default_pdf) as book:
        elements = list(_elements(book))
        assert any(str(e.S) == "/Table" for e in elements)
        headers = [e for e in elements if str(e.S) == "/TH"]
        assert headers and all(str(h.A.Scope) == "/Column" for h in headers)


def test_links_are_tagged_annotations_named_by_their_text(default_pdf: Path) -> None:
    with pikepdf.open(default_pdf) as book:
        links = [a for page in book.pages for a in page.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all("/StructParent" in a for a in links)
        contents = {str(a.Contents) for a in links}
        # The table of contents' link to the front matter: its text, not its id ("lizenz").
        assert "Lizenz" in contents and "lizenz" not in contents
        assert any(str(e.S) == "/Link" for e in _elements(book))


def test_formulas_carry_their_tex_as_alternative_text(default_pdf: Path) -> None:
    with pikepdf.open(default_pdf) as book:
        formulas = [e for e in _elements(book) if str(e.S) == "/Formula"]
        assert formulas and all(str(f.Alt) for f in formulas)
        assert r"C \approx 6\,N\,D" in {str(f.Alt) for f in formulas}
        assert not [e for e in _elements(book) if str(e.S) == "/Figure" and "/Alt" not in e]


def test_print_theme_stays_pdf_a_2b(tmp_path: Path) -> None:
    with pikepdf.open(_pdf(SEEDS, tmp_path / "print.pdf", "print")) as book:
        xmp = book.Root.Metadata.read_bytes()
        assert b"pdfaid:part" in xmp and b"pdfuaid" not in xmp
