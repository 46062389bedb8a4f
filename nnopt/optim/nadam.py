r"""NAdam: Adam with Nesterov momentum (look ahead along the next momentum)."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import bias_correction, ewa_update_, ewa_update_sq_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016); same numbers as ``torch.optim.NAdam``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``), ψ = ``momentum_decay``::

        weight decay λ:  g ← g + λ·θ  (L2, default)  or  θ ← θ·(1 − lr·λ)  (decoupled_weight_decay)
        μₜ = β₁·(1 − ½·0.96^(t·ψ)),   μₜ₊₁ = β₁·(1 − ½·0.96^((t+1)·ψ))     momentum schedule
        Πₜ = μ₁·μ₂·…·μₜ                                          (state "mu_product")
        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²         (states "exp_avg", "exp_avg_sq")
        d = √(v/(1 − β₂ᵗ)) + eps
        θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d

    The second term is Adam's step taken with the *next* step's momentum (Nesterov's look
    ahead); the first adds the fresh gradient. μₜ warms up from ≈ β₁/2 towards β₁ as t·ψ
    grows (with ψ = 0.004, μ reaches 0.9·β₁ after ~10 000 steps).

    Keras (``keras.optimizers.Nadam``) uses ``μₜ = β₁·(1 − ½·0.96^t)`` (no ψ: the warm-up
    is over within ~100 steps), one μ-product shared by all variables, ``epsilon=1e-7``,
    ``learning_rate=0.001`` (torch: 0.002) and no weight-decay flag.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "betas": _checks.betas,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "momentum_decay": _checks.non_negative,
        "decoupled_weight_decay": _checks.boolean,
        "maximize": _checks.boolean,
    }
    _n_work_arrays = 3

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(param.value),
                "exp_avg_sq": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        grad_buffer, work, denominator = buffers
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        psi = group["momentum_decay"]
        if group["decoupled_weight_decay"]:
            if weight_decay != 0:
                param.value *= 1.0 - lr * weight_decay
            weight_decay = 0
        g = coupled_gradient(param, weight_decay, group["maximize"], out=grad_buffer)
        state["step"] += 1
        t = state["step"]

        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]

        m = ewa_update_(state["exp_avg"], g, beta1, scratch=work)
        v = ewa_update_sq_(state["exp_avg_sq"], g, beta2, scratch=work)
        np.divide(v, bias_correction(beta2, t), out=denominator)
        np.sqrt(denominator, out=denominator)
        denominator += group["eps"]

        step = np.divide(g, denominator, out=work)                 # fresh gradient
        step *= lr * (1.0 - mu) / (1.0 - mu_product)
        param.value -= step
        step = np.divide(m, denominator, out=work)                 # look-ahead momentum
        step *= lr * mu_next / (1.0 - mu_product * mu_next)
        param.value -= step

