"""Tests for nnopt.experiments.adam: Adam's internals against nnopt.optim.Adam and hand-derived
steps, the threshold rule, the nudged race table and the fit() callbacks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnopt
from nnopt.experiments.adam import (MaxOverAverage, StepRecorder, adam_internals, decay_by_gradient_group,
                                    first_step_within, nudged_race_losses, robust_loss_text)
from nnopt.landscapes import make_factory, trajectory
from nnopt.nn import mlp
from nnopt.optim import Adam, AdamW


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "beale"])
def test_internals_with_bias_correction_follow_nnopt_adam(function):
    hyper = dict(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    run = adam_internals(function, steps=60, **hyper)
    reference = trajectory(make_factory("Adam", lr=0.05, betas=(0.8, 0.99), eps=1e-6), function, steps=60)
    np.testing.assert_allclose(run["path"], reference.path, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(run["loss"], reference.losses, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(np.diff(run["path"], axis=0), run["step"], rtol=1e-12, atol=1e-15)


def test_first_steps_by_hand():
    # bowl ½(x²/10 + y²) from (-8, 3): g₁ = (-0.8, 3); corrected: m̂ = g, √v̂ = |g| → step lr·sign(g)/(1 + ε/|g|)
    run = adam_internals("quadratic", lr=0.1, eps=1e-8, steps=2)
    np.testing.assert_allclose(run["grad"][0], [-0.8, 3.0])
    np.testing.assert_allclose(run["step"][0], [0.1 * 0.8 / (0.8 + 1e-8), -0.1 * 3 / (3 + 1e-8)], rtol=1e-14)
    # uncorrected: m₁ = 0.1 g, √v₁ = √0.001 |g| → step = 0.1/√0.001 · lr = 3.1623 lr per coordinate
    raw = adam_internals("quadratic", lr=0.1, eps=0.0, bias_correction=False, steps=1)
    np.testing.assert_allclose(np.abs(raw["step"][0]), [0.1 * 0.1 / math.sqrt(0.001)] * 2, rtol=1e-13)
    np.testing.assert_allclose(raw["m_hat"][0], 0.1 * np.array([-0.8, 3.0]), rtol=1e-14)
    np.testing.assert_allclose(raw["sqrt_v_hat"][0], math.sqrt(0.001) * np.array([0.8, 3.0]), rtol=1e-14)


def test_internals_stop_a_diverging_run_with_finite_arrays():
    run = adam_internals("beale", lr=2e6, steps=50)  # the first step, about lr, leaves |θ| < 1e6
    assert run["diverged"] and np.all(np.isfinite(run["path"])) and np.max(np.abs(run["path"])) < 1e6
    assert len(run["step"]) == len(run["path"]) - 1 == len(run["m_hat"]) == len(run["sqrt_v_hat"])


@pytest.mark.parametrize("bad, message", [(dict(lr=-1.0), "lr must be"), (dict(beta2=1.0), "beta2 must be"),
                                          (dict(steps=2.5), "steps must be"), (dict(x0=[1.0]), "x0 must be"),
                                          (dict(function="nowhere"), "nowhere")])
def test_internals_reject_bad_input(bad, message):
    with pytest.raises((ValueError, KeyError), match=message):
        adam_internals(**bad)


def test_first_step_within_is_a_threshold_rule():
    assert first_step_within([1.0, 1.0, 1.0]) == 1
    assert first_step_within([3.0, 1.01, 1.0005, 0.9999]) == 3
    assert first_step_within([3.0, 1.0, 2.0]) is None          # leaves the band again at the end
    assert first_step_within([5.0, 2.0, 2.001], target=2.0) == 2
    # a series equal to 1 up to rounding: an argmax would pick any step, the rule says step 1
    assert first_step_within(1 + 1e-16 * np.random.default_rng(0).standard_normal(50)) == 1
    with pytest.raises(ValueError, match="rtol"):
        first_step_within([1.0], rtol=0)
    with pytest.raises(ValueError, match="target"):
        first_step_within([1.0], target=0.0)


def test_robust_loss_text():
    assert robust_loss_text([5.248e-2, 5.2481e-2]) == "5.2e-02"
    assert robust_loss_text([0.063, 0.07, 0.2, 0.12]) == "~1e-01"
    assert robust_loss_text([0.063, 3.0, 20.0, 0.12]) == "~1e+00?"  # median 1.6
    assert robust_loss_text([0.063, 3.0, 20.0], window_medians=[0.11, 0.16, 0.13]) == "~1e-01"


def test_nudged_race_losses_agree_for_a_smooth_run_and_spread_for_nadam():
    table = nudged_race_losses({"Adam": make_factory("Adam", lr=0.1), "NAdam": make_factory("NAdam", lr=0.1)},
                               "rosenbrock", steps=400, at=(50, 400), nudges=(-3, -1, 0, 1, 3))
    adam, nadam = table["Adam"]["at"], table["NAdam"]["at"]
    assert adam.shape == table["NAdam"]["window"].shape == (5, 2)
    assert np.ptp(adam, axis=0).max() < 1e-9 * adam.max()     # smooth: the nudges are invisible
    assert np.ptp(nadam[:, 0]) < 1e-9                          # the same early on
    assert nadam[:, 1].max() > 2 * nadam[:, 1].min()           # zig-zag: the last bit decides step 400
    window = table["NAdam"]["window"][:, 1]                    # ... but not the median of steps 301-400
    assert window.max() < 1.6 * window.min()
    assert robust_loss_text(nadam[:, 1], window) == "~1e-01"
    _, runs = nudged_race_losses({"Adam": make_factory("Adam", lr=0.1)}, "beale", steps=5, at=(5,), keep_runs=True)
    assert runs["Adam"].losses[5] == nudged_race_losses({"Adam": make_factory("Adam", lr=0.1)}, "beale", 5, (5,),
                                                        nudges=(0,))["Adam"]["at"][0, 0]
    with pytest.raises(ValueError, match="needs 0"):
        nudged_race_losses({"Adam": make_factory("Adam", lr=0.1)}, "beale", 5, (5,), nudges=(1,), keep_runs=True)


def _digits():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 8))
    X[:, 0] = 0.0  # a "blank pixel": no gradient ever reaches its weights
    y = (X[:, 1] > 0).astype(int) + (X[:, 2] > 0)
    return X, y


def test_step_recorder_and_max_over_average_record_what_adam_did():
    X, y = _digits()
    model = mlp([8, 6, 3], seed=0)
    optimizer = Adam(model.parameters(), lr=0.01, amsgrad=True)
    steps, ratios = StepRecorder(model.parameters()), MaxOverAverage(optimizer, at_steps=(1, 8))
    nnopt.fit(model, optimizer, X, y, epochs=2, batch_size=32, seed=0, callbacks=[steps, ratios])
    recorded = np.array(steps.steps)
    assert recorded.shape == (8, 8 * 6 + 6 + 6 * 3 + 3)
    np.testing.assert_allclose(recorded[0][recorded[0] > 0], 0.01, rtol=1e-4)  # first Adam step: lr·g/(|g| + ε)
    assert np.all(recorded[:, :6] == 0)                                         # the blank input's weights
    assert [row[0] for row in ratios.rows] == [1, 8]
    assert ratios.rows[0][1:] == (1.0, 1.0) and ratios.rows[1][2] >= 1.0


def test_decay_by_gradient_group_blank_weights_shrink_like_the_formula():
    X, y = _digits()
    blank = X.std(axis=0) == 0
    runs = {}
    for label, make in {"none": lambda p: Adam(p, lr=0.01), "adamw": lambda p: AdamW(p, lr=0.01, weight_decay=0.5)}.items():
        model = mlp([8, 6, 3], seed=1)
        optimizer = make(model.parameters())
        nnopt.fit(model, optimizer, X, y, epochs=3, batch_size=32, seed=1)
        runs[label] = [(model, optimizer, None)]
    ratios, blank_ratios = decay_by_gradient_group(runs["none"], runs["adamw"], blank, groups=3)
    assert ratios.shape == (1, 3) and np.all((ratios > 0) & (ratios < 1.5))
    np.testing.assert_allclose(blank_ratios, [(1 - 0.01 * 0.5) ** 12], rtol=1e-12)  # 12 steps, no gradient
