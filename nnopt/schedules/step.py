"""Decay schedules: StepLR, MultiStepLR, ExponentialLR, PolynomialLR (PyTorch's names and numbers).

t is the schedule step (``scheduler.last_epoch``), counted in whatever unit you call ``step()``
in: epochs (the usual choice for these four) or iterations.
"""
from __future__ import annotations

from bisect import bisect_right

from ._checks import check_gamma, check_milestones, check_non_negative, check_positive_int
from .scheduler import LRScheduler


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps (step decay)::

        lr_t = base_lr * gamma ** floor(t / step_size)

    Stepped: once per epoch (usual) or per iteration; ``step_size`` counts in that unit.
    ``step()`` applies the chainable rule ``lr_t = gamma * lr_{t-1}`` when t is a non-zero
    multiple of ``step_size`` (else lr_t = lr_{t-1}); ``step(epoch)`` uses the closed form above.

    >>> # lr = 0.05 for epochs 0-29, 0.005 for 30-59, 0.0005 for 60-89, ...
    >>> # scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = check_positive_int("step_size", step_size, "StepLR")
        self.gamma = check_gamma(gamma, "StepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each milestone::

        lr_t = base_lr * gamma ** (number of milestones <= t)

    Stepped: once per epoch (usual) or per iteration; milestones count in that unit.
    ``milestones`` are whole numbers; given out of order they are sorted, as PyTorch does, with a
    warning (it may be a typo). A repeated milestone multiplies by gamma once per repeat, as in
    PyTorch.

    >>> # lr = 0.05 for epochs 0-29, 0.005 for 30-79, 0.0005 from 80 on
    >>> # scheduler = MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.milestones = check_milestones(milestones, "MultiStepLR", allow_repeats=True)
        self.gamma = check_gamma(gamma, "MultiStepLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        repeats = self.milestones.count(self.last_epoch)
        if repeats == 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma**repeats for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(self.milestones, self.last_epoch)
        return [base_lr * self.gamma**passed for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at every step (exponential decay)::

        lr_t = base_lr * gamma ** t          (chainable: lr_t = gamma * lr_{t-1})

    Stepped: once per epoch (usual) or per iteration. ``gamma`` < 1 decays, ``gamma`` > 1 grows
    (as in the learning-rate range test).
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = check_gamma(gamma, "ExponentialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        # the constructor's step keeps the current lr (so resuming does not decay twice)
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay to 0 over ``total_iters`` steps along a polynomial, then stay at 0::

        lr_t = base_lr * (1 - min(t, total_iters) / total_iters) ** power

    ``power=1`` is a straight line to 0. Stepped: once per epoch or per iteration.
    ``step()`` applies the chainable rule
    ``lr_t = lr_{t-1} * ((1 - t/total_iters) / (1 - (t-1)/total_iters)) ** power`` for
    t <= total_iters.
    """

    def __init__(self, optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = check_positive_int("total_iters", total_iters, "PolynomialLR")
        self.power = check_non_negative("power", power, "PolynomialLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters) / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return [group["lr"] * decay_factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        fraction_left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * fraction_left**self.power for base_lr in self.base_lrs]
