"""publish new TERM: a safe file name and id, the template's Markdown, the entries linking to it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from publish.author.new_entry import markdown_text
from publish.build import load_book
from publish.read.reader import read_markdown
from tests.conftest import ROOT


def _new(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publish", "new", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def _book(folder: Path) -> Path:
    (folder / "A.md").write_text("## Alpha [*x*] {#A .term}\n\n[NN](#Neural-Network) [NN](#Neural-Network)\n",
                                 encoding="utf-8")
    (folder / "B.md").write_text("## Beta {#B .term}\n\nSiehe [NN](#Neural-Network).\n", encoding="utf-8")
    return folder


def test_new_entry_takes_the_missing_id_and_lists_who_links_to_it(tmp_path: Path) -> None:
    result = _new("Neural Network", "--source", str(_book(tmp_path)))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "Neural-Network.md").read_text(encoding="utf-8")
    assert text.startswith("## Neural Network {#Neural-Network .term}\n")
    assert "[Alpha \\[x\\]](#A) |\n[Beta](#B) |\n" in text
    loaded = load_book(tmp_path)
    assert loaded.missing == () and loaded.diagnostics == ()
    assert _new("Neural Network", "--source", str(tmp_path)).returncode == 1


@pytest.mark.parametrize("term", ["x](#y){.z}", "A\n## B", "<script>", "`code`", "*", "../etc", "A {#B}",
                                  "_x_", "a" * 101, ""])
def test_a_term_cannot_inject_structure(tmp_path: Path, term: str) -> None:
    result = _new(term, "--source", str(_book(tmp_path)))
    assert result.returncode == 2 and "not a term" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.md", "B.md"]


@pytest.mark.parametrize(("term", "name"), [("DL (Deep Learning)", "DL-Deep-Learning.md"),
                                            ("3D-Druck", "id-3D-Druck.md"), ("Ökosystem/KI", "Ökosystem-KI.md"),
                                            ("C++", "C.md")])
def test_file_names_are_safe_ids(tmp_path: Path, term: str, name: str) -> None:
    _book(tmp_path)
    assert _new(term, "--source", str(tmp_path)).returncode == 0
    assert (tmp_path / name).is_file()
    assert not [d for d in load_book(tmp_path).diagnostics if d.path and d.path.name == name]


def test_the_book_template_wins_over_the_theme(tmp_path: Path) -> None:
    _book(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new-entry.md.j2").write_text(
        '## {{ term }} {{ "{" }}#{{ id }} .term .small}\n\n{{ linked_from | length }} entries link here.\n',
        encoding="utf-8")
    assert _new("Neural Network", "--source", str(tmp_path)).returncode == 0
    assert (tmp_path / "Neural-Network.md").read_text(encoding="utf-8") == \
        "## Neural Network {#Neural-Network .term .small}\n\n2 entries link here.\n"


def test_templates_are_sandboxed(tmp_path: Path) -> None:
    _book(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new-entry.md.j2").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    result = _new("Neural Network", "--source", str(tmp_path))
    assert result.returncode == 2 and "template error" in result.stderr


def test_escaped_titles_read_back_as_the_same_text() -> None:
    title = "A [b](#c) *d* {#e} <f> `g` \\h"
    blocks, _ = read_markdown(f"[{markdown_text(title)}](#x)\n", Path("t.md"), "de-DE")
    link = blocks[0].content[0]
    assert "".join(getattr(n, "text", " ") for n in link.content) == title
