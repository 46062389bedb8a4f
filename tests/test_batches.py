"""Tests for nnopt.data.batches: exact partition, shuffling per epoch, pairing, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.data import as_generator, minibatches, n_batches


def _data(m: int, n_features: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Row i of X is [i, 10 i, 100 i] and y[i] = i."""
    ids = np.arange(m)
    return ids[:, None] * np.array([1, 10, 100])[:n_features], ids


def _visit_order(batches) -> np.ndarray:
    return np.concatenate([y_batch for _, y_batch in batches])


@pytest.mark.parametrize(
    "m, batch_size, sizes",
    [(10, 4, [4, 4, 2]), (12, 4, [4, 4, 4]), (5, 1, [1] * 5), (7, 7, [7]), (7, None, [7]), (9, 8, [8, 1])],
)
def test_partition_sizes_and_every_sample_once(m, batch_size, sizes):
    X, y = _data(m)
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(0)))
    assert [len(y_batch) for _, y_batch in batches] == sizes
    assert [X_batch.shape for X_batch, _ in batches] == [(size, 3) for size in sizes]
    assert np.array_equal(np.sort(_visit_order(batches)), np.arange(m))
    assert len(batches) == n_batches(m, batch_size)


def test_order_is_one_permutation_from_the_generator():
    X, y = _data(10)
    order = np.random.default_rng(42).permutation(10)
    batches = list(minibatches(X, y, 4, np.random.default_rng(42)))
    np.testing.assert_array_equal(_visit_order(batches), order)
    np.testing.assert_array_equal(batches[2][1], order[8:10])


def test_rows_stay_paired():
    X, y = _data(23)
    for X_batch, y_batch in minibatches(X, y, 5, np.random.default_rng(1)):
        np.testing.assert_array_equal(X_batch[:, 0], y_batch)
        np.testing.assert_array_equal(X_batch[:, 2], 100 * y_batch)


def test_same_seed_same_batches():
    X, y = _data(30)
    first = list(minibatches(X, y, 7, np.random.default_rng(9)))
    second = list(minibatches(X, y, 7, np.random.default_rng(9)))
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(first, second))
    assert len(first) == len(second) == 5  # ceil(30 / 7)


def test_one_generator_gives_a_new_order_every_epoch():
    X, y = _data(30)
    rng = np.random.default_rng(0)
    epochs = [_visit_order(minibatches(X, y, 8, rng)) for _ in range(3)]
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    for order in epochs:
        assert np.array_equal(np.sort(order), np.arange(30))
    # an int seed makes a fresh generator per call: the same order every time (documented)
    assert np.array_equal(_visit_order(minibatches(X, y, 8, 5)), _visit_order(minibatches(X, y, 8, 5)))


def test_shuffle_is_drawn_when_called_not_when_iterated():
    X, y = _data(10)
    rng = np.random.default_rng(3)
    epoch_1 = minibatches(X, y, 4, rng)
    epoch_2 = minibatches(X, y, 4, rng)  # draws the second permutation now
    expected = np.random.default_rng(3)
    first, second = expected.permutation(10), expected.permutation(10)
    np.testing.assert_array_equal(_visit_order(epoch_2), second)
    np.testing.assert_array_equal(_visit_order(epoch_1), first)


def test_no_shuffle_keeps_order_and_yields_views():
    X, y = _data(10)
    batches = list(minibatches(X, y, 4, None, shuffle=False))
    np.testing.assert_array_equal(_visit_order(batches), np.arange(10))
    assert np.shares_memory(batches[0][0], X) and np.shares_memory(batches[0][1], y)


def test_shuffled_batches_are_copies():
    X, y = _data(6)
    X_batch, y_batch = next(minibatches(X, y, 3, 0))
    X_batch[:] = -1
    np.testing.assert_array_equal(X, _data(6)[0])


def test_accepts_numpy_ints_lists_and_2d_targets():
    X, y = _data(9)
    Y = np.eye(9)
    batches = list(minibatches(X.tolist(), Y, np.int64(4), np.random.default_rng(0)))
    assert [yb.shape for _, yb in batches] == [(4, 9), (4, 9), (1, 9)]
    for X_batch, Y_batch in batches:
        np.testing.assert_array_equal(Y_batch.argmax(axis=1), X_batch[:, 0])


@pytest.mark.parametrize(
    "batch_size, error, match",
    [
        (0, ValueError, "batch_size must be at least 1, got 0"),
        (-3, ValueError, "batch_size must be at least 1, got -3"),
        (11, ValueError, "batch_size=11 is larger than the number of samples m=10; the maximum is 10"),
        (2.5, TypeError, "batch_size must be an int .* got 2.5"),
        (32.0, TypeError, "batch_size must be an int .* got 32.0 \\(float\\)"),
        (True, TypeError, "batch_size must be an int .* got True \\(bool\\)"),
        ("4", TypeError, "batch_size must be an int"),
    ],
)
def test_bad_batch_size_raises_at_call_time(batch_size, error, match):
    X, y = _data(10)
    with pytest.raises(error, match=match):
        minibatches(X, y, batch_size, np.random.default_rng(0))  # no next(): checked on the call


def test_other_bad_input():
    X, y = _data(10)
    with pytest.raises(ValueError, match="len\\(X\\)=10, len\\(y\\)=9"):
        minibatches(X, y[:9], 4, 0)
    with pytest.raises(TypeError, match="rng is None but shuffle=True"):
        minibatches(X, y, 4, None)
    with pytest.raises(TypeError, match="rng must be an int or a numpy.random.Generator, got 'abc'"):
        minibatches(X, y, 4, "abc")
    with pytest.raises(ValueError, match="empty"):
        minibatches(X[:0], y[:0], 1, 0)
    with pytest.raises(ValueError, match="samples along axis 0"):
        minibatches(np.float64(1.0), y, 1, 0)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        minibatches(X, y, 4, 0, shuffle="yes")


def test_n_batches():
    assert n_batches(10, 4) == 3  # 4 + 4 + 2
    assert n_batches(12, 4) == 3
    assert n_batches(10, 1) == 10
    assert n_batches(10, 10) == 1
    assert n_batches(10, None) == 1
    assert n_batches(1797, 32) == 57  # 56 * 32 = 1792, 5 left over
    with pytest.raises(ValueError, match="the maximum is 10"):
        n_batches(10, 11)
    with pytest.raises(ValueError, match="m \\(the number of samples\\) must be a positive int, got 0"):
        n_batches(0, 1)


def test_as_generator():
    rng = np.random.default_rng(0)
    assert as_generator(rng) is rng
    assert as_generator(np.int32(4)).integers(1000) == np.random.default_rng(4).integers(1000)
    with pytest.raises(TypeError, match="my_seed must be an int"):
        as_generator(1.0, name="my_seed")
    with pytest.raises(ValueError, match="non-negative"):
        as_generator(-1)
