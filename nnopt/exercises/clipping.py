r"""Checker for the exercise "write ``clip_by_global_norm(grads, max_norm)``" (notebook 7).

The learner's function takes a list of gradient arrays and a threshold and returns
``(clipped, total_norm)``: new arrays, the inputs left unchanged, with the numbers of
``torch.nn.utils.clip_grad_norm_`` (and :func:`nnopt.optim.clip_grad_norm_`)::

    total_norm = sqrt(Σᵢ Σⱼ gᵢⱼ²)             one norm over every entry of every array
    coef       = max_norm / (total_norm + 1e-6)
    clipped    = [coef · g for g in grads]  if coef < 1  else  the same values as grads

The name and the return value follow ``tf.clip_by_global_norm`` (a new list and the norm);
the expected numbers follow PyTorch, including the ``+ 1e-6``. They are compared with the
course tolerance (relative 1e-6, float32 answers 1e-4), so TensorFlow's own formula
``clipped = g * max_norm / max(total_norm, max_norm)`` passes too: the two differ by
``1e-6 / total_norm`` relative (2e-7 for a norm of 5), a difference of convention, not of
understanding. All-zero gradients must give zeros, not NaN. Each call gets fresh copies of
the arrays, so scaling them in place (``g *= coef``) and returning them is allowed.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..optim.clip import clip_grad_norm_
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, as_array, as_number, close, expect, run_checks

__all__ = ["check_clip_by_global_norm"]

EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ divides by total_norm + 1e-6


def _call(student_fn, grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float, bool]:
    """Call the learner's function on copies of ``grads``; read the list of arrays, the norm and float32-ness."""
    result = student_fn([g.copy() for g in grads], max_norm)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           expected="a pair (clipped_grads, total_norm)",
           got=f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""),
           hint="end with `return clipped, total_norm`: the list of clipped arrays first, then the norm "
                "(as tf.clip_by_global_norm returns them).")
    clipped, total = result
    expect(isinstance(clipped, (list, tuple)) and len(clipped) == len(grads),
           expected=f"a list of {len(grads)} arrays (one per gradient) as the first item",
           got=f"{type(clipped).__name__}" + (f" of length {len(clipped)}" if isinstance(clipped, (list, tuple)) else ""),
           hint="return a list with one clipped array per input array, e.g. [g * coef for g in grads]; "
                "the norm comes second.")
    total, low = as_number(total, "the total norm (second item)",
                           hint="the second item is one float: the global norm of all gradients before clipping.")
    arrays = []
    for index, (item, grad) in enumerate(zip(clipped, grads)):
        array, part_low = as_array(item, f"clipped[{index}]", shape=grad.shape,
                                   hint="scale each array as it is (g * coef); do not flatten or concatenate them "
                                        "in the result.")
        arrays.append(array)
        low = low or part_low
    return arrays, total, low


def _expect_norm(total: float, expected: float, grads_text: str, grads, low: bool) -> None:
    if close(total, expected, low):
        return
    if close(total, expected * expected, low) and expected not in (0.0, 1.0):
        hint = "that is the sum of squares: take its square root."
    elif len(grads) > 1 and close(total, sum(float(np.linalg.norm(g)) for g in grads), low):
        hint = ("that is the sum of the arrays' own norms; the global norm adds the SQUARES of every entry of "
                "every array and takes one square root: sqrt(sum(np.sum(g**2) for g in grads)).")
    elif len(grads) > 1 and close(total, float(np.linalg.norm(grads[-1])), low):
        hint = ("that is the norm of the last array only: add the squares of all arrays before the square root "
                "(total = 0 before the loop, total += np.sum(g**2) inside it).")
    else:
        hint = ("return the norm of the gradients as given, before clipping (it is what you plot to "
                "watch for explosions), computed over every entry of every array: "
                "sqrt(sum of np.sum(g**2) over all g).")
    expect(False, expected=f"total norm {expected!r} for grads {grads_text}", got=f"total norm {total!r}", hint=hint)


def _expect_arrays(arrays: list[np.ndarray], expected: list[np.ndarray], hint: str, low: bool) -> None:
    ok = all(close(a, e, low) for a, e in zip(arrays, expected))
    expect(ok, expected=f"clipped {_show(expected)}", got=f"clipped {_show(arrays)}", hint=hint)


def _show(arrays: list[np.ndarray]) -> str:
    return "[" + ", ".join(np.array2string(np.asarray(a), precision=10, separator=", ") for a in arrays) + "]"


def _scaled_hint(arrays, grads, max_norm, total, low: bool = False) -> str:
    """A hint that names the likely mistake, by comparing with the usual wrong answers."""
    def same(candidate):
        return all(close(a, c, low) for a, c in zip(arrays, candidate))

    if same(grads):
        return ("nothing was clipped: when coef = max_norm / (total_norm + 1e-6) is below 1, "
                "multiply every array by coef.")
    if same([g * (total / max_norm) for g in grads]):
        return "the coefficient is upside down: coef = max_norm / (total_norm + 1e-6), below 1 when clipping."
    per_array = [g * min(1.0, max_norm / (float(np.linalg.norm(g)) + EPS)) for g in grads]
    if len(grads) > 1 and same(per_array):
        return ("each array was clipped by its own norm; clip them all by ONE global norm, "
                "sqrt(Σ of every squared entry of every array), so their relative sizes stay the same.")
    if same([np.clip(g, -max_norm, max_norm) for g in grads]):
        return ("that clips each entry to [-max_norm, max_norm] (clip by value, torch's clip_grad_value_); "
                "clipping by the global norm scales every array by the same coef = max_norm / (total_norm + 1e-6), "
                "which keeps the gradient's direction.")
    return ("the clipped arrays match none of the usual slips: scale every array by the same "
            "coef = max_norm / (total_norm + 1e-6) when coef < 1.")


def _case_clip(grads: list[np.ndarray], max_norm: float, total: float, coef: float):
    """A case with hand-computed total norm and coefficient: clipped = [coef · g]."""
    grads_text = _show(grads)

    def run(student_fn) -> None:
        arrays, got_total, low = _call(student_fn, grads, max_norm)
        _expect_norm(got_total, total, grads_text, grads, low)
        _expect_arrays(arrays, [g * coef for g in grads], _scaled_hint(arrays, grads, max_norm, total, low), low)
    return run


def _case_below_threshold(student_fn) -> None:
    grads = [np.array([0.3, 0.4])]  # norm 0.5 < max_norm 1
    arrays, total, low = _call(student_fn, grads, 1.0)
    _expect_norm(total, 0.5, _show(grads), grads, low)
    scaled_up = close(arrays[0], [0.6, 0.8], True)
    _expect_arrays(arrays, grads,
                   "clipping only ever shrinks: with a norm below max_norm, coef = max_norm / "
                   "(total_norm + 1e-6) is above 1, so use min(coef, 1.0)"
                   + (" (you scaled the gradient up to norm 1)." if scaled_up else "."), low)


def _case_zero_gradients(student_fn) -> None:
    grads = [np.zeros(3), np.zeros((2, 2))]
    arrays, total, low = _call(student_fn, grads, 1.0)
    _expect_norm(total, 0.0, _show(grads), grads, low)
    _expect_arrays(arrays, grads,
                   "all-zero gradients must stay zero, not NaN: divide by total_norm + 1e-6, which is "
                   "never 0 (or TensorFlow's max(total_norm, max_norm)), and clip only when the coefficient is below 1.",
                   low)


def _case_matches_nnopt(student_fn) -> None:
    rng = np.random.default_rng(7)
    shapes = [(4, 3), (3,), (3, 2), (2,), (1,)]
    grads = [rng.standard_normal(shape) * scale for shape, scale in zip(shapes, (2.0, 0.5, 1.0, 3.0, 0.1))]
    params = []
    for grad in grads:
        param = Parameter(np.zeros(grad.shape))
        param.grad[...] = grad
        params.append(param)
    expected_total = clip_grad_norm_(params, 0.5)
    arrays, total, low = _call(student_fn, grads, 0.5)
    _expect_norm(total, expected_total, "(5 random arrays of shapes " + ", ".join(map(str, shapes)) + ")", grads, low)
    _expect_arrays(arrays, [p.grad for p in params], _scaled_hint(arrays, grads, 0.5, expected_total, low), low)


CHECKS = (
    Check("one array [3, 4], max_norm=1: norm 5, scaled by 1/(5 + 1e-6)",
          _case_clip([np.array([3.0, 4.0])], 1.0, total=5.0, coef=1.0 / (5.0 + EPS))),
    Check("two arrays [3] and [4], max_norm=2: one global norm 5 (not 3 and 4)",
          _case_clip([np.array([3.0]), np.array([4.0])], 2.0, total=5.0, coef=2.0 / (5.0 + EPS))),
    Check("a matrix and a vector, max_norm=1: 1 + 4 + 4 + 0 + 16 = 25, norm 5, shapes kept",
          _case_clip([np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([4.0])], 1.0, total=5.0, coef=1.0 / (5.0 + EPS))),
    Check("norm below max_norm ([0.3, 0.4], max_norm=1): returned unchanged", _case_below_threshold),
    Check("norm equal to max_norm ([3, 4], max_norm=5): kept (torch scales by 5/(5 + 1e-6), TF by 1)",
          _case_clip([np.array([3.0, 4.0])], 5.0, total=5.0, coef=5.0 / (5.0 + EPS))),
    Check("all-zero gradients: norm 0 and zeros back, no NaN", _case_zero_gradients),
    Check("same numbers as nnopt.optim.clip_grad_norm_ on 5 random arrays (max_norm=0.5)", _case_matches_nnopt),
)


def check_clip_by_global_norm(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``clip_by_global_norm(grads, max_norm) -> (clipped, total_norm)`` on 7 cases.

    PyTorch's numbers and TensorFlow's formula both pass (see the module docstring).
    Put it last in a notebook cell to see "✓ clip_by_global_norm: passed 7/7", or the first
    failing case with the expected numbers, yours and a hint. Wrong answers and errors are
    reported, never raised; ``.passed`` is True when every case passed.
    """
    return run_checks("clip_by_global_norm", student_fn, CHECKS, checker="check_clip_by_global_norm",
                      time_limit=time_limit)
