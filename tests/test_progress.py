"""Build progress: live on a terminal, one line per stage elsewhere or in CI, silent when quiet; timings kept."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import rich
from rich.console import Console

import publish.progress
from publish.progress import LineProgress, LiveProgress, Progress, make_progress

from tests.conftest import ROOT


class _Terminal(io.StringIO):
    """A stream that says it is an interactive terminal."""

    def isatty(self) -> bool:
        return True


class _Clock:
    """perf_counter that moves only when told: stage durations become exact."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(publish.progress, "time", SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


# --- choosing the display ------------------------------------------------------------


def test_not_a_terminal_gives_one_line_per_stage_on_that_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    progress = make_progress(quiet=False, stream=stream)
    assert type(progress) is LineProgress and progress.stream is stream


def test_ci_gives_lines_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    stream = _Terminal()
    progress = make_progress(quiet=False, stream=stream)
    assert type(progress) is LineProgress and progress.stream is stream


def test_a_terminal_outside_ci_gets_the_live_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = _Terminal()
    progress = make_progress(quiet=False, stream=stream)
    try:
        assert type(progress) is LiveProgress and progress.stream is stream
    finally:
        progress.close()


@pytest.mark.parametrize("terminal", [True, False])
def test_quiet_shows_nothing_anywhere(terminal: bool, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = _Terminal() if terminal else io.StringIO()
    progress = make_progress(quiet=True, stream=stream)
    with progress.stage("reading files", 2) as stage:
        stage.advance()
        stage.advance()
    progress.close()
    assert type(progress) is Progress
    assert stream.getvalue() == ""
    assert capsys.readouterr() == ("", "")
    assert [name for name, _ in progress.timings] == ["reading files"]


# --- what each display shows ---------------------------------------------------------


def test_line_progress_prints_one_line_per_finished_stage(clock: _Clock) -> None:
    stream = io.StringIO()
    progress = LineProgress(stream=stream)
    with progress.stage("reading files", 3) as stage:
        for _ in range(3):
            stage.advance()
            assert stream.getvalue() == "", "a line is printed once the stage ends, not per step"
        clock.now += 1.25
    with progress.stage("resolving ids and links"):
        clock.now += 0.5
    with progress.stage("PDF: laying out pages") as stage:
        stage.update(12)  # a stage that learns its count as it goes
        clock.now += 3.0
    assert stream.getvalue().splitlines() == [
        "reading files (3/3): 1.2 s",
        "resolving ids and links: 0.5 s",
        "PDF: laying out pages (12): 3.0 s",
    ]


def test_line_progress_still_reports_a_stage_that_fails(clock: _Clock) -> None:
    stream = io.StringIO()
    progress = LineProgress(stream=stream)
    with pytest.raises(RuntimeError), progress.stage("DOCX: pandoc"):
        clock.now += 2.0
        raise RuntimeError("pandoc failed")
    assert stream.getvalue() == "DOCX: pandoc: 2.0 s\n"
    assert progress.timings == [("DOCX: pandoc", 2.0)]


def test_live_display_draws_the_stages_with_their_counts_on_its_own_stream(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The display goes where the terminal was found (stderr for the CLI), never into stdout,
    # which ``check --json`` and pipes own.
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(rich, "_console", Console(file=io.StringIO(), force_terminal=True, width=100))
    screen = _Terminal()
    progress = LiveProgress(stream=screen)
    with progress.stage("PDF: writing file", 3) as stage:
        for _ in range(3):
            stage.advance()
    with progress.stage("resolving ids and links"):
        pass
    progress.close()
    shown = screen.getvalue()
    assert "\x1b[" in shown, "a live display redraws itself with terminal control codes"
    final = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.rsplit("\x1b[1A", 1)[-1])
    lines = [line.strip() for line in final.replace("\r", "\n").splitlines() if line.strip()]
    assert re.fullmatch(r"PDF: writing file\s+━+\s+3/3\s+0:00:0\d", lines[0])
    # A stage without counts shows as one step, done.
    assert re.fullmatch(r"resolving ids and links\s+━+\s+1/1\s+0:00:0\d", lines[1])
    assert [name for name, _ in progress.timings] == ["PDF: writing file", "resolving ids and links"]
    assert capsys.readouterr().out == "" and rich.get_console().file.getvalue() == ""


# --- timings -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Progress, LineProgress])
def test_timings_hold_every_stage_in_order_with_its_duration(kind: type[Progress], clock: _Clock) -> None:
    progress = kind(stream=io.StringIO()) if kind is LineProgress else kind()
    with progress.stage("reading files"):
        clock.now += 0.75
    with progress.stage("EPUB: packaging", 5):
        clock.now += 2.5
    assert progress.timings == [("reading files", 0.75), ("EPUB: packaging", 2.5)]


def test_every_progress_has_its_own_timings() -> None:
    first, second = Progress(), Progress()
    with first.stage("a"):
        pass
    assert second.timings == []


# --- through the command line ----------------------------------------------------------


def _build(source: Path, out: Path, *extra: str, ci: bool | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "1"
    return subprocess.run([sys.executable, "-m", "publish", "build", "--source", str(source), "--out", str(out),
                           "--format", "docx", *extra], cwd=ROOT, capture_output=True, text=True, check=False,
                          env=env)


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    source = tmp_path / "book"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\nText mit [Verweis](#Fehlt).\n", encoding="utf-8")
    (source / "B.md").write_text("## B {#B .term}\n\nSiehe [A](#A).\n", encoding="utf-8")
    return source


def test_build_piped_prints_each_stage_on_stderr(tiny_book: Path, tmp_path: Path) -> None:
    result = _build(tiny_book, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    stages = [line for line in result.stderr.splitlines() if re.search(r": \d+\.\d s$", line)]
    from publish.render.docx.libreoffice import soffice

    # LibreOffice lays the DOCX out for its page numbers where it is installed.
    assert [re.sub(r": \d+\.\d s$", "", line) for line in stages] == [
        "reading files (2/2)", "resolving ids and links", "DOCX: pandoc", "DOCX: pages, fields, fonts",
        *(["DOCX: page numbers (LibreOffice)"] if soffice() else [])]
    assert "warning: link to #Fehlt" in result.stderr
    assert "diagnostics: 1 dangling-link" in result.stdout


def test_build_quiet_prints_only_the_problems(tiny_book: Path, tmp_path: Path) -> None:
    result = _build(tiny_book, tmp_path / "out", "--quiet", ci=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    # The one problem (the column is the link target's, as in tests/test_cli.py) and nothing else.
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{tiny_book / 'A.md'}:3:20: warning: link to #Fehlt")
    assert line.endswith("[dangling-link]")
