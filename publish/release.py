"""A release: every format and the print PDF, named by version, with checksums and a report."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .read.book import LoadedBook
from .build import render_format, target_path
from .output import write_atomically
from .progress import Progress
from .theme.theme import load_theme

RELEASE_BUILDS = (("default", "pdf"), ("default", "epub"), ("default", "docx"), ("print", "pdf"))
"""(theme, format) of every release artefact, in the order they are built."""


@dataclass(frozen=True, slots=True)
class Artefact:
    file: str
    bytes: int
    sha256: str
    pages: int


def release_version(requested: str, book_version: str) -> str:
    """The tag's version (``v1.2.0`` → ``1.2.0``), else the book's; never empty."""
    return (requested.strip().removeprefix("v") or book_version or "0.0.0").replace("/", "-")


def build_release(loaded: LoadedBook, out: Path, version: str, progress: Progress | None = None) -> list[Artefact]:
    """Write every artefact, SHA256SUMS and report.json into ``out``; the book must be clean."""
    assert loaded.book is not None and not loaded.diagnostics
    artefacts = []
    for theme_name, fmt in RELEASE_BUILDS:
        theme = load_theme(theme_name)
        result = render_format(loaded.book, theme, fmt, target_path(out, loaded.book, theme, fmt, version), progress)
        data = result.path.read_bytes()
        artefacts.append(Artefact(result.path.name, len(data), hashlib.sha256(data).hexdigest(), result.pages))
    sums = "".join(f"{a.sha256}  {a.file}\n" for a in sorted(artefacts, key=lambda a: a.file))
    write_atomically(out / "SHA256SUMS", sums.encode("ascii"))
    write_atomically(out / "report.json", json.dumps(release_report(loaded, version, artefacts),
                                                     ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
    return artefacts


def release_report(loaded: LoadedBook, version: str, artefacts: list[Artefact]) -> dict[str, object]:
    book = loaded.book
    assert book is not None
    return {
        "title": book.metadata.title,
        "version": version,
        "entries": len(book.entries),
        "links_resolved": book.links,
        "diagnostics": [d.to_json() for d in loaded.diagnostics],
        "missing_entries": [{"target": mm.target, "count": len(mm.uses)} for mm in loaded.missing],
        "artefacts": [asdict(a) for a in artefacts],
    }
