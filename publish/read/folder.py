"""Read a source folder: gather its files, read each into the model, split them into entries."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..cache import Cache, fingerprint
from ..diagnostics import Diagnostic
from ..progress import Progress
from .config import load_config, merge_metadata
from .entries import front_matter, split_entries
from .reader import read_markdown
from .sources import gather_sources


@dataclass(frozen=True, slots=True)
class ReadBook:
    """Everything a source folder holds, before ids are assigned and links resolved."""

    metadata: m.Metadata
    front_matter: tuple[m.FrontMatter, ...]
    entries: tuple[m.Entry, ...]
    """In file order; the resolver sorts them."""
    diagnostics: tuple[Diagnostic, ...]


def read_folder(source: Path, progress: Progress, cache: Cache | None = None) -> ReadBook:
    """Read every source file of ``source``; with a cache, unchanged files are not parsed again."""
    config, diagnostics = load_config(source)
    sources, found = gather_sources(source, config.sources)
    diagnostics += found
    metadata = merge_metadata(config, sources.metadata)
    entries: list[m.Entry] = []
    front: list[m.FrontMatter] = []
    with progress.stage("reading files", len(sources.files)) as stage:
        for file in sources.files:
            blocks, found = _read(file.text, file.path, metadata.language, cache)
            diagnostics += found
            stage.advance()
            if file.front_matter:
                front.append(front_matter(file.path, blocks))
                continue
            new_entries, new_front, found = split_entries(file.path, blocks, config.sources,
                                                          file.text.count("\n") + 1)
            entries += new_entries
            front += new_front
            diagnostics += found
    return ReadBook(metadata, tuple(front), tuple(entries), tuple(diagnostics))


def _read(text: str, path: Path, language: str, cache: Cache | None) -> tuple[tuple[m.Block, ...], list[Diagnostic]]:
    key = fingerprint(str(path), text, language)
    cached = cache.load("read", key) if cache else None
    if cached is not None:
        blocks, found = cached
        return blocks, list(found)
    blocks, found = read_markdown(text, path, language)
    if cache:
        cache.store("read", key, (blocks, found))
    return blocks, found
