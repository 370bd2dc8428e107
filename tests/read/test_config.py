"""book.toml: every key in its type, or a bad-config error with its line."""
from __future__ import annotations

from pathlib import Path

import pytest

from publish.cli import main
from publish.diagnostics import Code
from publish.model import Metadata
from publish.read.config import BookConfig, SourceConfig, load_config, merge_metadata


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
