r"""Adam and AdamW: momentum's EWA of g over RMSprop's EWA of g², both bias-corrected."""
from __future__ import annotations

import math

import numpy as np

from . import _checks
from .ewa import bias_correction, ewa_update_, ewa_update_sq_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015); same numbers as ``torch.optim.Adam``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``)::

        weight decay λ:  g ← g + λ·θ  (L2, default)  or  θ ← θ·(1 − lr·λ)  (decoupled_weight_decay)
        m ← β₁·m + (1 − β₁)·g             momentum's EWA of g        (state "exp_avg")
        v ← β₂·v + (1 − β₂)·g²            RMSprop's EWA of g²        (state "exp_avg_sq")
        amsgrad:  v_max ← max(v_max, v), use v_max for v            (state "max_exp_avg_sq")
        m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)    bias correction
        θ ← θ − lr · m̂ / (√v̂ + eps)        eps outside the root

    AMSGrad keeps the running maximum of the *raw* second moment ``v`` and bias-corrects the
    maximum: ``√(v_max/(1 − β₂ᵗ)) + eps`` (torch's formula).

    L2 weight decay (``weight_decay`` here) is divided by ``√v̂`` like the rest of the
    gradient, so weights with large gradients are barely decayed; :class:`AdamW` decays
    all weights at the same rate (decoupled).

    Keras (``keras.optimizers.Adam``) defaults ``epsilon`` to **1e-7** (torch: 1e-8) and adds
    it to the *uncorrected* root, ``θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + eps)``, which
    equals torch's formula with eps replaced by ``eps/√(1 − β₂ᵗ)`` (the paper's "epsilon
    hat"); some other implementations put eps inside the root, ``√(v̂ + eps)``.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "betas": _checks.betas,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "amsgrad": _checks.boolean,
        "maximize": _checks.boolean,
        "decoupled_weight_decay": _checks.boolean,
    }

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {"step": 0, "exp_avg": np.zeros_like(param.value),
                 "exp_avg_sq": np.zeros_like(param.value)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros_like(param.value)
        return state

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                param.value *= 1.0 - lr * weight_decay
            weight_decay = 0
        g = coupled_gradient(param, weight_decay, group["maximize"], out=grad_buffer)
        state["step"] += 1
        t = state["step"]

        m = ewa_update_(state["exp_avg"], g, beta1, scratch=work)          # momentum
        v = ewa_update_sq_(state["exp_avg_sq"], g, beta2, scratch=work)   # RMSprop
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:       # amsgrad switched on mid-run
                state["max_exp_avg_sq"] = np.zeros_like(param.value)
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])

        # θ ← θ − lr·m̂/(√v̂ + eps), with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), rearranged so the
        # corrections are scalars (one pass less over the arrays):
        #     lr·m̂/(√v̂ + eps) = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + eps·√(1 − β₂ᵗ))
        sqrt_correction2 = math.sqrt(bias_correction(beta2, t))
        denominator = np.sqrt(v, out=work)
        denominator += eps * sqrt_correction2
        step = np.divide(m, denominator, out=work)
        step *= lr * sqrt_correction2 / bias_correction(beta1, t)
        param.value -= step


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay; ``torch.optim.AdamW``.

    ::

        θ ← θ·(1 − lr·λ)                  decay every weight at the same rate (λ = weight_decay)
        then the Adam step with g = ∇f(θ) (no L2 term in g)

    The default ``weight_decay`` is **0.01** (Adam's is 0). Keras' AdamW defaults it to
    0.004 and uses Keras' eps placement (see :class:`Adam`).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict) -> None:
        """As :meth:`Optimizer.load_state_dict`; every group comes back decoupled, as in torch's AdamW."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
