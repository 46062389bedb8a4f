"""Tests for nnopt.data.preprocessing: splits, stratification, Standardizer, one_hot."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.data import Standardizer, load_digits, one_hot, train_val_test_split


def _ids(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i of X is [i, -i], so a split shows exactly which samples went where."""
    ids = np.arange(m)
    return np.column_stack([ids, -ids]), ids % 3


# ---------- train_val_test_split ----------

def test_split_sizes_and_order_of_outputs():
    X, y = _ids(100)
    X_train, y_train, X_val, y_val, X_test, y_test = train_val_test_split(
        X, y, val_fraction=0.2, test_fraction=0.1, seed=0)
    assert (len(X_train), len(X_val), len(X_test)) == (70, 20, 10)  # 100 - 20 - 10 = 70
    assert (len(y_train), len(y_val), len(y_test)) == (70, 20, 10)
    for X_part, y_part in [(X_train, y_train), (X_val, y_val), (X_test, y_test)]:
        assert np.array_equal(X_part[:, 1], -X_part[:, 0])  # rows intact
        assert np.array_equal(y_part, X_part[:, 0] % 3)  # X and y still paired
    every_row = np.concatenate([X_train[:, 0], X_val[:, 0], X_test[:, 0]])
    assert np.array_equal(np.sort(every_row), np.arange(100))  # each sample in exactly one part


def test_split_default_fractions_on_digits():
    X, y = load_digits()
    parts = train_val_test_split(X, y)
    # 0.15 * 1797 = 269.55 -> 270 for validation and test, 1797 - 540 = 1257 for training
    assert [len(part) for part in parts] == [1257, 1257, 270, 270, 270, 270]


def test_split_is_reproducible_and_seed_dependent():
    X, y = _ids(60)
    first = train_val_test_split(X, y, seed=3)
    second = train_val_test_split(X, y, seed=3)
    other = train_val_test_split(X, y, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[4], other[4])


def test_stratified_split_keeps_class_proportions_on_digits():
    X, y = load_digits()
    class_counts = np.bincount(y)
    for seed in range(5):
        _, y_train, _, y_val, _, y_test = train_val_test_split(X, y, seed=seed)
        for part in (y_train, y_val, y_test):
            share = class_counts * len(part) / len(y)
            assert np.abs(np.bincount(part, minlength=10) - share).max() <= 2


def test_stratified_split_of_a_rare_class():
    # 90 samples of class 0, 10 of class 1; test and validation are 10% each (10 samples):
    # the proportional share of class 1 is 10 * 10/100 = 1 sample in each.
    y = np.array([0] * 90 + [1] * 10)
    X = np.arange(100)
    stratified_counts = set()
    random_counts = set()
    for seed in range(30):
        _, y_train, _, y_val, _, y_test = train_val_test_split(X, y, 0.1, 0.1, seed=seed)
        stratified_counts.add((int(y_train.sum()), int(y_val.sum()), int(y_test.sum())))
        _, _, _, _, _, y_test_random = train_val_test_split(X, y, 0.1, 0.1, seed=seed, stratify=False)
        random_counts.add(int(y_test_random.sum()))
    assert stratified_counts == {(8, 1, 1)}
    assert len(random_counts) > 1  # a plain random split varies from seed to seed


def test_split_with_empty_validation_part():
    X, y = _ids(20)
    X_train, y_train, X_val, y_val, X_test, y_test = train_val_test_split(X, y, val_fraction=0.0, test_fraction=0.25)
    assert X_val.shape == (0, 2) and y_val.shape == (0,)
    assert (len(X_train), len(X_test)) == (15, 5)


def test_split_without_stratify_accepts_regression_targets():
    X = np.arange(40.0)[:, None]
    y = 2.0 * X[:, 0] + 1.0
    X_train, y_train, *_ = train_val_test_split(X, y, stratify=False)
    assert len(X_train) == 40 - 6 - 6  # 0.15 * 40 = 6
    np.testing.assert_array_equal(y_train, 2.0 * X_train[:, 0] + 1.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(val_fraction=0.5, test_fraction=0.5), ValueError, "val_fraction \\+ test_fraction must be below 1"),
        (dict(val_fraction=-0.1), ValueError, "val_fraction must be in \\[0, 1\\), got -0.1"),
        (dict(test_fraction=1.0), ValueError, "test_fraction must be in \\[0, 1\\), got 1.0"),
        (dict(test_fraction="0.2"), TypeError, "test_fraction must be a number"),
        (dict(seed=1.5), TypeError, "seed must be an int"),
    ],
)
def test_split_bad_fractions(kwargs, error, match):
    X, y = _ids(30)
    with pytest.raises(error, match=match):
        train_val_test_split(X, y, **kwargs)


def test_split_bad_shapes_and_targets():
    X, y = _ids(30)
    with pytest.raises(ValueError, match="same number of samples"):
        train_val_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="stratify=True needs 1-D class labels.*stratify=False"):
        train_val_test_split(X, y.astype(float))
    with pytest.raises(ValueError, match="leave no training sample"):
        # 2 samples: round(0.4 * 2) = 1 for validation, 1 for test, 0 for training
        train_val_test_split(X[:2], y[:2], val_fraction=0.4, test_fraction=0.4)


# ---------- Standardizer ----------

def test_standardizer_hand_computed():
    X = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    scaler = Standardizer().fit(X)
    # column 0: mean 3, population std sqrt(((-2)^2 + 0 + 2^2) / 3) = sqrt(8/3)
    # column 1: constant -> mean 10, scale 1 (not 0, so no 0/0)
    np.testing.assert_allclose(scaler.mean_, [3.0, 10.0])
    np.testing.assert_allclose(scaler.scale_, [np.sqrt(8 / 3), 1.0])
    Z = scaler.transform(X)
    expected = np.array([[-2 / np.sqrt(8 / 3), 0.0], [0.0, 0.0], [2 / np.sqrt(8 / 3), 0.0]])
    np.testing.assert_allclose(Z, expected, atol=1e-15)
    assert Z[0, 0] == pytest.approx(-1.224744871391589)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X)
    # a new value in the constant column is shifted, not divided by zero: 12 -> (12 - 10) / 1
    np.testing.assert_allclose(scaler.transform([[7.0, 12.0]]), [[4 / np.sqrt(8 / 3), 2.0]])


def test_standardizer_constant_column_of_non_integer_value_is_exactly_zero():
    X = np.column_stack([np.full(7, 0.1), np.arange(7.0)])
    Z = Standardizer().fit_transform(X)
    assert np.all(Z[:, 0] == 0.0)
    assert np.all(np.isfinite(Z))


def test_standardizer_fitted_on_train_only_digits():
    X, y = load_digits()
    X_train, _, _, _, X_test, _ = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_train)
    np.testing.assert_allclose(scaler.mean_, X_train.mean(axis=0))
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    assert not np.isnan(Z_train).any() and not np.isnan(Z_test).any()
    np.testing.assert_allclose(Z_train.mean(axis=0), 0.0, atol=1e-12)
    varying = X_train.std(axis=0) > 0
    assert (~varying).sum() >= 1  # digits has always-blank pixels
    np.testing.assert_allclose(Z_train.std(axis=0)[varying], 1.0)
    assert np.all(Z_train[:, ~varying] == 0.0)
    # the test set was not used for the statistics, so its mean is close to 0 but not 0
    assert 0.01 < np.abs(Z_test.mean(axis=0)).max() < 1.0


def test_standardizer_keeps_float32_and_converts_ints():
    X32 = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    assert Standardizer().fit_transform(X32).dtype == np.float32
    Z = Standardizer().fit_transform(np.array([[1, 2], [3, 6]]))
    assert Z.dtype == np.float64
    np.testing.assert_allclose(Z, [[-1.0, -1.0], [1.0, 1.0]])  # two points: mean +- std


def test_standardizer_errors():
    scaler = Standardizer()
    with pytest.raises(RuntimeError, match="not fitted yet: call fit\\(X_train\\) first"):
        scaler.transform(np.ones((2, 2)))
    scaler.fit(np.arange(6.0).reshape(3, 2))
    with pytest.raises(ValueError, match="rows of shape \\(3,\\).*fitted on rows of shape \\(2,\\)"):
        scaler.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(TypeError, match="real numbers"):
        Standardizer().fit(np.array([["a"], ["b"]]))
    with pytest.raises(ValueError, match="at least one sample"):
        Standardizer().fit(np.empty((0, 3)))


# ---------- one_hot ----------

def test_one_hot_values():
    Y = one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    Y = one_hot(np.array([1, 1]), n_classes=4, dtype=np.float32)
    assert Y.shape == (2, 4) and Y.dtype == np.float32
    np.testing.assert_array_equal(Y.sum(axis=1), [1, 1])
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    _, y = load_digits()
    np.testing.assert_array_equal(one_hot(y).argmax(axis=1), y)


@pytest.mark.parametrize(
    "y, n_classes, error, match",
    [
        ([0, -1], None, ValueError, "class indices must be >= 0, got -1"),
        ([0, 3], 3, ValueError, "y contains class 3, but n_classes=3 allows only 0..2"),
        ([[0, 1]], None, ValueError, "1-D array of class indices"),
        ([0.5, 1.0], None, TypeError, "integer class indices"),
        ([0, 1], 0, ValueError, "n_classes must be a positive int, got 0"),
    ],
)
def test_one_hot_errors(y, n_classes, error, match):
    with pytest.raises(error, match=match):
        one_hot(y, n_classes)


def test_standardizer_handles_values_near_the_float64_limit():
    # x² overflows for |x| ~ 1e200: the mean and spread are found on scaled values instead
    X = np.array([[1e200, 1.0], [-1e200, 3.0], [3e200, 2.0]])
    z = Standardizer().fit_transform(X)
    # column 0: deviations (0, -2, 2)·1e200, std √(8/3)·1e200; column 1: (-1, 1, 0), std √(2/3)
    np.testing.assert_allclose(z[:, 0], np.array([0.0, -1.0, 1.0]) * np.sqrt(1.5), rtol=1e-12)
    np.testing.assert_allclose(z[:, 1], np.array([-1.0, 1.0, 0.0]) * np.sqrt(1.5), rtol=1e-12)
