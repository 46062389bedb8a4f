r"""Adadelta: RMSprop whose step size is itself an EWA of past squared steps."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import ewa_update_sq_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012); same numbers as ``torch.optim.Adadelta``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``) plus ``weight_decay·θ`` (L2, coupled)::

        v ← ρ·v + (1 − ρ)·g²                    EWA of g²       (state "square_avg")
        Δ ← √(u + eps) / √(v + eps) · g         eps inside both roots
        u ← ρ·u + (1 − ρ)·Δ²                    EWA of Δ²       (state "acc_delta")
        θ ← θ − lr·Δ

    The ratio ``√(u + eps)/√(v + eps)`` carries the units of θ, which is why the paper has
    no learning rate; torch keeps ``lr`` as a multiplier with default **1.0** (the paper's
    form). eps also starts the process: with ``u₀ = 0`` the first step is ``√eps/√(v+eps)·g``.

    Keras (``keras.optimizers.Adadelta``) uses the same formula with ``rho=0.95``,
    ``epsilon=1e-7`` and ``learning_rate=0.001`` (torch: 0.9, 1e-6, 1.0).
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "rho": _checks.unit_interval,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "maximize": _checks.boolean,
    }
    _n_work_arrays = 3

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, *, maximize: bool = False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": 0, "square_avg": np.zeros_like(param.value),
                "acc_delta": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        grad_buffer, work, delta = buffers
        g = coupled_gradient(param, group["weight_decay"], group["maximize"], out=grad_buffer)
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1

        square_avg = ewa_update_sq_(state["square_avg"], g, rho, scratch=work)
        rms_grad = np.add(square_avg, eps, out=work)
        np.sqrt(rms_grad, out=rms_grad)
        np.add(state["acc_delta"], eps, out=delta)
        np.sqrt(delta, out=delta)            # rms of the past steps
        delta /= rms_grad
        delta *= g
        ewa_update_sq_(state["acc_delta"], delta, rho, scratch=work)
        delta *= group["lr"]
        param.value -= delta
