"""The cores a build may use, and how many of them other programs leave it."""
from __future__ import annotations

import pytest

from publish import cores

S = cores._Sample


def _looks(monkeypatch: pytest.MonkeyPatch, *samples: cores._Sample | None) -> None:
    """Two usable cores of two; the first look only remembers its sample."""
    found = iter(samples)
    monkeypatch.setattr(cores, "_sample", lambda: next(found))
    monkeypatch.setattr(cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 2)
    cores.free_cores()


def test_an_idle_second_core_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    # one second, 200 ticks of two cores: one core busy with this process, the other idle
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), S(100, 200, 1.0, 1.0))
    assert cores.free_cores() == 2


def test_a_core_kept_busy_by_another_program_is_not_free(monkeypatch: pytest.MonkeyPatch) -> None:
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), S(4, 200, 1.0, 1.0))
    assert cores.free_cores() == 1


def test_the_cores_this_build_kept_busy_itself_are_free(monkeypatch: pytest.MonkeyPatch) -> None:
    # both cores busy, but with this process's own workers (two CPU seconds in one)
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), S(2, 200, 1.0, 2.0))
    assert cores.free_cores() == 2


def test_each_look_measures_since_the_last_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), S(100, 200, 1.0, 1.0), S(102, 400, 2.0, 2.0))
    assert cores.free_cores() == 2
    assert cores.free_cores() == 1


@pytest.mark.parametrize("later", [None, S(100, 200, 0.01, 0.01)], ids=["no /proc/stat", "too short a window"])
def test_without_a_measure_the_load_average_decides(monkeypatch: pytest.MonkeyPatch, later: cores._Sample | None) -> None:
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), later)
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert cores.free_cores() == 1
    _looks(monkeypatch, S(0, 0, 0.0, 0.0), later)
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (0.1, 0.0, 0.0))
    assert cores.free_cores() == 2


def test_a_real_look_counts_at_least_one_core_and_at_most_the_usable_ones() -> None:
    cores.free_cores()
    assert 1 <= cores.free_cores() <= cores.usable_cores()
