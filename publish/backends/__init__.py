"""Output formats: each backend module exposes ``render(book, theme, out) -> Path``."""
from __future__ import annotations

FORMATS = ("pdf", "epub", "docx")
"""Every format ``publish build`` knows, in the order ``all`` builds them."""

BACKENDS: dict[str, str] = {"pdf": "publish.backends.pdf", "epub": "publish.backends.epub",
                           "docx": "publish.backends.docx"}
"""Format → module implementing it (imported only when that format is built)."""
