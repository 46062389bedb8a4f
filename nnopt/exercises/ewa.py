r"""Checker for the exercise "write ``ewa(series, beta, bias_correction=True)``" (notebook 2).

The learner's function must return, for a 1-D series :math:`x_1, \dots, x_T`, the array of its
exponentially weighted averages, one per value:

.. math::

    v_0 = 0, \qquad v_t = \beta\, v_{t-1} + (1 - \beta)\, x_t, \qquad
    \hat v_t = \frac{v_t}{1 - \beta^t} \quad (t = 1, \dots, T),

``out[t-1] = v̂_t`` with ``bias_correction=True`` (the default) and ``out[t-1] = v_t`` without.
The reference is :func:`nnopt.optim.ewa.ewa_series`. Answers are compared with a relative
tolerance of 1e-6 (float32 answers 1e-4), the course policy; the series each call receives is a
fresh copy, so overwriting it with the averages is allowed (with float data).

When an answer is wrong, the checker recomputes the usual mistakes on the same case (forgetting
the ``(1 − β)``, swapping ``β`` and ``1 − β``, starting from ``v_0 = x_1``, correcting with
``β^(t+1)``, feeding the corrected value back into the recursion, ignoring the flag, ...) and,
when one of them reproduces the learner's numbers exactly, names it in the hint.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..optim.ewa import ewa_series
from .feedback import Check, ExerciseResult, as_array, close, expect, read_answer, run_checks

__all__ = ["check_ewa"]

GENERIC_HINT = ("start from v = 0; for each value x in turn do v = beta * v + (1 - beta) * x and store v; "
                "with bias correction store v / (1 - beta**t) instead, where t = 1 for the first value.")


# ---------- the usual mistakes, recomputed so that a wrong answer can be recognised ----------

def _recursion(series: np.ndarray, keep: float, take: float, start: float) -> np.ndarray:
    """``v_t = keep·v_{t-1} + take·x_t`` from ``v_0 = start``, every ``v_t`` in an array."""
    out = np.empty(len(series))
    average = start
    for t, value in enumerate(series):
        average = keep * average + take * value
        out[t] = average
    return out


def _corrected(raw: np.ndarray, beta: float, shift: int = 0) -> np.ndarray:
    """``raw[t-1] / (1 − β^(t + shift))`` for t = 1..T (shift = 1 is the off-by-one mistake)."""
    steps = np.arange(1, len(raw) + 1) + shift
    with np.errstate(divide="ignore", invalid="ignore"):
        return raw / (1.0 - beta**steps)


def _maybe_corrected(raw: np.ndarray, beta: float, correct: bool) -> np.ndarray:
    return _corrected(raw, beta) if correct else raw


def _fed_back(series: np.ndarray, beta: float) -> np.ndarray:
    """The correction applied inside the loop: the corrected value becomes the next v."""
    out = np.empty(len(series))
    average = 0.0
    for t, value in enumerate(series, start=1):
        average = (beta * average + (1 - beta) * value) / (1 - beta**t)
        out[t - 1] = average
    return out


def _mistakes(series: np.ndarray, beta: float, correct: bool) -> list[tuple[np.ndarray, str]]:
    """(output, hint) for each usual mistake that applies to this case."""
    right_raw = _recursion(series, beta, 1 - beta, 0.0)
    found = [
        (_maybe_corrected(_recursion(series, beta, 1.0, 0.0), beta, correct),
         "the new value must be weighted by (1 - beta): v = beta * v + (1 - beta) * x. Without (1 - beta) "
         "the weights add up to about 1/(1 - beta) instead of 1 and the average grows far too large."),
        (_maybe_corrected(_recursion(series, 1 - beta, beta, 0.0), beta, correct),
         "beta and (1 - beta) are swapped: beta multiplies the OLD average (it is the memory), "
         "(1 - beta) the new value: v = beta * v + (1 - beta) * x."),
        (np.cumsum(series) / np.arange(1, len(series) + 1),
         "that is the plain running mean, every value weighted the same; the EWA weights the newest value by "
         "(1 - beta) and each older one by another factor beta: v = beta * v + (1 - beta) * x."),
        (_maybe_corrected(_recursion(series, beta, 1 - beta, float(series[0])), beta, correct),
         "start from v = 0, not from the first value: the recursion begins at v_0 = 0 "
         "(that start is what bias correction is designed to undo)."),
        (np.concatenate([[0.0], _maybe_corrected(right_raw, beta, correct)[:-1]]),
         "your outputs are shifted by one step: update v with the new value first, then store it "
         "(out[0] is the average after the first value, not the starting 0)."),
    ]
    if correct:
        found += [
            (right_raw,
             "bias correction is missing: with bias_correction=True return v / (1 - beta**t) "
             "(t = 1 for the first value), not v."),
            (_corrected(right_raw, beta, shift=1),
             "off by one in the correction: the first value is step t = 1, so divide by 1 - beta**1 "
             "(with a 0-based loop index i use t = i + 1, not i + 2)."),
            (_fed_back(series, beta),
             "keep the raw v for the recursion and correct only what you store: "
             "v = beta * v + (1 - beta) * x; out[t-1] = v / (1 - beta**t). Feeding the corrected value "
             "back into v corrects the start over and over."),
            (right_raw / (1 - beta ** len(series)),
             "the correction factor changes with t: divide v_t by 1 - beta**t for each step t, "
             "not every value by the same 1 - beta**T."),
        ]
    else:
        found.append(
            (_corrected(right_raw, beta),
             "with bias_correction=False return the raw averages v_t; divide by 1 - beta**t only when "
             "bias_correction is True."))
    return found


# ---------- calling the learner's function ----------

def _fmt(values) -> str:
    values = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{v:.5g}" for v in values[:8])
    return f"[{shown}{', ...' if values.size > 8 else ''}]" + (f" ({values.size} values)" if values.size > 8 else "")


def _call(student_fn: Callable, series, beta: float, correct: bool | None) -> tuple[np.ndarray, bool]:
    """Call the learner's function on a copy of ``series``; check the result is one number per value."""
    given = np.array(series, copy=True)
    result = student_fn(given, beta) if correct is None else student_fn(given, beta, bias_correction=correct)
    expect(result is not None, expected=f"an array of {len(given)} averages", got="None",
           hint="end the function with `return out` (the array of averages); printing is not returning.")
    raw = read_answer(lambda: np.asarray(result), "the averages")
    if raw.dtype.kind in "biu" and np.asarray(series).dtype.kind in "iu":
        wrote_into_input = read_answer(lambda: bool(np.shares_memory(raw, given)), "the averages")
        expect(False, expected="float averages", got=f"an integer array {_fmt(raw)}",
               hint=("you stored the averages in the input series itself, which is an integer array here, so NumPy "
                     "truncated every average to a whole number: write them into a new float array, "
                     "out = np.empty(len(series)) (or convert first: series = np.asarray(series, dtype=float))."
                     if wrote_into_input else
                     "your output array has an integer dtype, so NumPy truncates every average when you "
                     "store it: create it with dtype=float (np.zeros(len(series))), not np.zeros_like(series)."))
    values, low = as_array(result, "the averages",
                           hint="return a NumPy array of floats, e.g. out = np.empty(len(series)) filled in the loop.")
    expect(values.shape == given.shape, expected=f"shape {given.shape}: one average per value",
           got=f"shape {values.shape}" + (f" (value {float(values):.5g})" if values.ndim == 0 else ""),
           hint=("return every average, not only the last one: store v in out[t] inside the loop."
                 if values.ndim == 0 else "return an array with one average per value of the series."))
    return values, low


def _expect_ewa(student_fn: Callable, series, beta: float, correct: bool | None) -> None:
    series_array = np.asarray(series)
    wants_correction = True if correct is None else correct
    expected = ewa_series(series_array, beta, bias_correction=wants_correction)
    got, low = _call(student_fn, series_array, beta, correct)
    if close(got, expected, low):
        return
    if not np.all(np.isfinite(got)):
        hint = ("some averages are inf or nan: 1 - beta**0 = 0, so the correction must use t = 1 for the first "
                "value (with a 0-based loop index i, divide by 1 - beta**(i + 1)).")
    else:
        series_float = series_array.astype(float)
        matching = [text for output, text in _mistakes(series_float, beta, wants_correction)
                    if not close(output, expected) and close(got, output, low)]
        if len(matching) > 1:  # slips that agree on this case: a second series tells them apart
            matching = _narrowed(student_fn, matching, correct) or matching
        hint = matching[0] if matching else (
            "your averages match none of the usual slips; work the first two values out by hand: " + GENERIC_HINT)
    expect(False, expected=_fmt(expected), got=_fmt(got), hint=hint)


def _narrowed(student_fn: Callable, hints: list[str], correct: bool | None) -> list[str]:
    """Of ``hints``, those whose slip also reproduces the learner's answer on a second, probing series."""
    probe, beta = np.array([1.0, 5.0, 2.0, 8.0, 3.0]), 0.8
    wants_correction = True if correct is None else correct
    try:
        got, low = _call(student_fn, probe, beta, correct)
    except Exception:  # noqa: BLE001 - a probe that fails gives no evidence
        return []
    return [text for output, text in _mistakes(probe, beta, wants_correction)
            if text in hints and close(got, output, low)]


# ---------- the cases ----------

def _case(series, beta: float, correct: bool | None) -> Callable:
    def run(student_fn) -> None:
        _expect_ewa(student_fn, np.asarray(series, dtype=float), beta, correct)
    return run


def _case_constant(student_fn) -> None:
    series = np.full(20, 7.0)
    got, low = _call(student_fn, series, 0.9, True)
    expect(close(got, np.full(20, 7.0), low), expected="20 times 7.0 (a proper average of 7s is 7)",
           got=_fmt(got),
           hint="divide v_t by 1 - beta**t: after t steps the weights add up to exactly 1 - beta**t, "
                "so the corrected value of a constant series is that constant from the first step on.")


def _case_beta_zero(student_fn) -> None:
    series = np.array([3.0, -1.0, 4.0, 1.5])
    for correct in (False, True):
        got, low = _call(student_fn, series, 0.0, correct)
        expect(close(got, series, low),
               expected=f"the series itself {_fmt(series)} (bias_correction={correct})", got=_fmt(got),
               hint="with beta = 0 the average forgets everything but the newest value: v = 0 * v + 1 * x = x.")


def _case_integers(student_fn) -> None:
    # hand-computed, β = 0.5: v = 0.5·1 = 0.5; 0.5·0.5 + 0.5·2 = 1.25; 0.5·1.25 + 0.5·3 = 2.125
    series = np.array([1, 2, 3])
    got, low = _call(student_fn, series, 0.5, False)
    expect(close(got, [0.5, 1.25, 2.125], low), expected="[0.5, 1.25, 2.125]", got=_fmt(got),
           hint=GENERIC_HINT)


def _case_one_value(student_fn) -> None:
    # one value 4, β = 0.5: v_1 = 0.5·4 = 2; corrected 2 / (1 − 0.5) = 4
    for correct, expected in ((False, 2.0), (True, 4.0)):
        got, low = _call(student_fn, np.array([4.0]), 0.5, correct)
        expect(close(got, [expected], low), expected=f"[{expected:g}] (bias_correction={correct})",
               got=_fmt(got), hint=GENERIC_HINT)


CHECKS = (
    Check("by hand: [10, 20], beta=0.5, no correction -> [5, 12.5]", _case([10.0, 20.0], 0.5, False)),
    Check("by hand: [10, 20], beta=0.5, corrected -> [10, 16.667]", _case([10.0, 20.0], 0.5, True)),
    Check("by hand: [10, 20, 30], beta=0.9, no correction -> [1, 2.9, 5.61]", _case([10.0, 20.0, 30.0], 0.9, False)),
    Check("by hand: [10, 20, 30], beta=0.9, corrected -> [10, 15.263, 20.701]",
          _case([10.0, 20.0, 30.0], 0.9, True)),
    Check("bias_correction=True is the default", _case([10.0, 20.0, 30.0], 0.9, None)),
    Check("a constant series stays constant when corrected (20 x 7.0, beta=0.9)", _case_constant),
    Check("beta=0 returns the series itself", _case_beta_zero),
    Check("one value: [4], beta=0.5 -> [2] raw, [4] corrected", _case_one_value),
    Check("integer input [1, 2, 3], beta=0.5 -> float averages [0.5, 1.25, 2.125]", _case_integers),
    Check("200 random values, beta=0.98, corrected: same as nnopt's ewa_series",
          _case(np.random.default_rng(2).normal(20.0, 5.0, 200), 0.98, True)),
    Check("200 random values, beta=0.98, no correction: same as nnopt's ewa_series",
          _case(np.random.default_rng(2).normal(20.0, 5.0, 200), 0.98, False)),
)


def check_ewa(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``ewa(series, beta, bias_correction=True)`` on 11 cases and return the feedback.

    Put it last in a notebook cell (or ``print`` it) to see "✓ ewa: passed 11/11", or the first
    failing case with the expected and returned averages and a hint that names the mistake when
    it is a usual one. ``.passed`` is True when every case passed. Wrong answers and errors are
    reported, never raised.
    """
    return run_checks("ewa", student_fn, CHECKS, checker="check_ewa", time_limit=time_limit)
