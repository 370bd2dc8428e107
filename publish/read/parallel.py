"""Read source files in worker processes: the files are independent until resolution."""
from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from .. import model as m
from ..cache import Cache, fingerprint
from ..collector import collection_paused
from ..cores import free_cores
from ..diagnostics import Diagnostic
from .reader import read_markdown

Read = tuple[tuple[m.Block, ...], list[Diagnostic]]

PARALLEL_BYTES = 200_000
"""Below this much Markdown to parse, one process reads faster than starting workers and
shipping their models back (`bench/run.py read-jobs`: at 160 KB they save nothing yet)."""
_BATCHES_PER_JOB = 4
"""Files go to workers in batches: few round trips, yet no worker left alone with the last one."""


@dataclass(frozen=True, slots=True)
class ReadTask:
    """One file to read: where it is in the book, its text and its cache key."""

    number: int
    path: Path
    text: str
    key: str


def read_files(files: Sequence[tuple[Path, str]], language: str, cache: Cache | None, jobs: int,
               advance: Callable[[], None], meanwhile: Callable[[], None]) -> list[Read]:
    """Each file's blocks and diagnostics, in the order given, exactly as reading them one after
    another would give; unchanged files come from the cache, the rest from ``jobs`` workers when
    there is enough text to pay for them. ``meanwhile`` runs here while workers read; without
    workers it is left to be done when needed, after the files' texts are gone (a huge file's text
    and the collation table need not be in memory at once)."""
    results: list[Read | None] = [None] * len(files)
    tasks = []
    for number, (path, text) in enumerate(files):
        key = fingerprint(str(path), text, language)
        cached = cache.load("read", key) if cache else None
        if cached is None:
            tasks.append(ReadTask(number, path, text, key))
            continue
        blocks, found = cached
        results[number] = (blocks, list(found))
        advance()
    # A deferring cache keeps the records here, to be written while the build waits on something.
    folder = cache.folder if cache and not cache.deferred else None
    size = sum(len(t.text) for t in tasks)
    chunks = _chunks(tasks, size // (jobs * _BATCHES_PER_JOB) + 1)
    jobs = min(jobs, len(chunks), free_cores())
    if jobs > 1 and size >= PARALLEL_BYTES:
        try:
            # Here the model is only unpickled: no cycles to collect (the workers collect as usual).
            with collection_paused(), ProcessPoolExecutor(jobs, mp_context=_context()) as pool:
                pickled = pool.map(_read_chunk, chunks, [language] * len(chunks), [folder] * len(chunks))
                meanwhile()
                for chunk, data in zip(chunks, pickled):
                    for task, read in zip(chunk, pickle.loads(data)):
                        results[task.number] = read
                        if cache and cache.deferred:
                            cache.store("read", task.key, read)
                        advance()
            return results  # type: ignore[return-value]
        except BrokenProcessPool:
            # A worker was killed (for want of memory, say): what the workers did not send back is read here.
            tasks = [task for task in tasks if results[task.number] is None]
    for task in tasks:
        results[task.number] = _read_one(task, language, cache)
        advance()
    return results  # type: ignore[return-value]


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker at once with the reader already imported; a process with other threads
    # (the preview server) must not fork, so it pays for a fresh interpreter instead.
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def _chunks(tasks: list[ReadTask], most: int) -> list[list[ReadTask]]:
    """Consecutive files, about ``most`` characters a batch."""
    chunks: list[list[ReadTask]] = [[]]
    size = 0
    for task in tasks:
        if size >= most:
            chunks.append([])
            size = 0
        chunks[-1].append(task)
        size += len(task.text)
    return chunks


def _read_one(task: ReadTask, language: str, cache: Cache | None) -> Read:
    blocks, found = read_markdown(task.text, task.path, language)
    if cache:
        cache.store("read", task.key, (blocks, found))
    return blocks, found


def _read_chunk(tasks: list[ReadTask], language: str, folder: Path | None) -> bytes:
    """Runs in a worker: read and cache the files, and send their models back pickled."""
    gc.enable()  # paused in the process that forked this one; parsing makes cycles
    cache = Cache(folder) if folder else None
    reads = [_read_one(task, language, cache) for task in tasks]
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(reads)
    return out.getvalue()


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = tuple(f.name for f in fields(cls))

    def reduce(node: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple([getattr(node, name) for name in names])
    return reduce


# A frozen dataclass pickles by default through Python-level __getstate__/__setstate__ (fields()
# per node); rebuilding each node with its constructor takes half the time both ways.
_REDUCERS = {cls: _reducer(cls) for cls in (*vars(m).values(), Diagnostic)
             if isinstance(cls, type) and is_dataclass(cls) and cls.__module__ in (m.__name__, Diagnostic.__module__)}
