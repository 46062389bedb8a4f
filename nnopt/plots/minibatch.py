"""Figures of notebook 01 (mini-batch gradient descent), in the course style.

- :func:`batch_style`: one colour, line style and marker per kind of batch (full, mini, single).
- :func:`plot_batch_paths`: paths on the contour map of a 2-parameter least-squares problem, and
  their training and validation losses per iteration.
- :func:`plot_noise_ball`: where constant-rate SGD hovers, and its excess loss against a decaying rate.
- :func:`plot_gradient_variance`: the variance of the mini-batch gradient against b, log-log.
- :func:`plot_time_sweep`: seconds per epoch and training cost against seconds, per batch size.

Every function checks its arguments and returns the Figure.
"""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from ._common import styled
from .style import GREY, OKABE_ITO, PALETTE

_STYLES = {
    "batch": {"color": OKABE_ITO["black"], "linestyle": "-", "marker": "o"},
    "mini": {"color": OKABE_ITO["blue"], "linestyle": "--", "marker": "s"},
    "single": {"color": OKABE_ITO["vermillion"], "linestyle": ":", "marker": "^"},
}
#: Line styles and markers of the batch sizes in the time sweep (same order as the colours).
SWEEP_STYLES = [("-", "o"), ("--", "s"), ("-.", "^"), (":", "D"), ("-", "v"), ("--", "P")]


def batch_style(batch_size: int, m: int) -> dict[str, str]:
    """Black solid for the full batch (b = m), vermillion dotted for b = 1, blue dashed in between."""
    if batch_size == m:
        return dict(_STYLES["batch"])
    return dict(_STYLES["single"] if batch_size == 1 else _STYLES["mini"])


def _check_paths(paths) -> dict[str, np.ndarray]:
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("paths must be a non-empty dict {label: array of shape (n, 2)}.")
    checked = {}
    for label, path in paths.items():
        path = np.asarray(path, dtype=float)
        if path.ndim != 2 or path.shape[1] != 2 or len(path) < 1:
            raise ValueError(f"path {label!r} must have shape (n, 2), got {path.shape}.")
        checked[str(label)] = path
    return checked


def draw_least_squares(ax, problem, xlim, ylim, levels: int = 14, label_minimum: bool = True):
    """Filled contours of ``problem.loss`` (log-spaced above the minimum) and the minimum as a star."""
    w, c = np.meshgrid(np.linspace(*xlim, 160), np.linspace(*ylim, 160))
    excess = problem.loss(w, c) - problem.minimum_value
    top = float(excess.max())
    steps = np.geomspace(top * 1e-4, top, levels)
    ax.contourf(w, c, excess, levels=np.concatenate([[0.0], steps]), cmap="Greys_r", alpha=0.45)
    ax.contour(w, c, excess, levels=steps, colors="white", linewidths=0.6)
    ax.plot(*problem.minimum, marker="*", markersize=13, color=OKABE_ITO["yellow"], markeredgecolor="black",
            linestyle="none", zorder=9, label="minimum θ*" if label_minimum else None)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("slope $w$")
    ax.set_ylabel("intercept $c$")


@styled
def plot_batch_paths(problem, paths, styles=None, *, val_problem=None, xlim=(-1.0, 2.2), ylim=(-0.6, 2.4),
                     title=None, first_iteration: int = 0, figsize=(10.0, 3.9)):
    """Left: each path of ``paths`` ({label: (n, 2) array}) on the contour map of ``problem``.
    Right: J(θ_t) per iteration, training (solid) and, given ``val_problem``, validation (faint);
    row 0 of each path is iteration ``first_iteration``. ``styles`` ({label: dict of colour, line
    style, marker}) defaults to the palette."""
    paths = _check_paths(paths)
    styles = styles or {label: {"color": PALETTE[i], "linestyle": "-", "marker": "o"} for i, label in enumerate(paths)}
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    draw_least_squares(left, problem, xlim, ylim)
    for label, path in paths.items():
        style = styles[label]
        left.plot(path[:, 0], path[:, 1], color=style["color"], linestyle=style["linestyle"], lw=1.3, label=label)
        left.plot(*path[-1], marker=style["marker"], color=style["color"], markeredgecolor="white", markersize=7,
                  linestyle="none", zorder=8)
        steps = first_iteration + np.arange(len(path))
        right.plot(steps, problem.losses(path), color=style["color"], linestyle=style["linestyle"], lw=1.5,
                   label=label)
        if val_problem is not None:
            right.plot(steps, val_problem.losses(path), color=style["color"], linestyle=style["linestyle"], lw=0.9,
                       alpha=0.45)
    first = next(iter(paths.values()))[0]
    left.plot(*first, marker="o", markersize=9, markerfacecolor="white", markeredgecolor="black", linestyle="none",
              zorder=9, label="start" if first_iteration == 0 else f"iteration {first_iteration}")
    left.legend(loc="upper right", fontsize=7.5)
    right.set_yscale("log")
    right.set_xlabel("iteration")
    right.set_ylabel("loss $J(θ_t)$ (log scale)")
    right.axhline(problem.minimum_value, color=GREY, lw=0.8, ls="--", label="$J^*$, the lowest training loss")
    handles, labels = right.get_legend_handles_labels()
    if val_problem is not None:  # one entry per run; the two kinds of curve explained once
        handles += [plt.Line2D([], [], color="black", lw=1.5), plt.Line2D([], [], color="black", lw=0.9, alpha=0.45)]
        labels += ["training loss (thick)", "validation loss (thin, faint)"]
    right.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def binned_mean(values, n_bins: int = 24):
    """Average each row of ``values`` (seeds x (steps + 1), column t = iteration t) over log-spaced
    stretches of iterations 1..steps; returns (geometric centre of each stretch, (seeds, bins) means)."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    steps = values.shape[1] - 1
    if steps < 1:
        raise ValueError("values need at least two columns (iterations 0 and 1).")
    edges = np.unique(np.geomspace(1, steps + 1, n_bins + 1).astype(int))
    centres = np.sqrt(edges[:-1] * (edges[1:] - 1).clip(min=edges[:-1]))
    means = np.stack([values[:, a:b].mean(axis=1) for a, b in zip(edges[:-1], edges[1:])], axis=1)
    return centres, means


@styled
def plot_noise_ball(problem, clouds, curves, *, last: int, xlim=(1.0, 1.6), ylim=(0.25, 0.9), figsize=(10.0, 3.8)):
    """Left: the last ``last`` iterates of one run per constant rate (``clouds``: {label: (n, 2)
    path}) around θ*. Right: excess loss J(θ_t) - J* over iterations (``curves``: {label: (seeds,
    steps + 1) array}) averaged over log-spaced stretches of iterations (:func:`binned_mean`), mean
    over seeds with a min-max band, log-log."""
    clouds, fig = _check_paths(clouds), None
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict {label: array of shape (seeds, steps)}.")
    if isinstance(last, bool) or not isinstance(last, int) or last < 1:
        raise ValueError(f"last must be a whole number >= 1, got {last!r}.")
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    draw_least_squares(left, problem, xlim, ylim, levels=10, label_minimum=False)
    for (label, path), color in zip(clouds.items(), PALETTE):
        left.scatter(path[-last:, 0], path[-last:, 1], s=4, color=color, alpha=0.5, linewidths=0, label=label)
    left.legend(loc="upper right", fontsize=7.5, markerscale=2.5)
    left.set_title(f"the last {last} iterates of one run (star: θ*)", fontsize=10)
    for (label, values), color, (linestyle, marker) in zip(curves.items(), PALETTE, SWEEP_STYLES):
        centres, means = binned_mean(values)
        right.plot(centres, means.mean(axis=0), color=color, linestyle=linestyle, marker=marker, ms=4, lw=1.3,
                   label=label)
        right.fill_between(centres, means.min(axis=0), means.max(axis=0), color=color, alpha=0.15, linewidth=0)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("iteration")
    right.set_ylabel("excess training loss $J(θ_t) - J^*$")
    right.set_title("averaged over log-spaced stretches of iterations\n(line: mean over seeds, band: min–max)",
                    fontsize=9)
    right.legend(fontsize=7.5, loc="lower left")
    return fig


@styled
def plot_gradient_variance(batch_sizes, measured, exact, *, figsize=(5.8, 3.6)):
    """Measured E‖g_B - g‖² against b (dots), the exact finite-data formula (line) and σ²/b (dashed)."""
    batch_sizes, measured, exact = (np.asarray(v, dtype=float) for v in (batch_sizes, measured, exact))
    if not (batch_sizes.shape == measured.shape == exact.shape) or batch_sizes.ndim != 1 or len(batch_sizes) < 2:
        raise ValueError("batch_sizes, measured and exact must be 1-D arrays of the same length >= 2.")
    if np.any(batch_sizes <= 0) or np.any(measured <= 0) or np.any(exact <= 0):
        raise ValueError("batch sizes and variances must be positive (a log-log plot).")
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    sigma2 = exact[0] * (1.0 if batch_sizes[0] == 1 else batch_sizes[0])
    ax.loglog(batch_sizes, sigma2 / batch_sizes, color=GREY, ls="--", lw=1.2, label="$σ^2/b$ (slope −1)")
    ax.loglog(batch_sizes, exact, color="black", lw=1.0, label="exact: $\\frac{σ^2}{b}\\cdot\\frac{m-b}{m-1}$")
    ax.loglog(batch_sizes, measured, "o", color=OKABE_ITO["vermillion"], ms=6, label="measured")
    ax.set_xticks(batch_sizes, [f"{b:g}" for b in batch_sizes])
    ax.minorticks_off()
    ax.set_xlabel("batch size $b$")
    ax.set_ylabel("$E\\,\\|g_B - g\\|^2$ (log scale)")
    ax.set_title("noise of the mini-batch gradient")
    ax.legend()
    return fig


@styled
def plot_time_sweep(sweep, learning_rates, m: int, *, figsize=(10.0, 3.6)):
    """Left: median seconds per epoch per batch size. Right: training cost against training time,
    mean over seeds with a min-max band; each batch size has its own colour, line style and marker."""
    from ..data.batches import n_batches

    if not isinstance(sweep, Mapping) or set(sweep) != set(learning_rates):
        raise ValueError("sweep and learning_rates must be dicts with the same batch sizes as keys.")
    fig, (ax_time, ax_loss) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    sizes = list(sweep)
    seconds = [np.median([h.time[-1] / h.iterations * n_batches(m, b) for h, _ in sweep[b]]) for b in sizes]
    ax_time.loglog(sizes, seconds, "o-", color=GREY)
    ax_time.set_xlabel("batch size $b$")
    ax_time.set_ylabel("seconds per epoch")
    ax_time.set_title("time for one pass over the data")
    for b, color, (linestyle, marker) in zip(sizes, PALETTE, SWEEP_STYLES):
        runs = sweep[b]
        grid = np.linspace(max(r.seconds[0] for _, r in runs), min(r.seconds[-1] for _, r in runs), 50)
        curves = np.array([np.interp(grid, r.seconds, r.costs) for _, r in runs])
        label = f"b = {'m' if b == m else b} (α = {learning_rates[b]:g})"
        ax_loss.plot(grid, curves.mean(axis=0), color=color, linestyle=linestyle, marker=marker, markevery=7,
                     ms=5, label=label)
        ax_loss.fill_between(grid, curves.min(axis=0), curves.max(axis=0), color=color, alpha=0.15, linewidth=0)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("training time (s)")
    ax_loss.set_ylabel("training cost $J$ (whole set)")
    ax_loss.set_title("progress per second (band: min–max over seeds)")
    ax_loss.legend(fontsize=8)
    return fig
