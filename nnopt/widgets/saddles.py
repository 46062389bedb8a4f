"""The saddle and clipping explorer of notebook 7.

Left: an optimizer started at (1, y₀) near the saddle of f = x² - y², with gradient noise σ;
how long it waits there depends on ln(1/|y₀|), the optimizer and the noise. Right: gradient
descent walking onto the cliff of notebook 7 (:class:`nnopt.experiments.saddles.Cliff`), with
and without clipping the gradient to norm ``max_norm``.

:func:`plot_saddle_explorer` draws the figure (the static picture beside the widget, and what the
tests call); :func:`saddle_explorer` puts sliders in front of it.
"""
from __future__ import annotations

import math

import numpy as np

from ..experiments.saddles import Cliff
from ..landscapes import Saddle, make_factory, trajectory
from .explorers import _check_lr, _is_number, _log_slider, _note, _show_live

__all__ = ["plot_saddle_explorer", "saddle_explorer", "escape_step", "SADDLE_OPTIMIZERS"]

SADDLE_OPTIMIZERS = ("SGD", "Momentum", "Adam")
SADDLE_Y0_BOUNDS = (1e-12, 0.5)
SADDLE_LR_BOUNDS = (1e-3, 0.4)  # GD on x² - y² oscillates along x for lr > 0.5 and diverges above 1
SADDLE_NOISE_BOUNDS = (0.0, 0.05)
CLIP_NORM_BOUNDS = (0.1, 20.0)
CLIFF_LR_BOUNDS = (0.05, 2.0)
SADDLE_STEPS = 200
CLIFF_STEPS = 60


def escape_step(path, radius: float = 1.0):
    """The first step t with |y_t| > ``radius`` (the saddle left behind), or None."""
    outside = np.flatnonzero(np.abs(np.asarray(path)[:, 1]) > radius)
    return int(outside[0]) if outside.size else None


def _factory(optimizer: str, lr: float):
    if optimizer == "Momentum":
        return make_factory("SGD", lr=lr, momentum=0.9)
    return make_factory(optimizer, lr=lr)


def plot_saddle_explorer(y0: float = 1e-6, lr: float = 0.05, noise: float = 0.0, optimizer: str = "SGD",
                         max_norm: float = 1.0, cliff_lr: float = 1.0, *, seed: int = 0):
    """The saddle (left) and the cliff (right) for these settings; returns the Figure.

    y0
        Distance of the start (1, y₀) from the saddle's stable manifold, the x-axis (0 allowed:
        then only noise can push the run off it).
    lr, optimizer, noise
        The optimizer on the saddle (``"SGD"``, ``"Momentum"`` = SGD with momentum 0.9, or
        ``"Adam"``), its learning rate, and σ of the Gaussian noise added to each gradient.
    max_norm, cliff_lr
        Gradient descent at ``cliff_lr`` on the cliff, unclipped (grey) and with the gradient
        clipped to norm ``max_norm`` (blue).
    """
    import matplotlib.pyplot as plt

    from ..plots import plot_contours
    from ..plots.style import GREY, OKABE_ITO

    if not (_is_number(y0) and math.isfinite(y0) and 0 <= y0 <= SADDLE_Y0_BOUNDS[1]):
        raise ValueError(f"y0 must be a number from 0 to {SADDLE_Y0_BOUNDS[1]}, got {y0!r}.")
    lr = _check_lr(lr)
    if lr > 1.0:
        raise ValueError(f"lr must be at most 1 on x² - y² (gradient descent diverges along x above it), got {lr!r}.")
    if not (_is_number(noise) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0 (σ of the gradient noise), got {noise!r}.")
    if optimizer not in SADDLE_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {SADDLE_OPTIMIZERS}, got {optimizer!r}.")
    max_norm = _check_lr(max_norm, "max_norm")
    cliff_lr = _check_lr(cliff_lr, "cliff_lr")

    saddle, cliff = Saddle(), Cliff()
    run = trajectory(_factory(optimizer, lr), saddle, x0=(1.0, float(y0)), steps=SADDLE_STEPS, grad_noise=noise,
                     seed=seed, bound=2.0, on_divergence="ignore")
    left = escape_step(run.path)
    plain = trajectory(make_factory("SGD", lr=cliff_lr), cliff, steps=CLIFF_STEPS, on_divergence="ignore")
    clipped = trajectory(make_factory("SGD", lr=cliff_lr), cliff, steps=CLIFF_STEPS, clip_norm=max_norm,
                         on_divergence="ignore")

    fig, (ax_saddle, ax_cliff) = plt.subplots(1, 2, figsize=(10.5, 4.0), layout="constrained")
    plot_contours(saddle, ax=ax_saddle, grid=80, levels=12, legend="none", title="")
    ax_saddle.plot(*run.path.T, "-", marker="o", ms=2, lw=1.4, color=OKABE_ITO["vermillion"], label=optimizer)
    ax_saddle.plot(1.0, y0, "o", ms=8, mfc="white", mec="black", zorder=8)
    ax_saddle.set_xlim(saddle.xlim)
    ax_saddle.set_ylim(saddle.ylim)
    verdict = f"escaped |y| ≤ 1 after {left} steps" if left is not None else f"still near the saddle after {SADDLE_STEPS} steps"
    ax_saddle.set_title(f"$x^2 - y^2$ from (1, {y0:.0e}), {optimizer} α = {lr:.3g}, σ = {noise:.2g}:\n{verdict}",
                        fontsize=9)
    plot_contours(cliff, ax=ax_cliff, grid=90, levels=16, legend="none", title="")
    diverged = []
    for path_run, color, label in ((plain, GREY, f"GD α = {cliff_lr:.3g}"),
                                   (clipped, OKABE_ITO["blue"], f"GD α = {cliff_lr:.3g} clipped at norm {max_norm:.3g}")):
        if path_run.diverged:
            diverged.append(f"{label} diverged at step {path_run.diverged_at}")
        if path_run is clipped:
            label = f"+ clip by norm {max_norm:.3g}"
        steps = np.linalg.norm(np.diff(path_run.path, axis=0), axis=1)
        label += f": longest step {np.max(steps):.2g}" if len(steps) else ""
        label += f", diverged at step {path_run.diverged_at}" if path_run.diverged else ""
        ax_cliff.plot(*path_run.path.T, "-", marker="o", ms=2, lw=1.4, color=color, label=label)
    ax_cliff.plot(*cliff.start, "o", ms=8, mfc="white", mec="black", zorder=8)
    ax_cliff.legend(loc="lower right", fontsize=8)
    ax_cliff.set_title(f"the cliff, {CLIFF_STEPS} steps: clipping caps each step at α·max_norm", fontsize=9)
    if diverged:  # (the saddle run's bound is the window: leaving it is escaping, not diverging)
        _note(fig, "On the cliff: " + "; ".join(diverged) + ": lower the learning rate on the cliff")
    return fig


def saddle_explorer():
    """Sliders for :func:`plot_saddle_explorer`: y₀, lr, noise, optimizer; clip threshold and lr on the cliff."""
    import ipywidgets as widgets

    controls = {
        "y0": _log_slider("y₀ (distance from the x-axis)", 1e-6, SADDLE_Y0_BOUNDS),
        "lr": _log_slider("learning rate", 0.05, SADDLE_LR_BOUNDS),
        "noise": widgets.FloatSlider(value=0.0, min=SADDLE_NOISE_BOUNDS[0], max=SADDLE_NOISE_BOUNDS[1], step=0.001,
                                     readout_format=".3f", description="gradient noise σ", continuous_update=False,
                                     style={"description_width": "initial"}),
        "optimizer": widgets.Dropdown(options=SADDLE_OPTIMIZERS, value="SGD", description="optimizer"),
        "max_norm": _log_slider("clip at norm", 1.0, CLIP_NORM_BOUNDS),
        "cliff_lr": _log_slider("learning rate on the cliff", 1.0, CLIFF_LR_BOUNDS),
    }
    names = list(controls)
    rows = [[controls[n] for n in names[:4]], [controls[n] for n in names[4:]]]
    return _show_live(plot_saddle_explorer, controls, rows=rows)
