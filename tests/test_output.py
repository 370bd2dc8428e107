"""Writing outputs: a temporary file renamed into place, and the build's time that is never the clock."""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest

import publish.output as output
from publish.model import Metadata
from publish.build import book_name
from publish.cli import main
from publish.diagnostics import Code, Severity
from publish.output import (build_time, commit_staged, discard_staged, remove_stale_staged, rewrite_zip,
                            source_date_epoch, staged_path, write_atomically, write_zip)

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


@pytest.mark.parametrize("value, message", [
    ("5000000000", "SOURCE_DATE_EPOCH=5000000000 is after 2107-12-31, the last date a zip file (EPUB, DOCX) can hold"),
    ("9" * 30, f"SOURCE_DATE_EPOCH={'9' * 20}… is after 2107-12-31, the last date a zip file (EPUB, DOCX) can hold"),
    ("9" * 24, f"SOURCE_DATE_EPOCH={'9' * 24} is after 2107-12-31, the last date a zip file (EPUB, DOCX) can hold"),
    ("9" * 25, f"SOURCE_DATE_EPOCH={'9' * 20}… is after 2107-12-31, the last date a zip file (EPUB, DOCX) can hold"),
    ("4354819198", None),
    ("gestern", "SOURCE_DATE_EPOCH='gestern' is not a number of seconds; ignored "
                "(the newest source file's time is used)"),
])
def test_the_epoch_message_names_the_value_and_the_limit(monkeypatch: pytest.MonkeyPatch, value: str,
                                                         message: str | None) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", f" {value}\n")
    claimed, diagnostic = source_date_epoch()
    assert (diagnostic.message if diagnostic else None) == message
    if diagnostic:  # no file, so no place: ``check --json`` gives line 0 and column 0
        assert (diagnostic.path, diagnostic.line, diagnostic.col) == (None, 0, 0)
    if value.isdigit():  # the last second a zip can hold is still taken as it is
        assert claimed == datetime(2107, 12, 31, 23, 59, 58, tzinfo=timezone.utc)


# --- staged outputs (a build writes beside the target, then one rename) ---------------------


def test_the_temporary_file_is_one_the_next_build_removes_if_a_kill_left_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(output.os, "replace", lambda src, dst: renamed.append(src) or real_replace(src, dst))
    write_atomically(tmp_path / "book.pdf", b"%PDF")
    [tmp] = renamed
    assert re.fullmatch(r"\.book\.pdf\.\w+\.tmp", Path(tmp).name) and Path(tmp).parent == tmp_path
    Path(tmp).write_bytes(b"halb")  # as a killed write would have left it
    remove_stale_staged(tmp_path / "book.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


def test_a_staged_path_is_fresh_hidden_and_beside_its_target(tmp_path: Path) -> None:
    target = tmp_path / "neu" / "tiefer" / "book.pdf"
    first, second = staged_path(target), staged_path(target)
    assert first.parent == target.parent and target.parent.is_dir()
    assert re.fullmatch(r"\.book\.pdf\.[0-9a-f]{8}\.tmp", first.name) and first != second
    assert not first.exists()


def test_a_staged_file_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "book.pdf"
    target.write_bytes(b"alt")
    staged = staged_path(target)
    staged.write_bytes(b"neu")
    commit_staged(staged, target)
    assert target.read_bytes() == b"neu" and _leftovers(tmp_path, target) == []


@pytest.mark.parametrize("existed", [True, False])
def test_a_staged_folder_replaces_its_target_and_the_old_one_goes(tmp_path: Path, existed: bool) -> None:
    target = tmp_path / "site"
    if existed:
        (target / "alt").mkdir(parents=True)
        (target / "alt" / "index.html").write_text("alt", encoding="utf-8")
    staged = staged_path(target)
    staged.mkdir()
    (staged / "index.html").write_text("neu", encoding="utf-8")
    commit_staged(staged, target)
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert (target / "index.html").read_text(encoding="utf-8") == "neu" and _leftovers(tmp_path, target) == []


def test_discarding_removes_a_staged_file_or_folder_and_minds_no_missing_one(tmp_path: Path) -> None:
    folder, file = tmp_path / "f", tmp_path / "g"
    (folder / "tief").mkdir(parents=True)
    (folder / "tief" / "x").write_bytes(b"x")
    file.write_bytes(b"y")
    for staged in (folder, file, tmp_path / "nie-da"):
        discard_staged(staged)
    assert list(tmp_path.iterdir()) == []


def test_what_a_killed_build_left_is_removed_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "book[1].pdf"
    stale_file, stale_folder = tmp_path / ".book[1].pdf.0a1b2c3d.tmp", tmp_path / ".book[1].pdf.ffff0000.tmp"
    stale_file.write_bytes(b"halb")
    stale_folder.mkdir()
    (stale_folder / "x").write_bytes(b"x")
    keep = [tmp_path / n for n in ("book[1].pdf", ".book[1].pdfx.0a1b2c3d.tmp", ".book1.pdf.0a1b2c3d.tmp",
                                   ".book[1].pdf.0a1b2c3d.txt", "book[1].pdf.0a1b2c3d.tmp")]
    for path in keep:
        path.write_bytes(b"bleibt")
    remove_stale_staged(target)
    assert sorted(tmp_path.iterdir()) == sorted(keep)
    remove_stale_staged(tmp_path / "nirgends" / "book.pdf")


# --- reproducible zips (EPUB, DOCX) ------------------------------------------------------


MEMBERS = [("b.xml", b"<b/>" * 100), ("mimetype", b"application/epub+zip"), ("a/c.txt", b"c" * 1000)]


def test_a_zip_has_its_first_member_stored_first_and_one_time_and_mode_for_all() -> None:
    data = write_zip(MEMBERS, datetime(2026, 11, 28, 12, 30, 45, tzinfo=timezone.utc), first="mimetype")
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    assert [i.filename for i in infos] == ["mimetype", "b.xml", "a/c.txt"]
    assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED]
    assert {i.date_time for i in infos} == {(2026, 11, 28, 12, 30, 44)}  # DOS time: steps of two seconds
    assert {(i.external_attr >> 16, i.create_system) for i in infos} == {(0o644, 3)}
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"  # EPUB's magic at offset 38
    assert {n: archive.read(n) for n, _ in MEMBERS} == dict(MEMBERS)
    assert write_zip(MEMBERS, datetime(2026, 11, 28, 12, 30, 45, tzinfo=timezone.utc), first="mimetype") == data


def test_a_zip_without_a_first_member_keeps_the_given_order_and_compresses_all() -> None:
    archive = zipfile.ZipFile(io.BytesIO(write_zip(MEMBERS, datetime(2026, 1, 1, tzinfo=timezone.utc))))
    assert [(i.filename, i.compress_type) for i in archive.infolist()] == [
        (n, zipfile.ZIP_DEFLATED) for n, _ in MEMBERS]


@pytest.mark.parametrize("level", [9, 1])
def test_zip_members_are_deflated_at_the_given_level(level: int) -> None:
    text = bytes(range(256)) * 50 + b"".join(str(i).encode() for i in range(5000))
    kwargs = {} if level == 9 else {"level": level}
    info = zipfile.ZipFile(io.BytesIO(write_zip([("t", text)], datetime(2026, 1, 1), **kwargs))).getinfo("t")
    deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
    assert info.compress_size == len(deflate.compress(text) + deflate.flush())


def test_a_time_before_1980_is_recorded_as_1980() -> None:
    archive = zipfile.ZipFile(io.BytesIO(write_zip(MEMBERS, datetime(1970, 1, 1, tzinfo=timezone.utc))))
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_rewritten_zip_changes_only_the_named_members_and_is_reproducible() -> None:
    original = zipfile.ZipFile(io.BytesIO(write_zip(MEMBERS, datetime(2001, 1, 1))), "r")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as messy:  # another tool's zip: its own times, mimetype last
        for name, data in MEMBERS:
            messy.writestr(name, data)
    when = datetime(2026, 5, 6, 7, 8, 10, tzinfo=timezone.utc)
    rewritten = rewrite_zip(buffer.getvalue(), when, first="mimetype", change={"b.xml": lambda d: d.upper()})
    archive = zipfile.ZipFile(io.BytesIO(rewritten))
    assert [i.filename for i in archive.infolist()] == ["mimetype", "b.xml", "a/c.txt"]
    assert archive.read("b.xml") == b"<B/>" * 100 and archive.read("a/c.txt") == original.read("a/c.txt")
    assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in archive.infolist()} == {(2026, 5, 6, 7, 8, 10)}
    assert rewrite_zip(rewritten, when, first="mimetype") == rewritten
    assert rewrite_zip(buffer.getvalue(), when) == write_zip(MEMBERS, when)


@pytest.mark.parametrize("first", [None, "mimetype"])
def test_members_given_in_pieces_make_the_same_zip_as_given_whole(first: str | None) -> None:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    big = b"".join(b"<p>%d</p>\n" % i for i in range(200_000))  # deflate's output spans many writes
    whole = [*MEMBERS, ("big.xhtml", big)]
    pieces = [(name, lambda data=data: (data[i:i + 4096] for i in range(0, len(data), 4096))) for name, data in whole]
    assert write_zip(pieces, when, first=first) == write_zip(whole, when, first=first)


def test_a_rewritten_zip_takes_replaced_members_in_pieces_in_their_place() -> None:
    when = datetime(2026, 5, 6, tzinfo=timezone.utc)
    replaced = rewrite_zip(write_zip(MEMBERS, when), when, first="mimetype", replace={"b.xml": lambda: (b"<c>", b"</c>")})
    assert replaced == write_zip([("b.xml", b"<c></c>"), *MEMBERS[1:]], when, first="mimetype")
