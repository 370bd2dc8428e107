"""Files that are probably not part of the book: an earlier aggregated build, a hand-made index page."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..diagnostics import Code, Diagnostic, warning
from ..tree import stringify, walk
from .resolver import term_id

_MIN_REPEATS = 3
"""A file repeating fewer entries of other files is more likely a real multi-entry file."""
_WORD = re.compile(r"\S*\w\S*")
_MIN_LINKS = 10
_LINK_SHARE = 0.6
"""A page whose words are at least this share link text (and that has ``_MIN_LINKS``) is an index page."""


@dataclass(frozen=True, slots=True)
class Stray:
    path: Path
    kind: str
    """``repeats`` (entries of other files again: an earlier build) or ``index`` (mostly links to entries)."""
    count: int
    """How many entries it repeats, or how many links it holds."""
    ids: frozenset[str] = frozenset()
    """The ids it repeats."""

    def message(self) -> str:
        if self.kind == "repeats":
            return (f"repeats {self.count} entries of other files — an earlier build? "
                    f"exclude it in book.toml ([sources] exclude)")
        return (f"is mostly links to entries ({self.count} links) — a hand-made index or contents page? "
                "The book makes its own; exclude it in book.toml ([sources] exclude)")


def find_strays(declared: Sequence[m.Entry], book: m.Book, previous: Sequence[Stray] | None = None,
                changed: Collection[str] = ()) -> tuple[Stray, ...]:
    """Files repeating many entries of other files, and pages that are mostly links. Given the
    strays ``previous``ly found in the same book, only the entries ``changed`` (every entry of the
    files that changed) are looked at again for index pages."""
    if previous is None:
        pages = _index_pages((*book.front_matter, *book.entries))
    else:
        again = [e for e in book.entries if e.id in changed]
        files = {e.source for e in again}
        pages = [s for s in previous if s.kind == "index" and s.path not in files] + _index_pages(again)
    return tuple(sorted(_repeaters(declared) + pages, key=lambda s: (str(s.path), s.kind)))


def _key(entry: m.Entry) -> str:
    return entry.id or term_id(entry.title_text)


def _repeaters(declared: Sequence[m.Entry]) -> list[Stray]:
    files: dict[str, set[Path]] = defaultdict(set)
    by_file: dict[Path, list[str]] = defaultdict(list)
    for entry in declared:
        files[_key(entry)].add(entry.source)
        by_file[entry.source].append(_key(entry))
    out = []
    for path, keys in by_file.items():
        repeated = frozenset(k for k in keys if files[k] - {path})
        if len(repeated) >= _MIN_REPEATS and len(repeated) * 2 >= len(keys):
            out.append(Stray(path, "repeats", len(repeated), repeated))
    return out


def _index_pages(parts: Iterable[m.Entry | m.FrontMatter]) -> list[Stray]:
    out = []
    for part in parts:
        links = [node for node in walk(part.blocks) if isinstance(node, m.Link) and node.url.startswith("#")
                 or isinstance(node, m.Span) and m.UNRESOLVED_CLASS in node.attr.classes]
        if len(links) < _MIN_LINKS:
            continue
        most = sum(_words(stringify(link.content)) for link in links) / _LINK_SHARE
        words = 0
        for node in walk(part.blocks):
            if isinstance(node, (m.Para, m.Plain, m.Header)):
                words += _words(stringify(node.content))
                if words > most:
                    break  # prose: stop counting early, most entries are
        else:
            out.append(Stray(part.source, "index", len(links)))
    return out


def _words(text: str) -> int:
    """Words with a letter or digit: ``|`` and ``·`` between links are not text."""
    return len(_WORD.findall(text))


def collapse(diagnostics: Sequence[Diagnostic], strays: Sequence[Stray], declared: Sequence[m.Entry]
             ) -> list[Diagnostic]:
    """One line per stray file instead of a ``duplicate-id`` line for every entry it repeats."""
    repeaters = {s.path: s for s in strays if s.kind == "repeats"}
    repeated = {k for s in repeaters.values() for k in s.ids}
    keys = {(e.source, e.line): _key(e) for e in declared}

    def covered(d: Diagnostic) -> bool:
        return d.code is Code.DUPLICATE_ID and (d.path in repeaters or keys.get((d.path, d.line)) in repeated)

    code = {"repeats": Code.REPEATED_ENTRIES, "index": Code.INDEX_PAGE}
    return [warning(code[s.kind], s.path, 1, 1, s.message()) for s in strays] + \
        [d for d in diagnostics if not covered(d)]
