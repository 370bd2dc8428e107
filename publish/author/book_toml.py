"""A commented ``book.toml`` drafted from what a source folder holds, with the reason for each choice."""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..read.config import SourceConfig
from ..read.sources import SOURCE_SUFFIXES, SourceFile, gather_sources
from ..resolve.strays import Stray
from ..resolve.suggest import relative

_STOPWORDS = {
    "de-DE": {"der", "die", "das", "und", "ist", "nicht", "mit", "für", "eine", "wird", "werden", "auf"},
    "en-US": {"the", "and", "is", "of", "to", "with", "for", "are", "this", "that", "be", "on"},
}
"""Frequent words per language: enough to tell a German glossary from an English one."""


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    """The book.toml to write."""
    decisions: tuple[str, ...]
    """What was decided and why, one line each, for the author to read."""


def draft_book_toml(source: Path, book: m.Book, strays: Sequence[Stray]) -> Draft:
    """book.toml for ``book`` (read from ``source`` as it is): metadata, front matter, files to exclude."""
    sources, _ = gather_sources(source, SourceConfig())
    found = sources.metadata
    where = _metadata_file(source)
    decisions = []
    lines = ["# Written by publish init; every key is explained in README.md (Book settings).", "", "[book]"]
    for key in ("title", "subtitle", "authors", "date", "rights"):
        value = found.get(key)
        if value:
            lines.append(f"{key} = {_toml(list(value) if isinstance(value, tuple) else value)}")
            decisions.append(f"{key}: {_plain(value)} (from {where})")
    if "title" not in found:
        lines.append('# title = "…"                      # no title block or YAML title found')
        decisions.append("title: none found; set [book] title in book.toml")
    language, why = (found["language"], f"from {where}") if "language" in found else _guess_language(sources.files)
    lines += [f"language = {_toml(language)}            # BCP 47: quotes, hyphenation, sorting ({why})", ""]
    decisions.append(f"language: {language} ({why})")
    excluded = sorted(relative(s.path, source) for s in strays)
    front = [relative(f.source, source) for f in book.front_matter if f.source not in {s.path for s in strays}]
    lines += ["[sources]", "# Front matter, in book order; every other file holds entries.",
              f"front_matter = {_toml(front)}"]
    decisions.append(f"front matter: {', '.join(front) or 'none'} (files whose names start with a digit)")
    if excluded:
        lines.append("# Not part of the book:")
        for stray in strays:
            lines.append(f"#   {relative(stray.path, source)} {stray.message().split(' — ')[0]}")
            decisions.append(f"exclude {relative(stray.path, source)}: it {stray.message().split(' — ')[0]}")
    lines.append(f"exclude = {_toml(excluded)}")
    return Draft("\n".join(lines) + "\n", tuple(decisions))


def _metadata_file(source: Path) -> str:
    """Which file holds the title block or YAML block (the first that starts with one)."""
    for path in sorted(p for p in source.iterdir() if p.suffix.lower() in SOURCE_SUFFIXES and p.is_file()):
        with path.open("rb") as handle:
            head = handle.read(3)
        if head.startswith(b"%"):
            return f"the title block of {relative(path, source)}"
        if head == b"---":
            return f"the YAML block of {relative(path, source)}"
    return "the sources"


def _guess_language(files: Sequence[SourceFile]) -> tuple[str, str]:
    words = Counter(w for f in files for w in re.findall(r"\w+", f.text.lower()))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best, f"guessed from frequent words: {scores[best]} of {sum(scores.values())} are {best}"


def _plain(value: object) -> str:
    return "; ".join(value) if isinstance(value, tuple) else str(value)


def _toml(value: object) -> str:
    """A TOML string or list of strings: JSON's escapes are valid in TOML's basic strings."""
    return json.dumps(value, ensure_ascii=False)
