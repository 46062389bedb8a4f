"""Tests for nnopt.exercises.momentum: the momentum-step checker of notebook 3."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.exercises.momentum import check_momentum_step, reference_momentum_step
from nnopt.optim import Momentum
from nnopt.parameter import Parameter

# ---------- learner answers, right and wrong ----------


def in_place_but_on_copies(theta, v, grad, lr, beta):
    """Right, and allowed: copies first, then updates the copies in place."""
    v_new = v.copy()
    v_new *= beta
    v_new += (1 - beta) * grad
    return theta - lr * v_new, v_new


def forgets_one_minus_beta(theta, v, grad, lr, beta):
    v_new = beta * v + grad
    return theta - lr * v_new, v_new


def steps_with_old_velocity(theta, v, grad, lr, beta):
    return theta - lr * v, beta * v + (1 - beta) * grad


def goes_uphill(theta, v, grad, lr, beta):
    v_new = beta * v + (1 - beta) * grad
    return theta + lr * v_new, v_new


def keras_sign(theta, v, grad, lr, beta):
    v_new = beta * v - (1 - beta) * grad
    return theta + lr * v_new, v_new


def swaps_beta(theta, v, grad, lr, beta):
    v_new = (1 - beta) * v + beta * grad
    return theta - lr * v_new, v_new


def returns_v_first(theta, v, grad, lr, beta):
    v_new = beta * v + (1 - beta) * grad
    return v_new, theta - lr * v_new


def lr_twice(theta, v, grad, lr, beta):
    v_new = beta * v + (1 - beta) * lr * grad
    return theta - lr * v_new, v_new


def mutates_inputs(theta, v, grad, lr, beta):
    v *= beta
    v += (1 - beta) * grad
    theta -= lr * v
    return theta, v


def forgets_return(theta, v, grad, lr, beta):
    v_new = beta * v + (1 - beta) * grad  # noqa: F841 - the slip under test
    theta_new = theta - lr * v_new  # noqa: F841


def not_implemented(theta, v, grad, lr, beta):
    raise NotImplementedError("replace this line with your implementation")


def sums_over_elements(theta, v, grad, lr, beta):
    v_new = beta * v + (1 - beta) * grad
    return float(np.sum(theta - lr * v_new)), v_new


def _failed(result):
    return {outcome.name: outcome for outcome in result.failures}


# ---------- the reference and the hand-worked numbers ----------


def test_reference_matches_the_hand_computed_steps():
    # lr = 0.1, beta = 0.9: v = 0.9*[0.5, -1] + 0.1*[2, 4] = [0.65, -0.5]; theta = [1, -2] - 0.1*v
    theta, v = reference_momentum_step(np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.array([2.0, 4.0]), 0.1, 0.9)
    np.testing.assert_allclose(v, [0.65, -0.5], rtol=1e-12)
    np.testing.assert_allclose(theta, [0.935, -1.95], rtol=1e-12)
    theta, v = reference_momentum_step(np.array([1.0, -2.0]), np.zeros(2), np.array([2.0, 4.0]), 0.1, 0.9)
    np.testing.assert_allclose(v, [0.2, 0.4], rtol=1e-12)
    np.testing.assert_allclose(theta, [0.98, -2.04], rtol=1e-12)


def test_reference_equals_nnopt_momentum_over_many_steps():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(4, 3))
    param = Parameter(start.copy())
    optimizer = Momentum([param], lr=0.2, beta=0.7)
    theta, v = start.copy(), np.zeros_like(start)
    for _ in range(20):
        grad = rng.normal(size=start.shape)
        param.grad[...] = grad
        optimizer.step()
        theta, v = reference_momentum_step(theta, v, grad, 0.2, 0.7)
    np.testing.assert_allclose(theta, param.value, rtol=1e-12, atol=1e-14)


def test_reference_leaves_its_inputs_alone():
    theta, v, grad = np.ones(3), np.full(3, 2.0), np.full(3, 3.0)
    reference_momentum_step(theta, v, grad, 0.1, 0.9)
    assert theta.tolist() == [1.0] * 3 and v.tolist() == [2.0] * 3 and grad.tolist() == [3.0] * 3


# ---------- the checker ----------


@pytest.mark.parametrize("answer", [reference_momentum_step, in_place_but_on_copies])
def test_right_answers_pass_every_check(answer):
    result = check_momentum_step(answer)
    assert result.passed, str(result)
    assert (result.n_passed, result.n_checks) == (4, 4)
    assert str(result).startswith("✓ momentum step: passed 4/4")


@pytest.mark.parametrize(
    ("answer", "words_in_hint"),
    [
        (forgets_one_minus_beta, "forgot the (1 - beta)"),
        (steps_with_old_velocity, "OLD velocity"),
        (goes_uphill, "went uphill"),
        (keras_sign, "Keras convention"),
        (swaps_beta, "swapped"),
        (returns_v_first, "wrong order"),
        (lr_twice, "applied twice"),
    ],
)
def test_each_usual_slip_is_named_in_the_first_hint(answer, words_in_hint):
    result = check_momentum_step(answer)
    assert not result.passed
    first = result.failures[0]
    assert first.name.startswith("one step from rest")
    assert words_in_hint in first.hint
    assert "expected: theta_new = [0.98, -2.04], v_new = [0.2, 0.4]" in str(result)


def test_a_negated_velocity_that_is_still_subtracted_is_told_apart_from_keras():
    def negated_and_subtracted(theta, v, grad, lr, beta):
        v_new = beta * v - (1 - beta) * grad
        return theta - lr * v_new, v_new

    first = check_momentum_step(negated_and_subtracted).failures[0]
    assert "wrong way and v has the wrong sign" in first.hint


def test_changing_the_inputs_in_place_is_allowed():
    # The course policy: every call gets its own copies, so updating them in place is a right answer.
    assert check_momentum_step(mutates_inputs).passed


def test_missing_return_and_not_implemented_are_reported_not_raised():
    result = check_momentum_step(forgets_return)
    assert result.n_passed == 0
    assert "return theta_new, v_new" in result.failures[0].hint
    result = check_momentum_step(not_implemented)
    assert result.n_passed == 0
    assert result.failures[0].error.startswith("NotImplementedError")


def test_wrong_shapes_are_reported():
    first = check_momentum_step(sums_over_elements).failures[0]
    assert "theta_new of shape ()" in first.got


def test_an_unknown_slip_gets_the_general_hint():
    def half_step(theta, v, grad, lr, beta):
        v_new = beta * v + (1 - beta) * grad
        return theta - 0.5 * lr * v_new, v_new

    first = check_momentum_step(half_step).failures[0]
    assert first.hint.startswith("theta_new differs from the expected values and matches none of the usual slips")


def test_beta_zero_case_catches_an_answer_that_ignores_beta():
    def always_point_nine(theta, v, grad, lr, beta):
        return reference_momentum_step(theta, v, grad, lr, 0.9)

    failed = _failed(check_momentum_step(always_point_nine))
    assert list(failed) == ["beta = 0 is plain gradient descent", "five steps on a bowl, 3x2 array, match nnopt.optim.Momentum"]


def test_not_a_function_is_reported():
    result = check_momentum_step(reference_momentum_step(np.zeros(2), np.zeros(2), np.ones(2), 0.1, 0.9))
    assert not result.passed and "without calling it" in result.failures[0].hint


def test_the_result_shows_in_a_notebook():
    assert "#1a7f37" in check_momentum_step(reference_momentum_step)._repr_html_()
    assert "#cf222e" in check_momentum_step(goes_uphill)._repr_html_()
