r"""The experiments of notebook 5 (Adam and its relatives), kept out of the notebook's cells.

- :func:`adam_internals`: Adam on a 2-D test function with every internal quantity recorded
  (m̂, √v̂, the step of each coordinate), bias correction switchable: what the Adam explorer
  draws. With the correction on it is ``torch.optim.Adam`` (and :class:`nnopt.optim.Adam`):

  .. math::

      m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\quad
      \hat m_t = \frac{m_t}{1-\beta_1^t},\quad \hat v_t = \frac{v_t}{1-\beta_2^t},\quad
      \theta_t = \theta_{t-1} - \alpha\,\frac{\hat m_t}{\sqrt{\hat v_t}+\varepsilon};

  with it off, :math:`\hat m_t = m_t` and :math:`\hat v_t = v_t`.
- :func:`first_step_within`: the first step from which a series stays within a relative
  tolerance of a target (a threshold rule, robust where an argmax over near-ties is not).
- :func:`nudged_race_losses` and :func:`robust_loss_text`: f − f* of a landscape race at a few
  steps, rerun from start points nudged by a few units in the last place, printed with two
  significant digits where the nudges agree and as an order of magnitude where they do not.
- :class:`StepRecorder`, :class:`MaxOverAverage`: ``fit()`` callbacks (|Δθ| per step; AMSGrad's
  √(v_max / v)); :func:`decay_by_gradient_group`: how much of its norm each group of
  first-layer weights keeps under a weight decay.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "adam_internals",
    "first_step_within",
    "nudged_race_losses",
    "robust_loss_text",
    "StepRecorder",
    "MaxOverAverage",
    "decay_by_gradient_group",
]


def _check_number(value, argument: str, low: float, high: float, *, low_open=False, high_open=False) -> float:
    ok_type = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok_type and math.isfinite(value):
        above = value > low if low_open else value >= low
        below = value < high if high_open else value <= high
        if above and below:
            return float(value)
    interval = ("(" if low_open else "[") + f"{low:g}, {high:g}" + (")" if high_open else "]")
    raise ValueError(f"{argument} must be a finite number in {interval}, got {value!r}.")


def adam_internals(function="quadratic", lr: float = 0.1, beta1: float = 0.9, beta2: float = 0.999,
                   eps: float = 1e-8, bias_correction: bool = True, steps: int = 100, x0=None) -> dict:
    """Run Adam on a 2-D test function and record what happens inside it at every step.

    Returns a dict of arrays: ``path`` (steps + 1, 2), ``loss`` (steps + 1,) = f − f*,
    ``grad``, ``m_hat``, ``sqrt_v_hat`` and ``step`` (each (steps, 2): g_t, m̂_t, √v̂_t and
    Δθ_t = θ_t − θ_{t−1} per coordinate), ``diverged`` (the run left |θ| < 1e6 and was
    stopped there; the arrays then end at the last finite step) and ``diverged_at``, the step
    it stopped at (None when it did not diverge).
    """
    from ..landscapes import get_function

    landscape = get_function(function)
    lr = _check_number(lr, "lr", 0.0, math.inf, low_open=True, high_open=True)
    beta1 = _check_number(beta1, "beta1", 0.0, 1.0, high_open=True)
    beta2 = _check_number(beta2, "beta2", 0.0, 1.0, high_open=True)
    eps = _check_number(eps, "eps", 0.0, math.inf, high_open=True)
    if not isinstance(bias_correction, (bool, np.bool_)):
        raise ValueError(f"bias_correction must be True or False, got {bias_correction!r}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    theta = np.array(landscape.start if x0 is None else x0, dtype=float).reshape(-1)
    if theta.shape != (2,) or not np.all(np.isfinite(theta)):
        raise ValueError(f"x0 must be two finite numbers (x, y), got {x0!r}.")
    minimum = landscape.minimum_value or 0.0
    m, v = np.zeros(2), np.zeros(2)
    path, grads, m_hats, roots, deltas = [theta.copy()], [], [], [], []
    diverged_at = None
    for t in range(1, int(steps) + 1):
        g = np.asarray(landscape.grad(theta), dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught just below
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1**t) if bias_correction else m
            v_hat = v / (1 - beta2**t) if bias_correction else v
            delta = -lr * m_hat / (np.sqrt(v_hat) + eps)
            new = theta + delta
        if not (np.all(np.isfinite(new)) and np.max(np.abs(new)) < 1e6):
            diverged_at = t
            break
        theta = new
        path.append(theta.copy())
        grads.append(g)
        m_hats.append(m_hat)
        roots.append(np.sqrt(v_hat))
        deltas.append(delta)
    path = np.array(path)
    loss = np.asarray(landscape(path[:, 0], path[:, 1]), dtype=float) - minimum
    empty = np.zeros((0, 2))
    return {"path": path, "loss": loss, "grad": np.array(grads) if grads else empty,
            "m_hat": np.array(m_hats) if m_hats else empty, "sqrt_v_hat": np.array(roots) if roots else empty,
            "step": np.array(deltas) if deltas else empty, "diverged": diverged_at is not None,
            "diverged_at": diverged_at}


def first_step_within(values, target: float = 1.0, rtol: float = 1e-3) -> int | None:
    """The first step t (1-based) from which |values[s]/target − 1| < rtol for every s ≥ t, or None.

    A threshold rule: unlike an argmax over values that agree up to rounding, it does not move
    when the last bits of the arithmetic change (unless a value sits within rounding of the threshold).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D series, got shape {values.shape}.")
    if not (math.isfinite(target) and target != 0):
        raise ValueError(f"target must be a finite non-zero number, got {target!r}.")
    rtol = _check_number(rtol, "rtol", 0.0, math.inf, low_open=True, high_open=True)
    outside = np.flatnonzero(~(np.abs(values / target - 1) < rtol))
    if outside.size == 0:
        return 1
    last_outside = int(outside[-1])
    return None if last_outside == values.size - 1 else last_outside + 2


def _nudge(point: np.ndarray, units: int) -> np.ndarray:
    out = np.array(point, dtype=float)
    for _ in range(abs(units)):
        out = np.nextafter(out, np.inf if units > 0 else -np.inf)
    return out


def nudged_race_losses(factories: Mapping, function, steps: int, at: Sequence[int], nudges=(-1, 0, 1),
                       window: int = 100, keep_runs: bool = False):
    """f − f* at the steps ``at`` of a :func:`~nnopt.landscapes.race`, from the default start
    moved by each number of units in the last place in ``nudges`` (0: the start itself).

    Returns ``{label: {"at": values, "window": medians}}``, both of shape (len(nudges), len(at)):
    f − f* at each step of ``at``, and its median over the ``window`` steps up to that step (a
    summary that a zig-zagging run keeps when its value at one step does not). With
    ``keep_runs=True`` also the race from the unmoved start (``nudges`` must contain 0): ``(table, runs)``.
    """
    from ..landscapes import get_function, race

    landscape = get_function(function)
    if keep_runs and 0 not in nudges:
        raise ValueError(f"keep_runs=True needs 0 among the nudges, got nudges={tuple(nudges)!r}.")
    rows: dict[str, dict[str, list]] = {label: {"at": [], "window": []} for label in factories}
    kept = None
    for units in nudges:
        runs = race(dict(factories), landscape, _nudge(landscape.start, units), steps)
        kept = runs if units == 0 else kept
        for label, run in runs.items():
            losses = np.asarray(run.losses, dtype=float)
            rows[label]["at"].append([losses[t] for t in at])
            rows[label]["window"].append([np.median(losses[max(0, t - window + 1):t + 1]) for t in at])
    table = {label: {key: np.array(values) for key, values in entry.items()} for label, entry in rows.items()}
    return (table, kept) if keep_runs else table


def robust_loss_text(values, window_medians=None) -> str:
    """Two significant digits if every value of ``values`` (one per start) rounds to the same;
    otherwise "~1e-01": the order of magnitude of the median of ``window_medians`` (or of
    ``values`` if not given), with a "?" if the starts disagree even on that."""
    values = np.asarray(values, dtype=float).ravel()
    texts = {f"{value:.1e}" for value in values}
    if len(texts) == 1:
        return texts.pop()
    summary = values if window_medians is None else np.asarray(window_medians, dtype=float).ravel()
    exponents = {int(np.floor(np.log10(value) + 0.5)) for value in summary if value > 0}
    median_exponent = int(np.floor(np.log10(np.median(summary)) + 0.5))
    return f"~1e{median_exponent:+03d}" + ("" if len(exponents) == 1 else "?")


class StepRecorder:
    """A ``fit()`` callback that stores |Δθ| of every parameter after every step (one row per step)."""

    def __init__(self, parameters):
        self.parameters = list(parameters)
        self.previous = [p.value.copy() for p in self.parameters]
        self.steps = []

    def on_iteration_end(self, history):
        now = [p.value.copy() for p in self.parameters]
        self.steps.append(np.concatenate([np.abs(a - b).ravel() for a, b in zip(now, self.previous)]))
        self.previous = now


class MaxOverAverage:
    """A ``fit()`` callback for AMSGrad: the median and largest √(v_max / v) over all parameters
    that have had a gradient, at the iterations in ``at_steps``; rows (iteration, median, largest)."""

    def __init__(self, optimizer, at_steps):
        self.optimizer, self.at_steps, self.rows = optimizer, tuple(at_steps), []

    def on_iteration_end(self, history):
        if history.iterations in self.at_steps:
            ratios = []
            for state in self.optimizer.state.values():
                seen = state["exp_avg_sq"] > 0  # weights of the blank pixels never get a gradient
                ratios.append(np.sqrt(state["max_exp_avg_sq"][seen] / state["exp_avg_sq"][seen]))
            ratio = np.concatenate(ratios)
            self.rows.append((history.iterations, float(np.median(ratio)), float(ratio.max())))


def decay_by_gradient_group(base_runs, decayed_runs, blank, groups: int = 5, name: str = "dense1.W"):
    """Norm kept under a weight decay by first-layer weights grouped by their gradient size.

    ``base_runs`` and ``decayed_runs`` are lists of ``(model, optimizer, history)`` (same seeds,
    same order), the first without decay. In each base run the weights of the active pixels
    (``~blank``) are sorted into ``groups`` equal groups by √v̂ (Adam's bias-corrected average of
    g², i.e. the size of their gradients); each group's norm with decay is divided by its norm
    without. Returns ``(ratios, blank_ratios)``: shape (runs, groups) and (runs,) for the
    weights of the blank pixels.
    """
    ratios, blank_ratios = [], []
    for (base_model, base_optimizer, _), (model, _, _) in zip(base_runs, decayed_runs):
        base = dict(base_model.named_parameters())[name]
        decayed = dict(model.named_parameters())[name]
        state = base_optimizer.state[base]
        beta2 = base_optimizer.param_groups[0]["betas"][1]
        gradient_size = np.sqrt(state["exp_avg_sq"] / (1 - beta2 ** state["step"]))[~blank]
        group = np.digitize(gradient_size, np.quantile(gradient_size, np.arange(1, groups) / groups))
        kept, undecayed = decayed.value[~blank], base.value[~blank]
        ratios.append([np.linalg.norm(kept[group == k]) / np.linalg.norm(undecayed[group == k]) for k in range(groups)])
        blank_ratios.append(np.linalg.norm(decayed.value[blank]) / np.linalg.norm(base.value[blank]))
    return np.array(ratios), np.array(blank_ratios)
