"""The print PDF: trim, bleed and crop marks, mirrored margins, blank pages, PDF/A-2b, reproducible."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from publish.render import pdf
from publish.build import load_book
from publish.theme.theme import load_theme
from publish.theme.units import length_mm, page_size_mm

from tests.conftest import SEEDS

PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def print_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "book-print.pdf"
    pdf.render(load_book(SEEDS).book, load_theme("print"), out)
    return out


def _mm(box: object) -> list[float]:
    return [round(float(v) / PT_PER_MM, 1) for v in box]  # type: ignore[attr-defined]


def test_boxes_have_the_sizes_the_theme_sets(print_pdf: Path) -> None:
    theme = load_theme("print")
    width, height = page_size_mm(theme.value("page", "size"))
    bleed = length_mm(theme.value("page", "bleed"))
    assert (width, height, bleed) == (148, 210, 3)
    for page in PdfReader(print_pdf).pages:
        assert _mm(page.trimbox) == [0, 0, width, height]
        assert _mm(page.mediabox) == [-bleed, -bleed, width + bleed, height + bleed]
        assert _mm(page.bleedbox) == _mm(page.mediabox)


def test_crop_marks_are_drawn_outside_the_trim_box(print_pdf: Path) -> None:
    with pdfplumber.open(print_pdf) as document:
        for page in document.pages:
            x0, top, x1, bottom = page.trimbox

            def outside(line: dict) -> bool:
                mid_x, mid_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
                return not (x0 <= mid_x <= x1 and top <= mid_y <= bottom)

            marks = [line for line in page.lines if outside(line)]
            assert len(marks) == 8, "two crop marks at each corner"
            corners = {(round(m["x0"]) < x0 + 1 or round(m["x1"]) <= x0, m["top"] < top + 1) for m in marks}
            assert len(corners) == 4


def test_left_and_right_pages_have_mirrored_margins(print_pdf: Path) -> None:
    theme = load_theme("print")
    inner = length_mm(theme.value("page", "margin_inner")) * PT_PER_MM
    outer = length_mm(theme.value("page", "margin_outer")) * PT_PER_MM
    lefts: dict[str, list[float]] = {"right": [], "left": []}
    with pdfplumber.open(print_pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            # The text block's left edge: the leftmost x where several lines start (list items
            # and headings of another size start elsewhere).
            starts = Counter(round(line["x0"] - page.trimbox[0], 1) for line in page.extract_text_lines())
            if sum(starts.values()) > 15:
                lefts["right" if number % 2 else "left"].append(min(x for x, n in starts.items() if n >= 3))
    assert lefts["right"] and lefts["left"]
    assert all(abs(x - inner) < 1.5 for x in lefts["right"]), lefts
    assert all(abs(x - outer) < 1.5 for x in lefts["left"]), lefts


def test_letters_start_on_right_pages_and_blank_pages_stay_blank(print_pdf: Path) -> None:
    book = load_book(SEEDS).book
    reader = PdfReader(print_pdf)
    for group in book.letters:
        assert reader.get_destination_page_number(reader.named_destinations[group.anchor]) % 2 == 0
    with pdfplumber.open(print_pdf) as document:
        texts = [page.extract_text() or "" for page in document.pages]
    blank = [n for n, text in enumerate(texts) if not text.strip()]
    assert blank, "right-hand letter starts must leave blank left pages"
    entry_pages = [text for text in texts if "Compute" in text.split("\n")[0]]
    assert entry_pages, "entry pages carry running heads"


def test_pdf_a_2b_with_fonts_embedded_and_metadata(print_pdf: Path) -> None:
    reader = PdfReader(print_pdf)
    root = reader.trailer["/Root"]
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert [intent["/S"] for intent in intents] == ["/GTS_PDFA1"] and "/DestOutputProfile" in intents[0]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*2", xmp) and re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
    assert reader.metadata.title == "KI-Glossar" and "Kurt Pfeifle" in reader.metadata.author
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor


def test_cross_references_read_arrow_term_and_are_not_coloured(print_pdf: Path) -> None:
    with pdfplumber.open(print_pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
        colours = {tuple(c["non_stroking_color"] or ()) for page in document.pages for c in page.chars}
    assert "→ GPUs" in text or "→ GPU" in text
    assert all(len(set(colour)) <= 1 for colour in colours), colours  # greys only, no blue links


def test_print_build_is_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    theme = load_theme("print")
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pdf.render(load_book(SEEDS).book, theme, first)
    pdf.render(load_book(SEEDS).book, theme, second)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    assert PdfReader(first).metadata["/CreationDate"].startswith("D:20260101000000")
