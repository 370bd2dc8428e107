"""The book's index as data: terms, aliases and in-text marks, sorted and grouped once."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import TypeVar

from .collation import initial_letter, sort_key
from ..model import INDEX_GROUP_PREFIX, Entry, IndexItem, IndexTarget, LetterGroup

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IndexMark:
    term: str
    anchor: str


def group_by_letter(items: Iterable[T], term: Callable[[T], str], prefix: str) -> tuple[LetterGroup[T], ...]:
    """Group items that are already in dictionary order under their initial letters."""
    return tuple(LetterGroup(letter, tuple(group), letter_anchor(prefix, letter))
                 for letter, group in groupby(items, key=lambda item: initial_letter(term(item))))


def letter_anchor(prefix: str, letter: str) -> str:
    """``letter-A``; digits and symbols become ``letter-0``."""
    return f"{prefix}-{letter if letter.isalpha() else '0'}"


def build_index(entries: Iterable[Entry], marks: Iterable[IndexMark]) -> tuple[LetterGroup[IndexItem], ...]:
    targets: dict[str, list[IndexTarget]] = {}
    see: dict[str, tuple[str, str]] = {}
    entries = list(entries)
    for entry in entries:
        targets.setdefault(entry.title_text, []).append(IndexTarget(entry.id, main=True))
    for mark in marks:
        targets.setdefault(mark.term, []).append(IndexTarget(mark.anchor, main=False))
    for entry in entries:
        for alias in entry.aliases:
            if alias not in targets:
                see.setdefault(alias, (entry.title_text, entry.id))
    items = [IndexItem(term, tuple(sorted(found, key=lambda t: not t.main))) for term, found in targets.items()]
    items += [IndexItem(alias, (IndexTarget(anchor, main=True),), see=title) for alias, (title, anchor) in see.items()]
    items.sort(key=lambda item: sort_key(item.term))
    return group_by_letter(items, lambda item: item.term, INDEX_GROUP_PREFIX)
