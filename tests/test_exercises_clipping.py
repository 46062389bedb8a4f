"""Tests for nnopt.exercises.clipping: the checker of clip_by_global_norm (notebook 7)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.exercises.clipping import CHECKS, check_clip_by_global_norm


# ---------- learner answers, right and wrong ----------

def reference(grads, max_norm):
    """The notebook's solution: one norm over everything, torch's coefficient, new arrays."""
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total


def without_eps(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = min(1.0, max_norm / total) if total > 0 else 1.0
    return [g * coef for g in grads], total


def per_array(grads, max_norm):
    clipped = [g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads]
    return clipped, math.sqrt(sum(float(np.sum(g * g)) for g in grads))


def always_scales(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    return [g * (max_norm / (total + 1e-6)) for g in grads], total


def in_place(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= coef
    return grads, total


def strict_threshold(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = max_norm / (total + 1e-6) if total > max_norm else 1.0
    return [g * coef for g in grads], total


def norm_after_clipping(grads, max_norm):
    clipped, _ = reference(grads, max_norm)
    return clipped, math.sqrt(sum(float(np.sum(g * g)) for g in clipped))


def squared_norm(grads, max_norm):
    clipped, total = reference(grads, max_norm)
    return clipped, total**2


def swapped(grads, max_norm):
    clipped, total = reference(grads, max_norm)
    return total, clipped


def flattens(grads, max_norm):
    clipped, total = reference(grads, max_norm)
    return [c.ravel() for c in clipped], total


def not_implemented(grads, max_norm):
    raise NotImplementedError("replace this line with your implementation")


def _failed(result) -> dict:
    return {outcome.name: outcome for outcome in result.failures}


# ---------- the checker ----------

def test_reference_passes_every_check():
    result = check_clip_by_global_norm(reference)
    assert result.passed, str(result)
    assert (result.n_passed, result.n_checks) == (7, 7)
    assert str(result).startswith("✓ clip_by_global_norm: passed 7/7")


def test_a_tuple_of_arrays_and_a_numpy_norm_pass_too():
    def as_tuple(grads, max_norm):
        clipped, total = reference(grads, max_norm)
        return tuple(clipped), np.float64(total)
    assert check_clip_by_global_norm(as_tuple).passed


def test_hand_computed_values():
    # [3, 4] with max_norm 1: total 5, coef = 1 / (5 + 1e-6), so 0.6 and 0.8 shrink by 1/(1 + 2e-7).
    (clipped,), total = reference([np.array([3.0, 4.0])], 1.0)
    assert total == 5.0
    np.testing.assert_allclose(clipped, [0.6 / (1 + 2e-7), 0.8 / (1 + 2e-7)], rtol=1e-15)
    assert clipped[0] != 0.6                       # the 1e-6 is visible at this precision


def test_tensorflows_formula_without_eps_passes():
    # tf.clip_by_global_norm: g * c / max(norm, c). It differs from torch's c / (norm + 1e-6) by a
    # relative 1e-6 at most, which the course's tolerance allows: both are right answers.
    def tensorflow(grads, max_norm):
        total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * max_norm / max(total, max_norm) for g in grads], total

    assert check_clip_by_global_norm(without_eps).passed
    assert check_clip_by_global_norm(tensorflow).passed


def test_per_array_norms_are_reported():
    result = check_clip_by_global_norm(per_array)
    failures = _failed(result)
    failure = failures["two arrays [3] and [4], max_norm=2: one global norm 5 (not 3 and 4)"]
    assert "ONE global norm" in failure.hint
    assert "one array [3, 4], max_norm=1: norm 5, scaled by 1/(5 + 1e-6)" not in failures  # one array: same thing


def test_scaling_up_below_the_threshold_is_reported():
    failures = _failed(check_clip_by_global_norm(always_scales))
    failure = failures["norm below max_norm ([0.3, 0.4], max_norm=1): returned unchanged"]
    assert "min(coef, 1.0)" in failure.hint and "scaled the gradient up" in failure.hint
    assert failure.expected.startswith("clipped [[0.3, 0.4]]")


def test_in_place_clipping_and_a_strict_threshold_pass():
    # The course policy: each call gets its own copies, so clipping them in place is allowed; at
    # norm == max_norm torch scales by 5/(5 + 1e-6) and a strict "norm > max_norm" keeps 1: both fine.
    assert check_clip_by_global_norm(in_place).passed
    assert check_clip_by_global_norm(strict_threshold).passed


def test_wrong_norms_are_reported():
    after = _failed(check_clip_by_global_norm(norm_after_clipping))
    assert after["one array [3, 4], max_norm=1: norm 5, scaled by 1/(5 + 1e-6)"].got.startswith("total norm 0.99999")
    squared = _failed(check_clip_by_global_norm(squared_norm))
    assert "square root" in squared["one array [3, 4], max_norm=1: norm 5, scaled by 1/(5 + 1e-6)"].hint


def test_bad_return_shapes_are_reported():
    result = check_clip_by_global_norm(swapped)
    assert result.n_passed == 0
    assert "the norm comes second" in result.failures[0].hint
    flat = _failed(check_clip_by_global_norm(flattens))
    failure = flat["a matrix and a vector, max_norm=1: 1 + 4 + 4 + 0 + 16 = 25, norm 5, shapes kept"]
    assert failure.got == "clipped[0] of shape (4,)" and "do not flatten" in failure.hint


def test_exceptions_and_non_functions_are_reported_not_raised():
    result = check_clip_by_global_norm(not_implemented)
    assert result.n_passed == 0 and result.n_checks == 1  # the stub: one "not implemented yet" line
    assert result.failures[0].name == "not implemented yet"
    assert result.failures[0].error.startswith("NotImplementedError: replace this line")
    called = check_clip_by_global_norm(reference([np.ones(2)], 1.0))
    assert not called.passed and "without calling it" in called.failures[0].hint


def test_zero_gradients_without_eps_are_reported_without_warnings():
    def scales_by_max_over_norm(grads, max_norm):     # NumPy: 0/0 -> nan, 1/0 -> inf, 0*inf -> nan
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * (max_norm / total) for g in grads], total

    def python_division(grads, max_norm):             # Python floats: ZeroDivisionError
        total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * min(1.0, max_norm / total) for g in grads], total

    with np.errstate(all="raise"):                   # the checker must not let NumPy warn or raise
        nan_failure = _failed(check_clip_by_global_norm(scales_by_max_over_norm))
    zero_case = "all-zero gradients: norm 0 and zeros back, no NaN"
    assert "nan" in nan_failure[zero_case].got and "never 0" in nan_failure[zero_case].hint
    error = _failed(check_clip_by_global_norm(python_division))[zero_case].error
    assert error.startswith("ZeroDivisionError: float division by zero")


def test_expected_values_match_torch():
    torch = pytest.importorskip("torch")
    for grads, max_norm in [([[3.0, 4.0]], 1.0), ([[3.0], [4.0]], 2.0), ([[3.0, 4.0]], 5.0), ([[0.3, 0.4]], 1.0)]:
        tensors = [torch.zeros(len(g), dtype=torch.float64, requires_grad=True) for g in grads]
        for tensor, g in zip(tensors, grads):
            tensor.grad = torch.tensor(g, dtype=torch.float64)
        total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
        clipped, ours = reference([np.array(g) for g in grads], max_norm)
        assert ours == pytest.approx(float(total), rel=1e-15)
        for tensor, c in zip(tensors, clipped):
            np.testing.assert_allclose(tensor.grad.numpy(), c, rtol=1e-15)
