"""Read a source folder: gather its files, read each into the model, split them into entries."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import model as m
from ..cache import Cache
from ..diagnostics import Diagnostic
from ..progress import Progress
from .config import load_config, merge_metadata
from .entries import front_matter, split_entries
from .parallel import read_files
from .sources import gather_sources


@dataclass(frozen=True, slots=True)
class ReadBook:
    """Everything a source folder holds, before ids are assigned and links resolved."""

    metadata: m.Metadata
    front_matter: tuple[m.FrontMatter, ...]
    entries: tuple[m.Entry, ...]
    """In file order; the resolver sorts them."""
    diagnostics: tuple[Diagnostic, ...]


def read_folder(source: Path, progress: Progress, cache: Cache | None = None, jobs: int = 1,
                meanwhile: Callable[[], None] = lambda: None) -> ReadBook:
    """Read every source file of ``source``; with a cache, unchanged files are not parsed again;
    with ``jobs`` above one, a large book's files are parsed in that many worker processes while
    this one runs ``meanwhile``."""
    config, diagnostics = load_config(source)
    sources, found = gather_sources(source, config.sources)
    diagnostics += found
    metadata = merge_metadata(config, sources.metadata)
    entries: list[m.Entry] = []
    front: list[m.FrontMatter] = []
    with progress.stage("reading files", len(sources.files)) as stage:
        reads = read_files([(file.path, file.text) for file in sources.files], metadata.language, cache, jobs,
                           stage.advance, meanwhile)
        for file, (blocks, found) in zip(sources.files, reads):
            diagnostics += found
            if file.front_matter:
                front.append(front_matter(file.path, blocks))
                continue
            new_entries, new_front, found = split_entries(file.path, blocks, config.sources,
                                                          file.text.count("\n") + 1)
            entries += new_entries
            front += new_front
            diagnostics += found
    return ReadBook(metadata, tuple(front), tuple(entries), tuple(diagnostics))

