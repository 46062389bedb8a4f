r"""RMSprop: divide the gradient by the root of an EWA of its square."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import ewa_update_, ewa_update_sq_
from .optimizer import Optimizer, coupled_gradient

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012); same numbers as ``torch.optim.RMSprop``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``) plus ``weight_decay·θ`` (L2, coupled)::

        v ← α·v + (1 − α)·g²                    EWA of g²          (state "square_avg")
        centered:  ḡ ← α·ḡ + (1 − α)·g          EWA of g           (state "grad_avg")
                   d = √(v − ḡ²) + eps          root of a variance estimate
        otherwise: d = √v + eps                 eps outside the root
        momentum μ > 0:  b ← μ·b + g/d;  θ ← θ − lr·b      (b₀ = 0; state "momentum_buffer")
        otherwise:       θ ← θ − lr·g/d

    No bias correction: with ``v₀ = 0`` the first steps are larger than later ones
    (``v₁ = (1 − α)·g²`` gives a first step of ``lr/√(1 − α)`` = 10·lr for α = 0.99).
    Adam adds the correction. In the centered form ``v − ḡ²`` is ≥ 0 in exact arithmetic;
    rounding can push it a hair below 0, so it is clipped at 0 (torch would give NaN there).

    Keras (``keras.optimizers.RMSprop``) calls the decay ``rho`` and defaults it to **0.9**
    (torch's ``alpha`` defaults to **0.99**), puts ``epsilon=1e-7`` *inside* the root,
    ``θ ← θ − lr·g/√(v + eps)``, defaults ``learning_rate`` to 0.001 (torch: 0.01) and
    keeps lr inside the momentum buffer (``b ← μ·b + lr·g/√(v + eps)``).
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "alpha": _checks.unit_interval,
        "eps": _checks.positive,
        "weight_decay": _checks.non_negative,
        "momentum": _checks.unit_interval,
        "centered": _checks.boolean,
        "maximize": _checks.boolean,
    }

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {"step": 0, "square_avg": np.zeros_like(param.value)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param.value)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param.value)
        return state

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        g = coupled_gradient(param, group["weight_decay"], group["maximize"], out=grad_buffer)
        alpha = group["alpha"]
        state["step"] += 1

        square_avg = ewa_update_sq_(state["square_avg"], g, alpha, scratch=work)
        if group["centered"]:
            if "grad_avg" not in state:             # centered switched on mid-run
                state["grad_avg"] = np.zeros_like(param.value)
            grad_avg = ewa_update_(state["grad_avg"], g, alpha, scratch=work)
            denominator = np.multiply(grad_avg, grad_avg, out=work)
            np.subtract(square_avg, denominator, out=denominator)
            np.maximum(denominator, 0.0, out=denominator)
            np.sqrt(denominator, out=denominator)
        else:
            denominator = np.sqrt(square_avg, out=work)
        denominator += group["eps"]

        step = np.divide(g, denominator, out=work)
        momentum = group["momentum"]
        if momentum > 0:
            if "momentum_buffer" not in state:      # momentum switched on mid-run
                state["momentum_buffer"] = np.zeros_like(param.value)
            buffer = state["momentum_buffer"]
            buffer *= momentum
            buffer += step
            np.copyto(step, buffer)
        step *= group["lr"]
        param.value -= step
