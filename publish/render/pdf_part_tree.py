"""One part's structure tree in PDF syntax, its references as placeholders: made where the part is
laid out, kept beside it, and numbered into the book by the join."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

PLACEHOLDER = re.compile(rb"\x00([LPAD])(\d*)(?:\.(\d+))?\x00")
"""Where the book's reference goes: ``L``\\ n the tree's own object n, ``P``\\ k the part's page k,
``A``\\ k.j the annotation j of page k, ``D`` the book's Document element. qpdf's syntax has no NUL
(it escapes every control character in a string), so nothing else looks like one."""


@dataclass(frozen=True)
class PartTree:
    """What the join takes of a tagged part: the elements below its Document element, its parent
    tree, ID tree and role and class maps. Every reference in them is a ``PLACEHOLDER``."""

    objects: tuple[bytes, ...]
    """The tree's objects by number: a dictionary's or array's syntax, a stream's dictionary without ``/Length``."""
    streams: tuple[tuple[int, bytes], ...]
    """(object, raw data) of the objects that are streams."""
    kids: tuple[bytes, ...]
    """The elements below the part's Document element (or the part's top elements)."""
    numbers: tuple[tuple[int, bytes], ...]
    """The parent tree: (key, value)."""
    ids: tuple[tuple[str, bytes], ...]
    maps: tuple[tuple[str, str, bytes], ...]
    """(``/RoleMap`` or ``/ClassMap``, name, value)."""


class Renumbering:
    """qpdf's syntax for an object with its indirect references written by ``reference`` (given
    their ``objgen``). Only references are rewritten, so a string that looks like one stays."""

    PATTERN = re.compile(rb"(\((?:[^\\)]|\\.)*\))|(?<=[\s\[])(\d+) (\d+) R")
    """A literal string (qpdf always escapes its parentheses: left alone), or an indirect
    reference ``n g R`` (qpdf always writes one after a space or ``[``)."""

    def __init__(self, reference: Callable[[tuple[int, int]], bytes]) -> None:
        self.reference = reference
        self.references: dict[bytes, bytes] = {}
        """Each reference met so far, as written: most are met often (a page, a parent)."""

    def __call__(self, text: bytes) -> bytes:
        return self.PATTERN.sub(self._reference, text)

    def _reference(self, match: re.Match[bytes]) -> bytes:
        if match[1]:
            return match[1]
        found = self.references.get(match[0])
        if found is None:
            found = self.references[match[0]] = self.reference((int(match[2]), int(match[3])))
        return found


def serialized(obj: object, renumbered: Renumbering, top: bool = False) -> bytes:
    """PDF syntax for ``obj``, indirect objects inside it (or it, unless ``top``) as references
    ``renumbered``."""
    if isinstance(obj, pikepdf.Object):
        if obj.is_indirect and not top:
            return renumbered.reference(obj.objgen)
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


def part_tree(path: Path) -> PartTree | None:
    """The structure tree of the part PDF ``path``, or None if it is not tagged."""
    with pikepdf.open(path) as source:
        return tree_of(source)


def tree_of(source: pikepdf.Pdf) -> PartTree | None:
    """The structure tree of an open part PDF, or None if it is not tagged."""
    tree = source.Root.get("/StructTreeRoot")
    if tree is None:
        return None
    known = {tree.objgen: b"\0D\0"}
    for k, page in enumerate(source.pages):
        known[page.obj.objgen] = b"\0P%d\0" % k
        for j, annotation in enumerate(page.obj.get("/Annots", Array())):
            known[annotation.objgen] = b"\0A%d.%d\0" % (k, j)
    copy = _Copy(source, known)
    kids: list[bytes] = []
    for top in kids_of(tree):
        if top.get("/S") == Name.Document:
            known[top.objgen] = b"\0D\0"
            kids += [copy.serialized(kid) for kid in kids_of(top)]
        else:
            kids.append(copy.serialized(top))
    numbers = [(key, copy.serialized(value)) for key, value in number_tree(tree.ParentTree)] \
        if "/ParentTree" in tree else []
    names = _name_tree(tree.IDTree) if "/IDTree" in tree else []
    ids = [(str(names[i]), copy.serialized(names[i + 1])) for i in range(0, len(names) - 1, 2)]
    maps = [(key, str(name), copy.serialized(value))
            for key in ("/RoleMap", "/ClassMap") for name, value in tree.get(key, Dictionary()).items()]
    copy.drain()
    return PartTree(tuple(copy.objects), tuple(copy.streams), tuple(kids), tuple(numbers), tuple(ids), tuple(maps))


class _Copy:
    """The objects of a part's tree, numbered in the order first referred to."""

    def __init__(self, source: pikepdf.Pdf, known: dict[tuple[int, int], bytes]) -> None:
        self.source, self.known = source, known
        self.queue: list[tuple[int, int]] = []
        self.objects: list[bytes] = []
        self.streams: list[tuple[int, bytes]] = []
        self.renumbering = Renumbering(self.reference)

    def reference(self, objgen: tuple[int, int]) -> bytes:
        if objgen not in self.known:
            self.known[objgen] = b"\0L%d\0" % len(self.objects)
            self.objects.append(b"")
            self.queue.append(objgen)
        return self.known[objgen]

    def serialized(self, obj: object) -> bytes:
        return serialized(obj, self.renumbering)

    def drain(self) -> None:
        while self.queue:
            objgen = self.queue.pop()
            number = int(self.known[objgen][2:-1])
            obj = self.source.get_object(objgen)
            if isinstance(obj, pikepdf.Stream):
                entries = Dictionary({k: v for k, v in obj.stream_dict.items() if k != "/Length"})
                self.objects[number] = self.renumbering(entries.unparse())
                self.streams.append((number, obj.read_raw_bytes()))
            else:
                self.objects[number] = serialized(obj, self.renumbering, top=True)


def relocated(tree: PartTree, base: int, pages: list[int], annotations: list[list[int]], document: int) -> PartTree:
    """The tree with the book's references: its objects numbered from ``base``, its pages and
    their annotations the book's (``pages``: the book's object numbers of the part's pages;
    ``annotations``: of their annotations). A placeholder that names nothing of the part is a
    ValueError (a kept tree that is not what was stored), raised before the caller writes anything."""
    memo: dict[bytes, bytes] = {}
    own = range(base, base + len(tree.objects))

    def replace(match: re.Match[bytes]) -> bytes:
        found = memo.get(match[0])
        if found is None:
            kind, first = match[1], int(match[2] or 0)
            try:
                number = (own[first] if kind == b"L" else pages[first] if kind == b"P"
                          else annotations[first][int(match[3] or 0)] if kind == b"A" else document)
            except IndexError:
                raise ValueError(f"the tree names {match[0]!r}, which the part does not have") from None
            found = memo[match[0]] = b"%d 0 R" % number
        return found

    def book(text: bytes) -> bytes:
        return PLACEHOLDER.sub(replace, text)

    return PartTree(tuple(book(o) for o in tree.objects), tree.streams, tuple(book(k) for k in tree.kids),
                    tuple((key, book(value)) for key, value in tree.numbers),
                    tuple((name, book(value)) for name, value in tree.ids),
                    tuple((key, name, book(value)) for key, name, value in tree.maps))


def dumps(tree: PartTree) -> bytes:
    """The tree as JSON (its syntax as Latin-1 text: every byte kept)."""
    text = lambda data: data.decode("latin-1")  # noqa: E731
    return json.dumps({"objects": [text(o) for o in tree.objects],
                       "streams": [[n, text(d)] for n, d in tree.streams],
                       "kids": [text(k) for k in tree.kids],
                       "numbers": [[k, text(v)] for k, v in tree.numbers],
                       "ids": [[n, text(v)] for n, v in tree.ids],
                       "maps": [[k, n, text(v)] for k, n, v in tree.maps]}).encode()


def loads(data: bytes) -> PartTree:
    """``dumps`` read back; anything else is a ValueError."""
    try:
        found = json.loads(data)
        data_of = lambda text: _text(text).encode("latin-1")  # noqa: E731
        return PartTree(tuple(data_of(o) for o in found["objects"]),
                        tuple((_int(n), data_of(d)) for n, d in found["streams"]),
                        tuple(data_of(k) for k in found["kids"]),
                        tuple((_int(k), data_of(v)) for k, v in found["numbers"]),
                        tuple((_text(n), data_of(v)) for n, v in found["ids"]),
                        tuple((_text(k), _text(n), data_of(v)) for k, n, v in found["maps"]))
    except (KeyError, TypeError, UnicodeError, RecursionError) as problem:
        raise ValueError(f"not a kept structure tree: {problem}") from None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not a number")
    return value


def kids_of(node: pikepdf.Object) -> list[pikepdf.Object]:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []


def number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    """(key, value) of a number tree, leaves in order."""
    flat = node.get("/Nums", Array())
    pairs = [(int(flat[i]), flat[i + 1]) for i in range(0, len(flat), 2)]
    return pairs + [pair for kid in node.get("/Kids", Array()) for pair in number_tree(kid)]


def _name_tree(node: pikepdf.Object) -> list[pikepdf.Object]:
    """A name tree's flat ``[name value …]``, leaves in order."""
    return [*node.get("/Names", Array()), *(item for kid in node.get("/Kids", Array()) for item in _name_tree(kid))]
