r"""RAdam: Adam whose adaptive step is switched on gradually, once v̂ can be trusted."""
from __future__ import annotations

import math

import numpy as np

from . import _checks
from .ewa import bias_correction, ewa_update_, ewa_update_sq_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2020); same numbers as ``torch.optim.RAdam``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``)::

        weight decay λ:  g ← g + λ·θ  (L2, default)  or  θ ← θ·(1 − lr·λ)  (decoupled_weight_decay)
        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²        (states "exp_avg", "exp_avg_sq")
        m̂ = m/(1 − β₁ᵗ)
        ρ_∞ = 2/(1 − β₂) − 1
        ρₜ = ρ_∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)             length of the simple average that v̂ resembles
        if ρₜ > 5:
            rₜ = √((ρₜ − 4)(ρₜ − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρₜ))    variance rectification
            θ ← θ − lr · m̂ · rₜ · √(1 − β₂ᵗ)/(√v + eps)
        else:
            θ ← θ − lr · m̂                         momentum SGD while v̂ is too noisy

    With β₂ = 0.999, ρₜ ≤ 5 for the first 5 steps, so RAdam starts as momentum SGD and
    blends in the Adam step (rₜ → 1) as the second-moment estimate settles: a built-in
    warm-up.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "betas": _checks.betas,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "decoupled_weight_decay": _checks.boolean,
        "maximize": _checks.boolean,
    }

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param.value), "exp_avg_sq": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                param.value *= 1.0 - lr * weight_decay
            weight_decay = 0
        g = coupled_gradient(param, weight_decay, group["maximize"], out=grad_buffer)
        state["step"] += 1
        t = state["step"]

        m = ewa_update_(state["exp_avg"], g, beta1, scratch=work)
        v = ewa_update_sq_(state["exp_avg_sq"], g, beta2, scratch=work)
        correction1, correction2 = bias_correction(beta1, t), bias_correction(beta2, t)
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2**t / correction2

        if rho_t > 5.0:
            rectification = math.sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                                      / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
            denominator = np.sqrt(v, out=work)
            denominator += group["eps"]
            step = np.divide(m, denominator, out=work)
            step *= lr / correction1 * rectification * math.sqrt(correction2)
        else:
            step = np.multiply(m, lr / correction1, out=work)
        param.value -= step
