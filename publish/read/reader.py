"""Read one Markdown source into model blocks: markdown-it tokens never leave this module."""
from __future__ import annotations

import re
from array import array
from itertools import chain
from dataclasses import dataclass
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from .. import model as m
from ..diagnostics import Code, Diagnostic, warning
from .markdown import make_parser
from .markdown.blockwise import REDEFINED_KEY, parse_blocks
from .markdown.depth_limit import DEPTH_KEY
from .markdown.diagnostics_env import ENV_KEY
from .markdown.grid_tables import GridCell, GridTable
from .markdown.header_attrs import parse_pandoc_attrs
from ..tree import stringify, transform

_RAW_ATTR = re.compile(r"^\{=([A-Za-z0-9_+-]+)\}")
_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9]*)((?:\s[^>]*)?)\s*(/?)>$", re.S)
_TAG_ATTR = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_ALIGN = {"left": "AlignLeft", "right": "AlignRight", "center": "AlignCenter"}
_CAPTION = re.compile(r"^(?::|Table:)\s+")

# Inline HTML that carries meaning, mapped to model nodes so every format renders it.
_WRAPPERS: dict[str, type] = {
    "em": m.Emph, "i": m.Emph, "strong": m.Strong, "b": m.Strong, "u": m.Underline,
    "ins": m.Underline, "s": m.Strikeout, "del": m.Strikeout, "strike": m.Strikeout,
    "sub": m.Subscript, "sup": m.Superscript,
}
_SPAN_CLASSES = {"kbd": "kbd", "mark": "mark", "small": "small", "abbr": "abbr", "cite": "cite",
                 "dfn": "dfn", "var": "var", "samp": "samp", "q": "q", "span": ""}
_SHARED_TEXT = 32
"""Texts up to this long are shared between Str nodes (longer ones seldom repeat)."""
_SHARED_MAX = 8192
"""Entries of a reader's memo of shared nodes before it is emptied (a few hundred KB)."""
_SHARED_RUN = 3
"""Tuples of inlines up to this long are shared (a paragraph's seldom repeats)."""
_SHAREABLE = frozenset({m.Str, m.Emph, m.Strong, m.Underline, m.Strikeout, m.Superscript, m.Subscript,
                        m.SmallCaps, m.Code, m.SoftBreak, m.LineBreak})
"""Inlines without a source position: equal ones are interchangeable."""
_UNSAFE_BLOCKS = re.compile(r"^\s*<(script|style|iframe|object|embed|form|input|link|meta|base)\b", re.I)


def read_markdown(text: str, path: Path, language: str = "de-DE") -> tuple[tuple[m.Block, ...], list[Diagnostic]]:
    """Read ``text`` (the content of ``path``) as Pandoc Markdown."""
    reader = _Reader(path, text, language)
    try:
        return reader.document(), reader.diagnostics
    except RecursionError:
        # The depth limits should make this unreachable; if not, the text is kept, never a traceback.
        return (m.CodeBlock(m.NO_ATTR, text),), [warning(Code.TOO_DEEP, path, 1, 1,
                                                         "nested too deep to read; the file is kept as plain text")]


class _Reader:
    """Turns a markdown-it syntax tree into model nodes; methods are named after node types."""

    def __init__(self, path: Path, text: str, language: str, line_offset: int = 0, depth: int = 0) -> None:
        self.path = path
        self.text = text
        self.language = language
        self.line_offset = line_offset
        self.depth = depth
        """How deep the text is nested (a grid table cell's text is as deep as its table)."""
        self._starts = array("I" if len(text) < 2**32 else "q",
                             chain((0,), (newline.end() for newline in re.finditer("\n", text))))
        """Where each line of ``text`` starts: the lines themselves as strings would cost twice the text."""
        self.diagnostics: list[Diagnostic] = []
        self.notes: dict[str | int, tuple[m.Block, ...]] = {}
        """Footnotes' blocks by label (``[^label]:``) or by id (``^[inline]``)."""
        self._note_findings: dict[str | int, tuple[Diagnostic, ...]] = {}
        self._nesting: set[str | int] = set()
        """Footnotes whose text references footnotes: put in place only at the file's end."""
        self._refs: list[str | int] = []
        """The footnotes referenced since the block (or footnote) being read began."""
        self._placed = _PlacedNotes(self.notes, self._note_findings, self.diagnostics)
        self._link_cursor: tuple[int, int] = (0, 0)
        """Line and column after the last link found in ``_cursor_block``."""
        self._cursor_block: SyntaxTreeNode | None = None
        self._shared: dict[object, object] = {}
        """One node for each short text, formatted word or short run of such inlines, and one string
        for each short link target or formula: they repeat (``" und "``, ``*Modell*``, a link's text,
        ``#GPU``), and the model is immutable. Emptied when it reaches ``_SHARED_MAX`` entries, so
        that a long file's unique texts do not pile up in it."""
        self._number = 0
        """The line number of the last position made: positions on one line share it."""

    # --- entry points ---------------------------------------------------------------

    def document(self) -> tuple[m.Block, ...]:
        env: dict[str, Any] = {DEPTH_KEY: self.depth}
        start = len(self.diagnostics)
        out: list[m.Block] = []
        waiting: list[_Waiting] = []  # blocks with a footnote not read yet
        later: list[_Waiting] = []  # blocks with a footnote put in place only at the end
        # One top-level block's tokens and tree at a time, each released once read: a long file's
        # tokens, their syntax tree and the model are never alive all at once.
        for tokens in parse_blocks(make_parser(self.language), self.text, env):
            for group in _top_level_groups(tokens):
                tree = SyntaxTreeNode(group)
                if group[0].type == "footnote_block_open":
                    self._collect_notes(tree.children[0])
                else:
                    first = len(out)
                    out.extend(self.blocks(tree.children))
                    if self._refs:
                        waiting.append((first, len(out), tuple(self._refs)))
                        self._refs.clear()
                _release(tree)
            waiting = self._place_notes(out, waiting, later, env.get(REDEFINED_KEY, False))
        self._cursor_block = None
        self._shared.clear()
        # In line order: block rules report as they go, the other rules a batch of blocks later.
        self.diagnostics[start:start] = [warning(Code(code), self.path, line + self.line_offset + 1, col, message)
                                         for code, line, col, message in sorted(env.get(ENV_KEY, []), key=_line_of)]
        self._with_notes(out, sorted(waiting + later))
        return self._captioned(tuple(out))

    def blocks(self, nodes: Iterable[SyntaxTreeNode]) -> tuple[m.Block, ...]:
        out: list[m.Block] = []
        for node in nodes:
            method = getattr(self, "block_" + node.type, None)
            if method is None:
                self._unknown(node)
                out.append(m.Para((m.Str(self._source_of(node)),)))
                continue
            result = method(node)
            if isinstance(result, tuple):
                out.extend(result)
            elif result is not None:
                out.append(result)
        return tuple(out)

    # --- blocks ---------------------------------------------------------------------

    def block_paragraph(self, node: SyntaxTreeNode) -> m.Block:
        inlines = self.inlines(node.children[0].children if node.children else [], node)
        return m.Plain(inlines) if node.hidden or self._runs_into_sublist(node) else m.Para(inlines)

    def _runs_into_sublist(self, node: SyntaxTreeNode) -> bool:
        """Pandoc reads an item's text that a sublist follows without a blank line as Plain."""
        after = node.next_sibling
        return (node.parent is not None and node.parent.type == "list_item" and after is not None
                and after.type in ("bullet_list", "ordered_list") and bool(node.map)
                and node.map[1] < len(self._starts) and self.text[slice(*self._bounds(node.map[1]))].strip() != "")

    def block_heading(self, node: SyntaxTreeNode) -> m.Block:
        return m.Header(int(node.tag[1]), _attr(node.attrs), self.inlines(node.children[0].children, node),
                        pos=self._pos(node))

    def block_bullet_list(self, node: SyntaxTreeNode) -> m.Block:
        return m.BulletList(self._items(node))

    def block_ordered_list(self, node: SyntaxTreeNode) -> m.Block:
        start = int(node.attrs.get("start", 1))
        delim = "OneParen" if node.markup == ")" else "Period"
        return m.OrderedList(start, "Decimal", delim, self._items(node))

    def _items(self, node: SyntaxTreeNode) -> tuple[tuple[m.Block, ...], ...]:
        """List items, compacted as pandoc does: a lone final Para becomes Plain."""
        items = [self.blocks(item.children) for item in node.children]
        if items and items[-1] and isinstance(items[-1][-1], m.Para):
            others = [b for item in items[:-1] for b in item] + list(items[-1][:-1])
            if not any(isinstance(b, m.Para) for b in others):
                items[-1] = items[-1][:-1] + (m.Plain(items[-1][-1].content),)
        return tuple(items)

    def block_blockquote(self, node: SyntaxTreeNode) -> m.Block:
        return m.BlockQuote(self.blocks(node.children))

    def block_fence(self, node: SyntaxTreeNode) -> m.Block:
        info = node.info.strip()
        text = node.content[:-1] if node.content.endswith("\n") else node.content
        raw = _RAW_ATTR.match(info)
        if raw and raw.end() == len(info):
            return m.RawBlock(raw[1].lower(), text, self._pos(node))
        if info.startswith("{"):
            attrs = parse_pandoc_attrs(info)
            if attrs is not None:
                return m.CodeBlock(_attr(attrs), text)
        classes = tuple(info.split()[:1])
        return m.CodeBlock(m.Attr("", classes), text)

    def block_code_block(self, node: SyntaxTreeNode) -> m.Block:
        return m.CodeBlock(m.NO_ATTR, node.content.rstrip("\n"))

    def block_hr(self, node: SyntaxTreeNode) -> m.Block:
        return m.HorizontalRule()

    def block_html_block(self, node: SyntaxTreeNode) -> m.Block | None:
        content = node.content.strip()
        if content.startswith("<!--") and content.endswith("-->"):
            return None
        if _UNSAFE_BLOCKS.match(content):
            self._warn(Code.UNKNOWN_CONSTRUCT, self._line(node), 1,
                       "active HTML (script, style, form, embedded object) is not allowed; shown as text")
            return m.CodeBlock(m.Attr("", ("html",)), content)
        return m.RawBlock("html", content, self._pos(node))

    def block_math_block(self, node: SyntaxTreeNode) -> m.Block:
        return m.Para((m.Math(True, node.content.strip(), self._pos(node)),))

    def block_math_block_label(self, node: SyntaxTreeNode) -> m.Block:
        return m.Para((m.Math(True, node.content.strip(), self._pos(node)), m.Span(m.Attr(node.info), ())))

    def block_div(self, node: SyntaxTreeNode) -> m.Block:
        return m.Div(_attr(node.attrs), self.blocks(node.children))

    def block_dl(self, node: SyntaxTreeNode) -> m.Block:
        items: list[tuple[tuple[m.Inline, ...], list[tuple[m.Block, ...]]]] = []
        for child in node.children:
            if child.type == "dt":
                items.append((self.inlines(child.children[0].children, child), []))
            elif items:
                items[-1][1].append(self.blocks(child.children))
        return m.DefinitionList(tuple((term, tuple(defs)) for term, defs in items))

    def block_table(self, node: SyntaxTreeNode) -> m.Block:
        head: list[m.Row] = []
        body: list[m.Row] = []
        aligns: list[str] = []
        for section in node.children:
            for tr in section.children:
                cells = []
                for cell in tr.children:
                    style = str(cell.attrs.get("style", ""))
                    align = _ALIGN.get(style.removeprefix("text-align:"), "AlignDefault")
                    if section.type == "thead":
                        aligns.append(align)
                    inlines = self.inlines(cell.children[0].children, cell) if cell.children else ()
                    cells.append(m.Cell((m.Plain(inlines),) if inlines else ()))
                (head if section.type == "thead" else body).append(m.Row(tuple(cells)))
        colspecs = tuple(m.ColSpec(a) for a in aligns)
        return m.Table(m.NO_ATTR, (), colspecs, tuple(head), (tuple(body),) if body else ())

    def block_grid_table(self, node: SyntaxTreeNode) -> m.Block:
        table: GridTable = node.meta["table"]
        colspecs = tuple(m.ColSpec(a, w) for a, w in zip(table.aligns, table.widths))

        depth = self.depth + node.level + 2  # the table, then its row and cell

        def rows(grid_rows: Sequence[Sequence[GridCell]]) -> tuple[m.Row, ...]:
            return tuple(m.Row(tuple(self._grid_cell(c, self._line(node) + c.line, depth) for c in row))
                         for row in grid_rows)

        return m.Table(m.NO_ATTR, (), colspecs, rows(table.head),
                       (rows(table.body),) if table.body else (), rows(table.foot))

    def _grid_cell(self, cell: GridCell, line: int, depth: int) -> m.Cell:
        sub = _Reader(self.path, cell.text, self.language, line, depth)
        blocks = sub.document()
        self.diagnostics.extend(sub.diagnostics)
        if len(blocks) == 1 and isinstance(blocks[0], m.Para):
            blocks = (m.Plain(blocks[0].content),)
        return m.Cell(blocks, "AlignDefault", cell.row_span, cell.col_span)

    def _collect_notes(self, node: SyntaxTreeNode) -> None:
        for note in node.children:
            body = [c for c in note.children if c.type != "footnote_anchor"]
            before = len(self.diagnostics)
            key = _note_key(note.meta)
            self.notes[key] = self.blocks(body)
            if self._refs:
                self._nesting.add(key)
                self._refs.clear()
            # A footnote's findings count only if it is used (pandoc drops unused notes).
            self._note_findings.pop(key, None)
            if len(self.diagnostics) > before:
                self._note_findings[key] = tuple(self.diagnostics[before:])
                del self.diagnostics[before:]

    def _place_notes(self, blocks: list[m.Block], waiting: list[_Waiting], later: list[_Waiting],
                     redefined: bool) -> list[_Waiting]:
        """Put the footnotes of waiting blocks in place as soon as every one is read, so that a
        long file's blocks do not wait for its end with their references, labels and notes beside
        them. Only footnotes without findings and without references of their own, and only if
        no label is ``redefined`` in the file: the rest go to ``later``, where the end puts their
        findings in the order it always has (``_with_notes``). Returns the blocks still waiting."""
        still = []
        for span in waiting:
            ready = self._ready(span[2], redefined)
            if ready:
                self._with_notes(blocks, [span])
            else:
                (still if ready is None else later).append(span)
        return still

    def _ready(self, keys: tuple[str | int, ...], redefined: bool) -> bool | None:
        """True if these footnotes can be put in place now, False if only at the file's end,
        None if one of them is not read yet."""
        if redefined or any(key in self._nesting or key in self._note_findings for key in keys):
            return False
        return all(key in self.notes or self._placed.has(key) for key in keys) or None

    def _with_notes(self, blocks: list[m.Block], spans: Iterable[_Waiting]) -> None:
        """Put each footnote's blocks where it is referenced (a note defined twice: the last one;
        a note inside itself: empty there) in these blocks, one at a time: each block's version
        without its notes is released as soon as the one with them exists."""
        for first, end, _ in spans:
            for i in range(first, end):
                blocks[i] = transform(blocks[i], self._placed.fill)

    # --- inlines --------------------------------------------------------------------

    def inlines(self, nodes: Sequence[SyntaxTreeNode], block: SyntaxTreeNode) -> tuple[m.Inline, ...]:
        """Convert inline nodes, pairing inline HTML tags into model nodes."""
        if block is not self._cursor_block:
            self._cursor_block = block
            self._link_cursor = ((block.map[0] if block.map else 0), 0)
        stack: list[tuple[str, str, list[m.Inline]]] = [("", "", [])]
        skip = 0
        for i, node in enumerate(nodes):
            out = stack[-1][2]
            if node.type == "html_inline":
                self._html_inline(node.content, stack, block)
            elif node.type == "code_inline" and i + 1 < len(nodes) and nodes[i + 1].type == "text" \
                    and (raw := _RAW_ATTR.match(nodes[i + 1].content)):
                out.append(m.RawInline(raw[1].lower(), node.content, self._find(node.content, block)))
                skip = raw.end()
            elif node.type == "text" and skip:
                if node.content[skip:]:
                    out.append(m.Str(node.content[skip:]))
                skip = 0
            else:
                out.extend(self.inline(node, block))
        while len(stack) > 1:
            _, raw_tag, content = stack.pop()
            self._warn(Code.UNKNOWN_CONSTRUCT, self._line(block), 1,
                       f"unclosed inline HTML {raw_tag!r}; kept as text")
            stack[-1][2].extend([m.Str(raw_tag), *content])
        return self._share(tuple(self._share(node) for node in _merge_text(stack[0][2])))

    def _share(self, node: Any) -> Any:
        """The node (or tuple of inlines) this file already has that equals ``node``, if it may be
        shared (see ``_shareable``; no long text)."""
        if not _shareable(node) or (isinstance(node, m.Str) and len(node.text) > _SHARED_TEXT):
            return node
        return self._remembered(node)

    def _text(self, text: str) -> str:
        """The string this file already has that equals ``text``, if it is short."""
        return self._remembered(text) if len(text) <= _SHARED_TEXT else text

    def _remembered(self, value: Any) -> Any:
        if len(self._shared) >= _SHARED_MAX:
            self._shared.clear()
        return self._shared.setdefault(value, value)

    def inline(self, node: SyntaxTreeNode, block: SyntaxTreeNode) -> tuple[m.Inline, ...]:
        kids = lambda: self.inlines(node.children, block)  # noqa: E731
        match node.type:
            case "text" | "text_special":
                return (m.Str(node.content),)
            case "softbreak":
                return (m.SoftBreak(),)
            case "hardbreak":
                return (m.LineBreak(),)
            case "em":
                return (m.Emph(kids()),)
            case "strong":
                return (m.Strong(kids()),)
            case "s":
                return (m.Strikeout(kids()),)
            case "sub":
                return (m.Subscript(kids()),)
            case "sup":
                return (m.Superscript(kids()),)
            case "code_inline":
                return (m.Code(_attr(node.attrs), node.content),)
            case "math_inline":
                return (m.Math(False, self._text(node.content), self._find(node.content, block)),)
            case "math_inline_double":
                return (m.Math(True, self._text(node.content), self._find(node.content, block)),)
            case "span":
                return (m.Span(_attr(node.attrs), kids()),)
            case "link":
                attrs = dict(node.attrs)
                url, title = self._text(str(attrs.pop("href", ""))), str(attrs.pop("title", ""))
                return (m.Link(_attr(attrs), kids(), url, title, self._locate(url, block)),)
            case "image":
                attrs = dict(node.attrs)
                src, title = str(attrs.pop("src", "")), str(attrs.pop("title", ""))
                attrs.pop("alt", None)
                return (m.Image(_attr(attrs), kids(), src, title, self._locate(src, block)),)
            case "footnote_ref":
                key = _note_key(node.meta)
                if self._placed.has(key):  # read, and put in place before: the same note
                    return (self._placed.fill(_NoteRef(key)),)
                self._refs.append(key)
                return (_NoteRef(key),)
        self._unknown(node, block)
        return (m.Str(node.content or node.markup),)

    def _html_inline(self, raw: str, stack: list[tuple[str, str, list[m.Inline]]], block: SyntaxTreeNode) -> None:
        out = stack[-1][2]
        if raw.startswith("<!--"):
            return
        tag = _TAG.match(raw)
        name = tag[2].lower() if tag else ""
        if tag and name == "br":
            out.append(m.LineBreak())
        elif tag and not tag[1] and not tag[4] and (name in _WRAPPERS or name in _SPAN_CLASSES or name == "code"):
            stack.append((name, raw, []))
        elif tag and tag[1] and len(stack) > 1 and stack[-1][0] == name:
            _, opening, content = stack.pop()
            stack[-1][2].append(_html_node(name, _TAG.match(opening)[3], tuple(_merge_text(content))))
        else:
            self._warn(Code.UNKNOWN_CONSTRUCT, self._line(block), 1,
                       f"inline HTML {raw!r} has no meaning in every format; kept as text")
            out.append(m.Str(raw))

    def _captioned(self, blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
        """Attach pandoc table captions (``: caption`` or ``Table: caption`` before or after a table)."""
        out = list(blocks)
        for i, block in enumerate(out):
            if not isinstance(block, m.Table) or block.caption:
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(out) and _is_caption(out[j]):
                    para = out[j]
                    first = para.content[0]
                    text = _CAPTION.sub("", first.text)
                    content = ((m.Str(text),) if text else ()) + para.content[1:]
                    out[i] = m.Table(block.attr, (m.Plain(content),), block.colspecs, block.head, block.bodies, block.foot)
                    out[j] = None
                    break
        return tuple(b for b in out if b is not None)

    # --- positions and diagnostics --------------------------------------------------

    def _line(self, node: SyntaxTreeNode) -> int:
        return (node.map[0] if node.map else 0) + self.line_offset

    def _pos(self, node: SyntaxTreeNode) -> m.SourcePos:
        return self._at(self._line(node) + 1, 1)

    def _locate(self, target: str, block: SyntaxTreeNode) -> m.SourcePos:
        """Where the link's target starts in the source (after the previous link of this block)."""
        line, col = self._link_cursor
        last = block.map[1] if block.map else line + 1
        needle = "(" + target
        for number in range(line, min(last, len(self._starts))):
            start, end = self._bounds(number)
            found = self.text.find(needle, start + (col if number == line else 0), end) - start
            if found >= 0:
                self._link_cursor = (number, found + 1)
                return self._at(number + 1 + self.line_offset, found + 2)
        return self._at(self._line(block) + 1, 1)

    def _find(self, text: str, block: SyntaxTreeNode) -> m.SourcePos:
        """The first line of ``block`` that holds the start of ``text`` (a formula, a raw span)."""
        first = self._line(block) - self.line_offset
        last = block.map[1] if block.map else first + 1
        needle = text.split("\n", 1)[0]
        for number in range(first, min(last, len(self._starts))):
            start, end = self._bounds(number)
            col = self.text.find(needle, start, end) - start
            if col >= 0:
                return self._at(number + 1 + self.line_offset, col + 1)
        return self._pos(block)

    def _at(self, number: int, col: int) -> m.SourcePos:
        """A position at line ``number`` (1-based, in the file), sharing the number with the last one."""
        if number != self._number:
            self._number = number
        return m.SourcePos(self.path, self._number, col)

    def _source_of(self, node: SyntaxTreeNode) -> str:
        if not node.map:
            return node.content
        first, last = node.map[0], min(node.map[1], len(self._starts)) - 1
        return self.text[self._bounds(first)[0]:self._bounds(last)[1]] if first <= last else ""

    def _bounds(self, number: int) -> tuple[int, int]:
        """Where line ``number`` (0-based) of ``text`` starts and ends, its newline left out."""
        after = number + 1
        return self._starts[number], self._starts[after] - 1 if after < len(self._starts) else len(self.text)

    def _unknown(self, node: SyntaxTreeNode, block: SyntaxTreeNode | None = None) -> None:
        self._warn(Code.UNKNOWN_CONSTRUCT, self._line(block or node), 1,
                   f"unsupported construct ({node.type}); kept as text")

    def _warn(self, code: Code, line: int, col: int, message: str) -> None:
        self.diagnostics.append(warning(code, self.path, line + 1, col, message))


class _PlacedNotes:
    """Footnotes built on their first reference, each once. An object rather than two closures
    that call each other: those would be a cycle holding the reader, and with it the file's text,
    until a full collection, which the build holds back while it resolves and renders."""

    def __init__(self, notes: dict[str | int, tuple[m.Block, ...]],
                 findings: dict[str | int, tuple[Diagnostic, ...]], diagnostics: list[Diagnostic]) -> None:
        self._notes, self._findings, self._diagnostics = notes, findings, diagnostics
        self._done: dict[str | int, m.Note] = {}
        self._open: set[str | int] = set()

    def fill(self, node: Any) -> Any:
        return self._note(node.key) if isinstance(node, _NoteRef) else node

    def has(self, key: str | int) -> bool:
        """Whether the footnote ``key`` is built."""
        return key in self._done

    def _note(self, key: str | int) -> m.Note:
        if key in self._done or key in self._open:
            return self._done.get(key, m.Note(()))
        self._open.add(key)
        self._diagnostics.extend(self._findings.pop(key, ()))
        self._done[key] = m.Note(transform(self._notes.pop(key, ()), self.fill))
        self._open.discard(key)
        return self._done[key]


@dataclass(frozen=True, slots=True)
class _NoteRef:
    """A footnote reference until the whole file is read (its definition may come later)."""

    key: str | int


_Waiting = tuple[int, int, tuple[str | int, ...]]
"""Blocks ``first`` to ``end`` of a file and the footnotes they reference."""


def _line_of(report: tuple[str, int, int, str]) -> tuple[int, int]:
    return report[1], report[2]


def _note_key(meta: dict[str, Any]) -> str | int:
    """A footnote's label (``[^label]``), or the id of an inline one (``^[…]``): no pair, since a
    long file has many notes."""
    label = meta.get("label")
    return int(meta["id"]) if label is None else str(label)


def _attr(attrs: dict[str, Any]) -> m.Attr:
    if not attrs:
        return m.NO_ATTR  # shared: most links and spans have no attributes
    kv = tuple((str(k), str(v)) for k, v in attrs.items() if k not in ("id", "class"))
    classes = tuple(str(attrs.get("class", "")).split())
    return m.Attr(str(attrs.get("id", "")), classes, kv)


def _html_node(name: str, tag_attrs: str, content: tuple[m.Inline, ...]) -> m.Inline:
    if name in _WRAPPERS:
        return _WRAPPERS[name](content)
    found = {k.lower(): v.strip("\"'") for k, v in _TAG_ATTR.findall(tag_attrs)}
    if name == "code":
        return m.Code(m.NO_ATTR, stringify(content))
    classes = tuple(c for c in (_SPAN_CLASSES[name], *found.get("class", "").split()) if c)
    kv = tuple((k, found[k]) for k in m.MEANINGFUL_ATTRIBUTES if k in found)
    return m.Span(m.Attr(found.get("id", ""), classes, kv), content)


def _release(tree: SyntaxTreeNode) -> None:
    """Free a syntax tree now: its nodes point to their parents, and such cycles would wait in
    memory for a full collection, which comes the more seldom the larger the model grows."""
    for node in tree.walk():
        node.parent = None


def _top_level_groups(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each top-level block: an opening token to its closing one, or one token."""
    groups: list[list[Token]] = []
    start = depth = 0
    for i, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            groups.append(tokens[start:i + 1])
            start = i + 1
    return groups


def _merge_text(inlines: list[m.Inline]) -> tuple[m.Inline, ...]:
    out: list[m.Inline] = []
    for node in inlines:
        if isinstance(node, m.Str) and out and isinstance(out[-1], m.Str):
            out[-1] = m.Str(out[-1].text + node.text)
        elif not (isinstance(node, m.Str) and not node.text):
            out.append(node)
    return tuple(out)


def _is_caption(block: m.Block | None) -> bool:
    return (isinstance(block, m.Para) and bool(block.content) and isinstance(block.content[0], m.Str)
            and bool(_CAPTION.match(block.content[0].text)))


def _shareable(node: Any) -> bool:
    """Whether ``node`` is an inline that neither has nor holds a source position, or a short
    tuple of such inlines."""
    if isinstance(node, tuple):
        return len(node) <= _SHARED_RUN and all(map(_positionless, node))
    return _positionless(node)


def _positionless(node: Any) -> bool:
    return type(node) in _SHAREABLE and all(map(_positionless, getattr(node, "content", ())))
