"""Loading themes: values, fonts, and clear errors naming the file."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publish.theme.theme import THEMES, ThemeError, load_theme


def test_default_theme_has_fonts_with_licence_and_values() -> None:
    theme = load_theme("default")
    assert theme.value("page", "size") == "A4"
    assert {face.family for face in theme.fonts} >= {"Noto Serif", "Noto Sans", "Noto Sans Mono", "Noto Sans Math"}
    assert all(face.path.is_file() and face.path.is_relative_to(theme.folder) for face in theme.fonts)
    assert (theme.folder / "fonts" / "OFL.txt").read_text(encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1
    assert theme.font_stack("body")[0] == "Noto Serif" and "DejaVu Sans" in theme.font_stack("body")


def _theme(tmp_path: Path, toml: str) -> Path:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "theme.toml").write_text(toml, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("toml", "message"), [
    ('[page]\nsize = "A5"\nfarbe = "rot"\n', "unknown key page.farbe"),
    ('[pages]\nsize = "A5"\n', r"unknown section \[pages\]"),
    ('[page\n', "cannot read"),
])
def test_bad_theme_toml_names_the_file(tmp_path: Path, toml: str, message: str) -> None:
    folder = _theme(tmp_path, toml)
    with pytest.raises(ThemeError, match=message) as error:
        load_theme("t", tmp_path)
    assert str(folder / "theme.toml") in str(error.value)


def test_missing_font_file_names_the_fonts_file(tmp_path: Path) -> None:
    folder = _theme(tmp_path, "")
    (folder / "fonts").mkdir()
    (folder / "fonts" / "fonts.toml").write_text('[[font]]\nfamily = "X"\nfile = "X.ttf"\n', encoding="utf-8")
    with pytest.raises(ThemeError, match=r"fonts\.toml: font file X\.ttf is missing"):
        load_theme("t", tmp_path)


def test_unknown_theme_lists_the_available_ones() -> None:
    with pytest.raises(ThemeError, match=r"no such theme \(available: .*default"):
        load_theme("gibtsnicht")


def test_template_error_names_template_and_line(tmp_path: Path) -> None:
    shutil.copytree(THEMES / "default", tmp_path / "broken")
    (tmp_path / "broken" / "templates" / "entry.html.j2").write_text("{% if %}\n", encoding="utf-8")
    theme = load_theme("broken", tmp_path)
    with pytest.raises(ThemeError, match=r"entry\.html\.j2:1: template error"):
        theme.render("entry.html.j2")


def test_an_asset_comes_from_the_nearest_theme_that_has_it() -> None:
    lexikon = load_theme("lexikon")
    assert lexikon.asset("js/search.js") == (THEMES / "default" / "js" / "search.js").read_bytes()
    with pytest.raises(ThemeError, match="no theme in the chain has js/nothing.js"):
        lexikon.asset("js/nothing.js")
