"""publish init: a book.toml drafted from the folder, excluding an earlier build and an index page."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from publish.read.config import load_config
from tests.conftest import ROOT

TERMS = ("Alpha", "Beta", "Gamma", "Delta")


def _init(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publish", "init", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def _folder(folder: Path) -> Path:
    (folder / "000-titel.txt").write_text("% Mein Glossar\n% Ada; Bob\n% 2026\n", encoding="utf-8")
    (folder / "002-lizenz.md").write_text("Diese Texte sind frei und die Lizenz ist CC BY.\n", encoding="utf-8")
    for term in TERMS:
        (folder / f"{term}.md").write_text(f"## {term} {{#{term} .term}}\n\nDer Begriff und die Sache.\n",
                                           encoding="utf-8")
    (folder / "Glossar-v0.9.md").write_text("".join(f"## {t} {{#{t} .term}}\n\nAlt.\n\n" for t in TERMS),
                                            encoding="utf-8")
    links = " | ".join(f"[{t}](#{t})" for t in TERMS * 3)
    (folder / "001-index.txt").write_text(f"# Index\n\n{links}\n", encoding="utf-8")
    return folder


def test_init_writes_a_commented_book_toml_and_says_why(tmp_path: Path) -> None:
    result = _init("--source", str(_folder(tmp_path)))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "book.toml").read_text(encoding="utf-8")
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config.metadata.title == "Mein Glossar" and config.metadata.authors == ("Ada", "Bob")
    assert config.metadata.language == "de-DE"
    assert config.sources.front_matter == ("002-lizenz.md",)
    assert config.sources.exclude == ("001-index.txt", "Glossar-v0.9.md")
    assert "# " in text and "exclude Glossar-v0.9.md: it repeats 4 entries of other files" in result.stdout
    assert "title: Mein Glossar (from the title block of 000-titel.txt)" in result.stdout
    check = subprocess.run([sys.executable, "-m", "publish", "check", "--source", str(tmp_path), "--strict"],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    _folder(tmp_path)
    (tmp_path / "book.toml").write_text("[book]\n", encoding="utf-8")
    result = _init("--source", str(tmp_path))
    assert result.returncode == 1 and "--force" in result.stderr
    assert (tmp_path / "book.toml").read_text(encoding="utf-8") == "[book]\n"
    assert _init("--source", str(tmp_path), "--force").returncode == 0
    assert "Exit status" in _init("--help").stdout


def test_init_guesses_english(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_text("## A\n\nThis is the text of the entry and it is for the reader.\n",
                                   encoding="utf-8")
    assert _init("--source", str(tmp_path)).returncode == 0
    assert load_config(tmp_path)[0].metadata.language == "en-US"
