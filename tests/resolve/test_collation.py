"""German dictionary order (DIN 5007-1) and letter groups."""
from __future__ import annotations

from pathlib import Path

from publish.build import load_book
from publish.resolve.collation import DIGITS_GROUP, initial_letter, sort_key


def test_din_5007_1_order() -> None:
    words = ["Zebra", "Übung", "Straße", "Strasse", "Ökosystem", "Ozean", "Apfel", "Äpfel",
             "apfel", "3D-Druck", "Uhr", "ab"]
    assert sorted(words, key=sort_key) == [
        "3D-Druck", "ab", "apfel", "Apfel", "Äpfel", "Ökosystem", "Ozean",
        "Strasse", "Straße", "Übung", "Uhr", "Zebra",
    ]


def test_umlaut_sorts_as_its_base_letter_not_after_z() -> None:
    assert sort_key("Änderung") < sort_key("Bahn") and sort_key("Öl") < sort_key("Pumpe")


def test_initial_letters() -> None:
    assert [initial_letter(w) for w in ["Ökosystem", "ärger", "ß-Regel", "3D", "„Zitat“", "λ-Kalkül"]] == \
        ["O", "A", "S", DIGITS_GROUP, "Z", "Λ"]


# --- cases that plain code-point order (or a wrong ß rule) gets wrong -------------------


def _din(words: list[str]) -> list[str]:
    return sorted(words, key=sort_key)


def test_umlaut_files_with_its_base_letter_between_neighbours() -> None:
    # Code points put Ä (U+00C4) after every ASCII letter, so "Äpfel" would land after "Azur".
    assert _din(["Azur", "Äpfel", "Apfel"]) == ["Apfel", "Äpfel", "Azur"]
    assert _din(["Oz", "Öl", "Ofen"]) == ["Ofen", "Öl", "Oz"]
    assert _din(["Uz", "Übung", "Ubahn"]) == ["Ubahn", "Übung", "Uz"]


def test_eszett_sorts_as_ss_not_sz() -> None:
    # ß = ss: "Straße" ties with "Strasse" at the base level and so comes before "Strassf";
    # read as "sz" it would come after it, next to "Strasze"; by code point after all of them.
    assert _din(["Strasze", "Strassf", "Straße", "Strasse"]) == ["Strasse", "Straße", "Strassf", "Strasze"]
    assert _din(["Masse", "Maßband", "Mast"]) == ["Maßband", "Masse", "Mast"]


def test_umlaut_is_its_base_letter_not_base_plus_e() -> None:
    # DIN 5007-1 (dictionaries) reads ü as u; DIN 5007-2 (name lists) would read it as ue.
    assert _din(["Müller", "Mull", "Mueller"]) == ["Mueller", "Mull", "Müller"]


def test_case_only_breaks_ties() -> None:
    # By code point every capital sorts before every small letter: "Bahnsteig" < "bahnhof".
    assert _din(["Bahnsteig", "bahnhof", "Bahn"]) == ["Bahn", "bahnhof", "Bahnsteig"]
    assert _din(["Zebra", "apfel", "Birne"]) == ["apfel", "Birne", "Zebra"]
    # An exact tie but for case is decided, and the same way every time.
    assert _din(["Apfel", "apfel"]) == _din(["apfel", "Apfel"])


def test_digits_before_letters_and_umlauts() -> None:
    assert _din(["Ära", "Zahl", "3D-Druck", "a"]) == ["3D-Druck", "a", "Ära", "Zahl"]


def test_sort_key_is_total_for_distinct_terms() -> None:
    # Terms that DIN treats as equal still get distinct keys, so the book's order never depends on input order.
    equal_by_din = ["Strasse", "Straße", "STRASSE", "strasse"]
    assert len({sort_key(w) for w in equal_by_din}) == 4
    assert _din(equal_by_din) == _din(list(reversed(equal_by_din)))


def test_a_book_with_umlaut_titles_comes_out_in_din_order(tmp_path: Path) -> None:
    titles = {"Zebra": "Zebra", "Oel": "Öl", "Ozean": "Ozean", "Ofen": "Ofen", "Azur": "Azur",
              "Aepfel": "Äpfel", "Apfel": "Apfel", "Strasze": "Strasze", "Strasse": "Straße", "Strassf": "Strassf",
              "Uebung": "Übung", "Ubahn": "Ubahn", "Druck3D": "3D-Druck"}
    # Files in an order that is neither the titles' nor the ids'.
    for n, (anchor, title) in enumerate(sorted(titles.items(), key=lambda kv: kv[1][::-1])):
        (tmp_path / f"eintrag-{n:02d}.md").write_text(f"## {title} {{#{anchor} .term}}\n\nText.\n", encoding="utf-8")

    loaded = load_book(tmp_path)
    assert loaded.diagnostics == ()
    book = loaded.book
    assert [e.title_text for e in book.entries] == [
        "3D-Druck", "Apfel", "Äpfel", "Azur", "Ofen", "Öl", "Ozean",
        "Straße", "Strassf", "Strasze", "Ubahn", "Übung", "Zebra"]
    assert [(g.letter, [e.title_text for e in g.items]) for g in book.letters] == [
        (DIGITS_GROUP, ["3D-Druck"]), ("A", ["Apfel", "Äpfel", "Azur"]), ("O", ["Ofen", "Öl", "Ozean"]),
        ("S", ["Straße", "Strassf", "Strasze"]), ("U", ["Ubahn", "Übung"]), ("Z", ["Zebra"])]
    # The index files the same terms in the same order.
    assert [item.term for group in book.index for item in group.items] == [e.title_text for e in book.entries]
