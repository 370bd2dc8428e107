"""German dictionary order (DIN 5007-1) and letter groups."""
from __future__ import annotations

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
