"""The learning-rate range test ("LR finder", Smith 2017; fastai's ``lr_find``), built on ``fit``.

Train for a few dozen iterations while the learning rate grows exponentially from ``start_lr``
to ``end_lr``; record the loss at every iteration. The loss first barely moves (lr too small),
then falls quickly, then explodes (lr too large). A good learning rate sits on the steep
downhill part, well before the minimum. The model and optimizer are put back as they were.

The run is an ordinary :func:`nnopt.train.fit` with ``scheduler=ExponentialRangeLR(...)``,
``scheduler_unit="iteration"`` and a callback that stops it after ``num_iter`` iterations or
as soon as the smoothed loss exceeds ``diverge_factor`` (4) times the best smoothed loss so far.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from ._checks import check_non_negative, check_positive, check_positive_int, per_group
from .scheduler import LRScheduler


class ExponentialRangeLR(LRScheduler):
    """Grow each group's lr geometrically from its base lr to ``end_lr`` in ``num_iter - 1`` steps::

        lr_t = base_lr * (end_lr / base_lr) ** (min(t, num_iter - 1) / (num_iter - 1))

    so lr_0 = base_lr and lr_{num_iter-1} = end_lr (then it stays there). The schedule of the
    range test. Stepped: once per iteration. ``end_lr`` is one value or one per group.
    """

    def __init__(self, optimizer, end_lr, num_iter: int, last_epoch: int = -1) -> None:
        self.num_iter = check_positive_int("num_iter", num_iter, "ExponentialRangeLR")
        if self.num_iter < 2:
            raise ValueError(f"ExponentialRangeLR: num_iter must be >= 2 (a range needs two ends), got {num_iter}.")
        self.end_lrs = per_group("end_lr", end_lr, optimizer, "ExponentialRangeLR")
        for value in self.end_lrs:
            check_positive("end_lr", value, "ExponentialRangeLR")
        for group in optimizer.param_groups:
            if group.get("initial_lr", group["lr"]) <= 0:
                raise ValueError("ExponentialRangeLR: every group needs a base lr > 0 to grow geometrically, "
                                 f"got {group.get('initial_lr', group['lr'])}.")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        progress = min(self.last_epoch, self.num_iter - 1) / (self.num_iter - 1)
        return [base_lr * (end_lr / base_lr) ** progress for base_lr, end_lr in zip(self.base_lrs, self.end_lrs)]


@dataclass
class LRRangeTestResult:
    """What the range test saw, one entry per iteration, plus the suggested learning rate.

    ``lrs`` (first group's lr of each iteration), ``losses`` (mini-batch loss before that
    iteration's step), ``smoothed_losses`` (bias-corrected EWA of the losses),
    ``suggestion`` (the lr the ``method`` picks), ``steepest_lr`` (where the smoothed loss falls
    fastest per unit of log lr), ``min_loss_lr`` (where the smoothed loss is lowest; the
    "min/10" rule suggests a tenth of it), ``stopped_early`` (the loss exploded before
    ``num_iter`` iterations).
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggestion: float
    method: str
    steepest_lr: float
    min_loss_lr: float
    stopped_early: bool

    def plot(self, ax=None, *, show_raw: bool = True):
        """Smoothed loss against the learning rate (log x axis), the suggestion marked; returns the Axes."""
        import matplotlib.pyplot as plt  # imported only when plotting

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
        if show_raw:
            ax.plot(self.lrs, self.losses, color="0.75", linewidth=1, label="mini-batch loss")
        ax.plot(self.lrs, self.smoothed_losses, linewidth=2, label="smoothed loss")
        if math.isfinite(self.suggestion):
            at = int(np.argmin(np.abs(np.log(self.lrs) - math.log(self.suggestion))))
            ax.plot([self.suggestion], [self.smoothed_losses[at]], "o", color="C3",
                    label=f"suggestion ({self.method}): {self.suggestion:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("loss")
        ax.set_title("learning-rate range test")
        # the exploding tail would squash the interesting part: cut the y axis a little above the start
        best, start = float(np.min(self.smoothed_losses)), float(self.smoothed_losses[0])
        if start > best:
            low = min(best, float(np.min(self.losses))) if show_raw else best
            ax.set_ylim(low - 0.1 * (start - best), start + 0.5 * (start - best))
        ax.legend()
        return ax

    def __repr__(self) -> str:
        ending = "stopped when the loss exploded" if self.stopped_early else "ran to the end"
        return (f"LRRangeTestResult({len(self.lrs)} iterations, lr {self.lrs[0]:.2g} -> {self.lrs[-1]:.2g}, "
                f"{ending}; suggestion {self.suggestion:.3g} by {self.method})")


class _RangeTestMonitor:
    """A fit callback: reads each iteration's loss and lr from the History, smooths the loss and ends
    the run at ``num_iter`` iterations or when the smoothed loss explodes."""

    def __init__(self, num_iter: int, smooth: float, diverge_factor: float):
        self.num_iter = num_iter
        self.smooth = smooth
        self.diverge_factor = diverge_factor
        self.average = 0.0
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.best = math.inf
        self.exploded = False

    def on_iteration_end(self, history) -> bool:
        loss = history.loss[-1]
        self.lrs.append(history.lr[-1])
        self.losses.append(loss)
        # EWA with bias correction: v_t = beta v_{t-1} + (1 - beta) loss_t,  smoothed = v_t / (1 - beta^t)
        self.average = self.smooth * self.average + (1 - self.smooth) * loss
        smoothed = self.average / (1 - self.smooth ** len(self.losses))
        self.smoothed.append(smoothed)
        if len(self.smoothed) > 1 and smoothed > self.diverge_factor * self.best:
            self.exploded = True
            return True
        self.best = min(self.best, smoothed)
        return len(self.losses) >= self.num_iter


def _suggest(lrs: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """(steepest_lr, min_loss_lr).

    The slope is a central difference over a window of w = n // 20 points on each side (at
    least 1), ``(s[i+w] - s[i-w]) / (log10 lr[i+w] - log10 lr[i-w])``, which averages out the
    mini-batch noise left in the smoothed curve. The steepest point is searched on the way
    down: after the first 10% of the points (where the average has seen few losses) and up to
    the minimum of the smoothed loss.
    """
    n = len(lrs)
    lowest = int(np.argmin(smoothed))
    min_loss_lr = float(lrs[lowest])
    if n < 3:
        return min_loss_lr, min_loss_lr
    w = max(1, n // 20)
    log_lr = np.log10(lrs)
    centres = np.arange(w, n - w)
    slope = (smoothed[centres + w] - smoothed[centres - w]) / (log_lr[centres + w] - log_lr[centres - w])
    on_the_way_down = (centres >= n // 10) & (centres <= lowest)
    candidates = centres[on_the_way_down] if on_the_way_down.any() else centres
    slopes = slope[on_the_way_down] if on_the_way_down.any() else slope
    return float(lrs[candidates[int(np.argmin(slopes))]]), min_loss_lr


def _snapshot(model, optimizer) -> dict:
    parameters = list(model.parameters())
    snapshot = {
        "parameters": parameters,
        "values": [p.value.copy() for p in parameters],
        "grads": [p.grad.copy() for p in parameters],
        "groups": [{k: copy.deepcopy(v) for k, v in g.items() if k != "params"} for g in optimizer.param_groups],
        "step_count": getattr(optimizer, "step_count", None),
    }
    if hasattr(optimizer, "state_dict") and hasattr(optimizer, "load_state_dict"):
        snapshot["optimizer"] = copy.deepcopy(optimizer.state_dict())
    elif hasattr(optimizer, "state"):
        snapshot["state"] = {key: copy.deepcopy(value) for key, value in optimizer.state.items()}
    return snapshot


def _restore(snapshot: dict, optimizer) -> None:
    for parameter, value, grad in zip(snapshot["parameters"], snapshot["values"], snapshot["grads"]):
        parameter.value[...] = value  # in place: arrays held elsewhere stay in sync
        parameter.grad[...] = grad
    if "optimizer" in snapshot:
        optimizer.load_state_dict(snapshot["optimizer"])
    elif "state" in snapshot:
        optimizer.state.clear()
        optimizer.state.update(snapshot["state"])
    for group, saved in zip(optimizer.param_groups, snapshot["groups"]):
        for key in [k for k in group if k != "params"]:
            del group[key]
        group.update(saved)
    if snapshot["step_count"] is not None:
        optimizer.step_count = snapshot["step_count"]


def lr_range_test(model, optimizer, X, y, start_lr=1e-7, end_lr=10.0, num_iter: int = 100,
                  batch_size: int | None = 64, *, smooth: float = 0.98, diverge_factor: float = 4.0,
                  method: str = "steepest", seed=0) -> LRRangeTestResult:
    """Run the learning-rate range test and suggest a learning rate; model and optimizer are restored.

    The lr of iteration i is ``start_lr * (end_lr / start_lr) ** (i / (num_iter - 1))``
    (:class:`ExponentialRangeLR`, stepped per iteration through ``fit``). The smoothed loss is
    the bias-corrected exponentially weighted average
    ``v_i = smooth * v_{i-1} + (1 - smooth) * loss_i``, ``smoothed_i = v_i / (1 - smooth**i)``.
    The run stops after ``num_iter`` iterations, when ``smoothed_i > diverge_factor * min_{j<i}
    smoothed_j`` (the loss explodes), or when the loss or a gradient becomes NaN/inf.

    Suggestion (``method``):

    - ``"steepest"`` (default): the lr where the smoothed loss falls fastest against log(lr),
      searched between the start and the minimum of the smoothed loss;
    - ``"min/10"``: a tenth of the lr at the minimum of the smoothed loss (fastai's older rule).

    Parameters
    ----------
    start_lr, end_lr
        The range: one number for all groups, or a list with one per group
        (``start_lr=[1e-8, 1e-7]`` keeps a 10x ratio between two groups).
    batch_size, seed
        As in ``fit``: batches of this size, shuffled with this seed.

    Returns an :class:`LRRangeTestResult`; call ``.plot()`` on it to see the curve.
    """
    from ..optim.errors import NonFiniteGradientError
    from ..train import fit  # imported here: the training loop imports the data package

    owner = "lr_range_test"
    num_iter = check_positive_int("num_iter", num_iter, owner)
    if num_iter < 2:
        raise ValueError(f"{owner}: num_iter must be >= 2, got {num_iter}.")
    start_lrs = per_group("start_lr", start_lr, optimizer, owner)
    end_lrs = per_group("end_lr", end_lr, optimizer, owner)
    for low, high in zip(start_lrs, end_lrs):
        check_positive("start_lr", low, owner)
        check_positive("end_lr", high, owner)
        if high <= low:
            raise ValueError(f"{owner}: end_lr must be larger than start_lr, got start_lr={low}, end_lr={high}.")
    check_non_negative("smooth", smooth, owner)
    if smooth >= 1:
        raise ValueError(f"{owner}: smooth must be in [0, 1) (0.98 averages about 50 iterations), got {smooth}.")
    check_positive("diverge_factor", diverge_factor, owner)
    if diverge_factor <= 1:
        raise ValueError(f"{owner}: diverge_factor must be > 1 (stop when the loss exceeds "
                         f"diverge_factor x its best), got {diverge_factor}.")
    methods = ("steepest", "min/10")
    if method not in methods:
        raise ValueError(f"{owner}: method must be one of {methods}, got {method!r}.")

    n_samples = len(X)
    batch = n_samples if batch_size is None else batch_size
    iterations_per_epoch = math.ceil(n_samples / batch)
    epochs = math.ceil(num_iter / iterations_per_epoch)

    snapshot = _snapshot(model, optimizer)
    monitor = _RangeTestMonitor(num_iter, smooth, diverge_factor)
    try:
        for group, low in zip(optimizer.param_groups, start_lrs):
            group["lr"] = low
            group["initial_lr"] = low
        scheduler = ExponentialRangeLR(optimizer, end_lrs, num_iter)
        # the run is meant to blow up at its end: overflow there is expected, not worth a warning
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                fit(model, optimizer, X, y, epochs=epochs, batch_size=batch_size, seed=seed,
                    scheduler=scheduler, scheduler_unit="iteration", callbacks=[monitor])
                diverged = False
            except (FloatingPointError, NonFiniteGradientError):  # fit's TrainingDiverged is a FloatingPointError
                diverged = True
    finally:
        _restore(snapshot, optimizer)

    count = len(monitor.smoothed)
    if count == 0:
        raise ValueError(f"{owner}: the loss was not finite from the very first iteration; nothing to suggest. "
                         f"Check the data and the model, or lower start_lr.")
    lrs = np.asarray(monitor.lrs, dtype=float)
    losses = np.asarray(monitor.losses, dtype=float)
    smoothed = np.asarray(monitor.smoothed, dtype=float)
    steepest_lr, min_loss_lr = _suggest(lrs, smoothed)
    suggestion = steepest_lr if method == "steepest" else min_loss_lr / 10
    return LRRangeTestResult(lrs=lrs, losses=losses, smoothed_losses=smoothed, suggestion=suggestion,
                             method=method, steepest_lr=steepest_lr, min_loss_lr=min_loss_lr,
                             stopped_early=monitor.exploded or diverged)
