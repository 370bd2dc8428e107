"""The whole resolved book as one Pandoc-Markdown file, written by pandoc from the model's JSON."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import model as m
from ..output import write_atomically
from ..progress import Progress
from ..theme.languages import language_of
from ..theme.theme import Theme
from ..tree import transform
from . import RenderError, RenderOptions, RenderResult
from .backlinks import backlinks_block
from .docx.pandoc_json import document, metadata_json
from .docx.pandoc_runner import run_pandoc
from .html.sanitize import sanitize_html

name = "md"
suffix = ".md"
folder = False


def linker(book: m.Book) -> Callable[[str], str]:
    """One file holds every id, so a link stays ``#id``."""
    return lambda anchor: f"#{anchor}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           options: RenderOptions | None = None) -> RenderResult:
    """Front matter, letters with their entries, the index: in reading order, every link ``#id``.
    Images keep their paths inside the source folder, as the sources wrote them."""
    with (progress or Progress()).stage("Markdown: pandoc"):
        try:
            text = run_pandoc(["-f", "json", "-t", "markdown", "--standalone", "--wrap=none"],
                              json.dumps(document(tuple(book_blocks(book, theme)), metadata_json(book.metadata))))
        except RuntimeError as exc:
            raise RenderError(str(exc)) from exc
    write_atomically(out, text)
    return RenderResult(out)


def book_blocks(book: m.Book, theme: Theme) -> list[m.Block]:
    """The book as one run of blocks: letters are level 1, entries level 2, their sections below."""
    labels = language_of(book.metadata.language).labels
    href = linker(book)
    blocks: list[m.Block] = []
    for part in book.front_matter:
        levels = [b.level for b in part.blocks if isinstance(b, m.Header)]
        blocks.extend(_shifted(part.blocks, 1 - min(levels, default=1)))
    for group in book.letters:
        blocks.append(m.Header(1, m.Attr(group.anchor, (m.LETTER_CLASS,)), (m.Str(group.letter),)))
        for entry in group.items:
            blocks.append(m.Header(2, _inert(entry.attr), entry.title))
            blocks.extend(_shifted(entry.blocks, 1))
            if theme.value("features", "backlinks"):
                blocks.extend(backlinks_block(book, entry, labels["referenced_by"], href))
    blocks.append(m.Header(1, m.Attr(m.INDEX_ID), (m.Str(labels["index"]),)))
    for index_group in book.index:
        blocks.append(m.Header(2, m.Attr(index_group.anchor), (m.Str(index_group.letter),)))
        blocks.append(m.BulletList(tuple((m.Plain(_index_item(item, labels["see"])),) for item in index_group.items)))
    return blocks


def _index_item(item: m.IndexItem, see: str) -> tuple[m.Inline, ...]:
    first = item.targets[0].id
    if item.see:
        return (m.Str(f"{item.term} "), m.Emph((m.Str(see),)), m.Str(" "), m.Link(m.NO_ATTR, (m.Str(item.see),), f"#{first}"))
    inlines: tuple[m.Inline, ...] = (m.Link(m.NO_ATTR, (m.Str(item.term),), f"#{first}"),)
    for n, target in enumerate(item.targets[1:], start=1):
        inlines += (m.Str(", "), m.Link(m.NO_ATTR, (m.Str(str(n)),), f"#{target.id}"))
    return inlines


def _shifted(blocks: tuple[m.Block, ...], shift: int) -> tuple[m.Block, ...]:
    """Headings moved below their letter; raw HTML made harmless as in every HTML format, since
    whatever turns this file into a page next would run it as written."""
    def visit(node: Any) -> Any:
        if isinstance(getattr(node, "attr", None), m.Attr) and node.attr.kv:
            node = replace(node, attr=_inert(node.attr))
        if isinstance(node, m.Header):
            return replace(node, level=min(6, node.level + shift))
        if isinstance(node, m.RawBlock) and node.format == "html":
            return replace(node, text=sanitize_html(node.text, context="block"))
        if isinstance(node, m.RawInline) and node.format == "html":
            return replace(node, text=sanitize_html(node.text, context="inline"))
        return node

    return transform(blocks, visit)


def _inert(attr: m.Attr) -> m.Attr:
    """Key-value attributes as the HTML formats write them: ``lang``, ``dir`` and ``title`` as they
    are, any other as a ``data-`` attribute, so a ``style`` or ``onclick`` written by an author means
    nothing to whatever turns this file into a page next."""
    return replace(attr, kv=tuple((k if k.startswith("data-") or k in m.MEANINGFUL_ATTRIBUTES else f"data-{k}", v)
                                  for k, v in attr.kv if k.replace("-", "").isalnum()))
