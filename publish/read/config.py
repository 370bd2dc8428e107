"""The book's configuration: ``book.toml`` merged with metadata found in the sources."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..diagnostics import Code, Diagnostic, error
from ..model import TERM_CLASS, Metadata

CONFIG_NAME = "book.toml"
DEFAULT_FRONT_MATTER = ("[0-9]*",)
"""Without book.toml, files whose names start with a digit (``000-title.txt``) are front matter."""

_BOOK_KEYS = {f.name for f in fields(Metadata)} | {"author"}
_SOURCE_KEYS = {"front_matter", "exclude", "entry_class", "headingless"}
_HEADINGLESS = ("error", "front-matter")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    front_matter: tuple[str, ...] = DEFAULT_FRONT_MATTER
    """File names or glob patterns of front-matter files, in book order."""
    exclude: tuple[str, ...] = ()
    """File names or glob patterns that are not part of the book."""
    entry_class: str = TERM_CLASS
    """The heading class that starts an entry."""
    headingless: str = "error"
    """What a file without any heading is: ``error`` or ``front-matter``."""


@dataclass(frozen=True, slots=True)
class BookConfig:
    metadata: Metadata
    sources: SourceConfig
    explicit: frozenset[str]
    """Metadata fields book.toml set; metadata found in the sources fills the others."""


def load_config(source: Path) -> tuple[BookConfig, list[Diagnostic]]:
    """Read ``source/book.toml`` if there is one; defaults otherwise."""
    path = source / CONFIG_NAME
    if not path.is_file():
        return BookConfig(Metadata(), SourceConfig(), frozenset()), []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(where[1]), int(where[2])) if where else (1, 1)
        return _default(), [error(Code.BAD_CONFIG, path, line, col, f"cannot read {CONFIG_NAME}: {exc}")]
    diagnostics: list[Diagnostic] = []
    book = _table(data, "book", _BOOK_KEYS, path, diagnostics)
    sources = _table(data, "sources", _SOURCE_KEYS, path, diagnostics)
    for key in set(data) - {"book", "sources"}:
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1, f"unknown section [{key}]"))
    if "author" in book:
        book.setdefault("authors", book.pop("author"))
    if isinstance(book.get("authors"), str):
        book["authors"] = [book["authors"]]
    metadata = Metadata(**{k: tuple(v) if isinstance(v, list) else str(v) for k, v in book.items()})
    source_config = SourceConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in sources.items()})
    if source_config.headingless not in _HEADINGLESS:
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1,
                                 f"sources.headingless must be one of {', '.join(_HEADINGLESS)}"))
        source_config = replace(source_config, headingless="error")
    return BookConfig(metadata, source_config, frozenset(book)), diagnostics


def _default() -> BookConfig:
    return BookConfig(Metadata(), SourceConfig(), frozenset())


def _table(data: dict, name: str, known: set[str], path: Path, diagnostics: list[Diagnostic]) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1, f"[{name}] must be a table"))
        return {}
    for key in sorted(set(table) - known):
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1, f"unknown key {name}.{key}"))
    return {key: value for key, value in table.items() if key in known}


def merge_metadata(config: BookConfig, found: dict[str, object]) -> Metadata:
    """Fill what book.toml left unset from title blocks and YAML blocks in the sources."""
    names = {f.name for f in fields(Metadata)}
    extra = {k: v for k, v in found.items() if k in names and k not in config.explicit}
    return replace(config.metadata, **extra)
