"""book.toml: every key in its type, or a bad-config error with its line."""
from __future__ import annotations

from pathlib import Path

import pytest

from publish.cli import main
from publish.diagnostics import Code
from publish.model import Metadata
from publish.read.config import DEFAULT_FRONT_MATTER, BookConfig, SourceConfig, load_config, merge_metadata


def _config(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "A.md").write_text("## A {.term}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("toml, line", [
    ('[book]\nauthors = [1, 2]\n', 2),
    ('[book]\ntitle = "T"\n\ntitle_x = 1\n', 4),
    ('[book]\ntitle = 5\n', 2),
    ('[book]\nlanguage = ["de"]\n', 2),
    ('[book]\ntitle = "T"\nlanguage = \'de" onload="x\'\n', 3),
    ('[book]\nlanguage = "de_DE"\n', 2),
    ('[book]\nversion = 1.0\n', 2),
    ('[sources]\nfront_matter = 5\n', 2),
    ('[sources]\n\nexclude = 5\n', 3),
    ('[sources]\nexclude = [5]\n', 2),
    ('[sources]\nentry_class = 3\n', 2),
    ('[sources]\nheadingless = [1]\n', 2),
])
def test_a_value_of_the_wrong_type_is_bad_config_at_its_line(tmp_path: Path, toml: str, line: int) -> None:
    _, diagnostics = load_config(_config(tmp_path, toml))
    assert [(d.code, d.line) for d in diagnostics] == [(Code.BAD_CONFIG, line)]


def test_wrong_types_exit_2_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _config(tmp_path, '[book]\nauthors = [1, 2]\n[sources]\nfront_matter = 5\nexclude = 5\n')
    assert main(["check", "--source", str(source)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err and out.err.count("[bad-config]") == 3


def test_a_toml_date_reads_as_its_iso_string(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, '[book]\ndate = 2026-11-28\n'))
    assert config.metadata.date == "2026-11-28" and diagnostics == []


def test_an_empty_title_is_unset_so_the_sources_fill_it(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, '[book]\ntitle = ""\nauthors = []\n'))
    assert "title" not in config.explicit and "authors" not in config.explicit and diagnostics == []


def test_control_characters_in_a_value_are_taken_out(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, '[book]\ntitle = "Kapitel\\u000cEins"\n'))
    assert config.metadata.title == "Kapitel Eins"
    assert [(d.code, d.line) for d in diagnostics] == [(Code.CONTROL_CHARACTER, 2)]


@pytest.mark.parametrize("url, normal", [
    ("https://example.org/glossar", "https://example.org/glossar/"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
    ("https://example.org/Größe/", "https://example.org/Gr%C3%B6%C3%9Fe/"),
])
def test_the_base_url_is_an_http_address_ending_in_a_slash(tmp_path: Path, url: str, normal: str) -> None:
    config, diagnostics = load_config(_config(tmp_path, f'[book]\nbase_url = "{url}"\n'))
    assert config.metadata.base_url == normal and diagnostics == []


@pytest.mark.parametrize("url", ["ftp://example.org/", "example.org/glossar", "https://user:pw@example.org/",
                                 "https://example.org/?page=1", "https://example.org/#top", "https:///glossar",
                                 "https://example.org:port/", "https://example.org/a b/", "file:///tmp/site/"])
def test_any_other_base_url_is_bad_config_and_ignored(tmp_path: Path, url: str) -> None:
    config, diagnostics = load_config(_config(tmp_path, f'[book]\ntitle = "T"\nbase_url = "{url}"\n'))
    assert [(d.code, d.line) for d in diagnostics] == [(Code.BAD_CONFIG, 3)]
    assert "http:// or https://" in diagnostics[0].message and config.metadata.base_url == ""


def test_only_book_toml_sets_the_base_url(tmp_path: Path) -> None:
    config = BookConfig(Metadata(), SourceConfig(), frozenset())
    assert merge_metadata(config, {"base_url": "javascript:alert(1)", "title": "T"}) == Metadata(title="T")


def test_every_key_is_read_in_its_type(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, (
        '[book]\ntitle = "Glossar"\nsubtitle = "Begriffe"\nauthor = "Ada"\nlanguage = "en-GB"\n'
        'rights = "CC BY 4.0"\nidentifier = "urn:x"\nversion = "2"\n'
        '[sources]\nfront_matter = ["000-*.md", "vorwort.md"]\nexclude = ["entwurf-*"]\n'
        'entry_class = "begriff"\nheadingless = "front-matter"\n')))
    assert diagnostics == []
    assert config.metadata == Metadata(title="Glossar", subtitle="Begriffe", authors=("Ada",), language="en-GB",
                                       rights="CC BY 4.0", identifier="urn:x", version="2")
    assert config.sources == SourceConfig(front_matter=("000-*.md", "vorwort.md"), exclude=("entwurf-*",),
                                          entry_class="begriff", headingless="front-matter")
    assert config.explicit == {"title", "subtitle", "authors", "language", "rights", "identifier", "version"}


def test_without_book_toml_the_defaults_hold(tmp_path: Path) -> None:
    assert load_config(tmp_path) == (BookConfig(Metadata(), SourceConfig(), frozenset()), [])
    assert SourceConfig().front_matter == DEFAULT_FRONT_MATTER == ("[0-9]*",)


def test_authors_is_a_list_and_wins_over_author(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, '[book]\nauthors = ["Ada", "Bea"]\nauthor = "Cleo"\n'))
    assert config.metadata.authors == ("Ada", "Bea") and diagnostics == []


@pytest.mark.parametrize("toml, message", [
    ('[book]\nauthors = [1, 2]\n', "book.authors must be a string or a list of strings; it is ignored"),
    ('[book]\nauthor = 3\n', "book.author must be a string or a list of strings; it is ignored"),
    ('[book]\ntitle = 5\n', "book.title must be a string; it is ignored"),
    ('[book]\ndate = 5\n', "book.date must be a string; it is ignored"),
    ('[sources]\nfront_matter = 5\n',
     "sources.front_matter must be a list of file names or glob patterns (strings); it is ignored"),
    ('[sources]\nexclude = ["a", 5]\n',
     "sources.exclude must be a list of file names or glob patterns (strings); it is ignored"),
    ('[sources]\nentry_class = 3\n', "sources.entry_class must be a string; it is ignored"),
    ('[book]\ntitle_x = 1\n', "unknown key book.title_x"),
    ('[sources]\nfolder = "x"\n', "unknown key sources.folder"),
    ('[bok]\ntitle = "T"\n', "unknown section [bok]"),
    ('book = "T"\n', "[book] must be a table"),
    ('sources = ["a"]\n', "[sources] must be a table"),
    ('[sources]\nheadingless = "ignore"\n', "sources.headingless must be one of error, front-matter"),
])
def test_bad_config_says_what_is_wrong_and_keeps_the_default(tmp_path: Path, toml: str, message: str) -> None:
    config, diagnostics = load_config(_config(tmp_path, toml))
    assert [(d.code, d.severity.value, d.message) for d in diagnostics] == [(Code.BAD_CONFIG, "error", message)]
    assert (diagnostics[0].path, diagnostics[0].col) == (tmp_path / "book.toml", 1)
    assert diagnostics[0].line == (1 if "must be a table" in message or "section" in message else 2)
    assert config.metadata == Metadata() and config.sources == SourceConfig()


@pytest.mark.parametrize("toml, line", [
    ('[book]\nsubtitle = "x"\n  "title" = 5\n', 3),
    ("[book]\n# title = 5 would be wrong\ntitle\t= 5\n", 3),
    ("[book]\nsubtitle = 'title = 5'\n'title' = 5\n", 3),
    ('[book]\n"ti.tle" = 5\n', 2),
    ('\n[book]\ntitle = 5\n', 3),
    ('book = { title = 5 }\n', 1),
])
def test_the_line_is_the_one_that_sets_the_key(tmp_path: Path, toml: str, line: int) -> None:
    _, diagnostics = load_config(_config(tmp_path, toml))
    assert [d.line for d in diagnostics] == [line]


@pytest.mark.parametrize("content, where", [
    (b'[book]\ntitle = "T"\ntitle = "U"\n', (3, 12)),
    (b'[book]\n\ntitle = \n', (3, 9)),
    (b'[book]\ntitle = "\xff"\n', (1, 1)),
])
def test_an_unreadable_book_toml_is_one_error_at_its_place(tmp_path: Path, content: bytes,
                                                            where: tuple[int, int]) -> None:
    (tmp_path / "book.toml").write_bytes(content)
    config, diagnostics = load_config(tmp_path)
    [d] = diagnostics
    assert (d.code, d.severity.value, d.path, (d.line, d.col)) == \
        (Code.BAD_CONFIG, "error", tmp_path / "book.toml", where)
    assert d.message.startswith("cannot read book.toml: ")
    assert config == BookConfig(Metadata(), SourceConfig(), frozenset())


def test_control_characters_are_taken_out_of_lists_too(tmp_path: Path) -> None:
    config, diagnostics = load_config(_config(tmp_path, '[book]\nauthors = ["A\\u0001da", "Bea"]\n'))
    assert config.metadata.authors == ("Ada", "Bea")
    assert [(d.code, d.severity.value, d.path, d.line, d.col, d.message) for d in diagnostics] == [
        (Code.CONTROL_CHARACTER, "warning", tmp_path / "book.toml", 2, 1,
         "book.authors holds control characters; they are taken out")]


def test_metadata_from_the_sources_fills_only_what_book_toml_left_unset(tmp_path: Path) -> None:
    config, _ = load_config(_config(tmp_path, '[book]\ntitle = "Aus der Datei"\n'))
    merged = merge_metadata(config, {"title": "Aus dem Titelblock", "subtitle": "Sub", "authors": ("Ada",),
                                     "unbekannt": "x"})
    assert merged == Metadata(title="Aus der Datei", subtitle="Sub", authors=("Ada",))


def test_a_book_toml_that_leads_out_of_the_book_or_is_a_pipe_is_not_read(tmp_path: Path) -> None:
    """A link to a file elsewhere (a pull request's book.toml → /etc/passwd, read in a release job)
    or a named pipe (reading it would wait for ever) is one error, and the defaults hold; a link to a
    file inside the book is read."""
    import os

    (tmp_path / "book.toml").symlink_to("/etc/passwd")
    config, found = load_config(tmp_path)
    assert config == BookConfig(Metadata(), SourceConfig(), frozenset())
    assert [(d.code, d.line, d.message) for d in found] == [
        (Code.BAD_CONFIG, 1, "book.toml is not a regular file inside the source folder; not read")]
    (tmp_path / "book.toml").unlink()
    os.mkfifo(tmp_path / "book.toml")
    assert [d.code for d in load_config(tmp_path)[1]] == [Code.BAD_CONFIG]
    (tmp_path / "book.toml").unlink()
    (tmp_path / "settings.toml").write_text('[book]\ntitle = "Innen"\n', encoding="utf-8")
    (tmp_path / "book.toml").symlink_to("settings.toml")
    config, found = load_config(tmp_path)
    assert config.metadata.title == "Innen" and found == []
