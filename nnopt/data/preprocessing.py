"""Preparing data for training: splits, standardisation and one-hot targets.

The order matters and is the lesson of this module: split first, then fit the ``Standardizer``
on the training part only and apply that same transformation to the validation and test parts.
"""
from __future__ import annotations

import numbers

import numpy as np

from .batches import SeedLike, as_generator

__all__ = ["train_val_test_split", "Standardizer", "one_hot"]


def _check_fraction(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r} ({type(value).__name__}).")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value}.")
    return float(value)


def _round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))


def train_val_test_split(
    X,
    y,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: SeedLike = 0,
    stratify: bool = True,
):
    """Split ``(X, y)`` at random into training, validation and test parts.

    Returns six arrays, in pairs::

        X_train, y_train, X_val, y_val, X_test, y_test = train_val_test_split(X, y)

    Sizes: ``n_test = round(test_fraction * m)``, ``n_val = round(val_fraction * m)`` (halves
    round up) and the training part gets the rest, so the sizes always add up to ``m``. A
    fraction of 0 gives an empty part.

    ``stratify=True`` keeps the class proportions of ``y`` in every part: each class's count in
    a part is within two samples (usually one) of ``class_fraction * part_size``, where a plain
    random split can be off by several standard deviations for a rare class. It needs 1-D class labels;
    pass ``stratify=False`` for regression targets or one-hot ``y``. How: shuffle, give the
    ``j``-th sample of a class of ``c`` samples the key ``(j + 1/2) / c``, sort by that key
    (a stable sort, so ties keep the shuffled order), and cut test, validation, train in that
    order; every class is spread evenly along the sorted order, so every cut is proportional.

    The rows of each part come out in random order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of samples along axis 0; got shapes {X.shape} and {y.shape}."
        )
    val_fraction = _check_fraction(val_fraction, "val_fraction")
    test_fraction = _check_fraction(test_fraction, "test_fraction")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(
            f"val_fraction + test_fraction must be below 1 to leave training data; got "
            f"{val_fraction} + {test_fraction} = {val_fraction + test_fraction}."
        )
    m = X.shape[0]
    n_test = _round_half_up(test_fraction * m)
    n_val = _round_half_up(val_fraction * m)
    if m - n_test - n_val < 1:
        raise ValueError(
            f"with m={m} samples, val_fraction={val_fraction} and test_fraction={test_fraction} "
            f"leave no training sample; use more data or smaller fractions."
        )
    rng = as_generator(seed)
    order = rng.permutation(m)
    if stratify:
        if y.ndim != 1 or np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.complexfloating):
            raise ValueError(
                f"stratify=True needs 1-D class labels (ints or strings), got y with shape {y.shape} "
                f"and dtype {y.dtype}; pass stratify=False for regression or one-hot targets."
            )
        _, class_of = np.unique(y[order], return_inverse=True)
        counts = np.bincount(class_of)
        # rank of each (shuffled) sample within its class: 0, 1, ..., count-1
        by_class = np.argsort(class_of, kind="stable")
        rank = np.empty(m, dtype=np.int64)
        rank[by_class] = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts)
        key = (rank + 0.5) / counts[class_of]
        order = order[np.argsort(key, kind="stable")]
    test_rows = order[:n_test]
    val_rows = order[n_test:n_test + n_val]
    train_rows = order[n_test + n_val:]
    # the training part would otherwise be sorted by key (one class cycle after another)
    train_rows = train_rows[rng.permutation(train_rows.size)]
    return X[train_rows], y[train_rows], X[val_rows], y[val_rows], X[test_rows], y[test_rows]


class Standardizer:
    """Rescale every feature to mean 0 and standard deviation 1: ``z = (x - mean) / scale``.

    ``fit(X_train)`` computes, per column (axis 0), ``mean`` and the population standard
    deviation ``std = sqrt(mean((x - mean)**2))``. ``scale`` is that ``std``, except for a
    constant column (all values equal, ``std = 0``), where ``scale = 1``: such a column, like the
    always-blank corner pixels of the digits, becomes all zeros instead of ``0/0 = NaN``.

    Fit on the training set only, then ``transform`` validation and test data with the training
    statistics. Fitting on all the data would let the test set leak into the preprocessing (its
    mean and spread would shape the inputs the model trains on), and the test score would no
    longer measure data the model has never seen. A consequence you can check: the transformed
    training set has mean exactly 0 (up to rounding), the test set only approximately.

    Floating input keeps its dtype (float32 stays float32); integer input gives float64.

    Attributes after ``fit``: ``mean_``, ``scale_`` (float64 arrays of one row's shape) and
    ``n_features_in_`` (shape of one row).
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_features_in_: tuple[int, ...] | None = None

    def fit(self, X) -> Standardizer:
        """Compute ``mean_`` and ``scale_`` from ``X`` (samples along axis 0); returns ``self``."""
        X = self._as_numeric(X, "X")
        if X.ndim == 0 or X.shape[0] == 0:
            raise ValueError(f"fit needs at least one sample (row), got X with shape {X.shape}.")
        data = X.astype(np.float64, copy=False)
        with np.errstate(over="ignore", invalid="ignore"):
            mean = data.mean(axis=0)
            std = data.std(axis=0)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            # values near the float64 limit (|x| ~ 1e200) overflow x², or even the sum: scale first
            peak = np.max(np.abs(data), axis=0)
            peak = np.where(np.isfinite(peak) & (peak > 0), peak, 1.0)
            scaled = data / peak
            mean, std = scaled.mean(axis=0) * peak, scaled.std(axis=0) * peak
        constant = np.ptp(data, axis=0) == 0
        # for an exactly constant column use the value itself as the mean, so it maps to exactly 0
        self.mean_ = np.where(constant, data[0], mean)
        self.scale_ = np.where(constant, 1.0, std)
        self.n_features_in_ = X.shape[1:]
        return self

    def transform(self, X) -> np.ndarray:
        """Return ``(X - mean_) / scale_`` (a new array)."""
        X = self._check_fitted_input(X)
        return ((X - self.mean_) / self.scale_).astype(self._output_dtype(X), copy=False)

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``; only for the training set."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Undo ``transform``: ``Z * scale_ + mean_``."""
        Z = self._check_fitted_input(Z)
        return (Z * self.scale_ + self.mean_).astype(self._output_dtype(Z), copy=False)

    @staticmethod
    def _output_dtype(X: np.ndarray):
        return X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64

    @staticmethod
    def _as_numeric(X, name: str) -> np.ndarray:
        X = np.asarray(X)
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == np.bool_) or np.issubdtype(
            X.dtype, np.complexfloating
        ):
            raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}.")
        if np.issubdtype(X.dtype, np.floating) and not np.all(np.isfinite(X)):
            raise ValueError(
                f"{name} contains NaN or infinite values; remove or impute them before standardising."
            )
        return X

    def _check_fitted_input(self, X) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("this Standardizer is not fitted yet: call fit(X_train) first.")
        X = self._as_numeric(X, "X")
        if X.shape[1:] != self.n_features_in_:
            raise ValueError(
                f"X has rows of shape {X.shape[1:]}, but the Standardizer was fitted on rows of "
                f"shape {self.n_features_in_}."
            )
        return X

    def __repr__(self) -> str:
        if self.mean_ is None:
            return "Standardizer(not fitted)"
        return f"Standardizer(fitted, row shape {self.n_features_in_})"


def one_hot(y, n_classes: int | None = None, dtype=np.float64) -> np.ndarray:
    """One-hot encode class indices: ``Y[i, k] = 1`` if ``y[i] == k`` else ``0``.

    ``y`` is a 1-D array of ints in ``0..n_classes-1``; ``n_classes`` defaults to ``max(y) + 1``
    (pass it explicitly when a batch might miss the last classes). Returns shape
    ``(len(y), n_classes)`` of ``dtype`` (float64 by default).

    >>> one_hot([2, 0])
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of class indices, got shape {y.shape}.")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"y must hold integer class indices, got dtype {y.dtype}.")
    y = y.astype(np.int64, copy=False)
    if y.size and y.min() < 0:
        raise ValueError(f"class indices must be >= 0, got {int(y.min())}.")
    if n_classes is None:
        n_classes = int(y.max()) + 1 if y.size else 0
    elif isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, numbers.Integral) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}.")
    elif y.size and y.max() >= n_classes:
        raise ValueError(
            f"y contains class {int(y.max())}, but n_classes={n_classes} allows only 0..{n_classes - 1}."
        )
    encoded = np.zeros((y.size, int(n_classes)), dtype=dtype)
    encoded[np.arange(y.size), y] = 1
    return encoded
