"""Writing outputs: a temporary file renamed into place, and the build's time that is never the clock."""
from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

import publish.output as output
from publish.model import Metadata
from publish.build import book_name
from publish.cli import main
from publish.diagnostics import Code, Severity
from publish.output import build_time, source_date_epoch, write_atomically, write_zip

PAST = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc).timestamp()


def _leftovers(folder: Path, target: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != target)


# --- write_atomically ------------------------------------------------------------------


def test_writes_the_bytes_readable_by_all_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "book.pdf"
    assert write_atomically(target, b"%PDF-1.7 new") == target
    assert target.read_bytes() == b"%PDF-1.7 new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _leftovers(target.parent, target) == []


def test_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "book.epub"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert _leftovers(tmp_path, target) == []


def test_the_final_name_appears_only_by_one_rename_of_a_complete_file(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.docx"
    target.write_bytes(b"old")
    calls: list[tuple[Path, Path, bytes, bytes]] = []
    real_replace = os.replace

    def recording_replace(src: str, dst: str) -> None:
        # At the moment of the rename: the old file is untouched and the temporary one is complete.
        calls.append((Path(src), Path(dst), Path(src).read_bytes(), Path(dst).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", recording_replace)
    write_atomically(target, b"new content")

    [(src, dst, src_bytes, dst_bytes)] = calls
    assert dst == target
    assert src.parent == target.parent, "a rename is only atomic within one file system"
    assert src.name.endswith(".tmp") and src.name != target.name
    assert src_bytes == b"new content" and dst_bytes == b"old"
    assert target.read_bytes() == b"new content"


def test_a_new_file_does_not_exist_under_its_name_before_the_rename(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.pdf"
    existed: list[bool] = []
    real_replace = os.replace

    def recording_replace(src: str, dst: str) -> None:
        existed.append(Path(dst).exists())
        real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", recording_replace)
    write_atomically(target, b"data")
    assert existed == [False]


class _DiskFull(OSError):
    pass


def test_a_write_failing_midway_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old, complete")
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle) -> None:  # noqa: ANN001
            self.handle = handle

        def __enter__(self) -> "HalfWriter":
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise _DiskFull(28, "No space left on device")

    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(_DiskFull):
        write_atomically(target, b"new data that never fully arrives")
    assert target.read_bytes() == b"old, complete"
    assert _leftovers(tmp_path, target) == []
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("error", [OSError("rename refused"), KeyboardInterrupt()])
def test_a_failing_rename_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path, error: BaseException,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.epub"
    target.write_bytes(b"old")

    def failing_replace(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"new"
        raise error

    monkeypatch.setattr(output.os, "replace", failing_replace)
    with pytest.raises(type(error)):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path, target) == []


def test_a_failure_before_any_file_existed_leaves_no_file_at_all(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "book.pdf"
    monkeypatch.setattr(output.os, "replace", lambda src, dst: (_ for _ in ()).throw(OSError("no")))
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert list(tmp_path.iterdir()) == []


# --- build_time ----------------------------------------------------------------------


def test_source_date_epoch_is_the_build_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "A.md").write_text("## A\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert build_time(tmp_path) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_without_source_date_epoch_the_newest_source_file_counts_never_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    older, newest = tmp_path / "A.md", tmp_path / "book.toml"
    older.write_text("## A\n", encoding="utf-8")
    newest.write_text('title = "T"\n', encoding="utf-8")
    os.utime(older, (PAST - 86400 * 365, PAST - 86400 * 365))
    os.utime(newest, (PAST + 0.75, PAST + 0.75))  # fractions of a second are dropped
    assert build_time(tmp_path) == datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)


def test_folders_inside_the_source_do_not_count_as_source_files(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "A.md").write_text("## A\n", encoding="utf-8")
    os.utime(tmp_path / "A.md", (PAST, PAST))
    (tmp_path / "neu").mkdir()  # a folder made just now must not pull the date to the clock
    assert build_time(tmp_path).timestamp() == PAST


@pytest.mark.parametrize("value", ["", "  ", "gestern", "-5", "1.5"])
def test_an_unusable_source_date_epoch_falls_back_to_the_files(value: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    (tmp_path / "A.md").write_text("## A\n", encoding="utf-8")
    os.utime(tmp_path / "A.md", (PAST, PAST))
    assert build_time(tmp_path).timestamp() == PAST


def test_an_empty_or_missing_source_gives_the_epoch_not_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert build_time(tmp_path) == epoch
    assert build_time(tmp_path / "nirgends") == epoch


# --- book_name -----------------------------------------------------------------------


@pytest.mark.parametrize(("title", "name"), [
    ("KI-Glossar", "ki-glossar"),          # README: build/ki-glossar.pdf
    ("Mein  Buch -- Teil 2", "mein-buch-teil-2"),
    ("", "book"),                          # no letters: the fallback name, not slugify's "section"
    ("???", "book"),
])
def test_book_name_is_the_title_as_a_file_name(title: str, name: str) -> None:
    assert book_name(Metadata(title=title)) == name


# --- SOURCE_DATE_EPOCH: a time a zip can hold, else a diagnostic, never a traceback -------


@pytest.mark.parametrize("value, severity", [
    ("5000000000", Severity.ERROR),
    ("99999999999999999999", Severity.ERROR),
    ("9" * 5000, Severity.ERROR),
    ("abc", Severity.WARNING),
    ("-5", Severity.WARNING),
    ("١٢٣", Severity.WARNING),
])
def test_an_unusable_epoch_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           value: str, severity: Severity) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    _, diagnostic = source_date_epoch()
    assert (diagnostic.code, diagnostic.severity) == (Code.BAD_EPOCH, severity)
    assert "SOURCE_DATE_EPOCH" in str(diagnostic) and len(str(diagnostic)) < 200
    write_zip([("a", b"b")], build_time(tmp_path))


def test_a_huge_epoch_is_clamped_to_the_last_zip_date(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999999")
    assert build_time(tmp_path).year == 2107


def test_an_unparsable_epoch_is_ignored_and_the_sources_time_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    assert build_time(tmp_path) == datetime.fromtimestamp(0, timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert build_time(tmp_path) == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert source_date_epoch()[1] is None


def test_check_reports_the_epoch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "A.md").write_text("## A {.term}\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "5000000000")
    assert main(["check", "--source", str(tmp_path)]) == 1
    assert "[bad-source-date-epoch]" in capsys.readouterr().err
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    assert main(["check", "--source", str(tmp_path)]) == 0
    assert "ignored" in capsys.readouterr().err
