r"""Gradient clipping: shrink gradients before the step so one bad batch cannot throw θ far away.

Three rules, all in place on ``param.grad`` (the same semantics as ``torch.nn.utils``):

- :func:`clip_grad_value_`: clamp every entry to ``[−clip_value, clip_value]`` (changes the
  direction of the gradient).
- :func:`clip_grad_norm_`: one *global* norm over all gradients, as if concatenated into a
  single vector; if it exceeds ``max_norm`` every gradient is scaled by
  ``max_norm / (total_norm + 1e-6)`` (direction kept).
- :func:`clip_grad_norm_per_param_`: the same rule for each parameter's array on its own.

To clip inside every ``step()`` of an optimizer, add a transform::

    opt = SGD(model.parameters(), lr=0.1)
    opt.grad_transforms.append(ClipGradNorm(max_norm=1.0))

The transforms run at the start of ``step()``, before the gradients are checked for NaN.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..parameter import Parameter
from . import _checks
from .errors import NonFiniteGradientError

__all__ = [
    "clip_grad_value_",
    "clip_grad_norm_",
    "clip_grad_norm_per_param_",
    "ClipGradValue",
    "ClipGradNorm",
    "ClipGradNormPerParam",
]


def _grads(params: Parameter | Iterable[Parameter]) -> list[np.ndarray]:
    if isinstance(params, Parameter):
        params = [params]
    grads = []
    for index, param in enumerate(params):
        if not isinstance(param, Parameter):
            raise TypeError(f"params must hold nnopt.Parameter objects, but item {index} is a "
                            f"{type(param).__name__}.")
        if param.grad is not None:
            grads.append(param.grad)
    return grads


def _norm_type(norm_type) -> float:
    try:
        p = float(norm_type)
    except (TypeError, ValueError):
        raise TypeError(f"norm_type={norm_type!r} is not allowed: norm_type must be a number > 0 "
                        f"or inf.") from None
    if not p > 0:
        raise ValueError(f"norm_type={norm_type!r} is not allowed: norm_type must be > 0 or inf "
                         f"(2.0 for the Euclidean norm).")
    return p


def _norm(grad: np.ndarray, p: float) -> float:
    """The p-norm of one array, computed without a temporary for p = 2."""
    if grad.size == 0:
        return 0.0
    if math.isinf(p):
        return float(np.max(np.abs(grad)))
    with np.errstate(over="ignore"):        # an overflow is an infinite norm (as in torch)
        if p == 2.0:
            flat = grad.reshape(-1)
            return math.sqrt(float(np.dot(flat, flat)))
        return float(np.power(np.sum(np.abs(grad) ** p), 1.0 / p))


def _total_norm(norms: list[float], p: float) -> float:
    if not norms:
        return 0.0
    if math.isinf(p):
        return math.nan if any(math.isnan(n) for n in norms) else max(norms)
    with np.errstate(over="ignore"):
        return float(np.power(np.sum(np.power(np.array(norms), p)), 1.0 / p))


def _scale_(grads: list[np.ndarray], max_norm: float, total_norm: float) -> None:
    coefficient = max_norm / (total_norm + 1e-6)
    if coefficient >= 1.0:      # never scale up; NaN compares False, so a NaN norm scales (as torch)
        return
    # A non-finite norm gives a NaN or 0 coefficient and inf·0 = NaN, as in torch; the
    # optimizer's finite check then stops the step, so NumPy's warning adds nothing.
    with np.errstate(invalid="ignore"):
        for grad in grads:
            grad *= coefficient


def clip_grad_value_(params: Parameter | Iterable[Parameter], clip_value: float) -> None:
    """Clamp every gradient entry to ``[−clip_value, clip_value]``, in place (``torch.nn.utils``)."""
    _checks.non_negative_or_inf("clip_value", clip_value)
    for grad in _grads(params):
        np.clip(grad, -clip_value, clip_value, out=grad)


def clip_grad_norm_(params: Parameter | Iterable[Parameter], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    r"""Scale all gradients together so their global norm is at most ``max_norm``; returns the norm.

    ::

        total = (Σᵢ ‖gᵢ‖ₚᵖ)^(1/p)        (max |g| for p = inf), over all parameters at once
        coef  = max_norm / (total + 1e-6)
        if coef < 1:  gᵢ ← coef·gᵢ        (coef ≥ 1: nothing changes)

    Returns the total norm *before* clipping (useful to plot). As in
    ``torch.nn.utils.clip_grad_norm_``, a NaN or infinite total norm raises
    :class:`NonFiniteGradientError` if ``error_if_nonfinite`` and otherwise scales the
    gradients by the (NaN or zero) coefficient; the optimizer's finite check then stops the
    step.
    """
    _checks.non_negative_or_inf("max_norm", max_norm)
    _checks.boolean("error_if_nonfinite", error_if_nonfinite)
    p = _norm_type(norm_type)
    grads = _grads(params)
    total_norm = _total_norm([_norm(grad, p) for grad in grads], p)
    if error_if_nonfinite and not math.isfinite(total_norm):
        raise NonFiniteGradientError(
            f"the total gradient norm of order {p} is {total_norm}, so it cannot be clipped. Lower "
            f"the learning rate; to scale by the non-finite norm anyway pass error_if_nonfinite=False."
        )
    _scale_(grads, float(max_norm), total_norm)
    return total_norm


def clip_grad_norm_per_param_(params: Parameter | Iterable[Parameter], max_norm: float,
                              norm_type: float = 2.0) -> np.ndarray:
    """Clip each parameter's gradient to norm ``max_norm`` on its own; returns the norms before.

    The rule of :func:`clip_grad_norm_`, applied to every array separately: a layer with a
    huge gradient is scaled down without shrinking the others.
    """
    _checks.non_negative_or_inf("max_norm", max_norm)
    p = _norm_type(norm_type)
    grads = _grads(params)
    norms = np.array([_norm(grad, p) for grad in grads], dtype=np.float64)
    for grad, norm in zip(grads, norms):
        _scale_([grad], float(max_norm), float(norm))
    return norms


class ClipGradValue:
    """Gradient transform for ``optimizer.grad_transforms``: :func:`clip_grad_value_`."""

    def __init__(self, clip_value: float):
        _checks.non_negative_or_inf("clip_value", clip_value)
        self.clip_value = clip_value

    def __call__(self, params) -> None:
        clip_grad_value_(params, self.clip_value)

    def __repr__(self) -> str:
        return f"ClipGradValue(clip_value={self.clip_value})"


class ClipGradNorm:
    """Gradient transform for ``optimizer.grad_transforms``: :func:`clip_grad_norm_`.

    ``last_norm`` holds the global norm before clipping at the most recent step.
    """

    def __init__(self, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False):
        _checks.non_negative_or_inf("max_norm", max_norm)
        _checks.boolean("error_if_nonfinite", error_if_nonfinite)
        self.max_norm = max_norm
        self.norm_type = _norm_type(norm_type)
        self.error_if_nonfinite = error_if_nonfinite
        self.last_norm: float | None = None

    def __call__(self, params) -> None:
        self.last_norm = clip_grad_norm_(params, self.max_norm, self.norm_type, self.error_if_nonfinite)

    def __repr__(self) -> str:
        return f"ClipGradNorm(max_norm={self.max_norm}, norm_type={self.norm_type})"


class ClipGradNormPerParam:
    """Gradient transform for ``optimizer.grad_transforms``: :func:`clip_grad_norm_per_param_`.

    ``last_norms`` holds each parameter's norm before clipping at the most recent step.
    """

    def __init__(self, max_norm: float, norm_type: float = 2.0):
        _checks.non_negative_or_inf("max_norm", max_norm)
        self.max_norm = max_norm
        self.norm_type = _norm_type(norm_type)
        self.last_norms: np.ndarray | None = None

    def __call__(self, params) -> None:
        self.last_norms = clip_grad_norm_per_param_(params, self.max_norm, self.norm_type)

    def __repr__(self) -> str:
        return f"ClipGradNormPerParam(max_norm={self.max_norm}, norm_type={self.norm_type})"
