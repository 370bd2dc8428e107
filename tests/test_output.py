"""SOURCE_DATE_EPOCH: used when it is a time a zip can hold, else a diagnostic, never a traceback."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from publish.cli import main
from publish.diagnostics import Code, Severity
from publish.output import build_time, normalize_zip, source_date_epoch


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
    normalize_zip(_zip(), build_time(tmp_path))


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a", "b")
    return out.getvalue()


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
