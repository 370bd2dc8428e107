"""make release: versioned artefacts, checksums, report; strict; reproducible across cwd and TZ."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from publish.release import release_version

from tests.conftest import ROOT, SEEDS

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("make") / "build"
    subprocess.run(["make", "-C", str(ROOT), "release", f"OUT={out}", "VERSION=v9.8.7",
                    f"SOURCE_DATE_EPOCH={EPOCH}"], check=True, capture_output=True, timeout=600)
    return out / "release"


def test_release_writes_versioned_files_checksums_and_report(release: Path) -> None:
    names = sorted(p.name for p in release.iterdir())
    assert names == ["SHA256SUMS", "ki-glossar-9.8.7-html.zip", "ki-glossar-9.8.7-print.pdf", "ki-glossar-9.8.7.docx",
                     "ki-glossar-9.8.7.epub", "ki-glossar-9.8.7.md", "ki-glossar-9.8.7.pdf", "report.json"]
    sums = dict(reversed(line.split("  ")) for line in (release / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == set(names) - {"SHA256SUMS", "report.json"}
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    report = json.loads((release / "report.json").read_text(encoding="utf-8"))
    assert report["version"] == "9.8.7" and report["diagnostics"] == [] and report["missing_entries"] == []
    assert {a["file"]: a["sha256"] for a in report["artefacts"]} == sums


def test_the_release_epub_has_the_print_editions_pages(release: Path) -> None:
    with zipfile.ZipFile(release / "ki-glossar-9.8.7.epub") as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        nav = archive.read("EPUB/nav.xhtml").decode("utf-8")
    assert '<meta property="pageBreakSource">ki-glossar-9.8.7-print.pdf</meta>' in opf
    assert 'epub:type="page-list"' in nav


def test_validate_release_target_runs_epubcheck(release: Path) -> None:
    result = subprocess.run(["make", "-C", str(ROOT), "validate-release", f"OUT={release.parent}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "EPUBCheck passed" in result.stdout


def test_same_sources_build_identical_files_in_another_folder_and_time_zone(release: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TZ": "Asia/Tokyo", "LC_ALL": "C.UTF-8"}
    out = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "publish", "release", "--source", str(SEEDS), "--out", str(out),
                    "--version", "9.8.7", "--quiet"], cwd=tmp_path, env=env, check=True, capture_output=True,
                   timeout=600)
    assert (out / "SHA256SUMS").read_text() == (release / "SHA256SUMS").read_text()


def test_release_is_strict_and_lists_every_diagnostic(tmp_path: Path) -> None:
    source = tmp_path / "book"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt) [y](#Auch)\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "publish", "release", "--source", str(source),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.count("[dangling-link]") == 2 and "release refused: 2 diagnostics" in result.stderr
    assert not (tmp_path / "out").exists()


def test_release_version() -> None:
    assert [release_version(v, "0.1.0") for v in ("v1.2.3", "2.0", "", " ")] == ["1.2.3", "2.0", "0.1.0", "0.1.0"]
    assert release_version("", "") == "0.0.0"


def test_a_render_time_problem_refuses_the_release_and_writes_nothing(tmp_path: Path) -> None:
    source, out = tmp_path / "book", tmp_path / "out"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\nFormel: $\\unknowncommand{x}$.\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "publish", "release", "--source", str(source),
                             "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert "[bad-math]" in result.stderr and "unknown TeX command \\unknowncommand" in result.stderr
    assert "release refused" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []
