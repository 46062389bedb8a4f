"""Schedules from your own function: LambdaLR and MultiplicativeLR (PyTorch's names and numbers).

``LambdaLR`` turns any closed form into a scheduler, e.g. the course's inverse-time decay::

    from nnopt.schedules import LambdaLR, inverse_time_decay
    scheduler = LambdaLR(optimizer, lambda epoch: inverse_time_decay(1.0, 0.5, epoch))
    # lr_t = base_lr / (1 + 0.5 t)
"""
from __future__ import annotations

import math

from .scheduler import LRScheduler


def _lambdas(lr_lambda, optimizer, owner: str) -> list:
    n_groups = len(optimizer.param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != n_groups:
            raise ValueError(
                f"{owner}: lr_lambda has {len(lr_lambda)} functions but the optimizer has {n_groups} "
                f"param_groups; give one function per group or a single function for all."
            )
        functions = list(lr_lambda)
    else:
        functions = [lr_lambda] * n_groups
    for fn in functions:
        if not callable(fn):
            raise TypeError(f"{owner}: lr_lambda must be a function of the step t, got {type(fn).__name__}.")
    return functions


def _finite(value, owner: str, t: int) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{owner}: lr_lambda({t}) returned {value}; the learning rate must stay finite.")
    return value


class LambdaLR(LRScheduler):
    """Learning rate = base rate times your function of the step::

        lr_t = base_lr * lr_lambda(t)

    Stepped: once per epoch or per iteration (t counts calls to ``step()``). ``lr_lambda`` is one
    function for every group or a list with one per group. Example, the inverse-time decay
    ``lr_t = base_lr / (1 + k t)``::

        LambdaLR(optimizer, lambda t: inverse_time_decay(1.0, k, t))

    Functions and lambdas are not saved by ``state_dict()`` (callable objects' attributes are).
    """

    _function_attributes = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, "LambdaLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            base_lr * _finite(fn(self.last_epoch), "LambdaLR", self.last_epoch)
            for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]


class MultiplicativeLR(LRScheduler):
    """Multiply the current learning rate by your function of the step at every step::

        lr_0 = base_lr,   lr_t = lr_{t-1} * lr_lambda(t)   for t >= 1

    Stepped: once per epoch or per iteration. ``lr_lambda=lambda t: 0.95`` is ``ExponentialLR``
    with gamma 0.95.
    """

    _function_attributes = ("lr_lambdas",)

    def __init__(self, optimizer, lr_lambda, last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas(lr_lambda, optimizer, "MultiplicativeLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [
            group["lr"] * _finite(fn(self.last_epoch), "MultiplicativeLR", self.last_epoch)
            for fn, group in zip(self.lr_lambdas, groups, strict=True)
        ]
