"""The experiments of notebook 02 (exponentially weighted averages).

- :func:`record_gradients`: one weight matrix's mini-batch and full-batch gradients along an SGD run.
- :func:`noise_only_error`: how much of white noise a bias-corrected EWA lets through, averaged
  over the first T steps (the curve to compare a finite run with) or in the long run.
- :func:`spring_lag`: the horizontal distance between straight-line fits to a series and its average.
- :func:`closed_form_ewa`: the loop-free formula v_t = (1-β) βᵗ Σ_k β⁻ᵏ x_k, to show where it breaks.
- :func:`average_of_iterates`: an EWA (EMA of weights) or a plain running mean (Polyak averaging)
  of the iterates θ_t of an optimizer run.
"""
from __future__ import annotations

import math

import numpy as np

from ..data.batches import minibatches

__all__ = ["record_gradients", "noise_only_error", "spring_lag", "closed_form_ewa", "average_of_iterates"]


def _check_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.floating)) or not 0 <= beta < 1:
        raise ValueError(f"beta must be a number in [0, 1), got {beta!r}.")
    return float(beta)


def _check_count(value, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{argument} must be a whole number >= 1, got {value!r}.")
    return int(value)


def record_gradients(model, optimizer, X, y, *, parameter: int, batch_size: int, steps: int, seed: int = 0):
    """Run ``steps`` SGD steps on mini-batches; before each, record the gradient of
    ``model.parameters()[parameter]`` on the mini-batch (what the optimizer uses) and on the
    whole of ``(X, y)`` (which it never sees). Returns two arrays of shape (steps, *parameter shape)."""
    steps = _check_count(steps, "steps")
    weights = model.parameters()[parameter]
    rng = np.random.default_rng(seed)
    minibatch_grads, full_grads = [], []
    while len(minibatch_grads) < steps:
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            model.zero_grad()
            model.loss(X, y)  # full batch: only to record the true gradient
            model.backward()
            full_grads.append(weights.grad.copy())
            model.zero_grad()
            model.loss(X_batch, y_batch)  # the mini-batch gradient the optimizer steps along
            model.backward()
            minibatch_grads.append(weights.grad.copy())
            optimizer.step()
            if len(minibatch_grads) == steps:
                break
    return np.array(minibatch_grads), np.array(full_grads)


def noise_only_error(beta, steps: int | None = None) -> float:
    """RMS of the bias-corrected EWA of unit white noise, relative to the noise itself.

    At step t the corrected average v̂_t has variance (1-β)(1-β²ᵗ) / ((1+β)(1-βᵗ)²) (its weights
    (1-β)β^(t-k)/(1-βᵗ), squared and summed): 1 at t = 1, falling to the stationary (1-β)/(1+β).
    With ``steps`` = T this is √(mean of that over t = 1..T), the fair comparison for a run of T
    steps; with ``steps=None`` it is the stationary √((1-β)/(1+β)).
    """
    beta = _check_beta(beta)
    if steps is None:
        return math.sqrt((1 - beta) / (1 + beta))
    t = np.arange(1, _check_count(steps, "steps") + 1)
    if beta == 0:
        return 1.0
    variance = (1 - beta) * (1 - beta ** (2 * t)) / ((1 + beta) * (1 - beta**t) ** 2)
    return float(np.sqrt(np.mean(variance)))


def spring_lag(series, average, rows, day) -> float:
    """Horizontal distance (in steps) between straight-line fits to ``series`` and to ``average``
    over the entries ``rows`` (a boolean mask), measured at the middle of those days."""
    series, average, day = (np.asarray(v, dtype=float) for v in (series, average, day))
    if np.ptp(series[rows]) == 0:
        raise ValueError("the series is flat on these rows: a lag along a trend needs a trend.")
    slope_x, intercept_x = np.polyfit(day[rows], series[rows], 1)
    slope_v, intercept_v = np.polyfit(day[rows], average[rows], 1)
    middle = day[rows].mean()
    return float(((slope_x * middle + intercept_x) - (slope_v * middle + intercept_v)) / slope_x)


def closed_form_ewa(series, beta) -> np.ndarray:
    """v_t = (1-β) βᵗ Σ_{k≤t} β⁻ᵏ x_k with ``np.cumsum``: the same numbers as the recurrence while
    β⁻ᵗ fits in a float64 (below about 1.8e308), inf and NaN after that. For teaching only."""
    beta = _check_beta(beta)
    if beta == 0:
        return np.asarray(series, dtype=float).copy()
    x = np.asarray(series, dtype=float)
    k = np.arange(1, len(x) + 1)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return (1 - beta) * beta**k * np.cumsum(beta ** (-k.astype(float)) * x)


def average_of_iterates(path, beta=None, *, start: int = 0) -> np.ndarray:
    """Running averages of the iterates θ_start, θ_start+1, ... of a path (shape (n, d)).

    ``beta`` given: the exponential moving average of the weights, a_t = β a_{t-1} + (1-β) θ_t,
    started at a_start = θ_start (as ``torch.optim.swa_utils.AveragedModel`` with an EMA and
    Keras' ``use_ema`` do, so no bias correction is needed). ``beta=None``: the plain running
    mean of θ_start..θ_t (Polyak-Ruppert averaging; SWA when taken over epochs). Returns the
    averages, shape (n - start, d).
    """
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or len(path) < 1:
        raise ValueError(f"path must have shape (n, d) with n >= 1, got {path.shape}.")
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start < len(path):
        raise ValueError(f"start must be a whole number from 0 to {len(path) - 1}, got {start!r}.")
    tail = path[start:]
    if beta is None:
        return np.cumsum(tail, axis=0) / np.arange(1, len(tail) + 1)[:, None]
    beta = _check_beta(beta)
    averages = np.empty_like(tail)
    averages[0] = tail[0]
    for t in range(1, len(tail)):
        averages[t] = beta * averages[t - 1] + (1 - beta) * tail[t]
    return averages
