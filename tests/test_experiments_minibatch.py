"""Tests for nnopt.experiments.minibatch: the 2-D least-squares problem, SGD paths, the noise ball,
the mini-batch gradient variance and the learning-rate grid search."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.data import load_digits, minibatches
from nnopt.experiments import minibatch as E
from nnopt.nn import mlp
from nnopt.optim import SGD
from nnopt.parameter import Parameter


@pytest.fixture(scope="module")
def seattle():
    return E.seattle_regression()


def test_least_squares_minimum_is_the_ordinary_least_squares_line(seattle):
    train, val = seattle
    A = np.c_[train.x, np.ones(train.m)]
    expected = np.linalg.lstsq(A, train.y, rcond=None)[0]
    np.testing.assert_allclose(train.minimum, expected, rtol=1e-10)
    np.testing.assert_allclose(train.gradient(train.minimum), 0.0, atol=1e-12)
    assert train.m + val.m == 1461 and val.m == 365
    assert math.isclose(train.minimum_value, 0.5 * np.mean((A @ expected - train.y) ** 2), rel_tol=1e-10)


def test_loss_on_a_grid_matches_the_mean_and_the_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    problem = E.LeastSquares2D(rng.normal(size=50), rng.normal(size=50))
    w, c = np.meshgrid([-1.0, 0.3], [2.0, -0.5])
    direct = np.array([[0.5 * np.mean((wi * problem.x + ci - problem.y) ** 2) for wi, ci in zip(rw, rc)] for rw, rc in zip(w, c)])
    np.testing.assert_allclose(problem.loss(w, c), direct, rtol=1e-12)
    theta, h = np.array([0.7, -0.2]), 1e-6
    numeric = [(problem.loss(*(theta + h * e)) - problem.loss(*(theta - h * e))) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(problem.gradient(theta), numeric, rtol=1e-7)
    rows = np.array([3, 7, 11])
    r = theta[0] * problem.x[rows] + theta[1] - problem.y[rows]
    np.testing.assert_allclose(problem.gradient(theta, rows), [np.mean(r * problem.x[rows]), np.mean(r)], rtol=1e-12)


def test_first_full_batch_step_by_hand():
    # x = [1, 2], y = [1, 3], θ0 = (0, 0): residuals -1, -3; ∇J = (mean(r x), mean(r)) = (-3.5, -2)
    problem = E.LeastSquares2D([1.0, 2.0], [1.0, 3.0])
    path = E.sgd_path(problem, 2, 0.1, 1, start=(0.0, 0.0))
    np.testing.assert_allclose(path, [[0.0, 0.0], [0.35, 0.2]], rtol=1e-12)


def test_sgd_path_is_nnopt_sgd_on_the_batches_of_minibatches(seattle):
    train, _ = seattle
    steps, b, lr, seed = 250, 7, 0.3, 4
    theta = Parameter(np.array(E.SEATTLE_START))
    optimizer = SGD([theta], lr=lr)
    rng, index, expected = np.random.default_rng(seed), np.arange(train.m), [theta.value.copy()]
    while len(expected) <= steps:
        for rows, _ in minibatches(index, index, b, rng):
            theta.grad[...] = train.gradient(theta.value, rows)
            optimizer.step()
            expected.append(theta.value.copy())
            if len(expected) > steps:
                break
    np.testing.assert_allclose(E.sgd_path(train, b, lr, steps, seed=seed), np.array(expected), rtol=1e-10, atol=1e-12)


def test_decaying_rate_is_inverse_time():
    problem = E.LeastSquares2D([1.0, 2.0, 3.0], [2.0, 1.0, 4.0])
    path = E.sgd_path(problem, 3, 0.2, 5, start=(0.0, 0.0), decay=2.0)
    theta = np.zeros(2)
    for t in range(5):
        theta = theta - 0.2 / (1 + t / 2.0) * problem.gradient(theta)
        np.testing.assert_allclose(path[t + 1], theta, rtol=1e-12)


def test_sgd_path_rejects_bad_input_and_reports_divergence(seattle):
    train, _ = seattle
    for kwargs in ({"batch_size": 0}, {"batch_size": train.m + 1}, {"lr": -0.1}, {"lr": float("nan")}, {"steps": -1}):
        arguments = {"batch_size": 1, "lr": 0.1, "steps": 3} | kwargs
        with pytest.raises(ValueError):
            E.sgd_path(train, **arguments)
    with pytest.raises(FloatingPointError, match="smaller learning rate"):
        E.sgd_path(train, train.m, 5.0, 3000)  # 5 > 2/λ_max: grows by |1 - 5·1.8| per step, overflows
    with pytest.raises(ValueError):
        E.LeastSquares2D([1.0, np.nan], [1.0, 2.0])


def test_noise_ball_shrinks_with_the_rate_and_a_decaying_rate_goes_below(seattle):
    train, _ = seattle
    constant = E.noise_ball(train, [0.2, 0.05], 3000, range(3))
    decaying = E.noise_ball(train, [0.2], 3000, range(3), decay=200)[0.2]
    late = {lr: v[:, 1500:].mean() for lr, v in constant.items()}
    assert all(v.shape == (3, 3001) and v.min() > -1e-12 for v in constant.values())
    assert 3 < late[0.2] / late[0.05] < 8  # roughly proportional to α: 4x the rate, 3-8x the excess loss
    assert decaying[:, 1500:].mean() < late[0.05] < late[0.2]


def test_gradient_gram_matches_single_example_gradients():
    X, y = load_digits()
    X = (X[:40] - 8.0) / 5.0
    model = mlp([64, 12, 10], seed=3)
    G = E.per_example_gradients(model, X, y[:40])
    gram = E.per_example_gradient_gram(model, X, y[:40])
    np.testing.assert_allclose(gram, G @ G.T, rtol=1e-9, atol=1e-12 * np.abs(gram).max())
    # the mean of the per-example gradients is the batch gradient
    model.zero_grad()
    model.loss(X, y[:40])
    model.backward()
    np.testing.assert_allclose(G.mean(axis=0), np.concatenate([p.grad.ravel() for p in model.parameters()]), atol=1e-12)
    with pytest.raises(ValueError, match="per_example_gradients"):
        E.per_example_gradient_gram(mlp([64, 8, 8, 10]), X, y[:40])


def test_minibatch_gradient_variance_is_exact_at_b_1_and_b_m_and_follows_1_over_b():
    rng = np.random.default_rng(0)
    G = rng.standard_t(df=5, size=(400, 6))
    measured, exact = E.minibatch_gradient_variance(G @ G.T, [1, 400], n_permutations=3)
    sigma2 = np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1))
    np.testing.assert_allclose(measured, [sigma2, 0.0], atol=1e-9 * sigma2)
    np.testing.assert_allclose(exact, [sigma2, 0.0], atol=1e-12 * sigma2)
    sizes = [1, 2, 4, 8, 16, 32]
    measured, exact = E.minibatch_gradient_variance(G @ G.T, sizes, n_permutations=60)
    np.testing.assert_allclose(measured / exact, 1.0, atol=0.1)
    assert abs(E.fit_slope(sizes, measured) + 1) < 0.08
    with pytest.raises(ValueError):
        E.minibatch_gradient_variance(G @ G.T, [401])


def test_fit_slope_recovers_a_power_law():
    x = np.array([1.0, 2.0, 5.0, 10.0])
    assert math.isclose(E.fit_slope(x, 3 * x**-2.0), -2.0, rel_tol=1e-12)
    with pytest.raises(ValueError):
        E.fit_slope([1, 2], [1, -1])


class _History:
    def __init__(self, losses):
        self.loss = losses


def test_stop_when_exploding_needs_a_whole_window_above_the_limit():
    guard = E.StopWhenExploding(limit=10, window=3)
    assert not guard.on_iteration_end(_History([100.0, 100.0]))  # window not full yet
    assert not guard.on_iteration_end(_History([1.0, 1.0, 25.0]))  # mean 9 <= 10
    assert guard.on_iteration_end(_History([1.0, 1.0, 25.0, 40.0])) and guard.exploded
    assert E.StopWhenExploding(window=1).on_iteration_end(_History([float("nan")]))


def test_tune_lr_picks_the_best_rate_and_counts_divergence_as_infinitely_bad():
    X, y = load_digits()
    X = (X - 8.0) / 5.0
    result = E.tune_lr(lambda: mlp([64, 16, 10], seed=0), lambda params, lr: SGD(params, lr=lr), X[:200], y[:200],
                       (X[200:300], y[200:300]), batch_size=2, lrs=(0.001, 0.03, 1e4), epochs=1)
    assert result.val_loss[1e4] == math.inf  # 100 steps: stopped by StopWhenExploding or TrainingDiverged
    assert result.best_lr == 0.03 and result.val_loss[0.03] < result.val_loss[0.001]
    assert result.histories[0.03].epochs == 1
    with pytest.raises(ValueError, match="diverged"):
        E.tune_lr(lambda: mlp([64, 16, 10], seed=0), lambda params, lr: SGD(params, lr=lr), X[:200], y[:200],
                  (X[200:300], y[200:300]), batch_size=2, lrs=(1e4,), epochs=1)


def test_time_sweep_records_the_training_cost_along_the_way():
    X, y = load_digits()
    X = (X[:100] - 8.0) / 5.0
    sweep = E.time_sweep(lambda seed: mlp([64, 8, 10], seed=seed), lambda params, lr: SGD(params, lr=lr), X, y[:100],
                         {10: 0.1, 100: 0.5}, budget=0.02, seeds=range(2), points=5)
    assert set(sweep) == {10, 100} and all(len(runs) == 2 for runs in sweep.values())
    history, recorder = sweep[10][0]
    assert recorder.seconds[0] <= recorder.seconds[-1] <= history.time[-1]
    assert len(recorder.costs) == len(recorder.seconds) >= 1
    assert math.isclose(recorder.costs[-1] if len(recorder.costs) == 1 else recorder.costs[0], recorder.costs[0])


@pytest.mark.parametrize("batch_size, lr, epochs", [(1, 0.01, 5), (16, 0.3, 50), (64, 0.3, 120), (256, 1.0, 350), (None, 1.0, 450)])
def test_notebook_1_time_sweep_rates_stay_stable_far_beyond_its_budget(batch_size, lr, epochs):
    """Notebook 1 trains at its 3-epoch tuned rates for 0.2 s, which is 10-90 epochs here; a faster
    machine gets more. At about five times as many epochs the cost must still be falling, not diverging."""
    from nnopt.data import Standardizer, load_digits, train_val_test_split
    from nnopt.nn import mlp
    from nnopt.optim import SGD
    from nnopt.train import fit

    X_train, y_train, *_ = train_val_test_split(*load_digits(), seed=0)
    X_train = Standardizer().fit(X_train).transform(X_train)
    model = mlp([64, 32, 10], seed=0)
    history = fit(model, SGD(model.parameters(), lr=lr), X_train, y_train, epochs=epochs,
                  batch_size=batch_size or len(X_train), seed=0)
    assert history.train_loss[-1] < 0.05
    assert history.train_loss[-1] < min(history.train_loss[: epochs // 2])
