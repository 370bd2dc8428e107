"""Backlinks, switched on in the theme, in the formats that show them only then (PDF, EPUB, DOCX, Markdown)."""
from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from publish import model as m
from publish.build import load_book
from publish.render.docx import backend as docx
from publish.render.html.book import BookHtml
from publish.theme.theme import Theme, load_theme
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def book() -> m.Book:
    book = load_book(SEEDS).book
    assert book is not None
    return book


def _switched(on: bool) -> Theme:
    theme = load_theme("default")
    return replace(theme, values={**theme.values, "features": {**theme.values["features"], "backlinks": on}})


def test_the_resolver_knows_who_links_to_an_entry(book: m.Book) -> None:
    assert set(book.backlinks["TPU"]) >= {"GPU", "Claude"}
    order = [e.id for e in book.entries]
    for target, sources in book.backlinks.items():
        assert target not in sources and list(sources) == sorted(sources, key=order.index)


@pytest.mark.parametrize("on", [True, False])
def test_html_formats_follow_the_theme_switch(book: m.Book, on: bool) -> None:
    html = BookHtml(book, _switched(on))
    gpu = html.entry(next(e for e in book.entries if e.id == "GPU"))
    assert bool(gpu.backlinks) is on
    document = html.document(font_url=lambda face: face.path.name)
    assert ('class="backlinks"' in document) is on


def test_docx_shows_backlinks_when_switched_on(book: m.Book, tmp_path: Path) -> None:
    out = docx.render(book, _switched(True), tmp_path / "book.docx").path
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert xml.count("Erwähnt in:") == len(book.backlinks)
