"""Source folders: book.toml, pandoc title and YAML blocks, and bad files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from publish.cache import Cache
from publish.cli import main
from publish.build import load_book
from publish.diagnostics import Code, Severity
from publish.tree import stringify


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def test_book_toml_sets_metadata_and_front_matter_order(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {
        "book.toml": '[book]\ntitle = "T"\nauthor = "A"\nlanguage = "de-DE"\n'
                     '[sources]\nfront_matter = ["zz-vorwort.md", "aa-lizenz.md"]\n',
        "zz-vorwort.md": "## Vorwort\n\nText\n",
        "aa-lizenz.md": "## Lizenz\n\nText\n",
        "Eintrag.md": "## Eintrag {#Eintrag .term}\n",
    }))
    book = loaded.book
    assert (book.metadata.title, book.metadata.authors) == ("T", ("A",))
    assert [f.source.name for f in book.front_matter] == ["zz-vorwort.md", "aa-lizenz.md"]
    assert [e.id for e in book.entries] == ["Eintrag"] and loaded.diagnostics == ()


def test_without_book_toml_a_pandoc_title_block_gives_metadata(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {
        "000-title.txt": "% KI-Glossar\n% Kurt; Zweiter\n% im März 2025\n",
        "001-lizenz.txt": "## Lizenz\n\nText\n",
        "A.md": "## A {#A .term}\n",
    }))
    meta = loaded.book.metadata
    assert (meta.title, meta.authors, meta.date, meta.language) == \
        ("KI-Glossar", ("Kurt", "Zweiter"), "im März 2025", "de-DE")
    assert [f.source.name for f in loaded.book.front_matter] == ["001-lizenz.txt"]
    assert loaded.diagnostics == ()


def test_yaml_metadata_block_and_line_numbers_after_it(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {
        "A.md": "---\ntitle: Aus YAML\nauthor: [Eine, Andere]\nlang: en-GB\n---\n\n## A {#A .term}\n\n[x](#Nope)\n",
    }))
    meta = loaded.book.metadata
    assert (meta.title, meta.authors, meta.language) == ("Aus YAML", ("Eine", "Andere"), "en-GB")
    assert loaded.book.entries[0].line == 7
    assert [(d.code, d.line) for d in loaded.diagnostics] == [(Code.DANGLING_LINK, 9)]


def test_book_toml_wins_over_metadata_in_the_sources(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {
        "book.toml": '[book]\ntitle = "Aus book.toml"\n',
        "000-title.txt": "% Aus dem Titelblock\n% Autorin\n",
        "A.md": "## A {#A .term}\n",
    }))
    assert (loaded.book.metadata.title, loaded.book.metadata.authors) == ("Aus book.toml", ("Autorin",))


def test_broken_utf8_is_an_error_with_line_and_column(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {"A.md": b"## A {#A .term}\n\nGr\xfc\xdfe\n", "B.md": "## B {#B .term}\n"}))
    [diagnostic] = loaded.diagnostics
    assert (diagnostic.code, diagnostic.severity, diagnostic.line, diagnostic.col) == \
        (Code.ENCODING, Severity.ERROR, 3, 3)
    assert [e.id for e in loaded.book.entries] == ["B"]


def test_binary_empty_and_unknown_config(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {
        "book.toml": '[book]\ntitel = "Tippfehler"\n',
        "bild.md": b"\x89PNG\r\n\x1a\n\x00\x00",
        "leer.md": "",
        "A.md": "## A {#A .term}\n",
    }))
    assert sorted((d.code, d.path.name) for d in loaded.diagnostics) == sorted([
        (Code.BAD_CONFIG, "book.toml"), (Code.BINARY, "bild.md"), (Code.EMPTY, "leer.md")])


def test_broken_book_toml_names_line_and_column(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {"book.toml": '[book]\ntitle = "offen\n', "A.md": "## A {#A .term}\n"}))
    [diagnostic] = loaded.diagnostics
    assert (diagnostic.code, diagnostic.line) == (Code.BAD_CONFIG, 2)


def test_missing_front_matter_file_is_reported(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {"book.toml": '[sources]\nfront_matter = ["fehlt.md"]\n',
                                         "A.md": "## A {#A .term}\n"}))
    assert [(d.code, d.severity) for d in loaded.diagnostics] == [(Code.MISSING_SOURCE, Severity.ERROR)]


def test_symlink_out_of_the_source_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("## Geheim {.term}\n", encoding="utf-8")
    book = tmp_path / "book"
    book.mkdir()
    (book / "link.md").symlink_to(outside)
    (book / "A.md").write_text("## A {#A .term}\n", encoding="utf-8")
    loaded = load_book(book)
    assert [e.id for e in loaded.book.entries] == ["A"]
    assert [d.code for d in loaded.diagnostics] == [Code.UNREADABLE]


def test_control_characters_are_taken_out_with_their_position(tmp_path: Path) -> None:
    loaded = load_book(_write(tmp_path, {"A.md": "## Kapitel\fEins {.term}\n\nText\x01 mit\x0b Steuerzeichen\n"}))
    entry = loaded.book.entries[0]
    assert entry.title_text == "Kapitel Eins"
    assert stringify(entry.blocks) == "Text mit  Steuerzeichen"
    assert [(d.code, d.line, d.col) for d in loaded.diagnostics] == [(Code.CONTROL_CHARACTER, 1, 11)]


def test_a_file_name_that_is_not_utf8_is_an_encoding_error(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    for name in (b"Caf\xe9.md", b"B.md"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(b"## Eintrag {.term}\n")
    loaded = load_book(tmp_path)
    assert [e.source.name for e in loaded.book.entries] == ["B.md"]
    [diagnostic] = loaded.diagnostics
    assert diagnostic.code is Code.ENCODING and "Caf\\xe9.md:1:1: error" in str(diagnostic)


def test_a_folder_without_sources_is_an_error_not_an_untitled_book(tmp_path: Path) -> None:
    assert [d.code for d in load_book(tmp_path).diagnostics] == [Code.NO_SOURCES]
    assert main(["check", "--source", str(_write(tmp_path, {"leer.md": ""}))]) == 2


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    bomb = "".join(f"{c}: &{c} [" + ",".join(["*" + chr(ord(c) - 1)] * 9) + "]\n" for c in "bcdefghi")
    loaded = load_book(_write(tmp_path, {"A.md": f"---\na: &a [lol]\n{bomb}title: *i\n---\n\n## A {{.term}}\n"}))
    # refused like a block that does not parse: read as text, before the entry heading
    assert [(d.code, d.line) for d in loaded.diagnostics] == [(Code.BAD_METADATA, 2), (Code.NO_ENTRY_HEADING, 1)]
    assert loaded.book.metadata.title == "Untitled"


@pytest.mark.parametrize("yaml_text, found", [
    ("title: {a: b}\n", [(Code.BAD_METADATA, 2)]),
    ("lang: de\nauthor: [[A, B]]\n", [(Code.BAD_METADATA, 3)]),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", [(Code.BAD_METADATA, 2), (Code.NO_ENTRY_HEADING, 1)]),
])
def test_metadata_of_the_wrong_shape_is_ignored_with_a_warning(tmp_path: Path, yaml_text: str,
                                                               found: list[tuple[Code, int]]) -> None:
    loaded = load_book(_write(tmp_path, {"A.md": f"---\n{yaml_text}---\n\n## A {{.term}}\n"}))
    assert [(d.code, d.line) for d in loaded.diagnostics] == found
    assert (loaded.book.metadata.title, loaded.book.metadata.authors) == ("Untitled", ())


@pytest.mark.parametrize("tag", ['de" onload="x', "de_DE", "Deutsch (Schweiz)"])
def test_a_language_that_is_no_language_tag_is_ignored_with_a_warning(tmp_path: Path, tag: str) -> None:
    # Every format writes the language into lang/xml:lang and the EPUB package: EPUBCheck refuses
    # anything but a well-formed BCP 47 tag, so such a value must not reach them.
    loaded = load_book(_write(tmp_path, {"A.md": f"---\ntitle: T\nlang: '{tag}'\n---\n\n## A {{.term}}\n"}))
    assert [(d.code, d.line) for d in loaded.diagnostics] == [(Code.BAD_METADATA, 3)]
    assert "language tag" in loaded.diagnostics[0].message
    assert loaded.book.metadata.language == "de-DE"


@pytest.mark.parametrize("tag", ["en", "de-CH", "zh-Hant-TW", "de-CH-1996", "en-x-intern"])
def test_a_well_formed_language_tag_is_taken(tmp_path: Path, tag: str) -> None:
    loaded = load_book(_write(tmp_path, {"A.md": f"---\nlang: {tag}\n---\n\n## A {{.term}}\n"}))
    assert loaded.diagnostics == () and loaded.book.metadata.language == tag


def test_a_folder_name_that_is_not_utf8_is_read_and_cached(tmp_path: Path) -> None:
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"Ordn\xe9r")))
    folder.mkdir()
    _write(folder, {"A.md": "## A {.term}\n\n[x](#B)\n"})
    cache = Cache(tmp_path / "cache")
    first, again = load_book(folder, cache=cache), load_book(folder, cache=cache)
    assert [d.code for d in first.diagnostics] == [d.code for d in again.diagnostics] == [Code.DANGLING_LINK]
    assert again.diagnostics[0].path == folder / "A.md"
