"""One pass over the whole book: ids, links, aliases, duplicates, index."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from publish import model as m
from publish.build import load_book
from publish.diagnostics import Code
from publish.resolve.resolver import resolve
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


def test_links_leave_the_book_only_for_the_web_and_mail(tmp_path: Path) -> None:
    """A link to a file would point into the build folder in every format, so it becomes its text."""
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\n[w](https://example.org/x) [W](HTTP://Example.org) "
                                      "[m](mailto:ich@example.org)\n\n[f](anderes.md) [n](mailto:niemand)\n"})
    entry = loaded.book.entries[0]
    assert _links(entry) == ["https://example.org/x", "HTTP://Example.org", "mailto:ich@example.org"]
    spans = [n for n in walk(entry.blocks) if isinstance(n, m.Span)]
    assert [(s.attr, s.content) for s in spans] == [
        (m.Attr("", (m.UNRESOLVED_CLASS,)), (m.Str("f"),)), (m.Attr("", (m.UNRESOLVED_CLASS,)), (m.Str("n"),))]
    found = [(d.code, d.path.name, d.line, d.col) for d in loaded.diagnostics]
    assert found == [(Code.UNSUPPORTED_LINK, "A.md", 5, 5), (Code.UNSUPPORTED_LINK, "A.md", 5, 21)]
    assert loaded.diagnostics[0].message == \
        "link to 'anderes.md' is neither #id nor a web or mail address; rendered as plain text"


def test_raw_markup_for_another_format_is_shown_as_code_and_html_stays(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\n`\\par`{=latex} und\n\n```{=latex}\n\\input{x}\n```\n\n"
                                      "```{=html5}\n<b>fett</b>\n```\n"})
    blocks = loaded.book.entries[0].blocks
    raw = m.Attr("", ("raw", "latex"))
    assert [n for n in walk(blocks) if isinstance(n, (m.Code, m.CodeBlock))] == [
        m.Code(raw, "\\par"), m.CodeBlock(raw, "\\input{x}")]
    assert [(n.format, n.text.strip()) for n in walk(blocks) if isinstance(n, m.RawBlock)] == [("html", "<b>fett</b>")]
    found = [(d.code, d.path.name, d.line, d.col) for d in loaded.diagnostics]
    assert found == [(Code.RAW_FORMAT, "A.md", 3, 2), (Code.RAW_FORMAT, "A.md", 5, 1)]
    assert loaded.diagnostics[0].message == "raw latex markup is not passed to any format; shown as code"


def test_front_matter_ids_drop_the_ordering_number_and_scope_their_headings(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "000-lizenz.md": "# Lizenz\n\n## Bedingungen\n\n## Frei {#lizenz}\n",
        "01_2 Vor wort.md": "# Vorwort\n\nx\n",
        "000.md": "# Null\n",
        "A.md": "## A {#A .term}\n\n[l](#lizenz) [v](#Vor-wort)\n",
    })
    front = {f.source.name: (f.id, [h.attr.id for h in walk(f.blocks) if isinstance(h, m.Header)])
             for f in loaded.book.front_matter}
    assert front == {"000-lizenz.md": ("lizenz", ["lizenz--lizenz", "lizenz--bedingungen", "lizenz-2"]),
                     "000.md": ("id-000", ["id-000--null"]),
                     "01_2 Vor wort.md": ("Vor-wort", ["Vor-wort--vorwort"])}
    assert _links(loaded.book.entries[0]) == ["#lizenz", "#Vor-wort"]
    [dup] = loaded.diagnostics
    assert (dup.code, dup.path.name, dup.line) == (Code.DUPLICATE_ID, "000-lizenz.md", 5)
    assert f"(first declared at {tmp_path / '000-lizenz.md'}:1:1)" in dup.message


def test_every_id_is_registered_with_its_owner_and_links_from_other_entries_are_backlinks(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "GPU.md": '## GPU {#GPU .term aliases="Grafikprozessor"}\n\nEin [Beschleuniger]{.index}, '
                  '[hier]{#stelle} und [Rechenwerk]{.index #rw}.\n\n[selbst](#GPU){#verweis}\n',
        "Beschleuniger.md": "## Beschleuniger {#Beschleuniger .term}\n\n[g](#Grafikprozessor) [s](#stelle)\n",
        "TPU.md": "## TPU {#TPU .term}\n\n[b](#Beschleuniger) [g](#GPU)\n",
    })
    book = loaded.book
    assert {k: v for k, v in book.anchors.items() if not k.startswith(("letter-", "Index-"))} == {
        "Index": "Index", "titlepage": "titlepage", "toc": "toc", "cover": "cover",
        "Beschleuniger": "Beschleuniger", "GPU": "GPU", "TPU": "TPU", "GPU--index": "GPU", "stelle": "GPU", "rw": "GPU"}
    assert {k: v for k, v in book.anchors.items() if k.startswith(("letter-", "Index-"))} == {
        "letter-B": "Beschleuniger", "letter-G": "GPU", "letter-T": "TPU",
        "Index-B": "Index", "Index-G": "Index", "Index-R": "Index", "Index-T": "Index"}
    gpu = next(e for e in book.entries if e.id == "GPU")
    assert [n.attr.id for n in walk(gpu.blocks) if isinstance(n, m.Span)] == ["GPU--index", "stelle", "rw"]
    assert [(g.letter, g.anchor, [e.id for e in g.items]) for g in book.letters] == [
        ("B", "letter-B", ["Beschleuniger"]), ("G", "letter-G", ["GPU"]), ("T", "letter-T", ["TPU"])]
    assert dict(book.backlinks) == {"GPU": ("Beschleuniger", "TPU"), "Beschleuniger": ("TPU",)}
    assert loaded.diagnostics == ()


def test_an_entry_may_not_take_a_letter_or_reserved_id_and_its_attr_follows_its_id(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## Apfel {#letter-A .term}\n", "B.md": "## Birne {#toc .term}\n"})
    assert [(e.id, e.attr.id) for e in loaded.book.entries] == [("letter-A-2", "letter-A-2"), ("toc-2", "toc-2")]
    messages = [d.message for d in loaded.diagnostics]
    assert messages == ["duplicate id 'letter-A' (reserved); entry 'Apfel' gets id 'letter-A-2'",
                        "duplicate id 'toc' (reserved); entry 'Birne' gets id 'toc-2'"]


def test_a_declared_id_wins_over_one_made_from_a_title(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## Compute   Budget {.term}\n", "Z.md": "## Budget {#Compute-Budget .term}\n"})
    assert {e.source.name: e.id for e in loaded.book.entries} == {"Z.md": "Compute-Budget", "A.md": "Compute-Budget-2"}


def test_an_alias_that_is_another_entrys_id_is_no_conflict_and_links_go_to_that_entry(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "A.md": "## A {#A .term}\n",
        "B.md": '## B {#B .term aliases="A,Bee"}\n\n[a](#A) [b](#Bee)\n',
        "C.md": '## C {#C .term aliases="Bee"}\n',
    })
    [conflict] = loaded.diagnostics
    assert (conflict.code, conflict.path.name, conflict.line, conflict.col) == (Code.ALIAS_CONFLICT, "C.md", 1, 1)
    assert conflict.message == "alias 'Bee' of 'C' is already an alias of 'B'; links keep going there"
    assert _links(next(e for e in loaded.book.entries if e.id == "B")) == ["#A", "#B"]


def test_an_invalid_id_is_reported_at_its_place(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## 3D-Druck {#3D-Druck .term}\n"})
    [d] = loaded.diagnostics
    assert (d.code, d.path.name, d.line, d.col) == (Code.INVALID_ID, "A.md", 1, 1)
    assert d.message == "id '3D-Druck' is not valid in XHTML; using 'id-3D-Druck'"


def test_front_matter_links_are_resolved_but_are_no_backlinks(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "000-vorwort.md": "# Vorwort\n\nSiehe [GPU](#Grafikprozessor).\n",
        "GPU.md": '## GPU {#GPU .term aliases="Grafikprozessor"}\n',
    })
    [front] = loaded.book.front_matter
    assert [n.url for n in walk(front.blocks) if isinstance(n, m.Link)] == ["#GPU"]
    assert loaded.book.links == 1 and dict(loaded.book.backlinks) == {}


def test_resolving_keeps_metadata_and_time_and_orders_equal_titles_by_id_then_file(tmp_path: Path) -> None:
    """Called directly (not by the reader): entries in any order, nodes without a source position."""
    def entry(name: str, id_: str, blocks: tuple[m.Block, ...] = ()) -> m.Entry:
        return m.Entry(id_, (m.Str("X"),), "X", m.Attr(id_), (), blocks, tmp_path / name, 1, 1)

    link = m.Para((m.Link(m.Attr(), (m.Str("weg"),), "#Weg"), m.Link(m.Attr(), (m.Str("f"),), "datei.md"),
                   m.RawInline("latex", "\\x"), m.Image(m.Attr(), (m.Str("b"),), "fehlt.png")))
    metadata, when = m.Metadata(title="T"), datetime(2026, 1, 2, tzinfo=timezone.utc)
    resolution = resolve(metadata, (), [entry("b.md", "X"), entry("a.md", "X", (link,)), entry("c.md", "W")],
                         tmp_path, when)
    book, missing, diagnostics = resolution.book, resolution.missing, resolution.diagnostics
    assert book.metadata is metadata and book.modified == when and book.source == tmp_path
    assert [(e.source.name, e.id) for e in book.entries] == [("c.md", "W"), ("a.md", "X"), ("b.md", "X-2")]
    assert [(d.code, d.path, d.line, d.col) for d in diagnostics if d.code is not Code.DUPLICATE_ID] == [
        (c, Path("?"), 1, 1) for c in (Code.DANGLING_LINK, Code.UNSUPPORTED_LINK, Code.RAW_FORMAT, Code.MISSING_FILE)]
    assert [(mm.target, mm.uses) for mm in missing] == [("Weg", (m.SourcePos(Path("?"), 1),))]


def test_an_entry_may_not_take_the_index_anchor_of_a_letter_only_a_mark_starts(tmp_path: Path) -> None:
    """``Index-R`` heads the index's R group even when no title starts with R (only a mark)."""
    loaded = _book(tmp_path, {"Z.md": "## Zahl {#Index-R .term}\n\nEin [Rechenwerk]{.index}.\n"})
    assert loaded.book.entries[0].id == "Index-R-2"
    assert [(g.letter, g.anchor) for g in loaded.book.index] == [("R", "Index-R"), ("Z", "Index-Z")]
    assert [d.code for d in loaded.diagnostics] == [Code.DUPLICATE_ID]


def test_an_image_shown_or_refused_says_which_and_why(tmp_path: Path) -> None:
    (tmp_path / "bilder").mkdir()
    (tmp_path / "bild.png").write_bytes(png())
    (tmp_path / "kaputt.png").write_bytes(b"kein Bild")
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\n![gut](./bilder/../bild.png) ![weg](weg.png) "
                                      "![raus](../x.png) ![netz](HTTP://example.org/x.png) ![k](kaputt.png)\n"})
    entry = loaded.book.entries[0]
    assert [n.src for n in walk(entry.blocks) if isinstance(n, m.Image)] == ["bild.png"]
    assert dict(loaded.book.images) == {"bild.png": "image/png"}
    assert [(s.attr, s.content) for s in walk(entry.blocks) if isinstance(s, m.Span)] == [
        (m.Attr("", (m.MISSING_IMAGE_CLASS,)), (m.Str(alt),)) for alt in ("weg", "raus", "netz", "k")]
    assert [(d.code, d.message) for d in loaded.diagnostics] == [
        (Code.MISSING_FILE, "image 'weg.png' does not exist; its alt text is shown instead"),
        (Code.OUTSIDE_SOURCE, "image '../x.png' lies outside the source folder; its alt text is shown instead"),
        (Code.REMOTE_RESOURCE, "image 'HTTP://example.org/x.png' is not a file in the source folder; "
                               "nothing is fetched from outside; its alt text is shown instead"),
        (Code.BAD_IMAGE, "image 'kaputt.png' is not a readable image (UnidentifiedImageError); "
                         "its alt text is shown instead")]


def test_links_to_a_repaired_id_of_a_mark_or_span_follow_it(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\n[Begriff]{.index #3b} und [Stelle]{#3s}.\n\n"
                                      "### Teil {#teil}\n\n### Teil {#teil}\n\n[m](#3b) [s](#3s)\n"})
    entry = loaded.book.entries[0]
    assert _links(entry) == ["#id-3b", "#id-3s"]
    assert [d.message for d in loaded.diagnostics if d.code is Code.DUPLICATE_ID] == [
        f"duplicate id 'teil' (first declared at {tmp_path / 'A.md'}:5:1); this one gets id 'teil-2'"]


def test_backlinks_count_links_into_an_entry_and_follow_book_order_and_missing_entries_most_used_first(
        tmp_path: Path) -> None:
    loaded = _book(tmp_path, {
        "X.md": "## Ziel {#X .term}\n\n### Teil {#x-teil}\n",
        "Z1.md": "## Apfel {#Z1 .term}\n\n[t](#x-teil) [z](#Zeta) [z](#Zeta)\n",
        "A1.md": "## Zebra {#A1 .term}\n\n[x](#X) [a](#Alpha)\n",
    })
    assert dict(loaded.book.backlinks) == {"X": ("Z1", "A1")}
    assert [(mm.target, len(mm.uses)) for mm in loaded.missing] == [("Zeta", 2), ("Alpha", 1)]
    apfel = next(e for e in loaded.book.entries if e.id == "Z1")
    assert [s.content for s in walk(apfel.blocks) if isinstance(s, m.Span)] == [(m.Str("z"),), (m.Str("z"),)]
    dangling = next(d for d in loaded.diagnostics if d.code is Code.DANGLING_LINK)
    assert (dangling.path.name, dangling.line, dangling.col) == ("Z1.md", 3, 18)
    assert dangling.message == "link to #Zeta: no entry, heading or alias has this id; rendered as plain text"


def test_a_duplicate_heading_id_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    loaded = _book(tmp_path, {"A.md": "## A {#A .term}\n\nText [hier]{#ort} und [dort]{#ort}.\n\n# Kopf {#ort}\n"})
    [dup] = [d for d in loaded.diagnostics if d.code is Code.DUPLICATE_ID]
    assert (dup.line, dup.col) == (5, 1)
