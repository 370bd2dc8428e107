"""Laid-out PDF parts kept between builds: a PDF and a JSON record of its pages per layout key."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..cache import Cache
from .pdf_layout import LaidOut, PageFacts

KIND = "pdf-parts"


class PartStore:
    """One folder of laid-out parts, named by the key of everything their layout depends on.

    A record whose PDF is missing or differs from the digest it was stored with is ignored, as is
    any record the cache cannot decode: the part is laid out again."""

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
            return LaidOut(tuple(PageFacts(tuple(map(str, anchors)), str(name), bool(blank))
                                 for anchors, name, blank in pages), ())
        except (TypeError, ValueError, OSError):
            return None

    def store(self, key: str, laid: LaidOut) -> None:
        pages = [[list(p.anchors), p.name, p.blank] for p in laid.pages]
        self.cache.store(KIND, key, (_digest(self.pdf(key)), pages))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
