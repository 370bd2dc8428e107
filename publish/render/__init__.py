"""Output formats: the contract every backend keeps, and the one registry of formats."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .. import model as m
from ..cores import usable_cores
from ..diagnostics import Diagnostic
from ..progress import Progress
from ..theme.theme import Theme
from .pages import PageStart

BACKENDS: dict[str, str] = {"pdf": "publish.render.pdf", "epub": "publish.render.epub",
                            "docx": "publish.render.docx.backend", "html": "publish.render.site",
                            "md": "publish.render.markdown"}
"""Format → the backend module that writes it, imported only when that format is built
(WeasyPrint alone takes a second to import). Adding a format is one module and one line here."""


@dataclass
class RenderResult:
    path: Path
    pages: int = 0
    """Pages laid out (PDF only)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Problems found while rendering (TeX that cannot be typeset …): the build decides what they cost."""
    page_starts: tuple[PageStart, ...] = ()
    """Where each page begins (PDF only): the build gives them to formats that mark print pages."""
    notes: list[str] = field(default_factory=list)
    """What the reader should know about the output that is no problem of the book (the DOCX's
    page numbers wait for Word because LibreOffice is not installed …): the CLI prints them."""


@dataclass(frozen=True)
class RenderOptions:
    """How to render, where a backend has a choice; every backend accepts them, most ignore them."""

    jobs: int = field(default_factory=lambda: default_jobs())
    """Worker processes a backend may use (the PDF lays its parts out in parallel)."""
    parts: bool = True
    """Lay the PDF out in parts and join them (False: the whole book in one pass)."""
    cache: Path | None = None
    """A folder a backend may keep work in between builds (the PDF's laid-out parts)."""
    meanwhile: Callable[[], None] = field(default=lambda: None, compare=False)
    """The build's own work (writing the read cache) that a backend may run while it waits for
    another program; the build runs what is left of it afterwards."""


class RenderError(RuntimeError):
    """A backend could not produce a correct file, so nothing was written or replaced."""


class Backend(Protocol):
    """One output format, kept by a backend module's own names (``name``, ``suffix``, ``folder``,
    ``render``, ``linker``). ``render`` writes to the path it is given; the build moves the result
    into place only when the whole build is acceptable, so a backend never replaces an output."""

    name: str
    """The format's name on the command line (``pdf``)."""
    suffix: str
    """What the output's name ends in: ``.pdf``, or ``-html`` for a folder."""
    folder: bool
    """True when the output is a folder of files (a website) rather than one file."""

    def render(self, book: m.Book, theme: Theme, out: Path, progress: Progress,
               options: RenderOptions | None = None) -> RenderResult:
        """Write the format to ``out``. A backend whose module sets ``takes_print_edition = True``
        is also given ``print_edition=``, the pages of a PDF of the same build (or None); one whose
        output depends on an outside program names it in an optional ``tools() -> str`` (the
        up-to-date check compares it), and one that starts helpers (worker processes) before it
        renders, in an optional ``prepare(metadata, options)``, which the build calls as soon as
        the book's metadata is read, so they start while the files are read."""
        ...

    def linker(self, book: m.Book) -> Callable[[str], str]:
        """How a target id becomes a link in this medium (``#id``, ``entry.xhtml#id``, a bookmark)."""
        ...


def default_jobs() -> int:
    """The cores this process may run on."""
    return usable_cores()


def formats() -> tuple[str, ...]:
    """Every registered format, in the order ``--format all`` builds them."""
    return tuple(BACKENDS)


def load_backend(name: str) -> Backend:
    backend: Backend = importlib.import_module(BACKENDS[name])  # type: ignore[assignment]
    return backend
