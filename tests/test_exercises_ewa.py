"""Tests for nnopt.exercises.ewa: the checker of notebook 2's exercise ``ewa(series, beta, bias_correction=True)``."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.exercises.ewa import CHECKS, check_ewa
from nnopt.exercises.feedback import ExerciseResult
from nnopt.optim.ewa import ewa_series


# ---------- learner answers, right and wrong ----------

def reference(series, beta, bias_correction=True):
    return ewa_series(series, beta, bias_correction=bias_correction)


def loop_answer(series, beta, bias_correction=True):
    """What a learner is expected to write."""
    series = np.asarray(series, dtype=float)
    out = np.empty(len(series))
    v = 0.0
    for t, x in enumerate(series, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def float32_answer(series, beta, bias_correction=True):
    return loop_answer(np.asarray(series, dtype=np.float32), np.float32(beta), bias_correction).astype(np.float32)


def _wrong(update, correction=lambda v, beta, t: v / (1 - beta**t), start=lambda series: 0.0):
    """A learner's loop with one piece replaced."""
    def answer(series, beta, bias_correction=True):
        series = np.asarray(series, dtype=float)
        out = np.empty(len(series))
        v = start(series)
        for t, x in enumerate(series, start=1):
            v = update(v, x, beta)
            out[t - 1] = correction(v, beta, t) if bias_correction else v
        return out
    return answer


forgets_one_minus_beta = _wrong(lambda v, x, beta: beta * v + x)
swaps_beta = _wrong(lambda v, x, beta: (1 - beta) * v + beta * x)
starts_at_first_value = _wrong(lambda v, x, beta: beta * v + (1 - beta) * x, start=lambda series: series[0])
corrects_off_by_one = _wrong(lambda v, x, beta: beta * v + (1 - beta) * x,
                             correction=lambda v, beta, t: v / (1 - beta ** (t + 1)))
corrects_with_zero_based_t = _wrong(lambda v, x, beta: beta * v + (1 - beta) * x,
                                    correction=lambda v, beta, t: v / (1 - beta ** (t - 1)) if t > 1 else np.inf)


def ignores_the_flag(series, beta, bias_correction=True):
    return ewa_series(series, beta, bias_correction=False)


def always_corrects(series, beta, bias_correction=True):
    return ewa_series(series, beta, bias_correction=True)


def feeds_correction_back(series, beta, bias_correction=True):
    out, v = [], 0.0
    for t, x in enumerate(np.asarray(series, dtype=float), start=1):
        v = beta * v + (1 - beta) * x
        if bias_correction:
            v = v / (1 - beta**t)
        out.append(v)
    return np.array(out)


def returns_last_only(series, beta, bias_correction=True):
    return loop_answer(series, beta, bias_correction)[-1]


def returns_nothing(series, beta, bias_correction=True):
    loop_answer(series, beta, bias_correction)


def mutates_input(series, beta, bias_correction=True):
    series = np.asarray(series, dtype=float)  # no copy for a float64 array: writes reach the caller
    v = 0.0
    for t in range(len(series)):
        v = beta * v + (1 - beta) * series[t]
        series[t] = v / (1 - beta ** (t + 1)) if bias_correction else v
    return series


def integer_output(series, beta, bias_correction=True):
    out = np.zeros_like(series)  # int dtype for an int series: truncates
    v = 0.0
    for t, x in enumerate(series, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def no_default_argument(series, beta, bias_correction):
    return loop_answer(series, beta, bias_correction)


def raises(series, beta, bias_correction=True):
    raise NotImplementedError("replace this line with your implementation")


def _failures(result: ExerciseResult) -> dict:
    return {outcome.name: outcome for outcome in result.failures}


def _first_failure(result: ExerciseResult):
    assert not result.passed
    return result.failures[0]


# ---------- the hand-computed values behind the checks ----------

def test_hand_computed_values_match_the_reference():
    # β = 0.5 on [10, 20]: v1 = 0.5·10 = 5, v2 = 0.5·5 + 0.5·20 = 12.5
    assert np.allclose(ewa_series([10.0, 20.0], 0.5), [5.0, 12.5])
    # corrected: 5 / (1 − 0.5) = 10, 12.5 / (1 − 0.25) = 16.667
    assert np.allclose(ewa_series([10.0, 20.0], 0.5, bias_correction=True), [10.0, 12.5 / 0.75])
    assert 12.5 / 0.75 == pytest.approx(16.6667, abs=1e-4)
    # β = 0.9 on [10, 20, 30]: 1, 0.9·1 + 2 = 2.9, 0.9·2.9 + 3 = 5.61
    assert np.allclose(ewa_series([10.0, 20.0, 30.0], 0.9), [1.0, 2.9, 5.61])
    # corrected by 1 − 0.9 = 0.1, 1 − 0.81 = 0.19, 1 − 0.729 = 0.271
    assert np.allclose(ewa_series([10.0, 20.0, 30.0], 0.9, bias_correction=True), [10.0, 2.9 / 0.19, 5.61 / 0.271])
    assert (2.9 / 0.19, 5.61 / 0.271) == pytest.approx((15.263, 20.701), abs=1e-3)


# ---------- right answers pass ----------

@pytest.mark.parametrize("answer", [reference, loop_answer, float32_answer])
def test_right_answers_pass_every_check(answer):
    result = check_ewa(answer)
    assert result.passed, str(result)
    assert (result.n_passed, result.n_checks) == (len(CHECKS), len(CHECKS)) == (11, 11)
    assert str(result).startswith("✓ ewa: passed 11/11")


# ---------- wrong answers are reported with the matching hint, never raised ----------

@pytest.mark.parametrize("answer, first_failing, hint_words", [
    (forgets_one_minus_beta, "[10, 20], beta=0.5, no correction", "weighted by (1 - beta)"),
    (swaps_beta, "[10, 20, 30], beta=0.9, no correction", "swapped"),
    (starts_at_first_value, "[10, 20], beta=0.5, no correction", "start from v = 0"),
    (corrects_off_by_one, "[10, 20], beta=0.5, corrected", "off by one"),
    (corrects_with_zero_based_t, "[10, 20], beta=0.5, corrected", "inf or nan"),
    (ignores_the_flag, "[10, 20], beta=0.5, corrected", "bias correction is missing"),
    (always_corrects, "[10, 20], beta=0.5, no correction", "with bias_correction=False"),
    (feeds_correction_back, "[10, 20], beta=0.5, corrected", "keep the raw v"),
    (returns_last_only, "[10, 20], beta=0.5, no correction", "not only the last one"),
    (returns_nothing, "[10, 20], beta=0.5, no correction", "return out"),
])
def test_wrong_answers_are_reported_with_a_specific_hint(answer, first_failing, hint_words):
    result = check_ewa(answer)
    first = _first_failure(result)
    assert first_failing in first.name
    assert hint_words in first.hint
    assert "✗ ewa" in str(result) and "#cf222e" in result._repr_html_()


def test_forgotten_one_minus_beta_shows_the_numbers():
    # β = 0.5 without (1 − β): v1 = 10, v2 = 0.5·10 + 20 = 25
    first = _first_failure(check_ewa(forgets_one_minus_beta))
    assert first.expected == "[5, 12.5]"
    assert first.got == "[10, 25]"


def test_off_by_one_correction_numbers():
    # dividing by 1 − β^(t+1): 5 / 0.75 = 6.6667, 12.5 / 0.875 = 14.286
    first = _first_failure(check_ewa(corrects_off_by_one))
    assert first.expected == "[10, 16.667]"
    assert first.got == "[6.6667, 14.286]"


def test_mutating_the_input_is_allowed():
    # The course policy: the series is the learner's own copy, so writing into it is a right answer.
    assert check_ewa(mutates_input).passed


def test_integer_output_array_is_explained():
    failures = _failures(check_ewa(integer_output))
    outcome = failures["integer input [1, 2, 3], beta=0.5 -> float averages [0.5, 1.25, 2.125]"]
    assert "integer dtype" in outcome.hint


def test_missing_default_fails_only_the_default_check():
    failures = _failures(check_ewa(no_default_argument))
    assert list(failures) == ["bias_correction=True is the default"]
    assert "TypeError" in failures["bias_correction=True is the default"].error


def test_stub_is_reported_not_raised():
    result = check_ewa(raises)
    assert result.n_passed == 0
    assert all("NotImplementedError" in outcome.error for outcome in result.outcomes)


def test_passing_a_call_instead_of_a_function():
    result = check_ewa(np.array([1.0, 2.0]))
    assert not result.passed and result.n_checks == 1
    assert "without calling it" in result.failures[0].hint


def running_mean(series, beta, bias_correction=True):
    values = np.asarray(series, dtype=float)
    return np.cumsum(values) / np.arange(1, len(values) + 1)


def starts_from_the_first_value(series, beta, bias_correction=True):
    out, v = np.empty(len(series)), float(series[0])
    for t, x in enumerate(series, start=1):
        v = beta * v + (1 - beta) * x
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def test_slips_that_agree_on_the_first_case_are_told_apart_by_a_second_series():
    # on [10, 20] with beta = 0.5 the running mean and "v_0 = first value" give the same numbers
    mean_hint = check_ewa(running_mean).failures[0].hint
    first_hint = check_ewa(starts_from_the_first_value).failures[0].hint
    assert "running mean" in mean_hint and "start from v = 0" not in mean_hint
    assert "start from v = 0" in first_hint
