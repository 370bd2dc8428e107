"""Books rendered once per test module by each backend."""
from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from publish import model as m
from publish.build import load_book
from publish.theme.theme import load_theme

from tests.conftest import skip_without_corpus


def rendered(backend: ModuleType, source: Path, out: Path) -> tuple[m.Book, Path]:
    """Render ``source`` with the default theme; a backend diagnostic fails the test."""
    book = load_book(source).book
    assert backend.render(book, load_theme("default"), out).diagnostics == []
    return book, out


def corpus_source() -> Path:
    return skip_without_corpus()
