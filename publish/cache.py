"""The build cache under ``build/.cache``: read files per content hash, and up-to-date outputs.

Everything is JSON that is decoded into a closed set of model classes, never pickle: a cache
that is corrupt, foreign or from another program version is ignored and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from itertools import chain
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from . import model as m
from .diagnostics import Code, Diagnostic, Severity
from .output import write_atomically

CACHE_DIR = ".cache"
_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in vars(m).values()
    if isinstance(cls, type) and is_dataclass(cls) and cls.__module__ == m.__name__
} | {"Diagnostic": Diagnostic}
_ENUMS: dict[str, type[Enum]] = {"Code": Code, "Severity": Severity}


def fingerprint(*parts: bytes | str) -> str:
    """The digest of ``parts``, each as its UTF-8 length and bytes; a long text is encoded a
    piece at a time, never copied whole (a huge file's text would be held twice more)."""
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        if isinstance(part, bytes):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
            continue
        digest.update(sum(map(len, _utf8_pieces(part))).to_bytes(8, "big"))
        for piece in _utf8_pieces(part):
            digest.update(piece)
    return digest.hexdigest()


_PIECE = 1 << 16
"""Characters of a text encoded at a time for its digest: small enough that their memory is used
again at once (pieces of a megabyte left several behind in the process)."""


def _utf8_pieces(text: str) -> Iterator[bytes]:
    for start in range(0, len(text), _PIECE):
        yield text[start:start + _PIECE].encode("utf-8", "surrogateescape")


def folder_fingerprint(folders: tuple[Path, ...]) -> str:
    """Every file's path and content in these folders (a theme chain, a source folder)."""
    parts: list[bytes | str] = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and CACHE_DIR not in p.parts):
            parts += [str(path.relative_to(folder)), path.read_bytes()]
    return fingerprint(*parts)


class Cache:
    """One folder of JSON records, each stamped with its key and the program version. A deferred
    cache keeps what it is given until ``flush``: a build writes the records while it waits for
    another program (pandoc) instead of before it can start it."""

    def __init__(self, folder: Path, deferred: bool = False) -> None:
        self.folder = folder
        self.deferred = deferred
        self._kept: list[tuple[str, str, Any]] = []

    def deferring(self) -> Cache:
        """The same folder, its records kept back until ``flush``."""
        return Cache(self.folder, deferred=True)

    def flush(self) -> None:
        """Write the records kept back so far (again and again: each only once)."""
        kept, self._kept = self._kept, []
        for record in kept:
            self._write(*record)

    def load(self, kind: str, key: str) -> Any | None:
        path = self.folder / kind / f"{key}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8", errors="surrogateescape"))
            if record.get("key") != key or record.get("program") != __version__:
                return None
            return decode(record["value"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        if self.deferred:
            self._kept.append((kind, key, value))
        else:
            self._write(kind, key, value)

    def _write(self, kind: str, key: str, value: Any) -> None:
        head = json.dumps({"key": key, "program": __version__, "value": None}, ensure_ascii=False)
        pieces = chain([head.removesuffix("null}")], _json_pieces(value, 2), ["}"])
        try:
            # surrogateescape: a source path may hold bytes that are not UTF-8 (Python's escapes for them)
            write_atomically(self.folder / kind / f"{key}.json",
                             (piece.encode("utf-8", "surrogateescape") for piece in pieces))
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower


def _json_pieces(value: Any, depth: int) -> Iterator[str]:
    """``json.dumps(encode(value), ensure_ascii=False)`` in pieces: lists down to ``depth`` levels
    item by item, so a huge file's blocks are never all encoded at once."""
    if depth and isinstance(value, (tuple, list)):
        yield "["
        for n, item in enumerate(value):
            yield ", " * bool(n)
            yield from _json_pieces(item, depth - 1)
        yield "]"
    else:
        yield json.dumps(encode(value), ensure_ascii=False)


def encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"_e": type(value).__name__, "v": value.value}
    if isinstance(value, Path):
        return {"_p": str(value)}
    if is_dataclass(value):
        return {"_t": type(value).__name__, **{name: encode(getattr(value, name)) for name in _field_names(type(value))}}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    return value


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "_e" in value:
        return _ENUMS[value["_e"]](value["v"])
    if "_p" in value:
        return Path(value["_p"])
    cls = _CLASSES[value["_t"]]
    return cls(**{name: decode(v) for name, v in value.items() if name != "_t"})
