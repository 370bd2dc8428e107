"""One structure tree for a joined tagged PDF (PDF/UA), appended to the saved book one part at a time."""
from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf
from pikepdf import Array, Name

from .pdf_part_tree import PartTree, Renumbering, number_tree, relocated, serialized

OBJECTS_PER_STREAM = 100
"""Objects packed into one compressed object stream of the appended structure tree."""

_LEVEL = 6
"""Deflate's level for the tree's streams: with 9 the join of 300 entries took 3.8 s, with 6 2.9 s,
for a file 1 % larger."""

ROW = struct.Struct(">BIH")
"""A cross-reference stream row (``/W [1 4 2]``): type, offset or object stream, generation or index."""


def shift_parent_keys(source: pikepdf.Pdf, pages: list[pikepdf.Object], offset: int) -> int:
    """Move the parent tree keys of ``source``'s pages (``pages``: copied into the book) and their
    annotations past the keys of the parts before (``offset``); the offset for the next part."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return offset
    for page in pages:
        if "/StructParents" in page:
            page.StructParents = int(page.StructParents) + offset
        for annotation in page.get("/Annots", Array()):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + offset
    return offset + _key_count(tree)


def append_structure(path: Path, trees: Callable[[int, bool], PartTree | None], pages: list[list[int]]) -> None:
    """Append to the saved book ``path`` one structure tree: the elements below each tagged part's
    Document element become the kids of one Document, in part order, with the parent tree keys
    ``shift_parent_keys`` gave the book's pages; role and class maps and ID trees are merged.
    ``trees`` gives each part's tree (None: not tagged), asked for one part at a time (and again,
    read out of the part itself, if what it gave does not fit the part); ``pages`` are each part's
    pages' indices in the book.

    The tree is written as an incremental update (object streams and a cross-reference stream)
    part by part, so it is never held in memory: a tagged book has dozens of elements a page, far
    more objects than all its pages."""
    with pikepdf.open(path) as book:
        page_numbers = [page.obj.objgen[0] for page in book.pages]
        annotations = [[a.objgen[0] for a in page.obj.get("/Annots", Array())] for page in book.pages]
        unchanged = Renumbering(lambda objgen: b"%d 0 R" % objgen[0])
        catalog = book.Root.objgen[0], {str(k): serialized(v, unchanged) for k, v in book.Root.items()}
        info = book.trailer.Info.objgen[0]
        first_id = bytes(book.trailer.ID[0])
        size = int(book.trailer.Size)
    with path.open("rb") as saved:
        saved.seek(-64, 2)
        previous = int(saved.read().rsplit(b"startxref", 1)[1].split()[0])
    update = _Update(path, size)
    root, document = update.reserve(), update.reserve()
    kids: list[bytes] = []
    numbers: list[tuple[int, bytes]] = []
    ids: dict[str, bytes] = {}
    maps: dict[str, dict[str, bytes]] = {}
    offset = 0
    for part, placed in enumerate(pages):
        tree = trees(part, False)
        if tree is None:
            continue
        base = update.next
        where = ([page_numbers[n] for n in placed], [annotations[n] for n in placed])
        try:
            book_tree = relocated(tree, base, *where, document)
        except ValueError:  # a kept tree that is not the part's: read out of the part again
            tree = trees(part, True)
            if tree is None:
                continue
            book_tree = relocated(tree, base, *where, document)
        update.reserve(len(tree.objects))
        streams = dict(tree.streams)
        for number, body in enumerate(book_tree.objects):
            if number in streams:
                update.add_stream(base + number, body, streams[number])
            else:
                update.add(body, base + number)
        kids += book_tree.kids
        numbers += [(key + offset, value) for key, value in book_tree.numbers]
        for name, value in book_tree.ids:
            ids.setdefault(name, value)
        for key, name, value in book_tree.maps:
            maps.setdefault(key, {})[name] = value
        offset += max((key for key, _ in tree.numbers), default=-1) + 1
    parent_tree = update.add(b"<</Nums[" + b" ".join(b"%d %s" % pair for pair in sorted(numbers)) + b"]>>")
    entries = {"/Type": b"/StructTreeRoot", "/K": b"[%d 0 R]" % document, "/ParentTree": b"%d 0 R" % parent_tree,
               "/ParentTreeNextKey": b"%d" % offset}
    if ids:
        entries["/IDTree"] = b"%d 0 R" % update.add(
            b"<</Names[" + b" ".join(_name(name) + b" " + ids[name] for name in sorted(ids)) + b"]>>")
    for key, values in maps.items():
        entries[key] = _dictionary({name: value for name, value in values.items()})
    update.add(_dictionary(entries), root)
    update.add(b"<</Type/StructElem/S/Document/P %d 0 R/K[%s]>>" % (root, b" ".join(kids)), document)
    update.finish(catalog[0], _dictionary({**catalog[1], "/StructTreeRoot": b"%d 0 R" % root}), info, first_id, previous)


def _name(name: str) -> bytes:
    return pikepdf.String(name).unparse()


def _dictionary(entries: dict[str, bytes]) -> bytes:
    return b"<<" + b"".join(Name(key).unparse() + b" " + value for key, value in entries.items()) + b">>"


class _Update:
    """An incremental update appended to a PDF: objects packed into object streams, then a
    cross-reference stream whose ``/Prev`` is the file's last one."""

    def __init__(self, path: Path, size: int) -> None:
        self.file = path.open("ab")
        self.digest = hashlib.md5()
        self.first = self.next = size
        self.pending: list[tuple[int, bytes]] = []
        self.table = bytearray()
        """The cross-reference rows of the objects from ``first`` on (a dict of them would cost
        ~200 bytes an object, as much as the book's pages at 3,000 entries)."""

    def reserve(self, count: int = 1) -> int:
        """Numbers for ``count`` objects: the first of them."""
        self.table += bytes(ROW.size * count)
        self.next += count
        return self.next - count

    def add(self, body: bytes, number: int | None = None) -> int:
        number = self.reserve() if number is None else number
        self.pending.append((number, body))
        if len(self.pending) == OBJECTS_PER_STREAM:
            self._flush()
        return number

    def add_stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        """A stream object: ``dictionary`` (its syntax, ``<<…>>`` without ``/Length``) and its raw ``data``."""
        head = dictionary.rstrip()[:-2] + b" /Length %d >>" % len(data)
        self._write(number, head + b"\nstream\n" + data + b"\nendstream")

    def finish(self, catalog: int, body: bytes, info: int, first_id: bytes, previous: int) -> None:
        """Write the catalog again (object ``catalog`` of the saved book, now with the tree) and the
        cross-reference stream: the catalog's row, then the rows of the objects appended."""
        self._flush()
        catalog_row = ROW.pack(1, self.file.tell(), 0)
        self._write(catalog, body)
        number = self.reserve()
        self._row(number, 1, self.file.tell(), 0)
        data = zlib.compress(catalog_row + bytes(self.table), _LEVEL)
        ids = b"<%s><%s>" % (first_id.hex().encode(), self.digest.hexdigest().encode())
        head = _dictionary({"/Type": b"/XRef", "/Size": b"%d" % (number + 1),
                            "/Index": b"[%d 1 %d %d]" % (catalog, self.first, number + 1 - self.first),
                            "/W": b"[1 4 2]", "/Root": b"%d 0 R" % catalog, "/Info": b"%d 0 R" % info,
                            "/ID": b"[" + ids + b"]", "/Prev": b"%d" % previous, "/Filter": b"/FlateDecode",
                            "/Length": b"%d" % len(data)})
        offset = self.file.tell()
        self.file.write(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
                        % (number, head, data, offset))
        self.file.close()

    def _flush(self) -> None:
        if not self.pending:
            return
        stream = self.reserve()
        offsets, texts, size = [], [], 0
        for position, (number, text) in enumerate(self.pending):
            offsets.append(b"%d %d" % (number, size))
            self._row(number, 2, stream, position)
            texts.append(text + b"\n")
            size += len(text) + 1
        head = b" ".join(offsets) + b"\n"
        body = b"".join(texts)
        data = zlib.compress(head + body, _LEVEL)
        self._write(stream, _dictionary({"/Type": b"/ObjStm", "/N": b"%d" % len(self.pending), "/First": b"%d" % len(head),
                                         "/Filter": b"/FlateDecode", "/Length": b"%d" % len(data)})
                    + b"\nstream\n" + data + b"\nendstream")
        self.pending = []

    def _write(self, number: int, text: bytes) -> None:
        if number >= self.first:
            self._row(number, 1, self.file.tell(), 0)
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, text)
        self.digest.update(chunk)
        self.file.write(chunk)

    def _row(self, number: int, kind: int, field: int, index: int) -> None:
        ROW.pack_into(self.table, ROW.size * (number - self.first), kind, field, index)


def _key_count(tree: pikepdf.Object) -> int:
    """One more than the last key of the parent tree (which the tree root says, when laid out
    by this version: ``pdf_structure.refine_structure``)."""
    if "/ParentTreeNextKey" in tree:
        return int(tree.ParentTreeNextKey)
    pairs = number_tree(tree.ParentTree) if "/ParentTree" in tree else []
    return max((key for key, _ in pairs), default=-1) + 1
