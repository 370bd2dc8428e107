"""Joining the PDF's parts: one part open at a time, the structure tree appended to the saved book."""
from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path

import pikepdf
import pytest

from publish.build import load_book
from publish.progress import Progress
from publish.render import RenderOptions, pdf, pdf_parts
from publish.render.pdf_part_tree import Renumbering, serialized
from publish.theme.theme import load_theme

from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], int]:
    """The seeds' tagged book in many small parts; the parts joined and the most parts open at once."""
    out = tmp_path_factory.mktemp("joined") / "book.pdf"
    parts: list[Path] = []
    open_parts: set[int] = set()
    most = 0
    real_join, real_open, real_close = pdf.join, pikepdf.open, pikepdf.Pdf.close

    def join(given: list[Path], *args: object) -> list[str]:
        parts.extend(given)
        (out.parent / "parts").mkdir()
        for path in given:  # kept beyond the build's temporary cache
            shutil.copy(path, out.parent / "parts")
        return real_join(given, *args)  # type: ignore[arg-type]

    def tracked_open(path: Path, *args: object, **kwargs: object) -> pikepdf.Pdf:
        nonlocal most
        opened = real_open(path, *args, **kwargs)
        if isinstance(path, (str, Path)) and Path(path) in parts:  # not a layout's PDF in memory
            open_parts.add(id(opened))
            most = max(most, len(open_parts))
        return opened

    def tracked_close(self: pikepdf.Pdf) -> None:
        open_parts.discard(id(self))
        real_close(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "CHUNK_CHARACTERS", 2000)
        patch.setattr(pdf, "join", join)
        patch.setattr(pikepdf, "open", tracked_open)
        patch.setattr(pikepdf.Pdf, "close", tracked_close)
        pdf.render(load_book(SEEDS).book, load_theme("default"), out, Progress(), RenderOptions(jobs=1))
    return out, parts, most


def test_the_join_holds_one_part_open_at_a_time(joined: tuple[Path, list[Path], int]) -> None:
    """Each part is closed before the next one is opened, so the join's memory does not grow with
    the parts' own object tables; what the book took from a closed part (its pages' contents, its
    fonts) is still in the file."""
    out, parts, most = joined
    assert len(parts) > 10 and most == 1
    with pikepdf.open(out) as book:
        assert all(page.Contents and page.Resources.Font for page in book.pages[1:])
        assert len({str(f.FontDescriptor.FontFile2.objgen) for page in book.pages for font in page.Resources.Font.values()
                    for f in font.DescendantFonts}) < len(parts), "the parts' font subsets were merged"


def test_the_structure_tree_is_appended_to_the_saved_book(joined: tuple[Path, list[Path], int], tmp_path: Path) -> None:
    """The book is saved without a structure tree and the tree follows as an incremental update (its
    own cross-reference section pointing back to the book's), so it is never held in memory whole."""
    out, _, _ = joined
    data = out.read_bytes()
    assert data.count(b"startxref") == 2
    first = tmp_path / "before.pdf"
    first.write_bytes(data[:data.index(b"%%EOF") + 6])

    def elements(path: Path) -> int:
        with pikepdf.open(path) as pdf_file:
            return sum(isinstance(o, pikepdf.Dictionary) and o.get("/Type") == pikepdf.Name.StructElem
                       for o in pdf_file.objects)

    with pikepdf.open(first) as before:
        assert "/StructTreeRoot" not in before.Root and before.Root.MarkInfo.Marked
    with pikepdf.open(out) as after:
        assert after.Root.StructTreeRoot.K[0].S == "/Document" and after.trailer.Prev
        assert after.check_pdf_syntax() == []
    assert elements(first) == 0 and elements(out) > 500


def test_parts_come_in_small_object_streams_and_say_their_next_parent_tree_key(
        joined: tuple[Path, list[Path], int]) -> None:
    """WeasyPrint puts every object in one stream, so opening a part meant reading all its objects
    (most of them its structure tree); the parts are rewritten in streams of at most a hundred, and
    each says one more than its parent tree's last key, so the join need not read that tree."""
    from publish.render.pdf_part_tree import number_tree

    out, parts, _ = joined
    assert len(list((out.parent / "parts").iterdir())) == len(parts)
    for path in (out.parent / "parts").iterdir():
        with pikepdf.open(path) as part:
            streams = [o for o in part.objects if isinstance(o, pikepdf.Stream) and o.get("/Type") == "/ObjStm"]
            assert streams and max(int(s.N) for s in streams) <= 100
            tree = part.Root.StructTreeRoot
            assert int(tree.ParentTreeNextKey) == max(key for key, _ in number_tree(tree.ParentTree)) + 1


def test_structure_objects_are_written_as_they_were_read() -> None:
    """Strings that look like references, escapes, UTF-16 text, numbers, names that need escaping
    and nested containers come back the same when parsed; indirect objects become the numbers given."""
    pdf_file = pikepdf.new()
    element = pikepdf.Object.parse(rb"<</Alt (a \(1 0 R\) \\ b) /ActualText <FEFF00E4> /N -2 /R 0.125 /B true "
                                   rb"/Z null /S /A#20B /K [1 2 <</Type /MCR /MCID 3>> []]>>")
    assert pikepdf.Object.parse(serialized(element, Renumbering(lambda objgen: b"7 0 R"))) == element
    element.P = pdf_file.make_indirect(pikepdf.Dictionary())
    assert b"/P 7 0 R" in serialized(element, Renumbering(lambda objgen: b"7 0 R"))


def test_a_parts_tree_survives_being_kept_and_no_string_looks_like_a_placeholder(tmp_path: Path) -> None:
    from publish.render.pdf_part_tree import PLACEHOLDER, dumps, loads, part_tree

    out = tmp_path / "book.pdf"
    pdf.render(load_book(SEEDS).book, load_theme("default"), out, Progress(), RenderOptions(jobs=1, parts=False))
    tree = part_tree(out)
    assert tree is not None and len(tree.objects) > 100 and tree.numbers and tree.kids
    assert loads(dumps(tree)) == tree
    text = pikepdf.String("\x00L1\x00 (5 0 R) \u00e4")
    assert not PLACEHOLDER.search(serialized(text, Renumbering(lambda objgen: b"7 0 R")))
    for broken in (b"{}", b'{"objects": [1]}', dumps(tree)[:-9], b"[]"):
        with pytest.raises(ValueError):
            loads(broken)


def test_merged_fonts_carry_every_subsets_glyphs_as_they_were(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oracle: fontTools decoding each subset. The merged program has, for every glyph id, the
    outline and advance of the first subset (the largest first) that has one, and limits no
    smaller than any subset's."""
    from io import BytesIO

    from fontTools.ttLib import TTFont

    from publish.render import pdf_fonts

    monkeypatch.setattr(pdf_parts, "CHUNK_CHARACTERS", 2000)
    pdf.render(load_book(SEEDS).book, load_theme("default"), tmp_path / "book.pdf", Progress(),
               RenderOptions(jobs=1, cache=tmp_path / "cache"))
    parts = sorted((tmp_path / "cache" / "pdf-parts").glob("*.pdf"))
    with ExitStack() as stack:
        groups: dict[str, dict[tuple[int, int], pikepdf.Stream]] = {}
        for path in parts:
            for page in stack.enter_context(pikepdf.open(path)).pages:
                for descriptor in pdf_fonts.font_descriptors(page.obj):
                    name = str(descriptor.FontName).split("+", 1)[-1]
                    groups.setdefault(name, {})[descriptor.FontFile2.objgen] = descriptor.FontFile2
        merged_any = False
        for programs in (list(g.values()) for g in groups.values() if len(g) > 2):
            fonts = [pdf_fonts._font(program) for program in programs]
            merged = TTFont(BytesIO(pdf_fonts._merged(programs)))
            merged.setGlyphOrder([f"gid{i}" for i in range(merged["maxp"].numGlyphs)])
            order = sorted(fonts, key=lambda f: -f["maxp"].numGlyphs)[:1] + [
                f for f in fonts if f is not max(fonts, key=lambda f: f["maxp"].numGlyphs)]
            for name in merged.getGlyphOrder():
                having = [f for f in order if name in f["glyf"].glyphs and f["glyf"][name].numberOfContours]
                glyph = merged["glyf"][name]
                if not having:
                    assert not glyph.numberOfContours
                    continue
                expected = having[0]["glyf"][name]
                assert glyph.numberOfContours == expected.numberOfContours
                if expected.isComposite():
                    assert [c.glyphName for c in glyph.components] == [c.glyphName for c in expected.components]
                else:
                    assert list(glyph.coordinates) == list(expected.coordinates)
                assert merged["hmtx"][name] == having[0]["hmtx"][name]
            assert all(merged["maxp"].maxPoints >= f["maxp"].maxPoints for f in fonts)
            merged_any = True
        assert merged_any


def test_the_book_is_dated_in_both_forms_xmp_writes_a_date_in() -> None:
    from publish.render.pdf_join import _dated_xmp

    packet = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
              '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
              '<rdf:Description rdf:about="" xmp:ModifyDate="2000-01-01T00:00:00Z"/><!-- & -->'
              '<rdf:Description rdf:about=""><xmp:CreateDate>2000-01-01T00:00:00Z</xmp:CreateDate>'
              '<xmp:Label>2000-01-01T00:00:00Z</xmp:Label></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>')
    dated = _dated_xmp(packet.encode(), "2030-03-17T17:46:40Z").decode()
    assert dated.count("2030-03-17T17:46:40Z") == 2 and "<xmp:Label>2000-01-01T00:00:00Z<" in dated
    assert dated.startswith("<?xpacket begin=") and dated.endswith('<?xpacket end="r"?>')
