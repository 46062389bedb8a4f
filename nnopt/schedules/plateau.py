"""ReduceLROnPlateau: divide the learning rate when a monitored metric stops improving (PyTorch's rules)."""
from __future__ import annotations

import math

from ._checks import check_choice, check_non_negative, check_optimizer, check_real, is_whole_number, per_group
from .scheduler import LRScheduler


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` once the metric has not improved for ``patience`` steps.

    Stepped: once per epoch, with the metric: ``scheduler.step(val_loss)`` (``fit`` passes the
    validation loss, or the training loss without validation data).

    At each step the metric is compared with the best value so far. It counts as an improvement
    when (mode "min", threshold_mode "rel") ``metric < best * (1 - threshold)``; "abs" uses
    ``metric < best - threshold``; mode "max" flips the inequalities (``best * (1 + threshold)``,
    ``best + threshold``). Then::

        improved?   best = metric, num_bad_epochs = 0          else num_bad_epochs += 1
        in cooldown (after a reduction)? cooldown_counter -= 1, num_bad_epochs = 0
        num_bad_epochs > patience?  lr = max(lr * factor, min_lr) for every group
                                    (skipped if it would change lr by <= eps),
                                    cooldown_counter = cooldown, num_bad_epochs = 0

    So with ``patience=2`` the lr drops at the 3rd bad epoch in a row. ``min_lr`` is one floor
    for all groups or a list with one per group. Unlike the other schedulers, construction does
    not change any lr, and ``factor`` must be in [0, 1).
    """

    MODES = ("min", "max")
    THRESHOLD_MODES = ("rel", "abs")

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr=0,
                 eps: float = 1e-8) -> None:
        owner = "ReduceLROnPlateau"
        check_real("factor", factor, owner)
        if not 0 <= factor < 1:
            raise ValueError(f"{owner}: factor must be in [0, 1) (new_lr = lr * factor; 0.1 divides by 10), "
                             f"got {factor}.")
        check_optimizer(optimizer)
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = per_group("min_lr", min_lr, optimizer, owner)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        for value in self.min_lrs:
            check_non_negative("min_lr", value, owner)
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if not is_whole_number(value) or value < 0:
                raise ValueError(f"{owner}: {name} must be a whole number >= 0 (epochs), got {value!r}.")
        self.patience = int(patience)
        self.cooldown = int(cooldown)
        self.eps = check_non_negative("eps", eps, owner)
        self.mode = check_choice("mode", mode, self.MODES, owner)
        self.threshold = check_non_negative("threshold", threshold, owner)
        self.threshold_mode = check_choice("threshold_mode", threshold_mode, self.THRESHOLD_MODES, owner)
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, metric: float, best: float) -> bool:
        """Does ``metric`` improve on ``best`` by more than the threshold?"""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def step(self, metrics, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (e.g. the validation loss) and reduce the lr if it has plateaued."""
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step needs the monitored metric as a number, e.g. "
                f"scheduler.step(val_loss); got {metrics!r}."
            ) from None
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer now has {len(groups)} param_groups but min_lr "
                    f"was given for {len(self.min_lrs)}; set scheduler.min_lrs to one value per group."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr
