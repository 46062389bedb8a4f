"""Gradient checking: compare backpropagation with finite differences.

For every entry ``theta_i`` of every Parameter, the central difference

    g_num_i = (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)

has error O(eps^2) (the one-sided difference only O(eps)). The check compares it with the
backprop gradient ``g_bp`` through the relative error

    ||g_num - g_bp|| / max(||g_num|| + ||g_bp||, tiny)

which is scale-free: around 1e-9 or less when backward is right (float64, eps = 1e-6), and
of order 1e-2..1 when it is wrong. Finite differences need float64: in float32 the rounding
error of each loss (about 1e-7 relative) divided by ``2 eps`` swamps the gradient.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..parameter import Parameter
from .init import as_generator

__all__ = ["numerical_gradient", "gradient_check", "GradientCheckResult", "relative_error"]

_TINY = np.finfo(np.float64).tiny


def relative_error(numerical: np.ndarray, backprop: np.ndarray) -> float:
    """``||numerical - backprop|| / max(||numerical|| + ||backprop||, tiny)`` (2-norms over all entries).

    0 when both are exactly zero; at most 1.
    """
    numerical = np.asarray(numerical, dtype=np.float64).ravel()
    backprop = np.asarray(backprop, dtype=np.float64).ravel()
    scale = np.linalg.norm(numerical) + np.linalg.norm(backprop)
    return float(np.linalg.norm(numerical - backprop) / max(scale, _TINY))


def _check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not (0 < eps < np.inf):
        raise ValueError(f"eps must be a small positive number such as 1e-6, got {eps!r}.")
    return float(eps)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6, indices=None) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at the array ``x``.

    ``g_i = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``: ``x`` is perturbed IN PLACE, one
    entry at a time, and each entry is restored exactly afterwards. So ``f`` may read ``x``
    through its argument (``numerical_gradient(lambda w: (w ** 2).sum(), w)``) or through
    anything that shares its memory, e.g. a Parameter's ``value``
    (``numerical_gradient(lambda _: model.loss(X, y), W.value)``).

    Returns a float64 array shaped like ``x``; with ``indices`` (flat indices into ``x``),
    only those entries are estimated and a 1-D array of ``len(indices)`` values is returned.
    Costs two evaluations of ``f`` per entry. A Parameter may be passed for ``x`` (its ``value`` is used).
    """
    if isinstance(x, Parameter):
        x = x.value
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be the float numpy array that f reads (it is perturbed in place), got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
            + "."
        )
    if not x.flags.writeable:
        raise ValueError("x must be writeable: numerical_gradient perturbs it in place.")
    eps = _check_eps(eps)
    flat_indices = np.arange(x.size) if indices is None else np.asarray(indices, dtype=np.intp).ravel()
    if flat_indices.size and (flat_indices.min() < 0 or flat_indices.max() >= x.size):
        raise ValueError(f"indices must be flat indices in [0, {x.size}), got {flat_indices.min()}..{flat_indices.max()}.")
    gradient = np.empty(flat_indices.size, dtype=np.float64)
    for position, flat_index in enumerate(flat_indices):
        index = np.unravel_index(flat_index, x.shape)
        original = x[index]
        x[index] = original + eps
        f_plus = float(f(x))
        x[index] = original - eps
        f_minus = float(f(x))
        x[index] = original
        gradient[position] = (f_plus - f_minus) / (2.0 * eps)
    return gradient.reshape(x.shape) if indices is None else gradient


@dataclass
class GradientCheckResult:
    """What :func:`gradient_check` found. ``passed`` is ``max_error < tolerance``.

    ``errors[name]`` is the relative error of Parameter ``name``; ``overall_error`` the
    relative error of all checked entries of all Parameters together; ``numerical`` and
    ``backprop`` hold the compared entries (1-D, float64).
    """

    errors: dict[str, float]
    checked: dict[str, int]
    sizes: dict[str, int]
    overall_error: float
    max_error: float
    tolerance: float
    eps: float
    passed: bool
    numerical: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    backprop: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        comparison = "<" if self.passed else ">="
        lines = [
            f"Gradient check {verdict}: max relative error {self.max_error:.2e} {comparison} "
            f"tolerance {self.tolerance:.0e} (central differences, eps={self.eps:g})"
        ]
        width = max([len("parameter"), len("all")] + [len(name) for name in self.errors])
        lines.append(f"{'parameter'.ljust(width)}  {'checked':>13}  relative error")
        for name, error in self.errors.items():
            checked = f"{self.checked[name]}/{self.sizes[name]}"
            flag = "" if error < self.tolerance else "  <-- check this layer's backward"
            lines.append(f"{name.ljust(width)}  {checked:>13}  {error:.2e}{flag}")
        total = f"{sum(self.checked.values())}/{sum(self.sizes.values())}"
        lines.append(f"{'all'.ljust(width)}  {total:>13}  {self.overall_error:.2e}")
        return "\n".join(lines)

    __repr__ = __str__


def gradient_check(
    model,
    X,
    y,
    eps: float = 1e-6,
    max_checks_per_param: int | None = None,
    seed=0,
    tolerance: float = 1e-6,
) -> GradientCheckResult:
    """Compare ``model.backward()`` with central differences of ``model.loss(X, y)`` for every Parameter.

    max_checks_per_param
        None checks every entry; an int checks that many entries per Parameter, drawn at
        random without replacement (with ``seed``, an int or a Generator) to save time.
    tolerance
        ``passed`` is True when every Parameter's relative error is below it.

    The model is left as it was: Parameter values are restored exactly and any gradients
    already accumulated in ``.grad`` are put back. The model must be float64.
    """
    if np.dtype(model.dtype) != np.float64:
        raise TypeError(
            f"gradient_check needs a float64 model, this one is {model.dtype}: in float32 the rounding "
            f"error of the loss (~1e-7 relative) divided by 2*eps swamps the gradient. Build the model "
            f"with dtype=np.float64, e.g. mlp(sizes, dtype=np.float64)."
        )
    eps = _check_eps(eps)
    if max_checks_per_param is not None and (
        isinstance(max_checks_per_param, bool) or not isinstance(max_checks_per_param, (int, np.integer))
        or max_checks_per_param < 1
    ):
        raise ValueError(f"max_checks_per_param must be None or a positive int, got {max_checks_per_param!r}.")
    rng = as_generator(seed)
    named = model.named_parameters()

    saved_grads = [parameter.grad.copy() for _, parameter in named]
    try:
        for _, parameter in named:
            parameter.zero_grad()
        model.loss(X, y)
        model.backward()
        backprop_full = [parameter.grad.copy() for _, parameter in named]
    finally:
        for (_, parameter), saved in zip(named, saved_grads):
            parameter.grad[...] = saved

    def loss_at(_):
        return model.loss(X, y, training=False)  # caches nothing, so backward state is untouched

    errors, checked, sizes, numerical, backprop = {}, {}, {}, {}, {}
    for (name, parameter), grad in zip(named, backprop_full):
        size = parameter.size
        if max_checks_per_param is None or max_checks_per_param >= size:
            indices = np.arange(size)
        else:
            indices = np.sort(rng.choice(size, size=max_checks_per_param, replace=False))
        numerical[name] = numerical_gradient(loss_at, parameter.value, eps, indices)
        backprop[name] = grad.reshape(-1)[indices].astype(np.float64)
        errors[name] = relative_error(numerical[name], backprop[name])
        checked[name] = int(indices.size)
        sizes[name] = int(size)

    all_numerical = np.concatenate(list(numerical.values())) if numerical else np.zeros(0)
    all_backprop = np.concatenate(list(backprop.values())) if backprop else np.zeros(0)
    overall = relative_error(all_numerical, all_backprop)
    max_error = max(errors.values(), default=0.0)
    return GradientCheckResult(
        errors=errors,
        checked=checked,
        sizes=sizes,
        overall_error=overall,
        max_error=max_error,
        tolerance=float(tolerance),
        eps=eps,
        passed=bool(max_error < tolerance),
        numerical=numerical,
        backprop=backprop,
    )
