"""Experiment helpers of notebook 7: saddles, local minima, cliffs and exploding gradients.

The notebook keeps what teaches (the formulas, the plots, the conclusions); the bookkeeping
lives here:

- :class:`Cliff`, the gentle bowl with a steep wall of notebook 7 (a :class:`Function2D`);
- :func:`run_many`, heavy-ball gradient descent from many starts at once, as rows of one
  array, with optional gradient noise that decays to zero; :func:`reached_minimum` names the
  minimum each run ended in; :func:`escape_study` measures the usual escapes from a local
  minimum (best of k random restarts, decaying gradient noise, larger learning rates) as the
  fraction of seeded random starts that end in the global minimum;
- :func:`scaled_normal` and :func:`deep_network`, the deep tanh / linear networks of the
  exploding-gradient section, and :func:`deep_digits_run`, a deep ReLU MLP on the digits
  trained with plain SGD, with the global gradient norm recorded at every step.

Every function that draws random numbers takes a ``seed``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..landscapes.base import Function2D
from ..nn import Dense, MeanSquaredError, Sequential, Tanh, mlp
from ..optim import SGD, ClipGradNorm
from ..optim.errors import NonFiniteGradientError
from ..train import TrainingDiverged, fit

__all__ = [
    "Cliff",
    "run_many",
    "reached_minimum",
    "random_starts",
    "escape_study",
    "EscapeStudy",
    "Escape",
    "scaled_normal",
    "deep_network",
    "deep_digits_run",
    "DigitsRun",
    "layer_gradient_norms",
    "fit_recording_norms",
]


def _logistic(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # 1 / (1 + e^-z), without overflow


class Cliff(Function2D):
    r"""A bowl 0.05 (x² + 4y²) with a smooth wall of slope ``slope`` across the band c <= u <= c + d.

    With u = 0.8x + 0.6y (the wall's normal), c = ``edge``, d = ``width``, k = ``sharpness``::

        f = 0.05 (x² + 4y²) + (s/k) [softplus(k(u - c)) - softplus(k(u - c - d))]
        ∇f = (0.1 x, 0.4 y) + s [σ(k(u - c)) - σ(k(u - c - d))] (0.8, 0.6)

    (σ the logistic function). On the face of the wall ∇f ≈ s (0.8, 0.6); the minimum is the origin.
    """

    name = "cliff"
    formula = r"$0.05\,(x^2 + 4y^2)$ + a wall"

    def __init__(self, slope=10.0, edge=1.5, width=0.5, sharpness=20.0, normal=(0.8, 0.6)):
        for argument, value in (("slope", slope), ("width", width), ("sharpness", sharpness)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"{argument} must be a finite number > 0, got {value!r}.")
        self.slope, self.edge, self.width, self.k = float(slope), float(edge), float(width), float(sharpness)
        self.normal = normal
        super().__init__(xlim=(-8.0, 6.0), ylim=(-7.0, 4.0), start=(4.5, 2.0), minima=[(0.0, 0.0)])

    def _u(self, x, y):
        return self.normal[0] * x + self.normal[1] * y - self.edge

    def _value(self, x, y):
        u, k = self._u(x, y), self.k
        wall = np.logaddexp(0.0, k * u) - np.logaddexp(0.0, k * (u - self.width))  # softplus difference
        return 0.05 * (x * x + 4 * y * y) + self.slope / k * wall

    def _gradient(self, x, y):
        u, k = self._u(x, y), self.k
        wall_slope = self.slope * (_logistic(k * u) - _logistic(k * (u - self.width)))
        return 0.1 * x + wall_slope * self.normal[0], 0.4 * y + wall_slope * self.normal[1]


# -- many runs at once ----------------------------------------------------------------------------
def _check_positive(argument, value, allow_zero=False):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{argument} must be a finite number {bound}, got {value!r}.")
    return float(value)


def random_starts(function: Function2D, n: int, seed=0) -> np.ndarray:
    """``n`` start points drawn uniformly from the function's window, shape (n, 2)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}.")
    rng = np.random.default_rng(seed)
    low = np.array([function.xlim[0], function.ylim[0]])
    high = np.array([function.xlim[1], function.ylim[1]])
    return low + (high - low) * rng.random((int(n), 2))


def run_many(function: Function2D, starts, lr: float, momentum: float = 0.0, steps: int = 300,
             noise: float = 0.0, noise_steps: int | None = None, seed=0) -> np.ndarray:
    r"""Heavy-ball gradient descent from every row of ``starts`` at once; the end points (n, 2).

    Exactly ``SGD(lr, momentum)``'s update (PyTorch form, b₁ = g)::

        g_t = ∇f(θ_t) + σ_t ξ_t,   b_t = μ b_{t-1} + g_t,   θ_{t+1} = θ_t - α b_t

    with ξ_t ~ N(0, I) and noise that decays linearly to zero, σ_t = σ (1 - t / T)₊,
    T = ``noise_steps`` (default: two thirds of ``steps``), so the last steps are plain
    descent and every run settles. A run that leaves the window by more than its size (or
    overflows) is frozen and returned as NaN: it diverged.
    """
    lr = _check_positive("lr", lr)
    if not (isinstance(momentum, (int, float)) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}.")
    noise = _check_positive("noise", noise, allow_zero=True)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    noise_steps = int(round(2 * steps / 3)) if noise_steps is None else noise_steps
    theta = np.array(starts, dtype=np.float64)
    if theta.ndim != 2 or theta.shape[1] != 2:
        raise ValueError(f"starts must have shape (n, 2), got {theta.shape}.")
    rng = np.random.default_rng(seed)
    span = max(function.xlim[1] - function.xlim[0], function.ylim[1] - function.ylim[0])
    centre = np.array([np.mean(function.xlim), np.mean(function.ylim)])
    alive = np.ones(len(theta), dtype=bool)
    buffer = np.zeros_like(theta)
    for t in range(steps):
        grad = function.grad(theta)
        sigma_t = noise * max(0.0, 1.0 - t / noise_steps) if noise_steps > 0 else 0.0
        if sigma_t > 0:
            grad = grad + sigma_t * rng.standard_normal(theta.shape)
        buffer = momentum * buffer + grad
        step = np.where(alive[:, None], lr * buffer, 0.0)
        theta = theta - step
        alive &= np.all(np.abs(theta - centre) < span, axis=1)
        theta[~alive] = centre  # frozen somewhere harmless; reported as NaN below
        buffer[~alive] = 0.0
    theta[~alive] = np.nan
    return theta


def reached_minimum(function: Function2D, points, tol: float = 0.05) -> np.ndarray:
    """Index of the known minimum within ``tol`` of each point (-1: none, or the run diverged)."""
    points = np.asarray(points, dtype=np.float64)
    distances = np.linalg.norm(points[:, None, :] - function.minima[None, :, :], axis=2)
    with np.errstate(invalid="ignore"):
        close = np.nan_to_num(distances, nan=np.inf).min(axis=1) < tol
    return np.where(close, np.nan_to_num(distances, nan=np.inf).argmin(axis=1), -1)


@dataclass
class Escape:
    """Where the runs of one escape method ended, as fractions of the starts, and its cost."""

    label: str
    gradient_evaluations: int  # per attempt (k restarts of 300 steps cost 300 k)
    global_minimum: float  # ended in the global minimum (index 0 of function.minima)
    other_minimum: float  # ended in another known minimum
    not_settled: float  # within tol of no minimum (still moving, bouncing or diverged)


@dataclass
class EscapeStudy:
    """The escapes measured by :func:`escape_study`, in order; ``single`` is plain GD's fraction."""

    n_starts: int
    single: float
    escapes: list = field(default_factory=list)

    def fraction(self, label: str) -> float:
        """The fraction of starts that reached the global minimum with the escape ``label``."""
        for escape in self.escapes:
            if escape.label == label:
                return escape.global_minimum
        raise KeyError(f"no escape labelled {label!r}; the labels are {[e.label for e in self.escapes]}.")


def _outcome(label, evaluations, reached):
    reached = np.asarray(reached)
    return Escape(label, int(evaluations), float(np.mean(reached == 0)), float(np.mean(reached > 0)),
                  float(np.mean(reached < 0)))


def escape_study(function: Function2D, lr: float = 0.1, n_starts: int = 400, ks=(1, 2, 4, 8),
                 noises=(2.0, 4.0), noise_run: int = 1000, learning_rates=(0.6, 0.62),
                 steps: int = 300, seed: int = 0) -> EscapeStudy:
    """Measure the usual escapes from local minima on ``function`` from ``n_starts`` seeded random starts.

    - **best of k restarts**: each start is a group of max(ks) uniform random starts, each run by
      gradient descent (α = ``lr``, ``steps`` steps); keeping the run with the lowest end value,
      the group reaches the global minimum with k restarts if one of its first k runs did;
    - **gradient noise that decays**: one run of ``noise_run`` steps from the group's first start
      with σ (1 - t/T)₊ added to the gradient, T = 0.85 ``noise_run`` (:func:`run_many`);
    - **larger learning rates**: plain gradient descent at each α of ``learning_rates``.

    The global minimum is ``function.minima[0]`` (the deepest, as every landscape stores them).
    """
    if len(getattr(function, "minima", ())) < 2:
        raise ValueError("escape_study needs a function with at least two known minima (e.g. Peaks()).")
    k_max = max(ks)
    starts = random_starts(function, n_starts * k_max, seed=seed)
    reached = reached_minimum(function, run_many(function, starts, lr, steps=steps)).reshape(n_starts, k_max)
    study = EscapeStudy(n_starts=n_starts, single=float(np.mean(reached[:, 0] == 0)))
    for k in ks:  # the best of k end values is the global minimum's exactly when one of the k reached it
        best = np.where(np.any(reached[:, :k] == 0, axis=1), 0, np.max(reached[:, :k], axis=1))
        study.escapes.append(_outcome(f"best of {k} restarts" if k > 1 else f"GD, α = {lr:g}", k * steps, best))
    first = starts.reshape(n_starts, k_max, 2)[:, 0]
    for sigma in noises:
        ends = run_many(function, first, lr, steps=noise_run, noise=sigma, noise_steps=int(0.85 * noise_run),
                        seed=seed + 1)
        study.escapes.append(_outcome(f"noise σ = {sigma:g}, decaying", noise_run, reached_minimum(function, ends)))
    for alpha in learning_rates:
        ends = run_many(function, first, alpha, steps=steps)
        study.escapes.append(_outcome(f"GD, α = {alpha:g}", steps, reached_minimum(function, ends)))
    return study


# -- deep networks -------------------------------------------------------------------------------
def scaled_normal(gain: float):
    """An initialiser for Dense: W_ij ~ N(0, gain² / n_in) (gain 1: LeCun; √2: He)."""
    gain = _check_positive("gain", gain)

    def init(n_in, n_out, rng, dtype):
        return (rng.standard_normal((n_in, n_out)) * gain / np.sqrt(n_in)).astype(dtype)

    return init


def deep_network(n_in: int, depth: int, width: int, gain: float, activation: bool = True, seed=0) -> Sequential:
    """``depth`` Dense layers (``width`` units, 1 output), tanh between them if ``activation``, MSE loss."""
    rng = np.random.default_rng(seed)
    sizes = [n_in] + [width] * (depth - 1) + [1]
    layers = []
    for l in range(depth):
        layers.append(Dense(sizes[l], sizes[l + 1], init=scaled_normal(gain), seed=rng))
        if activation and l < depth - 1:
            layers.append(Tanh())
    return Sequential(layers, MeanSquaredError())


def layer_gradient_norms(model: Sequential, X, y) -> np.ndarray:
    """‖∂L/∂W_l‖ for every Dense layer l (input side first) on the batch ``(X, y)``."""
    model.zero_grad()
    model.loss(X, y)
    model.backward()
    return np.array([np.linalg.norm(p.grad) for name, p in model.named_parameters() if name.endswith(".W")])


class _RecordNorm:
    """fit() callback: the global gradient norm a ClipGradNorm saw at every step (before clipping)."""

    def __init__(self, clipper):
        self.clipper, self.norms = clipper, []

    def on_iteration_end(self, history):
        self.norms.append(self.clipper.last_norm)


def fit_recording_norms(model, optimizer, X, y, max_norm: float = math.inf, **fit_options):
    """``nnopt.fit`` with ``ClipGradNorm(max_norm)`` attached; returns ``(history, norms)``.

    ``norms[t]`` is the global gradient norm at step t+1 *before* clipping (``max_norm = inf``
    never clips, it only records). ``fit_options`` go to :func:`nnopt.train.fit`.
    """
    clipper = ClipGradNorm(max_norm)
    optimizer.grad_transforms.append(clipper)
    recorder = _RecordNorm(clipper)
    callbacks = list(fit_options.pop("callbacks", ())) + [recorder]
    history = fit(model, optimizer, X, y, callbacks=callbacks, **fit_options)
    return history, np.array(recorder.norms, dtype=np.float64)


@dataclass
class DigitsRun:
    """One deep-MLP run on the digits: gradient norm per step, losses per epoch, divergence."""

    label: str
    grad_norms: np.ndarray
    train_loss: list
    val_loss: list
    val_acc: list
    diverged: bool
    diverged_at: int | None = None  # the iteration whose loss was not finite
    first_layer_norms: np.ndarray | None = None  # ‖∂L/∂W_l‖ per layer at initialisation


def deep_digits_run(data, gain: float, lr: float, max_norm: float = math.inf, depth: int = 10, width: int = 64,
                    epochs: int = 5, seed: int = 0, label: str = "") -> DigitsRun:
    """A ``depth``-layer ReLU MLP (W ~ N(0, gain²/n_in)) trained with SGD(lr) on the digits.

    ``data = (X_train, y_train, X_val, y_val)``. The global gradient norm is recorded before
    clipping at every step (``ClipGradNorm(max_norm)``; ``inf`` never clips). A run whose loss
    stops being finite is returned with ``diverged=True`` and what it recorded until then.
    """
    X_train, y_train, X_val, y_val = data
    model = mlp([X_train.shape[1]] + [width] * (depth - 1) + [int(np.max(y_train)) + 1], activation="relu",
                init=scaled_normal(gain), seed=seed)
    first_layers = layer_gradient_norms(model, X_train[:64], y_train[:64])
    optimizer = SGD(model.parameters(), lr=lr)
    clipper = ClipGradNorm(max_norm)
    optimizer.grad_transforms.append(clipper)
    recorder = _RecordNorm(clipper)
    try:
        history = fit(model, optimizer, X_train, y_train, epochs=epochs, batch_size=64, seed=seed,
                      validation=(X_val, y_val), callbacks=[recorder])
        diverged, at = False, None
    except TrainingDiverged as error:  # the loss was not finite
        history, diverged, at = error.history, True, len(error.history.loss) + 1
    except NonFiniteGradientError:  # the loss was finite, its gradient was not: stopped before the update
        history, diverged, at = None, True, len(recorder.norms) + 1
    epochs_kept = {key: list(getattr(history, key)) if history is not None else [] for key in
                   ("train_loss", "val_loss", "val_acc")}
    return DigitsRun(label, np.array(recorder.norms, dtype=np.float64), epochs_kept["train_loss"],
                     epochs_kept["val_loss"], epochs_kept["val_acc"], diverged, at, first_layers)
