"""The one build orchestrator: read and resolve a book, render formats, put outputs in place.

The command line and releases both call it. Outputs are rendered to temporary paths beside their
targets and moved into place only when the whole build is acceptable, so a failed or refused
build leaves every previous output as it was.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import model as m
from .cache import Cache, fingerprint
from .collector import collection_paused, model_frozen
from .diagnostics import INPUT_CODES, Code, Diagnostic, Severity, error
from .output import build_time, commit_staged, discard_staged, remove_stale_staged, source_date_epoch, staged_path
from .progress import Progress
from .read.config import CONFIG_NAME
from .read.sources import SOURCE_SUFFIXES
from .render import Backend, RenderOptions, RenderResult, default_jobs, load_backend
from .render.pages import PrintEdition
from .resolve.anchors import slugify
from .resolve.collation import load_collation, unload_collation
from .resolve.resolver import MissingEntry, Resolution, resolve, update
from .resolve.strays import Stray, collapse, find_strays
from .resolve.suggest import Suggestions, suggest
from .theme.theme import Theme

if TYPE_CHECKING:
    from .read.folder import ReadMemory  # the reader imports markdown-it: only load_book imports it


@dataclass(frozen=True, slots=True)
class LoadedBook:
    book: m.Book | None
    """None only when the source folder itself could not be read."""
    missing: tuple[MissingEntry, ...]
    diagnostics: tuple[Diagnostic, ...]
    strays: tuple[Stray, ...] = ()
    """Files that are probably an earlier build or a hand-made index page."""
    declared: tuple[m.Entry, ...] = ()
    """The entries as read, with the ids their headings declare (suggestions compare them)."""
    resolution: Resolution | None = None
    """What resolving did per entry: the next load of an edited book starts from it."""

    @property
    def unreadable(self) -> bool:
        """Whether the input could not be read at all (no folder, broken UTF-8, a bad book.toml …)."""
        return self.book is None or any(d.code in INPUT_CODES for d in self.diagnostics)

    def fails(self, strict: bool) -> bool:
        """Whether nothing may be built: no book, an error, or (strict) any diagnostic."""
        return self.book is None or any(d.severity is Severity.ERROR or strict for d in self.diagnostics)


@dataclass(frozen=True, slots=True)
class Built:
    """What one build did."""

    loaded: LoadedBook | None
    """None when every output was current and nothing was read."""
    results: tuple[RenderResult, ...]
    """The outputs written, in place."""
    current: tuple[Path, ...]
    """Outputs that were up to date and left alone."""
    refused: bool = False
    """True when diagnostics stopped the build before any output was replaced."""

    @property
    def render_diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(d for result in self.results for d in result.diagnostics)


def load_book(source: Path, progress: Progress | None = None, cache: Cache | None = None,
              jobs: int | None = None, previous: LoadedBook | None = None,
              memory: ReadMemory | None = None,
              on_metadata: Callable[[m.Metadata], None] = lambda metadata: None) -> LoadedBook:
    """Read and resolve ``source`` (the reader is imported only now: markdown-it and its plugins);
    a large book's files are read in ``jobs`` worker processes (default: the cores).
    A preview passes the ``previous`` load of the same folder and its ``memory`` of the files read:
    an edit of some entries' text then reads and resolves only those (the result is the same).
    ``on_metadata`` is given the book's metadata before its files are read."""
    from .read.folder import read_folder

    progress = progress or Progress()
    if not source.is_dir():
        return LoadedBook(None, (), (error(Code.UNREADABLE, source, 1, 1, "source folder does not exist"),))
    _, bad_epoch = source_date_epoch()
    # While workers read the files, this process loads the collation table the resolver sorts with.
    read = read_folder(source, progress, cache, default_jobs() if jobs is None else jobs, meanwhile=load_collation,
                       memory=memory, on_metadata=on_metadata)
    with progress.stage("resolving ids and links"), collection_paused():
        args = (read.metadata, read.front_matter, read.entries, source, build_time(source))
        resolution = previous and previous.resolution and update(previous.resolution, *args)
        if resolution and previous:
            strays = find_strays(read.entries, resolution.book, previous.strays, resolution.changed or ())
        else:
            resolution = resolve(*args)
            strays = find_strays(read.entries, resolution.book)
    found = collapse(resolution.diagnostics, strays, read.entries)
    return LoadedBook(resolution.book, resolution.missing,
                      (bad_epoch,) * bool(bad_epoch) + read.diagnostics + tuple(found), strays, read.entries, resolution)


def suggestions_for(loaded: LoadedBook) -> Suggestions:
    """What to do about each missing target and duplicate id (only check, fix and new ask: it takes a moment)."""
    if loaded.book is None:
        return Suggestions({}, ())
    return suggest(loaded.declared, loaded.book, loaded.missing,
                   skip=(s.path for s in loaded.strays if s.kind == "repeats"))


def book_name(metadata: m.Metadata) -> str:
    """The outputs' base name: the title as a file-name slug (``KI-Glossar`` → ``ki-glossar``),
    short enough that version, theme suffix and a temporary name still fit a file name (255 bytes)."""
    if not re.search(r"[^\W\d_]", metadata.title):
        return "book"
    name = re.sub(r"-{2,}", "-", slugify(metadata.title))
    while len(name.encode("utf-8")) > _NAME_BYTES:
        name = name[:-1]
    return name.rstrip("-.") or "book"


_NAME_BYTES = 120
"""At most this many bytes of a title go into file names."""


def target_path(out: Path, book: m.Book, theme: Theme, backend: Backend, version: str = "") -> Path:
    """``out/<name>[-<version>][<theme suffix>]<format suffix>``, e.g. ``ki-glossar-1.0.0-print.pdf``."""
    version_part = f"-{version}" if version else ""
    return out / f"{book_name(book.metadata)}{version_part}{theme.value('theme', 'file_suffix')}{backend.suffix}"


def build_formats(source: Path, out: Path, theme: Theme, formats: Iterable[str], progress: Progress,
          strict: bool = False, cache: Cache | None = None, options: RenderOptions | None = None) -> Built:
    """Render ``formats`` of the book in ``source`` into ``out``; skip outputs that are current
    (unless strict: a strict build always checks the book again). Backends may keep work in the cache."""
    options = replace(options or RenderOptions(), cache=cache.folder if cache is not None else None)
    backends = [load_backend(name) for name in formats]
    # An EPUB built beside a PDF carries that PDF's page numbers, so it differs from one built alone.
    paged = "pdf" in {b.name for b in backends}
    keys = {b.name: _inputs_key(b, theme, source) + ("+pages" if paged and _takes_print_edition(b) else "")
            for b in backends}
    current = {} if strict or cache is None else {
        b.name: path for b in backends if (path := _up_to_date(cache, out, b, theme, keys[b.name], source))}
    if len(current) == len(backends):
        return Built(None, (), tuple(current.values()))
    # The read cache is written while a backend waits for another program, else after rendering.
    reading = cache.deferring() if cache is not None else None
    todo = [b for b in backends if b.name not in current]
    loaded = load_book(source, progress, reading, options.jobs,
                       on_metadata=lambda metadata: _prepare(todo, metadata, options))
    try:
        if loaded.fails(strict) or loaded.book is None:
            return Built(loaded, (), (), refused=True)
        options = replace(options, meanwhile=reading.flush if reading is not None else options.meanwhile)
        unload_collation()  # the book is sorted; a huge book's renderers need the room
        jobs = [Job(b, theme, target_path(out, loaded.book, theme, b), options) for b in todo]
        staged = render_staged(loaded.book, jobs, progress)
    finally:
        if reading is not None:
            reading.flush()
    if strict and staged.diagnostics:
        staged.discard()
        return Built(loaded, tuple(staged.results), tuple(current.values()), refused=True)
    placed = staged.commit()
    if cache is not None:
        for backend, result in zip(todo, placed):
            _remember(cache, out, backend, theme, keys[backend.name], result.path, source, loaded.book)
    return Built(loaded, placed, tuple(current.values()))


def _prepare(backends: list[Backend], metadata: m.Metadata, options: RenderOptions) -> None:
    """Let each backend that starts helpers start them now, while the book is read."""
    for backend in backends:
        prepare = getattr(backend, "prepare", None)
        if prepare is not None:
            prepare(metadata, options)


@dataclass(frozen=True, slots=True)
class Job:
    """One output to render: a format in a theme, and where it goes."""

    backend: Backend
    theme: Theme
    target: Path
    options: RenderOptions = field(default_factory=RenderOptions)


@dataclass
class Staged:
    """Rendered outputs waiting beside their targets: ``commit`` puts them all in place,
    ``discard`` removes them all."""

    results: list[RenderResult] = field(default_factory=list)
    """With the staged paths; ``commit`` returns them with the targets' paths."""
    paths: list[tuple[Path, Path]] = field(default_factory=list)
    """(staged, target) of every output."""

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(d for result in self.results for d in result.diagnostics)

    def commit(self) -> tuple[RenderResult, ...]:
        for staged, target in self.paths:
            commit_staged(staged, target)
        return tuple(replace(r, path=target) for r, (_, target) in zip(self.results, self.paths))

    def discard(self) -> None:
        for staged, _ in self.paths:
            discard_staged(staged)


def render_staged(book: m.Book, jobs: list[Job], progress: Progress) -> Staged:
    """Render every job to a temporary path beside its target; on any failure nothing is left."""
    staged = Staged()
    try:
        for job in jobs:
            remove_stale_staged(job.target)
            temporary = staged_path(job.target)
            staged.paths.append((temporary, job.target))
            if job.backend.folder:
                temporary.mkdir(parents=True)
        # Formats that mark print pages come last, given the pages of a PDF rendered before them.
        results: dict[int, RenderResult] = {}
        with model_frozen():
            for n in sorted(range(len(jobs)), key=lambda n: _takes_print_edition(jobs[n].backend)):
                job, temporary = jobs[n], staged.paths[n][0]
                if _takes_print_edition(job.backend):
                    edition = print_edition(jobs, results)
                    results[n] = job.backend.render(book, job.theme, temporary, progress, options=job.options,
                                                    print_edition=edition)
                else:
                    results[n] = job.backend.render(book, job.theme, temporary, progress, options=job.options)
        staged.results = [results[n] for n in range(len(jobs))]
    except BaseException:
        staged.discard()
        raise
    return staged


def _takes_print_edition(backend: Backend) -> bool:
    return bool(getattr(backend, "takes_print_edition", False))


def print_edition(jobs: list[Job], results: dict[int, RenderResult]) -> PrintEdition | None:
    """The pages of the print edition among the PDFs rendered so far: the ``print`` theme's PDF
    (the book the print shop makes) if the build has one, else the first PDF; None without a PDF."""
    rendered = [(jobs[n], result) for n, result in sorted(results.items()) if result.page_starts]
    rendered.sort(key=lambda pair: pair[0].theme.name != "print")
    return next((PrintEdition(job.target.name, result.page_starts) for job, result in rendered), None)


# --- up-to-date outputs ---------------------------------------------------------------------


def _inputs_key(backend: Backend, theme: Theme, source: Path) -> str:
    """What an output depends on, apart from the files the book uses: format, theme, build date,
    and the outside tools the backend uses (``tools()``: LibreOffice for the DOCX's page numbers)."""
    theme_files = [p for folder in theme.folders for p in sorted(folder.rglob("*")) if p.is_file()]
    tools = getattr(backend, "tools", lambda: "")()
    return fingerprint(backend.name, *(f"{p}\0{file_digest(p)}" for p in theme_files),
                       os.environ.get("SOURCE_DATE_EPOCH", ""), tools)


def _sources_key(source: Path, assets: Iterable[str]) -> str:
    """The content of every file a build of ``source`` reads: each candidate source file and
    book.toml directly in the folder (a new file changes the book) and the assets it used."""
    files = [p for p in sorted(source.iterdir())
             if p.is_file() and (p.suffix.lower() in SOURCE_SUFFIXES or p.name == CONFIG_NAME)]
    files += [source / a for a in assets if (source / a).is_file()]
    return fingerprint(*(f"{p.relative_to(source)}\0{file_digest(p)}" for p in files))


def file_digest(path: Path) -> str:
    """SHA-256 of a file read in chunks, or of a folder's files and names: never whole in memory."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path)).encode("utf-8", "surrogateescape") if file != path else b"")
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _up_to_date(cache: Cache, out: Path, backend: Backend, theme: Theme, key: str, source: Path) -> Path | None:
    """The output built from exactly these inputs, if it is still there, unchanged, inside ``out``."""
    if not source.is_dir():
        return None
    record = cache.load("outputs", f"{theme.name}-{backend.name}")
    try:
        stored_key, name, digest, assets = record
        target = out / name
        if (stored_key != key or Path(name).name != name or not target.exists()
                or _sources_key(source, assets) != digest[0] or file_digest(target) != digest[1]):
            return None
    except (TypeError, ValueError, OSError):
        return None
    return target


def _remember(cache: Cache, out: Path, backend: Backend, theme: Theme, key: str, target: Path, source: Path,
              book: m.Book) -> None:
    assets = tuple(book.images)
    digest = (_sources_key(source, assets), file_digest(target))
    cache.store("outputs", f"{theme.name}-{backend.name}", (key, target.relative_to(out).as_posix(), digest, assets))
