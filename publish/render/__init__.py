"""Output formats: each backend module exposes ``render(book, theme, out) -> Path``."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic

FORMATS = ("pdf", "epub", "docx")
"""Every format ``publish build`` knows, in the order ``all`` builds them."""

BACKENDS: dict[str, str] = {"pdf": "publish.render.pdf", "epub": "publish.render.epub",
                           "docx": "publish.render.docx.backend"}
"""Format → module implementing it (imported only when that format is built)."""


@dataclass
class RenderResult:
    path: Path
    pages: int = 0
    """Pages laid out (PDF only)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)


class RenderError(RuntimeError):
    """A backend could not produce a correct file, so nothing was written or replaced."""
