"""Reading in worker processes gives exactly what reading one file after another gives."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from publish.cache import Cache, encode
from publish.diagnostics import Code
from publish.progress import Progress
from publish.read import parallel
from publish.read.folder import ReadBook, read_folder

from tests.conftest import SEEDS, skip_without_corpus


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many worker pools were started (the number of workers of each)."""
    started: list[int] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: Any) -> None:
            started.append(workers)
            super().__init__(workers, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(parallel, "free_cores", lambda: 8)  # as on an idle machine, whatever the load now
    return started


def _all(read: ReadBook) -> Any:
    """Everything read, source positions included (the model's equality leaves them out)."""
    return encode((read.metadata, read.front_matter, read.entries, read.diagnostics))


def _book(folder: Path, files: int, padding: int = 0) -> Path:
    for n in range(files):
        problem = "<script>alert(1)</script>\n\n" if n % 7 == 3 else ""
        (folder / f"Eintrag-{n:02}.md").write_text(
            f"# Eintrag {n}\n\n{problem}Text mit *Betonung* und [Link](#Eintrag-{(n + 1) % files:02}).\n\n"
            "- Punkt eins\n- Punkt zwei[^1]\n\n[^1]: Eine Fußnote.\n\n" + "Noch ein Satz. " * padding,
            encoding="utf-8")
    return folder


def test_workers_read_the_corpus_as_one_process_does(pools: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = skip_without_corpus()
    alone = read_folder(corpus, Progress(), jobs=1)
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    shared = read_folder(corpus, Progress(), jobs=2)
    assert pools == [2]
    assert _all(shared) == _all(alone)


def test_diagnostics_keep_their_order(tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    folder = _book(tmp_path, 30)
    alone, shared = read_folder(folder, Progress(), jobs=1), read_folder(folder, Progress(), jobs=3)
    assert pools == [3]
    assert [d.path.name for d in shared.diagnostics if d.code is Code.UNKNOWN_CONSTRUCT] == \
        [f"Eintrag-{n:02}.md" for n in range(30) if n % 7 == 3]
    assert _all(shared) == _all(alone)


def test_workers_fill_the_cache(tmp_path: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    (tmp_path / "book").mkdir()
    folder, cache = _book(tmp_path / "book", 12), Cache(tmp_path / "cache")
    first = read_folder(folder, Progress(), cache, jobs=2)
    assert len(list((tmp_path / "cache" / "read").iterdir())) == 12
    again = read_folder(folder, Progress(), cache, jobs=2)
    assert pools == [2], "the second read came from the cache"
    assert _all(again) == _all(first)


def test_a_small_book_is_read_here(pools: list[int]) -> None:
    read_folder(SEEDS, Progress(), jobs=2)
    assert pools == []


def test_a_large_book_is_read_by_workers(tmp_path: Path, pools: list[int]) -> None:
    _book(tmp_path, 20, padding=parallel.PARALLEL_BYTES // 150)
    read_folder(tmp_path, Progress(), jobs=2)
    assert pools == [2]


def test_a_busy_machine_reads_in_one_process(tmp_path: Path, pools: list[int],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _book(tmp_path, 20, padding=parallel.PARALLEL_BYTES // 150)
    monkeypatch.setattr(parallel, "free_cores", lambda: 1)
    read_folder(tmp_path, Progress(), jobs=2)
    assert pools == []


def test_a_reading_worker_killed_leaves_its_files_to_this_process(tmp_path: Path, pools: list[int],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker the system kills (out of memory, say) is no traceback: the files the workers did not
    send back are read here, and the book is what reading them one by one gives."""
    import os

    _book(tmp_path, 20, padding=parallel.PARALLEL_BYTES // 150)
    alone = read_folder(tmp_path, Progress(), jobs=1)
    real = parallel._read_chunk

    def dying(chunk: list[parallel.ReadTask], *args: Any) -> bytes:
        if any(task.path.name == "Eintrag-13.md" for task in chunk):
            os._exit(9)  # as the out-of-memory killer ends a process
        return real(chunk, *args)

    dying.__module__, dying.__qualname__ = parallel.__name__, "_read_chunk"  # sent by name, as the real one
    monkeypatch.setattr(parallel, "_read_chunk", dying)  # the workers are forked with it
    monkeypatch.setattr(parallel, "_context", lambda: parallel.multiprocessing.get_context("fork"))
    assert _all(read_folder(tmp_path, Progress(), jobs=2)) == _all(alone) and pools == [2]
