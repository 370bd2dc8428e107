"""Resolve the whole book once: assign every id, look up every internal link, build the index."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from pathlib import Path
from typing import Any, TypeVar
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


@dataclass(frozen=True, slots=True)
class Naming:
    """What giving ids inside one entry did."""

    claims: tuple[tuple[str, str, str], ...]
    """(valid wanted id, declared id, assigned id) of every id claimed, in order."""
    marks: tuple[IndexMark, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Linking:
    """What resolving the links of one part (or all front matter) did."""

    linked: tuple[tuple[str, str], ...]
    """(part that links, id it reaches) of every resolved link."""
    dangling: tuple[tuple[str, m.SourcePos], ...]
    """(target, where) of every link that reaches nothing."""
    images: tuple[str, ...]
    """The images shown (path in the source folder)."""
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved book and what resolving it did per entry: an edit of a few entries is resolved
    again by ``update`` from this, without the rest of the book."""

    book: m.Book
    missing: tuple[MissingEntry, ...]
    diagnostics: tuple[Diagnostic, ...]
    declared: tuple[m.Entry, ...]
    """The entries as read, in read order."""
    declared_front: tuple[m.FrontMatter, ...]
    order: tuple[int, ...]
    """For each entry of the book (book order), its place in ``declared``."""
    naming: tuple[Naming, ...]
    """Per entry of the book."""
    linking: tuple[Linking, ...]
    """Per entry of the book."""
    front_linking: Linking
    head: tuple[Diagnostic, ...]
    """Diagnostics of the entries' own ids (before every entry's naming)."""
    middle: tuple[Diagnostic, ...]
    """Diagnostics of the front matter's ids and of aliases (between naming and linking)."""
    targets: Mapping[str, str]
    contested: frozenset[str]
    """Ids wanted more than once: an entry claiming one cannot be resolved alone."""
    image_types: Mapping[str, str]
    changed: frozenset[str] | None = None
    """The ids of the entries ``update`` resolved again; None after a whole resolve."""


def resolve(metadata: m.Metadata, front: Iterable[m.FrontMatter], entries: Iterable[m.Entry], source: Path,
            modified: datetime) -> Resolution:
    """The whole book resolved, with what each entry's resolving did."""
    declared, declared_front = tuple(entries), tuple(front)
    order = tuple(sorted(range(len(declared)), key=lambda n: (sort_key(declared[n].title_text), declared[n].id,
                                                               str(declared[n].source))))
    entries = [declared[n] for n in order]
    resolver = _Resolver(source)
    terms = {t for e in entries for t in (e.title_text, *e.aliases)}
    for letter in {initial_letter(t) for t in terms}:
        resolver.registry.reserve(letter_anchor(m.LETTER_PREFIX, letter), m.INDEX_ID)
    # The index groups its marks too: ``Index-R`` exists for a mark alone.
    terms |= {mark_term(n) for part in (*entries, *declared_front) for n in walk(part.blocks)
              if isinstance(n, m.Span) and m.INDEX_MARK_CLASS in n.attr.classes}
    for letter in {initial_letter(t) for t in terms}:
        resolver.registry.reserve(letter_anchor(m.INDEX_GROUP_PREFIX, letter), m.INDEX_ID)
    entries = resolver.name_entries(entries)
    head = tuple(resolver.diagnostics)
    entries, naming = _unzip(resolver.name_entry(e) for e in entries)
    start = resolver.mark()
    front = [resolver.name_front(f) for f in declared_front]
    resolver.add_aliases(entries)
    middle = tuple(resolver.diagnostics[start[2]:])
    entries, linking = _unzip(resolver.link_entry(e) for e in entries)
    start = resolver.mark()
    front = [replace(f, blocks=resolver.link(f.blocks, f.id)) for f in front]
    letters = group_by_letter(entries, lambda e: e.title_text, m.LETTER_PREFIX)
    for group in letters:  # a letter heading stands at its first entry, in every format
        resolver.registry.owners[group.anchor] = group.items[0].id
    contested = frozenset(valid for valid, _, anchor in resolver.claims if anchor != valid)
    return _assemble(
        metadata, tuple(front), tuple(entries), build_index(entries, resolver.marks),
        MappingProxyType(dict(resolver.registry.owners)), source, modified,
        declared=declared, declared_front=declared_front, order=order, naming=naming, linking=linking,
        front_linking=resolver.linking_since(start), head=head, middle=middle,
        targets=MappingProxyType(resolver.targets), contested=contested,
        image_types=MappingProxyType(resolver.images))


def update(previous: Resolution, metadata: m.Metadata, front: Iterable[m.FrontMatter], entries: Iterable[m.Entry],
           source: Path, modified: datetime) -> Resolution | None:
    """The book resolved again after an edit that changed only the text of some entries (not their
    headings, ids, index marks or the ids inside them): only the entries of the files that changed
    are resolved again, against the ids of the previous resolve. None when the edit needs a whole resolve.
    The result equals ``resolve`` of the same input."""
    entries, front = tuple(entries), tuple(front)
    if (len(entries) != len(previous.declared) or front != previous.declared_front or source != previous.book.source
            or metadata != previous.book.metadata):
        return None
    edited = {new.source for new, old in zip(entries, previous.declared) if new is not old and new != old}
    place = {n: k for k, n in enumerate(previous.order)}
    book_entries, naming, linking = list(previous.book.entries), list(previous.naming), list(previous.linking)
    image_types = dict(previous.image_types)
    for n in (n for n, entry in enumerate(entries) if entry.source in edited):
        new, k = entries[n], place[n]
        if _heading(new) != _heading(previous.declared[n]):
            return None  # a title, id, alias or file changed: other entries' links and order may change
        resolver = _Resolver(source, previous, previous.naming[k].claims)
        old = previous.book.entries[k]
        try:
            named, naming[k] = resolver.name_entry(replace(new, id=old.id, attr=old.attr))
        except _Diverged:
            return None
        if naming[k].claims != previous.naming[k].claims or naming[k].marks != previous.naming[k].marks:
            return None
        book_entries[k], linking[k] = resolver.link_entry(named)
        image_types.update(resolver.images)
    resolution = _assemble(
        metadata, previous.book.front_matter, tuple(book_entries), previous.book.index, previous.book.anchors,
        source, modified, declared=entries, declared_front=front, order=previous.order, naming=tuple(naming),
        linking=tuple(linking), front_linking=previous.front_linking, head=previous.head, middle=previous.middle,
        targets=previous.targets, contested=previous.contested, image_types=MappingProxyType(image_types))
    return replace(resolution, changed=frozenset(e.id for e in book_entries if e.source in edited))


T = TypeVar("T")


def _unzip(pairs: Iterable[tuple[m.Entry, T]]) -> tuple[list[m.Entry], tuple[T, ...]]:
    done = list(pairs)
    return [entry for entry, _ in done], tuple(record for _, record in done)


def _heading(entry: m.Entry) -> tuple[Any, ...]:
    return entry.id, entry.title, entry.title_text, entry.attr, entry.aliases, entry.source, entry.line


def _assemble(metadata: m.Metadata, front: tuple[m.FrontMatter, ...], entries: tuple[m.Entry, ...],
              index: tuple[m.LetterGroup[m.IndexItem], ...], anchors: Mapping[str, str], source: Path,
              modified: datetime, **done: Any) -> Resolution:
    """The book and its diagnostics from the resolved parts and what resolving each did."""
    linking: tuple[Linking, ...] = (*done["linking"], done["front_linking"])
    linked = [pair for part in linking for pair in part.linked]
    shown = {name for part in linking for name in part.images}
    book = m.Book(
        metadata=metadata,
        front_matter=front,
        entries=entries,
        letters=group_by_letter(entries, lambda e: e.title_text, m.LETTER_PREFIX),
        index=index,
        anchors=anchors,
        links=len(linked),
        backlinks=_backlinks(entries, linked, anchors),
        images=MappingProxyType({name: done["image_types"][name] for name in sorted(shown)}),
        source=source,
        modified=modified,
    )
    dangling: dict[str, list[m.SourcePos]] = {}
    for target, pos in (use for part in linking for use in part.dangling):
        dangling.setdefault(target, []).append(pos)
    missing = tuple(MissingEntry(target, tuple(uses))
                    for target, uses in sorted(dangling.items(), key=lambda item: (-len(item[1]), item[0])))
    diagnostics = (*done["head"], *(d for part in done["naming"] for d in part.diagnostics), *done["middle"],
                   *(d for part in linking for d in part.diagnostics))
    return Resolution(book, missing, diagnostics, **done)


def _backlinks(entries: Iterable[m.Entry], linked: Iterable[tuple[str, str]], anchors: Mapping[str, str]
               ) -> Mapping[str, tuple[str, ...]]:
    """Entry id → the other entries linking to it (or into it), in book order."""
    order = {e.id: n for n, e in enumerate(entries)}
    found: dict[str, set[str]] = {}
    for owner, anchor in linked:
        target = anchors.get(anchor, anchor)
        if owner != target and owner in order and target in order:
            found.setdefault(target, set()).add(owner)
    return MappingProxyType({e: tuple(sorted(found[e], key=order.__getitem__)) for e in order if e in found})


class _Diverged(Exception):
    """An edited entry claims other ids than before: the book must be resolved whole."""


class _Resolver:
    """Given a previous resolution, it replays that resolution's ids instead of claiming new ones."""

    def __init__(self, source: Path, previous: Resolution | None = None,
                 replay: tuple[tuple[str, str, str], ...] = ()) -> None:
        self.source = source
        self.previous, self.replay = previous, replay
        self.registry = AnchorRegistry()
        for reserved in m.RESERVED_IDS:
            self.registry.reserve(reserved, reserved)
        self.targets: dict[str, str] = dict(previous.targets) if previous else {m.INDEX_ID: m.INDEX_ID}
        """What a link may say (declared id, alias) → the id it reaches."""
        self.claims: list[tuple[str, str, str]] = []
        self.marks: list[IndexMark] = []
        self.diagnostics: list[Diagnostic] = []
        self.dangling: list[tuple[str, m.SourcePos]] = []
        self.images: dict[str, str] = dict(previous.image_types) if previous else {}
        """Every image the book shows (path in the source folder) → its media type."""
        self.shown: list[str] = []
        self.linked: list[tuple[str, str]] = []
        """(part that links, id it reaches) of every resolved link."""

    def mark(self) -> tuple[int, ...]:
        return (len(self.claims), len(self.marks), len(self.diagnostics), len(self.linked), len(self.dangling),
                len(self.shown))

    def naming_since(self, mark: tuple[int, ...]) -> Naming:
        return Naming(tuple(self.claims[mark[0]:]), tuple(self.marks[mark[1]:]), tuple(self.diagnostics[mark[2]:]))

    def name_entry(self, entry: m.Entry) -> tuple[m.Entry, Naming]:
        """The entry with ids inside it, and what naming them did."""
        start = self.mark()
        return replace(entry, blocks=self.name_inner(entry.blocks, entry.id)), self.naming_since(start)

    def link_entry(self, entry: m.Entry) -> tuple[m.Entry, Linking]:
        """The entry with its links resolved, and what resolving them did."""
        start = self.mark()
        return replace(entry, blocks=self.link(entry.blocks, entry.id)), self.linking_since(start)

    def linking_since(self, mark: tuple[int, ...]) -> Linking:
        return Linking(tuple(self.linked[mark[3]:]), tuple(self.dangling[mark[4]:]), tuple(self.shown[mark[5]:]),
                       tuple(self.diagnostics[mark[2]:]))

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
        if self.previous is not None:
            return self._replay(valid, declared)
        first = self.registry.places.get(valid) if valid in self.registry.owners else None
        taken = valid in self.registry.owners
        anchor = self.registry.claim(valid, owner, pos)
        self.claims.append((valid, declared, anchor))
        if declared:
            self.targets.setdefault(declared, anchor)
        self.targets.setdefault(valid, anchor)
        if taken and declared and pos:
            where = f" (first declared at {first})" if first else " (reserved)"
            self.diagnostics.append(warning(
                Code.DUPLICATE_ID, pos.path, pos.line, pos.col,
                f"duplicate id {declared!r}{where}; {what or 'this one'} gets id {anchor!r}"))
        return anchor

    def _replay(self, valid: str, declared: str) -> str:
        """The id the previous resolution gave this claim, if it is the same claim and no other claim
        wants that id (then the whole book's claims are the same as before, and so are their ids)."""
        assert self.previous is not None
        n = len(self.claims)
        expected = self.replay[n] if n < len(self.replay) else None
        if expected is None or expected[:2] != (valid, declared) or valid in self.previous.contested:
            raise _Diverged
        self.claims.append(expected)
        return expected[2]

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
                self.linked.append((owner, anchor))
                # Most links already name the canonical id: then the node (and all around it) stays.
                return node if node.url[1:] == anchor else replace(node, url="#" + anchor)
            pos = _where(node)
            self.dangling.append((target, pos))
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
                    self.shown.append(name)
                    return replace(image, src=name)
                except ImageProblem as exc:
                    code, problem = Code.BAD_IMAGE, str(exc)
        self.diagnostics.append(warning(code, pos.path, pos.line, pos.col,
                                        f"image {image.src!r} {problem}; its alt text is shown instead"))
        return m.Span(m.Attr("", (m.MISSING_IMAGE_CLASS,)), image.alt)


def _where(node: m.Link | m.Image | m.RawBlock | m.RawInline) -> m.SourcePos:
    return node.pos or _NOWHERE
