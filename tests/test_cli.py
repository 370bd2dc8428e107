"""The command line: exit codes, JSON records, and no traceback on bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publish", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_check_default_book_is_clean() -> None:
    result = _run("check", "--source", str(SEEDS), "--strict")
    assert result.returncode == 0, result.stderr
    assert "0 errors, 0 warnings" in result.stdout


def test_check_json_records(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt) [y](#Fehlt)\n", encoding="utf-8")
    result = _run("check", "--source", str(tmp_path), "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0
    assert [d["code"] for d in report["diagnostics"]] == ["dangling-link", "dangling-link"]
    assert report["diagnostics"][0]["line"] == 3
    assert report["missing_entries"][0]["target"] == "Fehlt" and report["missing_entries"][0]["count"] == 2
    assert report["entries"] == [{"id": "A", "title": "A", "source": str(tmp_path / "A.md"), "line": 1}]


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt)\n", encoding="utf-8")
    result = _run("check", "--source", str(tmp_path), "--strict")
    assert result.returncode == 1
    assert f"{tmp_path / 'A.md'}:3:5: warning: link to #Fehlt" in result.stderr


def test_bad_input_gives_messages_and_exit_codes_never_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "kaputt.md").write_bytes(b"## K {#K .term}\n\xff\n")
    (tmp_path / "offen.md").write_text("## O {#O .term\n", encoding="utf-8")
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    result = _run("check", "--source", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / 'kaputt.md'}:2:1: error: not valid UTF-8" in result.stderr
    assert f"{tmp_path / 'offen.md'}:1:" in result.stderr and "[unclosed-attributes]" in result.stderr
    assert "[binary-file]" in result.stderr


def test_missing_source_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("check", "--source", str(tmp_path / "nirgends"))
    assert result.returncode == 2 and "source folder does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_headingless_file_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n", encoding="utf-8")
    (tmp_path / "notiz.md").write_text("Nur eine Notiz.\n", encoding="utf-8")
    result = _run("check", "--source", str(tmp_path))
    assert result.returncode == 1 and "[no-entry-heading]" in result.stderr


def test_build_writes_every_format(tmp_path: Path) -> None:
    source, out = tmp_path / "book", tmp_path / "out"
    source.mkdir()
    (source / "A.md").write_text("## Alpha {#A .term}\n\nText mit $x^2$ und [Beta](#B).\n", encoding="utf-8")
    (source / "B.md").write_text("## Beta {#B .term}\n\nZurück zu [Alpha](#A).\n", encoding="utf-8")
    result = _run("build", "--source", str(source), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["untitled-html", "untitled.docx", "untitled.epub", "untitled.md", "untitled.pdf"]
    assert result.stdout.count("wrote ") == 5 and "pages" in result.stdout and "files" in result.stdout


def test_a_book_with_errors_builds_nothing_and_keeps_old_output(tmp_path: Path) -> None:
    source, out = tmp_path / "book", tmp_path / "out"
    source.mkdir(), out.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n", encoding="utf-8")
    (source / "notiz.md").write_text("ohne Überschrift\n", encoding="utf-8")
    (out / "untitled.pdf").write_bytes(b"old")
    result = _run("build", "--source", str(source), "--out", str(out), "--format", "pdf")
    assert result.returncode == 1 and "nothing built" in result.stderr
    assert (out / "untitled.pdf").read_bytes() == b"old"


def test_unknown_format_is_a_usage_error() -> None:
    result = _run("build", "--format", "odt")
    assert result.returncode == 2 and "unknown format odt" in result.stderr


def test_strict_build_checks_again_even_when_outputs_are_current(tmp_path: Path) -> None:
    source, out = tmp_path / "book", tmp_path / "out"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt)\n", encoding="utf-8")
    assert _run("build", "--source", str(source), "--out", str(out), "--format", "docx").returncode == 0
    strict = _run("build", "--source", str(source), "--out", str(out), "--format", "docx", "--strict")
    assert strict.returncode == 1 and "[dangling-link]" in strict.stderr


@pytest.mark.parametrize("where", ["file", "root", "source"])
def test_an_output_folder_that_cannot_be_one_is_a_usage_error(tmp_path: Path, where: str) -> None:
    source = tmp_path / "book"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\nText.\n", encoding="utf-8")
    out = {"file": tmp_path / "book.pdf", "root": Path("/"), "source": source}[where]
    if where == "file":
        out.write_text("not a folder", encoding="utf-8")
    for command in ("build", "release"):
        result = _run(command, "--source", str(source), "--out", str(out), "--quiet")
        assert result.returncode == 2 and "--out" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in source.iterdir()) == ["A.md"]


def test_an_unwritable_output_folder_is_a_clear_failure(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocked = tmp_path / "file-in-the-way"
        blocked.write_text("x", encoding="utf-8")
        out = blocked / "out"  # a folder below a file cannot be made, even by root
    else:
        out = tmp_path / "locked"
        out.mkdir(mode=0o500)
    result = _run("build", "--source", str(SEEDS), "--out", str(out), "--format", "docx", "--quiet")
    assert result.returncode == 1 and "publish: cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_very_long_title_still_gives_file_names(tmp_path: Path) -> None:
    source = tmp_path / "book"
    source.mkdir()
    (source / "book.toml").write_text(f'[book]\ntitle = "{"Überlänge " * 60}"\n', encoding="utf-8")
    (source / "A.md").write_text("## A {#A .term}\n\nText.\n", encoding="utf-8")
    result = _run("build", "--source", str(source), "--out", str(tmp_path / "out"), "--format", "docx", "--quiet")
    assert result.returncode == 0, result.stderr
    [name] = [p.name for p in (tmp_path / "out").glob("*.docx")]
    assert name.startswith("überlänge-überlänge") and len(name.encode("utf-8")) <= 130


def test_no_command_prints_the_usage_and_is_a_usage_error() -> None:
    result = _run()
    assert result.returncode == 2 and "usage: publish" in result.stdout


@pytest.mark.parametrize("toml, message", [
    ("[book\ntitle = 1\n", "cannot read book.toml"),
    ("[book]\ntitel = \"Tippfehler\"\n", "unknown key book.titel"),
    ("[buch]\n", "unknown section [buch]"),
], ids=["unreadable", "unknown key", "unknown section"])
def test_a_bad_book_toml_is_a_usage_error(tmp_path: Path, toml: str, message: str) -> None:
    """README: exit 2 for an unreadable book.toml (bad-config is input that cannot be read)."""
    (tmp_path / "book.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "A.md").write_text("## A {#A .term}\n\nText.\n", encoding="utf-8")
    for command in (["check"], ["build", "--out", str(tmp_path / "out"), "--format", "docx", "--quiet"]):
        result = _run(*command, "--source", str(tmp_path))
        assert result.returncode == 2, (command, result.stderr)
        assert message in result.stderr and "[bad-config]" in result.stderr and "Traceback" not in result.stderr


def _linking_book(folder: Path) -> Path:
    (folder / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt) [y](#Fehlt) [B](#B)\n", encoding="utf-8")
    (folder / "B.md").write_text("## B {#B .term}\n\n[A](#A), [Auch](#Auch) und [x](#Fehlt).\n", encoding="utf-8")
    return folder


def test_check_prints_the_missing_entries_report_most_linked_first(tmp_path: Path) -> None:
    result = _run("check", "--source", str(_linking_book(tmp_path)))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "Missing entries (2 link targets without an entry, most linked first):",
        "  Fehlt  3 links from A.md, B.md",
        "  Auch  1 link from B.md",
        "2 entries, 0 front matter files, 2 links resolved; 0 errors, 4 warnings",
    ]


def test_check_json_counts_resolved_links_and_names_every_use(tmp_path: Path) -> None:
    report = json.loads(_run("check", "--source", str(_linking_book(tmp_path)), "--json").stdout)
    assert report["links_resolved"] == 2
    fehlt, auch = report["missing_entries"]
    assert (fehlt["target"], fehlt["count"], auch["target"], auch["count"]) == ("Fehlt", 3, "Auch", 1)
    assert fehlt["uses"] == [{"path": str(tmp_path / "A.md"), "line": 3, "col": 5},
                             {"path": str(tmp_path / "A.md"), "line": 3, "col": 17},
                             {"path": str(tmp_path / "B.md"), "line": 3, "col": 32}]


def test_verbose_shows_what_the_libraries_log_and_the_default_does_not(tmp_path: Path) -> None:
    source = tmp_path / "book"
    source.mkdir()
    (source / "A.md").write_text("## A {#A .term}\n\nText.\n", encoding="utf-8")
    runs = {flag: _run("build", "--source", str(source), "--out", str(tmp_path / flag), "--format", "pdf",
                       *([flag] if flag != "plain" else [])) for flag in ("--verbose", "plain")}
    assert all(r.returncode == 0 for r in runs.values())
    assert "INFO weasyprint" in runs["--verbose"].stderr and "INFO" not in runs["plain"].stderr
    assert "PDF: laying out " in runs["--verbose"].stderr  # the stage lines stay


def test_check_report_is_relative_short_and_wrapped(tmp_path: Path) -> None:
    for n in range(5):
        (tmp_path / f"E{n}.md").write_text(f"## E{n} {{#E{n} .term}}\n\n[x](#Fehlt)\n", encoding="utf-8")
    (tmp_path / "GPU.md").write_text("## GPU {#GPU .term}\n\n[g](#Gpu)\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "publish", "check", "--source", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "60"})
    assert "  Fehlt  5 links from E0.md, E1.md, E2.md +2\u00a0more" in result.stdout
    assert str(tmp_path) not in result.stdout
    assert all(len(line) <= 60 for line in result.stdout.splitlines())
    assert "→ #Gpu and #GPU (GPU.md) differ only in case" in result.stdout.replace("\n        ", " ")


def test_check_writes_the_report_as_markdown_or_csv(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n[x](#Fehlt) [y](#a)\n", encoding="utf-8")
    assert _run("check", "--source", str(tmp_path), "--report", str(tmp_path / "todo.md")).returncode == 0
    markdown = (tmp_path / "todo.md").read_text(encoding="utf-8")
    assert "| Fehlt | 1 | A.md |  |" in markdown and "differ only in case" in markdown
    _run("check", "--source", str(tmp_path), "--report", str(tmp_path / "todo.csv"))
    assert (tmp_path / "todo.csv").read_text(encoding="utf-8").splitlines()[:2] == \
        ["target,links,linked from,suggestions", "Fehlt,1,A.md,"]
    assert _run("check", "--source", str(tmp_path), "--report", str(tmp_path / "todo.txt")).returncode == 2


def test_check_json_has_suggestions(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n[y](#a)\n", encoding="utf-8")
    report = json.loads(_run("check", "--source", str(tmp_path), "--json").stdout)
    assert report["missing_entries"][0]["suggestions"][0]["action"] == "relink"
    assert report["duplicate_ids"] == []


def test_fix_shows_a_diff_and_writes_only_with_write(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A {#A .term}\n\n[y](#a)\n", encoding="utf-8")
    shown = _run("fix", "--source", str(tmp_path))
    assert shown.returncode == 0 and "-[y](#a)\n+[y](#A)\n" in shown.stdout and "--- a/A.md" in shown.stdout
    assert (tmp_path / "A.md").read_text(encoding="utf-8").endswith("[y](#a)\n")
    assert _run("fix", "--source", str(tmp_path), "--write").returncode == 0
    assert (tmp_path / "A.md").read_text(encoding="utf-8").endswith("[y](#A)\n")
    assert "nothing to fix" in _run("fix", "--source", str(tmp_path)).stdout
    assert "Exit status" in _run("fix", "--help").stdout


def test_version_names_the_release_and_the_source_it_runs() -> None:
    from importlib.metadata import version

    from publish import __version__

    result = _run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"publish {__version__}"
    assert __version__.startswith(version("publish") + "+")
