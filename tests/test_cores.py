"""The cores a build may use, and how many of them it finds idle."""
from __future__ import annotations

import pytest

from publish import cores


def _samples(monkeypatch: pytest.MonkeyPatch, *samples: tuple[int, int, float] | None) -> None:
    found = iter(samples)
    monkeypatch.setattr(cores, "_cpu_sample", lambda: next(found))
    cores.free_cores()  # the first look only remembers the sample
    monkeypatch.setattr(cores, "usable_cores", lambda: 2)
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 2)


def test_an_idle_second_core_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    # 100 ticks of two cores: one busy (this process), the other idle all along
    _samples(monkeypatch, (0, 0, 0.0), (50, 100, 0.5))
    assert cores.free_cores() == 2


def test_a_core_kept_busy_by_another_program_is_not_free(monkeypatch: pytest.MonkeyPatch) -> None:
    _samples(monkeypatch, (0, 0, 0.0), (4, 100, 0.5))
    assert cores.free_cores() == 1


def test_each_look_measures_since_the_last_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _samples(monkeypatch, (0, 0, 0.0), (50, 100, 0.5), (52, 200, 1.0))
    assert cores.free_cores() == 2
    assert cores.free_cores() == 1


@pytest.mark.parametrize("later", [None, (50, 100, 0.01)], ids=["no /proc/stat", "too short a window"])
def test_without_a_measure_the_load_average_decides(monkeypatch: pytest.MonkeyPatch,
                                                     later: tuple[int, int, float] | None) -> None:
    _samples(monkeypatch, (0, 0, 0.0), later)
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (1.2, 0.0, 0.0))
    assert cores.free_cores() == 1
    _samples(monkeypatch, (0, 0, 0.0), later)
    monkeypatch.setattr(cores.os, "getloadavg", lambda: (0.1, 0.0, 0.0))
    assert cores.free_cores() == 2


def test_a_real_look_counts_at_least_this_core_and_at_most_the_usable_ones() -> None:
    cores.free_cores()
    assert 1 <= cores.free_cores() <= cores.usable_cores()
