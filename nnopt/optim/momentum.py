r"""The course's momentum: gradient descent along an exponentially weighted average of gradients."""
from __future__ import annotations

import numpy as np

from . import _checks
from .ewa import bias_correction, ewa_update_
from .optimizer import Optimizer

__all__ = ["Momentum"]


class Momentum(Optimizer):
    r"""Gradient descent with momentum in the EWA form (deeplearning.ai)::

        v ← β·v + (1 − β)·g          (v₀ = 0; state "velocity")
        θ ← θ − lr·v                  or  θ ← θ − lr·v/(1 − βᵗ) with bias_correction=True

    ``v`` averages roughly the last ``1/(1 − β)`` gradients: components that flip sign from
    step to step cancel, components that persist add up.

    Exact relation to :class:`~nnopt.optim.SGD` (``torch.optim.SGD``), whose buffer is
    ``b₁ = g₁``, ``bₜ = μ·bₜ₋₁ + (1 − dampening)·gₜ``:

    - ``Momentum(lr=α, beta=β)`` gives the same θ at every step as
      ``SGD(lr=α·(1 − β), momentum=β, dampening=0)``: unrolled,
      ``vₜ = (1 − β)·Σₖ βᵗ⁻ᵏ gₖ = (1 − β)·bₜ``. torch's first-step rule ``b₁ = g₁`` changes
      nothing here, because with dampening 0 it equals ``β·0 + g₁``.
    - ``SGD(lr=α, momentum=β, dampening=β)`` runs the same EWA recursion but starts it at
      ``g₁`` instead of 0: for the same gradients ``bₜ = vₜ + βᵗ·g₁``. Its first step is
      ``α·g₁`` instead of ``α(1 − β)·g₁``; the gap between the buffers fades like ``βᵗ``,
      but the early extra steps (``α·βᵗ·g₁`` each) leave the θ paths apart.
    - With ``bias_correction=True`` the first step is ``α·g₁`` too (``v₁/(1 − β) = g₁``).

    Keras and the "classical" (Sutskever et al.) form put the learning rate inside the
    buffer, ``v ← β·v − lr·g; θ ← θ + v``; that is SGD's form up to ``v = −lr·b``.
    """

    _hyperparameter_checks = {
        "lr": _checks.learning_rate,
        "beta": _checks.unit_interval,
        "bias_correction": _checks.boolean,
    }
    _n_work_arrays = 1

    def __init__(self, params, lr: float = 0.01, beta: float = 0.9, bias_correction: bool = False):
        super().__init__(params, dict(lr=lr, beta=beta, bias_correction=bias_correction))

    def _init_state(self, param, group):
        return {"step": 0, "velocity": np.zeros_like(param.value)}

    def _update(self, param, state, group, buffers):
        (work,) = buffers
        beta = group["beta"]
        state["step"] += 1
        velocity = ewa_update_(state["velocity"], param.grad, beta, scratch=work)
        step_size = group["lr"]
        if group["bias_correction"]:
            step_size /= bias_correction(beta, state["step"])
        np.multiply(velocity, step_size, out=work)
        param.value -= work

