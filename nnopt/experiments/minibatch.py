"""The experiments of notebook 01 (mini-batch gradient descent).

- :class:`LeastSquares2D` and :func:`seattle_regression`: a two-parameter least-squares problem on
  real data (predict Seattle's daily high from the daily low), small enough to draw every path
  on its contour map and to know its exact minimum.
- :func:`sgd_path`: mini-batch gradient descent on it, θ ← θ - α_t ∇J_B(θ), with batch size b and a
  constant or inverse-time decaying rate α_t = α / (1 + t/τ).
- :func:`noise_ball`: the excess loss J(θ_t) - J* of constant-rate and decaying-rate SGD over seeds.
- :func:`per_example_gradients` and :func:`minibatch_gradient_variance`: the variance of the
  mini-batch gradient of a network as a function of b, measured and from the exact formula.
- :func:`tune_lr`: the best learning rate of a grid for one batch size, judged on validation loss.
- :class:`CostOnTrainingSet` and :func:`time_sweep`: training cost against seconds of training.

Everything takes a seed; nothing here draws a figure (see :mod:`nnopt.plots.minibatch`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..data.batches import as_generator
from ..train import TrainingDiverged, fit

__all__ = [
    "LeastSquares2D",
    "seattle_regression",
    "SEATTLE_START",
    "sgd_path",
    "noise_ball",
    "per_example_gradients",
    "per_example_gradient_gram",
    "minibatch_gradient_variance",
    "fit_slope",
    "StopWhenExploding",
    "tune_lr",
    "CostOnTrainingSet",
    "time_sweep",
]

#: Where the paths on the Seattle contour map start: slope w = -0.5, intercept c = 2.
SEATTLE_START = (-0.5, 2.0)


def _check_positive(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{argument} must be a finite number > 0, got {value!r}.")
    return float(value)


def _check_count(value, argument: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{argument} must be a whole number >= {minimum}, got {value!r}.")
    return int(value)


class LeastSquares2D:
    """J(w, c) = ½ · mean over i of (w xᵢ + c - yᵢ)²: a straight-line fit with two parameters.

    The gradient on a batch B is ∇J_B = mean over i in B of rᵢ (xᵢ, 1), rᵢ = w xᵢ + c - yᵢ;
    the Hessian is the constant matrix [[mean x², mean x], [mean x, 1]], and the minimum θ* is
    the ordinary least-squares line. ``loss`` accepts arrays of w and c (a grid for contours).
    """

    def __init__(self, x, y):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
            raise ValueError(f"x and y must be 1-D arrays of the same length >= 2, got shapes {x.shape} and {y.shape}.")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("x and y must be finite (no NaN or inf).")
        self.x, self.y = x, y
        self.m = len(x)
        # the moments that make the loss on a grid cheap: J = ½ E[(w x + c - y)²]
        self._xx, self._x, self._xy, self._y, self._yy = (float(np.mean(v)) for v in (x * x, x, x * y, y, y * y))
        self.hessian = np.array([[self._xx, self._x], [self._x, 1.0]])
        self.minimum = np.linalg.solve(self.hessian, np.array([self._xy, self._y]))
        self.minimum_value = float(self.loss(*self.minimum))

    def loss(self, w, c):
        """J(w, c), elementwise over arrays of w and c."""
        w, c = np.asarray(w, dtype=float), np.asarray(c, dtype=float)
        return 0.5 * (w * w * self._xx + 2 * w * c * self._x + c * c - 2 * w * self._xy - 2 * c * self._y + self._yy)

    def losses(self, path) -> np.ndarray:
        """J(θ_t) for every row of a path of shape (n, 2)."""
        path = np.asarray(path, dtype=float)
        return self.loss(path[..., 0], path[..., 1])

    def gradient(self, theta, rows=None) -> np.ndarray:
        """∇J_B(θ) on the examples ``rows`` (all of them when None)."""
        x, y = (self.x, self.y) if rows is None else (self.x[rows], self.y[rows])
        residual = theta[0] * x + theta[1] - y
        return np.array([np.mean(residual * x), np.mean(residual)])


def seattle_regression(val_fraction: float = 0.25, seed: int = 0) -> tuple[LeastSquares2D, LeastSquares2D]:
    """(training problem, validation problem): Seattle's daily high from the daily low, 2012-2015.

    Temperatures are in units of 10 °C (so w and c are of order 1); the days are split at
    random (``seed``) into training and validation parts. J is half the mean squared error, so
    the RMS error of the line in °C is 10·√(2J).
    """
    from ..data import load_seattle_weather

    if not (isinstance(val_fraction, float) and 0 < val_fraction < 1):
        raise ValueError(f"val_fraction must be a float strictly between 0 and 1, got {val_fraction!r}.")
    weather = load_seattle_weather()
    order = np.random.default_rng(seed).permutation(len(weather))
    n_val = round(val_fraction * len(order))
    val, train = order[:n_val], order[n_val:]
    x, y = weather.temp_min / 10, weather.temp_max / 10
    return LeastSquares2D(x[train], y[train]), LeastSquares2D(x[val], y[val])


def sgd_path(problem: LeastSquares2D, batch_size: int, lr: float, steps: int, *, seed=0,
             start=SEATTLE_START, decay: float | None = None) -> np.ndarray:
    """θ₀, θ₁, ..., θ_steps of mini-batch gradient descent on ``problem``; shape (steps + 1, 2).

    θ_{t+1} = θ_t - α_t ∇J_{B_t}(θ_t), with α_t = ``lr`` or, given ``decay`` = τ, the inverse-time
    decay α_t = lr / (1 + t/τ) (t = steps taken so far). The batches B_t are those of
    ``nnopt.data.minibatches`` (one permutation per epoch, drawn from ``seed``, a smaller last
    batch kept), so this is ``nnopt.optim.SGD(lr)`` in ``nnopt.fit``'s loop, written out with
    the batch sums of x², x, xy and y (fast enough for thousands of steps per second).
    """
    batch_size = _check_count(batch_size, "batch_size")
    if batch_size > problem.m:
        raise ValueError(f"batch_size must be at most the number of examples m = {problem.m}, got {batch_size}.")
    lr = _check_positive(lr, "lr")
    steps = _check_count(steps, "steps", minimum=0)
    if decay is not None:
        decay = _check_positive(decay, "decay")
    rng = as_generator(seed)
    w, c = (float(v) for v in np.asarray(start, dtype=float).reshape(2))
    path = np.empty((steps + 1, 2))
    path[0] = w, c
    t = 0
    while t < steps:
        # One epoch: the permutation minibatches() would draw, cut into batches. On a batch B,
        # ∇J_B = (w Σx² + c Σx - Σxy, w Σx + c n - Σy) / n, so only the batch sums are needed.
        order = rng.permutation(problem.m)
        starts = np.arange(0, problem.m, batch_size)
        x, y = problem.x[order], problem.y[order]
        sums = [np.add.reduceat(v, starts).tolist() for v in (x * x, x, x * y, y)]
        counts = np.diff(np.append(starts, problem.m)).tolist()
        with np.errstate(over="ignore", invalid="ignore"):
            for sxx, sx, sxy, sy, n in zip(*sums, counts):
                rate = lr if decay is None else lr / (1 + t / decay)
                grad_w, grad_c = (w * sxx + c * sx - sxy) / n, (w * sx + c * n - sy) / n
                w, c = w - rate * grad_w, c - rate * grad_c
                t += 1
                path[t] = w, c
                if t == steps:
                    break
    if not np.all(np.isfinite(path)):
        raise FloatingPointError(f"SGD diverged on the least-squares problem at lr = {lr:g}, batch size {batch_size}: "
                                 "use a smaller learning rate.")
    return path


def noise_ball(problem: LeastSquares2D, lrs: Sequence[float], steps: int, seeds: Sequence[int] = range(5), *,
               batch_size: int = 1, decay: float | None = None, start=SEATTLE_START) -> dict[float, np.ndarray]:
    """{lr: excess losses J(θ_t) - J*, shape (len(seeds), steps + 1)} of :func:`sgd_path` runs."""
    if not lrs:
        raise ValueError("lrs must name at least one learning rate.")
    return {lr: np.array([problem.losses(sgd_path(problem, batch_size, lr, steps, seed=seed, start=start, decay=decay))
                          - problem.minimum_value for seed in seeds])
            for lr in lrs}


def per_example_gradients(model, X, y) -> np.ndarray:
    """The gradient of the loss on each single example, flattened: shape (m, number of parameters)."""
    X, y = np.asarray(X), np.asarray(y)
    parameters = model.parameters()
    rows = np.empty((len(X), sum(p.value.size for p in parameters)))
    for i in range(len(X)):
        model.zero_grad()
        model.loss(X[i:i + 1], y[i:i + 1])
        model.backward()
        rows[i] = np.concatenate([p.grad.ravel() for p in parameters])
    model.zero_grad()
    return rows


def per_example_gradient_gram(model, X, y) -> np.ndarray:
    """K[i, j] = <gᵢ, gⱼ>, the inner products of the single-example gradients of a one-hidden-layer
    ReLU network with softmax cross-entropy (``mlp([n_in, n_hidden, n_classes])``), without
    forming the gradients.

    For a Dense layer with input aᵢ and output error δᵢ, gᵢ(W) = aᵢ δᵢᵀ and gᵢ(b) = δᵢ, so
    <gᵢ, gⱼ> = (aᵢ·aⱼ + 1)(δᵢ·δⱼ), summed over the two layers; δ₂ = softmax(z₂) - onehot(y),
    δ₁ = (δ₂ W₂ᵀ) ⊙ [z₁ > 0]. :func:`per_example_gradients` gives the same numbers, slowly.
    """
    from ..nn.layers import Dense, ReLU
    from ..nn.losses import SoftmaxCrossEntropy

    layers = model.layers
    if not (len(layers) == 3 and isinstance(layers[0], Dense) and isinstance(layers[1], ReLU)
            and isinstance(layers[2], Dense) and isinstance(model.loss_function, SoftmaxCrossEntropy)):
        raise ValueError("per_example_gradient_gram needs mlp([n_in, n_hidden, n_classes]) with ReLU and softmax "
                         "cross-entropy; use per_example_gradients for other networks.")
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    first, second = layers[0], layers[2]
    z1 = X @ first.W.value + first.b.value
    hidden = np.maximum(z1, 0)
    z2 = hidden @ second.W.value + second.b.value
    p = np.exp(z2 - z2.max(axis=1, keepdims=True))
    delta2 = p / p.sum(axis=1, keepdims=True)
    delta2[np.arange(len(y)), y] -= 1
    delta1 = (delta2 @ second.W.value.T) * (z1 > 0)
    return (X @ X.T + 1) * (delta1 @ delta1.T) + (hidden @ hidden.T + 1) * (delta2 @ delta2.T)


def minibatch_gradient_variance(gram, batch_sizes: Sequence[int], n_permutations: int = 50, seed: int = 0):
    """Measured and exact E‖g_B - g‖² of the mean gradient g_B of a batch of b examples.

    ``gram`` is K[i, j] = <gᵢ, gⱼ> of the m single-example gradients (g is their mean). The
    batches are the full slices of ``n_permutations`` random permutations, as ``minibatches``
    cuts them (sampling without replacement); ‖g_B - g‖² = (1/b²) Σ_{i,j∈B} K̃[i, j] with K̃ the
    centred Gram matrix. The exact value is σ²/b · (m - b)/(m - 1), σ² = mean ‖gᵢ - g‖² = trace(K̃)/m.
    Returns (measured, exact) arrays, one entry per batch size.
    """
    K = np.asarray(gram, dtype=float)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or len(K) < 2:
        raise ValueError(f"gram must be a square matrix of at least 2 x 2, got shape {K.shape}.")
    m = len(K)
    sizes = [_check_count(b, "batch size") for b in batch_sizes]
    if max(sizes) > m:
        raise ValueError(f"batch sizes must be at most m = {m}, got {max(sizes)}.")
    centred = K - K.mean(axis=0) - K.mean(axis=1)[:, None] + K.mean()
    sigma2 = float(np.trace(centred)) / m
    rng = np.random.default_rng(seed)
    totals = np.zeros(len(sizes))
    counts = np.zeros(len(sizes))
    for _ in range(_check_count(n_permutations, "n_permutations")):
        order = rng.permutation(m)
        for position, b in enumerate(sizes):
            k = m // b
            batches = order[:k * b].reshape(k, b)
            totals[position] += centred[batches[:, :, None], batches[:, None, :]].sum() / b**2
            counts[position] += k
    exact = np.array([sigma2 / b * (m - b) / (m - 1) for b in sizes])
    return totals / counts, exact


def fit_slope(x, y) -> float:
    """The slope of the least-squares line through (log x, log y): the exponent p of y ∝ x^p."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or len(x) < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("fit_slope needs two arrays of the same length >= 2 with positive values.")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


@dataclass
class TuningResult:
    """The grid search of :func:`tune_lr`: the chosen rate and the final losses of every rate."""

    best_lr: float
    val_loss: dict[float, float]
    histories: dict[float, object]


class StopWhenExploding:
    """A ``fit`` callback that ends a run whose mean mini-batch loss over the last ``window``
    iterations exceeds ``limit`` (10 is four times the loss of guessing among 10 classes, ln 10):
    such a run has diverged, and finishing its epochs would only cost time."""

    def __init__(self, limit: float = 10.0, window: int = 50):
        self.limit = _check_positive(limit, "limit")
        self.window = _check_count(window, "window")
        self.exploded = False

    def on_iteration_end(self, history):
        recent = history.loss[-self.window:]
        if len(recent) == self.window and not sum(recent) / self.window <= self.limit:
            self.exploded = True
            return True
        return False


def tune_lr(make_model: Callable[[], object], make_optimizer: Callable, X, y, validation, *, batch_size: int,
            lrs: Sequence[float], epochs: int, seed: int = 0, tolerance: float = 0.02) -> TuningResult:
    """Train once per learning rate of ``lrs``; pick the largest rate whose final validation loss is
    within ``tolerance`` (relative) of the lowest. A run that diverges (``TrainingDiverged``, or
    :class:`StopWhenExploding`) counts as infinitely bad.

    The tolerance keeps the choice stable when two rates are nearly tied: a last-bit change of the
    data then cannot swap the winner.
    """
    if not lrs:
        raise ValueError("lrs must name at least one learning rate.")
    val_loss, histories = {}, {}
    for lr in lrs:
        model = make_model()
        guard = StopWhenExploding()
        try:
            history = fit(model, make_optimizer(model.parameters(), lr), X, y, epochs=epochs, batch_size=batch_size,
                          seed=seed, validation=validation, callbacks=[guard])
            finished = not guard.exploded and len(history.val_loss) == epochs and math.isfinite(history.val_loss[-1])
            loss = history.val_loss[-1] if finished else math.inf
        except TrainingDiverged as error:
            history, loss = error.history, math.inf
        val_loss[lr], histories[lr] = loss, history
    lowest = min(val_loss.values())
    if not math.isfinite(lowest):
        raise ValueError(f"every learning rate in {list(lrs)} diverged at batch size {batch_size}: try smaller ones.")
    best = max(lr for lr, loss in val_loss.items() if loss <= lowest * (1 + tolerance))
    return TuningResult(best, val_loss, histories)


class CostOnTrainingSet:
    """A ``fit`` callback: every ``interval`` seconds of training, record the cost on the whole training set."""

    def __init__(self, model, X, y, interval: float):
        self.model, self.X, self.y = model, X, y
        self.interval = _check_positive(interval, "interval")
        self.seconds: list[float] = []
        self.costs: list[float] = []

    def on_iteration_end(self, history):
        if history.time[-1] >= len(self.seconds) * self.interval:
            self.seconds.append(history.time[-1])
            self.costs.append(self.model.loss(self.X, self.y, training=False))


def time_sweep(make_model: Callable[[int], object], make_optimizer: Callable, X, y, learning_rates: dict[int, float],
               budget: float, seeds: Sequence[int] = range(3), points: int = 40) -> dict[int, list]:
    """{batch size: [(History, CostOnTrainingSet) per seed]}: each run trains for ``budget`` seconds.

    ``make_model(seed)`` builds a fresh network; the seed also shuffles the data.
    """
    budget = _check_positive(budget, "budget")
    sweep = {}
    for b, lr in learning_rates.items():
        sweep[b] = []
        for seed in seeds:
            model = make_model(seed)
            recorder = CostOnTrainingSet(model, X, y, interval=budget / points)
            history = fit(model, make_optimizer(model.parameters(), lr), X, y, epochs=10_000, batch_size=b, seed=seed,
                          max_seconds=budget, callbacks=[recorder])
            sweep[b].append((history, recorder))
    return sweep
