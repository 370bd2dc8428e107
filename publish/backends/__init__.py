"""Output formats: each backend module exposes ``render(book, theme, out) -> Path``."""
from __future__ import annotations

FORMATS = ("pdf", "epub", "docx")
"""Every format ``publish build`` knows, in the order ``all`` builds them."""

BACKENDS: dict[str, str] = {}
"""Format → module implementing it; a format is buildable once its module is registered here."""
