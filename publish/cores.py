"""How many cores this process may use, and how many of them no other program keeps busy."""
from __future__ import annotations

import os
import time
from typing import NamedTuple

_MIN_WINDOW = 0.05
"""Seconds of CPU accounting below which the idle share says nothing (the kernel counts in 10 ms ticks)."""


class _Sample(NamedTuple):
    idle: int
    """Idle ticks of all the machine's cores (/proc/stat)."""
    total: int
    """All ticks of all the machine's cores."""
    when: float
    """Seconds (monotonic)."""
    ours: float
    """CPU seconds of this process and of its children that ended (workers, pandoc)."""


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def free_cores() -> int:
    """The usable cores that other programs left alone since the last look (at first: since
    start-up), measured as the machine's busy time less this process's own and its workers'. Without
    /proc: the cores less the last minute's load average. On a machine whose cores are taken,
    worker processes only add the cost of shipping their work back."""
    global _last
    cores = usable_cores()
    now, before = _sample(), _last
    _last = now
    if now is None or before is None or now.when - before.when < _MIN_WINDOW or now.total <= before.total:
        return max(1, cores - int(os.getloadavg()[0]))
    machine = os.cpu_count() or 1
    busy = machine * (1 - (now.idle - before.idle) / (now.total - before.total))
    ours = (now.ours - before.ours) / (now.when - before.when)
    others = max(0.0, busy - ours)
    return max(1, min(cores, cores - int(others + 0.5)))


def _sample() -> _Sample | None:
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5:
        return None
    spent = os.times()
    # user nice system idle iowait irq softirq steal (guest time is counted in user already)
    return _Sample(ticks[3] + ticks[4], sum(ticks[:8]), time.monotonic(),
                   spent.user + spent.system + spent.children_user + spent.children_system)


_last = _sample()
