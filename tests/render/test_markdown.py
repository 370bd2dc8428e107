"""The one-file Markdown: reading order, unique ids, every link reaching an id of the file (pandoc reads it back)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from publish.render import markdown
from publish.render.docx.pandoc_runner import run_pandoc
from publish.theme.theme import load_theme
from publish.build import load_book
from tests.conftest import SEEDS
from tests.render.conftest import corpus_source


def _ids_and_links(text: str) -> tuple[list[str], list[str], list[str]]:
    """Every id, every internal link target and the level-2 headings' ids, as pandoc reads the file."""
    ast = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], text))
    ids, links, entries = [], [], []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            kind, content = node.get("t"), node.get("c")
            attr = content[1] if kind == "Header" else content[0] if kind in ("Div", "Span") else None
            if attr and attr[0]:
                ids.append(attr[0])
            if kind == "Header" and content[0] == 2:
                entries.append(attr[0])
            if kind == "Link" and content[2][0].startswith("#"):
                links.append(content[2][0][1:])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(ast["blocks"])
    return ids, links, entries


@pytest.mark.parametrize("which", ["seeds", "corpus"])
def test_the_book_as_one_markdown_file(which: str, tmp_path: Path) -> None:
    source = SEEDS if which == "seeds" else corpus_source()
    book = load_book(source).book
    out = markdown.render(book, load_theme("default"), tmp_path / "book.md").path
    text = out.read_text("utf-8")
    assert text.startswith("---\n") and f"title: {book.metadata.title}" in text
    ids, links, level2 = _ids_and_links(text)
    assert len(ids) == len(set(ids))
    assert set(links) <= set(ids) and len(links) >= book.links
    assert [i for i in level2 if i in {e.id for e in book.entries}] == [e.id for e in book.entries]


def test_backlinks_appear_when_the_theme_switches_them_on(tmp_path: Path) -> None:
    book = load_book(SEEDS).book
    theme = load_theme("default")
    theme = replace(theme, values={**theme.values, "features": {**theme.values["features"], "backlinks": True}})
    text = markdown.render(book, theme, tmp_path / "book.md").path.read_text("utf-8")
    assert text.count("*Erwähnt in:*") == len(book.backlinks)


def test_raw_html_in_the_markdown_file_is_made_harmless(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text('## A {#A .term}\n\nText `<script>x()</script><b onclick="y()">fett</b>`{=html}.\n\n'
                                   '<div><iframe src="http://e"></iframe>Rest</div>\n', encoding="utf-8")
    out = markdown.render(load_book(tmp_path).book, load_theme("default"), tmp_path / "book.md").path
    text = out.read_text(encoding="utf-8")
    assert "<b>fett</b>" in text and "Rest" in text
    assert "<script" not in text and "onclick" not in text and "<iframe" not in text


def test_key_value_attributes_become_inert_data_attributes(tmp_path: Path) -> None:
    # pandoc would write style/onclick of the heading and the span straight into the next HTML page.
    (tmp_path / "A.md").write_text('## A {#A .term style="background:url(http://e/x.png)"}\n\n'
                                   '[Wort]{style="color:red" onclick="y()" lang=en}\n', encoding="utf-8")
    out = markdown.render(load_book(tmp_path).book, load_theme("default"), tmp_path / "book.md").path
    html = run_pandoc(["-f", "markdown", "-t", "html5"], out.read_text(encoding="utf-8")).decode()
    assert 'data-style="background:url(http://e/x.png)"' in html and 'data-style="color:red"' in html
    assert " style=" not in html and " onclick=" not in html
    assert 'lang="en">Wort</span>' in html, "a language switch keeps its meaning"
