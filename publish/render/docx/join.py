"""Join the DOCX pieces pandoc wrote for a book, in order: one body, its ids, lists, notes,
comments, relationships, media and styles renumbered so that none collides."""
from __future__ import annotations

import itertools
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from .. import RenderError
from .reference import W
from .streamed import StreamedPart

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_W, _R = f"{{{W}}}", f"{{{R}}}"
_ID = f"{_W}id"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_V = "urn:schemas-microsoft-com:vml"
_NUMBERED = (
    *(f"{_W}{name}" for name in ("bookmarkStart", "bookmarkEnd", "footnoteReference", "endnoteReference",
                                 "commentRangeStart", "commentRangeEnd", "commentReference", "footnote",
                                 "endnote", "comment", "ins", "del", "moveFrom", "moveTo", "numId", "hyperlink")),
    f"{{{WP}}}docPr", f"{{{_A}}}blip", f"{{{_V}}}imagedata")
"""The elements pandoc writes with a number (``w:id``, a list's ``numId``, a drawing's ``id``) or
a relationship (``r:id``, ``r:embed``, ``r:link``)."""

Parts = dict[str, bytes]
Joined = dict[str, "bytes | StreamedPart"]
"""A package's parts, its long ones (the body, the notes) streamed."""

_NOTES = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}
"""Parts whose entries the body refers to by number: part name → entry element."""
_REFERENCES = {"footnoteReference": "footnotes", "endnoteReference": "endnotes",
               "commentRangeStart": "comments", "commentRangeEnd": "comments", "commentReference": "comments"}
"""Body elements whose ``w:id`` is the number of an entry of such a part."""


@dataclass(frozen=True, slots=True)
class Piece:
    """What pandoc wrote for a run of the book's blocks."""

    parts: Parts
    restyle: bool = False
    """Its first paragraph continues the previous piece's text: pandoc, which saw no text before
    it, styled it as a first paragraph."""


def join(pieces: Iterable[Piece], finish: Callable[[etree._Element, bool], None]) -> Joined:
    """The pieces as one package, in order; ``finish`` is given each piece's ``word/document.xml``
    as a tree (renumbered) and whether it is the last, before its body joins the book's. The
    first piece may have metadata (a title page) and a table of contents; the others must come
    from the same reference document without either."""
    book: _Book | None = None
    for piece, last in _with_last(pieces):
        if book is None:
            book = _Book(dict(piece.parts))
            document, notes = book.start()
        else:
            document, notes = _Joining(book, piece.parts).join()
        if piece.restyle:
            _continue_text(document)
        finish(document, last)
        book.take(document, notes, last)
    if book is None:
        raise ValueError("no pieces to join")
    return book.finish()


def _with_last(pieces: Iterable[Piece]) -> Iterator[tuple[Piece, bool]]:
    iterator = iter(pieces)
    current = next(iterator, None)
    while current is not None:
        following = next(iterator, None)
        yield current, following is None
        current = following


def _continue_text(document: etree._Element) -> None:
    """The body's first paragraph as pandoc styles a paragraph after another (see ``Piece.restyle``)."""
    for child in document.find(f"{_W}body"):
        if child.tag in (f"{_W}bookmarkStart", f"{_W}bookmarkEnd"):
            continue
        style = child.find(f"{_W}pPr/{_W}pStyle") if child.tag == f"{_W}p" else None
        if style is not None and style.get(f"{_W}val") == "FirstParagraph":
            style.set(f"{_W}val", "BodyText")
        return


def _numbers(roots: Iterable[etree._Element], *tags: str, attribute: str = _ID) -> Iterator[int]:
    for root in roots:
        for node in root.iter(*tags):
            number = node.get(attribute)
            if number is not None:
                yield int(number)


@dataclass
class _Book:
    """The pieces joined so far: the small parts as bytes, or as trees while pieces change them;
    the body and the notes as streamed parts."""

    parts: Parts
    streams: dict[str, StreamedPart] = field(default_factory=dict)
    trees: dict[str, etree._Element] = field(default_factory=dict)
    note_tops: dict[str, int] = field(default_factory=dict)
    """The largest number of a note (footnote, endnote, comment) of each kind so far."""
    bookmark_top: int = -1
    """The largest ``w:id`` so far, notes and comments included."""
    drawing_top: int = -1
    next_ids: dict[str, int] = field(default_factory=dict)
    linked: dict[str, StreamedPart] = field(default_factory=dict)
    """The later pieces' relationships (a link each), by relationships part: to go after the first's."""

    def start(self) -> tuple[etree._Element, dict[str, etree._Element]]:
        """The first piece's document and notes, as they are."""
        document = parse_part(self.parts["word/document.xml"])
        notes = {kind: parse_part(self.parts[f"word/{kind}.xml"]) for kind in _NOTES if f"word/{kind}.xml" in self.parts}
        for kind, root in notes.items():
            self.streams[f"word/{kind}.xml"] = StreamedPart.around(root, root)
        for name in ("word/document.xml", *self.streams):
            self.parts[name] = b""  # the part's place in the package; its bytes are the stream's
        return document, notes

    def take(self, document: etree._Element, notes: dict[str, etree._Element], last: bool) -> None:
        """A piece's body and notes (renumbered) into the book's."""
        for kind, root in notes.items():
            self.note_tops[kind] = max(self.note_tops.get(kind, 0),
                                       max((int(e.get(_ID)) for e in root.iter(f"{_W}{_NOTES[kind]}")), default=0))
        if not last:  # the numbers the next piece's start above
            self.bookmark_top = max(self.bookmark_top, max(_numbers([document, *notes.values()], *_NUMBERED),
                                                           default=-1))
            self.drawing_top = max(self.drawing_top, max(_numbers([document], f"{{{WP}}}docPr", attribute="id"),
                                                         default=-1))
        for kind, root in notes.items():
            self.streams[f"word/{kind}.xml"].add(root)
        body = document.find(f"{_W}body")
        if not last and len(body) and body[-1].tag == f"{_W}sectPr":
            body.remove(body[-1])  # the book's last section ends the body
        if "word/document.xml" not in self.streams:
            self.streams["word/document.xml"] = StreamedPart.around(document, body)
        self.streams["word/document.xml"].add(body)

    def tree(self, name: str) -> etree._Element:
        """Part ``name`` as a tree, to be changed (written back by ``finish``)."""
        if name not in self.trees:
            self.trees[name] = parse_part(self.parts[name])
        return self.trees[name]

    def relationships(self, part: str) -> etree._Element:
        name = _rels_of(part)
        if name not in self.parts:
            self.parts[name] = _serialise(etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS}))
        return self.tree(name)

    def free_id(self, part: str) -> str:
        """An id above every ``rIdN`` the first piece's relationships of ``part`` have."""
        if part not in self.next_ids:
            numbers = (r.get("Id", "")[3:] for r in self.relationships(part))
            self.next_ids[part] = 1 + max((int(n) for n in numbers if n.isdecimal()), default=0)
        self.next_ids[part] += 1
        return f"rId{self.next_ids[part] - 1}"

    def link(self, part: str, relationships: etree._Element) -> None:
        """A piece's new relationships of ``part`` (their ids from ``free_id``), as a chunk."""
        self.linked.setdefault(_rels_of(part), StreamedPart(b"", b"")).add(relationships)

    def finish(self) -> Joined:
        joined: Joined = dict(self.parts)
        for name, root in self.trees.items():
            if name in self.linked:
                streamed = StreamedPart.around(root, root, keep=True)
                streamed.chunks = self.linked[name].chunks
                joined[name] = streamed
            else:
                joined[name] = _serialise(root)
        joined.update(self.streams)
        return joined


@dataclass
class _Joining:
    """One piece after the first joining the book: its numbers and relationships the book's."""

    book: _Book
    piece: Parts
    note_numbers: dict[str, dict[str, str]] = field(default_factory=dict)
    list_numbers: dict[str, str] = field(default_factory=dict)
    relationship_numbers: dict[tuple[str, str], str] = field(default_factory=dict)
    their_relationships: dict[str, dict[str, etree._Element]] = field(default_factory=dict)
    added: dict[str, etree._Element] = field(default_factory=dict)
    """Their relationships the piece's elements refer to, renumbered, by part."""
    their_types: etree._Element | None = None

    def join(self) -> tuple[etree._Element, dict[str, etree._Element]]:
        """The piece's document and notes, renumbered; its lists, styles, media and relationships
        in the book's parts."""
        # Numbers first (above each of the book's), then every element that moves is renumbered once.
        self.number_notes()
        self.number_lists()
        document = parse_part(self.piece["word/document.xml"])
        self.renumber(document, "document")
        notes = {}
        for kind in self.note_numbers:
            root = parse_part(self.piece[f"word/{kind}.xml"])
            for entry in list(root):
                if _is_content(entry):
                    self.renumber(entry, kind)
                else:
                    root.remove(entry)
            notes[kind] = root
        self.add_styles()
        for part, relationships in self.added.items():
            self.book.link(part, relationships)
        return document, notes

    def number_notes(self) -> None:
        """A new number for each entry of the piece's notes and comments, after the book's."""
        for kind, entry in _NOTES.items():
            name = f"word/{kind}.xml"
            if name not in self.piece:
                continue
            if name not in self.book.streams:
                self._add_part(name, kind)
            counter = itertools.count(self.book.note_tops.get(kind, 0) + 1)
            self.note_numbers[kind] = {e.get(_ID): str(next(counter))
                                       for e in parse_part(self.piece[name]).iter(f"{_W}{entry}") if _is_content(e)}

    def number_lists(self) -> None:
        """The piece's lists after the book's; its list definitions where the book has none alike."""
        if "word/numbering.xml" not in self.piece:
            return
        if "word/numbering.xml" not in self.book.parts:
            self.book.parts["word/numbering.xml"] = _emptied(self.piece["word/numbering.xml"], lambda e: True)
            self._add_type("word/numbering.xml", "word/numbering.xml")
            self._add_relationship("numbering")
        root = self.book.tree("word/numbering.xml")
        other = parse_part(self.piece["word/numbering.xml"])
        definitions = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
        renamed: dict[str, str] = {}
        fresh = itertools.count(max(map(int, definitions), default=0) + 1)
        first_list = root.find(f"{_W}num")
        for definition in list(other.iter(f"{_W}abstractNum")):
            number = definition.get(f"{_W}abstractNumId")
            mine = definitions.get(number)
            if mine is not None and etree.tostring(mine) == etree.tostring(definition):
                continue
            if mine is not None:
                renamed[number] = str(next(fresh))
                definition.set(f"{_W}abstractNumId", renamed[number])
            definitions[definition.get(f"{_W}abstractNumId")] = definition
            # CT_Numbering: every abstractNum before the first num
            if first_list is not None:
                first_list.addprevious(definition)
            else:
                root.append(definition)
        numbers = itertools.count(max((int(n.get(f"{_W}numId")) for n in root.iter(f"{_W}num")), default=0) + 1)
        for instance in list(other.iter(f"{_W}num")):
            new = str(next(numbers))
            self.list_numbers[instance.get(f"{_W}numId")] = new
            instance.set(f"{_W}numId", new)
            abstract = instance.find(f"{_W}abstractNumId")
            if abstract is not None:
                abstract.set(f"{_W}val", renamed.get(abstract.get(f"{_W}val"), abstract.get(f"{_W}val")))
            root.append(instance)

    def renumber(self, element: etree._Element, part: str) -> None:
        """Every number and relationship in ``element`` (from the piece's ``part``) as the joined
        document knows it."""
        bookmark_offset, drawing_offset = self.book.bookmark_top + 1, self.book.drawing_top + 1
        for node in element.iter(*_NUMBERED):
            local = etree.QName(node).localname
            number = node.get(_ID)
            if local in _REFERENCES:
                node.set(_ID, self.note_numbers[_REFERENCES[local]][number])
            elif local == _NOTES.get(part) and number is not None:
                node.set(_ID, self.note_numbers[part][number])
            elif number is not None:
                node.set(_ID, str(int(number) + bookmark_offset))
            elif local == "numId":
                node.set(f"{_W}val", self.list_numbers.get(node.get(f"{_W}val"), node.get(f"{_W}val")))
            elif local == "docPr":
                node.set("id", str(int(node.get("id", 0)) + drawing_offset))
            for attribute, value in node.attrib.items():
                if attribute.startswith(_R):
                    node.set(attribute, self._relationship(part, value))

    def _relationship(self, part: str, old: str) -> str:
        """The book's relationship for the piece's ``old`` one of ``part``; media it points to
        comes along."""
        key = (part, old)
        if key in self.relationship_numbers:
            return self.relationship_numbers[key]
        if part not in self.their_relationships:
            theirs = parse_part(self.piece[_rels_of(part)])
            self.their_relationships[part] = {r.get("Id"): r for r in theirs}
            self.added[part] = etree.Element(theirs.tag, nsmap=theirs.nsmap)
        relationship = self.their_relationships[part][old]
        new = self.book.free_id(part)
        relationship.set("Id", new)
        if relationship.get("TargetMode") != "External":
            relationship.set("Target", self._media(relationship.get("Target")))
        self.added[part].append(relationship)
        self.relationship_numbers[key] = new
        return new

    def _media(self, target: str) -> str:
        """The piece's file behind ``target`` in the book's package, under a name of its own if
        the book has another file by that name (pandoc names media after relationship ids)."""
        parts = self.book.parts
        name = posixpath.normpath(posixpath.join("word", target))
        data = self.piece[name]
        joined = name
        if parts.get(name, data) != data:
            stem, dot, suffix = name.rpartition(".")
            joined = next(f"{stem}-{n}{dot}{suffix}" for n in itertools.count(2)
                          if f"{stem}-{n}{dot}{suffix}" not in parts)
        if joined not in parts:
            parts[joined] = data
            self._add_type(name, joined)
        return posixpath.relpath(joined, "word")

    def _add_part(self, name: str, kind: str) -> None:
        """A notes part the piece has and the book lacks: its separators start the book's."""
        root = parse_part(self.piece[name])
        for entry in [e for e in root if _is_content(e)]:
            root.remove(entry)
        self.book.parts[name] = b""  # in the package's order; its bytes are the stream's
        self.book.streams[name] = StreamedPart.around(root, root)
        self.book.streams[name].add(root)
        self._add_type(name, name)
        self._add_relationship(kind)

    def _add_relationship(self, kind: str) -> None:
        relationship = next(r for r in parse_part(self.piece[_rels_of("document")]) if r.get("Target") == f"{kind}.xml")
        relationship.set("Id", self.book.free_id("document"))
        self.book.relationships("document").append(relationship)

    def _add_type(self, name: str, joined: str) -> None:
        """The content type the piece gives part ``name``, for the book's part ``joined``."""
        types = self.book.tree("[Content_Types].xml")
        theirs = self._their_types()
        override = next((o for o in theirs.iter(f"{{{_TYPES}}}Override") if o.get("PartName") == f"/{name}"), None)
        if override is not None:
            override.set("PartName", f"/{joined}")
            types.append(override)
            return
        extension = name.rpartition(".")[2]
        default = next((d for d in theirs.iter(f"{{{_TYPES}}}Default") if d.get("Extension") == extension), None)
        if default is not None and all(d.get("Extension") != extension for d in types.iter(f"{{{_TYPES}}}Default")):
            types.insert(0, default)

    def _their_types(self) -> etree._Element:
        """The piece's content types, read once (what is taken from them moves to the book's)."""
        if self.their_types is None:
            self.their_types = parse_part(self.piece["[Content_Types].xml"])
        return self.their_types

    def add_styles(self) -> None:
        """Styles the piece uses and the book does not have (pandoc adds some on use)."""
        name = "word/styles.xml"
        mine = self.book.trees.get(name)
        known = {s.get(f"{_W}styleId") for s in (mine if mine is not None else parse_part(self.book.parts[name]))}
        added = [s for s in parse_part(self.piece[name]).iter(f"{_W}style") if s.get(f"{_W}styleId") not in known]
        if added:  # untouched, the part keeps pandoc's bytes
            self.book.tree(name).extend(added)


def _emptied(data: bytes, drop: Callable[[etree._Element], bool]) -> bytes:
    """A part's root without the children ``drop`` picks: the start of a part the first lacks."""
    root = parse_part(data)
    for child in [c for c in root if drop(c)]:
        root.remove(child)
    return _serialise(root)


def _is_content(entry: etree._Element) -> bool:
    """Not one of the separators every notes part starts with."""
    return entry.get(f"{_W}type") in (None, "normal")


def _rels_of(part: str) -> str:
    return f"word/_rels/{part}.xml.rels"


_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


def parse_part(data: bytes) -> etree._Element:
    """A part of a package pandoc wrote (no entities, no network; a long book's text nodes may be
    large); XML lxml will not read (nested over 2,048 deep) is a RenderError."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"pandoc wrote Word XML that cannot be read back: {exc}") from None


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

