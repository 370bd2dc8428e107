"""The layout worker processes: forked from a server with WeasyPrint loaded, one task each, a part's
pages reported as soon as they are laid out, before its PDF is written."""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from ..progress import log_like_parent
from . import RenderError, hyphenation
from .pdf_task import LaidOut, LayoutTask, lay_out

LAYOUT_MODULE = f"{__package__}.pdf_layout"
"""What the workers' fork server imports (WeasyPrint with it): the build itself does not."""

Written = Callable[[LayoutTask, LaidOut], None]
"""Told a task's whole result (its structure tree too) once its PDF is written."""

_BROKEN = ("a layout worker stopped before it was done (killed, perhaps for want of memory), so no PDF "
           "was written; build again, perhaps with --jobs 1")

_reports: Any = None
"""In a worker: the queue its tasks' pages go back on before their PDFs are written."""


def fork_server(languages: list[str]) -> multiprocessing.context.BaseContext:
    """The layout workers' context. Its fork server, started here unless it runs, has WeasyPrint
    imported and the hyphenation patterns of ``languages`` parsed: every worker forked has them."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([LAYOUT_MODULE, hyphenation.__name__])
    with hyphenation.given_to_children(languages):
        multiprocessing.forkserver.ensure_running()
    return context


@contextmanager
def workers(jobs: int, languages: list[str]) -> Iterator[Workers]:
    """``jobs`` layout worker processes (started when first needed, with the hyphenation patterns
    of ``languages`` parsed), or this process for one job; every PDF is written when the block ends."""
    pool = Workers(jobs, languages)
    try:
        yield pool
        pool.finish()
    finally:
        pool.close()


class Workers:
    """Lays out tasks in worker processes (or here, for one job). A task is taken from the iterable
    only when a worker is free to lay it out, so the build holds few parts' HTML at a time."""

    def __init__(self, jobs: int, languages: list[str]) -> None:
        self.jobs, self.languages = jobs, languages
        self.executor: ProcessPoolExecutor | None = None
        self.events: queue.SimpleQueue[tuple[str, Any, Any]] = queue.SimpleQueue()
        self.reports: Any = None
        self.listener: threading.Thread | None = None
        self.running: dict[Future[LaidOut], LayoutTask] = {}
        self.reported: dict[Path, LaidOut] = {}
        """Pages reported, not yet given to the build."""
        self.finished: dict[Path, tuple[LayoutTask, Future[LaidOut]]] = {}
        """Tasks done, whose results are not yet given (or told to ``written``)."""
        self.written: dict[Path, Written] = {}
        """Whom to tell of each task's PDF, by the task's output."""
        self.writing: set[Path] = set()
        """Tasks whose pages were given and whose PDFs are still to be told of."""

    def lay_out(self, tasks: Iterable[LayoutTask], written: Written | None = None) -> Iterator[tuple[LayoutTask, LaidOut]]:
        """Each task with its result, as results come. With ``written``, a task's result is its
        pages, given as soon as they are laid out (without the structure tree: the worker writes
        the PDF meanwhile), and ``written`` is told the whole result when the PDF is written,
        during this or a later call, or in ``finish``."""
        if self.jobs <= 1:
            for task in tasks:
                result = lay_out(task)
                if written:
                    written(task, result)
                yield task, result
            return
        waiting = iter(tasks)
        laying: dict[Path, LayoutTask] = {}
        for task in islice(waiting, self.jobs):
            laying[task.out] = self._submit(task, written)
        while laying:
            out, result = self._next_result(laying)
            task = laying.pop(out)
            for following in islice(waiting, 1):
                laying[following.out] = self._submit(following, written)
            yield task, result

    def finish(self) -> None:
        """Wait until every PDF is written (each task's ``written`` told)."""
        self._tell_written()
        while self.running:
            self._handle(self.events.get())
            self._tell_written()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.reports.put(None)
            assert self.listener is not None
            self.listener.join()

    def _submit(self, task: LayoutTask, written: Written | None) -> LayoutTask:
        if self.executor is None:
            # A fresh process per part (forked from a server that has WeasyPrint imported): memory a
            # part's layout took is given back, so a worker holds one part's layout at most.
            context = fork_server(self.languages)
            self.reports = context.SimpleQueue()
            self.executor = ProcessPoolExecutor(self.jobs, mp_context=context, max_tasks_per_child=1,
                                                initializer=_start_worker,
                                                initargs=(logging.getLogger().getEffectiveLevel(), self.reports))
            self.listener = threading.Thread(target=self._listen, daemon=True)
            self.listener.start()
        try:
            future = self.executor.submit(_lay_out_reporting if written else lay_out, task)
        except BrokenProcessPool:
            raise RenderError(_BROKEN) from None
        self.running[future] = task
        if written:
            self.written[task.out] = written
        future.add_done_callback(lambda done: self.events.put(("done", done, None)))
        return task

    def _listen(self) -> None:
        """Hand the workers' reports (a task's pages, before its PDF is written) to the build."""
        for out, facts in iter(self.reports.get, None):
            self.events.put(("laid", out, facts))

    def _next_result(self, laying: dict[Path, LayoutTask]) -> tuple[Path, LaidOut]:
        """Wait until a task of ``laying`` is laid out: its output and its pages as reported, or its
        whole result (a task that does not report, or failed: a task laid out without errors
        reports its pages before it writes its PDF, so its report is waited for)."""
        while True:
            self._tell_written()
            for out in laying:
                if out in self.reported:
                    self.writing.add(out)
                    return out, self.reported.pop(out)
                if out in self.finished:
                    task, future = self.finished[out]
                    result = _result(future)
                    if out in self.written and not result.errors:
                        continue
                    del self.finished[out]
                    if out in self.written:
                        self.written.pop(out)(task, result)
                    return out, result
            self._handle(self.events.get())

    def _handle(self, event: tuple[str, Any, Any]) -> None:
        kind, subject, facts = event
        if kind == "laid":
            self.reported[subject] = facts
        else:
            task = self.running.pop(subject)
            self.finished[task.out] = task, subject

    def _tell_written(self) -> None:
        """Tell ``written`` of every PDF written whose pages were given to the build."""
        for out in [out for out in self.finished if out in self.writing]:
            task, future = self.finished.pop(out)
            self.writing.discard(out)
            self.written.pop(out)(task, _result(future))


def _result(future: Future[LaidOut]) -> LaidOut:
    try:
        return future.result()
    except BrokenProcessPool:
        raise RenderError(_BROKEN) from None


def _start_worker(level: int, reports: Any) -> None:
    global _reports
    _reports = reports
    log_like_parent(level)


def _lay_out_reporting(task: LayoutTask) -> LaidOut:
    """``lay_out``, its pages put on the build's queue as soon as they are laid out."""
    return lay_out(task, on_laid=lambda facts: _reports.put((task.out, facts)))
