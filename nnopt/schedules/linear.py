"""Warm-up shapes: ConstantLR and LinearLR (PyTorch's names and numbers).

Both multiply the base rate by a factor for the first ``total_iters`` steps and then hand back
the full rate; combine them with a decay in ``SequentialLR`` for "warm-up, then decay".
"""
from __future__ import annotations

from ._checks import check_positive_int, check_real
from .scheduler import LRScheduler


class ConstantLR(LRScheduler):
    """Use ``factor * base_lr`` for the first ``total_iters`` steps, then ``base_lr``::

        lr_t = base_lr * factor   if t < total_iters
               base_lr            if t >= total_iters

    Stepped: once per epoch or per iteration (a constant warm-up of ``total_iters`` units).
    ``factor`` must be in (0, 1] (PyTorch also accepts 0, then divides by zero at total_iters).
    """

    def __init__(self, optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1) -> None:
        check_real("factor", factor, "ConstantLR")
        if not 0 < factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in (0, 1] (the fraction of the base lr), got {factor}.")
        self.factor = factor
        self.total_iters = check_positive_int("total_iters", total_iters, "ConstantLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * factor for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Move the factor on the base rate linearly from ``start_factor`` to ``end_factor``::

        lr_t = base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)

    With the defaults (1/3 -> 1 over 5 steps) this is a linear warm-up; with
    ``start_factor=1, end_factor=0.01`` a linear decay. Stepped: once per epoch or per iteration.
    ``step()`` applies the chainable rule, the ratio of consecutive factors:
    ``lr_t = lr_{t-1} * (1 + (end - start) / (total_iters * start + (t - 1) * (end - start)))``.
    """

    def __init__(self, optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        check_real("start_factor", start_factor, "LinearLR")
        check_real("end_factor", end_factor, "LinearLR")
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}.")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = check_positive_int("total_iters", total_iters, "LinearLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in groups]
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [group["lr"] * ratio for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        change = self.end_factor - self.start_factor
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * (self.start_factor + change * progress) for base_lr in self.base_lrs]
