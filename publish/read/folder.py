"""Read a source folder: gather its files, read each into the model, split them into entries."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import model as m
from ..cache import Cache
from ..diagnostics import Diagnostic
from ..progress import Progress
from .config import SourceConfig, load_config, merge_metadata
from .entries import front_matter, split_entries
from .parallel import read_files
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


def read_folder(source: Path, progress: Progress, cache: Cache | None = None, jobs: int = 1,
                meanwhile: Callable[[], None] = lambda: None, memory: ReadMemory | None = None,
                on_metadata: Callable[[m.Metadata], None] = lambda metadata: None) -> ReadBook:
    """Read every source file of ``source``; with a cache, unchanged files are not parsed again;
    with ``jobs`` above one, a large book's files are parsed in that many worker processes while
    this one runs ``meanwhile``; ``memory`` is updated to this call's files. ``on_metadata`` is
    given the book's metadata before any file is parsed."""
    config, diagnostics = load_config(source)
    sources, found = gather_sources(source, config.sources, memory.decoded if memory is not None else None)
    diagnostics += found
    metadata = merge_metadata(config, sources.metadata)
    on_metadata(metadata)
    known = memory.files if memory is not None else {}
    keys = [(file, metadata.language, config.sources) for file in sources.files]
    todo = [file for file, key in zip(sources.files, keys) if key not in known]
    with progress.stage("reading files", len(todo)) as stage:
        reads = read_files([(file.path, file.text) for file in todo], metadata.language, cache, jobs,
                           stage.advance, meanwhile)
    new = {(file, metadata.language, config.sources): _split(file, blocks, tuple(found), config.sources)
           for file, (blocks, found) in zip(todo, reads)}
    done = {key: known.get(key) or new[key] for key in keys}
    if memory is not None:
        memory.files = done
    entries = [entry for key in keys for entry in done[key][0]]
    front = [part for key in keys for part in done[key][1]]
    return ReadBook(metadata, tuple(front), tuple(entries),
                    tuple(diagnostics) + tuple(d for key in keys for d in done[key][2]))


def _split(file: SourceFile, blocks: tuple[m.Block, ...], found: tuple[Diagnostic, ...], config: SourceConfig
           ) -> FileRead:
    """A read file's entries and front matter."""
    if file.front_matter:
        return (), (front_matter(file.path, blocks),), found
    entries, front, split = split_entries(file.path, blocks, config, file.text.count("\n") + 1)
    return tuple(entries), tuple(front), (*found, *split)
