"""The DOCX as a reader sees it: LibreOffice prints it to PDF and the pages are read back.

Contents filled with page numbers, every letter on a new page, running heads and folios, the
index with the pages its terms are on, and no "update the fields" note (the sample corpus written by
pandoc in two halves and joined, as large books are). Skips where LibreOffice
is not installed (``make libreoffice-packages``; CI installs it).
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from publish import model as m
from publish.build import load_book
from publish.render import RenderOptions
from publish.render.docx import backend as docx
from publish.render.docx import pandoc_docx
from publish.render.docx.libreoffice import soffice, to_pdf
from publish.render.docx.pages import mirrored
from publish.theme.languages import language_of
from publish.theme.theme import Theme, load_theme

from tests.conftest import CORPUS, LIBREOFFICE_SWITCH, SEEDS


@pytest.fixture(scope="module", params=["seeds", "corpus", "seeds-print"])
def printed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, list[str]]:
    """The book, and the text of each page of LibreOffice's PDF of its DOCX."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(LIBREOFFICE_SWITCH, raising=False)  # the suite turns it off for every other test
        program = soffice()
        if program is None:
            pytest.skip("LibreOffice (soffice) is not installed: make libreoffice-packages")
        source = CORPUS if request.param == "corpus" else SEEDS
        theme = _theme(request.param)
        if not source.is_dir():
            pytest.skip(f"sample corpus not found at {CORPUS}")
        folder = tmp_path_factory.mktemp("pages")
        book = load_book(source).book
        if request.param == "corpus":
            # written by pandoc in two halves and joined, as a large book is on two free cores
            patch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)
            patch.setattr(pandoc_docx, "free_cores", lambda: 2)
        result = docx.render(book, theme, folder / "book.docx", options=RenderOptions(jobs=2))
    assert result.notes == [], "with LibreOffice the build measures the pages itself"
    import pdfplumber

    # pdfplumber orders each page's lines top to bottom: running head first, folio last, whatever
    # order LibreOffice wrote them in.
    with pdfplumber.open(to_pdf(program, folder / "book.docx", folder)) as pdf:
        return book, [page.extract_text() or "" for page in pdf.pages]


def _theme(param: str) -> Theme:
    return load_theme("print" if param.endswith("print") else "default")


STYLEREF_SINCE = (7, 6)
"""LibreOffice computes Word's STYLEREF fields per page since 7.6; before, every page shows the
field's saved result."""


def _libreoffice_version() -> tuple[int, ...]:
    program = soffice() or "soffice"
    output = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=120).stdout
    found = re.search(r"LibreOffice (\d+)\.(\d+)", output)
    assert found, f"no version in {output!r}"
    return int(found.group(1)), int(found.group(2))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _page_of(pages: list[str], title: str, start: int = 1) -> int:
    """The first page (1-based) after ``start`` with a line that is exactly ``title``."""
    for number, text in enumerate(pages[start:], start + 1):
        if title in _lines(text):
            return number
    raise AssertionError(f"{title!r} is on no page")


def _letter_page(pages: list[str], letter: str) -> int:
    """The page a letter group starts: the letter is its first line under the running head."""
    return next(n for n, text in enumerate(pages, 1) if _lines(text)[1:2] == [letter])


def _entry_pages(book: m.Book, pages: list[str]) -> dict[str, int]:
    """The page each entry's heading is on: entries come in book order, each a line of its own."""
    found, number = {}, _letter_page(pages, book.letters[0].letter)
    for entry in book.entries:
        while entry.title_text not in _lines(pages[number - 1]):
            number += 1
        found[entry.title_text] = number
    return found


def _index_start(pages: list[str], label: str) -> int:
    """The first page of the index: every index page has the label as its running head."""
    number = len(pages)
    while number > 1 and _lines(pages[number - 2])[:1] == [label]:
        number -= 1
    return number


def test_title_page_stands_alone(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    labels = language_of(book.metadata.language).labels
    first = _lines(pages[0])
    assert book.metadata.title in first
    assert labels["contents"] not in first and not any(e.title_text in first for e in book.entries)
    assert not re.search(r"\d+$", first[-1]) or first[-1] == book.metadata.date, "no folio on the title page"


def test_contents_are_filled_with_page_numbers(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    labels = language_of(book.metadata.language).labels
    start = _page_of(pages, labels["contents"])
    assert start == 2
    contents = "\n".join(pages[start - 1:_letter_page(pages, book.letters[0].letter)])
    where = _entry_pages(book, pages)
    for entry in book.entries:
        found = re.search("^" + re.escape(entry.title_text) + r"\s*\.{3,}\s*(\d+)$", contents, re.MULTILINE)
        assert found, f"{entry.title_text} has no page in the contents"
        assert int(found.group(1)) == where[entry.title_text], entry.title_text


def test_every_letter_starts_a_page(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    seen = []
    for group in book.letters:
        number = _letter_page(pages, group.letter)
        seen.append(number)
        first_entry = _lines(pages[number - 1])
        assert group.items[0].title_text in first_entry
    assert seen == sorted(set(seen)), "one page per letter, in order"
    if any(not _lines(text) for text in pages):
        assert all(number % 2 == 1 for number in seen), "letters on right-hand pages"


def test_folios(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    for number, text in enumerate(pages[1:], 2):
        lines = _lines(text)
        if not lines:
            # The print theme starts letters on right-hand pages: the left one before stays blank.
            assert number % 2 == 0 and _lines(pages[number])[1:2] in ([g.letter] for g in book.letters)
            continue
        assert lines[-1] == str(number), f"page {number} has no folio"


def test_running_heads_are_the_first_and_last_terms(printed: tuple[m.Book, list[str]],
                                                    request: pytest.FixtureRequest) -> None:
    """Word's STYLEREF: the first term on a page, and the last (``\\l``); on a page where no entry
    starts, the term carried over from before. The print theme shows the first on left-hand pages,
    the last on right-hand ones; the default theme both on every page."""
    book, pages = printed
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(LIBREOFFICE_SWITCH, raising=False)
        version = _libreoffice_version()
    if version < STYLEREF_SINCE:
        pytest.skip(f"LibreOffice {'.'.join(map(str, version))} shows STYLEREF's saved result (the title) "
                    "on every page: make libreoffice-packages installs one that computes it")
    mirrored_pages = mirrored(_theme(request.node.callspec.params["printed"]))
    where = _entry_pages(book, pages)
    first_letter = _letter_page(pages, book.letters[0].letter)
    last_entry = max(where.values())
    carried = None
    for number in range(first_letter, last_entry + 1):
        lines = _lines(pages[number - 1])
        starting = [title for title, page in where.items() if page == number]
        if not lines:
            continue
        first, last = (starting[0], starting[-1]) if starting else (carried, carried)
        carried = last
        expected = (first if number % 2 == 0 else last) if mirrored_pages else f"{first} {last}"
        assert lines[0] == expected, f"page {number}: running head {lines[0]!r}, the terms say {expected!r}"


def test_index_has_the_pages_of_its_terms(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    labels = language_of(book.metadata.language).labels
    start = _index_start(pages, labels["index"])
    assert _lines(pages[start - 1])[:2] == [labels["index"], labels["index"]], "the index starts a page"
    index = "\n".join(pages[start - 1:])
    where = _entry_pages(book, pages)
    for entry in book.entries:
        found = re.search(r"^" + re.escape(entry.title_text) + r", (\d+)", index, re.MULTILINE)
        assert found, f"{entry.title_text} has no page in the index"
        assert int(found.group(1)) == where[entry.title_text], entry.title_text
    for group in book.index:
        for item in group.items:
            if item.see:
                assert f"{item.term}, {labels['see']} {item.see}" in index


def test_no_note_asks_to_update_fields(printed: tuple[m.Book, list[str]]) -> None:
    book, pages = printed
    text = "\n".join(pages)
    assert "F9" not in text and "Felder aktualisieren" not in text and "Update fields" not in text
