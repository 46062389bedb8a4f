"""Section 1: training throughput (samples/s) of one full step, nnopt against the baselines.

For each dtype (float64, float32) and batch size (64, 256), every contender of
``benchmarks.implementations`` is timed over the same run: built fresh from the same weights,
one untimed step, then ``SAMPLES_PER_TRIAL / batch_size`` timed steps through the same fixed
mini-batches of the standardized digits (about two epochs); trials alternate between
contenders (``benchmarks.timing.time_fresh_runs``). The matrix products alone
(``MatmulFloor``) give the share of nnopt's step that is BLAS work; an extra contender with a
clock read between phases splits nnopt's step into zero_grad / forward+loss / backward /
optimizer step.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from . import implementations as impl
from .data import fixed_batches, standardized_digits
from .timing import Timing, time_fresh_runs

DTYPES = (np.float64, np.float32)
BATCH_SIZES = (64, 256)
SAMPLES_PER_TRIAL = 4096
CONTENDERS = (impl.NnoptMLP, impl.DeepLearningAiMLP, impl.HandTunedMLP, impl.HandTunedPerParameterMLP,
              impl.TorchMLP, impl.MatmulFloor)


@dataclass
class ThroughputResult:
    dtype: str
    batch_size: int
    timings: dict[str, Timing] = field(default_factory=dict)   # contender name -> seconds per step
    final_loss: dict[str, float] = field(default_factory=dict)  # loss of the last step of a trial
    breakdown: dict[str, float] = field(default_factory=dict)  # nnopt phase -> seconds per step
    trials: int = 0
    steps: int = 0

    def samples_per_second(self, name: str) -> float | None:
        timing = self.timings.get(name)
        return None if timing is None else self.batch_size / timing.median

    def speed_ratio(self, name: str, other: str) -> float | None:
        """How many times faster ``name`` is than ``other``: the median over trials of
        time(other) / time(name), each ratio from two neighbouring trials (so drift cancels)."""
        a, b = self.timings.get(name), self.timings.get(other)
        if a is None or b is None:
            return None
        return statistics.median(tb / ta for ta, tb in zip(a.trials, b.trials))


def _build(cls, dtype, weights):
    if cls is impl.NnoptMLP:
        return cls(dtype, weights=weights)
    return cls(dtype, weights)


PHASES = ("zero_grad", "forward + loss", "backward", "optimizer.step")
PHASES_NAME = "nnopt, phases timed"  # an extra contender, not shown in the throughput table


def phase_timed_nnopt(dtype, weights, batches, records: list[dict[str, float]]):
    """A maker for ``time_fresh_runs``: nnopt's step with a CPU clock read between phases.

    Each fresh contender appends its own ``{phase: seconds}`` totals to ``records`` (the
    untimed warm-up step, ``i == 0``, is not counted). Timed round-robin with the others, so
    its phases are measured under the same conditions; each clock read costs ~0.3 µs.
    """
    def make():
        contender = impl.NnoptMLP(dtype, weights=weights)
        model, optimizer = contender.model, contender.optimizer
        totals = dict.fromkeys(PHASES, 0.0)
        records.append(totals)
        clock = time.process_time

        def run_step(i):
            X, y = batches[i % len(batches)]
            t0 = clock()
            optimizer.zero_grad()
            t1 = clock()
            model.loss(X, y)
            t2 = clock()
            model.backward()
            t3 = clock()
            optimizer.step()
            t4 = clock()
            if i:
                totals["zero_grad"] += t1 - t0
                totals["forward + loss"] += t2 - t1
                totals["backward"] += t3 - t2
                totals["optimizer.step"] += t4 - t3
        return run_step
    return make


def run(quick: bool = False, log=print) -> tuple[list[ThroughputResult], dict[str, str]]:
    """Time every contender at every (dtype, batch size); returns results and skipped contenders."""
    impl.set_torch_threads(1)
    X, y = standardized_digits()
    weights = impl.reference_weights()
    trials = 5 if quick else 21
    skipped: dict[str, str] = {}
    results = []
    for dtype in DTYPES:
        for batch_size in BATCH_SIZES:
            steps = max(1, SAMPLES_PER_TRIAL // batch_size)
            result = ThroughputResult(np.dtype(dtype).name, batch_size, trials=trials, steps=steps)
            raw_batches = fixed_batches(X, y, batch_size)
            makers, last_loss = {}, {}
            for cls in CONTENDERS:
                try:
                    probe = _build(cls, dtype, weights)
                except ImportError as error:
                    skipped[cls.name] = f"not available ({error})"
                    continue
                batches = [probe.prepare(Xb, yb) for Xb, yb in raw_batches]  # layout only, shared by trials

                def make(cls=cls, batches=batches):
                    contender = _build(cls, dtype, weights)

                    def run_step(i):
                        loss = contender.step(batches[i % len(batches)])
                        last_loss[cls.name] = loss
                    return run_step
                makers[cls.name] = make
            phase_records: list[dict[str, float]] = []
            if impl.NnoptMLP.name in makers:
                nnopt_batches = [impl.NnoptMLP(dtype, weights=weights).prepare(Xb, yb) for Xb, yb in raw_batches]
                makers[PHASES_NAME] = phase_timed_nnopt(dtype, weights, nnopt_batches, phase_records)
            log(f"  throughput {result.dtype} batch {batch_size}: {len(makers)} contenders x {trials} trials "
                f"x {steps} steps")
            with np.errstate(all="ignore"):  # report a broken run below instead of warning mid-timing
                result.timings = time_fresh_runs(makers, steps=steps, trials=trials)
            result.final_loss = {name: float(loss) for name, loss in last_loss.items() if name != impl.MatmulFloor.name}
            if phase_records:
                timed = phase_records[1:]  # record 0 is the process-level warm-up round
                result.breakdown = {phase: statistics.median(r[phase] for r in timed) / steps for phase in PHASES}
            results.append(result)
    return results, skipped
