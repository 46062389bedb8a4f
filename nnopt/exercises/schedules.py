"""Checkers for the exercises of notebook 6: the closed forms of two learning-rate schedules.

- :func:`check_cosine_annealing` checks ``cosine_annealing(step, lr_max, lr_min, T_max)``,
  the closed form of cosine annealing (Loshchilov & Hutter, 2017)::

      lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2

  against hand-computed values (step 0 -> lr_max, T_max / 2 -> the mean of the two,
  T_max -> lr_min, T_max / 4 -> lr_min + (lr_max - lr_min) (1 + sqrt(2)/2) / 2) and against the
  rates :class:`nnopt.schedules.CosineAnnealingLR` sets step by step. That scheduler runs
  PyTorch's *recursive* form, which equals the closed form up to rounding, so the comparison
  uses a relative tolerance of 1e-9.

- :func:`check_inverse_time_decay` checks ``inverse_time_decay(lr0, decay_rate, epoch)``::

      lr = lr0 / (1 + decay_rate * epoch)

  against hand-computed values and :func:`nnopt.schedules.inverse_time_decay`.

When an answer is wrong, the checkers compare it with the usual mistakes (degrees instead of
radians, an off-by-one in the step, lr_min and lr_max swapped, a missing ``1 +`` or ``/ 2``,
floor division; exponential instead of inverse-time decay, a misplaced bracket) and name the
one that matches.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..schedules import CosineAnnealingLR, schedule_values
from ..schedules import inverse_time_decay as reference_inverse_time_decay
from .feedback import Check, ExerciseResult, expect, run_checks

__all__ = ["check_cosine_annealing", "check_inverse_time_decay", "reference_cosine_annealing"]

RTOL = 1e-9  # closed form vs the recursive scheduler: equal up to rounding (~1e-15 relative)
ATOL = 1e-12


def reference_cosine_annealing(step, lr_max: float, lr_min: float, T_max: float) -> float:
    """``lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2``: the checker's reference."""
    return lr_min + (lr_max - lr_min) * (1.0 + math.cos(math.pi * step / T_max)) / 2.0


# -- the usual mistakes, for the hints ----------------------------------------------------------
def _cosine_with(angle: Callable[[float, float], float], swap: bool = False, one_plus: bool = True,
                 halve: bool = True) -> Callable:
    """A wrong variant of the closed form: another angle, lr_min/lr_max swapped, no ``1 +``, no ``/ 2``."""

    def variant(step, lr_max, lr_min, T_max):
        high, low = (lr_min, lr_max) if swap else (lr_max, lr_min)
        factor = (1.0 if one_plus else 0.0) + math.cos(angle(step, T_max))
        return low + (high - low) * factor / (2.0 if halve else 1.0)

    return variant


_RIGHT_ANGLE = lambda step, T_max: math.pi * step / T_max  # noqa: E731 - a table of one-liners reads best

COSINE_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (_cosine_with(lambda s, T: 180.0 * s / T),
     "cos() takes radians: the angle is pi * step / T_max (math.pi or np.pi), not 180 * step / T_max."),
    (_cosine_with(lambda s, T: math.radians(math.pi * s / T)),
     "the angle pi * step / T_max is already in radians; do not convert it with radians()."),
    (_cosine_with(lambda s, T: s / T),
     "the angle is pi * step / T_max: without pi the cosine only covers 1/pi of its half period."),
    (_cosine_with(lambda s, T: 2.0 * math.pi * s / T),
     "the angle is pi * step / T_max, half a period over T_max steps; 2 pi goes down and back up."),
    (_cosine_with(lambda s, T: math.pi * (s + 1) / T),
     "off by one: step 0 must give lr_max, so the angle is pi * step / T_max, not pi * (step + 1) / T_max."),
    (_cosine_with(lambda s, T: math.pi * (s - 1) / T),
     "off by one: the angle is pi * step / T_max, not pi * (step - 1) / T_max."),
    (_cosine_with(lambda s, T: math.pi * s / (T - 1)),
     "off by one: divide by T_max, not T_max - 1; lr_min is reached at step T_max itself."),
    (_cosine_with(lambda s, T: math.pi * s / (T + 1)),
     "off by one: divide by T_max, not T_max + 1; lr_min is reached at step T_max itself."),
    (_cosine_with(lambda s, T: math.pi * (s // T)),
     "use true division step / T_max; floor division // gives 0 for every step below T_max."),
    (_cosine_with(_RIGHT_ANGLE, swap=True),
     "lr_min and lr_max are swapped: the rate starts at lr_max (cos 0 = 1) and ends at lr_min."),
    (_cosine_with(_RIGHT_ANGLE, one_plus=False),
     "the factor is (1 + cos(...)) / 2, which runs from 1 to 0; cos(...) / 2 alone runs from 1/2 to -1/2."),
    (_cosine_with(_RIGHT_ANGLE, halve=False),
     "the factor is (1 + cos(...)) / 2, which runs from 1 to 0; without / 2 it runs from 2 to 0."),
    (lambda step, lr_max, lr_min, T_max: lr_max * (1.0 + math.cos(math.pi * step / T_max)) / 2.0,
     "the rate ends at lr_min, not 0: lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2."),
    (lambda step, lr_max, lr_min, T_max: lr_min + lr_max * (1.0 + math.cos(math.pi * step / T_max)) / 2.0,
     "multiply the cosine factor by the range (lr_max - lr_min), not by lr_max: at step 0 the rate must be "
     "exactly lr_max."),
)

INVERSE_TIME_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (lambda lr0, k, t: lr0 * k ** t,
     "that is exponential decay, lr0 * decay_rate ** epoch; inverse-time decay divides: lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 * math.exp(-k * t),
     "that is exponential decay, lr0 * exp(-decay_rate * epoch); inverse-time decay divides: "
     "lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k) * t,
     "brackets: lr0 / (1 + decay_rate) * epoch multiplies by epoch; write lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / 1.0 + k * t,
     "brackets: lr0 / 1 + decay_rate * epoch adds to the rate; write lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k * (t + 1)),
     "off by one: epoch 0 must give lr0, so use epoch, not epoch + 1."),
    (lambda lr0, k, t: lr0 * (1.0 - k * t),
     "that is linear decay, which reaches 0 and goes negative; inverse-time decay divides: "
     "lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k) ** t,
     "that is exponential decay with factor 1 / (1 + decay_rate); inverse-time decay is lr0 / (1 + decay_rate * epoch)."),
)


def _close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL)


def _diagnose(mistakes, args, got: float, fallback: str) -> str:
    """The hint of the first known mistake that gives ``got`` for ``args``, else ``fallback``."""
    for variant, hint in mistakes:
        try:
            if _close(got, float(variant(*args))):
                return hint
        except (ArithmeticError, ValueError):
            continue
    return fallback


def _as_number(value, what: str) -> float:
    """The learner's answer as a float; a Mismatch with a hint if it is not one number."""
    expect(value is not None, expected="a number (the learning rate)", got="None",
           hint=f"end {what} with `return ...`; printing the value is not returning it.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        expect(False, expected="a number (the learning rate)", got=f"{value!r} ({type(value).__name__})",
               hint="return one number computed from the arguments.")
    expect(array.ndim == 0, expected="one number for one step",
           got=f"an array of shape {array.shape}", hint="for a single step, return a single number.")
    number = float(array)
    expect(math.isfinite(number), expected="a finite number", got=repr(number),
           hint="check for a division by zero or an overflow.")
    return number


# -- cosine annealing -----------------------------------------------------------------------------
COSINE_FALLBACK = "lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2, with math.cos or np.cos in radians."


def _cosine_value(student_fn, step, lr_max, lr_min, T_max, expected: float, what: str) -> None:
    args = (step, lr_max, lr_min, T_max)
    with np.errstate(all="ignore"):  # a NaN or inf from the learner's code is reported below, not warned
        got = _as_number(student_fn(*args), "cosine_annealing")
    expect(_close(got, expected), expected=f"{expected:.10g} ({what})",
           got=f"{got:.10g} for cosine_annealing{args}",
           hint=_diagnose(COSINE_MISTAKES, args, got, COSINE_FALLBACK))


def _cosine_point(step_fraction: float, what: str, lr_max: float = 0.1, lr_min: float = 0.001, T_max: int = 100):
    step = step_fraction * T_max
    step = int(step) if float(step).is_integer() else step
    # lr_min + (lr_max - lr_min) * (1 + cos(pi * fraction)) / 2, evaluated by hand for each case below
    by_hand = {0.0: lr_max, 0.5: (lr_max + lr_min) / 2, 1.0: lr_min,
               0.25: lr_min + (lr_max - lr_min) * (1 + math.sqrt(2) / 2) / 2}

    def run(student_fn) -> None:
        _cosine_value(student_fn, step, lr_max, lr_min, T_max, by_hand[step_fraction], what)

    return run


def _cosine_matches_scheduler(T_max: int, lr_max: float, lr_min: float):
    def run(student_fn) -> None:
        # the rates the scheduler sets at steps 0..T_max (its recursive form, as PyTorch's)
        expected = schedule_values(lambda optimizer: CosineAnnealingLR(optimizer, T_max=T_max, eta_min=lr_min),
                                   steps=T_max + 1, lr=lr_max)
        for step, value in enumerate(expected):
            _cosine_value(student_fn, step, lr_max, lr_min, T_max, float(value),
                          f"CosineAnnealingLR(T_max={T_max}, eta_min={lr_min}) at step {step}, base lr {lr_max}")

    return run


COSINE_CHECKS = (
    Check("step 0 gives lr_max (lr_max=0.1, lr_min=0.001, T_max=100)", _cosine_point(0.0, "lr_max at step 0")),
    Check("step T_max/2 gives the mean (lr_max + lr_min)/2", _cosine_point(0.5, "(0.1 + 0.001) / 2 at step 50")),
    Check("step T_max gives lr_min", _cosine_point(1.0, "lr_min at step T_max")),
    Check("step T_max/4 gives lr_min + (lr_max - lr_min)(1 + √2/2)/2",
          _cosine_point(0.25, "0.001 + 0.099 * (1 + sqrt(2)/2) / 2 at step 25")),
    Check("matches CosineAnnealingLR(T_max=10, eta_min=0) at steps 0-10", _cosine_matches_scheduler(10, 0.05, 0.0)),
    Check("matches CosineAnnealingLR(T_max=7, eta_min=0.002) at steps 0-7, odd T_max",
          _cosine_matches_scheduler(7, 0.3, 0.002)),
)


def check_cosine_annealing(student_fn) -> ExerciseResult:
    """Check a learner's ``cosine_annealing(step, lr_max, lr_min, T_max)`` on 6 cases.

    Four hand-computed values (step 0, T_max/4, T_max/2, T_max) and two full schedules compared
    with :class:`nnopt.schedules.CosineAnnealingLR` (relative tolerance 1e-9: the scheduler's
    recursive form equals the closed form up to rounding). Wrong answers and errors are
    reported with a hint, never raised.
    """
    return run_checks("cosine_annealing", student_fn, COSINE_CHECKS)


# -- inverse-time decay ---------------------------------------------------------------------------
INVERSE_TIME_FALLBACK = "lr = lr0 / (1 + decay_rate * epoch)."


def _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected: float, what: str) -> None:
    args = (lr0, decay_rate, epoch)
    with np.errstate(all="ignore"):
        got = _as_number(student_fn(*args), "inverse_time_decay")
    expect(_close(got, expected), expected=f"{expected:.10g} ({what})",
           got=f"{got:.10g} for inverse_time_decay{args}",
           hint=_diagnose(INVERSE_TIME_MISTAKES, args, got, INVERSE_TIME_FALLBACK))


def _inverse_time_point(lr0, decay_rate, epoch, expected, what):
    def run(student_fn) -> None:
        _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected, what)
    return run


def _inverse_time_matches_reference(student_fn) -> None:
    lr0, decay_rate = 0.2, 0.3
    for epoch in range(21):
        expected = reference_inverse_time_decay(lr0, decay_rate, epoch)
        _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected,
                            f"nnopt.schedules.inverse_time_decay at epoch {epoch}")


def _inverse_time_on_arrays(student_fn) -> None:
    epochs = np.arange(6)
    expected = 0.5 / (1 + 1.0 * epochs)  # 0.5, 0.25, 0.1667, 0.125, 0.1, 0.0833
    try:
        with np.errstate(all="ignore"):
            got = student_fn(0.5, 1.0, epochs)
    except Exception as error:  # the usual cause: math.* or an if-statement on epoch; say so, do not raise
        got, failure = None, f"{type(error).__name__}: {error}"
    else:
        failure = None
    got_array = np.asarray(got, dtype=float) if got is not None else None
    expect(got_array is not None and got_array.shape == epochs.shape and np.allclose(got_array, expected, rtol=RTOL),
           expected=f"an array {np.round(expected, 4).tolist()} for epoch = np.arange(6)",
           got=failure or (repr(got) if got_array is None else f"{np.round(got_array, 4).tolist()}"),
           hint="use plain arithmetic (+, *, /), which works element by element on a NumPy array; "
                "math.* functions and if-statements on epoch accept only single numbers.")


INVERSE_TIME_CHECKS = (
    Check("epoch 0 gives lr0", _inverse_time_point(0.5, 1.0, 0, 0.5, "lr0 = 0.5 at epoch 0")),
    Check("lr0=0.5, decay_rate=1, epoch=3 gives 0.5 / (1 + 1 * 3) = 0.125",
          _inverse_time_point(0.5, 1.0, 3, 0.125, "0.5 / (1 + 3)")),
    Check("lr0=0.1, decay_rate=0.5, epoch=4 gives 0.1 / (1 + 0.5 * 4) = 0.0333",
          _inverse_time_point(0.1, 0.5, 4, 0.1 / 3, "0.1 / 3")),
    Check("decay_rate=0 keeps the rate constant", _inverse_time_point(0.2, 0.0, 7, 0.2, "lr0 = 0.2 at every epoch")),
    Check("matches nnopt.schedules.inverse_time_decay at epochs 0-20", _inverse_time_matches_reference),
    Check("works on an array of epochs (for plotting a whole schedule)", _inverse_time_on_arrays),
)


def check_inverse_time_decay(student_fn) -> ExerciseResult:
    """Check a learner's ``inverse_time_decay(lr0, decay_rate, epoch)`` on 6 cases.

    Hand-computed values, the whole schedule against :func:`nnopt.schedules.inverse_time_decay`
    and an array of epochs. Wrong answers and errors are reported with a hint, never raised.
    """
    return run_checks("inverse_time_decay", student_fn, INVERSE_TIME_CHECKS)
