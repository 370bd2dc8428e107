"""Unique names: first claim keeps the name, later claims get numbered variants."""
from __future__ import annotations

from publish.names import UniqueNames


def test_first_claim_keeps_the_name_and_later_ones_are_numbered() -> None:
    names = UniqueNames()
    assert [names.claim(n) for n in ("GPU", "GPU", "TPU", "GPU", "GPU-2")] == ["GPU", "GPU-2", "TPU", "GPU-3",
                                                                               "GPU-2-2"]


def test_reserved_names_are_never_handed_out() -> None:
    names = UniqueNames()
    names.reserve("index")
    assert names.claim("index") == "index-2" and "index" in names


def test_fold_makes_names_equal_and_numbered_controls_the_variant() -> None:
    names = UniqueNames(numbered=lambda base, n: f"{base[:5 - len(str(n)) - 1]}_{n}", fold=str.lower)
    assert [names.claim(n) for n in ("Abcde", "ABCDE", "abcde")] == ["Abcde", "ABC_2", "abc_3"]
    assert "aBc_2" in names and "abc_3" in names


def test_a_free_name_keeps_clear_of_taken_ones_and_is_not_taken() -> None:
    names = UniqueNames()
    names.reserve("A--fn1")
    assert [names.free("A--fn1"), names.free("A--fn2"), names.free("A--fn1")] == ["A--fn1-2", "A--fn2", "A--fn1-2"]
    assert "A--fn2" not in names and "A--fn1-2" not in names
