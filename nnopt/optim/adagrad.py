r"""Adagrad: per-coordinate step sizes from the running *sum* of squared gradients."""
from __future__ import annotations

import warnings

import numpy as np

from . import _checks
from .optimizer import Optimizer, coupled_gradient

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011); same numbers as ``torch.optim.Adagrad``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``) plus ``weight_decay·θ`` (L2, coupled)::

        s ← s + g²                              (s₀ = initial_accumulator_value; state "sum")
        lrₜ = lr / (1 + (t − 1)·lr_decay)
        θ ← θ − lrₜ · g / (√s + eps)

    As in torch, ``s₀`` is the *constructor's* ``initial_accumulator_value`` in every group: a
    value given in a parameter-group dict is ignored, with a warning.

    ``s`` is a plain sum, not an EWA: it never forgets, so the steps only ever shrink.
    RMSprop replaces the sum by an exponentially weighted average of g².

    Keras (``keras.optimizers.Adagrad``) differs in defaults and in where eps goes:
    ``initial_accumulator_value=0.1`` (torch: 0), ``epsilon=1e-7`` *inside* the square
    root, ``θ ← θ − lr·g/√(s + eps)`` (torch: 1e-10 outside), and ``learning_rate=0.001``
    (torch: 0.01); it has no lr_decay.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "lr_decay": _checks.non_negative,
        "weight_decay": _checks.non_negative,
        "initial_accumulator_value": _checks.non_negative,
        "eps": _checks.positive,
        "maximize": _checks.boolean,
    }

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:         # like torch, the state exists from the start
            for param in group["params"]:
                self.state[param] = self._init_state(param, group)

    def _init_state(self, param, group):
        # torch fills the sum from the constructor's value, for every group (one added later too)
        start = self.defaults["initial_accumulator_value"]
        if group.get("initial_accumulator_value", start) != start:
            warnings.warn(
                f"Adagrad: a parameter group's initial_accumulator_value="
                f"{group['initial_accumulator_value']!r} is not used; every sum starts at the "
                f"constructor's {start!r}, as in torch.optim.Adagrad. Give the value to the constructor "
                f"(or use one Adagrad per value) to start from it.", UserWarning, stacklevel=4)
        return {"step": 0, "sum": np.full_like(param.value, start)}

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        g = coupled_gradient(param, group["weight_decay"], group["maximize"], out=grad_buffer)
        state["step"] += 1
        current_lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])

        squared_sum = state["sum"]
        np.multiply(g, g, out=work)
        squared_sum += work

        denominator = np.sqrt(squared_sum, out=work)
        denominator += group["eps"]
        step = np.divide(g, denominator, out=work)
        step *= current_lr
        param.value -= step
