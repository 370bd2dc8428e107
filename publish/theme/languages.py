"""Words the generated parts of a book need, in the book's language."""
from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "de": {"contents": "Inhalt", "index": "Index", "see": "siehe", "version": "Version",
           "cover": "Umschlag", "landmarks": "Orientierungspunkte", "page": "Seite",
           "word_index": "Index mit Seitenzahlen (Word-Feld):",
           "update_fields": "Zum Anzeigen der Seitenzahlen Felder aktualisieren (F9)."},
    "en": {"contents": "Contents", "index": "Index", "see": "see", "version": "Version",
           "cover": "Cover", "landmarks": "Landmarks", "page": "Page",
           "word_index": "Index with page numbers (Word field):",
           "update_fields": "Update fields (F9) to show the page numbers."},
}


def labels_for(language: str) -> dict[str, str]:
    """Labels for a BCP 47 language tag (``de-DE`` → German); English when unknown."""
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])
