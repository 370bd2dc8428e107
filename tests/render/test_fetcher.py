"""The URL fetcher WeasyPrint reads through: files inside the allowed folders and data: URLs, nothing else."""
from __future__ import annotations

from pathlib import Path

import pytest

from publish.render.fetcher import SafeFetcher

from tests.resolve.test_images import png


def test_fetcher_refuses_everything_outside_the_source_and_theme(tmp_path: Path) -> None:
    source, theme = tmp_path / "book", tmp_path / "theme"
    source.mkdir(), theme.mkdir()
    fetcher = SafeFetcher((source, theme))
    assert fetcher.allows((source / "bild.png").as_uri())
    assert fetcher.allows((theme / "fonts" / "a.ttf").as_uri())
    for url in [(source / ".." / "geheim.png").as_uri(), "file:///etc/passwd", "http://example.org/x.png",
                "https://example.org/x.css", "ftp://example.org/x", "file://server/share/x.png"]:
        assert not fetcher.allows(url), url
        with pytest.raises(Exception, match="refused"):
            fetcher.fetch(url)


def test_fetcher_refuses_another_host_and_a_sibling_folder_with_the_same_prefix(tmp_path: Path) -> None:
    """``file://host/path`` names a file on another machine, whatever the path; ``/book-evil`` is not
    inside ``/book`` although its name starts the same."""
    source, sibling = tmp_path / "book", tmp_path / "book-evil"
    source.mkdir(), sibling.mkdir()
    (source / "bild.png").write_bytes(png())
    (sibling / "bild.png").write_bytes(png())
    fetcher = SafeFetcher((source,))
    inside = (source / "bild.png").resolve().as_uri()
    assert fetcher.allows(inside) and fetcher.allows(inside.replace("file://", "file://localhost"))
    for url in [inside.replace("file://", "file://evil.example"), (sibling / "bild.png").resolve().as_uri()]:
        assert not fetcher.allows(url), url


def test_allowed_files_and_data_urls_are_read(tmp_path: Path) -> None:
    source = tmp_path / "mein buch"
    source.mkdir()
    (source / "bild 1.png").write_bytes(png())
    fetcher = SafeFetcher((tmp_path / "anders" / ".." / "mein buch",))  # roots are resolved
    uri = (source / "bild 1.png").as_uri()
    assert "%20" in uri and fetcher.allows(uri)
    for url, content in [(uri, png()), ("data:text/plain;base64,SGFsbG8=", b"Hallo")]:
        response = fetcher.fetch(url)
        try:
            assert response.read() == content
        finally:
            response.close()


@pytest.mark.parametrize("path", ["%2e%2e/geheim.png", "%2E%2E%2Fgeheim.png", "unter/../../geheim.png"])
def test_an_encoded_or_dotted_way_out_of_the_folder_is_refused(tmp_path: Path, path: str) -> None:
    source = tmp_path / "book"
    (source / "unter").mkdir(parents=True)
    (tmp_path / "geheim.png").write_bytes(png())
    fetcher = SafeFetcher((source,))
    url = source.as_uri() + "/" + path
    assert not fetcher.allows(url)
    with pytest.raises(Exception, match=r"^refused .*: only files inside the source and theme folders are read$"):
        fetcher.fetch(url)
