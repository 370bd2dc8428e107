"""The EPUB through Ace by DAISY: no violation of any impact, in every theme, on the seeds and the corpus."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.build import Job, load_book, render_staged, target_path
from publish.progress import Progress
from publish.render import epub, load_backend
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.render.accessibility_tools import ace_violations
from tests.render.conftest import corpus_source

OPF = "{http://www.idpf.org/2007/opf}"


def _epub(source: Path, theme: str, out: Path) -> Path:
    result = epub.render(load_book(source).book, load_theme(theme), out / "book.epub")
    assert result.diagnostics == []
    return result.path


def _paged_epub(source: Path, out: Path) -> Path:
    """The EPUB of a build that renders the PDF too: with page-break markers and a page list."""
    book, theme = load_book(source).book, load_theme("default")
    jobs = [Job(load_backend(f), theme, target_path(out, book, theme, load_backend(f))) for f in ("pdf", "epub")]
    results = render_staged(book, jobs, Progress()).commit()
    assert all(r.diagnostics == [] for r in results)
    return results[1].path


@pytest.mark.parametrize("theme", ["print", "lexikon"])
def test_ace_finds_nothing_in_the_default_book_in_other_themes(theme: str, tmp_path: Path) -> None:
    assert ace_violations(_epub(SEEDS, theme, tmp_path), tmp_path / "ace") == []


def test_ace_finds_nothing_in_the_default_book_with_print_pages(tmp_path: Path) -> None:
    assert ace_violations(_paged_epub(SEEDS, tmp_path), tmp_path / "ace") == []


def test_ace_finds_nothing_in_the_corpus_with_print_pages(tmp_path: Path) -> None:
    assert ace_violations(_paged_epub(corpus_source(), tmp_path), tmp_path / "ace") == []


def test_package_has_the_language_and_a_conformance_claim(tmp_path: Path) -> None:
    with zipfile.ZipFile(_epub(SEEDS, "default", tmp_path)) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "de-DE"
    meta = {el.get("property"): el.text for el in opf.iter(f"{OPF}meta") if el.get("property")}
    features = {el.text for el in opf.iter(f"{OPF}meta") if el.get("property") == "schema:accessibilityFeature"}
    modes = {el.text for el in opf.iter(f"{OPF}meta") if el.get("property") == "schema:accessMode"}
    assert "MathML" in features and modes == {"textual"}  # formulas, no images in the seeds
    assert meta["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    assert meta["a11y:certifiedBy"]
