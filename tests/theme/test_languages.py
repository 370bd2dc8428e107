"""Language data: every language the reader knows has quotes and Word's id; German and English
have every label; unknown languages fall back to English."""
from __future__ import annotations

import pytest

from publish.theme.languages import ENGLISH, GERMAN, LANGUAGES, language_of, month_number


@pytest.mark.parametrize(("tag", "code"), [("de-DE", "de"), ("de", "de"), ("DE-at", "de"), ("en-GB", "en"),
                                           ("fr-CH", "fr"), ("tlh", "en"), ("", "en")])
def test_a_bcp47_tag_picks_its_primary_language(tag: str, code: str) -> None:
    assert language_of(tag).code == code


def test_german_and_english_are_complete_and_distinct() -> None:
    assert set(GERMAN.labels) == set(ENGLISH.labels)
    assert all(GERMAN.labels[k] and ENGLISH.labels[k] for k in GERMAN.labels)
    assert GERMAN.labels["see"] == "siehe" and ENGLISH.labels["see"] == "see"
    assert (GERMAN.quotes, ENGLISH.quotes) == ("„“‚‘", "“”‘’")
    assert (GERMAN.lcid, ENGLISH.lcid) == (1031, 1033)
    summary = GERMAN.accessibility_summary.format(title="T", entries=3)
    assert summary.startswith("T: ein Nachschlagewerk mit 3 Einträgen")
    assert ENGLISH.accessibility_summary.format(title="T", entries=3).startswith("T: a reference work of 3 entries")


def test_every_language_has_four_quotes_twelve_months_and_a_word_id() -> None:
    for language in LANGUAGES.values():
        assert len(language.quotes) == 4 and len(language.months) == 12 and language.lcid > 0
        assert set(language.labels) == set(ENGLISH.labels)


@pytest.mark.parametrize(("word", "month"), [("März", 3), ("march", 3), ("Jänner", 1), ("MAI", 5),
                                             ("Dezember", 12), ("may", 5), ("Märchen", None), ("", None)])
def test_month_names_in_any_known_language(word: str, month: int | None) -> None:
    assert month_number(word) == month
