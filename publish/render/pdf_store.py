"""Laid-out PDF parts kept between builds: a PDF and a JSON record of its pages per layout key."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from ..cache import Cache
from ..output import write_atomically
from .pdf_part_tree import PartTree, dumps, loads, part_tree
from .pdf_task import LaidOut, PageFacts

KIND = "pdf-parts"
USED = "pdf-parts-used"
"""Per theme, the keys its last build in parts used."""


class PartStore:
    """One folder of laid-out parts (each PDF with its structure tree read out for the join), named
    by the key of everything their layout depends on, and of the font programs their joins merged,
    named by the subsets merged.

    A record whose PDF is missing or differs from the digest it was stored with is ignored, as is
    any record the cache cannot decode: the part is laid out again. After a build, ``keep`` removes
    every part no theme's last build used, so the folder holds at most one book's parts per theme."""

    def __init__(self, folder: Path) -> None:
        self.cache = Cache(folder)
        self.folder = folder / KIND

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def load(self, key: str) -> LaidOut | None:
        record = self.cache.load(KIND, key)
        try:
            digest, pages = record
            if _digest(self.pdf(key)) != digest:
                return None
            return LaidOut(tuple(PageFacts(tuple(map(str, anchors)), str(name), bool(blank),
                                           (str(start[0]), int(start[1])) if start else None)
                                 for anchors, name, blank, start in pages), ())
        except (TypeError, ValueError, OSError):
            return None

    def store(self, key: str, laid: LaidOut) -> None:
        pages = [[list(p.anchors), p.name, p.blank, list(p.start) if p.start else None] for p in laid.pages]
        digest = _digest(self.pdf(key))
        self.cache.store(KIND, key, (digest, pages))
        if laid.tree is not None:
            self._store_tree(key, digest, laid.tree)

    def tree(self, key: str, fresh: bool = False) -> PartTree | None:
        """The structure tree of part ``key`` (None: not tagged), as kept beside it if that is the
        tree of its PDF as it is now (unless ``fresh``), else read out of the PDF again (and kept)."""
        digest = _digest(self.pdf(key))
        try:
            kept, data = (b"", b"") if fresh else self.folder.joinpath(f"{key}.tree").read_bytes().split(b"\n", 1)
            if kept.decode("ascii") == digest:
                return loads(data)
        except (OSError, ValueError):
            pass
        tree = part_tree(self.pdf(key))
        if tree is not None:
            self._store_tree(key, digest, tree)
        return tree

    def _store_tree(self, key: str, digest: str, tree: PartTree) -> None:
        try:
            write_atomically(self.folder / f"{key}.tree", [digest.encode("ascii"), b"\n", dumps(tree)])
        except OSError:
            pass  # the next join reads the tree out of the part again

    def font(self, key: str) -> bytes | None:
        """A merged font program stored under ``key``, unless it is missing or not what was stored."""
        try:
            program = self.folder.joinpath(f"{key}.ttf").read_bytes()
        except OSError:
            return None
        return program if self.cache.load(KIND, key) == hashlib.sha256(program).hexdigest() else None

    def store_font(self, key: str, program: bytes) -> None:
        write_atomically(self.folder / f"{key}.ttf", program)
        self.cache.store(KIND, key, hashlib.sha256(program).hexdigest())

    def keep(self, owner: str, keys: Iterable[str]) -> None:
        """Remember that ``owner``'s build used ``keys``; remove every file of a part that no
        owner's last build used."""
        self.cache.store(USED, owner, sorted(set(keys)))
        live: set[str] = set()
        for record in sorted((self.cache.folder / USED).glob("*.json")):
            used = self.cache.load(USED, record.stem)
            live |= {str(k) for k in used} if isinstance(used, (list, tuple)) else set()
        for path in self.folder.glob("*"):
            if path.stem not in live:
                path.unlink(missing_ok=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
