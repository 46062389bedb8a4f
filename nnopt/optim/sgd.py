r"""Stochastic gradient descent with optional (heavy-ball or Nesterov) momentum: ``torch.optim.SGD``."""
from __future__ import annotations

import numpy as np

from . import _checks
from .optimizer import Optimizer, coupled_gradient

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum; same numbers as ``torch.optim.SGD``.

    With ``g = ∇f(θ)`` (``−∇f`` if ``maximize``) plus ``weight_decay·θ`` (L2, coupled)::

        momentum = 0:   θ ← θ − lr·g
        momentum μ > 0: b ← g                            on the first step
                        b ← μ·b + (1 − dampening)·g      afterwards
                        d ← g + μ·b  if nesterov  else  b
                        θ ← θ − lr·d

    The buffer ``b`` (state ``"momentum_buffer"``) is **not** an exponentially weighted
    average: its weights ``1, μ, μ², …`` add up to ``1/(1 − μ)``, so on a constant gradient
    ``b → g/(1 − μ)`` and the step is ``1/(1 − μ)`` times larger (10× for μ = 0.9). It is an
    EWA only when ``dampening = μ``, and even then torch starts it at ``g`` instead of 0
    (no start-up bias). With ``dampening = 0`` starting at ``g`` is the same as starting at
    0 (``b₁ = μ·0 + g``). :class:`~nnopt.optim.Momentum` is the course's EWA form; its
    docstring gives the exact relation.

    Keras (``keras.optimizers.SGD``) keeps the learning rate inside the buffer:
    ``v ← μ·v − lr·g; θ ← θ + v`` (Nesterov: ``θ ← θ + μ·v − lr·g``). For a constant lr this
    is the same path (``v = −lr·b``), but a change of lr acts at once here and only
    gradually in Keras. Keras' default lr is 0.01, torch's 1e-3.

    Bad input: ``lr`` < 0, ``momentum`` outside [0, 1), ``dampening`` outside [0, 1],
    ``weight_decay`` < 0, and ``nesterov=True`` without momentum or with dampening ≠ 0 raise
    ``ValueError``.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "momentum": _checks.unit_interval,
        "dampening": _checks.closed_unit_interval,
        "weight_decay": _checks.non_negative,
        "nesterov": _checks.boolean,
        "maximize": _checks.boolean,
    }

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, hyperparameters, where):
        super()._check_hyperparameters(hyperparameters, where)
        if hyperparameters.get("nesterov") and (hyperparameters["momentum"] <= 0
                                                or hyperparameters["dampening"] != 0):
            raise ValueError(
                f"nesterov=True{where} needs momentum > 0 and dampening = 0, got "
                f"momentum={hyperparameters['momentum']!r}, dampening={hyperparameters['dampening']!r}."
            )

    def _update(self, param, state, group, buffers):
        grad_buffer, work = buffers
        g = coupled_gradient(param, group["weight_decay"], group["maximize"], out=grad_buffer)
        lr, momentum = group["lr"], group["momentum"]
        if momentum == 0:
            np.multiply(g, lr, out=work)
            param.value -= work
            return
        buffer = state.get("momentum_buffer")
        if buffer is None:
            # in the parameter's dtype, whatever the gradient's (state never changes dtype)
            buffer = state["momentum_buffer"] = np.array(g, dtype=param.value.dtype, copy=True)
        else:
            buffer *= momentum
            np.multiply(g, 1.0 - group["dampening"], out=work)
            buffer += work
        if group["nesterov"]:
            np.multiply(buffer, momentum, out=work)
            work += g
        else:
            np.copyto(work, buffer)
        work *= lr
        param.value -= work
