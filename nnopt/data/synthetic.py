"""Small synthetic data sets, seeded, for pictures and quick experiments.

Every function takes ``seed`` (an int or a ``numpy.random.Generator``): the same int gives the
same data set. Features are float64 arrays of shape ``(n_samples, n_features)``, class labels
are int64 arrays of shape ``(n_samples,)`` with values ``0..n_classes-1``.

- ``make_moons``: two interleaving half circles (a non-linear 2-class problem);
- ``make_spirals``: ``n_classes`` interleaved spiral arms (hard for a linear model);
- ``make_blobs``: Gaussian clusters around centres;
- ``make_linear_regression``: ``y = X w + b + noise``, a convex least-squares problem whose
  true weights are returned with the data.
"""
from __future__ import annotations

import numbers

import numpy as np

from .batches import SeedLike, as_generator

__all__ = ["make_moons", "make_spirals", "make_blobs", "make_linear_regression"]


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    return int(value)


def _check_nonnegative(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value}.")
    return float(value)


def _class_sizes(n_samples: int, n_classes: int) -> np.ndarray:
    """Split ``n_samples`` as evenly as possible: the first ``n_samples % n_classes`` classes get one more."""
    sizes = np.full(n_classes, n_samples // n_classes)
    sizes[: n_samples % n_classes] += 1
    return sizes


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool):
    if not shuffle:
        return X, y
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: SeedLike = 0, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D.

    Class 0 (``ceil(n/2)`` points): ``(cos t, sin t)`` for ``t`` evenly spaced in ``[0, pi]``.
    Class 1 (``floor(n/2)`` points): ``(1 - cos t, 1/2 - sin t)``, the same arc flipped and moved
    so that it hooks into the first. Gaussian noise with standard deviation ``noise`` is added
    to both coordinates. With ``shuffle=True`` (default) the rows are in random order rather
    than class 0 first.

    Returns ``X`` (n_samples, 2) float64 and ``y`` (n_samples,) int64.
    """
    n_samples = _check_count(n_samples, "n_samples", 2)
    noise = _check_nonnegative(noise, "noise")
    rng = as_generator(seed)
    n_upper, n_lower = _class_sizes(n_samples, 2)
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n_samples, 2))
    y = np.repeat(np.arange(2, dtype=np.int64), [n_upper, n_lower])
    return _shuffled(X, y, rng, shuffle)


def make_spirals(
    n_samples: int = 300,
    n_classes: int = 2,
    noise: float = 0.05,
    seed: SeedLike = 0,
    turns: float = 1.0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms winding out from the origin, one arm per class.

    Arm ``k`` has points at radius ``r`` evenly spaced in ``[0.05, 1]`` and angle
    ``theta = 2*pi*turns*r + 2*pi*k/n_classes``, i.e. ``r * (cos theta, sin theta)``; the arms
    are rotated copies of each other. Gaussian noise with standard deviation ``noise`` is added
    to both coordinates (the arms are about ``1/n_classes`` of a turn apart, so noise near 0.1
    already makes them overlap). Samples are split as evenly as possible between classes.

    Returns ``X`` (n_samples, 2) float64 and ``y`` (n_samples,) int64 in ``0..n_classes-1``.
    """
    n_classes = _check_count(n_classes, "n_classes", 2)
    n_samples = _check_count(n_samples, "n_samples", n_classes)
    noise = _check_nonnegative(noise, "noise")
    turns = _check_nonnegative(turns, "turns")
    rng = as_generator(seed)
    sizes = _class_sizes(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), sizes)
    # position of each sample along its arm, 0.05..1 (evenly spaced within each class)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.arange(n_samples) - np.repeat(starts, sizes)
    denominator = np.maximum(np.repeat(sizes, sizes) - 1, 1)
    radius = 0.05 + 0.95 * position / denominator
    theta = 2.0 * np.pi * (turns * radius + y / n_classes)
    X = radius[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    X += noise * rng.standard_normal((n_samples, 2))
    return _shuffled(X, y, rng, shuffle)


def make_blobs(
    n_samples: int = 300,
    centers=3,
    cluster_std: float = 1.0,
    n_features: int = 2,
    seed: SeedLike = 0,
    center_box: tuple[float, float] = (-5.0, 5.0),
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters: class ``k`` is ``N(center_k, cluster_std**2 * I)``.

    ``centers`` is either the number of clusters (their centres are then drawn uniformly in
    ``center_box`` along every feature) or an array of shape ``(n_clusters, n_features)`` giving
    them (``n_features`` is then taken from it). Samples are split as evenly as possible between
    clusters.

    Returns ``X`` (n_samples, n_features) float64 and ``y`` (n_samples,) int64.
    """
    rng = as_generator(seed)
    cluster_std = _check_nonnegative(cluster_std, "cluster_std")
    if isinstance(centers, numbers.Integral) and not isinstance(centers, (bool, np.bool_)):
        n_clusters = _check_count(centers, "centers", 1)
        n_features = _check_count(n_features, "n_features", 1)
        low, high = (float(v) for v in center_box)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"center_box must be (low, high) with low < high, got {center_box!r}.")
        center_array = rng.uniform(low, high, size=(n_clusters, n_features))
    else:
        center_array = np.asarray(centers, dtype=np.float64)
        if center_array.ndim != 2 or center_array.shape[0] < 1 or not np.all(np.isfinite(center_array)):
            raise ValueError(
                f"centers must be an int or a finite array of shape (n_clusters, n_features), "
                f"got {centers!r}."
            )
        n_clusters, n_features = center_array.shape
    n_samples = _check_count(n_samples, "n_samples", n_clusters)
    y = np.repeat(np.arange(n_clusters, dtype=np.int64), _class_sizes(n_samples, n_clusters))
    X = center_array[y] + cluster_std * rng.standard_normal((n_samples, n_features))
    return _shuffled(X, y, rng, shuffle)


def make_linear_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.1,
    seed: SeedLike = 0,
    bias: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A linear regression problem ``y = X @ w_true + bias + noise * eps``.

    ``X`` and ``w_true`` have independent standard normal entries and ``eps ~ N(0, 1)``.
    Minimising the mean squared error over ``(w, b)`` is convex; with ``noise=0`` its minimum is
    exactly ``(w_true, bias)``, otherwise it is the least-squares solution, which
    ``np.linalg.lstsq(np.column_stack([X, np.ones(n)]), y)`` gives for comparison.

    Returns ``X`` (n_samples, n_features) float64, ``y`` (n_samples,) float64 (use
    ``y[:, None]`` for a network with one output column) and ``w_true`` (n_features,) float64.
    """
    n_samples = _check_count(n_samples, "n_samples", 1)
    n_features = _check_count(n_features, "n_features", 1)
    noise = _check_nonnegative(noise, "noise")
    if isinstance(bias, (bool, np.bool_)) or not isinstance(bias, numbers.Real) or not np.isfinite(bias):
        raise ValueError(f"bias must be a finite real number, got {bias!r}.")
    rng = as_generator(seed)
    w_true = rng.standard_normal(n_features)
    X = rng.standard_normal((n_samples, n_features))
    y = X @ w_true + float(bias) + noise * rng.standard_normal(n_samples)
    return X, y, w_true
