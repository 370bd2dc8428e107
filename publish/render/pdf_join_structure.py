"""One structure tree for a joined tagged PDF (PDF/UA), appended to the saved book one part at a time."""
from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

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


def append_structure(path: Path, parts: list[Path], pages: list[list[int]]) -> None:
    """Append to the saved book ``path`` one structure tree: the elements below each tagged part's
    Document element become the kids of one Document, in part order, with the parent tree keys
    ``shift_parent_keys`` gave the book's pages; role and class maps and ID trees are merged.
    ``pages`` are each part's pages' indices in the book.

    The tree is written as an incremental update (object streams and a cross-reference stream)
    while each part is open, so it is never held in memory: a tagged book has dozens of elements a
    page, far more objects than all its pages."""
    with pikepdf.open(path) as book:
        page_numbers = [page.obj.objgen[0] for page in book.pages]
        annotations = [[a.objgen[0] for a in page.obj.get("/Annots", Array())] for page in book.pages]
        unchanged = Renumbering(lambda objgen: objgen[0])
        catalog = book.Root.objgen[0], {str(k): _serialized(v, unchanged) for k, v in book.Root.items()}
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
    for part, part_path in enumerate(parts):
        with pikepdf.open(part_path) as source:
            tree = source.Root.get("/StructTreeRoot")
            if tree is None:
                continue
            known = {tree.objgen: document}
            for page, number in zip(source.pages, pages[part]):
                known[page.obj.objgen] = page_numbers[number]
                for annotation, copied in zip(page.obj.get("/Annots", Array()), annotations[number]):
                    known[annotation.objgen] = copied
            copy = _PartCopy(update, source, known)
            for top in _kids(tree):
                if top.get("/S") == Name.Document:
                    known[top.objgen] = document
                    kids += [copy.serialized(kid) for kid in _kids(top)]
                else:
                    kids.append(copy.serialized(top))
            pairs = _number_tree(tree.ParentTree) if "/ParentTree" in tree else []
            numbers += [(key + offset, copy.serialized(value)) for key, value in pairs]
            names = _name_tree(tree.IDTree) if "/IDTree" in tree else []
            for index in range(0, len(names), 2):
                ids.setdefault(str(names[index]), copy.serialized(names[index + 1]))
            for key in ("/RoleMap", "/ClassMap"):
                for name, value in tree.get(key, Dictionary()).items():
                    maps.setdefault(key, {})[name] = copy.serialized(value)
            copy.drain()
            offset += max((key for key, _ in pairs), default=-1) + 1
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


class _PartCopy:
    """The objects of one part's structure tree, numbered for the book when first referred to and
    written by ``drain``; pages, annotations and the part's root map to the book's objects."""

    def __init__(self, update: _Update, source: pikepdf.Pdf, known: dict[tuple[int, int], int]) -> None:
        self.update, self.source, self.known = update, source, known
        self.queue: list[tuple[int, int]] = []
        self.renumbering = Renumbering(self.number)

    def number(self, objgen: tuple[int, int]) -> int:
        if objgen not in self.known:
            self.known[objgen] = self.update.reserve()
            self.queue.append(objgen)
        return self.known[objgen]

    def serialized(self, obj: object) -> bytes:
        return _serialized(obj, self.renumbering)

    def drain(self) -> None:
        while self.queue:
            objgen = self.queue.pop()
            obj = self.source.get_object(objgen)
            if isinstance(obj, pikepdf.Stream):
                entries = {str(k): self.serialized(v) for k, v in obj.stream_dict.items() if k != "/Length"}
                self.update.add_stream(self.known[objgen], entries, obj.read_raw_bytes())
            else:
                self.update.add(_serialized(obj, self.renumbering, top=True), self.known[objgen])


class Renumbering:
    """qpdf's syntax for an object with its indirect references numbered by ``number`` (given
    their ``objgen``). Only references are renumbered, so a string that looks like one stays."""

    PATTERN = re.compile(rb"(\((?:[^\\)]|\\.)*\))|(?<=[\s\[])(\d+) (\d+) R")
    """A literal string (qpdf always escapes its parentheses: left alone), or an indirect
    reference ``n g R`` (qpdf always writes one after a space or ``[``)."""

    def __init__(self, number: Callable[[tuple[int, int]], int]) -> None:
        self.number = number
        self.references: dict[bytes, bytes] = {}
        """Each reference met so far, as written: most are met often (a page, a parent)."""

    def __call__(self, text: bytes) -> bytes:
        return self.PATTERN.sub(self._reference, text)

    def _reference(self, match: re.Match[bytes]) -> bytes:
        if match[1]:
            return match[1]
        found = self.references.get(match[0])
        if found is None:
            found = self.references[match[0]] = b"%d 0 R" % self.number((int(match[2]), int(match[3])))
        return found


def _serialized(obj: object, renumbered: Renumbering, top: bool = False) -> bytes:
    """PDF syntax for ``obj``, indirect objects inside it (or it, unless ``top``) as references
    ``renumbered``."""
    if isinstance(obj, pikepdf.Object):
        if obj.is_indirect and not top:
            return b"%d 0 R" % renumbered.number(obj.objgen)
        return renumbered(obj.unparse(resolved=True))
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, Decimal):
        return format(obj, "f").encode()
    if obj is None:
        return b"null"
    raise TypeError(f"not a PDF object: {obj!r}")


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

    def reserve(self) -> int:
        self.table += bytes(ROW.size)
        self.next += 1
        return self.next - 1

    def add(self, body: bytes, number: int | None = None) -> int:
        number = self.reserve() if number is None else number
        self.pending.append((number, body))
        if len(self.pending) == OBJECTS_PER_STREAM:
            self._flush()
        return number

    def add_stream(self, number: int, entries: dict[str, bytes], data: bytes) -> None:
        self._write(number, _dictionary({**entries, "/Length": b"%d" % len(data)}) + b"\nstream\n" + data + b"\nendstream")

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
    pairs = _number_tree(tree.ParentTree) if "/ParentTree" in tree else []
    return max((key for key, _ in pairs), default=-1) + 1


def _kids(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []


def _number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """(key, value) of a number tree, leaves in order."""
    flat = node.get("/Nums", Array())
    pairs = [(int(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]
    return pairs + [pair for kid in node.get("/Kids", Array()) for pair in _number_tree(kid)]


def _name_tree(node: pikepdf.Object) -> list[pikepdf.Object]:
    """A name tree's flat ``[name value …]``, leaves in order."""
    return [*node.get("/Names", Array()), *(item for kid in node.get("/Kids", Array()) for item in _name_tree(kid))]
