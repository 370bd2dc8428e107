"""The index as data: mark terms, letter groups, main entries first, aliases as "see"."""
from __future__ import annotations

from pathlib import Path

from publish import model as m
from publish.resolve.collation import DIGITS_GROUP
from publish.resolve.index import IndexMark, build_index, group_by_letter, letter_anchor
from publish.tree import mark_term


def _entry(anchor: str, title: str, aliases: tuple[str, ...] = ()) -> m.Entry:
    return m.Entry(id=anchor, title=(m.Str(title),), title_text=title, attr=m.Attr(anchor, ("term",)),
                   aliases=aliases, blocks=(), source=Path(f"{anchor}.md"), line=1, end_line=1)


def _mark(content: tuple[m.Inline, ...], term: str | None = None) -> m.Span:
    kv = (("term", term),) if term is not None else ()
    return m.Span(m.Attr("", ("index",), kv), content)


def _flat(groups: tuple[m.LetterGroup[m.IndexItem], ...]) -> list[tuple[str, str, list[tuple[str, bool]], str]]:
    return [(g.letter, i.term, [(t.id, t.main) for t in i.targets], i.see) for g in groups for i in g.items]


# --- mark_term -----------------------------------------------------------------------------


def test_a_mark_files_its_place_under_the_marked_text() -> None:
    assert mark_term(_mark((m.Str("Beschleuniger"),))) == "Beschleuniger"


def test_the_marked_text_is_read_as_plain_text() -> None:
    span = _mark((m.Str(" neuronale"), m.SoftBreak(), m.Emph((m.Str("Netze"),)), m.Str(" ")))
    assert mark_term(span) == "neuronale Netze"


def test_term_attribute_overrides_the_marked_text() -> None:
    assert mark_term(_mark((m.Str("Grafikkarten"),), term="GPU")) == "GPU"


def test_an_empty_term_attribute_falls_back_to_the_text() -> None:
    assert mark_term(_mark((m.Str("Grafikkarten"),), term="")) == "Grafikkarten"


# --- letters ------------------------------------------------------------------------------


def test_letter_anchors() -> None:
    assert letter_anchor("letter", "A") == "letter-A"
    assert letter_anchor("Index", "Ö") == "Index-Ö"
    assert letter_anchor("letter", DIGITS_GROUP) == "letter-0"


def test_grouping_by_initial_letter_keeps_the_given_order() -> None:
    terms = ["3D-Druck", "„Zitat“", "Apfel", "Äpfel", "azur", "Öl", "Ozean", "ß-Regel"]
    groups = group_by_letter(terms, lambda t: t, "Index")
    assert [(g.letter, g.items, g.anchor) for g in groups] == [
        (DIGITS_GROUP, ("3D-Druck",), "Index-0"),
        ("Z", ("„Zitat“",), "Index-Z"),
        ("A", ("Apfel", "Äpfel", "azur"), "Index-A"),
        ("O", ("Öl", "Ozean"), "Index-O"),
        ("S", ("ß-Regel",), "Index-S"),
    ]


# --- build_index ---------------------------------------------------------------------------


def test_entry_is_the_main_target_and_comes_before_marks() -> None:
    entries = [_entry("GPU", "GPU")]
    marks = [IndexMark("GPU", "TPU--index"), IndexMark("GPU", "Compute--index")]
    assert _flat(build_index(entries, marks)) == [
        ("G", "GPU", [("GPU", True), ("TPU--index", False), ("Compute--index", False)], ""),
    ]


def test_a_term_only_marked_has_no_main_target() -> None:
    assert _flat(build_index([], [IndexMark("Beschleuniger", "GPU--index")])) == [
        ("B", "Beschleuniger", [("GPU--index", False)], ""),
    ]


def test_aliases_point_to_their_entry_as_see() -> None:
    entries = [_entry("GPU", "GPU", aliases=("Grafikprozessor", "Graphics Processing Unit"))]
    assert _flat(build_index(entries, [])) == [
        ("G", "GPU", [("GPU", True)], ""),
        ("G", "Grafikprozessor", [("GPU", True)], "GPU"),
        ("G", "Graphics Processing Unit", [("GPU", True)], "GPU"),
    ]


def test_an_alias_that_is_a_real_term_is_not_a_see_item() -> None:
    # One alias is another entry's title, the other a marked term: both are filed as themselves.
    entries = [_entry("KI", "KI", aliases=("Maschinelles Lernen", "Statistik")), _entry("ML", "Maschinelles Lernen")]
    marks = [IndexMark("Statistik", "KI--index")]
    assert _flat(build_index(entries, marks)) == [
        ("K", "KI", [("KI", True)], ""),
        ("M", "Maschinelles Lernen", [("ML", True)], ""),
        ("S", "Statistik", [("KI--index", False)], ""),
    ]


def test_an_alias_two_entries_share_goes_to_the_first() -> None:
    entries = [_entry("Bild", "Bildklassifikation", aliases=("CV",)),
               _entry("Computer-Vision", "Computer Vision", aliases=("CV",))]
    assert [(t, tg, see) for _, t, tg, see in _flat(build_index(entries, []))] == [
        ("Bildklassifikation", [("Bild", True)], ""),
        ("Computer Vision", [("Computer-Vision", True)], ""),
        ("CV", [("Bild", True)], "Bildklassifikation"),
    ]


def test_terms_aliases_and_marks_are_sorted_together_in_din_order_and_grouped() -> None:
    entries = [_entry("Zebra", "Zebra"), _entry("Oekosystem", "Ökosystem", aliases=("Umwelt",)),
               _entry("Apfel", "Apfel", aliases=("Äpfel",))]
    marks = [IndexMark("Ozean", "Zebra--index"), IndexMark("3D-Druck", "Apfel--index"),
             IndexMark("azur", "Zebra--index-2")]
    groups = build_index(entries, marks)
    assert [(g.letter, g.anchor, [i.term for i in g.items]) for g in groups] == [
        (DIGITS_GROUP, "Index-0", ["3D-Druck"]),
        ("A", "Index-A", ["Apfel", "Äpfel", "azur"]),
        ("O", "Index-O", ["Ökosystem", "Ozean"]),
        ("U", "Index-U", ["Umwelt"]),
        ("Z", "Index-Z", ["Zebra"]),
    ]


def test_two_entries_with_one_title_share_an_item_both_main() -> None:
    entries = [_entry("Bank", "Bank"), _entry("Bank-2", "Bank")]
    assert _flat(build_index(entries, [IndexMark("Bank", "Geld--index")])) == [
        ("B", "Bank", [("Bank", True), ("Bank-2", True), ("Geld--index", False)], ""),
    ]
