"""Argument checks shared by the schedulers: each error names the argument, the value and what is allowed."""
from __future__ import annotations

import warnings

import math
import numbers
from collections.abc import Sequence


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type. Also a ValueError, so ``except ValueError`` catches every bad argument."""


def check_optimizer(optimizer) -> None:
    """A scheduler needs ``optimizer.param_groups``: a non-empty list of dicts with an ``"lr"``."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not groups or not all(isinstance(g, dict) and "lr" in g for g in groups):
        raise TypeError(
            f"optimizer must be an optimizer with param_groups (a non-empty list of dicts, each with "
            f"an 'lr'), such as nnopt.optim.SGD(...); got {type(optimizer).__name__}."
        )


def is_whole_number(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive_int(name: str, value, owner: str) -> int:
    if not is_whole_number(value):
        raise ArgumentTypeError(
            f"{owner}: {name} must be a positive whole number, got {value!r} ({type(value).__name__})."
        )
    if value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive whole number (1, 2, ...), got {value}.")
    return int(value)


def check_real(name: str, value, owner: str) -> float:
    if not is_real_number(value) or not math.isfinite(value):
        raise ArgumentTypeError(f"{owner}: {name} must be a finite real number, got {value!r}.")
    return value


def check_positive(name: str, value, owner: str) -> float:
    check_real(name, value, owner)
    if value <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value}.")
    return value


def check_non_negative(name: str, value, owner: str) -> float:
    check_real(name, value, owner)
    if value < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value}.")
    return value


def check_gamma(value, owner: str, name: str = "gamma") -> float:
    check_real(name, value, owner)
    if value <= 0:
        raise ValueError(
            f"{owner}: {name} must be > 0 (the factor the learning rate is multiplied by; "
            f"0.1 divides it by 10), got {value}."
        )
    return value


def check_choice(name: str, value, allowed: Sequence[str], owner: str) -> str:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{owner}: {name} must be one of {options}; got {value!r}.")
    return value


def check_last_epoch(value, owner: str) -> int:
    if not is_whole_number(value) or value < -1:
        raise ValueError(
            f"{owner}: last_epoch must be -1 (start a new schedule) or the index of the last step "
            f"taken (>= 0) when resuming, got {value!r}."
        )
    return int(value)


def check_milestones(value, owner: str, *, name: str = "milestones", allow_empty: bool = False,
                     smallest: int = 0, allow_repeats: bool = False) -> list[int]:
    try:
        milestones = list(value)
    except TypeError:
        raise ArgumentTypeError(f"{owner}: {name} must be a list of whole numbers, got {value!r}.") from None
    if not milestones and not allow_empty:
        raise ValueError(f"{owner}: {name} is empty; give at least one step at which to change the learning rate.")
    if not all(is_whole_number(m) for m in milestones):
        raise ArgumentTypeError(f"{owner}: {name} must contain whole numbers, got {milestones!r}.")
    if any(m < smallest for m in milestones):
        raise ValueError(f"{owner}: {name} must all be >= {smallest}, got {milestones!r}.")
    if allow_repeats and any(b < a for a, b in zip(milestones, milestones[1:])):
        # PyTorch counts the milestones (a Counter), so their order does not matter: same numbers here
        warnings.warn(f"{owner}: {name} {milestones!r} are not in increasing order; they are used as "
                      f"{sorted(milestones)!r}, as PyTorch does. Write them sorted to silence this.",
                      UserWarning, stacklevel=3)
        milestones = sorted(milestones)
    if not allow_repeats and any(b <= a for a, b in zip(milestones, milestones[1:])):
        raise ValueError(
            f"{owner}: {name} must be strictly increasing with no repeats, got {milestones!r}; "
            f"use {sorted(set(milestones))!r}."
        )
    return [int(m) for m in milestones]


def per_group(name: str, value, optimizer, owner: str) -> list:
    """One value per parameter group: a scalar is repeated, a list/tuple must match the group count."""
    n_groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            raise ValueError(
                f"{owner}: {name} has {len(value)} values but the optimizer has {n_groups} "
                f"param_groups; give one value per group or a single number for all."
            )
        return list(value)
    return [value] * n_groups
