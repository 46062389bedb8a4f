r"""Lion: step by the *sign* of an interpolated momentum (found by program search)."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import ewa_update_
from .optimizer import Optimizer

__all__ = ["Lion"]


class Lion(Optimizer):
    r"""Lion, "EvoLved Sign Momentum" (Chen et al., 2023, arXiv:2302.06675). Not in torch.optim.

    ::

        c = β₁·m + (1 − β₁)·g            interpolate momentum and gradient (not stored)
        θ ← θ·(1 − lr·λ) − lr·sign(c)     decoupled weight decay λ, every coordinate moves ±lr
        m ← β₂·m + (1 − β₂)·g            EWA of g with the slower β₂    (state "exp_avg")

    Every coordinate moves by exactly ``lr`` (or 0 where ``c = 0``), whatever the size of
    its gradient: the update has a large norm, so Lion wants a learning rate 3-10× smaller
    than AdamW's and a weight decay 3-10× larger. Only one buffer per parameter (Adam: 2).
    Near a minimum the sign step cannot shrink, so θ ends up oscillating within about
    ``lr`` of the minimum unless the learning rate decays.

    Keras (``keras.optimizers.Lion``) has the same update with ``learning_rate=0.001``
    (here: 1e-4, the paper's and the reference implementation's default).
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "betas": _checks.betas,
        "weight_decay": _checks.non_negative,
    }
    _n_work_arrays = 1

    def __init__(self, params, lr: float = 1e-4, betas: tuple[float, float] = (0.9, 0.99),
                 weight_decay: float = 0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        (work,) = buffers
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        g = param.grad
        m = state["exp_avg"]
        state["step"] += 1

        if weight_decay != 0:
            param.value *= 1.0 - lr * weight_decay
        # c = β₁·m + (1 − β₁)·g, written as m + (1 − β₁)·(g − m) to need one work array
        interpolated = np.subtract(g, m, out=work)
        interpolated *= 1.0 - beta1
        interpolated += m
        step = np.sign(interpolated, out=work)
        step *= lr
        param.value -= step
        ewa_update_(m, g, beta2, scratch=work)
