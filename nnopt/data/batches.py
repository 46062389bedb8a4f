"""Mini-batches: how one epoch over the training set is cut into optimizer steps.

One epoch shuffles the sample indices once, then cuts that order into consecutive blocks of
``batch_size`` rows; every sample lands in exactly one batch, and the last batch keeps the
``m mod batch_size`` samples that are left over (it is smaller, never dropped). The batch size
picks the flavour of gradient descent:

- ``batch_size = m`` (or ``None``): batch gradient descent, one step per epoch;
- ``batch_size = 1``: stochastic gradient descent, ``m`` steps per epoch;
- anything in between: mini-batch gradient descent, ``ceil(m / batch_size)`` steps per epoch.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np

__all__ = ["as_generator", "minibatches", "n_batches"]

SeedLike = int | np.integer | np.random.Generator


def as_generator(seed: SeedLike, *, name: str = "seed") -> np.random.Generator:
    """Turn ``seed`` into a ``numpy.random.Generator``.

    An int (Python or NumPy, not bool) seeds a new PCG64 generator, so the same int always gives
    the same numbers. A ``Generator`` is returned as it is, so its state carries on between calls
    (this is how one generator gives a different shuffle every epoch). ``name`` is the argument
    name used in error messages.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be an int or a numpy.random.Generator, got {seed!r} "
            f"({type(seed).__name__}); pass e.g. {name}=0 or {name}=np.random.default_rng(0)."
        )
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative int, got {seed}.")
    return np.random.default_rng(int(seed))


def _check_batch_size(batch_size, m: int) -> int:
    """Validate ``batch_size`` for ``m`` samples; ``None`` means the full batch ``m``."""
    if batch_size is None:
        return m
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(
            f"batch_size must be an int between 1 and the number of samples, or None for the full "
            f"batch; got {batch_size!r} ({type(batch_size).__name__}). Convert it with int(...)."
        )
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    if batch_size > m:
        raise ValueError(
            f"batch_size={batch_size} is larger than the number of samples m={m}; "
            f"the maximum is {m} (batch_size=m, or None, is full-batch gradient descent)."
        )
    return batch_size


def n_batches(m: int, batch_size: int | None) -> int:
    """Number of mini-batches (optimizer steps) in one epoch: ``ceil(m / batch_size)``.

    ``batch_size=None`` means the full batch (one step). Same validation as ``minibatches``.

    >>> n_batches(10, 4)   # batches of 4, 4 and 2
    3
    """
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"m (the number of samples) must be a positive int, got {m!r}.")
    m = int(m)
    batch_size = _check_batch_size(batch_size, m)
    return -(-m // batch_size)


def minibatches(
    X, y, batch_size: int | None, rng: SeedLike | None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` pairs that together cover every sample exactly once.

    With ``shuffle=True`` the order is one permutation ``p = rng.permutation(m)`` drawn when the
    function is called (once per epoch), and batch ``k`` is the rows
    ``p[k*batch_size : (k+1)*batch_size]`` of ``X`` and of ``y`` (so rows stay paired). The
    last batch is smaller when ``batch_size`` does not divide ``m``; it is kept, not dropped.

    Parameters
    ----------
    X, y : arrays with the same first dimension ``m`` (samples along axis 0).
    batch_size : int in ``1..m``, or ``None`` for the full batch (``m``).
        ``m`` is batch gradient descent, ``1`` is stochastic gradient descent.
    rng : ``numpy.random.Generator`` or int seed. Pass one Generator for the whole training
        run to get a new order every epoch; an int seeds a fresh generator on every call, so
        each epoch would repeat the same order. May be ``None`` only when ``shuffle=False``.
    shuffle : bool. ``False`` keeps the data order and yields views (no copies).

    Arguments are checked when the function is called, before the first batch is requested.

    >>> X, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> [len(yb) for _, yb in minibatches(X, y, 4, np.random.default_rng(0))]
    [4, 4, 2]
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"X and y need samples along axis 0; got X with shape {X.shape} and y with shape {y.shape}."
        )
    m = X.shape[0]
    if y.shape[0] != m:
        raise ValueError(
            f"X and y must have the same number of samples (rows): len(X)={m}, len(y)={y.shape[0]}."
        )
    if m == 0:
        raise ValueError("X and y are empty (0 samples); there is nothing to batch.")
    batch_size = _check_batch_size(batch_size, m)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}.")
    if shuffle:
        if rng is None:
            raise TypeError(
                "rng is None but shuffle=True: pass a numpy.random.Generator (or an int seed) "
                "to shuffle, or shuffle=False to keep the data order."
            )
        order = as_generator(rng, name="rng").permutation(m)
        return _shuffled_batches(X, y, order, batch_size)
    return _ordered_batches(X, y, batch_size)


def _shuffled_batches(X, y, order, batch_size) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, order.size, batch_size):
        rows = order[start:start + batch_size]
        yield X[rows], y[rows]


def _ordered_batches(X, y, batch_size) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for start in range(0, X.shape[0], batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
