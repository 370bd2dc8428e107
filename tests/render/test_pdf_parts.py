"""The PDF laid out in parts and joined is the same book as the one-pass PDF, and its cache works."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from publish import model as m
from publish.build import load_book
from publish.progress import Progress
from publish.render import RenderOptions, pdf, pdf_fonts, pdf_parts
from publish.render.pdf_task import PART_LINK
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.render.conftest import corpus_source

EPOCH = "1767225600"


def _render(source: Path, theme: str, out: Path, **options: object) -> tuple[m.Book, Path, Progress]:
    book = load_book(source).book
    progress = Progress()
    pdf.render(book, load_theme(theme), out, progress, RenderOptions(**options))  # type: ignore[arg-type]
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
    folio_layouts: list[int] = []
    real_folio_layers = pdf._BookPdf._folio_layers

    class Counting:
        def __init__(self, pool: object) -> None:
            self.pool = pool

        def lay_out(self, tasks: object) -> object:
            for done in self.pool.lay_out(tasks):  # type: ignore[attr-defined]
                folio_layouts.append(1)
                yield done

    def counted(self: pdf._BookPdf, placement: pdf_parts.Placement, base: str, store: object, pool: object) -> object:
        return real_folio_layers(self, placement, base, store, Counting(pool))  # type: ignore[arg-type]

    monkeypatch.setattr(pdf._BookPdf, "_folio_layers", counted)
    _, after, progress = _render(source, "default", tmp_path / "after.pdf", jobs=1, cache=cache)
    assert folio_layouts == [], "one more page, no named page moved: every folio layer is the one before"
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
    fonts = sorted((cache / "pdf-parts").glob("*.ttf"))
    assert fonts, "the join keeps the font programs it merged"
    records[0].write_text("{not json", encoding="utf-8")
    files[1].write_bytes(b"%PDF-1.7 truncated")
    files[2].unlink()
    fonts[0].write_bytes(fonts[0].read_bytes()[:100])
    trees = sorted((cache / "pdf-parts").glob("*.tree"))
    assert len(trees) >= 3, "each tagged part keeps its structure tree"
    trees[0].write_bytes(trees[0].read_bytes()[:-50])
    digest, kept = trees[1].read_bytes().split(b"\n", 1)  # the digest still fits, the tree does not
    misfit = kept.replace(b"\\u0000L1\\u0000", b"\\u0000L99999\\u0000", 1)
    assert misfit != kept
    trees[1].write_bytes(digest + b"\n" + misfit)
    trees[2].write_bytes(b"0" * 64 + b"\n" + trees[2].read_bytes().split(b"\n", 1)[1])
    _, second, progress = _render(SEEDS, "default", tmp_path / "second.pdf", jobs=1, cache=cache)
    assert second.read_bytes() == (tmp_path / "first.pdf").read_bytes()
    assert any("from the cache" in name for name, _ in progress.timings)


def test_an_edit_merges_no_font_again_and_the_kept_merges_make_the_same_book(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    book, _, _ = _render(source, "default", tmp_path / "before.pdf", jobs=1, cache=tmp_path / "cache")
    entry = book.letters[-1].items[0]
    entry.source.write_text(entry.source.read_text(encoding="utf-8") + "\nEin Satz mehr.\n", encoding="utf-8")
    merges: list[int] = []
    real_merged = pdf_fonts._merged
    monkeypatch.setattr(pdf_fonts, "_merged", lambda programs: merges.append(len(programs)) or real_merged(programs))
    _, edited, _ = _render(source, "default", tmp_path / "after.pdf", jobs=1, cache=tmp_path / "cache")
    assert merges == []
    _, fresh, _ = _render(source, "default", tmp_path / "fresh.pdf", jobs=1, cache=tmp_path / "empty")
    assert merges, "without kept merges the fonts are merged"
    assert edited.read_bytes() == fresh.read_bytes()


def test_parts_are_byte_reproducible_with_and_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    digests = set()
    for name, cache in (("a", "cache-a"), ("b", "cache-b"), ("c", "cache-a")):
        _, out, _ = _render(SEEDS, "print", tmp_path / f"{name}.pdf", jobs=1, cache=tmp_path / cache)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_a_sentence_appended_lays_out_only_its_letter_and_the_join_dates_the_book(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SOURCE_DATE_EPOCH the book's date is its newest file's. No part carries it: the join
    writes it into the document information and the XMP metadata, the same as one pass does."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    book, _, _ = _render(source, "default", tmp_path / "before.pdf", jobs=1, cache=tmp_path / "cache")
    entry = book.letters[-1].items[0]
    entry.source.write_text(entry.source.read_text(encoding="utf-8") + "\nEin Satz mehr.\n", encoding="utf-8")
    os.utime(entry.source, (1_900_000_000, 1_900_000_000))
    edited, after, progress = _render(source, "default", tmp_path / "after.pdf", jobs=1, cache=tmp_path / "cache")
    laid_out = [name for name, _ in progress.timings if name.startswith("PDF: laying out")]
    assert laid_out == [f"PDF: laying out {book.letters[-1].anchor} ({len(book.letters) + 2} parts from the cache)"]
    _render(source, "default", tmp_path / "one.pdf", parts=False)
    with pikepdf.open(after) as parts, pikepdf.open(tmp_path / "one.pdf") as one:
        assert str(parts.trailer.Info.CreationDate) == str(one.trailer.Info.CreationDate) == "D:20300317174640Z"
        assert str(parts.trailer.Info.ModDate) == "D:20300317174640Z"
        with parts.open_metadata() as xmp, one.open_metadata() as reference:
            assert xmp["xmp:CreateDate"] == reference["xmp:CreateDate"] == "2030-03-17T17:46:40Z"
            assert xmp["xmp:ModifyDate"] == "2030-03-17T17:46:40Z" and xmp["dc:title"] == reference["dc:title"]


def test_a_tagged_book_in_parts_passes_pdfua_and_has_one_structure_tree(tmp_path: Path) -> None:
    """The default theme's PDF/UA book in parts: pdfua finds nothing, exactly as in one pass; one
    Document element, a parent tree whose keys are the pages' and annotations' keys, every element on
    a page of the book; and the same page starts (the EPUB's print edition) as one pass."""
    book = load_book(SEEDS).book
    theme = load_theme("default")
    one = pdf.render(book, theme, tmp_path / "one.pdf", Progress(), RenderOptions(parts=False))
    parts = pdf.render(book, theme, tmp_path / "parts.pdf", Progress(), RenderOptions(jobs=2))
    for result in (one, parts):
        run = subprocess.run([sys.executable, "-m", "pdfua", "check", str(result.path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
    assert parts.page_starts == one.page_starts and parts.page_starts
    with pikepdf.open(parts.path) as joined:
        root = joined.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        nums = root.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        pages = {page.objgen for page in (p.obj for p in joined.pages)}
        used = [int(p.obj.StructParents) for p in joined.pages if "/StructParents" in p.obj]
        used += [int(a.StructParent) for p in joined.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
        assert sorted(used) == keys == sorted(set(keys)) and int(root.ParentTreeNextKey) == keys[-1] + 1
        stack, elements = list(root.K), 0
        while stack:
            element = stack.pop()
            elements += 1
            assert "/Pg" not in element or element.Pg.objgen in pages
            stack += [k for k in (element.K if isinstance(element.get("/K"), pikepdf.Array) else [element.get("/K")])
                      if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        assert elements > len(joined.pages)
        assert joined.Root.Lang and joined.Root.MarkInfo.Marked and joined.Root.ViewerPreferences.DisplayDocTitle


def test_a_large_letter_is_laid_out_in_chunks_that_keep_its_heads_outline_and_flow(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few thousand characters split the seeds' letters: each chunk continues its letter on
    the next page (either side), under the letter in the outline, with the running head carried over;
    folios come from layers of four pages and still count on."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(pdf_parts, "CHUNK_CHARACTERS", 2000)
    monkeypatch.setattr(pdf, "FOLIO_PAGES", 4)
    book, chunked, _ = _render(SEEDS, "print", tmp_path / "chunked.pdf", jobs=2)
    _render(SEEDS, "print", tmp_path / "one.pdf", parts=False)
    facts, whole = _facts(chunked), _facts(tmp_path / "one.pdf")
    parts = pdf_parts.plan_parts(book, load_theme("print"))
    chunks = [p for p in parts if p.continued]
    assert chunks and len(facts["text"]) >= len(whole["text"])
    assert [(d, t) for d, t, _ in facts["outline"]] == [(d, t) for d, t, _ in whole["outline"]]
    assert all(facts["dests"][g.anchor] % 2 == 0 for g in book.letters)
    for chunk in chunks:
        items = book.letters[chunk.letters[0]].items
        first, before = items[chunk.span[0]], items[chunk.span[0] - 1]
        page = facts["dests"][first.id]
        assert facts["dests"][before.id] < page and facts["text"][page - 1].strip(), "no blank page before a chunk"
        assert facts["text"][page].splitlines()[0] == first.title_text
        assert facts["text"][page].splitlines()[-2] == f"{before.title_text} {first.title_text}", "running heads"
    assert not [t for _, t in facts["links"] if isinstance(t, str) and t.startswith(PART_LINK)]
    assert all(target is not None for _, target in facts["links"])
    assert all(text.splitlines()[-1] == str(n + 1) for n, text in enumerate(facts["text"]) if n and text.strip())


def test_parts_no_build_uses_any_more_leave_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a build the cache holds what each theme's last build used, nothing else: its size is bounded."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    source, cache = tmp_path / "book", tmp_path / "cache"
    shutil.copytree(SEEDS, source)
    folder = cache / "pdf-parts"
    book, _, _ = _render(source, "default", tmp_path / "a.pdf", jobs=1, cache=cache)
    default = set(folder.iterdir())
    _render(source, "print", tmp_path / "print.pdf", jobs=1, cache=cache)
    printed = set(folder.iterdir()) - default
    (folder / "0123abcd.pdf").write_bytes(b"%PDF-1.7 left by an older build")
    entry = book.letters[0].items[0]
    entry.source.write_text(entry.source.read_text(encoding="utf-8") + "\nEin Satz mehr.\n", encoding="utf-8")
    _render(source, "default", tmp_path / "b.pdf", jobs=1, cache=cache)
    now = set(folder.iterdir())
    assert printed <= now and not (folder / "0123abcd.pdf").exists()
    gone = default - now
    assert gone and len(now - printed) == len(default), "the edited letter's old part went, its new one came"
    # a merged font goes too when the edit changed a subset merged into it
    assert {".pdf", ".json", ".tree"} <= {p.suffix for p in gone} <= {".pdf", ".json", ".tree", ".ttf"}


def test_an_edit_moves_only_the_chunk_boundaries_near_its_entry() -> None:
    """Content-defined chunks: after one entry grows (a page-long paragraph) or shrinks, the
    chunks before its own are the same, and a few chunks later they are the same again; most edits
    move no boundary at all (greedy chunks full to the limit moved three per edit)."""
    import random

    limit, resynced, moved, unchanged, edits = 60_000, 0, 0, 0, 0
    for seed in range(50):
        chance = random.Random(seed)
        entries = [(f"Eintrag-{seed}-{n}", chance.randint(500, 12_000)) for n in range(120)]
        least = pdf_parts._least_entries([size for _, size in entries], limit)
        before = pdf_parts._chunks(entries, limit, least)
        sizes = [sum(size for _, size in entries[a:b]) for a, b in before]
        assert all(size <= limit for size in sizes) and all(size >= limit // 6 for size in sizes[:-1])
        edited = chance.randrange(len(entries))
        touched = next(i for i, (a, b) in enumerate(before) if a <= edited < b)
        for change in (3_800, -entries[edited][1] // 2):
            after = pdf_parts._chunks([(e, s + change * (n == edited)) for n, (e, s) in enumerate(entries)],
                                      limit, least)
            # the boundary before the entry moves only when the entry's size set it (the limit)
            assert after[:max(touched - 1, 0)] == before[:max(touched - 1, 0)]
            resynced += set(before[touched + 3:]) <= set(after)
            moved += len(set(after) - set(before))
            unchanged += after == before
            edits += 1
    assert resynced >= 0.9 * edits and moved / edits < 0.5 and unchanged >= 0.75 * edits
    assert pdf_parts._chunks([(f"E{n}", 10_000) for n in range(6)], limit) == [(0, 6)], "a letter within the limit is one part"


def test_where_the_entry_count_decides_a_chunk_an_edit_moves_no_boundary() -> None:
    """Entries of similar size: a run ends by its count of entries and a picked id, not by its
    characters, so growing or shrinking any entry keeps every chunk (a run ended by characters
    alone, a sixth of the limit, moves boundaries after 69 of these 600 edits)."""
    limit = 60_000
    entries = [(f"Begriff-{n}", 1_500 + 37 * (n % 11)) for n in range(300)]
    least = pdf_parts._least_entries([size for _, size in entries], limit)
    before = pdf_parts._chunks(entries, limit, least)
    assert least == 12 and len(before) > 10
    for edited in range(len(entries)):
        for change in (3_800, -1_000):
            grown = [(e, s + change * (n == edited)) for n, (e, s) in enumerate(entries)]
            assert pdf_parts._chunks(grown, limit, least) == before, f"entry {edited} changed by {change}"
