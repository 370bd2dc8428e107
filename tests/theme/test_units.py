"""Lengths and page sizes as themes write them (docs/themes.md: mm, cm, in, pt, pc; A3–A6, B5, letter, legal)."""
from __future__ import annotations

import pytest

from publish.theme.units import MM_PER_PT, length_mm, page_size_mm


@pytest.mark.parametrize(("value", "mm"), [
    ("22mm", 22.0),
    ("2.5cm", 25.0),
    ("1in", 25.4),
    ("72pt", 25.4),   # 72 pt to the inch
    ("6pc", 25.4),    # 6 picas to the inch
    ("10.5pt", 10.5 * 25.4 / 72),
    (" 3 mm ", 3.0),  # spaces around and between number and unit are harmless
    ("0mm", 0.0),
    (".5in", 12.7),
])
def test_length_in_millimetres(value: str, mm: float) -> None:
    assert length_mm(value) == pytest.approx(mm, abs=1e-9)


def test_a_point_is_a_72nd_of_an_inch() -> None:
    assert MM_PER_PT == pytest.approx(0.352777, abs=1e-6)


@pytest.mark.parametrize("value", [
    "12px",     # not a print unit: docs/themes.md lists mm, cm, in, pt, pc only
    "1em",
    "10",       # a unit is required
    "mm",
    "",
    "-3mm",     # margins and sizes are never negative
    "3mm 4mm",
    "1.2.3mm",
    "zehn mm",
])
def test_bad_lengths_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        length_mm(value)


def test_bad_length_message_names_the_value_and_the_units() -> None:
    with pytest.raises(ValueError, match=r"'12px'.*mm, cm, in, pt or pc"):
        length_mm("12px")


@pytest.mark.parametrize(("size", "mm"), [
    ("A3", (297, 420)),           # ISO 216
    ("A4", (210, 297)),
    ("A5", (148, 210)),
    ("A6", (105, 148)),
    ("B5", (176, 250)),
    ("letter", (215.9, 279.4)),   # 8.5 × 11 in
    ("legal", (215.9, 355.6)),    # 8.5 × 14 in
    ("a4", (210, 297)),           # CSS page-size keywords are case-insensitive
    ("Letter", (215.9, 279.4)),
])
def test_named_page_sizes_portrait(size: str, mm: tuple[float, float]) -> None:
    assert page_size_mm(size) == pytest.approx(mm)


@pytest.mark.parametrize(("size", "mm"), [
    ("A4 landscape", (297, 210)),
    ("A5 landscape", (210, 148)),
    ("letter landscape", (279.4, 215.9)),
])
def test_landscape_swaps_width_and_height(size: str, mm: tuple[float, float]) -> None:
    assert page_size_mm(size) == pytest.approx(mm)


@pytest.mark.parametrize(("size", "mm"), [
    ("148mm 210mm", (148, 210)),   # the print theme's trim
    ("170mm 240mm", (170, 240)),   # the lexikon theme's trim
    ("6in 9in", (152.4, 228.6)),
    ("21cm 29.7cm", (210, 297)),
    ("240mm 170mm", (240, 170)),   # explicit sizes are taken as given, width first
])
def test_explicit_page_sizes(size: str, mm: tuple[float, float]) -> None:
    assert page_size_mm(size) == pytest.approx(mm)


@pytest.mark.parametrize("size", ["A7", "148mm", "", "148px 210px", "landscape"])
def test_bad_page_sizes_are_refused(size: str) -> None:
    with pytest.raises(ValueError):
        page_size_mm(size)
