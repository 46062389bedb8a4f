"""Combining schedulers: SequentialLR (one after another) and ChainedScheduler (all at once).

Warm-up then decay, the most common combination::

    warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)    # epochs 0-4: 0.1 -> 1 x base
    decay = CosineAnnealingLR(optimizer, T_max=95)                   # epochs 5-99: cosine to 0
    scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])
"""
from __future__ import annotations

import copy
from bisect import bisect_right
from typing import Any

from ._checks import check_milestones
from .plateau import ReduceLROnPlateau
from .scheduler import LRScheduler


def _check_schedulers(schedulers, optimizer, owner: str) -> list:
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError(f"{owner}: schedulers is empty; give at least one scheduler.")
    for index, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner}: schedulers[{index}] is a {type(scheduler).__name__}, not a scheduler "
                            f"attached to an optimizer.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner}: schedulers[{index}] is a ReduceLROnPlateau, which needs the metric in step(metric) "
                f"and cannot be combined; step it yourself next to the other scheduler."
            )
        if optimizer is not None and scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner}: schedulers[{index}] ({type(scheduler).__name__}) is attached to a different optimizer; "
                f"every scheduler must be built on the same optimizer."
            )
    return schedulers


class _Composite(LRScheduler):
    """State saving for schedulers made of other schedulers."""

    def state_dict(self) -> dict[str, Any]:
        state = {
            key: copy.deepcopy(value) for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        for key, value in state_dict.items():
            if key != "_schedulers":
                self.__dict__[key] = copy.deepcopy(value)
        for scheduler, scheduler_state in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            scheduler.load_state_dict(scheduler_state)


class SequentialLR(_Composite):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` from its own step 0, ...

    Stepped: once per epoch or per iteration, in the unit the milestones count. With
    milestones [m1, m2, ...], step t uses scheduler i = number of milestones <= t; at t = m_i the
    new scheduler starts at its step 0 (its closed form, i.e. from the base lr), then continues
    with its own ``step()``. ``len(milestones)`` must be ``len(schedulers) - 1``, strictly
    increasing and positive. Build the schedulers on the same optimizer before passing them:
    construction undoes their initial steps and restarts the first one.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch: int = -1) -> None:
        owner = "SequentialLR"
        self._schedulers = _check_schedulers(schedulers, optimizer, owner)
        milestones = check_milestones(milestones, owner, allow_empty=True, smallest=1)
        if len(milestones) != len(self._schedulers) - 1:
            raise ValueError(
                f"{owner}: expected len(milestones) = len(schedulers) - 1 = {len(self._schedulers) - 1} "
                f"(one switch point between consecutive schedulers), got {len(milestones)} milestones."
            )
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]

        for group in optimizer.param_groups:  # back to the base rates, as before any scheduler
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def recursive_undo(self, scheduler=None) -> None:
        """Take back the step each scheduler performed when it was constructed."""
        scheduler = self if scheduler is None else scheduler
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self.recursive_undo(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one step; at a milestone the next scheduler starts at its step 0."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several chainable schedulers together: their factors multiply.

    Stepped: once per epoch or per iteration; each ``step()`` calls every scheduler's ``step()``
    in order. E.g. ``ChainedScheduler([ConstantLR(opt, 0.1, total_iters=2), ExponentialLR(opt, 0.9)])``
    gives lr_t = base * 0.9**t * (0.1 if t < 2 else 1).
    """

    def __init__(self, schedulers, optimizer=None) -> None:
        schedulers = list(schedulers) if schedulers is not None else []
        if optimizer is None and schedulers:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self._schedulers = _check_schedulers(schedulers, optimizer, "ChainedScheduler")
        self.optimizer = optimizer
        self.base_lrs = [group.get("initial_lr", group["lr"]) for group in optimizer.param_groups]
        self.last_epoch = max(getattr(s, "last_epoch", 0) for s in self._schedulers)
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler once, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self.last_epoch += 1
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]
