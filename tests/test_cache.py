"""The build cache: unchanged files are not parsed again, outputs are skipped when current,
and a corrupt or foreign cache is ignored, never trusted."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from publish.read import parallel as reading_module
from publish.build import load_book
from publish import __version__
from publish.cache import Cache, decode, encode, fingerprint, folder_fingerprint

from tests.conftest import SEEDS


def _book(tmp_path: Path) -> Path:
    source = tmp_path / "book"
    source.mkdir()
    (source / "A.md").write_text("## Alpha {#A .term}\n\n[Beta](#B) und $x^2$[^1].\n\n[^1]: Fuß.\n", encoding="utf-8")
    (source / "B.md").write_text("## Beta {#B .term}\n\n[Alpha](#A) und [weg](#Weg).\n", encoding="utf-8")
    return source


def test_the_model_survives_the_cache_unchanged() -> None:
    loaded = load_book(SEEDS)
    for entry in loaded.book.entries:
        assert decode(json.loads(json.dumps(encode(entry)))) == entry


def test_unchanged_files_are_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, cache = _book(tmp_path), Cache(tmp_path / "cache")
    first = load_book(source, cache=cache)
    parsed: list[Path] = []
    real = reading_module.read_markdown
    monkeypatch.setattr(reading_module, "read_markdown", lambda text, path, lang: parsed.append(path) or real(text, path, lang))
    (source / "B.md").write_text("## Beta {#B .term}\n\n[Alpha](#A).\n", encoding="utf-8")
    second = load_book(source, cache=cache)
    assert parsed == [source / "B.md"]
    assert second.book.entries[0] == first.book.entries[0]
    assert [d.code.value for d in first.diagnostics] == ["dangling-link"] and second.diagnostics == ()


@pytest.mark.parametrize("damage", [
    "not json at all {",
    json.dumps({"key": "x", "program": "0", "value": []}),
    json.dumps({"key": "KEY", "program": "PROGRAM", "value": {"_t": "os.system", "command": "echo hi"}}),
    json.dumps({"key": "KEY", "program": "PROGRAM", "value": [{"_t": "Para", "content": [], "evil": 1}, []]}),
])
def test_corrupt_or_foreign_records_are_ignored(tmp_path: Path, damage: str) -> None:
    from publish import __version__

    source, cache = _book(tmp_path), Cache(tmp_path / "cache")
    expected = load_book(source, cache=cache)
    for record in (tmp_path / "cache" / "read").iterdir():
        key = record.stem
        record.write_text(damage.replace("KEY", key).replace("PROGRAM", __version__), encoding="utf-8")
    again = load_book(source, cache=cache)
    assert again.book.entries == expected.book.entries and again.diagnostics == expected.diagnostics


def _build(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publish", "build", "--source", str(source), "--out", str(out),
                           "--format", "epub,docx"], capture_output=True, text=True, check=True)


def test_build_skips_current_outputs_and_redoes_them_after_an_edit(tmp_path: Path) -> None:
    source, out = _book(tmp_path), tmp_path / "out"
    _build(source, out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.*")}
    again = _build(source, out)
    assert again.stdout.count("up to date: ") == 2 and "reading files" not in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.*")} == stamps
    (source / "A.md").write_text("## Alpha {#A .term}\n\nGeändert.\n", encoding="utf-8")
    edited = _build(source, out)
    assert "up to date" not in edited.stdout and edited.stdout.count("wrote ") == 2
    (out / "untitled.epub").unlink()
    assert "wrote " in _build(source, out).stdout


def test_diagnostics_and_paths_survive_a_stored_record(tmp_path: Path) -> None:
    """Records hold enums (a diagnostic's code and severity) and paths, even paths whose bytes are
    not UTF-8 (Python's surrogate escapes); what is stored is what comes back."""
    from publish.diagnostics import Code, warning

    odd = Path(b"/b\xfcch/A.md".decode("utf-8", "surrogateescape"))
    value = (warning(Code.DANGLING_LINK, odd, 3, 5, "link to #Fehlt"), odd, ("a", 1))
    cache = Cache(tmp_path / "cache")
    cache.store("parsed", "k", value)
    assert cache.load("parsed", "k") == value
    assert cache.load("parsed", "other") is None
    assert decode(json.loads(json.dumps(encode(Code.BAD_MATH)))) is Code.BAD_MATH


def test_a_record_under_another_key_is_not_trusted(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.store("parsed", "k1", ("eins",))
    (tmp_path / "cache" / "parsed" / "k1.json").rename(tmp_path / "cache" / "parsed" / "k2.json")
    assert cache.load("parsed", "k2") is None


def test_fingerprints_take_file_names_that_are_not_utf8() -> None:
    from publish.cache import fingerprint

    odd = b"b\xfcch.md".decode("utf-8", "surrogateescape")
    assert fingerprint(odd) != fingerprint(b"b\xfdch.md".decode("utf-8", "surrogateescape"))
    assert fingerprint("ab", "c") != fingerprint("a", "bc")  # parts are framed, not concatenated


def test_a_long_text_is_fingerprinted_in_pieces_as_its_utf8_bytes_whole() -> None:
    """Each part counts as its UTF-8 length and bytes; a long text is encoded a piece at a time
    (pieces ending inside no character: characters are encoded one by one), with the same digest."""
    text = "ä€𝄞\udc80x" * 40_000
    data = text.encode("utf-8", "surrogateescape")
    whole = hashlib.sha256(__version__.encode())
    for part in (data, b"raw"):
        whole.update(len(part).to_bytes(8, "big") + part)
    assert fingerprint(text, b"raw") == whole.hexdigest()


def test_a_theme_fingerprint_sees_every_file_its_name_and_the_chain_order_but_not_the_cache(tmp_path: Path) -> None:
    """The PDF's part cache is keyed by the theme folders' fingerprint: any edit to a theme file
    must lay the parts out again, a file in a ``.cache`` folder must not."""
    theme, parent = tmp_path / "theme", tmp_path / "parent"
    (theme / "fonts").mkdir(parents=True), parent.mkdir()
    (theme / "book.css").write_text("p { color: black }", encoding="utf-8")
    (theme / "fonts" / "a.ttf").write_bytes(b"font")
    (parent / "theme.toml").write_text("[page]\n", encoding="utf-8")
    chain = (theme, parent)
    before = folder_fingerprint(chain)
    assert folder_fingerprint(chain) == before
    (theme / ".cache").mkdir()
    (theme / ".cache" / "x.json").write_text("{}", encoding="utf-8")
    assert folder_fingerprint(chain) == before
    assert folder_fingerprint((parent, theme)) != before
    assert folder_fingerprint((theme,)) != before
    (theme / "fonts" / "a.ttf").write_bytes(b"font!")
    assert folder_fingerprint(chain) != before
    (theme / "fonts" / "a.ttf").write_bytes(b"font")
    assert folder_fingerprint(chain) == before
    (theme / "fonts" / "a.ttf").rename(theme / "fonts" / "b.ttf")  # the same order, another name
    assert folder_fingerprint(chain) != before


def test_a_deferring_cache_writes_its_records_on_flush_and_each_once(tmp_path: Path) -> None:
    later = Cache(tmp_path).deferring()
    later.store("read", "k", ("value",))
    assert not (tmp_path / "read" / "k.json").exists()
    assert Cache(tmp_path).load("read", "k") is None
    later.flush()
    assert Cache(tmp_path).load("read", "k") == ("value",)
    (tmp_path / "read" / "k.json").unlink()
    later.flush()
    assert not (tmp_path / "read" / "k.json").exists()  # written once, not again


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_writes_the_read_cache_while_pandoc_works_and_completely(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    from publish.build import build_formats
    from publish.progress import Progress
    from publish.render import RenderOptions
    from publish.render.docx import pandoc_docx
    from publish.theme.theme import load_theme

    monkeypatch.setenv("PUBLISH_SOFFICE", "off")
    monkeypatch.setattr(reading_module, "free_cores", lambda: 8)
    monkeypatch.setattr(reading_module, "PARALLEL_BYTES", 0)
    flushed, seen_by_pandoc = threading.Event(), []
    flush, run = Cache.flush, pandoc_docx._run

    def flushing(self: Cache) -> None:
        flush(self)
        flushed.set()

    def watched(*args: object, **kwargs: object) -> object:
        parts = run(*args, **kwargs)
        # pandoc's result is taken only once the cache was written: were it written only after
        # rendering, this would wait in vain
        seen_by_pandoc.append(flushed.wait(timeout=60))
        return parts
    monkeypatch.setattr(Cache, "flush", flushing)
    monkeypatch.setattr(pandoc_docx, "_run", watched)
    cache = Cache(tmp_path / "out" / ".cache")
    built = build_formats(SEEDS, tmp_path / "out", load_theme("default"), ["docx"], Progress(), cache=cache,
                          options=RenderOptions(jobs=jobs))
    assert built.results and not built.refused
    files = [p for p in SEEDS.iterdir() if p.suffix == ".md"]
    assert seen_by_pandoc == [True]
    assert len(list((tmp_path / "out" / ".cache" / "read").glob("*.json"))) == len(files)
