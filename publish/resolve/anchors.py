"""One id registry for the whole book: ids unique across entries and valid in XHTML and Word."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import SourcePos
from ..names import UniqueNames

_NCNAME = re.compile(r"[^\W\d][\w.\-]*")


def is_valid_id(value: str) -> bool:
    """An XML NCName without colons: what EPUB's XHTML requires; Word bookmarks are derived later."""
    return bool(_NCNAME.fullmatch(value))


def slugify(text: str) -> str:
    """An id from text, the way pandoc's auto_identifiers make them (keeps non-ASCII letters)."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s.\-]", "", text)
    text = re.sub(r"\s+", "-", text.strip())
    text = re.sub(r"^[^a-zA-Z\u00c0-\uffff]+", "", text)
    return text.strip("-.") or "section"


def sanitize_id(value: str) -> str:
    """Make an explicit id valid, changing as little as possible."""
    value = re.sub(r"[^\w.\-]", "-", value)
    return value if is_valid_id(value) else "id-" + value


@dataclass
class AnchorRegistry:
    """Hands out ids; the first claim of an id keeps it, later claims get ``-2``, ``-3`` …"""

    owners: dict[str, str] = field(default_factory=dict)
    """Assigned id → the entry (or front matter) holding it."""
    places: dict[str, SourcePos | None] = field(default_factory=dict)

    names: UniqueNames = field(default_factory=UniqueNames)

    def reserve(self, anchor: str, owner: str) -> None:
        self.names.reserve(anchor)
        self.owners[anchor] = owner
        self.places[anchor] = None

    def claim(self, wanted: str, owner: str | None, pos: SourcePos | None) -> str:
        """Register ``wanted`` or the first free numbered variant; an entry owns itself (``owner=None``)."""
        anchor = self.names.claim(wanted)
        self.owners[anchor] = owner or anchor
        self.places[anchor] = pos
        return anchor
