"""Join the DOCX pandoc wrote for a book's second half onto the first half's: one body, its ids,
lists, notes, comments, relationships, media and styles renumbered so that none collides."""
from __future__ import annotations

import itertools
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from .. import RenderError
from .reference import W

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_W, _R = f"{{{W}}}", f"{{{R}}}"
_ID = f"{_W}id"
_NS = {"w": W, "r": R, "wp": WP}
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

_NOTES = {"footnotes": "footnote", "endnotes": "endnote", "comments": "comment"}
"""Parts whose entries the body refers to by number: part name → entry element."""
_REFERENCES = {"footnoteReference": "footnotes", "endnoteReference": "endnotes",
               "commentRangeStart": "comments", "commentRangeEnd": "comments", "commentReference": "comments"}
"""Body elements whose ``w:id`` is the number of an entry of such a part."""


def join(first: Parts, second: Parts) -> tuple[Parts, etree._Element]:
    """``first`` with ``second``'s body after its own, and the joined ``word/document.xml`` as a
    tree (its bytes in the parts are the first's). ``second`` must come from the same reference
    document, without metadata (no title page) and without a table of contents."""
    parts = dict(first)
    joined = _Joining(parts, second)
    # Numbers first (above each of the first's), then every element that moves is renumbered once.
    joined.number_notes()
    joined.number_lists()
    document = parse_part(first["word/document.xml"])
    notes = [joined.note_roots[kind] if kind in joined.note_roots else parse_part(first[f"word/{kind}.xml"])
             for kind in _NOTES if f"word/{kind}.xml" in first]
    # Larger than any number the first uses, notes and comments included: never a collision.
    joined.bookmark_offset = 1 + max(_numbers([document, *notes], f"{_W}*"), default=-1)
    joined.drawing_offset = 1 + max(_numbers([document], f"{{{WP}}}docPr", "id"), default=-1)
    other = parse_part(second["word/document.xml"])
    joined.renumber(other, "document")
    body = document.find(f"{_W}body")
    section = body.find(f"{_W}sectPr")
    for child in [c for c in other.find(f"{_W}body") if c.tag != f"{_W}sectPr"]:
        if section is not None:
            section.addprevious(child)
        else:
            body.append(child)
    joined.move_notes()
    joined.add_styles()
    joined.finish()
    return parts, document


def _numbers(roots: list[etree._Element], tag: str, attribute: str = _ID) -> Iterator[int]:
    for root in roots:
        for node in root.iter(tag):
            number = node.get(attribute)
            if number is not None:
                yield int(number)


@dataclass
class _Joining:
    parts: Parts
    second: Parts
    note_roots: dict[str, etree._Element] = field(default_factory=dict)
    note_numbers: dict[str, dict[str, str]] = field(default_factory=dict)
    list_numbers: dict[str, str] = field(default_factory=dict)
    bookmark_offset: int = 0
    drawing_offset: int = 0
    relationships: dict[str, etree._Element] = field(default_factory=dict)
    relationship_numbers: dict[tuple[str, str], str] = field(default_factory=dict)
    their_relationships: dict[str, dict[str, etree._Element]] = field(default_factory=dict)
    taken_ids: dict[str, set[str]] = field(default_factory=dict)
    types: etree._Element | None = None
    their_types: etree._Element | None = None

    def number_notes(self) -> None:
        """A new number for each entry of the second's notes and comments, after the first's."""
        for kind, entry in _NOTES.items():
            name = f"word/{kind}.xml"
            if name not in self.second:
                continue
            if name not in self.parts:
                self._add_part(name, _emptied(self.second[name], _is_content), kind)
            root = parse_part(self.parts[name])
            self.note_roots[kind] = root
            taken = max((int(e.get(_ID)) for e in root.iter(f"{_W}{entry}")), default=0)
            counter = itertools.count(taken + 1)
            self.note_numbers[kind] = {e.get(_ID): str(next(counter))
                                       for e in parse_part(self.second[name]).iter(f"{_W}{entry}") if _is_content(e)}

    def move_notes(self) -> None:
        for kind, root in self.note_roots.items():
            for note in list(parse_part(self.second[f"word/{kind}.xml"]).iter(f"{_W}{_NOTES[kind]}")):
                if _is_content(note):
                    self.renumber(note, kind)
                    root.append(note)
            self.parts[f"word/{kind}.xml"] = _serialise(root)

    def number_lists(self) -> None:
        """The second's lists after the first's; its list definitions where the first has none alike."""
        if "word/numbering.xml" not in self.second:
            return
        if "word/numbering.xml" not in self.parts:
            self._add_part("word/numbering.xml", _emptied(self.second["word/numbering.xml"], lambda e: True), "numbering")
        root = parse_part(self.parts["word/numbering.xml"])
        other = parse_part(self.second["word/numbering.xml"])
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
        self.parts["word/numbering.xml"] = _serialise(root)

    def renumber(self, element: etree._Element, part: str) -> None:
        """Every number and relationship in ``element`` (from the second's ``part``) as the joined
        document knows it."""
        for node in element.iter(*_NUMBERED):
            local = etree.QName(node).localname
            number = node.get(_ID)
            if local in _REFERENCES:
                node.set(_ID, self.note_numbers[_REFERENCES[local]][number])
            elif local == _NOTES.get(part) and number is not None:
                node.set(_ID, self.note_numbers[part][number])
            elif number is not None:
                node.set(_ID, str(int(number) + self.bookmark_offset))
            elif local == "numId":
                node.set(f"{_W}val", self.list_numbers.get(node.get(f"{_W}val"), node.get(f"{_W}val")))
            elif local == "docPr":
                node.set("id", str(int(node.get("id", 0)) + self.drawing_offset))
            for attribute, value in node.attrib.items():
                if attribute.startswith(_R):
                    node.set(attribute, self._relationship(part, value))

    def _relationship(self, part: str, old: str) -> str:
        """The joined part's relationship for the second's ``old`` one of ``part``; media it
        points to comes along."""
        key = (part, old)
        if key in self.relationship_numbers:
            return self.relationship_numbers[key]
        if part not in self.their_relationships:
            self.their_relationships[part] = {r.get("Id"): r for r in parse_part(self.second[_rels_of(part)])}
        relationship = self.their_relationships[part][old]
        mine = self._relationships_of(part)
        new = self._free_id(part)
        relationship.set("Id", new)
        if relationship.get("TargetMode") != "External":
            relationship.set("Target", self._media(part, relationship.get("Target")))
        mine.append(relationship)
        self.relationship_numbers[key] = new
        return new

    def _media(self, part: str, target: str) -> str:
        """The second's file behind ``target`` in the joined package, under a name of its own if
        the first has another file by that name (pandoc names media after relationship ids)."""
        name = posixpath.normpath(posixpath.join("word", target))
        data = self.second[name]
        joined = name
        if self.parts.get(name, data) != data:
            stem, dot, suffix = name.rpartition(".")
            joined = next(f"{stem}-{n}{dot}{suffix}" for n in itertools.count(2)
                          if f"{stem}-{n}{dot}{suffix}" not in self.parts)
        if joined not in self.parts:
            self.parts[joined] = data
            self._add_type(name, joined)
        return posixpath.relpath(joined, "word")

    def _free_id(self, part: str) -> str:
        mine = self._relationships_of(part)
        if part not in self.taken_ids:
            self.taken_ids[part] = {r.get("Id") for r in mine}
        taken = self.taken_ids[part]
        new = next(f"rId{n}" for n in itertools.count(len(taken) + 1) if f"rId{n}" not in taken)
        taken.add(new)
        return new

    def _relationships_of(self, part: str) -> etree._Element:
        name = _rels_of(part)
        if name not in self.relationships:
            self.relationships[name] = parse_part(self.parts[name]) if name in self.parts else etree.Element(
                f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
        return self.relationships[name]

    def _add_part(self, name: str, data: bytes, kind: str) -> None:
        """A part the second has and the first lacks (notes, comments, numbering)."""
        self.parts[name] = data
        types = self._types()
        types.append(next(o for o in self._their_types() if o.get("PartName") == f"/{name}"))
        relationship = next(r for r in parse_part(self.second[_rels_of("document")]) if r.get("Target") == f"{kind}.xml")
        relationship.set("Id", self._free_id("document"))
        self._relationships_of("document").append(relationship)

    def _add_type(self, name: str, joined: str) -> None:
        """The content type the second gives part ``name``, for the joined part ``joined``."""
        types = self._types()
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

    def _types(self) -> etree._Element:
        if self.types is None:
            self.types = parse_part(self.parts["[Content_Types].xml"])
        return self.types

    def _their_types(self) -> etree._Element:
        """The second's content types, read once (what is taken from them moves to the first's)."""
        if self.their_types is None:
            self.their_types = parse_part(self.second["[Content_Types].xml"])
        return self.their_types

    def add_styles(self) -> None:
        """Styles the second half uses and the first does not have (pandoc adds some on use)."""
        mine = parse_part(self.parts["word/styles.xml"])
        known = {s.get(f"{_W}styleId") for s in mine.iter(f"{_W}style")}
        added = [s for s in parse_part(self.second["word/styles.xml"]).iter(f"{_W}style")
                 if s.get(f"{_W}styleId") not in known]
        for style in added:
            mine.append(style)
        if added:
            self.parts["word/styles.xml"] = _serialise(mine)

    def finish(self) -> None:
        for name, root in self.relationships.items():
            self.parts[name] = _serialise(root)
        if self.types is not None:
            self.parts["[Content_Types].xml"] = _serialise(self.types)


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

