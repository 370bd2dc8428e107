"""DOCX through pandoc: the model as Pandoc JSON, a generated reference document, Word fields."""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ... import model as m
from ...theme.languages import Language, language_of
from ...names import UniqueNames
from ...output import rewrite_zip, write_atomically
from .pandoc_runner import run_pandoc
from ..backlinks import backlinks_block
from .pandoc_json import document as pandoc_document
from .pandoc_json import metadata_json
from ...progress import Progress
from ..html.sanitize import html_text
from ...tree import mark_term, transform, walk
from ...theme.theme import Theme
from .. import RenderError, RenderResult
from .reference import W, reference_docx, style_id

name = "docx"
suffix = ".docx"
folder = False

BOOKMARK_LIMIT = 40
"""Word refuses bookmark names longer than this."""
_W = f"{{{W}}}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None) -> RenderResult:
    language = language_of(book.metadata.language)
    labels = language.labels
    names = bookmark_names(book)
    blocks = _document_blocks(book, theme, names, language)
    meta = metadata_json(book.metadata)
    meta["toc-title"] = {"t": "MetaInlines", "c": [{"t": "Str", "c": labels["contents"]}]}
    modified = book.modified
    with (progress or Progress()).stage("DOCX: pandoc"), tempfile.TemporaryDirectory() as tmp:
        reference = Path(tmp) / "reference.docx"
        target = Path(tmp) / "book.docx"
        try:
            reference.write_bytes(reference_docx(theme, book.metadata.language))
            run_pandoc(["-f", "json", "-t", "docx", "--toc", "--toc-depth=2", f"--reference-doc={reference}",
                        f"--resource-path={book.source}", "-o", str(target)],
                       json.dumps(pandoc_document(blocks, meta)),
                       env={"SOURCE_DATE_EPOCH": str(int(modified.timestamp()))})
        except RuntimeError as exc:
            raise RenderError(str(exc)) from exc
        plan = _heading_styles(blocks, theme)
        # Named heading styles (pandoc ignores custom-style on headings); fields updated on open.
        data = rewrite_zip(target.read_bytes(), modified, change={
            "word/document.xml": lambda xml: _restyle_headings(xml, plan),
            "word/settings.xml": _update_fields_on_open})
    write_atomically(out, data)
    return RenderResult(out)


def linker(book: m.Book) -> Callable[[str], str]:
    """A link to any id of the book is a link to its Word bookmark."""
    names = bookmark_names(book)
    return lambda anchor: "#" + names[anchor]


def bookmark_names(book: m.Book) -> dict[str, str]:
    """Every id as a Word bookmark name: letters, digits and ``_``, starting with a letter, at most
    40 characters, unique. (pandoc would hash long ids itself; readable names are kinder.)"""
    names: dict[str, str] = {}
    taken = UniqueNames(numbered=lambda base, n: f"{base[:BOOKMARK_LIMIT - len(str(n)) - 1]}_{n}", fold=str.lower)
    for anchor in book.anchors:
        name = re.sub(r"[^\w]", "_", anchor)
        if not name[:1].isalpha():
            name = "b_" + name
        if len(name) > BOOKMARK_LIMIT:
            name = f"{name[:BOOKMARK_LIMIT - 7]}_{hashlib.sha1(anchor.encode()).hexdigest()[:6]}"
        names[anchor] = taken.claim(name)
    return names


def _document_blocks(book: m.Book, theme: Theme, names: dict[str, str], language: Language) -> list[m.Block]:
    labels = language.labels
    styles = theme.values["docx"]
    blocks: list[m.Block] = []
    for part in book.front_matter:
        levels = [b.level for b in part.blocks if isinstance(b, m.Header)]
        blocks.extend(_for_word(part.blocks, names, styles, shift=1 - min(levels, default=1)))
    for group in book.letters:
        blocks.append(m.Header(1, m.Attr(names[group.anchor], (m.LETTER_CLASS,)), (m.Str(group.letter),)))
        for entry in group.items:
            fields = [_xe(entry.title_text, main=True)] + [_xe(alias, see=f"{labels['see']} {entry.title_text}")
                                                          for alias in entry.aliases]
            blocks.append(m.Header(2, m.Attr(names[entry.id], (m.TERM_CLASS,)), entry.title + tuple(fields)))
            blocks.extend(_for_word(entry.blocks, names, styles, shift=1))
            if theme.value("features", "backlinks"):
                blocks.extend(backlinks_block(book, entry, labels["referenced_by"], lambda i: "#" + names[i]))
    blocks.append(m.Header(1, m.Attr(names[m.INDEX_ID]), (m.Str(labels["index"]),)))
    blocks.extend(_static_index(book, names, styles, labels))
    blocks.append(m.Para((m.Emph((m.Str(labels["word_index"]),)),)))
    blocks.append(m.RawBlock("openxml", _field_paragraph(
        f'INDEX \\c "2" \\z "{language.lcid}" \\h "A"',
        labels["update_fields"])))
    return blocks


def _for_word(blocks: tuple[m.Block, ...], names: dict[str, str], styles: Any, shift: int) -> tuple[m.Block, ...]:
    """The model's blocks as Word wants them: bookmark names, styled Divs, XE fields, no raw HTML."""
    def visit(node: Any) -> Any:
        attr = getattr(node, "attr", None)
        if isinstance(attr, m.Attr) and attr.id in names:
            node = replace(node, attr=replace(attr, id=names[attr.id]))
        if isinstance(node, m.Link) and node.url.startswith("#"):
            return replace(node, url="#" + names.get(node.url[1:], node.url[1:]))
        if isinstance(node, m.Header):
            return replace(node, level=min(9, node.level + shift))
        if isinstance(node, m.Span) and m.INDEX_MARK_CLASS in node.attr.classes:
            return replace(node, content=node.content + (_xe(mark_term(node)),))
        if isinstance(node, m.Div) and m.TAGLINE_CLASS in node.attr.classes:
            return replace(node, attr=replace(node.attr, kv=node.attr.kv + (("custom-style", styles["tagline"]),)))
        if isinstance(node, m.Div) and m.SEEALSO_CLASS in node.attr.classes:
            # pandoc styles a Div's own paragraphs, not list items: one "→ link" paragraph per item.
            items = [item for block in node.blocks if isinstance(block, m.BulletList) for item in block.items]
            paras = tuple(m.Para((m.Str("→ "), *item[0].content)) for item in items if item)
            return m.Div(m.Attr("", node.attr.classes, (("custom-style", styles["seealso"]),)), paras)
        # pandoc's Word writer drops raw HTML without a word: keep its text at least.
        if isinstance(node, m.RawBlock) and node.format == "html":
            text = html_text(node.text)
            return m.Para((m.Str(text),)) if text else m.Plain(())
        if isinstance(node, m.RawInline) and node.format == "html":
            return m.Str(html_text(node.text))
        return node

    return transform(blocks, visit)


def _static_index(book: m.Book, names: dict[str, str], styles: Any, labels: Mapping[str, str]) -> list[m.Block]:
    """The index that is right without any field update: terms linked to their entries."""
    titles = {e.id: e.title_text for e in book.entries}
    blocks: list[m.Block] = []
    for group in book.index:
        blocks.append(m.Div(m.Attr("", (), (("custom-style", styles["index_letter"]),)), (m.Para((m.Str(group.letter),)),)))
        paras = []
        for item in group.items:
            first = item.targets[0]
            if item.see:
                inlines: tuple[m.Inline, ...] = (m.Str(f"{item.term} "), m.Emph((m.Str(labels["see"]),)), m.Str(" "),
                                                 m.Link(m.NO_ATTR, (m.Str(item.see),), "#" + names[first.id]))
            else:
                inlines = (m.Link(m.NO_ATTR, (m.Str(item.term),), "#" + names[first.id]),)
                for target in item.targets[1:]:
                    owner = titles.get(book.part_of(target.id), item.term)
                    inlines += (m.Str(", → "), m.Link(m.NO_ATTR, (m.Str(owner),), "#" + names[target.id]))
            paras.append(m.Para(inlines))
        blocks.append(m.Div(m.Attr("", (), (("custom-style", styles["index_entry"]),)), tuple(paras)))
    return blocks


def _xe(term: str, main: bool = False, see: str = "") -> m.RawInline:
    """A Word index entry field; ``\\b`` prints the entry's own page in bold."""
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace(":", "\\:") + '"'

    switches = (" \\b" if main else "") + (f" \\t {quoted(see)}" if see else "")
    return m.RawInline("openxml", _field_runs(f"XE {quoted(term)}{switches}"))


def _field_runs(instruction: str, result: str = "") -> str:
    shown = f'<w:r><w:t xml:space="preserve">{xml_escape(result)}</w:t></w:r>' if result else ""
    return (f'<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {xml_escape(instruction)} </w:instrText></w:r>'
            + (f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{shown}' if result else "")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _field_paragraph(instruction: str, placeholder: str) -> str:
    return f"<w:p>{_field_runs(instruction, placeholder)}</w:p>"


def _heading_styles(blocks: list[m.Block], theme: Theme) -> list[str | None]:
    """For each heading pandoc writes, in order: the named style it should have (None: keep)."""
    styles = theme.values["docx"]
    plan: list[str | None] = []
    # Headings inside footnotes go to word/footnotes.xml, not to the document's body.
    for node in walk(tuple(blocks), prune=m.Note):
        if isinstance(node, m.Header):
            if node.level == 1:
                plan.append(styles["letter"] if m.LETTER_CLASS in node.attr.classes else None)
            elif node.level == 2:
                plan.append(styles["term"] if m.TERM_CLASS in node.attr.classes else None)
            elif node.level == 3:
                plan.append(styles["seealso_heading"] if m.SEEALSO_CLASS in node.attr.classes else styles["section"])
            else:
                plan.append(None)
    return plan


def _restyle_headings(data: bytes, plan: list[str | None]) -> bytes:
    root = etree.fromstring(data)
    headings = [s for s in root.iter(f"{_W}pStyle") if re.fullmatch(r"Heading\d", s.get(f"{_W}val", ""))]
    if len(headings) != len(plan):
        raise RenderError(f"pandoc wrote {len(headings)} headings, the book has {len(plan)}")
    for style, name in zip(headings, plan):
        if name:
            style.set(f"{_W}val", style_id(name))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# w:updateFields must stand before these in w:settings (CT_Settings is a sequence).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
                        "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                        "decimalSymbol", "listSeparator")


def _update_fields_on_open(data: bytes) -> bytes:
    """Word asks to update fields (TOC, INDEX) when the document opens."""
    root = etree.fromstring(data)
    element = etree.Element(f"{_W}updateFields", {f"{_W}val": "true"})
    later = next((child for child in root if etree.QName(child).localname in _AFTER_UPDATE_FIELDS), None)
    if later is None:
        root.append(element)
    else:
        later.addprevious(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

