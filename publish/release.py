"""A release: every format and the print PDF, named by version, with checksums and a report."""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from .build import Job, LoadedBook, load_book, render_staged, target_path
from .diagnostics import Diagnostic
from .output import write_atomically, write_zip
from .progress import Progress
from .render import formats, load_backend
from .theme.theme import load_theme

PRINT_BUILDS = (("print", "pdf"),)
"""(theme, format) of the artefacts a release adds to every format in the default theme."""


@dataclass(frozen=True, slots=True)
class Artefact:
    file: str
    bytes: int
    sha256: str
    pages: int


@dataclass(frozen=True, slots=True)
class Release:
    loaded: LoadedBook
    version: str
    artefacts: tuple[Artefact, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    """Every diagnostic of reading and rendering; a release with any is refused."""

    @property
    def refused(self) -> bool:
        return bool(self.diagnostics) or self.loaded.book is None


def release_version(requested: str, book_version: str) -> str:
    """The tag's version (``v1.2.0`` → ``1.2.0``), else the book's; never empty."""
    return (requested.strip().removeprefix("v") or book_version or "0.0.0").replace("/", "-")


def release_builds() -> tuple[tuple[str, str], ...]:
    """(theme, format) of every release artefact, in the order they are built."""
    return tuple(("default", name) for name in formats()) + PRINT_BUILDS


def build_release(source: Path, out: Path, requested_version: str, progress: Progress) -> Release:
    """Render every artefact; only when no stage reported anything are they put in ``out`` with
    SHA256SUMS and report.json."""
    loaded = load_book(source, progress)
    book = loaded.book
    if book is None or loaded.diagnostics:
        return Release(loaded, "", diagnostics=loaded.diagnostics)
    version = release_version(requested_version, book.metadata.version)
    jobs = []
    for theme_name, fmt in release_builds():
        theme, backend = load_theme(theme_name), load_backend(fmt)
        jobs.append(Job(backend, theme, target_path(out, book, theme, backend, version)))
    staged = render_staged(book, jobs, progress)
    if staged.diagnostics:
        staged.discard()
        return Release(loaded, version, diagnostics=staged.diagnostics)
    results = staged.commit()
    artefacts = tuple(_artefact(job, result.pages, book.modified) for job, result in zip(jobs, results))
    sums = "".join(f"{a.sha256}  {a.file}\n" for a in sorted(artefacts, key=lambda a: a.file))
    write_atomically(out / "SHA256SUMS", sums.encode("ascii"))
    release = Release(loaded, version, artefacts)
    write_atomically(out / "report.json", json.dumps(release_report(release), ensure_ascii=False,
                                                     indent=2).encode("utf-8") + b"\n")
    return release


def _artefact(job: Job, pages: int, modified: datetime) -> Artefact:
    """A file as it is; a folder (a website) as a reproducible zip in its place (a release attaches files)."""
    path = job.target
    if job.backend.folder:
        members = [(p.relative_to(path).as_posix(), p.read_bytes()) for p in sorted(path.rglob("*")) if p.is_file()]
        folder, path = path, write_atomically(path.with_name(path.name + ".zip"), write_zip(members, modified))
        shutil.rmtree(folder)
    data = path.read_bytes()
    return Artefact(path.name, len(data), hashlib.sha256(data).hexdigest(), pages)


def release_report(release: Release) -> dict[str, object]:
    book = release.loaded.book
    assert book is not None
    return {
        "title": book.metadata.title,
        "version": release.version,
        "entries": len(book.entries),
        "links_resolved": book.links,
        "diagnostics": [d.to_json() for d in release.diagnostics],
        "missing_entries": [{"target": mm.target, "count": len(mm.uses)} for mm in release.loaded.missing],
        "artefacts": [asdict(a) for a in release.artefacts],
    }
