"""Unique names: the first claim keeps a name, later claims get a numbered variant."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def _dash_number(base: str, n: int) -> str:
    return f"{base}-{n}"


def _same(name: str) -> str:
    return name


@dataclass
class UniqueNames:
    """Hands out names unique under ``fold`` (Word compares bookmark names case-insensitively)."""

    numbered: Callable[[str, int], str] = _dash_number
    """The n-th variant of a wanted name (n ≥ 2): ``GPU-2`` by default."""
    fold: Callable[[str], str] = _same
    """What makes two names the same."""
    taken: set[str] = field(default_factory=set)

    def __contains__(self, name: str) -> bool:
        return self.fold(name) in self.taken

    def reserve(self, name: str) -> None:
        self.taken.add(self.fold(name))

    def claim(self, wanted: str) -> str:
        """``wanted`` if it is free, else its first free numbered variant; either way taken now."""
        name = self.free(wanted)
        self.reserve(name)
        return name

    def free(self, wanted: str) -> str:
        """What ``claim`` would give, left free: for names that cannot repeat (made from a counter)
        and need only keep clear of the taken ones."""
        name, n = wanted, 1
        while name in self:
            n += 1
            name = self.numbered(wanted, n)
        return name
