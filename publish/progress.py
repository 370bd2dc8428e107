"""Progress of a build: a live display on a terminal, plain lines elsewhere, nothing when quiet."""
from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
"""How what the libraries log is shown (``--verbose``), by the build and by its workers."""


class Stage:
    """One running stage; backends call ``advance``/``update`` as they go."""

    def __init__(self, name: str, total: int | None, on_change: object = None) -> None:
        self.name, self.total, self.completed = name, total, 0
        self._on_change = on_change

    def advance(self, amount: int = 1) -> None:
        self.update(self.completed + amount)

    def update(self, completed: int) -> None:
        self.completed = completed
        if callable(self._on_change):
            self._on_change(self)


@dataclass
class Progress:
    """Records how long every stage took; subclasses show the stages as they run."""

    timings: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Stage]:
        stage = Stage(name, total, self._changed)
        self._started(stage)
        start = time.perf_counter()
        try:
            yield stage
        finally:
            self.timings.append((name, time.perf_counter() - start))
            self._finished(stage, self.timings[-1][1])

    def _started(self, stage: Stage) -> None: ...

    def _changed(self, stage: Stage) -> None: ...

    def _finished(self, stage: Stage, seconds: float) -> None: ...

    def close(self) -> None: ...


@dataclass
class LineProgress(Progress):
    """One line per finished stage: for logs, CI and pipes."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)

    def _finished(self, stage: Stage, seconds: float) -> None:
        count = f" ({stage.completed}{'/' + str(stage.total) if stage.total else ''})" if stage.completed else ""
        print(f"{stage.name}{count}: {seconds:.1f} s", file=self.stream, flush=True)


@dataclass
class LiveProgress(Progress):
    """A rich progress display for a terminal, drawn on the stream that was found to be one."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)

    def __post_init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        self._display = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(file=self.stream), transient=False)
        self._display.start()
        self._tasks: dict[int, int] = {}

    def _started(self, stage: Stage) -> None:
        self._tasks[id(stage)] = self._display.add_task(stage.name, total=stage.total)

    def _changed(self, stage: Stage) -> None:
        self._display.update(self._tasks[id(stage)], completed=stage.completed, total=stage.total)

    def _finished(self, stage: Stage, seconds: float) -> None:
        done = stage.total or stage.completed or 1  # a stage without counts shows as one step, done
        self._display.update(self._tasks.pop(id(stage)), completed=done, total=done)

    def close(self) -> None:
        self._display.stop()


def make_progress(quiet: bool, stream: TextIO = sys.stderr) -> Progress:
    """Live on an interactive terminal (not in CI), lines otherwise, silent with ``--quiet``."""
    if quiet:
        return Progress()
    if stream.isatty() and not os.environ.get("CI"):
        return LiveProgress(stream=stream)
    return LineProgress(stream=stream)


def log_like_parent(level: int) -> None:
    """In a worker process: show what the libraries log at the build's ``level``, as the build does."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
