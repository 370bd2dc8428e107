"""Read a source folder: gather its files, read each into the model, split them into entries."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..cache import Cache, fingerprint
from ..diagnostics import Diagnostic
from ..progress import Progress
from .config import SourceConfig, load_config, merge_metadata
from .entries import front_matter, split_entries
from .reader import read_markdown
from .sources import Decoded, SourceFile, gather_sources


@dataclass(frozen=True, slots=True)
class ReadBook:
    """Everything a source folder holds, before ids are assigned and links resolved."""

    metadata: m.Metadata
    front_matter: tuple[m.FrontMatter, ...]
    entries: tuple[m.Entry, ...]
    """In file order; the resolver sorts them."""
    diagnostics: tuple[Diagnostic, ...]


FileRead = tuple[tuple[m.Entry, ...], tuple[m.FrontMatter, ...], tuple[Diagnostic, ...]]
"""What one source file gives: its entries, its front matter, its diagnostics."""


@dataclass
class ReadMemory:
    """What a preview keeps between reads of one folder: a file that looks unchanged is not
    decoded again, and one whose text and settings are unchanged is not parsed or split again
    (it gives the very same entries)."""

    decoded: dict[str, Decoded] = field(default_factory=dict)
    files: dict[object, FileRead] = field(default_factory=dict)

    def forget(self, names: Iterable[str] | None) -> None:
        """Decode these files (None: all) again even if they look unchanged (saved twice within one clock tick)."""
        for name in list(self.decoded) if names is None else names:
            self.decoded.pop(name, None)


def read_folder(source: Path, progress: Progress, cache: Cache | None = None,
                memory: ReadMemory | None = None) -> ReadBook:
    """Read every source file of ``source``; with a cache, unchanged files are not parsed again;
    ``memory`` is updated to this call's files."""
    files = memory.files if memory is not None else None
    config, diagnostics = load_config(source)
    sources, found = gather_sources(source, config.sources, memory.decoded if memory is not None else None)
    diagnostics += found
    metadata = merge_metadata(config, sources.metadata)
    entries: list[m.Entry] = []
    front: list[m.FrontMatter] = []
    read: dict[object, FileRead] = {}
    with progress.stage("reading files", len(sources.files)) as stage:
        for file in sources.files:
            key = (file, metadata.language, config.sources)
            done = files.get(key) if files is not None else None
            read[key] = done = done or _read_file(file, metadata.language, config.sources, cache)
            entries += done[0]
            front += done[1]
            diagnostics += done[2]
            stage.advance()
    if files is not None:
        files.clear()
        files.update(read)
    return ReadBook(metadata, tuple(front), tuple(entries), tuple(diagnostics))


def _read_file(file: SourceFile, language: str, config: SourceConfig, cache: Cache | None) -> FileRead:
    blocks, found = _read(file.text, file.path, language, cache)
    if file.front_matter:
        return (), (front_matter(file.path, blocks),), tuple(found)
    entries, front, split = split_entries(file.path, blocks, config, file.text.count("\n") + 1)
    return tuple(entries), tuple(front), (*found, *split)


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
