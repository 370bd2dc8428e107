"""The book's configuration: ``book.toml`` merged with metadata found in the sources."""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, time
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..diagnostics import Code, Diagnostic, error, warning
from ..theme.languages import is_language_tag
from ..model import TERM_CLASS, Metadata
from ..xml_chars import without_invalid_xml

CONFIG_NAME = "book.toml"
DEFAULT_FRONT_MATTER = ("[0-9]*",)
"""Without book.toml, files whose names start with a digit (``000-title.txt``) are front matter."""

_BOOK_KEYS = {f.name for f in fields(Metadata)} | {"author"}
_SOURCE_KEYS = {"front_matter", "exclude", "entry_class", "headingless"}
_HEADINGLESS = ("error", "front-matter")
_CONFIG_ONLY = {"base_url"}
"""Metadata only book.toml sets: a title block or YAML block in a source does not publish the site."""


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
    """Read ``source/book.toml`` if there is one (defaults otherwise)."""
    return _load_toml(source / CONFIG_NAME)


def _load_toml(path: Path) -> tuple[BookConfig, list[Diagnostic]]:
    if not path.exists() and not path.is_symlink():
        return _default(), []
    if path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve()) or not path.is_file():
        # a link out of the book (read in a release job from a pull request), a pipe that would wait
        return _default(), [error(Code.BAD_CONFIG, path, 1, 1,
                                  f"{CONFIG_NAME} is not a regular file inside the source folder; not read")]
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(where[1]), int(where[2])) if where else (1, 1)
        return _default(), [error(Code.BAD_CONFIG, path, line, col, f"cannot read {CONFIG_NAME}: {exc}")]
    diagnostics: list[Diagnostic] = []
    book = _typed(_table(data, "book", _BOOK_KEYS, text, path, diagnostics), _book_type, "book",
                  text, path, diagnostics)
    sources = _typed(_table(data, "sources", _SOURCE_KEYS, text, path, diagnostics), _source_type, "sources",
                     text, path, diagnostics)
    for key in set(data) - {"book", "sources"}:
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1, f"unknown section [{key}]"))
    if "author" in book:
        book.setdefault("authors", book.pop("author"))
    # An empty value sets nothing: metadata from the sources (or the default) fills it.
    book = {k: v for k, v in book.items() if v}
    metadata = Metadata(**book)
    source_config = SourceConfig(**sources)
    if source_config.headingless not in _HEADINGLESS:
        diagnostics.append(error(Code.BAD_CONFIG, path, _key_line(text, "headingless"), 1,
                                 f"sources.headingless must be one of {', '.join(_HEADINGLESS)}"))
        source_config = replace(source_config, headingless="error")
    return BookConfig(metadata, source_config, frozenset(book)), diagnostics


def _default() -> BookConfig:
    return BookConfig(Metadata(), SourceConfig(), frozenset())


def _table(data: dict, name: str, known: set[str], text: str, path: Path, diagnostics: list[Diagnostic]) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        diagnostics.append(error(Code.BAD_CONFIG, path, 1, 1, f"[{name}] must be a table"))
        return {}
    for key in sorted(set(table) - known):
        diagnostics.append(error(Code.BAD_CONFIG, path, _key_line(text, key), 1, f"unknown key {name}.{key}"))
    return {key: value for key, value in table.items() if key in known}


def _typed(table: dict, convert: Callable[[str, object], object], name: str, text: str, path: Path,
           diagnostics: list[Diagnostic]) -> dict:
    """The table's values in the types the model holds; a value of another type is a ``bad-config`` error."""
    out = {}
    for key, value in table.items():
        try:
            out[key] = convert(key, value)
        except TypeError as exc:
            diagnostics.append(error(Code.BAD_CONFIG, path, _key_line(text, key), 1,
                                     f"{name}.{key} must be {exc}; it is ignored"))
            continue
        if (cleaned := _cleaned(out[key])) != out[key]:
            out[key] = cleaned
            diagnostics.append(warning(Code.CONTROL_CHARACTER, path, _key_line(text, key), 1,
                                       f"{name}.{key} holds control characters; they are taken out"))
    return out


def _cleaned(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(without_invalid_xml(item) for item in value)
    return without_invalid_xml(value) if isinstance(value, str) else value


def _book_type(key: str, value: object) -> object:
    if key in ("authors", "author"):
        return (value,) if isinstance(value, str) else _strings(value, "a string or a list of strings")
    if key == "date" and isinstance(value, (date, time)):
        return value.isoformat()  # a TOML date (date = 2026-11-28) reads as the string would
    if not isinstance(value, str):
        raise TypeError("a string")
    if key == "language" and not is_language_tag(value):
        raise TypeError('a language tag such as "de-DE" or "en"')
    return _base_url(value) if key == "base_url" and value else value


def _base_url(value: str) -> str:
    """The address the website is published at, ending in ``/``; TypeError says what it must be."""
    expected = "an http:// or https:// address without user, password, query or fragment"
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise TypeError(expected) from None
    if (url.scheme not in ("http", "https") or not url.hostname or "@" in url.netloc or url.query
            or url.fragment or "?" in value or "#" in value or re.search(r"[\s\x00-\x1f\x7f]", value)):
        raise TypeError(expected)
    # Percent-encoded as a sitemap needs it (a path with umlauts), once: "%" stays as written.
    path = quote(url.path.rstrip("/"), safe="/%!$&'()*+,;=:@~") + "/"
    return f"{url.scheme}://{url.netloc}{path}"


def _source_type(key: str, value: object) -> object:
    if key in ("front_matter", "exclude"):
        return _strings(value, "a list of file names or glob patterns (strings)")
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _strings(value: object, expected: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(expected)
    return tuple(value)


def _key_line(text: str, key: str) -> int:
    """The line of ``book.toml`` that sets ``key`` (1 when it cannot be told)."""
    found = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def merge_metadata(config: BookConfig, found: dict[str, object]) -> Metadata:
    """Fill what book.toml left unset from title blocks and YAML blocks in the sources."""
    names = {f.name for f in fields(Metadata)} - _CONFIG_ONLY
    extra = {k: v for k, v in found.items() if k in names and k not in config.explicit}
    return replace(config.metadata, **extra)
