"""The base class of every learning-rate scheduler: ``LRScheduler`` (same protocol as PyTorch's).

A scheduler is attached to an optimizer and owns one number, ``last_epoch``: how many times
``step()`` has been called (the *schedule step* t). Each ``step()`` advances t by one and writes a
new learning rate into every ``optimizer.param_groups[i]["lr"]``. What one step means is your
choice: call ``step()`` once per epoch or once per iteration (mini-batch); ``step_size``,
``T_max``, ``milestones``... count in that unit. Call it *after* ``optimizer.step()``::

    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)   # sets lr to its step-0 value
    for epoch in range(100):
        train_one_epoch(model, optimizer)                    # many optimizer.step() calls
        scheduler.step()                                     # lr for the next epoch

Protocol (identical to ``torch.optim.lr_scheduler``):

- Construction performs the initial step: ``last_epoch`` goes from -1 to 0, every group gets
  ``group["initial_lr"]`` (its lr at that moment, unless already set) and ``group["lr"]`` is set
  to the step-0 value. ``base_lrs`` are the ``initial_lr`` of the groups, one per group, so each
  group follows the schedule scaled to its own base rate (differential learning rates).
- ``step()`` uses the *chainable* (recursive) rule ``get_lr()``: most schedulers compute
  lr_t from the group's current lr_{t-1}, so two schedulers can act on the same optimizer and
  their factors multiply (see ``ChainedScheduler``). ``step(epoch)`` jumps to ``epoch`` and uses
  the *closed form* ``_get_closed_form_lr()`` (computed from ``base_lrs``) where there is one.
- ``get_last_lr()`` returns the lrs the last step set; ``state_dict()`` / ``load_state_dict()``
  save and restore everything except the optimizer (save the optimizer too: the recursive rule
  reads its current lrs).
- ``last_epoch=k`` (k >= 0) resumes a schedule: every group must already hold ``initial_lr``
  (restore the optimizer first); construction then performs step k + 1's bookkeeping.
"""
from __future__ import annotations

import copy
import types
import warnings
from typing import Any

from ._checks import check_last_epoch, check_optimizer


class LRScheduler:
    """Base class: subclasses implement ``get_lr()`` (the rule ``step()`` applies).

    Parameters
    ----------
    optimizer
        Anything with ``param_groups`` (a list of dicts holding ``"lr"``), e.g. ``nnopt.optim.SGD``.
    last_epoch
        -1 (default) starts a new schedule; k >= 0 resumes after step k (see the module docstring).
    """

    _is_initial: bool = False
    #: CyclicLR and OneCycleLR set this: they warn when stepped once per epoch.
    _meant_per_batch: bool = False

    def __init__(self, optimizer, last_epoch: int = -1) -> None:
        owner = type(self).__name__
        check_optimizer(optimizer)
        check_last_epoch(last_epoch, owner)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{owner}: param_groups[{index}] has no 'initial_lr', so the schedule cannot "
                        f"resume at last_epoch={last_epoch}. Load the optimizer's state_dict from the "
                        f"checkpoint first, or use last_epoch=-1 to start a new schedule."
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    # -- stepping ------------------------------------------------------------------------------
    def _initial_step(self) -> None:
        """Step 0, performed by the constructor: sets every group's lr to its step-0 value."""
        self._step_count = 0
        self._optimizer_steps_at_last_step = _optimizer_step_count(self.optimizer)
        self._per_epoch_evidence = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step (``epoch=None``) or jump to step ``epoch`` (closed form).

        Call it after ``optimizer.step()``, once per epoch or once per iteration.
        """
        self._count_step()
        self._update_lr(epoch)

    def _count_step(self) -> None:
        """Bookkeeping of every step: the warnings about the order and the unit of stepping."""
        if self._step_count == 1:
            self._warn_if_optimizer_has_not_stepped()
        self._check_stepping_unit()
        self._step_count += 1

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_lr(self) -> list[float]:
        """The learning rates for step ``last_epoch`` (the rule ``step()`` applies); one per group.

        To read the current learning rates use :meth:`get_last_lr` instead: for chainable
        schedulers this rule rescales the groups' current lrs, so calling it outside ``step()``
        does not return the current values.
        """
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last step, one per parameter group."""
        return list(self._last_lr)

    # -- saving and resuming -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything the scheduler holds except the optimizer, as a (deep-copied) dict.

        Plain functions and lambdas are not saved (as in PyTorch); callable objects save their
        ``__dict__``. Save ``optimizer.state_dict()`` alongside: the chainable rule reads the lrs.
        """
        state = {}
        for key, value in self.__dict__.items():
            if key == "optimizer":
                continue
            if key in self._function_attributes:
                state[key] = _functions_state(value)
            else:
                state[key] = copy.deepcopy(value)
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (functions keep the ones given at construction)."""
        for key, value in state_dict.items():
            if key in self._function_attributes:
                _load_functions_state(getattr(self, key), value)
            else:
                self.__dict__[key] = copy.deepcopy(value)

    #: attributes holding user functions (a list of callables, or one callable or None)
    _function_attributes: tuple[str, ...] = ()

    # -- warnings ------------------------------------------------------------------------------
    def _warn_if_optimizer_has_not_stepped(self) -> None:
        if _optimizer_step_count(self.optimizer) == 0:
            warnings.warn(
                f"{type(self).__name__}.step() was called before the optimizer's first step(). "
                f"Call optimizer.step() first and scheduler.step() after it: the other way round, the "
                f"first value of the schedule is never used.",
                UserWarning,
                stacklevel=4,
            )

    def _check_stepping_unit(self) -> None:
        """CyclicLR / OneCycleLR: warn once if the optimizer keeps taking > 1 step per scheduler step."""
        if not self._meant_per_batch:
            return
        count = _optimizer_step_count(self.optimizer)
        if count is None:
            return
        taken = count - self._optimizer_steps_at_last_step
        self._optimizer_steps_at_last_step = count
        self._per_epoch_evidence = self._per_epoch_evidence + 1 if taken > 1 else 0
        if self._per_epoch_evidence == 2:
            name = type(self).__name__
            warnings.warn(
                f"{name} is meant to be stepped after every batch (iteration), but the optimizer took "
                f"{taken} steps between the last two {name}.step() calls, as if it were stepped once "
                f"per epoch. Call scheduler.step() right after every optimizer.step() (in fit: "
                f"scheduler_unit='iteration') and count total_steps / step sizes in batches.",
                UserWarning,
                stacklevel=4,
            )

    def __repr__(self) -> str:
        lrs = ", ".join(f"{lr:.6g}" for lr in getattr(self, "_last_lr", []))
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr=[{lrs}])"


def _optimizer_step_count(optimizer) -> int | None:
    count = getattr(optimizer, "step_count", None)
    return int(count) if count is not None else None


def _functions_state(value):
    if isinstance(value, (list, tuple)):
        return [_function_state(fn) for fn in value]
    return _function_state(value)


def _function_state(fn):
    # Plain functions and lambdas cannot be saved; callable objects save their attributes.
    if fn is None or isinstance(fn, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return None
    return copy.deepcopy(fn.__dict__)


def _load_functions_state(current, saved) -> None:
    if isinstance(current, (list, tuple)):
        for fn, fn_state in zip(current, saved):
            if fn_state is not None:
                fn.__dict__.update(copy.deepcopy(fn_state))
    elif saved is not None and current is not None:
        current.__dict__.update(copy.deepcopy(saved))
