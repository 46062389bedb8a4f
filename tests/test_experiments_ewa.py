"""Tests for nnopt.experiments.ewa: gradients along a run, white-noise factors, lag on a ramp,
the loop-free formula and averages of iterates."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.data import load_digits, minibatches
from nnopt.experiments import ewa as E
from nnopt.nn import mlp
from nnopt.optim import SGD, ewa_series


def test_noise_only_error_from_one_step_to_the_stationary_value():
    assert E.noise_only_error(0.9, 1) == 1.0  # v̂_1 = x_1
    assert math.isclose(E.noise_only_error(0.9), math.sqrt(0.1 / 1.9))
    assert E.noise_only_error(0.0, 50) == 1.0
    assert E.noise_only_error(0.99) < E.noise_only_error(0.99, 200) < 1  # 200 steps: less smoothing than in the long run
    with pytest.raises(ValueError):
        E.noise_only_error(1.0, 10)


def test_noise_only_error_matches_a_simulation():
    noise = np.random.default_rng(0).normal(size=(200, 4000))
    for beta in (0.5, 0.9, 0.98):
        simulated = np.sqrt(np.mean(ewa_series(noise, beta, bias_correction=True) ** 2))
        assert math.isclose(simulated, E.noise_only_error(beta, 200), rel_tol=0.02)


def test_spring_lag_on_a_long_ramp_is_beta_over_one_minus_beta():
    day = np.arange(2000.0)
    ramp = 0.1 * day
    rows = day >= 1000
    assert math.isclose(E.spring_lag(ramp, ewa_series(ramp, 0.9, bias_correction=True), rows, day), 9.0, rel_tol=1e-6)
    with pytest.raises(ValueError, match="flat"):
        E.spring_lag(np.ones(2000), np.ones(2000), rows, day)


def test_closed_form_agrees_with_the_recurrence_until_it_overflows():
    x = np.random.default_rng(1).normal(10, 3, size=300)
    np.testing.assert_allclose(E.closed_form_ewa(x, 0.9), ewa_series(x, 0.9), rtol=1e-10)
    long = E.closed_form_ewa(np.full(1500, 5.0), 0.5)  # 0.5^-k overflows after about 1,024 steps
    assert np.all(np.isfinite(long[:1000])) and not np.all(np.isfinite(long))


def test_averages_of_iterates_by_hand():
    path = np.array([[0.0], [1.0], [2.0]])
    np.testing.assert_allclose(E.average_of_iterates(path, 0.5), [[0.0], [0.5], [1.25]])  # starts at θ_0
    np.testing.assert_allclose(E.average_of_iterates(path, None), [[0.0], [0.5], [1.0]])
    np.testing.assert_allclose(E.average_of_iterates(path, None, start=1), [[1.0], [1.5]])
    for bad in ({"start": 3}, {"start": -1}, {"beta": 1.0}):
        with pytest.raises(ValueError):
            E.average_of_iterates(path, **({"beta": 0.5} | bad))


def test_record_gradients_records_the_full_and_the_minibatch_gradient_before_each_step():
    X, y = load_digits()
    X, y = (X[:90] - 8.0) / 5.0, y[:90]
    model = mlp([64, 8, 10], seed=0)
    fresh = mlp([64, 8, 10], seed=0)
    minibatch, full = E.record_gradients(model, SGD(model.parameters(), lr=0.1), X, y, parameter=2, batch_size=32,
                                         steps=5, seed=0)
    assert minibatch.shape == full.shape == (5, 8, 10)
    fresh.zero_grad()
    fresh.loss(X, y)
    fresh.backward()
    np.testing.assert_allclose(full[0], fresh.parameters()[2].grad, rtol=1e-12)
    X_batch, y_batch = next(iter(minibatches(X, y, 32, np.random.default_rng(0))))
    fresh.zero_grad()
    fresh.loss(X_batch, y_batch)
    fresh.backward()
    np.testing.assert_allclose(minibatch[0], fresh.parameters()[2].grad, rtol=1e-12)
    assert not np.allclose(full[4], full[0])  # the weights moved
