"""Resolving again after an edit (``update``, what ``publish serve`` does): the same result as a whole
resolve when only entries' text changed, and None whenever the edit needs the whole book again."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest

from publish.progress import Progress
from publish.read.folder import ReadBook, ReadMemory, read_folder
from publish.resolve.resolver import Resolution, resolve, update

WHEN = datetime(2026, 11, 29, tzinfo=timezone.utc)
BOOK = {
    "A.md": "## Alpha {#A .term}\n\nText über [Beta](#B).\n\n### Aufbau\n\nMehr.\n",
    "B.md": "## Beta {#B .term}\n\nText.\n\n### Aufbau\n\nAuch hier.\n",
    "C.md": "## Gamma {#C .term}\n\nGamma ist ein [Index-Wort]{.index} mit Bild.\n",
    "D.md": "## Delta {.term}\n\nOhne eigene Id.\n",
    "000-vorwort.md": "# Vorwort\n\nÜber [Alpha](#A).\n",
}


def _read(source: Path, memory: ReadMemory) -> ReadBook:
    memory.forget(None)  # the test saves within one clock tick; serve is told by watchfiles
    return read_folder(source, Progress(), memory=memory)


def _edit(tmp_path: Path, change: Callable[[Path], None]) -> tuple[Resolution | None, Resolution]:
    """(update after ``change``, a whole resolve of the same files)."""
    for name, text in BOOK.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    memory = ReadMemory()
    before = _read(tmp_path, memory)
    previous = resolve(before.metadata, before.front_matter, before.entries, tmp_path, WHEN)
    change(tmp_path)
    after = _read(tmp_path, memory)
    args = (after.metadata, after.front_matter, after.entries, tmp_path, WHEN)
    return update(previous, *args), resolve(*args)


def _append(name: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(BOOK[name] + text, encoding="utf-8")


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    assert old in BOOK[name]
    return lambda folder: (folder / name).write_text(BOOK[name].replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("change", "changed"), [
    (_replace("A.md", "Mehr.", "Noch mehr Text."), {"A"}),
    (_append("C.md", "\nSiehe [Alpha](#A) und [Beta](#B).\n"), {"C"}),          # new backlinks for A and B
    (_replace("A.md", "[Beta](#B)", "Beta"), {"A"}),                              # B loses its backlink
    (_append("B.md", "\n[Fehlt](#Gibt-es-nicht) und [weg](#Auch-nicht).\n"), {"B"}),  # missing entries
    (_append("B.md", "\n![Bild](fehlt.png) und [Datei](handbuch.pdf).\n"), {"B"}),    # diagnostics of the entry
    (lambda folder: [_append("A.md", "\nA2.\n")(folder), _append("B.md", "\nB2.\n")(folder)], {"A", "B"}),
    (_replace("D.md", "Ohne eigene Id.", "Ohne eigene Id, mit [Alpha](#A)."), {"Delta"}),  # the id from the title
])
def test_an_edit_of_entries_text_gives_what_a_whole_resolve_gives(tmp_path: Path, change: Callable[[Path], None],
                                                                   changed: set[str]) -> None:
    updated, whole = _edit(tmp_path, change)
    assert updated is not None and updated.changed == changed
    assert updated.book == whole.book
    assert updated.book.backlinks == whole.book.backlinks and updated.book.links == whole.book.links
    assert updated.missing == whole.missing
    assert updated.diagnostics == whole.diagnostics
    assert updated.book.images == whole.book.images
    assert updated.book.modified == whole.book.modified == WHEN


@pytest.mark.parametrize("change", [
    _replace("A.md", "## Alpha", "## Alphabet"),                        # a title: order and letters may move
    _replace("A.md", "{#A .term}", "{#A .term aliases=\"Erstes\"}"),    # an alias: links elsewhere may reach it
    _replace("B.md", "### Aufbau", "### Bauweise"),                     # an id inside an entry
    _append("B.md", "\nEin [neues Wort]{.index}.\n"),                   # an index mark
    _replace("C.md", "[Index-Wort]{.index}", "[Anderes Wort]{.index}"),  # a mark's term, its id the same
    _replace("000-vorwort.md", "Über", "Vor allem über"),             # the front matter
    _append("B.md", "\n### Zweiter Aufbau {#A--aufbau}\n"),             # an id another entry has
    lambda folder: (folder / "D.md").write_text("## Delta {#D .term}\n", encoding="utf-8"),  # a new file
    lambda folder: (folder / "C.md").unlink(),                          # a file gone
    lambda folder: (folder / "book.toml").write_text('[book]\ntitle = "Neu"\n', encoding="utf-8"),
])
def test_an_edit_beyond_entries_text_asks_for_a_whole_resolve(tmp_path: Path, change: Callable[[Path], None]) -> None:
    updated, whole = _edit(tmp_path, change)
    assert updated is None
    assert whole.changed is None and whole.book.entries


def test_an_update_can_be_updated_again(tmp_path: Path) -> None:
    for name, text in BOOK.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    memory = ReadMemory()
    read = _read(tmp_path, memory)
    resolution = resolve(read.metadata, read.front_matter, read.entries, tmp_path, WHEN)
    for n in range(3):
        (tmp_path / "A.md").write_text(BOOK["A.md"] + f"\n[Gamma](#C) Runde {n}.\n", encoding="utf-8")
        read = _read(tmp_path, memory)
        args = (read.metadata, read.front_matter, read.entries, tmp_path, WHEN)
        updated = update(resolution, *args)
        assert updated is not None and updated.book == resolve(*args).book
        resolution = updated
    assert resolution.book.backlinks["C"] == ("A",)
