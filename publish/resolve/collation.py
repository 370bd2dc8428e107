"""German dictionary order (DIN 5007-1) and the letter a term is filed under."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import pyuca

DIGITS_GROUP = "0–9"


@lru_cache(maxsize=1)
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


def load_collation() -> None:
    """Load the collation table now (a few tenths of a second), e.g. while waiting for other work."""
    _collator()


def unload_collation() -> None:
    """Let the collation table go (10 MB) when nothing more is sorted, e.g. before rendering:
    what the renderers load then takes its place."""
    _collator.cache_clear()


def sort_key(term: str) -> tuple:
    """DIN 5007-1: ä=a, ö=o, ü=u, ß=ss, case only breaks ties, digits before letters.

    The Unicode Collation Algorithm's default table already orders this way (umlauts
    differ from their base letter only at the secondary level, case at the tertiary);
    the term itself breaks remaining ties so the order is total and stable.
    """
    return (_collator().sort_key(term), term)


def initial_letter(term: str) -> str:
    """The divider a term sorts under: its first letter without diacritics, upper case."""
    for char in term:
        if char.isdigit():
            return DIGITS_GROUP
        if char.isalpha():
            base = unicodedata.normalize("NFD", char)[0]
            return "S" if base == "ß" else base.upper()
    return DIGITS_GROUP
