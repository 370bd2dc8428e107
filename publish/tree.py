"""Plain text of model nodes (Pandoc's ``stringify``) and walking the model tree."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass, replace
from functools import lru_cache
from operator import is_
from typing import Any

from . import model as m


def stringify(inlines: Iterable[m.Inline]) -> str:
    """The text a reader sees, breaks as spaces, notes left out."""
    return "".join(_strings(inlines))


def mark_term(span: m.Span) -> str:
    """The term an index mark files its place under: ``term="…"``, else the marked text."""
    return span.attr.get("term") or stringify(span.content).strip()


def typeset_strings(book: m.Book) -> Iterator[str]:
    """Every string the book sets in a font, in order: metadata, then each entry's title, text,
    code and aliases, then the front matter; one at a time (a long book's text joined would be
    twice its size wherever one character is outside Latin-1).

    Math is left out: the PDF draws it as paths and the EPUB as MathML in the reader's math font.
    """
    yield from (book.metadata.title, book.metadata.subtitle, book.metadata.date, book.metadata.rights,
                *book.metadata.authors)
    for part in (*book.entries, *book.front_matter):
        yield from (n.text for n in walk((getattr(part, "title", ()), part.blocks))
                    if isinstance(n, (m.Str, m.Code, m.CodeBlock)))
        yield from getattr(part, "aliases", ())


def _strings(inlines: Iterable[m.Inline]) -> Iterator[str]:
    for node in inlines:
        if isinstance(node, (m.Str, m.Code)):
            yield node.text
        elif isinstance(node, m.Math):
            yield node.tex
        elif isinstance(node, (m.SoftBreak, m.LineBreak)):
            yield " "
        elif isinstance(node, m.Image):
            yield from _strings(node.alt)
        elif isinstance(node, m.Note):
            continue
        elif hasattr(node, "content"):
            yield from _strings(node.content)


_NODE_FIELDS = frozenset({"content", "alt", "blocks", "items", "caption", "head", "bodies", "foot", "cells"})
"""Model fields that hold child nodes; every other field holds text, numbers or attributes."""


@lru_cache(maxsize=None)
def _child_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name in _NODE_FIELDS) if is_dataclass(cls) else ()


def walk(node: Any, prune: type | tuple[type, ...] = ()) -> Iterator[Any]:
    """Every model node below ``node`` (blocks, inlines, cells …), depth first, in document order;
    the children of ``prune`` nodes (e.g. ``m.Note``) are left out."""
    if isinstance(node, tuple):
        for child in node:
            yield from walk(child, prune)
        return
    yield node
    if prune and isinstance(node, prune):
        return
    for name in _child_fields(type(node)):
        yield from walk(getattr(node, name), prune)


def transform(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Rebuild ``node`` bottom-up, replacing every node by ``fn(node)``; unchanged parts are reused."""
    if isinstance(node, tuple):
        new = [transform(child, fn) for child in node]
        return node if all(map(is_, new, node)) else tuple(new)
    changes = {}
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        new = transform(value, fn)
        if new is not value:
            changes[name] = new
    return fn(replace(node, **changes) if changes else node)
