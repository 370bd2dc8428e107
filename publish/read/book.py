"""Read a source folder into one resolved Book: gather, read, assemble, resolve."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..cache import Cache, fingerprint
from .config import load_config, merge_metadata
from ..diagnostics import Code, Diagnostic, error
from .entries import front_matter, split_entries
from .reader import read_markdown
from ..resolve.resolver import MissingEntry, resolve_book
from ..progress import Progress
from .sources import gather_sources


@dataclass(frozen=True, slots=True)
class LoadedBook:
    book: m.Book | None
    """None only when the source folder itself could not be read."""
    missing: tuple[MissingEntry, ...]
    diagnostics: tuple[Diagnostic, ...]


def load_book(source: Path, progress: Progress | None = None, cache: Cache | None = None) -> LoadedBook:
    """Read and resolve ``source``; with a cache, files whose content is unchanged are not parsed again."""
    progress = progress or Progress()
    if not source.is_dir():
        return LoadedBook(None, (), (error(Code.UNREADABLE, source, 1, 1, "source folder does not exist"),))
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
    with progress.stage("resolving ids and links"):
        book, missing, found = resolve_book(metadata, front, entries, source)
    diagnostics += found
    return LoadedBook(book, missing, tuple(diagnostics))


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
