"""Cosine annealing (SGDR, Loshchilov & Hutter 2017): CosineAnnealingLR and CosineAnnealingWarmRestarts.

The learning rate follows half a cosine from its base value down to ``eta_min``::

    lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T)) / 2

where T_cur is the number of steps since the (last) restart and T the length of the period.
"""
from __future__ import annotations

import math

from ._checks import check_non_negative, check_positive, check_positive_int, check_real, is_whole_number
from .scheduler import LRScheduler


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from ``base_lr`` to ``eta_min`` over ``T_max`` steps, without restarts::

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    Stepped: once per epoch or per iteration (``T_max`` counts in that unit). Past ``T_max`` the
    cosine carries on, so the rate climbs back to ``base_lr`` at t = 2 T_max (it is periodic).

    ``step()`` applies PyTorch's chainable (recursive) form, which rescales the *current* lr by
    the ratio of consecutive cosine factors::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max))

    and, at the bottom of the cosine where that ratio is 0/0 (t - 1 = T_max, 3 T_max, ...),
    ``lr_t = lr_{t-1} + (base_lr - eta_min) * (1 - cos(pi / T_max)) / 2``. Used alone it equals
    the closed form up to rounding error that accumulates over the steps (about 1e-14 relative
    after a few hundred); nnopt runs it so that its numbers are exactly PyTorch's. Chained with
    another scheduler it anneals whatever lr it is handed. ``step(epoch)`` uses the closed form.
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = check_positive("T_max", T_max, "CosineAnnealingLR")
        self.eta_min = check_non_negative("eta_min", eta_min, "CosineAnnealingLR")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (t - 1 - T_max) % (2 * T_max) == 0:
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups, strict=True)
            ]
        ratio = (1 + math.cos(math.pi * t / T_max)) / (1 + math.cos(math.pi * (t - 1) / T_max))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2 for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing with warm restarts (SGDR): anneal over T_i steps, jump back to base_lr::

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    T_cur counts the steps since the last restart; the first period is ``T_0`` steps and each
    restart multiplies the period by ``T_mult`` (T_i = T_0 * T_mult**i). With T_0 = 10, T_mult = 2
    restarts happen at t = 10, 30, 70, ...

    Stepped: once per epoch, or once per iteration with a fractional epoch,
    ``scheduler.step(epoch + i / iters_per_epoch)``: ``step(epoch)`` accepts any real
    ``epoch >= 0`` and places T_cur inside the right period in closed form (for T_mult > 1 the
    period index is n = floor(log_{T_mult}(epoch (T_mult - 1) / T_0 + 1))).
    ``step()`` without an argument advances T_cur by one.
    """

    def __init__(self, optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_0 = check_positive_int("T_0", T_0, "CosineAnnealingWarmRestarts")
        if not is_whole_number(T_mult) or T_mult < 1:
            raise ValueError(
                f"CosineAnnealingWarmRestarts: T_mult must be a whole number >= 1 (1 keeps every period "
                f"T_0 long, 2 doubles it after each restart), got {T_mult!r}."
            )
        self.T_mult = int(T_mult)
        self.T_i = self.T_0
        self.eta_min = check_non_negative("eta_min", eta_min, "CosineAnnealingWarmRestarts")
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2 for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance T_cur by one (``epoch=None``) or jump to a (possibly fractional) ``epoch``."""
        self._count_step()
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:  # restart
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            check_real("epoch", epoch, "CosineAnnealingWarmRestarts.step")
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts.step: epoch must be >= 0, got {epoch}.")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    # restarts happen at T_0 (T_mult^n - 1) / (T_mult - 1): n restarts before epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
