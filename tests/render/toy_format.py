"""A tiny format for the tests: one text file per entry in a folder, proving the backend contract."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from publish import model as m
from publish.progress import Progress
from publish.render import RenderOptions, RenderResult
from publish.theme.theme import Theme

name = "toy"
suffix = "-toy"
folder = True


def linker(book: m.Book) -> Callable[[str], str]:
    return lambda anchor: f"{book.part_of(anchor)}.txt#{anchor}"


def render(book: m.Book, theme: Theme, out: Path, progress: Progress | None = None,
           options: RenderOptions | None = None) -> RenderResult:
    link = linker(book)
    for entry in book.entries:
        (out / f"{entry.id}.txt").write_text(f"{entry.title_text}\n{link(entry.id)}\n", encoding="utf-8")
    return RenderResult(out)
