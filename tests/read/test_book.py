"""Whole books: the default book in seeds/ and the real sample corpus."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

from publish import model as m
from publish.build import load_book
from publish.diagnostics import Code
from publish.render.docx.pandoc_runner import run_pandoc
from publish.tree import walk

from tests.conftest import SEEDS


def _links(blocks: tuple[m.Block, ...]) -> set[str]:
    return {n.url[1:] for n in walk(blocks) if isinstance(n, m.Link) and n.url.startswith("#")}


def test_default_book_is_clean_ordered_and_linked_both_ways() -> None:
    loaded = load_book(SEEDS)
    book = loaded.book
    assert loaded.diagnostics == () and loaded.missing == ()
    assert [e.id for e in book.entries] == ["Claude", "Compute", "Compute-Budget", "GPU", "Green-AI",
                                            "Scaling-Law", "TPU"]
    assert book.metadata.language == "de-DE" and book.metadata.title == "KI-Glossar"
    assert [f.source.name for f in book.front_matter] == ["000-lizenz.md"]
    ids = {e.id for e in book.entries}
    for entry in book.entries:
        outgoing = _links(entry.blocks) - {m.INDEX_ID}
        incoming = {e.id for e in book.entries if entry.id in _links(e.blocks)}
        assert outgoing and outgoing <= ids, entry.id
        assert incoming, f"nothing links to {entry.id}"
        assert m.INDEX_ID in _links(entry.blocks)


def test_seed_entry_is_the_given_one_byte_for_byte() -> None:
    seed = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_73c79e5ac83eb978.txt"
    if seed.is_file():
        assert (SEEDS / "Compute.md").read_bytes() == seed.read_bytes()
    assert (SEEDS / "Compute.md").read_text(encoding="utf-8").startswith("## Compute {#Compute .chapter")


def _pandoc_blocks(path: Path) -> list[dict[str, Any]]:
    return json.loads(run_pandoc(["-f", "markdown", "-t", "json", str(path)]))["blocks"]


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child)


def test_corpus_has_exactly_its_real_duplicates_and_dangling_links(corpus: Path) -> None:
    """Expected values come from pandoc's reading of the same files, not from our reader."""
    declared: dict[str, list[str]] = {}
    targets: Counter[str] = Counter()
    for path in sorted(corpus.glob("*.md")):
        for node in _nodes(_pandoc_blocks(path)):
            if node["t"] == "Header" and "term" in node["c"][1][1]:
                declared.setdefault(node["c"][1][0], []).append(path.name)
            elif node["t"] == "Link" and node["c"][2][0].startswith("#"):
                targets[node["c"][2][0][1:]] += 1
    expected_dangling = {t: n for t, n in targets.items() if t not in declared and t != m.INDEX_ID}

    loaded = load_book(corpus)
    assert {mm.target: len(mm.uses) for mm in loaded.missing} == expected_dangling
    dangling = [d for d in loaded.diagnostics if d.code is Code.DANGLING_LINK]
    assert len(dangling) == sum(expected_dangling.values())
    assert loaded.book.links == sum(targets.values()) - len(dangling)

    duplicates = sorted((d.path.name, d.message.split("'")[1]) for d in loaded.diagnostics
                        if d.code is Code.DUPLICATE_ID)
    assert duplicates == [("Claude.md", "CNN"), ("DL.md", "Deep-Learning")]
    assert {i: f for i, f in declared.items() if len(f) > 1} == \
        {"CNN": ["CNN.md", "Claude.md"], "Deep-Learning": ["DL.md", "Deep-Learning.md"]}
    others = {d.code for d in loaded.diagnostics} - {Code.DANGLING_LINK, Code.DUPLICATE_ID}
    assert others == set()


def test_corpus_metadata_front_matter_and_order(corpus: Path) -> None:
    book = load_book(corpus).book
    assert book.metadata.title == "KI-Glossar und -Tutorial"
    assert book.metadata.authors == ("Kurt Pfeifle",)
    assert [f.source.name for f in book.front_matter] == ["002-ki-lizenz.txt"]
    titles = [e.title_text for e in book.entries]
    assert len(titles) == 29
    haiku = next(e for e in book.entries if e.id == "Haiku")
    assert {b.level for b in haiku.blocks if isinstance(b, m.Header)} == {2}
    assert [g.letter for g in book.letters][:3] == ["A", "C", "D"]
    assert titles.index("KI-Haikus") < titles.index("KI-Ökosystem") < titles.index("Latent Space")
