"""The digits every throughput benchmark trains on, and the fixed mini-batches they all share."""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: 1797 digits, X float64 (1797, 64), y int64; nnopt's loader when it exists."""
    try:
        from nnopt.data import load_digits as nnopt_load_digits
    except ImportError:
        with gzip.open(ROOT / "data" / "digits.csv.gz", "rt") as handle:
            table = np.loadtxt(handle, delimiter=",")
        return table[:, :-1], table[:, -1].astype(np.int64)
    X, y = nnopt_load_digits()
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.int64)


def standardized_digits() -> tuple[np.ndarray, np.ndarray]:
    """Digits with each pixel scaled to mean 0 and standard deviation 1 (constant pixels left at 0)."""
    X, y = load_digits()
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0), y


def fixed_batches(X: np.ndarray, y: np.ndarray, batch_size: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """One shuffled epoch cut into full batches of ``batch_size`` (the remainder dropped)."""
    order = np.random.default_rng(seed).permutation(len(X))
    n_full = len(X) // batch_size
    return [(X[idx], y[idx]) for idx in np.split(order[: n_full * batch_size], n_full)]
