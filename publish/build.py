"""Rendering one format of a loaded book into its output file."""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from . import model as m
from .render import BACKENDS, RenderResult
from .cache import Cache, fingerprint, folder_fingerprint
from .output import book_name
from .progress import Progress
from .theme.theme import Theme


def target_path(out: Path, book: m.Book, theme: Theme, fmt: str, version: str = "") -> Path:
    """``out/<name>[-<version>][<theme suffix>].<fmt>``, e.g. ``ki-glossar-1.0.0-print.pdf``."""
    version_part = f"-{version}" if version else ""
    return out / f"{book_name(book.metadata)}{version_part}{theme.value('theme', 'file_suffix')}.{fmt}"


def render_format(book: m.Book, theme: Theme, fmt: str, target: Path,
                  progress: Progress | None = None) -> RenderResult:
    """Import the format's backend only now (WeasyPrint alone takes a second to import)."""
    return importlib.import_module(BACKENDS[fmt]).render(book, theme, target, progress)


def output_fingerprint(fmt: str, theme: Theme, source: Path) -> str:
    """What an output depends on: format, every theme file, every source file, the build date."""
    return fingerprint(fmt, folder_fingerprint(theme.folders), folder_fingerprint((source,)),
                       os.environ.get("SOURCE_DATE_EPOCH", ""))


def up_to_date(cache: Cache, fmt: str, theme: Theme, key: str) -> Path | None:
    """The output built from exactly these inputs, if it is still there."""
    record = cache.load("outputs", f"{theme.name}-{fmt}")
    if record and record[0] == key and Path(record[1]).is_file():
        return Path(record[1])
    return None


def remember_output(cache: Cache, fmt: str, theme: Theme, key: str, target: Path) -> None:
    cache.store("outputs", f"{theme.name}-{fmt}", (key, str(target)))
