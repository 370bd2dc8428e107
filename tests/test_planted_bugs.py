"""The planted-bug harness stays usable: every bug's text is found exactly once where it is planted."""
from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.planted_bugs import BUGS


@pytest.mark.parametrize("name", sorted(BUGS))
def test_each_planted_bug_finds_the_code_it_changes(name: str) -> None:
    path, olds, _, tests = BUGS[name]
    text = (ROOT / path).read_text(encoding="utf-8")
    for old in [olds] if isinstance(olds, str) else olds:
        assert text.count(old) == 1, f"{name}: {old!r} is not in {path} exactly once; update tests/planted_bugs.py"
    assert all((ROOT / test).exists() for test in tests)
