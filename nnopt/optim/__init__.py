"""Every optimizer of the course, built from one exponentially weighted average (EWA).

The classes follow ``torch.optim`` (names, arguments, defaults and numbers)::

    from nnopt.optim import Adam
    opt = Adam(model.parameters(), lr=1e-3)
    for X_batch, y_batch in batches:
        model.zero_grad()
        model.loss(X_batch, y_batch)
        model.backward()
        opt.step()

- ``ewa``: :class:`EWA` and the in-place kernels ``ewa_update_``, ``ewa_update_sq_``,
  ``bias_correction`` that Momentum, RMSprop, Adam and the rest are built from
- ``optimizer``: the :class:`Optimizer` base (param_groups, state, step, zero_grad, state_dict)
- ``SGD`` (torch's momentum buffer), ``Momentum`` (the course's EWA momentum), ``Adagrad``,
  ``Adadelta``, ``RMSprop``, ``Adam``, ``AdamW``, ``Adamax``, ``NAdam``, ``RAdam``, ``Lion``
- ``clip``: gradient clipping by value, by global norm and per parameter
"""
from __future__ import annotations

from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .clip import (
    ClipGradNorm,
    ClipGradNormPerParam,
    ClipGradValue,
    clip_grad_norm_,
    clip_grad_norm_per_param_,
    clip_grad_value_,
)
from .errors import NonFiniteGradientError
from .ewa import EWA, bias_correction, ewa_series, ewa_update_, ewa_update_sq_
from .lion import Lion
from .momentum import Momentum
from .nadam import NAdam
from .optimizer import Optimizer, coupled_gradient
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Lion",
    "EWA",
    "ewa_update_",
    "ewa_update_sq_",
    "bias_correction",
    "ewa_series",
    "coupled_gradient",
    "clip_grad_value_",
    "clip_grad_norm_",
    "clip_grad_norm_per_param_",
    "ClipGradValue",
    "ClipGradNorm",
    "ClipGradNormPerParam",
    "NonFiniteGradientError",
]
