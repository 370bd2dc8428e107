"""The PDF laid out in parts and joined is the same book as the one-pass PDF, and its cache works."""
from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pikepdf
import pytest
from pypdf import PdfReader

from publish import model as m
from publish.build import load_book
from publish.progress import Progress
from publish.render import RenderOptions, pdf
from publish.render.pdf_layout import PART_LINK
from publish.theme.theme import Theme, load_theme

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source

EPOCH = "1767225600"


def _theme(name: str) -> Theme:
    """The theme, untagged: a tagged PDF (the default theme's PDF/UA) is always laid out whole,
    so the screen theme is tested in parts as a theme without PDF/UA would be built."""
    theme = load_theme(name)
    values = {section: dict(keys) for section, keys in theme.values.items()}
    if values["pdf"].get("variant", "").startswith("pdf/ua"):
        values["pdf"]["variant"] = ""
    return replace(theme, values=MappingProxyType(values))


def _render(source: Path, theme: str, out: Path, **options: object) -> tuple[m.Book, Path, Progress]:
    book = load_book(source).book
    progress = Progress()
    pdf.render(book, _theme(theme), out, progress, RenderOptions(**options))  # type: ignore[arg-type]
    return book, out, progress


def _facts(path: Path) -> dict[str, object]:
    """What a reader sees: each page's text (folios, running heads, numbers), each link's page and
    target page, every named destination's page, the outline."""
    reader = PdfReader(path)
    dests = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = annotation.get("/Dest")
            links.append((number, dests.get(str(target)) if target is not None else str(annotation["/A"]["/URI"])))

    def outline(items: list, depth: int = 0) -> list[tuple[int, str, int]]:
        found: list[tuple[int, str, int]] = []
        for item in items:
            found += outline(item, depth + 1) if isinstance(item, list) else [
                (depth, item.title, reader.get_destination_page_number(item))]
        return found

    return {"text": [p.extract_text() for p in reader.pages], "links": links, "dests": dests,
            "outline": outline(reader.outline)}


@pytest.fixture(scope="module", params=["default", "print"])
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """The seeds book in one pass and in parts (two worker processes), in each theme."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        folder = tmp_path_factory.mktemp(request.param)
        _render(SEEDS, request.param, folder / "one.pdf", parts=False)
        _render(SEEDS, request.param, folder / "parts.pdf", jobs=2, cache=folder / "cache")
    return request.param, folder / "one.pdf", folder / "parts.pdf"


def test_parts_make_the_same_book_as_one_pass(both: tuple[str, Path, Path]) -> None:
    _, one, parts = both
    assert _facts(parts) == _facts(one)


def test_links_cross_parts_and_none_is_left_as_a_uri(both: tuple[str, Path, Path]) -> None:
    _, _, parts = both
    book = load_book(SEEDS).book
    facts = _facts(parts)
    first, last = book.letters[0].items[0].id, book.letters[-1].items[0].id
    letter_pages = {d: facts["dests"][d] for d in (first, last)}
    assert any(page < letter_pages[last] <= target or target < letter_pages[first] <= page
               for page, target in facts["links"] if isinstance(target, int))
    assert not [t for _, t in facts["links"] if isinstance(t, str) and t.startswith(PART_LINK)]
    assert all(target is not None for _, target in facts["links"])


def test_each_font_is_embedded_once_and_the_file_stays_small(both: tuple[str, Path, Path]) -> None:
    _, one, parts = both
    with pikepdf.open(parts) as joined:
        programs = Counter(str(o.FontName).split("+")[-1] for o in joined.objects
                           if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor")
        shared = {str(o.FontName).split("+")[-1]: o.FontFile2.objgen for o in joined.objects
                  if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile2" in o}
        streams = Counter(o.FontFile2.objgen for o in joined.objects
                          if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/FontDescriptor" and "/FontFile2" in o)
    assert len(set(shared.values())) == len(shared) and sum(streams.values()) == sum(programs.values())
    assert parts.stat().st_size <= 1.5 * one.stat().st_size


def test_print_letters_start_on_right_hand_pages_after_blank_ones(both: tuple[str, Path, Path]) -> None:
    theme, _, parts = both
    if theme != "print":
        pytest.skip("only the print theme starts letters on right-hand pages")
    book = load_book(SEEDS).book
    facts = _facts(parts)
    assert all(facts["dests"][g.anchor] % 2 == 0 for g in book.letters)  # 0-based: page 1, 3, 5 …
    assert facts["dests"][m.INDEX_ID] % 2 == 0
    assert any(not text.strip() for text in facts["text"]), "a blank page before some letter"
    with pikepdf.open(parts) as joined:
        assert "/OutputIntents" in joined.Root and "/Metadata" in joined.Root
        assert joined.open_metadata().get("pdfaid:part") == "2"


def test_the_sample_corpus_in_parts_is_the_same_book(tmp_path: Path) -> None:
    source = corpus_source()
    _render(source, "default", tmp_path / "one.pdf", parts=False)
    _render(source, "default", tmp_path / "parts.pdf", jobs=2)
    assert _facts(tmp_path / "parts.pdf") == _facts(tmp_path / "one.pdf")


def test_an_edit_lays_out_one_part_again_and_folios_follow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    cache = tmp_path / "cache"
    book, before, _ = _render(source, "default", tmp_path / "before.pdf", jobs=1, cache=cache)
    entry = book.letters[0].items[0]
    paragraph = " ".join(["Ein Absatz, der den ersten Buchstaben um eine Seite verlängert."] * 70)
    entry.source.write_text(entry.source.read_text(encoding="utf-8") + f"\n\n{paragraph}\n", encoding="utf-8")
    _, after, progress = _render(source, "default", tmp_path / "after.pdf", jobs=1, cache=cache)
    _render(source, "default", tmp_path / "one.pdf", parts=False)
    assert _facts(after) == _facts(tmp_path / "one.pdf")
    assert len(PdfReader(after).pages) > len(PdfReader(before).pages)
    laid_out = [name for name, _ in progress.timings if name.startswith("PDF: laying out")]
    assert laid_out[0].startswith(f"PDF: laying out {book.letters[0].anchor} (")
    assert "toc" in laid_out[1] and "index" in laid_out[1]
    assert not any(g.anchor in name for g in book.letters[1:] for name in laid_out)


def test_a_corrupt_part_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cache = tmp_path / "cache"
    _render(SEEDS, "default", tmp_path / "first.pdf", jobs=1, cache=cache)
    records = sorted((cache / "pdf-parts").glob("*.json"))
    files = sorted((cache / "pdf-parts").glob("*.pdf"))
    records[0].write_text("{not json", encoding="utf-8")
    files[1].write_bytes(b"%PDF-1.7 truncated")
    files[2].unlink()
    _, second, progress = _render(SEEDS, "default", tmp_path / "second.pdf", jobs=1, cache=cache)
    assert second.read_bytes() == (tmp_path / "first.pdf").read_bytes()
    assert any("from the cache" in name for name, _ in progress.timings)


def test_parts_are_byte_reproducible_with_and_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    digests = set()
    for name, cache in (("a", "cache-a"), ("b", "cache-b"), ("c", "cache-a")):
        _, out, _ = _render(SEEDS, "print", tmp_path / f"{name}.pdf", jobs=1, cache=tmp_path / cache)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_a_sentence_appended_lays_out_only_its_letter_and_the_dated_title(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SOURCE_DATE_EPOCH the book's date is its newest file's: only the title part carries it."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    book, _, _ = _render(source, "default", tmp_path / "before.pdf", jobs=1, cache=tmp_path / "cache")
    entry = book.letters[-1].items[0]
    entry.source.write_text(entry.source.read_text(encoding="utf-8") + "\nEin Satz mehr.\n", encoding="utf-8")
    _, _, progress = _render(source, "default", tmp_path / "after.pdf", jobs=1, cache=tmp_path / "cache")
    laid_out = [name for name, _ in progress.timings if name.startswith("PDF: laying out")]
    assert laid_out == [f"PDF: laying out title, {book.letters[-1].anchor} ({len(book.letters) + 1} parts from the cache)"]


def test_a_tagged_pdf_is_laid_out_whole_and_keeps_its_structure_tree(tmp_path: Path) -> None:
    """Parts do not join structure trees yet: the default theme's PDF/UA book must not lose its tags."""
    book = load_book(SEEDS).book
    progress = Progress()
    result = pdf.render(book, load_theme("default"), tmp_path / "ua.pdf", progress, RenderOptions(jobs=2))
    assert [name for name, _ in progress.timings if name.startswith("PDF: laying out")] == ["PDF: laying out pages"]
    assert "/StructTreeRoot" in PdfReader(result.path).trailer["/Root"] and result.page_starts
