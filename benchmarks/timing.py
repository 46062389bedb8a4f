"""Careful timing: warm-up, calibrated loops, interleaved trials, the median.

Two schemes: ``time_interleaved`` calls the same object again and again (an optimizer step
with fixed gradients); ``time_fresh_runs`` starts every trial from a freshly built contender
and runs the same number of steps, so that every contender and every trial follows the same
training trajectory from the same weights through the same batches (a long-running model
would otherwise drift into a different regime, e.g. a saturated softmax, at a pace that
depends on its own speed).

Several contenders are timed *round-robin* (trial 1 of each, then trial 2 of each, ...), so that
a slow patch of the machine (another process, frequency scaling) hits all of them alike instead
of whichever ran at that moment. The garbage collector is off while a trial runs, as in timeit.

Each trial reads two clocks: the wall clock and the CPU time of this process
(``time.process_time``, user + system, all threads). With single-threaded BLAS the two agree on
an idle machine; when other processes compete for the cores, the wall clock also counts the
time this process waited for a core, the CPU time does not. The speeds reported use the CPU
time (``Timing.median``), so they do not depend on what else the machine was doing; the ratio
wall / CPU (``Timing.wall_ratio``, 1.0 on an idle machine) shows how busy it was.
"""
from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Timing:
    """Seconds per call (CPU time): the median over trials, and every trial for the spread."""

    median: float
    trials: list[float]
    calls_per_trial: int
    wall_median: float

    @property
    def spread(self) -> float:
        """Half the interquartile range of the trials, relative to the median."""
        if len(self.trials) < 4:
            return (max(self.trials) - min(self.trials)) / 2 / self.median
        q1, _, q3 = statistics.quantiles(self.trials, n=4)
        return (q3 - q1) / 2 / self.median

    @property
    def wall_ratio(self) -> float:
        return self.wall_median / self.median


def _run(call: Callable[[int], object], n: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``call(0) ... call(n - 1)``."""
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        call(i)
    return time.process_time() - cpu, time.perf_counter() - wall


def time_interleaved(calls: dict[str, Callable[[int], object]], *, trials: int = 7,
                     trial_seconds: float = 0.1, warmup_seconds: float = 0.05) -> dict[str, Timing]:
    """Time each ``call(i)`` (``i`` counts calls, e.g. to cycle through batches).

    Each contender is warmed up for ``warmup_seconds`` (at least 3 calls), which also estimates
    its speed to pick ``calls_per_trial`` so that one trial lasts about ``trial_seconds``.
    """
    calls_per_trial = {}
    gc.freeze()  # what exists now is long-lived: keep gc.collect() before each trial cheap (torch!)
    gc_was_enabled = gc.isenabled()
    try:
        for name, call in calls.items():
            n = 3
            cpu, _ = _run(call, n)
            while cpu < warmup_seconds:
                n *= 2
                cpu, _ = _run(call, n)
            calls_per_trial[name] = max(3, round(trial_seconds / (cpu / n)))
        cpu_samples: dict[str, list[float]] = {name: [] for name in calls}
        wall_samples: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(trials):
            for name, call in calls.items():
                n = calls_per_trial[name]
                gc.collect()
                gc.disable()
                cpu, wall = _run(call, n)
                if gc_was_enabled:
                    gc.enable()
                cpu_samples[name].append(cpu / n)
                wall_samples[name].append(wall / n)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: Timing(statistics.median(cpu_samples[name]), cpu_samples[name], calls_per_trial[name],
                         statistics.median(wall_samples[name])) for name in calls}


def time_fresh_runs(makers: dict[str, Callable[[], Callable[[int], object]]], *, steps: int, trials: int = 15,
                    warmup_steps: int = 1) -> dict[str, Timing]:
    """Seconds per step of ``run(i)`` for ``i = warmup_steps ... warmup_steps + steps - 1``.

    ``makers[name]()`` builds a fresh contender (not timed) and returns its ``run``; the first
    ``warmup_steps`` calls (which allocate the contender's buffers and state) are not timed.
    Before the trials, each contender runs one untimed trial (first-call costs of the process).
    """
    gc.freeze()  # what exists now is long-lived: keep gc.collect() before each trial cheap (torch!)
    gc_was_enabled = gc.isenabled()
    cpu_samples: dict[str, list[float]] = {name: [] for name in makers}
    wall_samples: dict[str, list[float]] = {name: [] for name in makers}
    try:
        for round_index in range(trials + 1):
            for name, make in makers.items():
                run = make()
                for i in range(warmup_steps):
                    run(i)
                gc.collect()
                gc.disable()
                cpu, wall = time.process_time(), time.perf_counter()
                for i in range(warmup_steps, warmup_steps + steps):
                    run(i)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                if gc_was_enabled:
                    gc.enable()
                if round_index:  # round 0 is the process-level warm-up
                    cpu_samples[name].append(cpu / steps)
                    wall_samples[name].append(wall / steps)
                del run
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: Timing(statistics.median(cpu_samples[name]), cpu_samples[name], steps,
                         statistics.median(wall_samples[name])) for name in makers}
