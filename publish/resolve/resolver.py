"""Resolve the whole book once: assign every id, look up every internal link, build the index."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .. import model as m
from .anchors import AnchorRegistry, is_valid_id, sanitize_id, slugify
from ..diagnostics import Code, Diagnostic, warning
from .collation import initial_letter, sort_key
from .images import ImageProblem, inspect_image
from .index import IndexMark, build_index, group_by_letter, letter_anchor
from ..tree import mark_term, stringify, transform, walk


_HTML_FORMATS = frozenset({"html", "html4", "html5"})
_WEB_LINK = re.compile(r"^(?:https?://[^\s/?#]+|mailto:[^\s]+@)", re.IGNORECASE)


_NOWHERE = m.SourcePos(Path("?"), 1)
"""Where a node is reported that was built without a source position (not by the reader)."""


@dataclass(frozen=True, slots=True)
class MissingEntry:
    """A link target no entry provides: the author's list of entries still to write."""

    target: str
    uses: tuple[m.SourcePos, ...]


def term_id(term: str) -> str:
    """The glossary's own convention for ids from terms: ``Compute Budget`` → ``Compute-Budget``."""
    return sanitize_id(re.sub(r"\s+", "-", term.strip()))


def resolve_book(metadata: m.Metadata, front: Iterable[m.FrontMatter], entries: Iterable[m.Entry], source: Path,
                 modified: datetime) -> tuple[m.Book, tuple[MissingEntry, ...], list[Diagnostic]]:
    """Sort the entries into German dictionary order, give every node its id, resolve every link."""
    entries = sorted(entries, key=lambda e: (sort_key(e.title_text), e.id, str(e.source)))
    front = list(front)
    resolver = _Resolver(source)
    terms = {t for e in entries for t in (e.title_text, *e.aliases)}
    for letter in {initial_letter(t) for t in terms}:
        resolver.registry.reserve(letter_anchor(m.LETTER_PREFIX, letter), m.INDEX_ID)
    # The index groups its marks too: ``Index-R`` exists for a mark alone.
    terms |= {mark_term(n) for part in (*entries, *front) for n in walk(part.blocks)
              if isinstance(n, m.Span) and m.INDEX_MARK_CLASS in n.attr.classes}
    for letter in {initial_letter(t) for t in terms}:
        resolver.registry.reserve(letter_anchor(m.INDEX_GROUP_PREFIX, letter), m.INDEX_ID)
    entries = resolver.name_entries(entries)
    entries = [replace(e, blocks=resolver.name_inner(e.blocks, e.id)) for e in entries]
    front = [resolver.name_front(f) for f in front]
    resolver.add_aliases(entries)
    entries = [replace(e, blocks=resolver.link(e.blocks, e.id)) for e in entries]
    front = [replace(f, blocks=resolver.link(f.blocks, f.id)) for f in front]
    letters = group_by_letter(entries, lambda e: e.title_text, m.LETTER_PREFIX)
    for group in letters:  # a letter heading stands at its first entry, in every format
        resolver.registry.owners[group.anchor] = group.items[0].id
    book = m.Book(
        metadata=metadata,
        front_matter=tuple(front),
        entries=tuple(entries),
        letters=letters,
        index=build_index(entries, resolver.marks),
        anchors=MappingProxyType(dict(resolver.registry.owners)),
        links=resolver.resolved,
        backlinks=resolver.backlinks(entries),
        images=MappingProxyType(dict(sorted(resolver.images.items()))),
        source=source,
        modified=modified,
    )
    return book, resolver.missing_entries(), resolver.diagnostics


class _Resolver:
    def __init__(self, source: Path) -> None:
        self.source = source
        self.registry = AnchorRegistry()
        for reserved in m.RESERVED_IDS:
            self.registry.reserve(reserved, reserved)
        self.targets: dict[str, str] = {m.INDEX_ID: m.INDEX_ID}
        """What a link may say (declared id, alias) → the id it reaches."""
        self.marks: list[IndexMark] = []
        self.diagnostics: list[Diagnostic] = []
        self.dangling: dict[str, list[m.SourcePos]] = {}
        self.images: dict[str, str] = {}
        """Every image the book shows (path in the source folder) → its media type."""
        self.resolved = 0
        self.linked: set[tuple[str, str]] = set()
        """(part that links, id it reaches) of every resolved link."""

    # --- ids ------------------------------------------------------------------------

    def name_entries(self, entries: list[m.Entry]) -> list[m.Entry]:
        """Give every entry its id; of two entries declaring one id, the file named after it wins."""
        def priority(e: m.Entry) -> tuple[Any, ...]:
            return (not e.id, e.source.stem != e.id, str(e.source), e.line)

        assigned = {}
        for entry in sorted(entries, key=priority):
            pos = m.SourcePos(entry.source, entry.line)
            assigned[id(entry)] = self._claim(entry.id or term_id(entry.title_text), entry.id, pos, None,
                                              what=f"entry {entry.title_text!r}")
        return [replace(e, id=assigned[id(e)], attr=replace(e.attr, id=assigned[id(e)])) for e in entries]

    def name_inner(self, blocks: tuple[m.Block, ...], owner: str) -> tuple[m.Block, ...]:
        """Ids for headings, marks and other nodes inside an entry, scoped by the entry's id."""
        def name(node: Any) -> Any:
            if isinstance(node, m.Header):
                wanted = node.attr.id or f"{owner}--{slugify(stringify(node.content))}"
                return replace(node, attr=replace(node.attr, id=self._claim(wanted, node.attr.id, node.pos, owner)))
            if isinstance(node, m.Span) and m.INDEX_MARK_CLASS in node.attr.classes:
                anchor = self._claim(node.attr.id or f"{owner}--index", node.attr.id, None, owner)
                self.marks.append(IndexMark(mark_term(node), anchor))
                return replace(node, attr=replace(node.attr, id=anchor))
            attr = getattr(node, "attr", None)
            if isinstance(attr, m.Attr) and attr.id and not isinstance(node, m.Link):
                return replace(node, attr=replace(attr, id=self._claim(attr.id, attr.id, None, owner)))
            return node

        return transform(blocks, name)

    def name_front(self, front: m.FrontMatter) -> m.FrontMatter:
        # File-name numbers only order front matter: ``000-lizenz`` gets the id ``lizenz``.
        anchor = self._claim(term_id(re.sub(r"^[\d_.\-\s]+", "", front.id) or front.id), "",
                             m.SourcePos(front.source, 1), None)
        return replace(front, id=anchor, blocks=self.name_inner(front.blocks, anchor))

    def add_aliases(self, entries: list[m.Entry]) -> None:
        """Aliases resolve to their entry unless a real id already has that name."""
        for entry in entries:
            for alias in entry.aliases:
                key = term_id(alias)
                taken = self.targets.get(key)
                if taken is None:
                    self.targets[key] = entry.id
                    # A link may also name the alias as written (``#B&C``), not only as a valid id.
                    self.targets.setdefault(re.sub(r"\s+", "-", alias.strip()), entry.id)
                elif taken != entry.id and key not in self.registry.owners:
                    self.diagnostics.append(warning(
                        Code.ALIAS_CONFLICT, entry.source, entry.line, 1,
                        f"alias {alias!r} of {entry.id!r} is already an alias of {taken!r}; links keep going there"))

    def _claim(self, wanted: str, declared: str, pos: m.SourcePos | None, owner: str | None, what: str = "") -> str:
        valid = wanted if is_valid_id(wanted) else sanitize_id(wanted)
        if declared and valid != declared and pos:
            self.diagnostics.append(warning(Code.INVALID_ID, pos.path, pos.line, pos.col,
                                            f"id {declared!r} is not valid in XHTML; using {valid!r}"))
        first = self.registry.places.get(valid) if valid in self.registry.owners else None
        taken = valid in self.registry.owners
        anchor = self.registry.claim(valid, owner, pos)
        if declared:
            self.targets.setdefault(declared, anchor)
        self.targets.setdefault(valid, anchor)
        if taken and declared and pos:
            where = f" (first declared at {first})" if first else " (reserved)"
            self.diagnostics.append(warning(
                Code.DUPLICATE_ID, pos.path, pos.line, pos.col,
                f"duplicate id {declared!r}{where}; {what or 'this one'} gets id {anchor!r}"))
        return anchor

    # --- links ----------------------------------------------------------------------

    def link(self, blocks: tuple[m.Block, ...], owner: str) -> tuple[m.Block, ...]:
        """Resolve every link in the blocks of part ``owner``; remember who links where."""
        def visit(node: Any) -> Any:
            if isinstance(node, m.Image):
                return self._image(node)
            if isinstance(node, (m.RawBlock, m.RawInline)):
                return self._raw(node)
            if isinstance(node, m.Link) and not node.url.startswith("#"):
                return self._external(node)
            if not isinstance(node, m.Link):
                return node
            target = unquote(node.url[1:])
            anchor = self.targets.get(target)
            if anchor is not None:
                self.resolved += 1
                self.linked.add((owner, anchor))
                return replace(node, url="#" + anchor)
            pos = _where(node)
            self.dangling.setdefault(target, []).append(pos)
            self.diagnostics.append(warning(Code.DANGLING_LINK, pos.path, pos.line, pos.col,
                                            f"link to #{target}: no entry, heading or alias has this id; "
                                            "rendered as plain text"))
            return m.Span(m.Attr("", (m.UNRESOLVED_CLASS,)), node.content)

        return transform(blocks, visit)

    def _raw(self, raw: m.RawBlock | m.RawInline) -> m.Block | m.Inline:
        """Raw HTML stays (every writer makes it harmless); raw markup for another format (Word
        XML, TeX …) could carry fields, includes or scripts past every check, so it is shown as code."""
        if raw.format in _HTML_FORMATS:
            return replace(raw, format="html")
        pos = _where(raw)
        self.diagnostics.append(warning(Code.RAW_FORMAT, pos.path, pos.line, pos.col,
                                        f"raw {raw.format} markup is not passed to any format; shown as code"))
        attr = m.Attr("", ("raw", raw.format))
        return m.CodeBlock(attr, raw.text) if isinstance(raw, m.RawBlock) else m.Code(attr, raw.text)

    def _external(self, link: m.Link) -> m.Inline:
        """Links leave the book only for the web and e-mail; a relative file path would point into
        the build folder (or nowhere) in every format, so it is shown as its text."""
        if _WEB_LINK.match(link.url):
            return link
        pos = _where(link)
        self.diagnostics.append(warning(Code.UNSUPPORTED_LINK, pos.path, pos.line, pos.col,
                                        f"link to {link.url!r} is neither #id nor a web or mail address; "
                                        "rendered as plain text"))
        return m.Span(m.Attr("", (m.UNRESOLVED_CLASS,)), link.content)

    def _image(self, image: m.Image) -> m.Inline:
        """Images must be files inside the source folder; anything else shows its alt text."""
        pos = _where(image)
        src = unquote(image.src)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", src):
            code, problem = Code.REMOTE_RESOURCE, "is not a file in the source folder; nothing is fetched from outside"
        else:
            path = (self.source / src).resolve()
            if not path.is_relative_to(self.source.resolve()):
                code, problem = Code.OUTSIDE_SOURCE, "lies outside the source folder"
            elif not path.is_file():
                code, problem = Code.MISSING_FILE, "does not exist"
            else:
                name = path.relative_to(self.source.resolve()).as_posix()
                try:
                    if name not in self.images:
                        self.images[name] = inspect_image(path).media_type
                    return replace(image, src=name)
                except ImageProblem as exc:
                    code, problem = Code.BAD_IMAGE, str(exc)
        self.diagnostics.append(warning(code, pos.path, pos.line, pos.col,
                                        f"image {image.src!r} {problem}; its alt text is shown instead"))
        return m.Span(m.Attr("", (m.MISSING_IMAGE_CLASS,)), image.alt)

    def backlinks(self, entries: list[m.Entry]) -> Mapping[str, tuple[str, ...]]:
        """Entry id → the other entries linking to it (or into it), in book order."""
        order = {e.id: n for n, e in enumerate(entries)}
        found: dict[str, set[str]] = {}
        for owner, anchor in self.linked:
            target = self.registry.owners.get(anchor, anchor)
            if owner != target and owner in order and target in order:
                found.setdefault(target, set()).add(owner)
        return MappingProxyType({e.id: tuple(sorted(found[e.id], key=order.__getitem__))
                                 for e in entries if e.id in found})

    def missing_entries(self) -> tuple[MissingEntry, ...]:
        order = sorted(self.dangling.items(), key=lambda item: (-len(item[1]), item[0]))
        return tuple(MissingEntry(target, tuple(uses)) for target, uses in order)


def _where(node: m.Link | m.Image | m.RawBlock | m.RawInline) -> m.SourcePos:
    return node.pos or _NOWHERE
