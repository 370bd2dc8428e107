"""A new entry file from a Markdown template, pre-filled with the entries that already link to it."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .. import model as m
from ..resolve.resolver import MissingEntry, term_id
from ..resolve.suggest import fold

TEMPLATE = "new-entry.md.j2"
"""Looked up in ``SOURCE/templates/`` first (the book's own), then in the theme's ``templates/``."""
_TERM = re.compile(r"[^\W_](?:[^\W_]|[ .,:'’&+()/-])*")
"""Letters, digits, spaces and the punctuation of ordinary terms; nothing Markdown reads as structure."""
_MAX_TERM = 100


class NewEntryError(ValueError):
    """The term or the template cannot make an entry; the message says why."""


class EntryExists(NewEntryError):
    """The id or the file is taken already."""


@dataclass(frozen=True, slots=True)
class NewEntry:
    path: Path
    text: str
    linked_from: tuple[m.Entry, ...]


def new_entry(term: str, book: m.Book, missing: Sequence[MissingEntry], entry_class: str,
              template_folders: Sequence[Path]) -> NewEntry:
    """The file ``publish new TERM`` writes; its id is the missing target the term names, if any."""
    term = term.strip()
    if len(term) > _MAX_TERM or not _TERM.fullmatch(term):
        raise NewEntryError(f"{term!r} is not a term publish can make an entry of: use letters, digits, spaces "
                            f"and . , : ' & + ( ) / - (at most {_MAX_TERM} characters)")
    wanted = _missing_target(term, missing)
    anchor = wanted.target if wanted else re.sub(r"-{2,}", "-", term_id(re.sub(r"[()/:,']", " ", term))).strip("-")
    if anchor in book.anchors:
        owner = next((e for e in book.entries if e.id == book.part_of(anchor)), None)
        where = f" ({owner.source.name})" if owner else ""
        raise EntryExists(f"#{anchor} already exists{where}")
    path = book.source / f"{anchor}.md"
    if path.exists():
        raise EntryExists(f"{path} already exists")
    linking = _linking_entries(book, wanted.uses if wanted else ())
    context = {"term": term, "id": anchor, "entry_class": entry_class, "language": book.metadata.language,
               "linked_from": [{"id": e.id, "title": markdown_text(e.title_text)} for e in linking]}
    return NewEntry(path, _render(template_folders, context), linking)


def _missing_target(term: str, missing: Sequence[MissingEntry]) -> MissingEntry | None:
    """The missing target the term names: as typed, as an id, or spelled alike (most linked first)."""
    for key in (term, term_id(term)):
        found = next((mm for mm in missing if mm.target == key), None)
        if found:
            return found
    return next((mm for mm in missing if fold(mm.target) == fold(term)), None)


def _linking_entries(book: m.Book, uses: Sequence[m.SourcePos]) -> tuple[m.Entry, ...]:
    found = {e.id: e for pos in uses for e in book.entries
             if e.source == pos.path and e.line <= pos.line <= e.end_line}
    return tuple(sorted(found.values(), key=lambda e: e.title_text.casefold()))


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline text: every ASCII punctuation mark backslash-escaped, one line."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(text.split()))


def _render(folders: Sequence[Path], context: dict[str, object]) -> str:
    for folder in folders:
        path = folder / TEMPLATE
        if path.is_file():
            if not path.resolve().is_relative_to(folder.resolve()):
                raise NewEntryError(f"{path} lies outside {folder}")
            env = ImmutableSandboxedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined,
                                                trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
            try:
                return env.from_string(path.read_text(encoding="utf-8")).render(**context)
            except (jinja2.TemplateError, UnicodeDecodeError) as exc:
                raise NewEntryError(f"{path}: template error: {exc}") from exc
    raise NewEntryError(f"no {TEMPLATE} in {', '.join(str(f) for f in folders)}")
