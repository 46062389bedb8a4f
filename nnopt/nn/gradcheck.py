"""Gradient checking: compare backpropagation with finite differences.

For every entry ``theta_i`` of every Parameter, the central difference

    g_num_i = (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)

has error O(eps^2) (the one-sided difference only O(eps)). The check compares it with the
backprop gradient ``g_bp`` through the relative error

    ||g_num - g_bp|| / max(||g_num|| + ||g_bp||, tiny)

which is scale-free: around 1e-9 or less when backward is right (float64, eps = 1e-6), and
of order 1e-2..1 when it is wrong. Finite differences need float64: in float32 the rounding
error of each loss (about 1e-7 relative) divided by ``2 eps`` swamps the gradient.

Kinks. ReLU and LeakyReLU have a corner at 0. When a probe θ ± eps moves a pre-activation
across it (an input row of zeros with zero biases puts every hidden unit exactly on it), the
loss is not differentiable there: the central difference averages the slopes of the two sides
while backprop takes one side (ReLU'(0) = 0), so a correct network would look wrong. For every
Parameter that fails, :func:`gradient_check` looks at the ReLU inputs at θ + eps and θ - eps of
each checked entry; entries whose probes land on different sides of a kink are left out of
the comparison and reported ("the input sits on a kink of ReLU in layer 2 (relu1): finite
differences are not valid there; move the inputs"). The rest must still agree: a wrong
backward is still FAILED.
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
    """What :func:`gradient_check` found. ``passed``: every Parameter's relative error is below
    ``tolerance`` (for a Parameter with entries on a kink: its error without them).

    ``errors[name]`` is the relative error of Parameter ``name``; ``overall_error`` the
    relative error of all checked entries of all Parameters together; ``numerical`` and
    ``backprop`` hold the compared entries (1-D, float64). ``kinks[name]`` counts the checked
    entries of a failing Parameter whose probes cross a ReLU/LeakyReLU kink,
    ``errors_off_kinks[name]`` is its relative error without them and ``kink_layers`` names
    the layers whose kinks were crossed, e.g. ``("ReLU in layer 2 (relu1)",)``; all empty
    when no kink was in the way. ``below_noise`` names the Parameters whose gradients are too small
    to compare relatively (at the rounding noise ``noise`` of the finite differences) and that
    agree in absolute terms; they count as passed.
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
    kinks: dict[str, int] = field(default_factory=dict)
    errors_off_kinks: dict[str, float] = field(default_factory=dict)
    kink_layers: tuple[str, ...] = ()
    below_noise: tuple[str, ...] = ()
    noise: float = 0.0

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        comparison = "<" if self.passed else ">="
        if self.passed and self.kinks:
            off = sum(self.kinks.values())
            lines = [
                f"Gradient check PASSED away from kinks: every relative error < tolerance {self.tolerance:.0e} once "
                f"the {off} entries whose finite differences cross a kink are left out (central differences, "
                f"eps={self.eps:g})"
            ]
        else:
            lines = [
                f"Gradient check {verdict}: max relative error {self.max_error:.2e} {comparison} "
                f"tolerance {self.tolerance:.0e} (central differences, eps={self.eps:g})"
            ]
        width = max([len("parameter"), len("all")] + [len(name) for name in self.errors])
        lines.append(f"{'parameter'.ljust(width)}  {'checked':>13}  relative error")
        for name, error in self.errors.items():
            checked = f"{self.checked[name]}/{self.sizes[name]}"
            lines.append(f"{name.ljust(width)}  {checked:>13}  {error:.2e}{self._flag(name, error)}")
        total = f"{sum(self.checked.values())}/{sum(self.sizes.values())}"
        lines.append(f"{'all'.ljust(width)}  {total:>13}  {self.overall_error:.2e}")
        if self.kinks:
            lines.append(
                f"The input sits on a kink of {' and of '.join(self.kink_layers)}: finite differences are not "
                f"valid there (they average the slopes on both sides of the corner). Move the inputs, e.g. add "
                f"small noise: X + 1e-3 * np.random.default_rng(0).standard_normal(X.shape)."
            )
        return "\n".join(lines)

    def _flag(self, name: str, error: float) -> str:
        if name in self.below_noise:
            return (f"  <-- gradient this small is below the finite differences' noise "
                    f"(~{self.noise:.0e} per entry): compared in absolute terms, it agrees")
        if name not in self.kinks:
            return "" if error < self.tolerance else "  <-- check this layer's backward"
        on_kink = f"{self.kinks[name]} on a kink, left out"
        off = self.errors_off_kinks[name]
        if off < self.tolerance:
            rest = "nothing else to compare" if self.kinks[name] == self.checked[name] else f"the rest: {off:.2e}"
            return f"  <-- {on_kink}; {rest}"
        return f"  <-- check this layer's backward (the rest: {off:.2e}; {on_kink})"

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
        ``passed`` is True when every Parameter's relative error is below it; for a Parameter
        that fails only because some probes cross a ReLU kink (see the module docstring), its
        error without those entries must be below it.

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
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float, np.floating)) or not (0 < tolerance < np.inf):
        raise ValueError(f"tolerance must be a small positive number such as 1e-6, got {tolerance!r}.")
    X_array = np.asarray(X)
    if X_array.dtype.kind in "fc" and not np.isfinite(X_array).all():
        raise ValueError("X contains NaN or inf: gradient_check needs finite inputs (clean the data first); "
                         "with them every gradient is NaN whatever the backward pass does.")
    rng = as_generator(seed)
    named = model.named_parameters()

    saved_grads = [parameter.grad.copy() for _, parameter in named]
    try:
        for _, parameter in named:
            parameter.zero_grad()
        loss_value = float(model.loss(X, y))
        model.backward()
        backprop_full = [parameter.grad.copy() for _, parameter in named]
    finally:
        for (_, parameter), saved in zip(named, saved_grads):
            parameter.grad[...] = saved

    def loss_at(_):
        return model.loss(X, y, training=False)  # caches nothing, so backward state is untouched

    errors, checked, sizes, numerical, backprop, checked_indices = {}, {}, {}, {}, {}, {}
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
        checked_indices[name] = indices
        sizes[name] = int(size)

    all_numerical = np.concatenate(list(numerical.values())) if numerical else np.zeros(0)
    all_backprop = np.concatenate(list(backprop.values())) if backprop else np.zeros(0)
    overall = relative_error(all_numerical, all_backprop)
    max_error = max(errors.values(), default=0.0)

    # A failing Parameter may only be failing because its probes cross a ReLU kink: find those entries.
    kinks, errors_off_kinks, kink_layers = {}, {}, {}
    kinked = _kinked_layers(model)
    for (name, parameter), grad in zip(named, backprop_full):
        if not kinked or errors[name] < tolerance:
            continue
        indices = checked_indices[name]
        on_kink = np.zeros(indices.size, dtype=bool)
        for position, flat_index in enumerate(indices):
            crossed = _kinks_crossed(model, X, parameter.value, flat_index, eps, kinked)
            on_kink[position] = bool(crossed)
            kink_layers.update(dict.fromkeys(crossed))
        if on_kink.any():
            kinks[name] = int(on_kink.sum())
            errors_off_kinks[name] = relative_error(numerical[name][~on_kink], backprop[name][~on_kink])
    # Central differences carry rounding noise of about ε·|loss|/eps per entry: a Parameter whose
    # gradient is that small (e.g. 0 against 6e-12) cannot be compared relatively. It passes when
    # its absolute difference stays within 10 times that noise (stricter than torch's atol=1e-5).
    noise = 10 * np.finfo(np.float64).eps * max(1.0, abs(loss_value)) / eps
    below_noise = tuple(
        name for name in errors
        if errors_off_kinks.get(name, errors[name]) >= tolerance
        and np.linalg.norm(numerical[name] - backprop[name]) <= noise * np.sqrt(max(checked[name], 1)))
    passed = all(errors_off_kinks.get(name, error) < tolerance or name in below_noise
                 for name, error in errors.items())
    return GradientCheckResult(
        errors=errors,
        checked=checked,
        sizes=sizes,
        overall_error=overall,
        max_error=max_error,
        tolerance=float(tolerance),
        eps=eps,
        passed=bool(passed),
        below_noise=below_noise,
        noise=float(noise),
        numerical=numerical,
        backprop=backprop,
        kinks=kinks,
        errors_off_kinks=errors_off_kinks,
        kink_layers=tuple(sorted(kink_layers, key=_layer_position)),
    )


def _kinked_layers(model) -> list[tuple[str, object]]:
    """``[(description, layer)]`` for the layers with a corner at 0 (ReLU, LeakyReLU)."""
    from .layers import LeakyReLU, ReLU

    return [(f"{type(layer).__name__} in layer {position} ({layer.name})", layer)
            for position, layer in enumerate(getattr(model, "layers", ()), start=1)
            if isinstance(layer, (ReLU, LeakyReLU))]


def _layer_position(description: str) -> int:
    return int(description.split(" in layer ")[1].split(" ")[0])


def _branches(model, X: np.ndarray, kinked) -> list[np.ndarray]:
    """Which side of its kink (input > 0) every unit of every kinked layer is on, for input X."""
    wanted = {id(layer) for _, layer in kinked}
    sides, out = [], X
    for layer in model.layers:
        if id(layer) in wanted:
            sides.append(np.asarray(out) > 0)
        out = layer.forward(out, training=False)  # caches nothing
    return sides


def _kinks_crossed(model, X, value: np.ndarray, flat_index: int, eps: float, kinked) -> list[str]:
    """The kinked layers where probing entry ``flat_index`` of ``value`` by ± eps changes a unit's side."""
    X = np.asarray(X).astype(model.dtype, copy=False)
    index = np.unravel_index(flat_index, value.shape)
    original = value[index]
    try:
        value[index] = original + eps
        plus = _branches(model, X, kinked)
        value[index] = original - eps
        minus = _branches(model, X, kinked)
    finally:
        value[index] = original
    return [description for (description, _), a, b in zip(kinked, plus, minus) if not np.array_equal(a, b)]
