"""Suggestions for missing link targets and duplicate ids, each with its reason and the edit it proposes."""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..tree import walk
from .resolver import MissingEntry, term_id

MAX_SUGGESTIONS = 3
_NEAR = 0.85
"""difflib ratio of folded names from which a name counts as a near miss (``Embeddings`` ~ ``Embedding``)."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to the sources; ``publish fix`` applies it."""

    action: str
    """``set-id`` (the entry heading in ``path`` gets ``new`` instead of ``old``), ``add-alias`` (the entry
    heading in ``path`` gets the alias ``new``) or ``relink`` (every link to ``#old`` goes to ``#new``)."""
    old: str
    new: str
    path: Path | None = None
    line: int = 0
    """The entry heading's line in ``path``."""

    def describe(self, source: Path) -> str:
        if self.action == "relink":
            return f"link to #{self.new} instead of #{self.old}"
        where = relative(self.path, source) if self.path else "?"
        if self.action == "set-id":
            return f"set {{#{self.new}}} in {where}"
        return f"add alias {self.new!r} in {where}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    reason: str
    edit: Edit


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One id declared by several entries: who keeps it, who lost it, and what to do."""

    id: str
    paths: tuple[Path, ...]
    """Every file declaring it, the one that keeps it first."""
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True, slots=True)
class Suggestions:
    missing: dict[str, tuple[Suggestion, ...]]
    """Missing target → suggestions, best first."""
    duplicates: tuple[Duplicate, ...]


@dataclass(frozen=True, slots=True)
class _Known:
    entry: m.Entry
    """As resolved: ``entry.id`` is the id it got."""
    declared: str
    """The id its heading declares ('' for none)."""
    alone: bool
    """The only entry of its file: the file's name speaks for it."""


def relative(path: Path, source: Path) -> str:
    """``path`` as the author sees it from the source folder (as given when it lies elsewhere)."""
    try:
        return path.relative_to(source).as_posix()
    except ValueError:
        return str(path)


def suggest(declared: Sequence[m.Entry], book: m.Book, missing: Sequence[MissingEntry],
            skip: Iterable[Path] = ()) -> Suggestions:
    """Suggestions for every missing target and every duplicate id (files in ``skip`` are left out)."""
    skipped = set(skip)
    by_place = {(e.source, e.line): e.id for e in declared}
    per_file = Counter(e.source for e in book.entries)
    known = [_Known(e, by_place.get((e.source, e.line), e.id), per_file[e.source] == 1)
             for e in book.entries if e.source not in skipped]
    wanted = {mm.target: len(mm.uses) for mm in missing}
    index = _Index(_names(known), wanted, known, _incoming(book), book.source)
    missing_suggestions = {mm.target: index.for_missing(mm.target) for mm in missing}
    return Suggestions({t: s for t, s in missing_suggestions.items() if s},
                       _duplicates(known, wanted, book))


def _incoming(book: m.Book) -> Counter[str]:
    return Counter(node.url[1:] for part in (*book.entries, *book.front_matter)
                   for node in walk(part.blocks) if isinstance(node, m.Link) and node.url.startswith("#"))


def _title_names(title: str) -> list[str]:
    """The names a title gives: ``CNN (Convolutional Neural Network)`` → the whole, ``CNN``, the parenthesis."""
    parts = [title]
    found = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", title)
    if found:
        parts += [found[1], found[2]]
    return parts


def _names(known: list[_Known]) -> list[tuple[str, str, _Known]]:
    """Every (name, kind, entry) a link could mean: ids, aliases, titles and their parts."""
    names = []
    for k in known:
        names.append((k.entry.id, "id", k))
        names += [(term_id(a), "alias", k) for a in k.entry.aliases]
        names += [(term_id(t), "title", k) for t in _title_names(k.entry.title_text)]
    return names


class _Index:
    """Every name folded once, so each missing target is a few look-ups (and one near-miss search)."""

    def __init__(self, names: list[tuple[str, str, _Known]], wanted: dict[str, int], known: list[_Known],
                 linked: Counter[str], source: Path) -> None:
        self.wanted, self.linked, self.source = wanted, linked, source
        self.by_stem: dict[str, list[_Known]] = defaultdict(list)
        for k in known:
            if k.alone:
                self.by_stem[term_id(k.entry.source.stem)].append(k)
        self.titles: dict[str, list[_Known]] = defaultdict(list)
        self.folded: dict[str, list[tuple[str, _Known]]] = defaultdict(list)
        for name, kind, k in names:
            if kind == "title":
                self.titles[name].append(k)
            self.folded[fold(name)].append((name, k))
        self.missing_folded: dict[str, list[str]] = defaultdict(list)
        for target in wanted:
            self.missing_folded[fold(target)].append(target)

    def for_missing(self, target: str) -> tuple[Suggestion, ...]:
        found: list[Suggestion] = []
        uses = self.wanted[target]
        links = f"{uses} link{'s' * (uses != 1)} want #{target}"
        for k in self.by_stem.get(target, ()):
            if k.declared != target:
                reason = f"{relative(k.entry.source, self.source)} declares {{#{k.declared or k.entry.id}}}; {links}"
                lost = k.declared and k.entry.id != k.declared
                found.append(Suggestion(reason, Edit("set-id", k.declared, target, k.entry.source, k.entry.line)
                                        if lost or not self.linked[k.entry.id] else _alias(target, k)))
        for k in self.titles.get(target, ()):
            if k.entry.id != target:
                where = relative(k.entry.source, self.source)
                found.append(Suggestion(f"the title {k.entry.title_text!r} ({where}) names #{target}; {links}",
                                        _alias(target, k, _title_part(k.entry.title_text, target))))
        folded = fold(target)
        for name, k in self.folded.get(folded, ()):
            if name != target:
                found.append(Suggestion(f"#{target} and #{name} ({relative(k.entry.source, self.source)}) differ "
                                        f"only in {_difference(target, name)}", Edit("relink", target, k.entry.id)))
        for other in self.missing_folded[folded]:
            count = self.wanted[other]
            if other != target and (count, other) > (uses, target):
                found.append(Suggestion(f"#{target} and #{other} ({count} links) differ only in "
                                        f"{_difference(target, other)}; neither has an entry yet: use one spelling",
                                        Edit("relink", target, other)))
        for close in difflib.get_close_matches(folded, self.folded, n=MAX_SUGGESTIONS, cutoff=_NEAR):
            if _digitless(close) == _digitless(folded):
                continue  # GPT-4 and GPT-3, Transformer-3 and Transformer: numbers name different things
            name, k = self.folded[close][0]
            found.append(Suggestion(f"#{target} is close to #{name} ({relative(k.entry.source, self.source)})",
                                    Edit("relink", target, k.entry.id)))
        return _best(found)


def _alias(target: str, k: _Known, text: str = "") -> Edit:
    return Edit("add-alias", "", text or target.replace("-", " "), k.entry.source, k.entry.line)


def _title_part(title: str, target: str) -> str:
    return next(part for part in _title_names(title) if term_id(part) == target)


def _best(found: list[Suggestion]) -> tuple[Suggestion, ...]:
    """The first suggestion for each edit, at most ``MAX_SUGGESTIONS``, in the order found (best first)."""
    seen: set[Edit] = set()
    out = []
    for suggestion in found:
        if suggestion.edit not in seen:
            seen.add(suggestion.edit)
            out.append(suggestion)
    return tuple(out[:MAX_SUGGESTIONS])


def _duplicates(known: list[_Known], wanted: dict[str, int], book: m.Book) -> tuple[Duplicate, ...]:
    declaring: dict[str, list[_Known]] = defaultdict(list)
    for k in known:
        if k.declared:
            declaring[k.declared].append(k)
    out = []
    for declared, group in sorted(declaring.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda k: k.entry.id != declared)
        keeper = group[0]
        found = []
        for k in group[1:]:
            implied = term_id(k.entry.source.stem)
            name = relative(k.entry.source, book.source)
            if not k.alone or implied == declared or implied in book.anchors:
                continue
            copy = k.entry.source.read_bytes() == keeper.entry.source.read_bytes()
            reason = (f"{name} is a copy of {relative(keeper.entry.source, book.source)}" if copy else
                      f"{name} declares {{#{declared}}} like {relative(keeper.entry.source, book.source)}")
            reason += f"; its file name implies #{implied}"
            if implied in wanted:
                reason += f", which {wanted[implied]} link{'s' * (wanted[implied] != 1)} want"
            found.append(Suggestion(reason, Edit("set-id", declared, implied, k.entry.source, k.entry.line)))
        out.append(Duplicate(declared, tuple(k.entry.source for k in group), _best(found)))
    return tuple(out)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("case", str.casefold),
    # ä → ae first, then ae → a: so Ä, Ae and A (from ä without its dots) meet.
    ("umlauts or ß", lambda s: re.sub(r"(?<=[AaOoUu])e", "", _bare(s.translate(_UMLAUTS)))),
    ("hyphens or underscores", lambda s: re.sub(r"[-_\s.]", "", s)),
)


def _bare(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(name: str) -> str:
    """``KI-Ökosystem``, ``ki_oekosystem`` and ``KIOkosystem`` all fold to ``kiokosystem``."""
    return _fold_with(name, range(len(_STEPS)))


def _fold_with(name: str, steps: Iterable[int]) -> str:
    text = unicodedata.normalize("NFC", name)
    for i in steps:
        text = _STEPS[i][1](text)
    return text


def _digitless(text: str) -> str:
    return re.sub(r"\d+", "", text)


def _same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def _difference(a: str, b: str) -> str:
    """Which foldings two names that fold alike need: each step without which they differ."""
    every = range(len(_STEPS))
    needed = [name for i, (name, _) in enumerate(_STEPS)
              if _fold_with(a, (j for j in every if j != i)) != _fold_with(b, (j for j in every if j != i))]
    return " and ".join(needed) or "spelling"
