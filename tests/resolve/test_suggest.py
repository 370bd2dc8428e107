"""Suggestions for missing targets and duplicate ids, against known cases."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from publish.build import load_book, suggestions_for


def _book(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _first(folder: Path, target: str) -> tuple[str, str, str, str]:
    s = suggestions_for(load_book(folder)).missing[target][0]
    return s.edit.action, s.edit.old, s.edit.new, s.reason


def test_copied_heading_id_suggests_the_id_the_file_name_implies(tmp_path: Path) -> None:
    _book(tmp_path, {"CNN.md": "## CNN {#CNN .term}\n", "Claude.md": "## CNN {#CNN .term}\n",
                     "A.md": "## A {#A .term}\n\n[C](#Claude) [C](#Claude)\n"})
    action, old, new, reason = _first(tmp_path, "Claude")
    assert (action, old, new) == ("set-id", "CNN", "Claude")
    assert reason == "Claude.md declares {#CNN}; 2 links want #Claude"
    duplicate = suggestions_for(load_book(tmp_path)).duplicates[0]
    assert duplicate.id == "CNN" and duplicate.suggestions[0].reason.startswith("Claude.md is a copy of CNN.md")


def test_case_variant(tmp_path: Path) -> None:
    _book(tmp_path, {"GPU.md": "## GPU {#GPU .term}\n", "A.md": "## A {#A .term}\n\n[g](#Gpu)\n"})
    assert _first(tmp_path, "Gpu")[:3] == ("relink", "Gpu", "GPU")
    assert "differ only in case" in _first(tmp_path, "Gpu")[3]


def test_umlaut_and_hyphen_variants(tmp_path: Path) -> None:
    _book(tmp_path, {"Oe.md": "## KI-Ökosystem {#KI-Ökosystem .term}\n",
                     "A.md": "## A {#A .term}\n\n[x](#KI-Oekosystem) [y](#KI_Okosystem)\n"})
    action, _, new, reason = _first(tmp_path, "KI-Oekosystem")
    assert (action, new) == ("relink", "KI-Ökosystem") and reason.endswith("differ only in umlauts or ß")
    assert _first(tmp_path, "KI_Okosystem")[3].endswith("umlauts or ß and hyphens or underscores")


def test_near_miss(tmp_path: Path) -> None:
    _book(tmp_path, {"ML.md": "## Machine Learning {#Machine-Learning .term}\n",
                     "A.md": "## A {#A .term}\n\n[x](#Machine-Lerning) [y](#Learning)\n"})
    action, _, new, reason = _first(tmp_path, "Machine-Lerning")
    assert (action, new) == ("relink", "Machine-Learning") and "is close to #Machine-Learning" in reason
    assert "Learning" not in suggestions_for(load_book(tmp_path)).missing


def test_a_title_naming_the_missing_id_proposes_an_alias(tmp_path: Path) -> None:
    _book(tmp_path, {"Vector.md": "## Vektor {#Vector .term}\n", "CNN.md": "## CNN (Convolutional Network) {#CNN .term}\n",
                     "A.md": "## A {#A .term}\n\n[v](#Vektor) [c](#Convolutional-Network)\n"})
    assert _first(tmp_path, "Vektor")[:3] == ("add-alias", "", "Vektor")
    assert _first(tmp_path, "Convolutional-Network")[:3] == ("add-alias", "", "Convolutional Network")


def test_at_most_three_suggestions_best_first(tmp_path: Path) -> None:
    _book(tmp_path, {"gpu.md": "## GPU {#GPU .term}\n", "Gpu2.md": "## GPUs {#GPUs .term}\n",
                     "G3.md": "## G-P-U {#G-P-U .term}\n", "G4.md": "## G_PU {#G_PU .term}\n",
                     "A.md": "## A {#A .term}\n\n[g](#gpu)\n"})
    found = suggestions_for(load_book(tmp_path)).missing["gpu"]
    assert len(found) == 3 and found[0].edit.action == "set-id"


def test_sample_corpus_known_cases(corpus: Path) -> None:
    loaded = load_book(corpus)
    claude = suggestions_for(loaded).missing["Claude"][0]
    assert claude.reason == "Claude.md declares {#CNN}; 4 links want #Claude"
    assert suggestions_for(loaded).missing["pyTorch"][0].edit.new == "PyTorch"
    assert suggestions_for(loaded).missing["PromptEngineering"][0].edit.new == "Prompt-Engineering"
    duplicates = {d.id: d for d in suggestions_for(loaded).duplicates}
    assert [p.name for p in duplicates["Deep-Learning"].paths] == ["Deep-Learning.md", "DL.md"]
    assert duplicates["Deep-Learning"].suggestions[0].edit.new == "DL"
    assert duplicates["CNN"].suggestions[0].edit.new == "Claude"


def test_scaled_corpus_known_cases(corpus: Path, tmp_path: Path) -> None:
    """The sample corpus scaled to 100 entries (copies with numbered ids): the same cases, and numbered
    ids are never near misses of each other."""
    make_corpus = corpus.parent.parent / "bench" / "make_corpus.py"
    if not make_corpus.is_file():
        pytest.skip(f"{make_corpus} not found")
    subprocess.run([sys.executable, str(make_corpus), "100", str(tmp_path)], check=True, capture_output=True)
    loaded = load_book(tmp_path)
    assert suggestions_for(loaded).missing["Claude"][0].reason.startswith("Claude.md declares {#CNN}; ")
    duplicates = {d.id: d for d in suggestions_for(loaded).duplicates}
    assert duplicates["CNN-1"].suggestions[0].edit.new == "Claude-1"
    assert duplicates["Deep-Learning-2"].suggestions[0].edit.new == "DL-2"
    assert not [s for found in suggestions_for(loaded).missing.values() for s in found if "is close to" in s.reason]
