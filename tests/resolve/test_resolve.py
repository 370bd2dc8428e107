"""One pass over the whole book: ids, links, aliases, duplicates, index."""
from __future__ import annotations

from pathlib import Path

from publish import model as m
from publish.build import load_book
from publish.diagnostics import Code
from publish.tree import walk

from tests.resolve.test_images import png


def _book(tmp_path: Path, files: dict[str, str]):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_book(tmp_path)


def _links(entry: m.Entry) -> list[str]:
    return [n.url for n in walk(entry.blocks) if isinstance(n, m.Link)]


def test_links_resolve_to_entries_headings_aliases_and_index(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "GPU.md": '## GPU {#GPU .term aliases="Grafikprozessor"}\n\n### Aufbau {#gpu-aufbau}\n\nx\n',
        "TPU.md": "## TPU {#TPU .term}\n\n[a](#GPU) [b](#gpu-aufbau) [c](#Grafikprozessor) [d](#Index)\n",
    })
    tpu = next(e for e in loaded.book.entries if e.id == "TPU")
    assert _links(tpu) == ["#GPU", "#gpu-aufbau", "#GPU", "#Index"]
    assert loaded.book.links == 4 and loaded.diagnostics == ()
    assert loaded.book.anchors["gpu-aufbau"] == "GPU"


def test_an_alias_with_characters_invalid_in_ids_is_reached_as_written_and_as_its_id(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "BC.md": '## B und C {#BC .term aliases="B&C, Daten & Modelle"}\n\nx\n',
        "D.md": "## D {#D .term}\n\n[a](#B&C) [b](#B-C) [c](#Daten-&-Modelle) [d](#Daten---Modelle)\n",
    })
    d = next(e for e in loaded.book.entries if e.id == "D")
    assert _links(d) == ["#BC"] * 4
    assert loaded.diagnostics == ()


def test_dangling_link_becomes_plain_text_and_a_missing_entry(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "A.md": "## A {#A .term}\n\n[Kigo](#Kigo) und [Kigo](#Kigo)\n",
        "B.md": "## B {#B .term}\n\n[Renga](#Renga) [Kigo](#Kigo)\n",
    })
    a = next(e for e in loaded.book.entries if e.id == "A")
    assert _links(a) == []
    spans = [n for n in walk(a.blocks) if isinstance(n, m.Span)]
    assert [s.attr for s in spans] == [m.Attr("", (m.UNRESOLVED_CLASS,))] * 2  # plain: no id, no target
    assert [(mm.target, len(mm.uses)) for mm in loaded.missing] == [("Kigo", 3), ("Renga", 1)]
    dangling = [(d.path.name, d.line, d.col) for d in loaded.diagnostics if d.code is Code.DANGLING_LINK]
    assert dangling == [("A.md", 3, 8), ("A.md", 3, 26), ("B.md", 3, 9), ("B.md", 3, 24)]


def test_duplicate_id_names_both_places_and_the_named_file_wins(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "CNN.md": "## CNN {#CNN .term}\n\nx\n",
        "Claude.md": "## Claude {#CNN .term}\n\n[c](#CNN)\n",
    })
    ids = {e.source.name: e.id for e in loaded.book.entries}
    assert ids == {"CNN.md": "CNN", "Claude.md": "CNN-2"}
    [dup] = [d for d in loaded.diagnostics if d.code is Code.DUPLICATE_ID]
    assert (dup.path.name, dup.line) == ("Claude.md", 1)
    assert "CNN.md:1" in dup.message and "'CNN-2'" in dup.message
    claude = next(e for e in loaded.book.entries if e.source.name == "Claude.md")
    assert _links(claude) == ["#CNN"]


def test_the_file_named_after_the_id_wins_even_when_it_sorts_later(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "DL.md": "## DL (Deep Learning) {#Deep-Learning .term}\n",
        "Deep-Learning.md": "## Deep Learning {#Deep-Learning .term}\n",
    })
    assert {e.source.name: e.id for e in loaded.book.entries} == \
        {"Deep-Learning.md": "Deep-Learning", "DL.md": "Deep-Learning-2"}


def test_generated_ids_are_scoped_to_their_entry_and_unique(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "A.md": "## A {#A .term}\n\n### Geschichte\n\n### Geschichte\n",
        "B.md": "## B {#B .term}\n\n### Geschichte\n",
        "C.md": "## Compute Budget {.term}\n",
    })
    headers = {e.id: [h.attr.id for h in walk(e.blocks) if isinstance(h, m.Header)] for e in loaded.book.entries}
    assert headers == {"A": ["A--geschichte", "A--geschichte-2"], "B": ["B--geschichte"], "Compute-Budget": []}


def test_an_entry_may_not_take_the_index_id(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"Index.md": "## Index {#Index .term}\n"})
    assert loaded.book.entries[0].id == "Index-2"
    assert [d.code for d in loaded.diagnostics] == [Code.DUPLICATE_ID]


def test_invalid_explicit_id_is_repaired_and_links_follow(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## 3D-Druck {#3D-Druck .term}\n\n[x](#3D-Druck)\n"})
    entry = loaded.book.entries[0]
    assert entry.id == "id-3D-Druck" and _links(entry) == ["#id-3D-Druck"]
    assert [d.code for d in loaded.diagnostics] == [Code.INVALID_ID]


def test_index_lists_titles_aliases_and_marks_in_german_order(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "GPU.md": '## GPU {#GPU .term aliases="Grafikprozessor"}\n\nEin [Beschleuniger]{.index}.\n',
        "Oe.md": "## Ökosystem {#Oekosystem .term}\n\nJeder [Beschleuniger]{.index} zählt.\n",
        "Acc.md": "## Beschleuniger {#Beschleuniger .term}\n",
    })
    index = {g.letter: [(i.term, [(t.id, t.main) for t in i.targets], i.see) for i in g.items]
             for g in loaded.book.index}
    assert index == {
        "B": [("Beschleuniger", [("Beschleuniger", True), ("GPU--index", False), ("Oekosystem--index", False)], "")],
        "G": [("GPU", [("GPU", True)], ""), ("Grafikprozessor", [("GPU", True)], "GPU")],
        "O": [("Ökosystem", [("Oekosystem", True)], "")],
    }
    assert [g.letter for g in loaded.book.letters] == ["B", "G", "O"]


def test_images_must_be_files_inside_the_source_folder(tmp_path: Path) -> None:
    (tmp_path / "bild.png").write_bytes(png())
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\n![gut](bild.png) ![fehlt](weg.png)\n\n"
                                      "![raus](../../etc/passwd) ![netz](http://example.org/x.png)\n"})
    entry = loaded.book.entries[0]
    assert [n.src for n in walk(entry.blocks) if isinstance(n, m.Image)] == ["bild.png"]
    shown = [n.content[0].text for n in walk(entry.blocks) if isinstance(n, m.Span)]
    assert shown == ["fehlt", "raus", "netz"]
    assert [(d.code, d.line) for d in loaded.diagnostics] == [
        (Code.MISSING_FILE, 3), (Code.OUTSIDE_SOURCE, 5), (Code.REMOTE_RESOURCE, 5)]


def test_two_entries_with_one_alias_the_first_keeps_it_and_the_second_is_reported(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "A.md": '## A {#A .term aliases="Rechner"}\n\nx\n',
        "B.md": '## B {#B .term aliases="Rechner,Computer"}\n\n[r](#Rechner) [c](#Computer)\n',
    })
    [conflict] = [d for d in loaded.diagnostics if d.code is Code.ALIAS_CONFLICT]
    assert (conflict.path.name, conflict.line) == ("B.md", 1)
    assert "'Rechner'" in conflict.message and "'A'" in conflict.message
    b = next(e for e in loaded.book.entries if e.id == "B")
    assert _links(b) == ["#A", "#B"]
