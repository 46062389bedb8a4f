"""See a schedule before training with it: ``schedule_values`` and ``plot_schedule``.

Both run the schedule on a throw-away copy, so the optimizer you train with is never touched.
Give either a *factory*, a function that builds the scheduler on the optimizer it is handed::

    plot_schedule(lambda opt: StepLR(opt, step_size=10), steps=50, lr=0.1)

or an existing scheduler, which is deep-copied onto a stand-in optimizer and continued from
where it stands. matplotlib is imported only inside :func:`plot_schedule`.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np

from ._checks import check_positive_int
from .plateau import ReduceLROnPlateau


class _StandInOptimizer:
    """An optimizer with hyperparameters and no parameters: enough to run any scheduler."""

    def __init__(self, param_groups: list[dict], defaults: dict, step_count: int = 0):
        self.param_groups = param_groups
        self.defaults = defaults
        self.step_count = step_count

    def step(self) -> None:
        self.step_count += 1

    def zero_grad(self) -> None:
        pass


def _fresh_stand_in(lr, momentum: float, betas) -> _StandInOptimizer:
    lrs = list(lr) if isinstance(lr, (list, tuple, np.ndarray)) else [lr]
    extra = {"betas": tuple(betas)} if betas is not None else {"momentum": momentum}
    groups = [{"params": [], "lr": float(value), **extra} for value in lrs]
    return _StandInOptimizer(groups, {"lr": float(lrs[0]), **extra})


def _copy_onto_stand_in(scheduler):
    optimizer = scheduler.optimizer
    groups = [{**{k: copy.deepcopy(v) for k, v in group.items() if k != "params"}, "params": []}
              for group in optimizer.param_groups]
    defaults = copy.deepcopy(getattr(optimizer, "defaults", {}))
    stand_in = _StandInOptimizer(groups, defaults, int(getattr(optimizer, "step_count", 0) or 0))
    # every reference to the real optimizer inside the scheduler (and its sub-schedulers)
    # becomes a reference to the stand-in
    return copy.deepcopy(scheduler, memo={id(optimizer): stand_in})


def _read(group: dict, key: str) -> float:
    if key == "lr":
        return float(group["lr"])
    if "betas" in group:
        return float(group["betas"][0])
    return float(group["momentum"] if "momentum" in group else group["beta"])


def schedule_values(schedule, steps: int = 100, lr=0.1, *, key: str = "lr", momentum: float = 0.9,
                    betas=None, metrics=None) -> np.ndarray:
    """The learning rate (or momentum) a schedule gives at steps 0, 1, ..., ``steps - 1``.

    ``values[t]`` is the value in force during step t: right after construction for t = 0,
    after t calls of ``scheduler.step()`` otherwise (for an existing scheduler, t counts from
    where it stands). Returns shape ``(steps,)`` for one parameter group, ``(steps, n_groups)``
    for several.

    Parameters
    ----------
    schedule
        A factory ``lambda optimizer: Scheduler(optimizer, ...)`` or an existing scheduler.
    lr
        The base learning rate of the stand-in optimizer a factory receives; a list gives one
        group per value (differential learning rates).
    key
        ``"lr"`` or ``"momentum"`` (beta1 for Adam-like groups), for CyclicLR and OneCycleLR.
    momentum, betas
        The stand-in optimizer's ``momentum`` (SGD-like), or its ``betas`` when given (Adam-like).
    metrics
        For ``ReduceLROnPlateau``: the metric passed to each ``step(metric)``, ``steps - 1`` values.
    """
    values, _ = _run_schedule(schedule, steps, lr, key, momentum, betas, metrics)
    return values[:, 0] if values.shape[1] == 1 else values


def _run_schedule(schedule, steps, lr, key, momentum, betas, metrics) -> tuple[np.ndarray, str]:
    """Values of shape (steps, n_groups) and the scheduler's class name."""
    steps = check_positive_int("steps", steps, "schedule_values")
    if key not in ("lr", "momentum"):
        raise ValueError(f"schedule_values: key must be 'lr' or 'momentum', got {key!r}.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the copy is stepped correctly; no advice needed
        if hasattr(schedule, "optimizer") and hasattr(schedule, "step"):
            scheduler = _copy_onto_stand_in(schedule)
        elif callable(schedule):
            scheduler = schedule(_fresh_stand_in(lr, momentum, betas))
            if not hasattr(scheduler, "step") or not hasattr(scheduler, "optimizer"):
                raise TypeError(
                    "schedule_values: the factory must return a scheduler, e.g. lambda opt: StepLR(opt, 10); "
                    f"it returned {type(scheduler).__name__}."
                )
        else:
            raise TypeError(
                "schedule_values: schedule must be a scheduler or a factory such as lambda opt: StepLR(opt, 10); "
                f"got {type(schedule).__name__}."
            )
        plateau = isinstance(scheduler, ReduceLROnPlateau)
        if plateau and (metrics is None or len(metrics) < steps - 1):
            raise ValueError(
                f"schedule_values: ReduceLROnPlateau is stepped with a metric; pass metrics=[...] with "
                f"{steps - 1} values (one per step after the first)."
            )
        optimizer = scheduler.optimizer
        values = np.empty((steps, len(optimizer.param_groups)))
        values[0] = [_read(group, key) for group in optimizer.param_groups]
        for t in range(1, steps):
            optimizer.step()
            if plateau:
                scheduler.step(metrics[t - 1])
            else:
                scheduler.step()
            values[t] = [_read(group, key) for group in optimizer.param_groups]
    return values, type(scheduler).__name__


def plot_schedule(schedule, steps: int = 100, ax=None, *, lr=0.1, label: str | None = None, key: str = "lr",
                  momentum: float = 0.9, betas=None, metrics=None, log_y: bool = False, **plot_kwargs):
    """Plot one schedule, or several on the same axes; returns the matplotlib Axes.

    ``schedule`` is a scheduler, a factory ``lambda opt: StepLR(opt, 10)`` (run on a stand-in
    optimizer with base rate ``lr``), or a dict ``{label: scheduler_or_factory}`` / a list of them
    to compare several. Several parameter groups (``lr=[0.01, 0.1]``) give one line per group.
    Lines are labelled with ``label`` / the dict keys, else the scheduler's class name.
    The other arguments are those of :func:`schedule_values`; ``log_y`` uses a log scale for the
    rate; ``plot_kwargs`` go to ``ax.plot``.

    >>> # plot_schedule({"step": lambda o: StepLR(o, 30), "cosine": lambda o: CosineAnnealingLR(o, 100)},
    >>> #               steps=100)
    """
    import matplotlib.pyplot as plt  # imported here: nnopt.schedules itself must not need matplotlib

    log_y = bool(plot_kwargs.pop("logy", log_y))  # nnopt.plots spells it logy: accept both
    if isinstance(schedule, dict):
        entries = list(schedule.items())
    elif isinstance(schedule, (list, tuple)):
        entries = [(None, item) for item in schedule]
    else:
        entries = [(label, schedule)]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    lines = 0
    x = np.arange(steps)
    for entry_label, item in entries:
        values, class_name = _run_schedule(item, steps, lr, key, momentum, betas, metrics)
        name = entry_label if entry_label is not None else class_name
        for group in range(values.shape[1]):
            group_label = name if values.shape[1] == 1 else f"{name} (group {group})"
            ax.plot(x, values[:, group], label=group_label, **plot_kwargs)
            lines += 1
    ax.set_xlabel("step (epoch or iteration)")
    ax.set_ylabel("learning rate" if key == "lr" else "momentum (beta1 for Adam)")
    if log_y:
        ax.set_yscale("log")
    if lines > 1 or label is not None:
        ax.legend()
    return ax
