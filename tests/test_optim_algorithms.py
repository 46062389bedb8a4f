"""Every algorithm: first steps derived by hand, convergence on a quadratic, bad hyperparameters.

The hand-derived tests feed a fixed gradient sequence to a 2-entry parameter starting at
θ₀ = [1, −2]; the expected values are written out as arithmetic from the update equations.
"""
import math

import numpy as np
import pytest

from nnopt import Parameter
from nnopt.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Lion,
    Momentum,
    NAdam,
    RAdam,
    RMSprop,
)

THETA0 = [1.0, -2.0]
G1, G2, G3 = [0.5, 1.0], [0.25, -1.0], [0.0, 0.0]
sqrt = math.sqrt


def path(optimizer_class, grads, theta0=THETA0, **hyperparameters):
    """θ after each step when the gradients are ``grads`` (fixed, not computed from θ)."""
    p = Parameter(np.array(theta0, dtype=np.float64))
    opt = optimizer_class([p], **hyperparameters)
    thetas = []
    for g in grads:
        p.grad[...] = g
        opt.step()
        thetas.append(p.value.copy())
    return thetas


def check(thetas, expected, rtol=1e-13):
    assert len(thetas) == len(expected)
    for step, (got, want) in enumerate(zip(thetas, expected), start=1):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-15, err_msg=f"step {step}")


# ---------------------------------------------------------------- SGD
def test_sgd_plain_by_hand():
    check(path(SGD, [G1, G2, G3], lr=0.1), [
        [1 - 0.1 * 0.5, -2 - 0.1 * 1.0],                # [0.95, -2.1]
        [0.95 - 0.1 * 0.25, -2.1 + 0.1 * 1.0],          # [0.925, -2.0]
        [0.925, -2.0],                                  # zero gradient: no move
    ])


def test_sgd_default_lr_is_1e_minus_3():
    check(path(SGD, [G1]), [[1 - 1e-3 * 0.5, -2 - 1e-3 * 1.0]])


def test_sgd_momentum_dampening_weight_decay_by_hand():
    # step 1: g' = g + 0.1·θ₀ = [0.6, 0.8]; b₁ = g' (first step: no dampening); θ₁ = θ₀ − 0.1·b₁
    # step 2: g' = [0.25 + 0.1·0.94, −1 + 0.1·(−2.08)] = [0.344, −1.208]
    #         b₂ = 0.9·b₁ + (1 − 0.5)·g' = [0.54 + 0.172, 0.72 − 0.604] = [0.712, 0.116]
    check(path(SGD, [G1, G2], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1), [
        [1 - 0.1 * 0.6, -2 - 0.1 * 0.8],                # [0.94, -2.08]
        [0.94 - 0.1 * 0.712, -2.08 - 0.1 * 0.116],      # [0.8688, -2.0916]
    ])


def test_sgd_nesterov_by_hand():
    # b₁ = g₁ = [0.5, 1]; d = g₁ + 0.9·b₁ = [0.95, 1.9]
    # b₂ = 0.9·b₁ + g₂ = [0.7, −0.1]; d = g₂ + 0.9·b₂ = [0.25 + 0.63, −1 − 0.09] = [0.88, −1.09]
    check(path(SGD, [G1, G2], lr=0.1, momentum=0.9, nesterov=True), [
        [1 - 0.1 * 0.95, -2 - 0.1 * 1.9],               # [0.905, -2.19]
        [0.905 - 0.1 * 0.88, -2.19 + 0.1 * 1.09],       # [0.817, -2.081]
    ])


def test_sgd_maximize_ascends():
    check(path(SGD, [G1], lr=0.1, maximize=True), [[1 + 0.1 * 0.5, -2 + 0.1 * 1.0]])


def test_sgd_momentum_buffer_is_not_an_average():
    """On a constant gradient the buffer tends to g/(1 − μ): steps 10× larger for μ = 0.9."""
    p = Parameter([0.0])
    opt = SGD([p], lr=1.0, momentum=0.9)
    for _ in range(300):
        p.grad[...] = 1.0
        opt.step()
    assert opt.state[p]["momentum_buffer"][0] == pytest.approx(1 / (1 - 0.9))


# ---------------------------------------------------------------- Momentum (course)
def test_momentum_by_hand():
    # v₁ = 0.1·g₁ = [0.05, 0.1];  v₂ = 0.9·v₁ + 0.1·g₂ = [0.045 + 0.025, 0.09 − 0.1] = [0.07, −0.01]
    check(path(Momentum, [G1, G2], lr=0.1, beta=0.9), [
        [1 - 0.1 * 0.05, -2 - 0.1 * 0.1],               # [0.995, -2.01]
        [0.995 - 0.1 * 0.07, -2.01 + 0.1 * 0.01],       # [0.988, -2.009]
    ])


def test_momentum_with_bias_correction_by_hand():
    # v̂₁ = v₁/(1 − 0.9) = g₁;  v̂₂ = v₂/(1 − 0.81) = [0.07, −0.01]/0.19
    check(path(Momentum, [G1, G2], lr=0.1, beta=0.9, bias_correction=True), [
        [1 - 0.1 * 0.5, -2 - 0.1 * 1.0],
        [0.95 - 0.1 * 0.07 / 0.19, -2.1 + 0.1 * 0.01 / 0.19],
    ])


def test_momentum_defaults():
    opt = Momentum([Parameter([1.0])])
    assert opt.defaults == {"lr": 0.01, "beta": 0.9, "bias_correction": False}


def quadratic_run(optimizer, p, steps):
    """Gradients from f(θ) = ½·Σ aᵢ(θᵢ − cᵢ)² + sin(θ) wiggle, so they depend on the path."""
    values = []
    for _ in range(steps):
        p.grad[...] = np.array([1.0, 4.0]) * (p.value - [0.7, -1.3]) + 0.3 * np.sin(3 * p.value)
        optimizer.step()
        values.append(p.value.copy())
    return np.array(values)


def test_momentum_equals_sgd_with_scaled_lr_at_every_step():
    """Momentum(lr=α, β) ≡ SGD(lr=α(1 − β), momentum=β, dampening=0): v = (1 − β)·b exactly."""
    alpha, beta = 0.3, 0.8
    p, q = Parameter([2.0, 1.0]), Parameter([2.0, 1.0])
    course = quadratic_run(Momentum([p], lr=alpha, beta=beta), p, 25)
    sgd_opt = SGD([q], lr=alpha * (1 - beta), momentum=beta)
    torch_form = quadratic_run(sgd_opt, q, 25)
    np.testing.assert_allclose(course, torch_form, rtol=1e-13, atol=1e-14)
    # first step too: torch's b₁ = g₁ is β·0 + g₁, so there is no first-step difference
    np.testing.assert_allclose(course[0], [2.0, 1.0] - alpha * (1 - beta) * np.array([1.0, 4.0])
                               * ([2.0, 1.0] - np.array([0.7, -1.3]))
                               - alpha * (1 - beta) * 0.3 * np.sin([6.0, 3.0]), rtol=1e-14)


def test_momentum_vs_sgd_with_dampening_beta_differs_by_beta_to_the_t_g1():
    """SGD(momentum=β, dampening=β) runs the EWA from b₁ = g₁: bₜ = vₜ + βᵗ·g₁ for the same g."""
    beta = 0.9
    grads = [np.array([0.5, 1.0]), np.array([0.25, -1.0]), np.array([2.0, 0.5]), np.array([-1.0, 0.0])]
    p, q = Parameter([0.0, 0.0]), Parameter([0.0, 0.0])
    course, torch_form = Momentum([p], lr=0.1, beta=beta), SGD([q], lr=0.1, momentum=beta, dampening=beta)
    for t, g in enumerate(grads, start=1):
        p.grad[...] = g
        q.grad[...] = g
        course.step()
        torch_form.step()
        np.testing.assert_allclose(torch_form.state[q]["momentum_buffer"],
                                   course.state[p]["velocity"] + beta**t * grads[0], rtol=1e-14)
    # first step: SGD moves α·g₁, Momentum α·(1 − β)·g₁
    np.testing.assert_allclose(path(SGD, [G1], lr=0.1, momentum=0.9, dampening=0.9)[0],
                               [1 - 0.1 * 0.5, -2 - 0.1 * 1.0])
    np.testing.assert_allclose(path(Momentum, [G1], lr=0.1, beta=0.9)[0],
                               [1 - 0.1 * 0.1 * 0.5, -2 - 0.1 * 0.1 * 1.0])


# ---------------------------------------------------------------- Adagrad
def test_adagrad_by_hand():
    eps = 1e-10
    # s₁ = g₁² = [0.25, 1];  s₂ = s₁ + g₂² = [0.3125, 2]
    check(path(Adagrad, [G1, G2], lr=0.1), [
        [1 - 0.1 * 0.5 / (sqrt(0.25) + eps), -2 - 0.1 * 1.0 / (sqrt(1.0) + eps)],
        [1 - 0.1 * 0.5 / (0.5 + eps) - 0.1 * 0.25 / (sqrt(0.3125) + eps),
         -2 - 0.1 / (1 + eps) + 0.1 * 1.0 / (sqrt(2.0) + eps)],
    ])


def test_adagrad_lr_decay_and_initial_accumulator_by_hand():
    eps = 1e-10
    # s₀ = 0.75: s₁ = [1.0, 1.75], s₂ = [1.0625, 2.75]; lr₂ = 0.1/(1 + 1·0.5)
    theta1 = [1 - 0.1 * 0.5 / (1.0 + eps), -2 - 0.1 * 1.0 / (sqrt(1.75) + eps)]
    check(path(Adagrad, [G1, G2], lr=0.1, lr_decay=0.5, initial_accumulator_value=0.75), [
        theta1,
        [theta1[0] - 0.1 / 1.5 * 0.25 / (sqrt(1.0625) + eps), theta1[1] + 0.1 / 1.5 / (sqrt(2.75) + eps)],
    ])


def test_adagrad_group_accumulator_value_is_ignored_like_torch():
    # torch.optim.Adagrad starts every sum at the constructor's value: here 0, so the first step
    # is lr·g/|g| = ±0.1 per coordinate, whatever the group says (and nnopt warns about it)
    p = Parameter(np.array([1.0, -2.0]))
    with pytest.warns(UserWarning, match="initial_accumulator_value=0.5 is not used"):
        opt = Adagrad([{"params": [p], "initial_accumulator_value": 0.5}], lr=0.1)
    p.grad[...] = [0.3, -0.4]
    opt.step()
    np.testing.assert_allclose(p.value, [0.9, -1.9], rtol=0, atol=1e-9)
    np.testing.assert_allclose(opt.state[p]["sum"], [0.09, 0.16], rtol=1e-12)


def test_adagrad_defaults():
    assert Adagrad([Parameter([1.0])]).defaults == {
        "lr": 0.01, "lr_decay": 0, "eps": 1e-10, "weight_decay": 0,
        "initial_accumulator_value": 0, "maximize": False}


# ---------------------------------------------------------------- Adadelta
def test_adadelta_by_hand():
    rho, eps = 0.9, 1e-6
    # step 1: v₁ = 0.1·g₁²; Δ₁ = √(0 + eps)/√(v₁ + eps)·g₁; u₁ = 0.1·Δ₁²; θ₁ = θ₀ − Δ₁ (lr = 1)
    v1 = [0.1 * 0.25, 0.1 * 1.0]
    d1 = [sqrt(eps) / sqrt(v1[0] + eps) * 0.5, sqrt(eps) / sqrt(v1[1] + eps) * 1.0]
    u1 = [0.1 * d1[0] ** 2, 0.1 * d1[1] ** 2]
    # step 2: v₂ = 0.9·v₁ + 0.1·g₂²; Δ₂ = √(u₁ + eps)/√(v₂ + eps)·g₂
    v2 = [rho * v1[0] + 0.1 * 0.0625, rho * v1[1] + 0.1 * 1.0]
    d2 = [sqrt(u1[0] + eps) / sqrt(v2[0] + eps) * 0.25, sqrt(u1[1] + eps) / sqrt(v2[1] + eps) * -1.0]
    check(path(Adadelta, [G1, G2]), [
        [1 - d1[0], -2 - d1[1]],
        [1 - d1[0] - d2[0], -2 - d1[1] - d2[1]],
    ])


def test_adadelta_lr_multiplies_the_step():
    one = np.array(path(Adadelta, [G1], lr=1.0)[0]) - THETA0
    half = np.array(path(Adadelta, [G1], lr=0.5)[0]) - THETA0
    np.testing.assert_allclose(half, 0.5 * one, rtol=1e-14)
    assert Adadelta([Parameter([1.0])]).defaults["lr"] == 1.0


# ---------------------------------------------------------------- RMSprop
def test_rmsprop_by_hand():
    eps = 1e-8
    # v₁ = 0.01·g₁² = [0.0025, 0.01]: first step = lr·g/√v ≈ 10·lr·sign(g)
    # v₂ = 0.99·v₁ + 0.01·g₂² = [0.002475 + 0.000625, 0.0099 + 0.01] = [0.0031, 0.0199]
    theta1 = [1 - 0.01 * 0.5 / (sqrt(0.0025) + eps), -2 - 0.01 * 1.0 / (sqrt(0.01) + eps)]
    check(path(RMSprop, [G1, G2]), [
        theta1,
        [theta1[0] - 0.01 * 0.25 / (sqrt(0.0031) + eps), theta1[1] + 0.01 / (sqrt(0.0199) + eps)],
    ])


def test_rmsprop_centered_with_momentum_by_hand():
    eps, lr, alpha, mu = 1e-8, 0.01, 0.9, 0.5
    # step 1: v₁ = 0.1·g₁² = [0.025, 0.1]; ḡ₁ = 0.1·g₁ = [0.05, 0.1]; d₁ = √(v₁ − ḡ₁²) + eps
    d1 = [sqrt(0.025 - 0.05**2) + eps, sqrt(0.1 - 0.1**2) + eps]
    b1 = [0.5 / d1[0], 1.0 / d1[1]]                       # b₁ = 0.5·0 + g₁/d₁
    # step 2: v₂ = 0.9·v₁ + 0.1·g₂² = [0.02875, 0.19]; ḡ₂ = 0.9·ḡ₁ + 0.1·g₂ = [0.07, −0.01]
    d2 = [sqrt(0.02875 - 0.07**2) + eps, sqrt(0.19 - 0.01**2) + eps]
    b2 = [mu * b1[0] + 0.25 / d2[0], mu * b1[1] - 1.0 / d2[1]]
    check(path(RMSprop, [G1, G2], lr=lr, alpha=alpha, centered=True, momentum=mu), [
        [1 - lr * b1[0], -2 - lr * b1[1]],
        [1 - lr * b1[0] - lr * b2[0], -2 - lr * b1[1] - lr * b2[1]],
    ])


def test_rmsprop_defaults_are_torchs():
    assert RMSprop([Parameter([1.0])]).defaults == {
        "lr": 0.01, "momentum": 0, "alpha": 0.99, "eps": 1e-8, "centered": False,
        "weight_decay": 0, "maximize": False}


def test_rmsprop_centered_constant_gradient_never_gives_nan():
    """v − ḡ² is ≥ 0 in exact arithmetic; rounding must not turn it into sqrt(negative)."""
    g = np.linspace(0.1, 3.0, 50)               # with α = 0.5 some entries round to v − ḡ² < 0
    p = Parameter(np.zeros(50))
    opt = RMSprop([p], lr=1e-12, alpha=0.5, centered=True)
    went_negative = False
    for _ in range(300):
        p.grad[...] = g
        opt.step()
        state = opt.state[p]
        went_negative |= bool((state["square_avg"] - state["grad_avg"] ** 2 < 0).any())
    assert went_negative                         # the case this test is about did happen
    assert np.isfinite(p.value).all()


# ---------------------------------------------------------------- Adam / AdamW
def adam_expected(grads, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
    """Adam written out per step, one coordinate at a time, in plain Python arithmetic."""
    theta, out = list(THETA0), []
    m, v, v_max = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for t, g in enumerate(grads, start=1):
        for i in range(2):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            v_max[i] = max(v_max[i], v[i])
            v_used = v_max[i] if amsgrad else v[i]
            m_hat, v_hat = m[i] / (1 - beta1**t), v_used / (1 - beta2**t)
            theta[i] -= lr * m_hat / (sqrt(v_hat) + eps)
        out.append(list(theta))
    return out


def test_adam_first_two_steps_by_hand():
    eps = 1e-8
    # t = 1: m̂ = g, v̂ = g²: the first step is lr·g/(|g| + eps) ≈ lr·sign(g)
    # t = 2: m₂ = [0.07, −0.01], v₂ = [0.999·0.00025 + 0.001·0.0625, 0.999·0.001 + 0.001]
    m2, v2 = [0.07, -0.01], [0.00024975 + 0.0000625, 0.001999]
    theta1 = [1 - 0.1 * 0.5 / (0.5 + eps), -2 - 0.1 * 1.0 / (1.0 + eps)]
    theta2 = [theta1[i] - 0.1 * (m2[i] / 0.19) / (sqrt(v2[i] / (1 - 0.999**2)) + eps) for i in range(2)]
    check(path(Adam, [G1, G2], lr=0.1), [theta1, theta2])
    assert theta2[1] == pytest.approx(-2.1 + 0.1 * 0.01 / 0.19)   # v̂₂ = 1 for the second entry


def test_adam_amsgrad_uses_the_max_of_the_raw_second_moment():
    grads = [G1, G2, G3, [0.1, 0.1]]                  # v falls after step 2: the max keeps it
    got = path(Adam, grads, lr=0.1, amsgrad=True)
    check(got, adam_expected(grads, amsgrad=True))
    plain = path(Adam, grads, lr=0.1)
    check(plain, adam_expected(grads))
    assert not np.allclose(got[-1], plain[-1])


def test_adam_l2_weight_decay_is_added_to_the_gradient():
    # g' = g + 0.5·θ₀ = [1.0, 0.0] at step 1: the second entry does not move (m = 0)
    got = path(Adam, [G1], lr=0.1, weight_decay=0.5)
    check(got, [[1 - 0.1 * 1.0 / (1.0 + 1e-8), -2.0]])


def test_adamw_decays_the_weights_then_takes_the_adam_step():
    # θ ← θ·(1 − 0.1·0.5) = [0.95, −1.9], then the plain Adam step on g₁
    got = path(AdamW, [G1], lr=0.1, weight_decay=0.5)
    check(got, [[0.95 - 0.1 * 0.5 / (0.5 + 1e-8), -1.9 - 0.1 * 1.0 / (1.0 + 1e-8)]])
    assert AdamW([Parameter([1.0])]).defaults["weight_decay"] == 0.01
    assert Adam([Parameter([1.0])]).defaults["weight_decay"] == 0


def test_adam_maximize():
    check(path(Adam, [G1], lr=0.1, maximize=True), [[1 + 0.1 * 0.5 / (0.5 + 1e-8), -2 + 0.1 / (1 + 1e-8)]])


# ---------------------------------------------------------------- Adamax
def test_adamax_by_hand():
    eps = 1e-8
    # t = 1: m₁ = 0.1·g₁, u₁ = max(0, |g₁| + eps); θ₁ = θ₀ − 0.1/(1 − 0.9)·m₁/u₁
    u1 = [0.5 + eps, 1.0 + eps]
    theta1 = [1 - 0.1 / 0.1 * 0.05 / u1[0], -2 - 0.1 / 0.1 * 0.1 / u1[1]]
    # t = 2: m₂ = [0.07, −0.01]; u₂ = max(0.999·u₁, |g₂| + eps) = [0.999·u₁[0], 1 + eps]
    u2 = [max(0.999 * u1[0], 0.25 + eps), max(0.999 * u1[1], 1.0 + eps)]
    assert u2 == [0.999 * u1[0], 1.0 + eps]
    check(path(Adamax, [G1, G2], lr=0.1), [
        theta1,
        [theta1[0] - 0.1 / 0.19 * 0.07 / u2[0], theta1[1] + 0.1 / 0.19 * 0.01 / u2[1]],
    ])


# ---------------------------------------------------------------- NAdam
def test_nadam_by_hand():
    eps, lr, psi = 1e-8, 0.1, 0.004
    mu1 = 0.9 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = 0.9 * (1 - 0.5 * 0.96 ** (2 * psi))
    mu3 = 0.9 * (1 - 0.5 * 0.96 ** (3 * psi))
    # t = 1: m₁ = 0.1·g₁, d = √(v₁/(1 − 0.999)) + eps = |g₁| + eps
    d1 = [0.5 + eps, 1.0 + eps]
    theta1 = [THETA0[i] - lr * (1 - mu1) / (1 - mu1) * G1[i] / d1[i]
              - lr * mu2 / (1 - mu1 * mu2) * (0.1 * G1[i]) / d1[i] for i in range(2)]
    # t = 2: m₂ = [0.07, −0.01], v₂ as for Adam, Π₂ = μ₁μ₂
    m2, v2 = [0.07, -0.01], [0.00024975 + 0.0000625, 0.001999]
    d2 = [sqrt(v2[i] / (1 - 0.999**2)) + eps for i in range(2)]
    theta2 = [theta1[i] - lr * (1 - mu2) / (1 - mu1 * mu2) * G2[i] / d2[i]
              - lr * mu3 / (1 - mu1 * mu2 * mu3) * m2[i] / d2[i] for i in range(2)]
    check(path(NAdam, [G1, G2], lr=lr), [theta1, theta2])


def test_nadam_decoupled_weight_decay():
    plain = path(NAdam, [G1], theta0=[0.95, -1.9], lr=0.1)
    decoupled = path(NAdam, [G1], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    check(decoupled, plain)                      # θ·(1 − 0.1·0.5) first, then the same step
    defaults = NAdam([Parameter([1.0])]).defaults
    assert defaults["lr"] == 2e-3 and defaults["momentum_decay"] == 4e-3


# ---------------------------------------------------------------- RAdam
def test_radam_first_steps_are_momentum_sgd():
    # ρ_∞ = 2/(1 − 0.999) − 1 = 1999; ρ₁ = 1999 − 2·0.999/0.001 = 1 ≤ 5: θ₁ = θ₀ − lr·m̂₁ = θ₀ − lr·g₁
    # ρ₂ = 1999 − 4·0.998001/0.001999 ≈ 2.0 ≤ 5: θ₂ = θ₁ − lr·m₂/(1 − 0.81)
    check(path(RAdam, [G1, G2], lr=0.1), [
        [1 - 0.1 * 0.5, -2 - 0.1 * 1.0],
        [0.95 - 0.1 * 0.07 / 0.19, -2.1 + 0.1 * 0.01 / 0.19],
    ])


def test_radam_rectification_switches_on_after_rho_exceeds_5():
    lr, beta2, eps = 0.1, 0.999, 1e-8
    rho_inf = 2 / (1 - beta2) - 1
    got = path(RAdam, [[1.0]] * 8, theta0=[0.0], lr=lr)
    steps = -np.diff(np.concatenate([[0.0], np.ravel(got)]))
    for t in range(1, 9):
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if t <= 5:
            assert rho_t <= 5
            expected = lr * 1.0                        # m̂ = 1 for a constant gradient 1
        else:
            assert rho_t > 5
            r = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            c2 = 1 - beta2**t                          # v = c2 for g = 1
            expected = lr * r * sqrt(c2) / (sqrt(c2) + eps)
        assert steps[t - 1] == pytest.approx(expected, rel=1e-12), t
    assert steps[5] < 0.05 * lr                        # the step collapses when Adam takes over


# ---------------------------------------------------------------- Lion
def test_lion_by_hand():
    lr, wd = 0.1, 0.1
    # step 1: m₀ = 0 → c = 0.1·g₁ = [0.05, 0.1], sign = [+1, +1]; θ₁ = θ₀·(1 − 0.1·0.1) − 0.1·sign
    #         m₁ = 0.99·0 + 0.01·g₁ = [0.005, 0.01]
    # step 2: g₂ = [−0.05, −0.5]; c = 0.9·m₁ + 0.1·g₂ = [0.0045 − 0.005, 0.009 − 0.05] → [−, −]
    # step 3: m₂ = 0.99·m₁ + 0.01·g₂ = [0.00495 − 0.0005, 0.0099 − 0.005] = [0.00445, 0.0049]
    #         g₃ = [−0.04, 0]: c = [0.9·0.00445 − 0.004, 0.9·0.0049] = [0.000005, 0.00441] → [+, +]
    #         (the momentum wins against the current gradient in the first entry)
    theta1 = [1 * 0.99 - 0.1, -2 * 0.99 - 0.1]                  # [0.89, -2.08]
    theta2 = [theta1[0] * 0.99 + 0.1, theta1[1] * 0.99 + 0.1]    # [0.9811, -1.9592]
    theta3 = [theta2[0] * 0.99 - 0.1, theta2[1] * 0.99 - 0.1]    # [0.871289, -2.039608]
    check(path(Lion, [G1, [-0.05, -0.5], [-0.04, 0.0]], lr=lr, weight_decay=wd),
          [theta1, theta2, theta3])


def test_lion_defaults():
    assert Lion([Parameter([1.0])]).defaults == {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0}


# ---------------------------------------------------------------- convergence
A = np.array([1.0, 4.0])
MINIMUM = np.array([0.7303, -1.3717])


@pytest.mark.parametrize("make, steps, tolerance", [
    (lambda p: SGD(p, lr=0.2), 200, 1e-6),
    (lambda p: SGD(p, lr=0.1, momentum=0.5, dampening=0.2), 300, 1e-6),
    (lambda p: SGD(p, lr=0.1, momentum=0.5, nesterov=True), 200, 1e-6),
    (lambda p: Momentum(p, lr=0.2, beta=0.5), 300, 1e-6),
    (lambda p: Adagrad(p, lr=1.0), 500, 1e-6),
    (lambda p: Adadelta(p, lr=1.0), 3000, 1e-6),
    (lambda p: RMSprop(p, lr=0.01), 2000, 1e-6),
    (lambda p: RMSprop(p, lr=0.001, centered=True, momentum=0.9), 2000, 1e-6),
    (lambda p: Adam(p, lr=0.1), 1000, 1e-6),
    (lambda p: Adam(p, lr=0.1, amsgrad=True), 1000, 1e-6),
    (lambda p: AdamW(p, lr=0.1, weight_decay=0), 1000, 1e-6),
    (lambda p: Adamax(p, lr=0.1), 1000, 1e-6),
    (lambda p: NAdam(p, lr=0.1), 1000, 1e-6),
    (lambda p: RAdam(p, lr=0.1), 1000, 1e-6),
    # sign steps of fixed size: Lion ends up oscillating within ~lr of the minimum
    (lambda p: Lion(p, lr=1e-3), 3000, 1e-3),
], ids=["sgd", "sgd-momentum", "sgd-nesterov", "momentum", "adagrad", "adadelta", "rmsprop",
        "rmsprop-centered", "adam", "amsgrad", "adamw", "adamax", "nadam", "radam", "lion"])
def test_convergence_on_a_convex_quadratic(make, steps, tolerance):
    """f(θ) = ½·Σ aᵢ(θᵢ − cᵢ)², a = [1, 4]: the minimum is c."""
    p = Parameter([0.0, 0.0])
    opt = make([p])
    for _ in range(steps):
        p.grad[...] = A * (p.value - MINIMUM)
        opt.step()
    np.testing.assert_allclose(p.value, MINIMUM, rtol=0, atol=tolerance)


@pytest.mark.parametrize("make", [
    lambda p: SGD(p, lr=0.2, weight_decay=0.5),
    lambda p: Adam(p, lr=0.05, weight_decay=0.5),
])
def test_l2_weight_decay_converges_to_the_regularised_minimum(make):
    """With L2 λ = 0.5 the minimum of f + λ/2·‖θ‖² is a·c/(a + λ)."""
    p = Parameter([0.0, 0.0])
    opt = make([p])
    for _ in range(2000):
        p.grad[...] = A * (p.value - MINIMUM)
        opt.step()
    np.testing.assert_allclose(p.value, A * MINIMUM / (A + 0.5), atol=1e-6)


# ---------------------------------------------------------------- bad hyperparameters
P = [Parameter([1.0, 2.0])]
BAD = [
    (SGD, {"lr": -0.1}, ValueError, r"lr=-0\.1 is not allowed: lr must be a finite number >= 0"),
    (SGD, {"lr": float("nan")}, ValueError, "lr=nan"),
    (SGD, {"lr": float("inf")}, ValueError, "lr=inf"),
    (SGD, {"lr": "0.1"}, TypeError, "lr='0.1'"),
    (SGD, {"momentum": 1.0}, ValueError, r"momentum=1\.0 .*\[0, 1\)"),
    (SGD, {"momentum": -0.5}, ValueError, "momentum=-0.5"),
    (SGD, {"dampening": 1.5}, ValueError, r"dampening=1\.5 .*\[0, 1\]"),
    (SGD, {"weight_decay": -1e-4}, ValueError, "weight_decay=-0.0001"),
    (SGD, {"nesterov": True}, ValueError, "nesterov=True needs momentum > 0 and dampening = 0"),
    (SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "dampening=0.1"),
    (SGD, {"maximize": "yes"}, TypeError, "maximize='yes'.*True or False"),
    (Momentum, {"beta": 1.0}, ValueError, r"beta=1\.0.*\[0, 1\)"),
    (Momentum, {"lr": -1}, ValueError, "lr=-1"),
    (Adagrad, {"lr_decay": -0.1}, ValueError, "lr_decay=-0.1"),
    (Adagrad, {"initial_accumulator_value": -1.0}, ValueError, "initial_accumulator_value=-1.0"),
    (Adagrad, {"eps": 0.0}, ValueError, r"eps=0\.0 .*> 0"),
    (Adadelta, {"rho": 1.0}, ValueError, r"rho=1\.0.*\[0, 1\)"),
    (Adadelta, {"eps": -1e-6}, ValueError, "eps=-1e-06"),
    (RMSprop, {"alpha": 1.2}, ValueError, r"alpha=1\.2.*\[0, 1\)"),
    (RMSprop, {"momentum": 1.0}, ValueError, "momentum=1.0"),
    (RMSprop, {"eps": 0}, ValueError, "eps=0"),
    (RMSprop, {"centered": 1}, TypeError, "centered=1"),
    (Adam, {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\]=1\.0.*\[0, 1\)"),
    (Adam, {"betas": (-0.1, 0.999)}, ValueError, r"betas\[0\]=-0\.1"),
    (Adam, {"betas": 0.9}, TypeError, "betas=0.9.*pair"),
    (Adam, {"eps": 0.0}, ValueError, "eps=0.0"),
    (Adam, {"lr": -1e-3}, ValueError, "lr=-0.001"),
    (Adam, {"amsgrad": None}, TypeError, "amsgrad=None"),
    (AdamW, {"weight_decay": -0.01}, ValueError, "weight_decay=-0.01"),
    (Adamax, {"betas": (1.0, 0.9)}, ValueError, r"betas\[0\]=1\.0"),
    (NAdam, {"momentum_decay": -1.0}, ValueError, "momentum_decay=-1.0"),
    (NAdam, {"betas": (0.9, 1.5)}, ValueError, r"betas\[1\]=1\.5"),
    (RAdam, {"eps": float("nan")}, ValueError, "eps=nan"),
    (RAdam, {"decoupled_weight_decay": "no"}, TypeError, "decoupled_weight_decay='no'"),
    (Lion, {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\]=1\.0"),
    (Lion, {"weight_decay": float("inf")}, ValueError, "weight_decay=inf"),
]


@pytest.mark.parametrize("cls, kwargs, error, pattern", BAD,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{i}" for i, (c, k, _, _) in enumerate(BAD)])
def test_bad_hyperparameters_name_the_argument_and_the_range(cls, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        cls(P, **kwargs)


@pytest.mark.parametrize("cls, kwargs, error, pattern", BAD[:6] + BAD[22:25])
def test_bad_hyperparameters_in_a_group_dict_are_caught_too(cls, kwargs, error, pattern):
    with pytest.raises(error, match=r"in param_groups\[0\] is not allowed"):
        cls([{"params": P, **kwargs}])


def test_edge_values_that_are_allowed():
    SGD(P, lr=0.0, momentum=0.0, dampening=1.0)      # lr = 0 (a frozen group) is legal, as in torch
    Adam(P, betas=(0.0, 0.0))
    Adam(P, betas=[0.9, 0.999])                      # a list works like a tuple
    RMSprop(P, alpha=0.0)
