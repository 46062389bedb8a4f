r"""Adamax: Adam with the EWA of g² replaced by a decaying maximum of |g| (an infinity norm)."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import bias_correction, ewa_update_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7.1); same numbers as ``torch.optim.Adamax``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``) plus ``weight_decay·θ`` (L2, coupled)::

        m ← β₁·m + (1 − β₁)·g              momentum's EWA of g         (state "exp_avg")
        u ← max(β₂·u, |g| + eps)           decaying max of |g|         (state "exp_inf")
        θ ← θ − lr/(1 − β₁ᵗ) · m/u

    ``u`` needs no bias correction: a maximum is not pulled towards its zero start.
    torch adds eps to ``|g|`` inside the max, so ``u ≥ eps`` and the division is safe.

    Keras (``keras.optimizers.Adamax``) takes ``u ← max(β₂·u, |g|)`` and adds eps in the
    division, ``m/(u + eps)``, with ``epsilon=1e-7`` and ``learning_rate=0.001``
    (torch: 1e-8 and 2e-3).
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "betas": _checks.betas,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "maximize": _checks.boolean,
    }

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, *, maximize: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param.value), "exp_inf": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        g = coupled_gradient(param, group["weight_decay"], group["maximize"], out=grad_buffer)
        beta1, beta2 = group["betas"]
        state["step"] += 1

        m = ewa_update_(state["exp_avg"], g, beta1, scratch=work)
        u = state["exp_inf"]
        u *= beta2
        abs_g = np.abs(g, out=work)
        abs_g += group["eps"]
        np.maximum(u, abs_g, out=u)

        step = np.divide(m, u, out=work)
        step *= group["lr"] / bias_correction(beta1, state["step"])
        param.value -= step
