"""Tests for nnopt.exercises.schedules: the cosine-annealing and inverse-time-decay checkers."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.exercises.schedules import (
    check_cosine_annealing,
    check_inverse_time_decay,
    reference_cosine_annealing,
)
from nnopt.schedules import CosineAnnealingLR, inverse_time_decay, schedule_values


# ---------- cosine annealing: right and wrong answers ----------

def cosine_numpy(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + np.cos(np.pi * step / T_max)) / 2


def cosine_degrees(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(180 * step / T_max)) / 2


def cosine_degrees_converted(step, lr_max, lr_min, T_max):  # correct: degrees turned into radians
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.radians(180 * step / T_max))) / 2


def cosine_off_by_one(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (step + 1) / T_max)) / 2


def cosine_t_max_minus_one(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * step / (T_max - 1))) / 2


def cosine_swapped(step, lr_max, lr_min, T_max):
    return lr_max + (lr_min - lr_max) * (1 + math.cos(math.pi * step / T_max)) / 2


def cosine_no_half(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * step / T_max))


def cosine_floor_division(step, lr_max, lr_min, T_max):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * (step // T_max))) / 2


def cosine_prints(step, lr_max, lr_min, T_max):
    print(reference_cosine_annealing(step, lr_max, lr_min, T_max))


def cosine_not_implemented(step, lr_max, lr_min, T_max):
    raise NotImplementedError("replace this line with your implementation")


def _first_failure(result):
    return result.failures[0]


def test_reference_and_numpy_versions_pass_every_check():
    for answer in (reference_cosine_annealing, cosine_numpy, cosine_degrees_converted):
        result = check_cosine_annealing(answer)
        assert result.passed, str(result)
        assert (result.n_passed, result.n_checks) == (6, 6)
    assert str(check_cosine_annealing(cosine_numpy)).startswith("✓ cosine_annealing: passed 6/6")


def test_reference_values_by_hand():
    # 0.001 + 0.099 * (1 + cos(pi t / 100)) / 2 at t = 0, 25, 50, 100
    assert reference_cosine_annealing(0, 0.1, 0.001, 100) == pytest.approx(0.1, rel=1e-15)
    assert reference_cosine_annealing(25, 0.1, 0.001, 100) == pytest.approx(0.001 + 0.099 * 0.8535533905932737)
    assert reference_cosine_annealing(50, 0.1, 0.001, 100) == pytest.approx(0.0505, rel=1e-12)
    assert reference_cosine_annealing(100, 0.1, 0.001, 100) == pytest.approx(0.001, rel=1e-12)


def test_closed_form_equals_recursive_scheduler_up_to_rounding():
    recursive = schedule_values(lambda opt: CosineAnnealingLR(opt, T_max=7, eta_min=0.002), steps=8, lr=0.3)
    closed = [reference_cosine_annealing(t, 0.3, 0.002, 7) for t in range(8)]
    np.testing.assert_allclose(recursive, closed, rtol=1e-12)


@pytest.mark.parametrize("answer, first_failing, hint_words", [
    (cosine_degrees, "step T_max/2", "radians"),
    (cosine_off_by_one, "step 0", "off by one"),
    (cosine_t_max_minus_one, "step T_max/2", "T_max - 1"),
    (cosine_swapped, "step 0", "swapped"),
    (cosine_no_half, "step 0", "/ 2"),
    (cosine_floor_division, "step T_max/2", "floor division"),
])
def test_usual_cosine_mistakes_are_reported_with_the_right_hint(answer, first_failing, hint_words):
    result = check_cosine_annealing(answer)  # must not raise
    assert not result.passed
    failure = _first_failure(result)
    assert failure.name.startswith(first_failing)
    assert hint_words in failure.hint
    assert "✗ cosine_annealing" in str(result)


def test_swapped_answer_reports_the_values():
    failure = _first_failure(check_cosine_annealing(cosine_swapped))
    assert failure.expected.startswith("0.1 ")      # lr_max
    assert failure.got.startswith("0.001 ")         # lr_min came back at step 0


def test_missing_return_and_errors_are_reported_not_raised():
    failure = _first_failure(check_cosine_annealing(cosine_prints))
    assert failure.got == "None" and "return" in failure.hint
    result = check_cosine_annealing(cosine_not_implemented)
    assert result.n_passed == 0
    assert "NotImplementedError" in result.failures[0].error


def test_not_a_function_is_reported():
    result = check_cosine_annealing(0.1)
    assert not result.passed and "function" in result.failures[0].expected


# ---------- inverse-time decay ----------

def inverse_time_right(lr0, decay_rate, epoch):
    return lr0 / (1 + decay_rate * epoch)


def inverse_time_exponential(lr0, decay_rate, epoch):
    return lr0 * decay_rate ** epoch


def inverse_time_brackets(lr0, decay_rate, epoch):
    return lr0 / (1 + decay_rate) * epoch


def inverse_time_off_by_one(lr0, decay_rate, epoch):
    return lr0 / (1 + decay_rate * (epoch + 1))


def inverse_time_scalar_only(lr0, decay_rate, epoch):
    if epoch == 0:  # an if on the epoch: fails for arrays
        return lr0
    return lr0 / (1 + decay_rate * epoch)


def inverse_time_divides_by_zero(lr0, decay_rate, epoch):
    return lr0 / (decay_rate * epoch)


def test_reference_inverse_time_passes():
    for answer in (inverse_time_right, inverse_time_decay):
        result = check_inverse_time_decay(answer)
        assert result.passed, str(result)
        assert (result.n_passed, result.n_checks) == (6, 6)


@pytest.mark.parametrize("answer, first_failing, hint_words", [
    # 0.5 * 1.0 ** 0 = 0.5 is right by accident at epoch 0; 0.5 * 1.0 ** 3 = 0.5 != 0.125 is not
    (inverse_time_exponential, "lr0=0.5, decay_rate=1, epoch=3", "exponential"),
    (inverse_time_brackets, "epoch 0", "brackets"),
    (inverse_time_off_by_one, "epoch 0", "off by one"),
])
def test_usual_inverse_time_mistakes_are_reported(answer, first_failing, hint_words):
    result = check_inverse_time_decay(answer)
    assert not result.passed
    failure = _first_failure(result)
    assert failure.name.startswith(first_failing)
    assert hint_words in failure.hint


def test_scalar_only_answer_fails_only_the_array_check():
    result = check_inverse_time_decay(inverse_time_scalar_only)
    assert result.n_passed == 5
    assert result.failures[0].name.startswith("works on an array")
    failure = result.failures[0]  # `if epoch == 0` on an array is ambiguous: reported with an array hint
    assert failure.got.startswith("your code raised ValueError") and "element by element" in failure.hint


def test_division_by_zero_is_reported_not_raised():
    result = check_inverse_time_decay(inverse_time_divides_by_zero)
    assert not result.passed
    assert "ZeroDivisionError" in result.failures[0].error
