r"""Experiments of notebook 3 (momentum and Nesterov): the machinery, so the notebook keeps what teaches.

- :func:`momentum_rate` / :func:`rate_map`: the contraction factor per step of the heavy ball (or
  Nesterov) on a quadratic, in PyTorch's form ``b ← μb + g, θ ← θ − ηb``. Along an eigen-direction
  of curvature λ the error follows ``u_{t+1} = (1 + μ − ηλ) u_t − μ u_{t−1}``, i.e. the 2×2 iteration
  matrix ``[[1 + μ − ηλ, −μ], [1, 0]]``; its spectral radius is the largest |root| of
  ``r² − (1 + μ − ηλ) r + μ = 0`` (Nesterov: ``r² − (1 + μ)(1 − ηλ) r + μ(1 − ηλ) = 0``). The roots
  are a complex pair (the path spirals, |r| = √μ) exactly when μ > (1 − √(ηλ))²: that curve is the
  **critical-damping boundary** (:func:`critical_damping_beta`).
- :func:`stationary_loss` and :func:`noisy_runs`: momentum under noisy gradients ``g = ∇f + σξ``.
- :func:`nesterov_worst_case` and :func:`accelerated_runs`: Nesterov's method with the increasing
  momentum μ_t = (t − 1)/(t + 2) against a constant μ and gradient descent, on the smooth convex
  quadratic on which first-order methods are slowest (Nesterov 2004, section 2.1.2).
- :func:`double_well` and :func:`basin_outcomes`: many starts on a tilted double well at once, to
  measure where gradient descent and momentum end up ("momentum avoids local minima"?).
- :func:`plot_rate_map`, :func:`plot_lookahead`, :func:`plot_basins`: the figures.

matplotlib is imported only inside the plotting functions.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..parameter import Parameter


def _positive(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{argument} must be a finite number > 0, got {value!r}.")
    return float(value)


def _momentum_array(momentum, argument: str = "momentum") -> np.ndarray:
    beta = np.asarray(momentum, dtype=float)
    if not np.all((beta >= 0) & (beta < 1)):
        raise ValueError(f"{argument} must lie in [0, 1) (1 would never forget), got {momentum!r}.")
    return beta


def _curvatures(curvatures) -> np.ndarray:
    lam = np.atleast_1d(np.asarray(curvatures, dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam) & (lam > 0)):
        raise ValueError(f"curvatures must be a non-empty list of finite numbers > 0, got {curvatures!r}.")
    return lam


# -- the (η, μ) rate map ----------------------------------------------------------------------
def momentum_rate(lr, momentum, curvature, nesterov: bool = False) -> np.ndarray:
    """Spectral radius of the 2×2 iteration matrix for one curvature λ (broadcasts over arrays).

    Heavy ball: largest |r| with r² − (1 + μ − ηλ) r + μ = 0; Nesterov (``nesterov=True``):
    r² − (1 + μ)(1 − ηλ) r + μ(1 − ηλ) = 0. Below 1 the error shrinks by this factor per step
    (asymptotically); at or above 1 the run does not converge.
    """
    lr = np.asarray(lr, dtype=float)
    if not np.all(np.isfinite(lr) & (lr > 0)):
        raise ValueError(f"lr must be finite and > 0, got {lr!r}.")
    mu = _momentum_array(momentum)
    lam = np.asarray(curvature, dtype=float)
    if not np.all(np.isfinite(lam) & (lam > 0)):
        raise ValueError(f"curvature must be finite and > 0, got {curvature!r}.")
    if nesterov:
        shrink = 1 - lr * lam
        trace, det = (1 + mu) * shrink, mu * shrink
    else:
        trace, det = 1 + mu - lr * lam, mu + 0 * lr * lam
    root = np.sqrt((trace**2 - 4 * det).astype(complex))
    return np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))


def rate_map(lrs, momenta, curvatures, nesterov: bool = False) -> np.ndarray:
    """Contraction factor on a quadratic: the worst :func:`momentum_rate` over ``curvatures``.

    Returns an array of shape ``(len(momenta), len(lrs))`` (rows: μ, columns: η), ready for ``imshow``.
    """
    lam = _curvatures(curvatures)
    eta = np.asarray(lrs, dtype=float)[None, :, None]
    mu = np.asarray(momenta, dtype=float)[:, None, None]
    return momentum_rate(eta, mu, lam[None, None, :], nesterov).max(axis=-1)


def contraction_factor(lr: float, momentum: float, curvatures, nesterov: bool = False) -> float:
    """How much the error shrinks per step on a quadratic: the worst :func:`momentum_rate` over ``curvatures``.

    For one curvature λ, PyTorch's form (``SGD(lr=η, momentum=μ)``) gives the largest |r| of
    r² − (1 + μ − ηλ) r + μ = 0 (heavy ball) or r² − (1 + μ)(1 − ηλ) r + μ(1 − ηλ) = 0 (Nesterov).
    For the course's form ``Momentum(lr=α, beta=β)`` pass ``lr = α(1 − β)``.
    """
    return float(rate_map([lr], [momentum], curvatures, nesterov)[0, 0])


def critical_damping_beta(lr, curvature) -> np.ndarray:
    """μ = (1 − √(ηλ))²: above it the two roots for curvature λ are complex (the path spirals)."""
    return (1 - np.sqrt(np.asarray(lr, dtype=float) * _positive(curvature, "curvature"))) ** 2


def polyak_tuning(kappa: float, largest_curvature: float = 1.0) -> tuple[float, float, float]:
    """(η, μ, rate) of the tuned heavy ball (Polyak 1964) for curvatures in [L/κ, L]."""
    kappa, big = _positive(kappa, "kappa"), _positive(largest_curvature, "largest_curvature")
    small, root = big / kappa, math.sqrt(kappa)
    lr = 4 / (math.sqrt(big) + math.sqrt(small)) ** 2
    return lr, ((root - 1) / (root + 1)) ** 2, (root - 1) / (root + 1)


def plot_rate_map(lrs, momenta, curvatures, *, ax=None, marks: Mapping[str, tuple[float, float]] | None = None,
                  title: str | None = None):
    """The (η, μ) map of :func:`rate_map` as an image, with the critical-damping curves
    μ = (1 − √(ηλ))² of the smallest and largest curvature and the divergence edge ηλ_max = 2(1 + μ).
    ``marks`` = {label: (η, μ)} adds points. Returns the Figure."""
    import matplotlib.pyplot as plt

    from ..plots.style import OKABE_ITO, use_course_style

    lam = _curvatures(curvatures)
    lrs, momenta = np.asarray(lrs, dtype=float), np.asarray(momenta, dtype=float)
    rates = rate_map(lrs, momenta, lam)
    with use_course_style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.0, 4.4), layout="constrained")
        fig = ax.figure
        shown = np.ma.masked_where(rates >= 1, rates)  # no convergence: left white
        image = ax.imshow(shown, origin="lower", aspect="auto", cmap="viridis", vmin=max(0.0, float(shown.min())),
                          vmax=1.0, extent=(lrs[0], lrs[-1], momenta[0], momenta[-1]), interpolation="nearest")
        fig.colorbar(image, ax=ax, label="contraction factor per step (lower is faster)")
        fine = np.linspace(lrs[0], lrs[-1], 400)
        for lam_i, colour, name in ((lam.min(), OKABE_ITO["orange"], "λ_min"), (lam.max(), OKABE_ITO["reddish_purple"], "λ_max")):
            boundary = critical_damping_beta(fine, lam_i)
            keep = (boundary >= momenta[0]) & (boundary <= momenta[-1])
            ax.plot(fine[keep], boundary[keep], color=colour, linewidth=1.6, linestyle="--",
                    label=f"critical damping for {name}: μ = (1 − √(η{name}))²")
        edge = fine * lam.max() / 2 - 1  # ηλ_max = 2(1 + μ)
        keep = (edge >= momenta[0]) & (edge <= momenta[-1])
        ax.plot(fine[keep], edge[keep], color="black", linewidth=1.2, label="divergence: ηλ_max = 2(1 + μ)")
        for label, (eta, mu) in (marks or {}).items():
            ax.plot(eta, mu, marker="*", markersize=12, color=OKABE_ITO["vermillion"], markeredgecolor="black",
                    linestyle="none", label=label)
        ax.set_xlim(lrs[0], lrs[-1])
        ax.set_ylim(momenta[0], momenta[-1])
        ax.set_xlabel("learning rate η (PyTorch's form)")
        ax.set_ylabel("momentum μ")
        ax.set_title(title or "heavy ball on a quadratic: contraction per step")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=7.5)
    return fig


# -- momentum under noisy gradients -----------------------------------------------------------
def stationary_loss(lr, momentum, curvatures, sigma) -> float:
    """E[f] once the heavy ball (PyTorch's form) has settled under gradient noise σξ on ½Σλᵢxᵢ².

    Per direction, E[½λx²] = ησ²(1 + μ) / (2(1 − μ)(2(1 + μ) − ηλ)) (μ = 0: gradient descent).
    For small ηλ this is about (η/(1 − μ)) σ²/4: the noise floor grows with the effective step
    η/(1 − μ), not with the momentum itself.
    """
    eta, mu = _positive(lr, "lr"), float(_momentum_array(momentum))
    sigma = float(sigma)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}.")
    lam = _curvatures(curvatures)
    if np.any(eta * lam >= 2 * (1 + mu)):
        raise ValueError(f"lr = {eta:g} with momentum {mu:g} diverges on curvature {lam.max():g}: no stationary loss.")
    return float(np.sum(eta * sigma**2 * (1 + mu) / (2 * (1 - mu) * (2 * (1 + mu) - eta * lam))))


def noisy_quadratic_losses(make_optimizer: Callable[[list[Parameter]], object], curvatures, x0, *, sigma: float,
                           seeds: int, steps: int, seed: int = 0) -> np.ndarray:
    """f(θ_t) of ``seeds`` runs at once on f = ½Σλᵢθᵢ² with gradients g = λ⊙θ + σξ, ξ ~ N(0, I).

    All runs are coordinates of one Parameter of shape (seeds, d): SGD and momentum act on every
    coordinate separately, so this gives the numbers of ``seeds`` separate runs, fast. Row k of the
    result (shape (seeds, steps + 1)) is run k; every optimizer given the same ``seed`` sees the
    same noise draws. Use it with ``plot_loss_curves({label: losses})`` for seed bands.
    """
    lam = _curvatures(curvatures)
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise ValueError(f"seeds must be a whole number >= 1 (how many runs), got {seeds!r}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    sigma = float(sigma)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}.")
    start = np.broadcast_to(np.asarray(x0, dtype=float), (seeds, lam.size))
    theta = Parameter(start.copy())
    optimizer = make_optimizer([theta])
    noise = np.random.default_rng(seed).standard_normal((steps, seeds, lam.size))
    losses = np.empty((seeds, steps + 1))
    losses[:, 0] = 0.5 * (theta.value**2) @ lam
    for t in range(steps):
        theta.grad[...] = lam * theta.value + sigma * noise[t]
        optimizer.step()
        losses[:, t + 1] = 0.5 * (theta.value**2) @ lam
    return losses


def late_mean_loss(losses: np.ndarray, last: int) -> float:
    """Mean of f over the last ``last`` steps and over all runs (the measured noise floor)."""
    return float(np.mean(np.asarray(losses)[:, -last:]))


def _distinct_colours(styles: list[dict[str, str]]) -> list[dict[str, str]]:
    """Noisy curves jump every step, so a dash cannot tell two of one colour apart: a repeated colour
    gets the next Okabe-Ito colour no other curve uses."""
    from ..plots.style import OKABE_ITO

    used = {style["color"].upper() for style in styles}
    spare = [c for c in OKABE_ITO.values() if c.upper() not in used and c != OKABE_ITO["yellow"]]
    seen: set[str] = set()
    result = []
    for style in styles:
        colour = style["color"].upper()
        if colour in seen and spare:
            style = {**style, "color": spare.pop(0)}
        seen.add(style["color"].upper())
        result.append(style)
    return result


def plot_noisy_losses(losses: Mapping[str, np.ndarray], floors: Mapping[str, float] | None = None, *, window: int = 25,
                      title: str | None = None, ax=None):
    """Noisy runs over seeds: per run the mean over seeds, and a band from the 10th to the 90th
    percentile over seeds of f averaged over ``window`` steps (single steps are too noisy to read);
    ``floors`` = {label: E[f]} adds dotted lines. Returns the Figure."""
    import matplotlib.pyplot as plt

    from ..plots._common import styles_for
    from ..plots.style import use_course_style

    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number >= 1, got {window!r}.")
    styles = _distinct_colours(styles_for(list(losses)))
    with use_course_style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(9.5, 3.4), layout="constrained")
        fig = ax.figure
        for (label, runs), style in zip(losses.items(), styles):
            runs = np.asarray(runs, dtype=float)
            kernel = np.ones(window) / window
            smooth = np.array([np.convolve(run, kernel, mode="valid") for run in runs])
            steps = np.arange(window - 1, runs.shape[1])
            ax.plot(np.arange(runs.shape[1]), runs.mean(axis=0), label=label, linewidth=1.4, **style)
            low, high = np.percentile(smooth, [10, 90], axis=0)
            ax.fill_between(steps, low, high, color=style["color"], alpha=0.18, linewidth=0)
            if floors and label in floors:
                ax.axhline(floors[label], color=style["color"], linestyle=":", linewidth=1.2)
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("$f(\\theta_t)$ (dotted: the formula's floor)")
        ax.set_title(title or "noisy gradients")
        legend = fig.legend(loc="outside right center")
        legend.set_title(f"mean over seeds; band: 10–90 % of seeds,\n{window}-step averages", prop={"size": 8})
    return fig


# -- Nesterov's O(1/t²) with the increasing momentum ------------------------------------------
def nesterov_worst_case(n: int = 1000, smoothness: float = 1.0):
    """(value, gradient, f*) of f(x) = L/4 (½[x₁² + Σ(xᵢ − xᵢ₊₁)² + xₙ²] − x₁), x ∈ ℝⁿ.

    Smooth (gradient Lipschitz with constant L) and convex, but not strongly convex as n grows:
    Nesterov's (2004, §2.1.2) example on which no first-order method beats 3L‖x₀ − x*‖²/(32(t + 1)²)
    for t ≤ (n − 1)/2 steps from x₀ = 0. f* = L/8 (1/(n + 1) − 1).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be a whole number >= 2, got {n!r}.")
    big = _positive(smoothness, "smoothness")

    def value(x):
        x = np.asarray(x, dtype=float)
        return big / 4 * (0.5 * (x[0] ** 2 + np.sum(np.diff(x) ** 2) + x[-1] ** 2) - x[0])

    def gradient(x):
        x = np.asarray(x, dtype=float)
        g = 2 * x
        g[1:] -= x[:-1]
        g[:-1] -= x[1:]
        g[0] -= 1.0
        return big / 4 * g

    return value, gradient, big / 8 * (1 / (n + 1) - 1)


def accelerated_runs(value, gradient, x0, lr: float, steps: int, constant_momentum: float = 0.9) -> dict[str, np.ndarray]:
    """f(x_t) for t = 0..steps of three first-order methods, all with step ``lr`` (= 1/L):

    - gradient descent, x ← x − η∇f(x);
    - Nesterov with a constant μ: y = x_t + μ(x_t − x_{t−1}), x_{t+1} = y − η∇f(y);
    - Nesterov (1983) with the increasing μ_t = (t − 1)/(t + 2) (t = 1, 2, ...: 0, 1/4, 2/5, ... → 1),
      which gives f(x_t) − f* ≤ 2‖x₀ − x*‖²/(η(t + 1)²) on every L-smooth convex f for η ≤ 1/L.
    """
    lr = _positive(lr, "lr")
    constant_momentum = float(_momentum_array(constant_momentum, "constant_momentum"))
    schedules = {"gradient descent": lambda t: 0.0,
                 f"Nesterov, constant μ = {constant_momentum:g}": lambda t: constant_momentum,
                 "Nesterov, μ_t = (t − 1)/(t + 2)": lambda t: (t - 1) / (t + 2)}
    out = {}
    for label, mu in schedules.items():
        x = np.array(x0, dtype=float)
        previous = x.copy()
        losses = [value(x)]
        for t in range(1, steps + 1):
            y = x + mu(t) * (x - previous)
            previous, x = x, y - lr * gradient(y)
            losses.append(value(x))
        out[label] = np.array(losses)
    return out


def loglog_slope(errors: np.ndarray, first: int, last: int) -> float:
    """Slope of log(error) against log(t) between steps ``first`` and ``last`` (−1: O(1/t), −2: O(1/t²))."""
    return float(np.log(errors[last] / errors[first]) / np.log(last / first))


# -- does momentum avoid local minima? ---------------------------------------------------------
def double_well(tilt: float = 0.3):
    """(f, f') of the tilted double well f(x) = x⁴/4 − x²/2 + tilt·x (global minimum on the left for tilt > 0)."""
    tilt = float(tilt)
    return (lambda x: x**4 / 4 - x**2 / 2 + tilt * x), (lambda x: x**3 - x + tilt)


def basin_outcomes(make_optimizer: Callable[[list[Parameter]], object], derivative, starts, steps: int) -> np.ndarray:
    """The end points of one run per start, all at once: every start is one coordinate of a single
    Parameter, and SGD/Momentum act on each coordinate independently (the same numbers as separate runs)."""
    theta = Parameter(np.array(starts, dtype=float))
    optimizer = make_optimizer([theta])
    for _ in range(steps):
        theta.grad[...] = derivative(theta.value)
        optimizer.step()
    return theta.value.copy()


def basin_table(outcomes: Mapping[str, np.ndarray], starts: np.ndarray, saddle: float) -> dict[str, dict[str, float]]:
    """Per run: the share of starts that end left of ``saddle`` (the global basin), and the shares
    that changed basin, in each direction."""
    starts = np.asarray(starts, dtype=float)
    table = {}
    for label, ends in outcomes.items():
        left_start, left_end = starts < saddle, ends < saddle
        table[label] = {"ends in the global minimum": float(np.mean(left_end)),
                        "global → local": float(np.mean(left_start & ~left_end) / np.mean(left_start)),
                        "local → global": float(np.mean(~left_start & left_end) / np.mean(~left_start))}
    return table


def plot_basins(function, starts, outcomes: Mapping[str, np.ndarray], *, title: str | None = None):
    """Left: the double well; right: where each start ends, per optimizer. Returns the Figure."""
    import matplotlib.pyplot as plt

    from ..plots.style import GREY, optimizer_style, use_course_style

    starts = np.asarray(starts, dtype=float)
    with use_course_style():
        fig, (ax_f, ax_end) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
        xs = np.linspace(starts.min(), starts.max(), 400)
        ax_f.plot(xs, function(xs), color=GREY, linewidth=2.2)
        ax_f.set_xlabel("$x$")
        ax_f.set_ylabel("$f(x)$")
        ax_f.set_title("tilted double well: global minimum left, local right")
        for index, (label, ends) in enumerate(outcomes.items()):
            colour = optimizer_style(label)["color"]
            if index == 0:  # open rings under the dots of the others: where both end alike, both stay visible
                ax_end.plot(starts, ends, "o", markersize=5, markerfacecolor="none", markeredgewidth=0.8, label=label,
                            color=colour)
            else:
                ax_end.plot(starts, ends, ".", markersize=3, label=label, color=colour)
        ax_end.set_xlabel("start $x_0$")
        ax_end.set_ylabel("end point $x$")
        ax_end.set_title(title or "where each start ends")
        ax_end.legend(loc="center left", markerscale=3)
    return fig


# -- the look-ahead diagram --------------------------------------------------------------------
def plot_lookahead(function, theta, velocity, lr: float, momentum: float, *, zoom: float = 1.5):
    """Heavy ball versus Nesterov at one point θ with velocity u (Sutskever's u ← μu − η∇f(·), θ ← θ + u).

    Left, heavy ball: the gradient step −η∇f(θ) at θ plus the momentum step μu. Right, Nesterov:
    first the momentum step to the look-ahead point θ + μu, then the gradient step −η∇f(θ + μu)
    taken *there*. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    from ..plots import plot_contours
    from ..plots.style import GREY, OKABE_ITO, optimizer_style, use_course_style

    theta, u = np.asarray(theta, dtype=float), np.asarray(velocity, dtype=float)
    lr, mu = _positive(lr, "lr"), float(_momentum_array(momentum))
    ahead = theta + mu * u
    heavy_grad, nest_grad = -lr * function.grad(theta), -lr * function.grad(ahead)
    points = np.array([theta, ahead, theta + mu * u + heavy_grad, ahead + nest_grad])
    centre, half = points.mean(axis=0), zoom * max(np.ptp(points, axis=0).max() / 2, 1e-9)
    xlim, ylim = (centre[0] - half * 1.6, centre[0] + half * 1.6), (centre[1] - half, centre[1] + half)
    with use_course_style():
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.1), layout="constrained")
        panels = ((axes[0], "Momentum", theta, heavy_grad, "heavy ball: gradient at θ"),
                  (axes[1], "Nesterov", ahead, nest_grad, "Nesterov: gradient at the look-ahead point θ + μu"))
        for ax, name, grad_at, grad_step, title in panels:
            plot_contours(function, None, ax=ax, grid=70, levels=14, xlim=xlim, ylim=ylim, critical_points=True)
            arrow = dict(arrowstyle="-|>", linewidth=2.0, mutation_scale=14, shrinkA=0, shrinkB=0)
            ax.annotate("", ahead, theta, arrowprops={**arrow, "color": GREY})
            ax.annotate("", grad_at + grad_step, grad_at, arrowprops={**arrow, "color": OKABE_ITO["vermillion"]})
            end = ahead + grad_step
            if name == "Momentum":  # the gradient step drawn at θ, then moved to the tip of μu
                ax.annotate("", end, ahead, arrowprops={**arrow, "color": OKABE_ITO["vermillion"], "linestyle": ":"})
            ax.annotate("", end, theta, arrowprops={**arrow, "color": optimizer_style(name)["color"], "linewidth": 2.2,
                                                          "alpha": 0.9})
            ax.plot(*theta, "o", color="white", markeredgecolor="black", markersize=8)
            ax.plot(*ahead, "s", color=GREY, markeredgecolor="black", markersize=6)
            ax.text(*theta, "  θ", va="bottom", fontsize=10)
            ax.text(*ahead, "  θ + μu", va="bottom", fontsize=9)
            ax.set_title(title, fontsize=10)
        handles = [plt.Line2D([], [], color=GREY, linewidth=2, label="momentum step μu"),
                   plt.Line2D([], [], color=OKABE_ITO["vermillion"], linewidth=2, label="gradient step −η∇f"),
                   plt.Line2D([], [], color=optimizer_style("Momentum")["color"], linewidth=2.6, label="heavy-ball step"),
                   plt.Line2D([], [], color=optimizer_style("Nesterov")["color"], linewidth=2.6, label="Nesterov step")]
        fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
    return fig


def velocity_after(function, steps: int, lr: float, momentum: float, x0=None) -> tuple[np.ndarray, np.ndarray]:
    """(θ, u) after ``steps`` heavy-ball steps in Sutskever's form from rest: a realistic moving state."""
    theta = np.array(function.start if x0 is None else x0, dtype=float)
    u = np.zeros_like(theta)
    for _ in range(steps):
        u = momentum * u - lr * function.grad(theta)
        theta = theta + u
    return theta, u


__all__ = [
    "accelerated_runs", "basin_outcomes", "basin_table", "contraction_factor", "critical_damping_beta", "double_well",
    "late_mean_loss", "loglog_slope", "momentum_rate", "nesterov_worst_case", "noisy_quadratic_losses", "plot_basins", "plot_noisy_losses",
    "plot_lookahead", "plot_rate_map", "polyak_tuning", "rate_map", "stationary_loss", "velocity_after",
]
