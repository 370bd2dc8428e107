"""What each book language needs: quotes, the words of generated parts, month names, Word's id."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    """The primary subtag of a BCP 47 tag (``de`` for ``de-DE``)."""
    quotes: str
    """Typographic quotes: double open, double close, single open, single close."""
    lcid: int
    """Word's language id (the INDEX field sorts by it)."""
    months: tuple[tuple[str, ...], ...]
    """Month names, January first, lower case, with their variants (``jänner``)."""
    labels: Mapping[str, str]
    """The words of the generated parts: contents, index, see …"""
    accessibility_summary: str
    """The EPUB's schema:accessibilitySummary; ``{title}`` and ``{entries}`` are filled in."""


ENGLISH = Language(
    code="en",
    quotes="“”‘’",
    lcid=1033,
    months=(("january",), ("february",), ("march",), ("april",), ("may",), ("june",), ("july",),
            ("august",), ("september",), ("october",), ("november",), ("december",)),
    labels=MappingProxyType({
        "contents": "Contents", "index": "Index", "see": "see", "version": "Version", "cover": "Cover",
        "landmarks": "Landmarks",
        "referenced_by": "Referenced by", "home": "Home", "a_z": "A–Z", "search": "Search",
        "previous": "Previous", "next": "Next", "not_found": "Page not found",
        "not_found_text": "There is no page at this address.", "skip": "Skip to content",
        "diagnostics": "Problems in the last build", "search_found": "found", "search_none": "Nothing found",
    }),
    accessibility_summary=("{title}: a reference work of {entries} entries with a table of contents, "
                           "cross-references and an index; formulas as MathML with TeX as alternative text."),
)

GERMAN = Language(
    code="de",
    quotes="„“‚‘",
    lcid=1031,
    months=(("januar", "jänner"), ("februar", "feber"), ("märz",), ("april",), ("mai",), ("juni",),
            ("juli",), ("august",), ("september",), ("oktober",), ("november",), ("dezember",)),
    labels=MappingProxyType({
        "contents": "Inhalt", "index": "Index", "see": "siehe", "version": "Version", "cover": "Umschlag",
        "landmarks": "Orientierungspunkte",
        "referenced_by": "Erwähnt in", "home": "Start", "a_z": "A–Z", "search": "Suche",
        "previous": "Vorheriger Eintrag", "next": "Nächster Eintrag", "not_found": "Seite nicht gefunden",
        "not_found_text": "Unter dieser Adresse gibt es keine Seite.", "skip": "Zum Inhalt springen",
        "diagnostics": "Probleme beim letzten Build", "search_found": "gefunden", "search_none": "Nichts gefunden",
    }),
    accessibility_summary=("{title}: ein Nachschlagewerk mit {entries} Einträgen, Inhaltsverzeichnis, "
                           "Querverweisen und Index; Formeln als MathML mit TeX-Alternativtext."),
)

LANGUAGES: Mapping[str, Language] = MappingProxyType({
    "de": GERMAN,
    "en": ENGLISH,
    # Quotes and Word's sort order only; the words of generated parts stay English for now.
    "fr": replace(ENGLISH, code="fr", quotes="«»‹›", lcid=1036),
    "es": replace(ENGLISH, code="es", quotes="«»“”", lcid=1034),
    "it": replace(ENGLISH, code="it", quotes="«»“”", lcid=1040),
    "nl": replace(ENGLISH, code="nl", quotes="“”‘’", lcid=1043),
})


_LANGUAGE_TAG = re.compile(r"""
    (?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})   # language, extended language subtags
    (?:-[a-z]{4})?                                 # script
    (?:-(?:[a-z]{2}|[0-9]{3}))?                    # region
    (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*       # variants
    (?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*            # extensions
    (?:-x(?:-[a-z0-9]{1,8})+)?                     # private use
    """, re.ASCII | re.IGNORECASE | re.VERBOSE)


def is_language_tag(tag: str) -> bool:
    """Whether ``tag`` is a well-formed BCP 47 language tag (RFC 5646), as EPUB and XHTML require."""
    return _LANGUAGE_TAG.fullmatch(tag) is not None


def language_of(tag: str) -> Language:
    """The data for a BCP 47 language tag (``de-DE`` → German); English when unknown."""
    return LANGUAGES.get(tag.split("-")[0].lower(), ENGLISH)


def month_number(word: str) -> int | None:
    """1–12 for a month name in any known language (``März``, ``March``), else None."""
    word = word.lower()
    return next((n for language in LANGUAGES.values() for n, names in enumerate(language.months, start=1)
                 if word in names), None)
