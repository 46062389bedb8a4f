"""Tests for nnopt.data.synthetic: shapes, geometry (with noise=0), seeding, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.data import make_blobs, make_linear_regression, make_moons, make_spirals

CLASSIFICATION_MAKERS = [make_moons, make_spirals, make_blobs]


@pytest.mark.parametrize("make", CLASSIFICATION_MAKERS)
def test_shapes_and_dtypes(make):
    X, y = make(n_samples=101, seed=1)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", CLASSIFICATION_MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(n_samples=60, seed=7)
    X2, y2 = make(n_samples=60, seed=7)
    X3, _ = make(n_samples=60, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", CLASSIFICATION_MAKERS)
def test_generator_seed_is_used_and_advances(make):
    rng = np.random.default_rng(5)
    first, _ = make(n_samples=40, seed=rng)
    second, _ = make(n_samples=40, seed=rng)
    assert not np.allclose(first, second)
    again, _ = make(n_samples=40, seed=np.random.default_rng(5))
    assert np.array_equal(first, again)


def test_moons_lie_on_their_arcs_without_noise():
    X, y = make_moons(n_samples=201, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [101, 100]  # ceil and floor of 201/2
    upper, lower = X[y == 0], X[y == 1]
    # class 0: (cos t, sin t), t in [0, pi] -> unit circle, upper half
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12
    # class 1: (1 - cos t, 1/2 - sin t) -> circle of radius 1 around (1, 1/2), lower half
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert lower[:, 1].max() <= 0.5 + 1e-12
    # end points of the arcs: t = 0 and t = pi
    assert {tuple(np.round(p, 12)) for p in upper[[upper[:, 0].argmin(), upper[:, 0].argmax()]]} == {(-1.0, 0.0), (1.0, 0.0)}


def test_moons_noise_has_the_requested_spread():
    clean, y_clean = make_moons(n_samples=4000, noise=0.0, seed=3, shuffle=False)
    noisy, y_noisy = make_moons(n_samples=4000, noise=0.2, seed=3, shuffle=False)
    assert np.array_equal(y_clean, y_noisy)
    deviation = noisy - clean
    # std of 8000 N(0, 0.2^2) draws: within 0.2 * 4 / sqrt(2 * 8000) ~ 0.0063 of 0.2
    assert abs(deviation.std() - 0.2) < 0.007


def test_unshuffled_classes_come_in_order():
    _, y = make_moons(n_samples=10, seed=0, shuffle=False)
    assert y.tolist() == [0] * 5 + [1] * 5
    _, y = make_moons(n_samples=200, seed=0)
    assert y[:100].sum() not in (0, 100)  # shuffled: class 1 is not all at the end


@pytest.mark.parametrize("n_classes, n_samples, sizes", [(2, 300, [150, 150]), (3, 100, [34, 33, 33])])
def test_spirals_follow_the_formula_without_noise(n_classes, n_samples, sizes):
    X, y = make_spirals(n_samples=n_samples, n_classes=n_classes, noise=0.0, seed=0, turns=1.5)
    assert np.bincount(y).tolist() == sizes
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.min() == pytest.approx(0.05) and radius.max() == pytest.approx(1.0)
    theta = 2 * np.pi * (1.5 * radius + y / n_classes)
    np.testing.assert_allclose(X, radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]), atol=1e-12)
    # radii are evenly spaced along each arm: 0.05 + 0.95 * j / (size - 1)
    arm = np.sort(radius[y == 0])
    np.testing.assert_allclose(arm, 0.05 + 0.95 * np.arange(sizes[0]) / (sizes[0] - 1), atol=1e-12)


def test_spirals_arms_are_rotated_copies():
    X, y = make_spirals(n_samples=120, n_classes=3, noise=0.0, seed=0, shuffle=False)
    arm0, arm1 = X[y == 0], X[y == 1]
    angle = 2 * np.pi / 3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    np.testing.assert_allclose(arm0 @ rotation.T, arm1, atol=1e-12)


def test_blobs_with_given_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, -5.0]])
    X, y = make_blobs(n_samples=7, centers=centers, cluster_std=0.0, seed=0)
    assert X.shape == (7, 3) and np.bincount(y).tolist() == [4, 3]
    np.testing.assert_array_equal(X, centers[y])
    X, y = make_blobs(n_samples=4000, centers=centers, cluster_std=0.5, seed=0)
    for k in range(2):
        # sample mean of 2000 draws: standard error 0.5 / sqrt(2000) ~ 0.011
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.03)


def test_blobs_random_centers_in_box():
    X, y = make_blobs(n_samples=500, centers=4, n_features=3, cluster_std=0.0, seed=2, center_box=(1.0, 2.0))
    assert X.shape == (500, 3) and np.bincount(y).tolist() == [125] * 4
    assert X.min() >= 1.0 and X.max() <= 2.0
    assert len(np.unique(X, axis=0)) == 4


def test_linear_regression_noise_free_recovers_true_weights():
    X, y, w_true = make_linear_regression(n_samples=50, n_features=4, noise=0.0, seed=0, bias=2.5)
    assert X.shape == (50, 4) and y.shape == (50,) and w_true.shape == (4,)
    np.testing.assert_allclose(y, X @ w_true + 2.5, atol=1e-12)
    solution, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)
    np.testing.assert_allclose(solution, np.append(w_true, 2.5), atol=1e-10)


def test_linear_regression_noise_level():
    X, y, w_true = make_linear_regression(n_samples=20000, n_features=2, noise=0.3, seed=1)
    residual = y - X @ w_true
    # std of 20000 N(0, 0.3^2) draws: standard error ~ 0.3 / sqrt(40000) = 0.0015
    assert residual.std() == pytest.approx(0.3, abs=0.01)
    assert abs(residual.mean()) < 0.01
    _, y2, w2 = make_linear_regression(n_samples=20000, n_features=2, noise=0.3, seed=1)
    assert np.array_equal(y, y2) and np.array_equal(w_true, w2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: make_moons(n_samples=1), ValueError, "n_samples must be at least 2, got 1"),
        (lambda: make_moons(n_samples=10.0), TypeError, "n_samples must be an int"),
        (lambda: make_moons(noise=-0.1), ValueError, "noise must be finite and >= 0, got -0.1"),
        (lambda: make_moons(noise=float("nan")), ValueError, "noise must be finite"),
        (lambda: make_moons(seed="zero"), TypeError, "seed must be an int or a numpy.random.Generator"),
        (lambda: make_moons(seed=True), TypeError, "seed must be an int"),
        (lambda: make_moons(seed=None), TypeError, "seed must be an int"),
        (lambda: make_spirals(n_classes=1), ValueError, "n_classes must be at least 2, got 1"),
        (lambda: make_spirals(n_samples=2, n_classes=3), ValueError, "n_samples must be at least 3"),
        (lambda: make_blobs(centers=0), ValueError, "centers must be at least 1"),
        (lambda: make_blobs(centers=[1.0, 2.0]), ValueError, "centers must be an int or a finite array"),
        (lambda: make_blobs(center_box=(2.0, 1.0)), ValueError, "center_box must be"),
        (lambda: make_blobs(cluster_std=-1.0), ValueError, "cluster_std"),
        (lambda: make_linear_regression(n_features=0), ValueError, "n_features must be at least 1"),
        (lambda: make_linear_regression(bias=float("inf")), ValueError, "bias must be a finite"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
