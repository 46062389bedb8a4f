"""Run an nnopt optimizer on a 2-D test function: the path it takes, its losses, a race of several.

The point θ = (x, y) is one :class:`~nnopt.parameter.Parameter` of shape ``(2,)``, and the
optimizer is the same class that trains the network, built by a factory such as
``lambda params: nnopt.optim.Adam(params, lr=0.1)``. Each step does::

    g = ∇f(θ) + σ ξ,  ξ ~ N(0, I₂)       (σ = grad_noise, from a seeded Generator; 0 by default)
    g ← g · min(1, c / (‖g‖ + 1e-6))     (only with clip_norm=c: nnopt.optim.clip_grad_norm_,
                                          the same numbers as torch.nn.utils.clip_grad_norm_)
    θ.grad = g;  optimizer.step();  scheduler.step()  (if a scheduler_factory was given)

Divergence: a run stops at step N when the point it would move to is non-finite or leaves
the box |x|, |y| <= ``bound`` (1e6), or when the gradient at its current point is not finite
(overflowed, or infinite noise), so no step can be taken. The path keeps the finite points
0..N-1, ``diverged=True``, ``diverged_at=N`` and ``divergence`` holds the message
("... diverged on quadratic at step 32: ... Lower the learning rate (lr=2.1)."). A start
already outside the box is a run diverged at step 0 whose path is the start alone. By default
the message is also a :class:`DivergenceWarning` (friendlier in a plot than an error);
``on_divergence="raise"`` raises :class:`TrajectoryDiverged` (the truncated run on
``.result``) instead, ``"ignore"`` only sets the fields. The plots draw the finite part and
say "diverged at step N".
"""
from __future__ import annotations

import importlib
import inspect
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.batches import as_generator
from ..optim.clip import clip_grad_norm_
from ..parameter import Parameter
from .base import Function2D, _as_points
from .registry import get_function

ON_DIVERGENCE = ("warn", "raise", "ignore")
DEFAULT_BOUND = 1e6


class DivergenceWarning(UserWarning):
    """A trajectory left the finite region (non-finite or beyond ``bound``) and was truncated."""


class TrajectoryDiverged(FloatingPointError):
    """Raised by :func:`trajectory` with ``on_divergence="raise"``; ``result`` holds the truncated run."""

    def __init__(self, message: str, result: Trajectory):
        super().__init__(message)
        self.result = result

    def __reduce__(self):  # pickle and copy keep the message and the partial trajectory
        return type(self), (self.args[0], self.result), self.__dict__


@dataclass
class Trajectory:
    """One optimizer's run on one function.

    ``path`` has shape ``(n + 1, 2)``: the start, then the point after each of the n steps taken
    (n = ``steps`` unless the run diverged). ``losses[t] = f(path[t])`` and
    ``grad_norms[t] = ‖∇f(path[t])‖`` (the true gradient, without noise). ``label`` names the
    run (by default the optimizer and its hyperparameters, e.g. ``"Adam (lr=0.1)"``);
    ``optimizer`` is the class name and ``family`` the style key for colours (``"Nesterov"``
    for ``SGD(nesterov=True)``, ``"Momentum"`` for SGD with momentum, ``"AMSGrad"`` for
    ``Adam(amsgrad=True)``). ``diverged_at`` is the step N at which a diverged run stopped
    (``path`` then holds steps 0..N-1; N = 0 when the start was outside the bound) and
    ``divergence`` the message that says so (None for a run that did not diverge). ``info`` records ``x0``, ``grad_noise``, ``clip_norm`` and the function's
    ``minimum_value`` f* (None when it has no known minimum).
    """

    path: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    label: str
    optimizer: str
    family: str
    hyperparameters: dict[str, Any]
    function: str
    steps: int
    diverged: bool = False
    diverged_at: int | None = None
    info: dict[str, Any] = field(default_factory=dict)
    divergence: str | None = None

    @property
    def final(self) -> np.ndarray:
        """The last point of the path."""
        return self.path[-1]

    @property
    def steps_taken(self) -> int:
        return len(self.path) - 1

    def __repr__(self) -> str:
        state = f"diverged at step {self.diverged_at}" if self.diverged else f"f = {self.losses[-1]:.4g}"
        return (
            f"Trajectory({self.label!r} on {self.function}, {self.steps_taken} steps, "
            f"end ({self.final[0]:.4g}, {self.final[1]:.4g}), {state})"
        )


# -- naming optimizers ---------------------------------------------------------------------
def optimizer_family(optimizer) -> str:
    """The style key of an optimizer: its class name, refined by the flags that change the method.

    ``SGD`` with ``nesterov=True`` is ``"Nesterov"``, with ``momentum > 0`` ``"Momentum"``;
    ``Adam``/``AdamW`` with ``amsgrad=True`` is ``"AMSGrad"``.
    """
    name = type(optimizer).__name__
    group = optimizer.param_groups[0]
    if name == "SGD":
        if group.get("nesterov"):
            return "Nesterov"
        if group.get("momentum", 0) > 0:
            return "Momentum"
    if name == "Momentum" and group.get("nesterov"):
        return "Nesterov"
    if name in ("Adam", "AdamW") and group.get("amsgrad"):
        return "AMSGrad"
    return name


def _format_value(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_format_value(v) for v in value) + ")"
    return repr(value)


def optimizer_hyperparameters(optimizer) -> dict[str, Any]:
    """The first parameter group's hyperparameters (everything but ``params``)."""
    return {key: value for key, value in optimizer.param_groups[0].items() if key != "params"}


def describe_optimizer(optimizer) -> str:
    """A legend label: class name, the learning rate and every hyperparameter not at its default.

    >>> describe_optimizer(SGD([Parameter([0.0, 0.0])], lr=0.1, momentum=0.9))  # doctest: +SKIP
    'SGD (lr=0.1, momentum=0.9)'
    """
    hyperparameters = optimizer_hyperparameters(optimizer)
    try:
        signature = inspect.signature(type(optimizer).__init__).parameters
    except (TypeError, ValueError):
        signature = {}
    shown = []
    for key, value in hyperparameters.items():
        if key not in signature and key != "lr":
            continue  # bookkeeping added later, e.g. a scheduler's "initial_lr"
        default = signature[key].default if key in signature else inspect.Parameter.empty
        if key == "lr" or default is inspect.Parameter.empty or not _equal(value, default):
            shown.append(f"{key}={_format_value(value)}")
    name = type(optimizer).__name__
    return f"{name} ({', '.join(shown)})" if shown else name


def _equal(a, b) -> bool:
    try:
        return bool(np.all(np.asarray(a) == np.asarray(b)))
    except (TypeError, ValueError):
        return a == b


# name -> (class name in nnopt.optim, preset hyperparameters)
_OPTIMIZER_ALIASES = {
    "gd": ("SGD", {}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "amsgrad": ("Adam", {"amsgrad": True}),
}


def _optim_module():
    try:
        return importlib.import_module("nnopt.optim")
    except ImportError as error:  # pragma: no cover - only while nnopt.optim is being written
        raise ImportError(f"nnopt.optim could not be imported ({error}).") from error


def make_factory(name: str, **hyperparameters) -> Callable[[list[Parameter]], Any]:
    """A factory ``params -> optimizer`` for the nnopt.optim class called ``name`` (any case).

    Besides the class names (``"SGD"``, ``"Momentum"``, ``"Adam"``, ...) it knows
    ``"GD"`` (SGD), ``"Nesterov"`` (SGD with momentum=0.9, nesterov=True) and ``"AMSGrad"``
    (Adam with amsgrad=True). The hyperparameters are checked at once by building the
    optimizer on a throw-away point, so a bad value fails here, not in the middle of a race.

    >>> race({"SGD": make_factory("SGD", lr=1e-3), "Adam": make_factory("Adam", lr=0.1)}, "rosenbrock")  # doctest: +SKIP
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be an optimizer name (str), got {name!r}.")
    optim = _optim_module()
    key = name.strip().lower()
    class_name, preset = _OPTIMIZER_ALIASES.get(key, (name.strip(), {}))
    available = {
        attribute.lower(): attribute
        for attribute in dir(optim)
        if isinstance(getattr(optim, attribute), type) and hasattr(getattr(optim, attribute), "step")
        and attribute != "Optimizer"
    }
    if class_name.lower() not in available:
        valid = sorted(set(available.values()) | {"GD", "Nesterov", "AMSGrad"}, key=str.lower)
        raise ValueError(f"unknown optimizer {name!r}; valid names: {', '.join(valid)}.")
    cls = getattr(optim, available[class_name.lower()])
    options = {**preset, **hyperparameters}
    cls([Parameter(np.zeros(2))], **options)  # fail early on bad hyperparameters

    def factory(params):
        return cls(params, **options)

    factory.__name__ = f"make_{cls.__name__}"
    factory.__qualname__ = factory.__name__
    return factory


# -- running -------------------------------------------------------------------------------
def _check_count(argument: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{argument} must be a whole number >= 0, got {value!r}.")
    return int(value)


def _check_non_negative(argument: str, value, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{argument} must be a number, got {value!r}.")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{argument} must be a finite number >= 0, got {value!r}.")
    return float(value)


def trajectory(
    optimizer_factory: Callable[[list[Parameter]], Any],
    function: str | Function2D,
    x0=None,
    steps: int = 100,
    *,
    grad_noise: float = 0.0,
    seed: int | np.random.Generator = 0,
    clip_norm: float | None = None,
    scheduler_factory: Callable[[Any], Any] | None = None,
    label: str | None = None,
    on_divergence: str = "warn",
    bound: float = DEFAULT_BOUND,
) -> Trajectory:
    """Run ``steps`` optimizer steps on ``function`` from ``x0``; return a :class:`Trajectory`.

    Parameters
    ----------
    optimizer_factory
        ``params -> optimizer``, e.g. ``lambda params: nnopt.optim.Adam(params, lr=0.1)`` or
        :func:`make_factory`; it receives ``[θ]``, one Parameter of shape ``(2,)``.
    function
        A :class:`Function2D` or a registry name (``"rosenbrock"``, ...).
    x0
        The start, shape ``(2,)``; ``function.start`` by default.
    grad_noise
        σ of the Gaussian noise added to each gradient, ``g = ∇f + σ ξ`` (mimics mini-batch
        noise); drawn from ``numpy.random.default_rng(seed)``.
    clip_norm
        If given, the (noisy) gradient is rescaled to norm at most ``clip_norm``.
    scheduler_factory
        ``optimizer -> scheduler``, e.g. ``lambda opt: StepLR(opt, 20, 0.5)``;
        ``scheduler.step()`` runs after every optimizer step.
    label
        The run's name; by default :func:`describe_optimizer` (e.g. ``"Adam (lr=0.1)"``).
    on_divergence
        ``"warn"`` (truncate, flag, :class:`DivergenceWarning`), ``"raise"``
        (:class:`TrajectoryDiverged`) or ``"ignore"`` (truncate and flag silently). In every
        mode the returned (or ``.result``) run has ``diverged_at = N`` and the message in
        ``divergence``; its path is the finite part, steps 0..N-1.
    bound
        A point with |x| or |y| above ``bound`` counts as diverged (default 1e6); a gradient
        that is not finite (it overflowed far out, or the noise did) stops the run as well.
    """
    function = get_function(function)
    steps = _check_count("steps", steps)
    grad_noise = _check_non_negative("grad_noise", grad_noise)
    clip_norm = _check_non_negative("clip_norm", clip_norm, allow_none=True)
    if clip_norm == 0.0:
        raise ValueError("clip_norm must be > 0 (the largest gradient norm allowed), or None to not clip; got 0.")
    bound = _check_non_negative("bound", bound)
    if bound == 0.0:
        raise ValueError("bound must be > 0 (the largest |x| or |y| a run may reach), got 0.")
    if on_divergence not in ON_DIVERGENCE:
        raise ValueError(f"on_divergence must be one of {ON_DIVERGENCE}, got {on_divergence!r}.")
    if not callable(optimizer_factory):
        raise TypeError(
            "optimizer_factory must be a callable params -> optimizer, e.g. "
            f"lambda params: nnopt.optim.Adam(params, lr=0.1); got {optimizer_factory!r}."
        )
    start = _as_points(function.start if x0 is None else x0, "x0")
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be one finite point (x, y) of shape (2,), got {x0!r}.")
    if isinstance(seed, str):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got the string {seed!r}; "
                        f"pass seed={seed.strip()} without quotes if you meant a number.")
    rng = as_generator(seed, name="seed")

    theta = Parameter(start.copy(), name="θ")
    optimizer = optimizer_factory([theta])
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "param_groups")):
        raise TypeError(
            f"optimizer_factory must return an optimizer (with step() and param_groups), got {optimizer!r}."
        )
    if not any(param is theta for group in optimizer.param_groups for param in group.get("params", ())):
        raise ValueError("optimizer_factory must build the optimizer on the parameters it is given, e.g. "
                         "lambda params: SGD(params, lr=0.1); this one holds other parameters, so the point "
                         "would never move.")
    scheduler = None
    if scheduler_factory is not None:
        is_scheduler = not isinstance(scheduler_factory, type) and callable(getattr(scheduler_factory, "step", None))
        if not callable(scheduler_factory) or is_scheduler:
            raise TypeError(f"scheduler_factory must be a function optimizer -> scheduler, e.g. "
                            f"lambda opt: StepLR(opt, 20, 0.5), got {scheduler_factory!r} (a scheduler is "
                            f"built for each run's own optimizer, so pass the function, not a scheduler).")
        scheduler = scheduler_factory(optimizer)
        if not callable(getattr(scheduler, "step", None)) or getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError("scheduler_factory must return a scheduler built on the optimizer it is given, "
                             "e.g. lambda opt: StepLR(opt, 20, 0.5); this one steps another optimizer (or none).")
        if type(scheduler).__name__ == "ReduceLROnPlateau":
            raise TypeError("ReduceLROnPlateau needs a metric at every step (scheduler.step(loss)), which "
                            "trajectory does not pass; use a schedule that needs none, e.g. StepLR or "
                            "CosineAnnealingLR, or train with nnopt.fit, which passes the validation loss.")
    hyperparameters = optimizer_hyperparameters(optimizer)
    label = describe_optimizer(optimizer) if label is None else str(label)

    path = np.empty((steps + 1, 2))
    path[0] = start
    diverged_at, reason = None, None
    if not np.max(np.abs(start)) <= bound:
        diverged_at, reason = 0, f"the start ({start[0]:.3g}, {start[1]:.3g}) is outside |x|, |y| <= {bound:g}"
    for t in range(1, steps + 1 if diverged_at is None else 0):
        gradient = function.grad(theta.value)
        if grad_noise > 0:
            with np.errstate(over="ignore"):  # huge noise: caught just below
                gradient += grad_noise * rng.standard_normal(2)
        if not np.all(np.isfinite(gradient)):
            diverged_at, reason = t, (f"the gradient at step {t - 1} is not finite ({gradient[0]:.3g}, "
                                      f"{gradient[1]:.3g})")
            break
        theta.grad[...] = gradient
        if clip_norm is not None:
            clip_grad_norm_([theta], clip_norm)
        # Overflow here is caught by the check below, and reported once as divergence.
        with np.errstate(over="ignore", invalid="ignore"):
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        if not (np.all(np.isfinite(theta.value)) and np.max(np.abs(theta.value)) <= bound):
            diverged_at, reason = t, f"the point became non-finite or left |x|, |y| <= {bound:g}"
            break
        path[t] = theta.value

    path = path[: max(diverged_at, 1) if diverged_at is not None else steps + 1].copy()
    result = Trajectory(
        path=path,
        losses=function.value(path),
        grad_norms=_norms(function.grad(path)),
        label=label,
        optimizer=type(optimizer).__name__,
        family=optimizer_family(optimizer),
        hyperparameters=hyperparameters,
        function=function.name,
        steps=steps,
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        info={"x0": start.copy(), "grad_noise": grad_noise, "clip_norm": clip_norm,
              "minimum_value": function.minimum_value},
    )
    if result.diverged:
        result.divergence = _divergence_message(label, function.name, diverged_at, reason, optimizer, grad_noise)
        if on_divergence == "raise":
            raise TrajectoryDiverged(result.divergence, result)
        if on_divergence == "warn":
            warnings.warn(result.divergence, DivergenceWarning, stacklevel=2)
    return result


def _norms(gradients: np.ndarray) -> np.ndarray:
    """‖g‖ per row; a norm whose squares overflow (‖g‖ > 1e154) is recomputed with hypot."""
    with np.errstate(over="ignore"):
        norms = np.linalg.norm(gradients, axis=1)
    redo = ~np.isfinite(norms)
    if redo.any():
        with np.errstate(over="ignore", invalid="ignore"):
            norms[redo] = np.hypot(gradients[redo, 0], gradients[redo, 1])
    return norms


def _divergence_message(label: str, function: str, step: int, reason: str, optimizer, grad_noise: float) -> str:
    if step == 0:
        return (f"{label} diverged on {function} at step 0: {reason}; the path is the start alone. "
                f"Start inside the window, or pass a larger bound=.")
    lr = optimizer.param_groups[0].get("lr")
    fix = f"Lower the learning rate (lr={lr:g})" if _is_number(lr) else "Lower the learning rate"
    if grad_noise > 0:
        fix += f" or the gradient noise (grad_noise={grad_noise:g})"
    return (f"{label} diverged on {function} at step {step}: {reason}; the path stops at step {step - 1}. "
            f"{fix}, or clip the gradient (clip_norm=).")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def race(
    factories: Mapping[str, Callable[[list[Parameter]], Any]],
    function: str | Function2D,
    x0=None,
    steps: int = 100,
    **options,
) -> dict[str, Trajectory]:
    """Run several optimizers from the same start: ``{label: factory}`` -> ``{label: Trajectory}``.

    Every run gets the same ``x0``, ``steps`` and ``options`` (those of :func:`trajectory`),
    including the same noise ``seed``, so with ``grad_noise > 0`` and an int seed all
    optimizers see the same sequence of noise draws ξ (a fair race); a ``Generator`` passed
    as ``seed`` is shared, so each run continues its stream instead. The dict keys become the
    runs' labels.
    """
    if not isinstance(factories, Mapping) or not factories:
        raise TypeError(
            "factories must be a non-empty dict {label: factory}, e.g. "
            "{'Adam': lambda params: nnopt.optim.Adam(params, lr=0.1)}; got "
            f"{factories!r}."
        )
    if "label" in options:
        raise TypeError("race takes its labels from the keys of factories; do not pass label=.")
    function = get_function(function)
    return {
        str(label): trajectory(factory, function, x0, steps, label=str(label), **options)
        for label, factory in factories.items()
    }
