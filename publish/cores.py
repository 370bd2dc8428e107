"""How many cores this process may use, and how many of them no other program keeps busy."""
from __future__ import annotations

import os
import time

_MIN_WINDOW = 0.05
"""Seconds of CPU accounting below which the idle share says nothing (the kernel counts in 10 ms ticks)."""


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def free_cores() -> int:
    """The usable cores that were idle since the last look (at first: since start-up), plus the one
    this process runs on. Without /proc: the cores less the last minute's load average. On a
    machine whose cores are taken, worker processes only add the cost of shipping their work back."""
    cores = usable_cores()
    global _last
    now = _cpu_sample()
    before, _last = _last, now
    if now is None or before is None or now[2] - before[2] < _MIN_WINDOW:
        return max(1, cores - int(os.getloadavg()[0]))
    (idle, total, _), (idle_before, total_before, _) = now, before
    machine = os.cpu_count() or 1
    idle_cores = machine * (idle - idle_before) / max(1, total - total_before)
    return max(1, min(cores, int(idle_cores + 0.5) + 1))


def _cpu_sample() -> tuple[int, int, float] | None:
    """Idle and total ticks of all cores (/proc/stat), and when they were read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5:
        return None
    # user nice system idle iowait irq softirq steal (guest time is counted in user already)
    return ticks[3] + ticks[4], sum(ticks[:8]), time.monotonic()


_last = _cpu_sample()
