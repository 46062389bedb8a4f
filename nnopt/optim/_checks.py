"""Checks for optimizer hyperparameters: each names the argument, the value and what is allowed.

A checker is called as ``checker(name, value, where)``; ``where`` is "" for a constructor
argument and e.g. " in param_groups[1]" for a value given in a parameter-group dict.
"""
from __future__ import annotations

import math
import numbers

import numpy as np


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _fail(name: str, value, where: str, allowed: str, hint: str = "") -> None:
    message = f"{name}={value!r}{where} is not allowed: {name} must be {allowed}."
    if hint:
        message += f" {hint}"
    if not _is_real(value):
        raise TypeError(message)
    raise ValueError(message)


def non_negative(name: str, value, where: str = "") -> None:
    """A finite real number >= 0 (lr, weight_decay, lr_decay, ...)."""
    if not (_is_real(value) and math.isfinite(value) and value >= 0):
        _fail(name, value, where, "a finite number >= 0")


def non_negative_or_inf(name: str, value, where: str = "") -> None:
    """A real number >= 0, inf allowed (a clipping threshold; inf = no clipping)."""
    if not (_is_real(value) and value >= 0):
        _fail(name, value, where, "a number >= 0 (inf allowed)")


def learning_rate(name: str, value, where: str = "") -> None:
    """A finite real number >= 0."""
    if not (_is_real(value) and math.isfinite(value) and value >= 0):
        _fail(name, value, where, "a finite number >= 0", "Typical values are 1e-4 to 1e-1.")


def positive(name: str, value, where: str = "") -> None:
    """A finite real number > 0 (eps: it keeps a division away from zero)."""
    if not (_is_real(value) and math.isfinite(value) and value > 0):
        _fail(name, value, where, "a finite number > 0", "Typical values are 1e-10 to 1e-6.")


def unit_interval(name: str, value, where: str = "") -> None:
    """A decay factor in [0, 1): momentum, rho, alpha, beta."""
    if not (_is_real(value) and 0 <= value < 1):
        _fail(name, value, where, "in [0, 1) (a decay factor; 1 would never forget)",
              "Typical values are 0.9 to 0.999.")


def closed_unit_interval(name: str, value, where: str = "") -> None:
    """A fraction in [0, 1] (dampening)."""
    if not (_is_real(value) and 0 <= value <= 1):
        _fail(name, value, where, "in [0, 1]")


def betas(name: str, value, where: str = "") -> None:
    """A pair (beta1, beta2), each in [0, 1)."""
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise TypeError(
            f"{name}={value!r}{where} is not allowed: {name} must be a pair (beta1, beta2) "
            f"with each value in [0, 1), e.g. (0.9, 0.999)."
        )
    for index, beta in enumerate(value):
        if not (_is_real(beta) and 0 <= beta < 1):
            _fail(f"{name}[{index}]", beta, where, "in [0, 1) (a decay factor)",
                  "Typical values are (0.9, 0.999).")


def boolean(name: str, value, where: str = "") -> None:
    """True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r}{where} is not allowed: {name} must be True or False.")
