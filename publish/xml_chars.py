"""Characters that XML 1.0 cannot hold (control characters, U+FFFE/U+FFFF): found and taken out."""
from __future__ import annotations

import re

INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Every character outside XML 1.0's ``Char`` production (``\\r`` is allowed but read as a line break)."""

_SPACES = frozenset("\x0b\x0c")
"""Vertical tab and form feed separate words: they become a space; the others are dropped."""


def without_invalid_xml(text: str) -> str:
    """``text`` with each character XML cannot hold replaced by a space or dropped."""
    return INVALID_XML.sub(lambda found: " " if found[0] in _SPACES else "", text)
