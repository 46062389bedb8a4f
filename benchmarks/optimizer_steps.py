"""Section 2: time and memory of one ``optimizer.step()`` for every nnopt optimizer.

Two workloads, float64, gradients fixed (random normal) so only the update is timed:

- the MLP's 8 Parameters (64-100-100-100-10: 27,710 values), where per-parameter Python
  overhead dominates;
- one Parameter of 10^6 values, where the arithmetic (memory traffic) dominates; the same
  ``torch.optim`` class on a 10^6-value tensor is timed next to it where torch has one.

Allocation: after warm-up (the first step creates the state), ``tracemalloc`` (which sees
NumPy's array buffers) records, for each of a few steps, the peak of memory held above what was
held before the step. A step that creates a temporary array of the parameter's size shows
at least its size; one that works in kept buffers shows a few hundred bytes of Python objects.
"""
from __future__ import annotations

import importlib
import tracemalloc
from dataclasses import dataclass

import numpy as np

from .implementations import LAYER_SIZES
from .timing import time_interleaved

BIG = 1_000_000

# (label, nnopt.optim class name, keyword arguments, torch.optim class name or None)
OPTIMIZERS = (
    ("SGD", "SGD", {}, "SGD"),
    ("SGD(momentum=0.9)", "SGD", {"momentum": 0.9}, "SGD"),
    ("SGD(momentum=0.9, nesterov=True)", "SGD", {"momentum": 0.9, "nesterov": True}, "SGD"),
    ("Momentum", "Momentum", {}, None),
    ("RMSprop", "RMSprop", {}, "RMSprop"),
    ("RMSprop(momentum=0.9, centered=True)", "RMSprop", {"momentum": 0.9, "centered": True}, "RMSprop"),
    ("Adagrad", "Adagrad", {}, "Adagrad"),
    ("Adadelta", "Adadelta", {}, "Adadelta"),
    ("Adam", "Adam", {}, "Adam"),
    ("Adam(amsgrad=True)", "Adam", {"amsgrad": True}, "Adam"),
    ("AdamW", "AdamW", {}, "AdamW"),
    ("Adamax", "Adamax", {}, "Adamax"),
    ("NAdam", "NAdam", {}, "NAdam"),
    ("RAdam", "RAdam", {}, "RAdam"),
    ("Lion", "Lion", {}, None),
)


@dataclass
class StepResult:
    label: str
    model_us: float | None = None           # µs per step on the MLP's parameters
    big_us: float | None = None             # µs per step on one 10^6-value Parameter
    torch_big_us: float | None = None       # torch.optim, same class, 10^6-value tensor
    model_peak_bytes: int | None = None     # peak extra bytes held during a step (max over steps)
    big_peak_bytes: int | None = None
    model_param_bytes: int = 0
    big_param_bytes: int = 0
    error: str | None = None

    @property
    def allocates_nothing(self) -> bool | None:
        """True if no step holds a temporary beyond 1% of the parameters (+4 KiB of Python objects)."""
        if self.big_peak_bytes is None or self.model_peak_bytes is None:
            return None
        return (self.big_peak_bytes <= 0.01 * self.big_param_bytes + 4096
                and self.model_peak_bytes <= 0.01 * self.model_param_bytes + 4096)


def _model_parameters(Parameter, rng):
    params = []
    for n_in, n_out in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]):
        for shape in ((n_in, n_out), (n_out,)):
            p = Parameter(rng.standard_normal(shape) * 0.1)
            p.grad[...] = rng.standard_normal(shape)
            params.append(p)
    return params


def _big_parameter(Parameter, rng):
    p = Parameter(rng.standard_normal(BIG) * 0.1)
    p.grad[...] = rng.standard_normal(BIG)
    return [p]


def _torch_big(torch_name, kwargs, rng):
    try:
        import torch
    except ImportError:
        return None
    tensor = torch.from_numpy(rng.standard_normal(BIG) * 0.1).requires_grad_(True)
    tensor.grad = torch.from_numpy(rng.standard_normal(BIG))
    return getattr(torch.optim, torch_name)([tensor], **kwargs)


def _optimizer_class(optim, class_name: str):
    """``nnopt.optim.<class_name>``, or from its own module if the package does not export it."""
    cls = getattr(optim, class_name, None)
    if cls is None:
        module = {"AdamW": "adam"}.get(class_name, class_name.lower())
        try:
            cls = getattr(importlib.import_module(f"nnopt.optim.{module}"), class_name, None)
        except ImportError:
            cls = None
    return cls


def peak_bytes_per_step(optimizer, steps: int = 5) -> int:
    """Largest ``peak - before`` of tracemalloc over ``steps`` steps (call after warm-up)."""
    tracemalloc.start()
    try:
        worst = 0
        for _ in range(steps):
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            optimizer.step()
            _, peak = tracemalloc.get_traced_memory()
            worst = max(worst, peak - before)
    finally:
        tracemalloc.stop()
    return worst


def run(quick: bool = False, log=print) -> list[StepResult]:
    try:
        import nnopt.optim as optim
        from nnopt.parameter import Parameter
    except ImportError as error:
        log(f"  optimizer steps skipped: {error}")
        return []
    trials, trial_seconds = (3, 0.02) if quick else (7, 0.04)
    results = []
    for label, class_name, kwargs, torch_name in OPTIMIZERS:
        result = StepResult(label)
        results.append(result)
        cls = _optimizer_class(optim, class_name)
        if cls is None:
            result.error = f"nnopt.optim has no {class_name}"
            continue
        rng = np.random.default_rng(0)
        try:
            model_params, big_params = _model_parameters(Parameter, rng), _big_parameter(Parameter, rng)
            model_opt, big_opt = cls(model_params, **kwargs), cls(big_params, **kwargs)
        except Exception as error:  # report it, keep benchmarking the others
            result.error = f"{type(error).__name__}: {error}"
            continue
        result.model_param_bytes = sum(p.value.nbytes for p in model_params)
        result.big_param_bytes = big_params[0].value.nbytes
        calls = {"model": lambda i: model_opt.step(), "big": lambda i: big_opt.step()}
        torch_opt = _torch_big(torch_name, kwargs, rng) if torch_name else None
        if torch_opt is not None:
            calls["torch"] = lambda i: torch_opt.step()
        with np.errstate(all="ignore"):
            timings = time_interleaved(calls, trials=trials, trial_seconds=trial_seconds, warmup_seconds=0.02)
            result.model_peak_bytes = peak_bytes_per_step(model_opt)
            result.big_peak_bytes = peak_bytes_per_step(big_opt)
        result.model_us = timings["model"].median * 1e6
        result.big_us = timings["big"].median * 1e6
        if "torch" in timings:
            result.torch_big_us = timings["torch"].median * 1e6
        log(f"  step {label}: {result.model_us:.1f} µs (MLP), {result.big_us:.0f} µs (1e6); "
            f"peak extra {result.model_peak_bytes} B / {result.big_peak_bytes} B")
        del model_opt, big_opt, torch_opt, calls
    return results
