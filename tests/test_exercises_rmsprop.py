"""Tests for the checker of notebook 4's exercise, ``check_rmsprop_step``."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.exercises.rmsprop import check_rmsprop_step
from nnopt.optim import RMSprop
from nnopt.parameter import Parameter

N_CHECKS = 5


# ---------- learner answers, right and wrong ----------

def right(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def right_in_place(theta, s, grad, lr, alpha, eps):
    s *= alpha
    s += (1 - alpha) * grad * grad
    theta -= lr * grad / (s**0.5 + eps)
    return theta, s


def eps_inside(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(s + eps), s


def no_one_minus_alpha(theta, s, grad, lr, alpha, eps):
    s = alpha * s + grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def grad_not_squared(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad
    return theta - lr * grad / (np.sqrt(s) + eps), s


def old_s_in_step(theta, s, grad, lr, alpha, eps):
    theta = theta - lr * grad / (np.sqrt(s) + eps)
    return theta, alpha * s + (1 - alpha) * grad**2


def swapped_alpha(theta, s, grad, lr, alpha, eps):
    s = (1 - alpha) * s + alpha * grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def no_root(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta - lr * grad / (s + eps), s


def plus_sign(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta + lr * grad / (np.sqrt(s) + eps), s


def pair_reversed(theta, s, grad, lr, alpha, eps):
    theta, s = right(theta, s, grad, lr, alpha, eps)
    return s, theta


def only_theta(theta, s, grad, lr, alpha, eps):
    return right(theta, s, grad, lr, alpha, eps)[0]


def hard_coded_eps(theta, s, grad, lr, alpha, eps):
    return right(theta, s, grad, lr, alpha, 1e-8)


def sums_over_parameters(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * np.mean(grad**2)
    return theta - lr * grad / (np.sqrt(s) + eps), float(np.mean(s))


def not_implemented(theta, s, grad, lr, alpha, eps):
    raise NotImplementedError("replace this line with your implementation")


# ---------- the reference passes ----------

@pytest.mark.parametrize("answer", [right, right_in_place])
def test_right_answers_pass_every_check(answer):
    result = check_rmsprop_step(answer)
    assert result.passed, str(result)
    assert (result.n_passed, result.n_checks) == (N_CHECKS, N_CHECKS)
    assert str(result).startswith(f"✓ rmsprop_step: passed {N_CHECKS}/{N_CHECKS}")


def test_hand_values_in_the_checks_are_right():
    # first step from s = 0 with alpha = 0.9: theta moves by lr/√(1 − alpha) = 0.1/√0.1 = 0.316228
    theta, s = right(np.array([1.0, -2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.1, 0.9, 1e-8)
    np.testing.assert_allclose(s, [0.025, 1.6])
    np.testing.assert_allclose(theta, [1 - 0.316227766, -2 + 0.316227766], rtol=1e-7)  # eps shifts it by 2e-8
    np.testing.assert_allclose(theta, [1 - 0.05 / (0.158113883 + 1e-8), -2 + 0.4 / (1.264911064 + 1e-8)], rtol=1e-9)
    # s under way: s = 0.99·[1, 0.04, 0] + 0.01·[4, 0, 0.09]; 2/√1.03 = 1.9706589
    theta, s = right(np.full(3, 0.5), np.array([1.0, 0.04, 0.0]), np.array([2.0, 0.0, -0.3]), 0.01, 0.99, 1e-8)
    np.testing.assert_allclose(s, [1.03, 0.0396, 0.0009])
    np.testing.assert_allclose(theta, [0.5 - 0.019706589, 0.5, 0.6], rtol=1e-7)
    # tiny gradient: √s = √(0.01·1e-12) = 1e-7 = eps, step = 0.01·1e-6/2e-7 = 0.05
    theta, _ = right(np.zeros(2), np.zeros(2), np.array([1e-6, -1e-6]), 0.01, 0.99, 1e-7)
    np.testing.assert_allclose(theta, [-0.05, 0.05], rtol=1e-9)


def test_nnopt_rmsprop_is_the_reference():
    # the multi-step check compares with nnopt's RMSprop: one step of it is the formula above
    p = Parameter([1.0, -2.0])
    p.grad[...] = [0.5, -4.0]
    optimizer = RMSprop([p], lr=0.1, alpha=0.9, eps=1e-8)
    optimizer.step()
    theta, s = right(np.array([1.0, -2.0]), np.zeros(2), np.array([0.5, -4.0]), 0.1, 0.9, 1e-8)
    np.testing.assert_allclose(p.value, theta, rtol=1e-14)
    np.testing.assert_allclose(optimizer.state[p]["square_avg"], s, rtol=1e-14)


# ---------- wrong answers are reported with the right hint, never raised ----------

@pytest.mark.parametrize(("answer", "first_failure", "hint_words"), [
    (eps_inside, "by hand: a tiny gradient", "outside the square root"),
    (no_one_minus_alpha, "by hand: first step", "weight (1 - rho)"),
    (grad_not_squared, "by hand: first step", "SQUARED gradient"),
    (old_s_in_step, "by hand: first step", "use the NEW s in the step"),
    (swapped_alpha, "by hand: first step", "rho and (1 - rho) are swapped"),
    (no_root, "by hand: first step", "square ROOT"),
    (plus_sign, "by hand: first step", "with a minus"),
    (pair_reversed, "by hand: first step", "order (theta, s)"),
    (only_theta, "by hand: first step", "return both"),
    (hard_coded_eps, "by hand: a tiny gradient", "the lr and eps you are given"),
    (sums_over_parameters, "by hand: first step", "elementwise"),
])
def test_usual_mistakes_are_named(answer, first_failure, hint_words):
    result = check_rmsprop_step(answer)
    assert not result.passed
    failure = result.failures[0]
    assert failure.name.startswith(first_failure), failure.name
    assert hint_words in failure.hint, failure.hint
    assert str(result).startswith("✗ rmsprop_step: passed")


def test_eps_inside_fails_the_tiny_gradient_case_by_a_factor_of_1600():
    failures = {f.name: f for f in check_rmsprop_step(eps_inside).failures}
    tiny = next(f for name, f in failures.items() if name.startswith("by hand: a tiny gradient"))
    assert "theta_new = [-0.05, 0.05]" in tiny.expected
    # 0.01·1e-6/√(1e-14 + 1e-7) = 3.16e-5
    assert "theta_new = [-3.162" in tiny.got and "(theta_new differs)" in tiny.got


def test_old_s_first_step_shows_the_huge_step():
    failure = check_rmsprop_step(old_s_in_step).failures[0]
    # θ − 0.1·0.5/(0 + 1e-8) = 1 − 5e6
    assert "theta_new = [-4999999" in failure.got


def test_errors_and_non_functions_are_reported_not_raised():
    result = check_rmsprop_step(not_implemented)
    assert result.n_passed == 0 and result.n_checks == 1  # the stub: one "not implemented yet" line
    assert result.failures[0].name == "not implemented yet"
    assert result.failures[0].error.startswith("NotImplementedError: replace this line")
    called = check_rmsprop_step(right(np.zeros(1), np.zeros(1), np.ones(1), 0.1, 0.9, 1e-8))
    assert not called.passed and "without calling it" in called.failures[0].hint


def test_returning_none_is_reported():
    def prints(theta, s, grad, lr, alpha, eps):
        print(right(theta, s, grad, lr, alpha, eps))

    failure = check_rmsprop_step(prints).failures[0]
    assert failure.got == "None" and "return theta, s" in failure.hint


def test_a_mistake_only_in_later_steps_is_caught_by_the_multi_step_check():
    calls = []

    def forgets_after_two_calls(theta, s, grad, lr, alpha, eps):
        calls.append(1)
        if len(calls) > 6:  # the 4 single-step cases use 4 calls, the multi-step check the rest
            s = np.zeros_like(s)
        return right(theta, s, grad, lr, alpha, eps)

    result = check_rmsprop_step(forgets_after_two_calls)
    assert result.n_passed == N_CHECKS - 1
    (failure,) = result.failures
    assert failure.name.startswith("8 steps") and failure.expected.startswith("after step 3:")


def test_reference_matches_torch_on_the_hand_cases():
    torch = pytest.importorskip("torch")
    cases = [  # (theta, s, grad, lr, alpha, eps) of the single-step checks
        ([1.0, -2.0], [0.0, 0.0], [0.5, -4.0], 0.1, 0.9, 1e-8),
        ([0.5, 0.5, 0.5], [1.0, 0.04, 0.0], [2.0, 0.0, -0.3], 0.01, 0.99, 1e-8),
        ([0.0, 0.0], [0.0, 0.0], [1e-6, -1e-6], 0.01, 0.99, 1e-7),
        ([0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [3.0, -0.02, 400.0], 0.1, 0.0, 1e-8),
    ]
    for theta, s, grad, lr, alpha, eps in cases:
        p = torch.nn.Parameter(torch.zeros(len(theta), dtype=torch.float64))
        optimizer = torch.optim.RMSprop([p], lr=lr, alpha=alpha, eps=eps)
        p.grad = torch.zeros_like(p)
        optimizer.step()  # creates the state; RMSprop has no step-count dependence (no bias correction)
        with torch.no_grad():
            p.copy_(torch.tensor(theta, dtype=torch.float64))
        optimizer.state[p]["square_avg"].copy_(torch.tensor(s, dtype=torch.float64))
        p.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
        theta_new, s_new = right(np.array(theta), np.array(s), np.array(grad), lr, alpha, eps)
        np.testing.assert_allclose(p.detach().numpy(), theta_new, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(optimizer.state[p]["square_avg"].numpy(), s_new, rtol=1e-12, atol=1e-20)


def no_eps(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(s), s


def eps_outside_the_brackets(theta, s, grad, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(s) + eps, s


@pytest.mark.parametrize("answer", [no_eps, eps_outside_the_brackets])
def test_a_missing_or_misplaced_eps_is_named_not_blamed_on_the_old_s(answer):
    # both pass the first two cases (eps is negligible there) and fail the tiny-gradient one, where
    # √s_new = eps makes "no eps" look like "the old s = 0": the hint must be about eps
    result = check_rmsprop_step(answer)
    failure = result.failures[0]
    assert failure.name.startswith("by hand: a tiny gradient")
    assert "(np.sqrt(s) + eps)" in failure.hint and "NEW s" not in failure.hint
