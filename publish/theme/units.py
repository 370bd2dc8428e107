"""Lengths and page sizes as themes write them, converted for CSS arithmetic and Word."""
from __future__ import annotations

import re

PAGE_SIZES_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148),
                 "B5": (176, 250), "LETTER": (215.9, 279.4), "LEGAL": (215.9, 355.6)}
_UNIT_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6}
MM_PER_PT = _UNIT_MM["pt"]


def length_mm(value: str) -> float:
    match = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|in|pt|pc)\s*", value)
    if not match:
        raise ValueError(f"not a length: {value!r} (use mm, cm, in, pt or pc)")
    return float(match[1]) * _UNIT_MM[match[2]]


def page_size_mm(size: str) -> tuple[float, float]:
    """CSS page size (``A4``, ``A5 landscape``, ``148mm 210mm``) in millimetres."""
    words = size.split()
    if words and words[0].upper() in PAGE_SIZES_MM:
        width, height = PAGE_SIZES_MM[words[0].upper()]
        return (height, width) if "landscape" in words else (width, height)
    width, height = (length_mm(w) for w in words[:2])
    return width, height
