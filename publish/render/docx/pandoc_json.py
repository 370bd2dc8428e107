"""Serialise model nodes to Pandoc's JSON AST (pandoc-types 1.23), the input of pandoc's writers."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import IO, Any

from ... import model as m

API_VERSION = [1, 23, 1, 1]
_SPACE = {"t": "Space"}
"""One object for every Space: JSON writes it each time, and a book has a hundred thousand."""


def document(blocks: tuple[m.Block, ...], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"pandoc-api-version": API_VERSION, "meta": meta or {}, "blocks": blocks_json(blocks)}


def write_document(out: IO[str], blocks: Iterable[m.Block], meta: dict[str, Any] | None = None) -> None:
    """Write what ``json.dump(document(blocks, meta), out)`` writes, one top-level block at a time:
    a long book's JSON tree and text are never held whole."""
    write_serialised(out, (json.dumps(block_json(block)) for block in blocks), meta)


def write_serialised(out: IO[str], blocks: Iterable[str], meta: dict[str, Any] | None = None) -> None:
    """``write_document`` for top-level blocks already serialised (each ``json.dumps(block_json(b))``)."""
    head = json.dumps({"pandoc-api-version": API_VERSION, "meta": meta or {}, "blocks": []})
    out.write(head[:-2])
    for n, block in enumerate(blocks):
        out.write(", " * bool(n) + block)
    out.write(head[-2:])


def metadata_json(metadata: m.Metadata) -> dict[str, Any]:
    def text(value: str) -> dict[str, Any]:
        return {"t": "MetaInlines", "c": inlines_json((m.Str(value),))}

    meta: dict[str, Any] = {"title": text(metadata.title), "lang": {"t": "MetaString", "c": metadata.language}}
    if metadata.subtitle:
        meta["subtitle"] = text(metadata.subtitle)
    if metadata.authors:
        meta["author"] = {"t": "MetaList", "c": [text(a) for a in metadata.authors]}
    if metadata.date:
        meta["date"] = text(metadata.date)
    if metadata.rights:
        meta["rights"] = text(metadata.rights)
    return meta


def attr_json(attr: m.Attr) -> list[Any]:
    return [attr.id, list(attr.classes), [list(pair) for pair in attr.kv]]


def blocks_json(blocks: tuple[m.Block, ...]) -> list[dict[str, Any]]:
    return [block_json(b) for b in blocks]


def block_json(block: m.Block) -> dict[str, Any]:
    match block:
        case m.Plain(content):
            return {"t": "Plain", "c": inlines_json(content)}
        case m.Para(content):
            return {"t": "Para", "c": inlines_json(content)}
        case m.CodeBlock(attr, text):
            return {"t": "CodeBlock", "c": [attr_json(attr), text]}
        case m.RawBlock(fmt, text):
            return {"t": "RawBlock", "c": [fmt, text]}
        case m.BlockQuote(blocks):
            return {"t": "BlockQuote", "c": blocks_json(blocks)}
        case m.OrderedList(start, style, delim, items):
            return {"t": "OrderedList",
                    "c": [[start, {"t": style}, {"t": delim}], [blocks_json(i) for i in items]]}
        case m.BulletList(items):
            return {"t": "BulletList", "c": [blocks_json(i) for i in items]}
        case m.DefinitionList(items):
            return {"t": "DefinitionList",
                    "c": [[inlines_json(term), [blocks_json(d) for d in defs]] for term, defs in items]}
        case m.Header(level, attr, content):
            return {"t": "Header", "c": [level, attr_json(attr), inlines_json(content)]}
        case m.HorizontalRule():
            return {"t": "HorizontalRule"}
        case m.Table():
            return _table_json(block)
        case m.Figure(attr, caption, blocks):
            return {"t": "Figure", "c": [attr_json(attr), [None, blocks_json(caption)], blocks_json(blocks)]}
        case m.Div(attr, blocks):
            return {"t": "Div", "c": [attr_json(attr), blocks_json(blocks)]}
    raise TypeError(f"not a block: {block!r}")


def _table_json(table: m.Table) -> dict[str, Any]:
    def cell(c: m.Cell) -> list[Any]:
        return [attr_json(m.NO_ATTR), {"t": c.align}, c.row_span, c.col_span, blocks_json(c.blocks)]

    def rows(rs: tuple[m.Row, ...]) -> list[Any]:
        return [[attr_json(m.NO_ATTR), [cell(c) for c in r.cells]] for r in rs]

    colspecs = [[{"t": c.align}, {"t": "ColWidth", "c": c.width} if c.width else {"t": "ColWidthDefault"}]
                for c in table.colspecs]
    bodies = [[attr_json(m.NO_ATTR), 0, [], rows(body)] for body in table.bodies]
    return {"t": "Table", "c": [
        attr_json(table.attr), [None, blocks_json(table.caption)], colspecs,
        [attr_json(m.NO_ATTR), rows(table.head)], bodies, [attr_json(m.NO_ATTR), rows(table.foot)],
    ]}


def inlines_json(inlines: tuple[m.Inline, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in inlines:
        if isinstance(node, m.Str):
            out.extend(_str_json(node.text))
        else:
            out.append(inline_json(node))
    return out


def _str_json(text: str) -> list[dict[str, Any]]:
    """Words and the runs of spaces between them (one Space a run)."""
    out: list[dict[str, Any]] = []
    for number, word in enumerate(text.split(" ")):
        if number and (not out or out[-1] is not _SPACE):
            out.append(_SPACE)
        if word:
            out.append({"t": "Str", "c": word})
    return out


def inline_json(node: m.Inline) -> dict[str, Any]:
    wrappers = {m.Emph: "Emph", m.Strong: "Strong", m.Underline: "Underline", m.Strikeout: "Strikeout",
                m.Superscript: "Superscript", m.Subscript: "Subscript", m.SmallCaps: "SmallCaps"}
    if type(node) in wrappers:
        return {"t": wrappers[type(node)], "c": inlines_json(node.content)}  # type: ignore[union-attr]
    match node:
        case m.Code(attr, text):
            return {"t": "Code", "c": [attr_json(attr), text]}
        case m.SoftBreak():
            return {"t": "SoftBreak"}
        case m.LineBreak():
            return {"t": "LineBreak"}
        case m.Math(display, tex):
            return {"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"}, tex]}
        case m.RawInline(fmt, text):
            return {"t": "RawInline", "c": [fmt, text]}
        case m.Link(attr, content, url, title):
            return {"t": "Link", "c": [attr_json(attr), inlines_json(content), [url, title]]}
        case m.Image(attr, alt, src, title):
            return {"t": "Image", "c": [attr_json(attr), inlines_json(alt), [src, title]]}
        case m.Note(blocks):
            return {"t": "Note", "c": blocks_json(blocks)}
        case m.Span(attr, content):
            return {"t": "Span", "c": [attr_json(attr), inlines_json(content)]}
    raise TypeError(f"not an inline: {node!r}")
