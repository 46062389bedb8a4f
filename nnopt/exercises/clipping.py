r"""Checker for the exercise "write ``clip_by_global_norm(grads, max_norm)``" (notebook 7).

The learner's function takes a list of gradient arrays and a threshold and returns
``(clipped, total_norm)``: new arrays, the inputs left unchanged, with the numbers of
``torch.nn.utils.clip_grad_norm_`` (and :func:`nnopt.optim.clip_grad_norm_`)::

    total_norm = sqrt(Σᵢ Σⱼ gᵢⱼ²)             one norm over every entry of every array
    coef       = max_norm / (total_norm + 1e-6)
    clipped    = [coef · g for g in grads]  if coef < 1  else  the same values as grads

The name and the return value follow ``tf.clip_by_global_norm`` (a new list and the norm);
the numbers follow PyTorch, including the ``+ 1e-6``: a norm *equal* to ``max_norm`` is still
scaled, by ``max_norm / (max_norm + 1e-6)``, and all-zero gradients give no division by zero.
The expected values below are worked out by hand (``3 / (5 + 1e-6)``, ...) and compared with a
relative tolerance of 1e-12, small enough to tell a missing ``1e-6`` (a 2e-7 relative change
for a norm of 5) from rounding.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..optim.clip import clip_grad_norm_
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, expect, run_checks

__all__ = ["check_clip_by_global_norm"]

RTOL = 1e-12
EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ divides by total_norm + 1e-6


def _call(student_fn, grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Call the learner's function on copies of ``grads`` and check the shape of the answer."""
    with np.errstate(all="ignore"):          # a 0/0 shows up as NaN in the answer and is reported
        result = student_fn([g.copy() for g in grads], max_norm)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           expected="a pair (clipped_grads, total_norm)",
           got=f"{result!r:.120} ({type(result).__name__})",
           hint="end with `return clipped, total_norm`: the list of clipped arrays first, then the norm.")
    clipped, total = result
    expect(isinstance(clipped, (list, tuple)) and len(clipped) == len(grads),
           expected=f"a list of {len(grads)} arrays (one per gradient) as the first item",
           got=f"{type(clipped).__name__}" + (f" of length {len(clipped)}" if hasattr(clipped, "__len__") else ""),
           hint="return a list with one clipped array per input array, e.g. [g * coef for g in grads]; "
                "the norm comes second.")
    try:
        total = float(total)
    except (TypeError, ValueError):
        expect(False, expected="a number (the total norm) as the second item", got=f"{total!r:.80}",
               hint="the second item is one float: the global norm of all gradients before clipping.")
    arrays = [np.asarray(c, dtype=np.float64) for c in clipped]
    for index, (array, grad) in enumerate(zip(arrays, grads)):
        expect(array.shape == grad.shape,
               expected=f"clipped[{index}] of shape {grad.shape}, like grads[{index}]",
               got=f"shape {array.shape}",
               hint="scale each array as it is (g * coef); do not flatten or concatenate them in the result.")
    return arrays, total


def _expect_norm(total: float, expected: float, grads_text: str) -> None:
    if math.isclose(total, expected * expected, rel_tol=RTOL) and expected not in (0.0, 1.0):
        hint = "that is the sum of squares: take its square root."
    else:
        hint = ("return the norm of the gradients as given, before clipping (it is what you plot to "
                "watch for explosions), computed over every entry of every array: "
                "sqrt(sum of np.sum(g**2) over all g).")
    expect(math.isclose(total, expected, rel_tol=RTOL, abs_tol=1e-300),
           expected=f"total norm {expected!r} for grads {grads_text}", got=f"total norm {total!r}", hint=hint)


def _expect_arrays(arrays: list[np.ndarray], expected: list[np.ndarray], hint: str) -> None:
    ok = all(np.allclose(a, e, rtol=RTOL, atol=0.0) for a, e in zip(arrays, expected))
    expect(ok, expected=f"clipped {_show(expected)}", got=f"clipped {_show(arrays)}", hint=hint)


def _show(arrays: list[np.ndarray]) -> str:
    return "[" + ", ".join(np.array2string(np.asarray(a), precision=10, separator=", ") for a in arrays) + "]"


def _scaled_hint(arrays, grads, max_norm, total) -> str:
    """A hint that names the likely mistake, by comparing with the usual wrong answers."""
    def same(candidate):
        return all(np.allclose(a, c, rtol=RTOL, atol=0.0) for a, c in zip(arrays, candidate))

    if same(grads):
        return ("nothing was clipped: when coef = max_norm / (total_norm + 1e-6) is below 1, "
                "multiply every array by coef.")
    if same([g * (max_norm / total) for g in grads]):
        return ("almost: PyTorch divides by total_norm + 1e-6, not by total_norm, so "
                "coef = max_norm / (total_norm + 1e-6).")
    per_array = [g * min(1.0, max_norm / (float(np.linalg.norm(g)) + EPS)) for g in grads]
    if len(grads) > 1 and same(per_array):
        return ("each array was clipped by its own norm; clip them all by ONE global norm, "
                "sqrt(Σ of every squared entry of every array), so their relative sizes stay the same.")
    return "scale every array by the same coef = max_norm / (total_norm + 1e-6) when coef < 1."


def _case_clip(grads: list[np.ndarray], max_norm: float, total: float, coef: float):
    """A case with hand-computed total norm and coefficient: clipped = [coef · g]."""
    grads_text = _show(grads)

    def run(student_fn) -> None:
        arrays, got_total = _call(student_fn, grads, max_norm)
        _expect_norm(got_total, total, grads_text)
        _expect_arrays(arrays, [g * coef for g in grads], _scaled_hint(arrays, grads, max_norm, total))
    return run


def _case_below_threshold(student_fn) -> None:
    grads = [np.array([0.3, 0.4])]  # norm 0.5 < max_norm 1
    arrays, total = _call(student_fn, grads, 1.0)
    _expect_norm(total, 0.5, _show(grads))
    scaled_up = np.allclose(arrays[0], [0.6, 0.8], rtol=1e-4)
    _expect_arrays(arrays, grads,
                   "clipping only ever shrinks: with a norm below max_norm, coef = max_norm / "
                   "(total_norm + 1e-6) is above 1, so use min(coef, 1.0)"
                   + (" (you scaled the gradient up to norm 1)." if scaled_up else "."))


def _case_zero_gradients(student_fn) -> None:
    grads = [np.zeros(3), np.zeros((2, 2))]
    arrays, total = _call(student_fn, grads, 1.0)
    _expect_norm(total, 0.0, _show(grads))
    _expect_arrays(arrays, grads,
                   "all-zero gradients must stay zero, not NaN: divide by total_norm + 1e-6, which is "
                   "never 0, and clip only when the coefficient is below 1.")


def _case_inputs_unchanged(student_fn) -> None:
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    given = [g.copy() for g in grads]
    student_fn(given, 1.0)
    changed = [index for index, (g, original) in enumerate(zip(given, grads)) if not np.array_equal(g, original)]
    expect(not changed, expected="the input arrays unchanged after the call",
           got=", ".join(f"grads[{index}] was modified in place" for index in changed),
           hint="return new arrays: write g * coef (a new array), not g *= coef (that changes the "
                "caller's gradient; torch's clip_grad_norm_, with its trailing underscore, is the in-place one).")


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
    arrays, total = _call(student_fn, grads, 0.5)
    _expect_norm(total, expected_total, "(5 random arrays of shapes " + ", ".join(map(str, shapes)) + ")")
    _expect_arrays(arrays, [p.grad for p in params], _scaled_hint(arrays, grads, 0.5, expected_total))


CHECKS = (
    Check("one array [3, 4], max_norm=1: norm 5, scaled by 1/(5 + 1e-6)",
          _case_clip([np.array([3.0, 4.0])], 1.0, total=5.0, coef=1.0 / (5.0 + EPS))),
    Check("two arrays [3] and [4], max_norm=2: one global norm 5 (not 3 and 4)",
          _case_clip([np.array([3.0]), np.array([4.0])], 2.0, total=5.0, coef=2.0 / (5.0 + EPS))),
    Check("a matrix and a vector, max_norm=1: 1 + 4 + 4 + 0 + 16 = 25, norm 5, shapes kept",
          _case_clip([np.array([[1.0, 2.0], [2.0, 0.0]]), np.array([4.0])], 1.0, total=5.0, coef=1.0 / (5.0 + EPS))),
    Check("norm below max_norm ([0.3, 0.4], max_norm=1): returned unchanged", _case_below_threshold),
    Check("norm equal to max_norm ([3, 4], max_norm=5): scaled by 5/(5 + 1e-6), as in torch",
          _case_clip([np.array([3.0, 4.0])], 5.0, total=5.0, coef=5.0 / (5.0 + EPS))),
    Check("all-zero gradients: norm 0 and zeros back, no NaN", _case_zero_gradients),
    Check("the input arrays are not modified", _case_inputs_unchanged),
    Check("same numbers as nnopt.optim.clip_grad_norm_ on 5 random arrays (max_norm=0.5)", _case_matches_nnopt),
)


def check_clip_by_global_norm(student_fn) -> ExerciseResult:
    """Check a learner's ``clip_by_global_norm(grads, max_norm) -> (clipped, total_norm)`` on 8 cases.

    Put it last in a notebook cell to see "✓ clip_by_global_norm: passed 8/8", or the first
    failing case with the expected numbers, yours and a hint. Wrong answers and errors are
    reported, never raised; ``.passed`` is True when every case passed.
    """
    return run_checks("clip_by_global_norm", student_fn, CHECKS)
