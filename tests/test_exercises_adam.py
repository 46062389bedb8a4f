"""Tests for the checker of notebook 5's exercise, ``check_adam_step``."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.exercises.adam import check_adam_step
from nnopt.optim import Adam
from nnopt.parameter import Parameter

N_CHECKS = 6
FIRST, SECOND, TINY, LATE, NNOPT = (
    "by hand: first step", "by hand: second step", "by hand: a gradient as small as eps",
    "by hand: at t=1000", "25 steps",
)


# ---------- learner answers, right and wrong ----------

def right(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def right_in_place(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    theta -= lr / (1 - beta1**t) * m / ((v / (1 - beta2**t)) ** 0.5 + eps)
    return theta, m, v


def right_as_list(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return list(right(theta, m, v, grad, t, lr, beta1, beta2, eps))


def no_bias_correction(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def only_m_corrected(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def eps_inside(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def keras_eps_hat(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * math.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps), m, v


def counts_t_from_zero(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return right(theta, m, v, grad, t - 1, lr, beta1, beta2, eps)  # 1 - beta**0 = 0 at the first step


def increments_t(theta, m, v, grad, t, lr, beta1, beta2, eps):
    t += 1
    return right(theta, m, v, grad, t, lr, beta1, beta2, eps)


def stores_corrected_m(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def no_one_minus_beta1(theta, m, v, grad, t, lr, beta1, beta2, eps):
    m = beta1 * m + grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def betas_swapped(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return right(theta, m, v, grad, t, lr, beta2, beta1, eps)


def old_averages_in_step(theta, m, v, grad, t, lr, beta1, beta2, eps):
    theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta, beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def hard_coded_defaults(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return right(theta, m, v, grad, t, lr, 0.9, 0.999, 1e-8)


def returns_theta_only(theta, m, v, grad, t, lr, beta1, beta2, eps):
    return right(theta, m, v, grad, t, lr, beta1, beta2, eps)[0]


def sums_over_parameters(theta, m, v, grad, t, lr, beta1, beta2, eps):
    theta, m, v = right(theta, m, v, grad, t, lr, beta1, beta2, eps)
    return theta, m, np.sum(v)


def not_implemented(theta, m, v, grad, t, lr, beta1, beta2, eps):
    raise NotImplementedError("replace this line with your implementation")


def _failures(result):
    return {outcome.name: outcome for outcome in result.failures}


def _first_failure(result):
    assert not result.passed
    return result.failures[0]


# ---------- right answers pass ----------

@pytest.mark.parametrize("answer", [right, right_in_place, right_as_list])
def test_right_answers_pass_every_check(answer):
    result = check_adam_step(answer)
    assert result.passed, str(result)
    assert (result.n_passed, result.n_checks) == (N_CHECKS, N_CHECKS)
    assert str(result).startswith(f"✓ adam_step: passed {N_CHECKS}/{N_CHECKS}")


def test_hand_computed_first_step_is_lr_times_sign():
    # t = 1: m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps): 0.1·0.5/(0.5 + 1e-8) = 0.1 − 2e-9
    theta, m, v = right(np.array([1.0]), np.zeros(1), np.zeros(1), np.array([0.5]), 1, 0.1, 0.9, 0.999, 1e-8)
    assert theta[0] == pytest.approx(0.9 + 2e-9, rel=1e-12)
    assert (m[0], v[0]) == pytest.approx((0.05, 0.00025), rel=1e-12)


def test_reference_answer_matches_nnopt_adam_for_many_steps():
    rng = np.random.default_rng(1)
    reference = Parameter(rng.standard_normal(4))
    optimizer = Adam([reference], lr=0.03, betas=(0.85, 0.98), eps=1e-7)
    theta, m, v = reference.value.copy(), np.zeros(4), np.zeros(4)
    for t in range(1, 41):
        grad = rng.standard_normal(4) * np.array([1e-3, 1.0, 10.0, 1e3])
        reference.grad[...] = grad
        optimizer.step()
        theta, m, v = right(theta, m, v, grad, t, 0.03, 0.85, 0.98, 1e-7)
    np.testing.assert_allclose(theta, reference.value, rtol=1e-12)
    np.testing.assert_allclose(v, optimizer.state[reference]["exp_avg_sq"], rtol=1e-12)


# ---------- wrong answers are reported, with the mistake named ----------

def test_missing_bias_correction_is_named():
    failure = _first_failure(check_adam_step(no_bias_correction))
    assert failure.name.startswith(FIRST)
    # without correction the first step is lr·m/(√v + eps) = 0.1·0.05/(√2.5e-4 + 1e-8) = 0.3162276
    assert f"theta_new = [{1 - 0.1 * 0.05 / (np.sqrt(2.5e-4) + 1e-8):.7g}," in failure.got
    assert "theta_new = [0.6837724," in failure.got
    assert "bias-correct both averages" in failure.hint


def test_only_m_corrected_is_named():
    failure = _first_failure(check_adam_step(only_m_corrected))
    assert failure.name.startswith(FIRST)
    assert "v needs its bias correction too" in failure.hint


def test_eps_inside_the_root_is_named():
    failures = _failures(check_adam_step(eps_inside))
    # g = 0.5 and 4: √(g² + 1e-8) and |g| + 1e-8 agree to 1e-8; g = 2e-3 already differs by
    # √(4e-6 + 1e-8)/(2e-3 + 1e-8) − 1 ≈ 1.2e-3, so the first step catches it, and the tiny gradient too
    first = next(f for name, f in failures.items() if name.startswith(FIRST))
    assert first.got.startswith("theta_new = [0.9, -1.9, 0.4001")
    tiny = next(f for name, f in failures.items() if name.startswith(TINY))
    assert "outside the square root" in first.hint and "outside the square root" in tiny.hint


def test_keras_eps_hat_form_is_named():
    failures = _failures(check_adam_step(keras_eps_hat))
    tiny = next(f for name, f in failures.items() if name.startswith(TINY))
    assert "Keras' form" in tiny.hint
    assert tiny.expected.startswith("theta_new = [-0.05, 0.0990099")


def test_t_starting_at_zero_is_reported_as_nan():
    failure = _first_failure(check_adam_step(counts_t_from_zero))
    assert failure.name.startswith(FIRST)
    assert "nan" in failure.got
    assert "1 - beta**0 = 0" in failure.hint


def test_t_incremented_inside_is_named():
    failure = _first_failure(check_adam_step(increments_t))
    assert "t is off by one" in failure.hint


def test_storing_corrected_m_is_named():
    failure = _first_failure(check_adam_step(stores_corrected_m))
    assert failure.name.startswith(FIRST)
    assert "m_new differs" in failure.got
    assert "return the RAW average m, not m_hat" in failure.hint


@pytest.mark.parametrize("answer, text", [
    (no_one_minus_beta1, "weight (1 - beta1)"),
    (betas_swapped, "beta1 and beta2 are swapped"),
    (old_averages_in_step, "use the NEW averages"),
])
def test_other_usual_mistakes_are_named(answer, text):
    result = check_adam_step(answer)
    assert result.n_passed < N_CHECKS
    assert text in result.failures[0].hint


def test_hard_coded_defaults_fail_only_the_multi_step_check():
    result = check_adam_step(hard_coded_defaults)
    assert result.n_passed == N_CHECKS - 1
    (failure,) = result.failures
    assert failure.name.startswith(NNOPT)
    assert failure.expected.startswith("after step 1: theta_new = [")
    assert "Feed the returned theta, m and v into the next call" in failure.hint


def test_wrong_return_shapes_are_reported():
    failure = _first_failure(check_adam_step(returns_theta_only))
    assert failure.got == "one array of shape (3,)"
    assert "return theta, m, v" in failure.hint
    failure = _first_failure(check_adam_step(sums_over_parameters))
    assert failure.got == "v_new of shape ()"


def test_exceptions_and_non_functions_are_reported_not_raised():
    result = check_adam_step(not_implemented)
    assert result.n_passed == 0
    assert result.failures[0].error.startswith("NotImplementedError: replace this line")
    called = check_adam_step(right(np.zeros(1), np.zeros(1), np.zeros(1), np.ones(1), 1, 0.1, 0.9, 0.999, 1e-8))
    assert not called.passed and called.n_checks == 1
    assert "without calling it" in called.failures[0].hint


def test_learner_warnings_do_not_escape(recwarn):
    check_adam_step(counts_t_from_zero)  # divides 0 by 0 at t = 1
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_reference_answer_matches_torch_adam():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    grads = rng.standard_normal((30, 5)) * np.array([1e-6, 1e-2, 1.0, 10.0, 1e3])
    weights = torch.zeros(5, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([weights], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    theta, m, v = np.zeros(5), np.zeros(5), np.zeros(5)
    for t, grad in enumerate(grads, start=1):
        weights.grad = torch.from_numpy(grad.copy())
        optimizer.step()
        theta, m, v = right(theta, m, v, grad, t, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(theta, weights.detach().numpy(), rtol=1e-10, atol=1e-15)


def dlai_names_course_order_no_eps(parameters, v, s, grads, t, learning_rate, beta1, beta2, epsilon):
    v = beta1 * v + (1 - beta1) * grads
    s = beta2 * s + (1 - beta2) * grads**2
    return parameters - learning_rate * (v / (1 - beta1**t)) / np.sqrt(s / (1 - beta2**t)), v, s


def dlai_names_course_order_l2(parameters, v, s, grads, t, learning_rate, beta1, beta2, epsilon):
    grads = grads + 0.3 * parameters  # an unrelated slip: weight decay nobody asked for
    v = beta1 * v + (1 - beta1) * grads
    s = beta2 * s + (1 - beta2) * grads**2
    return parameters - learning_rate * (v / (1 - beta1**t)) / (np.sqrt(s / (1 - beta2**t)) + epsilon), v, s


def test_deeplearning_ai_names_in_the_course_order_get_no_argument_order_hint():
    # (parameters, v, s, grads, ...): deeplearning.ai's v and s are the course's m and v, already in
    # the order the checker passes them, so the hint must be about the real slip
    no_eps = check_adam_step(dlai_names_course_order_no_eps).failures[0].hint
    assert "(np.sqrt(v_hat) + eps)" in no_eps and "that order" not in no_eps
    other = check_adam_step(dlai_names_course_order_l2)
    assert not other.passed and "that order" not in other.failures[0].hint
