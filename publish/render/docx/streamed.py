"""An XML part kept as compressed chunks of its children's XML: a long book's document and notes
are never held whole, as a tree or as text, once a piece of them is finished."""
from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree

_CUT = "publish-cut"
_MARK = f"<!--{_CUT}-->".encode()
"""Where a chunk starts or ends in the serialised XML: a comment, which no text can spell (text
has its ``<`` escaped)."""


@dataclass
class StreamedPart:
    """What comes before the chunks (the root's start, the children it already had), the chunks,
    compressed, and what comes after them (the root's end)."""

    head: bytes
    tail: bytes
    chunks: list[bytes] = field(default_factory=list)

    @classmethod
    def around(cls, root: etree._Element, container: etree._Element, keep: bool = False) -> StreamedPart:
        """The part ``root``, its chunks to go after ``container``'s children: these stay in the
        head if ``keep``, else they are left out of it (for ``add``)."""
        children = [] if keep else list(container)
        for child in children:
            container.remove(child)
        mark = etree.Comment(_CUT)
        container.append(mark)
        head, tail = _serialise(root).split(_MARK)
        container.remove(mark)
        container.extend(children)
        return cls(head, tail)

    def add(self, container: etree._Element) -> None:
        """``container``'s children (with namespaces declared as the part's root declares them)
        as the next chunk, and the container emptied."""
        if len(container) == 0:
            return
        container.insert(0, etree.Comment(_CUT))
        container.append(etree.Comment(_CUT))
        _, inner, _ = etree.tostring(container, encoding="UTF-8").split(_MARK)
        for child in list(container):
            container.remove(child)
        self.chunks.append(zlib.compress(inner, 1))

    def change(self, how: Callable[[etree._Element], None]) -> None:
        """``how`` applied to the part without its chunks (a root whose children are the head's)."""
        root = etree.fromstring(self.head + self.tail)
        how(root)
        changed = StreamedPart.around(root, root, keep=True)
        self.head, self.tail = changed.head, changed.tail

    def written(self, replace: Mapping[bytes, bytes] | None = None) -> Iterator[bytes]:
        """The part's bytes in pieces; each key of ``replace`` replaced where it first occurs (a
        key is whole inside one chunk: chunks are whole elements)."""
        pending = dict(replace or {})
        yield self.head
        for chunk in self.chunks:
            data = zlib.decompress(chunk)
            for old in [old for old in pending if old in data]:
                data = data.replace(old, pending.pop(old), 1)
            yield data
        yield self.tail


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
