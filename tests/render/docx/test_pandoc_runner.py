"""The pinned pandoc: pypandoc-binary's own executable, never one on PATH; failures become errors."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pypandoc
import pytest

import publish.render.docx.pandoc_runner as runner
from publish.build import load_book
from publish.render import RenderError
from publish.render.docx import backend
from publish.render.docx.pandoc_runner import pandoc_path, run_pandoc
from publish.theme.theme import load_theme

from tests.conftest import SEEDS


def _script(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pandoc"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return path


def test_a_pandoc_on_path_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    called = tmp_path / "fake-pandoc-was-called"
    _script(tmp_path / "bin", f'touch "{called}"\necho "pandoc 1.0"\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("PYPANDOC_PANDOC", raising=False)
    pandoc_path.cache_clear()  # look the executable up again under the hostile PATH
    try:
        path = pandoc_path()
        version = run_pandoc(["--version"]).decode("utf-8")
    finally:
        pandoc_path.cache_clear()
    assert not called.exists()
    assert path == Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    assert path.is_file() and os.access(path, os.X_OK)
    assert version.startswith("pandoc 3.")


def test_the_pinned_pandoc_is_version_3() -> None:
    first_line = run_pandoc(["--version"]).decode("utf-8").splitlines()[0]
    match = re.fullmatch(r"pandoc (\d+)\.(\d+)(?:\.\d+)*", first_line)
    assert match, first_line
    assert int(match[1]) == 3


def test_text_input_is_sent_as_utf8_and_output_returned_as_bytes() -> None:
    out = run_pandoc(["-f", "markdown", "-t", "plain"], "Grüße, *Straße*")
    assert out == "Grüße, Straße\n".encode("utf-8")
    assert run_pandoc(["-f", "markdown", "-t", "plain"], "Grüße".encode("utf-8")) == "Grüße\n".encode("utf-8")


def test_env_is_added_to_the_environment_not_replacing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLISH_TEST_INHERITED", "geerbt")
    script = 'print(os.getenv("PUBLISH_TEST_INHERITED"), os.getenv("SOURCE_DATE_EPOCH"))'
    out = run_pandoc(["lua", "-e", script], env={"SOURCE_DATE_EPOCH": "86400"})
    assert out.decode("utf-8").split() == ["geerbt", "86400"]


def test_a_pandoc_failure_raises_with_exit_status_and_message() -> None:
    with pytest.raises(RuntimeError, match=r"^pandoc failed \(\d+\): Unknown input format nosuchformat$"):
        run_pandoc(["-f", "nosuchformat", "-t", "plain"], "text")


def test_a_failing_pandoc_reports_its_exact_status_and_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _script(tmp_path, 'echo "  kaputt: ü  " >&2\necho "partial output"\nexit 7\n')
    monkeypatch.setattr(runner, "pandoc_path", lambda: fake)
    with pytest.raises(RuntimeError) as caught:
        run_pandoc(["-t", "docx"])
    assert str(caught.value) == "pandoc failed (7): kaputt: ü"


@pytest.mark.parametrize("failing", ["reference document", "book"])
def test_docx_build_turns_any_pandoc_failure_into_a_render_error(failing: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reports a RenderError as ``publish: …`` with exit 1; any other exception is a traceback.

    pandoc runs twice per DOCX build (the reference document, then the book): both must be covered.
    """
    book = load_book(SEEDS).book
    theme = load_theme("default")
    real = pandoc_path()
    fail = 'echo "pandoc is broken" >&2\nexit 5\n'
    if failing == "reference document":
        fake = _script(tmp_path / "bin", fail)
    else:
        fake = _script(tmp_path / "bin", f'if [ "$1" = --print-default-data-file ]; then exec "{real}" "$@"; fi\n'
                       + fail)
    monkeypatch.setattr(runner, "pandoc_path", lambda: fake)
    target = tmp_path / "out" / "book.docx"
    with pytest.raises(RenderError, match=r"pandoc failed \(5\): pandoc is broken"):
        backend.render(book, theme, target)
    assert not target.exists()
