"""The build orchestrator: a registered format builds with no other edit, outputs are staged and
moved into place only when the build is acceptable, and 'up to date' trusts nothing it cannot check."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from publish import cli
from publish.build import build_formats
from publish.cache import CACHE_DIR, Cache
from publish.progress import Progress
from publish.render import BACKENDS, formats
from publish.theme.theme import load_theme

from tests.conftest import SEEDS
from tests.resolve.test_images import png


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BACKENDS, "toy", "tests.render.toy_format")


def _book(tmp_path: Path, body: str = "Text.") -> Path:
    source = tmp_path / "book"
    source.mkdir(exist_ok=True)
    (source / "A.md").write_text(f"## Alpha {{#A .term}}\n\n{body}\n", encoding="utf-8")
    (source / "B.md").write_text("## Beta {#B .term}\n\n[Alpha](#A).\n", encoding="utf-8")
    return source


def test_a_registered_format_builds_through_the_command_line(toy: None, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert "toy" in formats()
    assert cli.main(["build", "--source", str(SEEDS), "--out", str(tmp_path), "--format", "toy"]) == 0
    site = tmp_path / "ki-glossar-toy"
    assert sorted(p.name for p in site.iterdir()) == ["Claude.txt", "Compute-Budget.txt", "Compute.txt", "GPU.txt",
                                                      "Green-AI.txt", "Scaling-Law.txt", "TPU.txt"]
    assert (site / "GPU.txt").read_text(encoding="utf-8") == "GPU\nGPU.txt#GPU\n"
    assert f"wrote {site}" in capsys.readouterr().out
    assert cli.main(["build", "--source", str(SEEDS), "--out", str(tmp_path), "--format", "toy"]) == 0
    assert capsys.readouterr().out == f"up to date: {site}\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_folder_output_is_replaced_whole(toy: None, tmp_path: Path) -> None:
    source, out = _book(tmp_path), tmp_path / "out"
    theme = load_theme("default")
    build_formats(source, out, theme, ["toy"], Progress(), cache=Cache(out / CACHE_DIR))
    (source / "B.md").unlink()
    build_formats(source, out, theme, ["toy"], Progress(), cache=Cache(out / CACHE_DIR))
    assert sorted(p.name for p in (out / "untitled-toy").iterdir()) == ["A.txt"]  # B.txt went with the old folder


def test_strict_build_with_a_render_problem_replaces_nothing(tmp_path: Path) -> None:
    source, out = _book(tmp_path, "Kaputt: $\\frac{a}{$."), tmp_path / "out"
    out.mkdir()
    previous = out / "untitled.epub"
    previous.write_bytes(b"previous good build")
    theme, cache = load_theme("default"), Cache(out / CACHE_DIR)
    built = build_formats(source, out, theme, ["epub"], Progress(), strict=True, cache=cache)
    assert built.refused and [d.code.value for d in built.render_diagnostics] == ["bad-math"]
    assert previous.read_bytes() == b"previous good build"
    assert sorted(p.name for p in out.iterdir()) == [CACHE_DIR, "untitled.epub"]  # no temporary file left
    # Nothing was recorded as current: a normal build renders it (and keeps the warning).
    again = build_formats(source, out, theme, ["epub"], Progress(), cache=cache)
    assert not again.refused and again.current == () and previous.read_bytes().startswith(b"PK")


def test_outputs_reach_their_name_only_by_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, out = _book(tmp_path), tmp_path / "out"
    renames: list[tuple[str, str]] = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: renames.append((Path(a).name, Path(b).name)) or real(a, b))
    written: list[str] = []
    real_open = Path.open

    def recording_open(self: Path, mode: str = "r", *args: object, **kwargs: object):  # noqa: ANN202
        if "w" in mode:
            written.append(self.name)
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", recording_open)
    build_formats(source, out, load_theme("default"), ["docx"], Progress())
    assert (out / "untitled.docx").is_file()
    assert any(b == "untitled.docx" and a.startswith(".untitled.docx.") and a.endswith(".tmp") for a, b in renames)
    assert "untitled.docx" not in written


def test_a_stale_temporary_file_of_a_killed_build_is_removed(tmp_path: Path) -> None:
    source, out = _book(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / ".untitled.docx.deadbeef.tmp").write_bytes(b"half a file")
    (out / ".untitled.docx.cafe.tmp").mkdir()
    (out / "notes.tmp").write_text("mine", encoding="utf-8")
    build_formats(source, out, load_theme("default"), ["docx"], Progress())
    assert sorted(p.name for p in out.iterdir()) == ["notes.tmp", "untitled.docx"]


def _record(out: Path) -> Path:
    [record] = (out / CACHE_DIR / "outputs").iterdir()
    return record


@pytest.mark.parametrize("tamper", ["deleted", "edited", "foreign path", "absolute path", "wrong shape", "deep"])
def test_up_to_date_trusts_only_what_it_can_check(tmp_path: Path, tamper: str) -> None:
    source, out = _book(tmp_path), tmp_path / "out"
    theme, cache = load_theme("default"), Cache(out / CACHE_DIR)
    build_formats(source, out, theme, ["docx"], Progress(), cache=cache)
    assert build_formats(source, out, theme, ["docx"], Progress(), cache=cache).current == (out / "untitled.docx",)
    target, record = out / "untitled.docx", _record(out)
    data = json.loads(record.read_text(encoding="utf-8"))
    if tamper == "deleted":
        target.unlink()
    elif tamper == "edited":
        target.write_bytes(target.read_bytes() + b"x")
    elif tamper == "foreign path":
        data["value"][1] = "../elsewhere.docx"
    elif tamper == "absolute path":
        data["value"][1] = "/etc/passwd"
    elif tamper == "wrong shape":
        data["value"] = [1, 2]
    if tamper in ("foreign path", "absolute path", "wrong shape"):
        record.write_text(json.dumps(data), encoding="utf-8")
    elif tamper == "deep":
        deep = "[" * 100_000 + "]" * 100_000
        record.write_text(f'{{"key": {json.dumps(data["key"])}, "program": {json.dumps(data["program"])}, '
                          f'"value": {deep}}}', encoding="utf-8")
    built = build_formats(source, out, theme, ["docx"], Progress(), cache=cache)
    assert built.current == () and [r.path for r in built.results] == [target]
    assert target.read_bytes().startswith(b"PK")


def test_an_image_the_book_uses_is_an_input(tmp_path: Path) -> None:
    source, out = _book(tmp_path, "![Bild](bild.png)"), tmp_path / "out"
    (source / "bild.png").write_bytes(png(1))
    (source / "unrelated.bin").write_bytes(b"not part of the book")
    theme, cache = load_theme("default"), Cache(out / CACHE_DIR)
    build_formats(source, out, theme, ["docx"], Progress(), cache=cache)
    (source / "unrelated.bin").write_bytes(b"changed, still not part of the book")
    assert build_formats(source, out, theme, ["docx"], Progress(), cache=cache).current
    (source / "bild.png").write_bytes(png(2))
    assert not build_formats(source, out, theme, ["docx"], Progress(), cache=cache).current
def _current(source: Path, out: Path, theme_folder: Path | None = None) -> bool:
    theme = load_theme("default", theme_folder) if theme_folder else load_theme("default")
    return bool(build_formats(source, out, theme, ["docx"], Progress(), cache=Cache(out / CACHE_DIR)).current)


@pytest.mark.parametrize("change", ["theme file", "SOURCE_DATE_EPOCH", "program version"])
def test_up_to_date_sees_the_theme_the_build_date_and_the_program(tmp_path: Path, change: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """README: an output is current only while every source file, every theme file, the format and
    SOURCE_DATE_EPOCH are unchanged (and the program version, which stamps every cache record)."""
    import shutil

    from publish import cache as cache_module
    from publish.theme.theme import THEMES

    themes = tmp_path / "themes"
    shutil.copytree(THEMES / "default", themes / "default")
    source, out = _book(tmp_path), tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert not _current(source, out, themes)
    assert _current(source, out, themes)
    if change == "theme file":
        css = themes / "default" / "css" / "book.css.j2"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    elif change == "SOURCE_DATE_EPOCH":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    else:
        monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    assert not _current(source, out, themes)


def test_a_backend_prepares_with_the_books_metadata_before_any_file_is_read(
        toy: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """So the PDF's layout workers start while the files are read, not after."""
    from publish.read import folder
    from tests.render import toy_format

    events: list[str] = []
    real_read_files = folder.read_files
    monkeypatch.setattr(toy_format, "prepare", lambda metadata, options: events.append(f"prepare {metadata.title}"),
                        raising=False)
    monkeypatch.setattr(folder, "read_files", lambda *args: events.append("read") or real_read_files(*args))
    source = _book(tmp_path)
    (source / "book.toml").write_text('[book]\ntitle = "Probe"\n', encoding="utf-8")
    build_formats(source, tmp_path / "out", load_theme("default"), ["toy"], Progress())
    assert events == ["prepare Probe", "read"]
