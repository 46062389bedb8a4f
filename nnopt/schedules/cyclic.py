"""Cyclical schedules, stepped once per iteration: CyclicLR (Smith 2017) and OneCycleLR (Smith 2018).

Both also cycle the momentum *inversely* to the learning rate (``cycle_momentum=True``): when the
lr is high the momentum is low. For SGD / RMSprop groups they set ``group["momentum"]``; for
Adam-like groups (``"betas"``) they set beta1, ``group["betas"] = (momentum, beta2)``, as PyTorch.
For the course's ``nnopt.optim.Momentum`` (an EWA with ``"beta"``, which PyTorch does not have)
they set ``group["beta"]``.
"""
from __future__ import annotations

import math

from ._checks import (
    check_choice,
    check_gamma,
    check_last_epoch,
    check_non_negative,
    check_optimizer,
    check_positive,
    check_positive_int,
    is_real_number,
    per_group,
)
from .scheduler import LRScheduler


def _momentum_key(optimizer, owner: str) -> str:
    """'betas' (Adam-like: beta1 is cycled), 'momentum' (SGD, RMSprop) or 'beta' (nnopt's Momentum)."""
    defaults = getattr(optimizer, "defaults", None)
    keys = defaults if isinstance(defaults, dict) else optimizer.param_groups[0]
    for key in ("betas", "momentum", "beta"):
        if key in keys:
            return key
    raise ValueError(
        f"{owner}: cycle_momentum=True needs an optimizer with 'momentum' (SGD, RMSprop), 'betas' "
        f"(Adam-like) or 'beta' (Momentum) in its param_groups; {type(optimizer).__name__} has none. "
        f"Pass cycle_momentum=False to cycle only the learning rate."
    )


def _set_momentum(group: dict, value: float, key: str) -> None:
    if key == "betas":
        group["betas"] = (value, *group["betas"][1:])
    else:
        group[key] = value


def _per_group_values(name: str, value, optimizer, owner: str) -> list[float]:
    values = per_group(name, value, optimizer, owner)
    for item in values:
        check_non_negative(name, item, owner)
    return values


class CyclicLR(LRScheduler):
    """Cyclical learning rate: a triangle wave between ``base_lr`` and ``max_lr``.

    Stepped: once per *iteration* (after every batch); ``step_size_up`` / ``step_size_down`` count
    iterations (Smith suggests 2-10 epochs' worth of iterations for ``step_size_up``). For step t::

        cycle = floor(1 + t / (step_size_up + step_size_down))
        x     = 1 + t / (step_size_up + step_size_down) - cycle          # position in the cycle, [0, 1)
        r     = step_size_up / (step_size_up + step_size_down)
        s     = x / r                if x <= r                            # rising edge, 0 -> 1
                (x - 1) / (r - 1)    otherwise                            # falling edge, 1 -> 0
        lr_t       = base_lr + (max_lr - base_lr) * s * scale_fn(cycle or t)
        momentum_t = max_momentum - (max_momentum - base_momentum) * s * scale_fn(cycle or t)

    ``mode`` picks ``scale_fn``: "triangular" 1; "triangular2" 1 / 2**(cycle - 1) (the amplitude
    halves every cycle); "exp_range" gamma**t (evaluated on iterations). A custom ``scale_fn``
    overrides ``mode``; ``scale_mode`` ("cycle" or "iterations") says what it is evaluated on.
    Construction sets every group's lr to ``base_lr`` (and momentum to ``max_momentum``).
    Not chainable: it overwrites the lr from ``base_lr``/``max_lr`` at every step.
    """

    _meant_per_batch = True
    _function_attributes = ("_scale_fn_custom",)
    MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer, base_lr, max_lr, step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: str = "triangular", gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum=0.8, max_momentum=0.9, last_epoch: int = -1) -> None:
        owner = "CyclicLR"
        check_optimizer(optimizer)
        check_last_epoch(last_epoch, owner)
        self.optimizer = optimizer
        base_lrs = _per_group_values("base_lr", base_lr, optimizer, owner)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = _per_group_values("max_lr", max_lr, optimizer, owner)

        step_size_up = float(check_positive("step_size_up", step_size_up, owner))
        step_size_down = (
            float(check_positive("step_size_down", step_size_down, owner)) if step_size_down is not None
            else step_size_up
        )
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size

        if scale_fn is None:
            check_choice("mode", mode, self.MODES, owner)
        elif not callable(scale_fn):
            raise TypeError(f"{owner}: scale_fn must be a function of the cycle or iteration, got {scale_fn!r}.")
        self.mode = mode
        self.gamma = check_gamma(gamma, owner)
        self._scale_fn_custom = scale_fn
        self.scale_mode = check_choice("scale_mode", scale_mode, ("cycle", "iterations"), owner)
        if scale_fn is None:  # the built-in modes fix what they are evaluated on
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"

        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self.momentum_key = _momentum_key(optimizer, owner)
            self.use_beta1 = self.momentum_key == "betas"
            self.base_momentums = _per_group_values("base_momentum", base_momentum, optimizer, owner)
            self.max_momentums = _per_group_values("max_momentum", max_momentum, optimizer, owner)
            if last_epoch == -1:
                for max_m, base_m, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups,
                                                strict=True):
                    _set_momentum(group, max_m, self.momentum_key)
                    group["max_momentum"] = max_m
                    group["base_momentum"] = base_m
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude factor: the custom ``scale_fn`` or the one ``mode`` names."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x  # exp_range

    def get_lr(self) -> list[float]:
        """Learning rates at step ``last_epoch`` (also sets the momentum when ``cycle_momentum``)."""
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)

        lrs = [
            base_lr + (max_lr - base_lr) * scale_factor * scale
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            for base_m, max_m, group in zip(self.base_momentums, self.max_momentums, self.optimizer.param_groups,
                                            strict=True):
                _set_momentum(group, max_m - (max_m - base_m) * scale_factor * scale, self.momentum_key)
        return lrs


class OneCycleLR(LRScheduler):
    """The 1cycle policy: warm up from ``max_lr / div_factor`` to ``max_lr``, then anneal far below.

    Stepped: once per *iteration* (after every batch), ``total_steps`` times in all (give
    ``total_steps``, or ``epochs`` and ``steps_per_epoch``; stepping beyond raises ValueError).
    Per group: initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor.

    Two phases (default, fastai's variant), with T = total_steps and p = pct_start:

    ========================  ==================  ==================  =============================
    steps                     lr                  momentum            anneal
    ========================  ==================  ==================  =============================
    0 .. p T - 1              initial -> max      max_m -> base_m     over p T - 1 steps
    p T - 1 .. T - 1          max -> min          base_m -> max_m     over T - p T steps
    ========================  ==================  ==================  =============================

    ``three_phase=True`` (the paper's version): initial -> max over [0, pT - 1], max -> initial
    over [pT - 1, 2pT - 2], initial -> min over [2pT - 2, T - 1] (momentum back at max_m).
    Within a phase running from step a to step b, with pct = (t - a) / (b - a)::

        cos:    value = end + (start - end) / 2 * (1 + cos(pi * pct))
        linear: value = start + (end - start) * pct

    Not chainable: the lr is computed from the group's ``initial_lr`` / ``max_lr`` / ``min_lr``.
    """

    _meant_per_batch = True

    def __init__(self, optimizer, max_lr, total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False, last_epoch: int = -1) -> None:
        owner = "OneCycleLR"
        check_optimizer(optimizer)
        check_last_epoch(last_epoch, owner)
        self.optimizer = optimizer
        if total_steps is not None:
            self.total_steps = check_positive_int("total_steps", total_steps, owner)
        elif epochs is not None and steps_per_epoch is not None:
            epochs = check_positive_int("epochs", epochs, owner)
            steps_per_epoch = check_positive_int("steps_per_epoch", steps_per_epoch, owner)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                f"{owner}: give total_steps, or both epochs and steps_per_epoch (got total_steps={total_steps}, "
                f"epochs={epochs}, steps_per_epoch={steps_per_epoch})."
            )
        if not is_real_number(pct_start) or not 0 <= pct_start <= 1:
            raise ValueError(f"{owner}: pct_start must be a number in [0, 1] (the fraction of warm-up), "
                             f"got {pct_start!r}.")
        self._anneal_func_type = check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"), owner)
        check_positive("div_factor", div_factor, owner)
        check_positive("final_div_factor", final_div_factor, owner)
        self.three_phase = bool(three_phase)

        warmup_end = float(pct_start * self.total_steps) - 1
        last_step = self.total_steps - 1
        if self.three_phase:
            self._schedule_phases = [
                _phase(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                       "base_momentum", "max_momentum"),
                _phase(last_step, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(warmup_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(last_step, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]

        max_lrs = _per_group_values("max_lr", max_lr, optimizer, owner)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self.momentum_key = _momentum_key(optimizer, owner)
            self.use_beta1 = self.momentum_key == "betas"
            max_momentums = _per_group_values("max_momentum", max_momentum, optimizer, owner)
            base_momentums = _per_group_values("base_momentum", base_momentum, optimizer, owner)
            if last_epoch == -1:
                for max_m, base_m, group in zip(max_momentums, base_momentums, optimizer.param_groups, strict=True):
                    _set_momentum(group, max_m, self.momentum_key)
                    group["max_momentum"] = max_m
                    group["base_momentum"] = base_m
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        """Half a cosine from ``start`` (pct = 0) to ``end`` (pct = 1)."""
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        """A straight line from ``start`` (pct = 0) to ``end`` (pct = 1)."""
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """Learning rates at step ``last_epoch`` (also sets the momentum when ``cycle_momentum``)."""
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {step_num} times. The specified number of total steps is "
                f"{self.total_steps} (total_steps={self.total_steps}); OneCycleLR is stepped once per batch, "
                f"so total_steps should be epochs * batches per epoch."
            )
        anneal = self._annealing_cos if self._anneal_func_type == "cos" else self._annealing_linear
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or index == len(self._schedule_phases) - 1:
                    if end_step == start_step:
                        raise ValueError(
                            f"OneCycleLR: a phase of the schedule has zero length at step {step_num} "
                            f"(pct_start * total_steps = {self._schedule_phases[0]['end_step'] + 1:g}); "
                            f"change pct_start or total_steps."
                        )
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(group, momentum, self.momentum_key)
                    break
                start_step = phase["end_step"]
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str, end_momentum: str) -> dict:
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
            "start_momentum": start_momentum, "end_momentum": end_momentum}
