"""An earlier aggregated build and a hand-made index page are named once, not line by line."""
from __future__ import annotations

from pathlib import Path

from publish.build import load_book, suggestions_for
from publish.diagnostics import Code

TERMS = ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")


def _book(folder: Path) -> Path:
    for term in TERMS:
        (folder / f"{term}.md").write_text(f"## {term} {{#{term} .term}}\n\nText über {term}.\n", encoding="utf-8")
    return folder


def test_an_aggregated_build_is_one_diagnostic(tmp_path: Path) -> None:
    _book(tmp_path)
    (tmp_path / "Glossar-v0.9.md").write_text(
        "".join(f"## {t} {{#{t} .term}}\n\nAlt.\n\n" for t in TERMS), encoding="utf-8")
    loaded = load_book(tmp_path)
    codes = [d.code for d in loaded.diagnostics]
    assert Code.DUPLICATE_ID not in codes and codes.count(Code.REPEATED_ENTRIES) == 1
    found = next(d for d in loaded.diagnostics if d.code is Code.REPEATED_ENTRIES)
    assert found.path.name == "Glossar-v0.9.md" and found.message.startswith("repeats 5 entries of other files")
    assert suggestions_for(loaded).duplicates == ()


def test_a_hand_made_index_page(tmp_path: Path) -> None:
    _book(tmp_path)
    links = " | ".join(f"[{t}](#{t})" for t in TERMS * 2)
    (tmp_path / "001-index.txt").write_text(f"# Index\n\n{links}\n", encoding="utf-8")
    found = [d for d in load_book(tmp_path).diagnostics if d.code is Code.INDEX_PAGE]
    assert [d.path.name for d in found] == ["001-index.txt"] and "10 links" in found[0].message


def test_a_real_book_has_no_strays(corpus: Path) -> None:
    assert load_book(corpus).strays == ()
