r"""The explorer of notebook 4: AdaGrad, RMSProp or AdaDelta on the elongated bowl, with ρ, lr and ε live.

- :func:`plot_rmsprop_explorer` runs one of the three (the :mod:`nnopt.optim` classes, torch's
  numbers, via :func:`nnopt.experiments.rmsprop.landscape_run`) on the bowl ½(x²/κ + y²), turned by
  ``rotation`` degrees, and returns a Figure with three panels: the path on the contour map; the
  **effective learning rate** of each coordinate, r in Δθ = −r·g (AdaGrad and RMSProp:
  lr/(√s + ε); AdaDelta: lr·√(u + ε)/√(s + ε)), against the step; and f − f*.
- :func:`rmsprop_explorer` puts sliders in front of it (ipywidgets imported inside).

The decay is written ρ, as in the notebook: torch's RMSprop calls it ``alpha``, its Adadelta ``rho``;
AdaGrad has none (the slider is ignored and the title says so).
"""
from __future__ import annotations

import math

import numpy as np

from .explorers import _check_lr, _check_steps, _is_number, _log_slider, _show_live

__all__ = ["plot_rmsprop_explorer", "rmsprop_explorer", "RMSPROP_OPTIMIZERS", "RMSPROP_DEFAULTS"]

RMSPROP_OPTIMIZERS = ("AdaGrad", "RMSprop", "AdaDelta")
#: The starting values of the sliders for each optimizer: torch's ρ and ε; lr fit for the bowl
#: (AdaDelta: torch's and the paper's lr = 1).
RMSPROP_DEFAULTS = {"AdaGrad": {"lr": 0.3, "rho": 0.99, "eps": 1e-10},
                    "RMSprop": {"lr": 0.1, "rho": 0.99, "eps": 1e-8},
                    "AdaDelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6}}
RMSPROP_RHO_OPTIONS = (0.0, 0.5, 0.9, 0.95, 0.99, 0.999)
RMSPROP_LR_BOUNDS = (1e-3, 3.0)
RMSPROP_EPS_BOUNDS = (1e-10, 1.0)
RMSPROP_STEPS_BOUNDS = (10, 400)
RMSPROP_ROTATIONS = (0, 45)
RMSPROP_CONDITION = 100.0  # notebook 3's and 4's bowl
RMSPROP_FIGSIZE = (10.0, 3.4)
_COORDINATE_COLORS = ("#0072B2", "#009E73")  # Okabe-Ito blue (x) and bluish green (y), as in the Adam explorer


def plot_rmsprop_explorer(optimizer: str = "RMSprop", lr: float | None = None, rho: float | None = None,
                          eps: float | None = None, rotation: float = 0, steps: int = 100,
                          condition_number: float = RMSPROP_CONDITION):
    """One adaptive optimizer on the bowl ½(x²/κ + y²) turned by ``rotation`` degrees, from (−8, 3)
    turned alike; returns the Figure (see the module docstring). Arguments left at None take
    :data:`RMSPROP_DEFAULTS` of that optimizer. Bad arguments raise ValueError.
    """
    from ..experiments.rmsprop import landscape_run
    from ..landscapes import Quadratic
    from ..plots._common import styled

    if optimizer not in RMSPROP_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {RMSPROP_OPTIMIZERS}, got {optimizer!r}.")
    defaults = RMSPROP_DEFAULTS[optimizer]
    lr = _check_lr(defaults["lr"] if lr is None else lr)
    rho = defaults["rho"] if rho is None else rho
    if not (_is_number(rho) and 0 <= rho < 1):
        raise ValueError(f"rho (the decay ρ, torch's alpha for RMSprop) must be a number in [0, 1), got {rho!r}.")
    eps = _check_lr(defaults["eps"] if eps is None else eps, "eps")
    steps = _check_steps(steps)
    if not (_is_number(rotation) and math.isfinite(rotation)):
        raise ValueError(f"rotation must be a finite angle in degrees, got {rotation!r}.")
    if not (_is_number(condition_number) and math.isfinite(condition_number) and condition_number >= 1):
        raise ValueError(f"condition_number must be a finite number >= 1, got {condition_number!r}.")
    bowl = Quadratic(condition_number=condition_number, rotation=rotation)  # its start (−8, 3) is turned too
    run = landscape_run(optimizer, bowl, lr=lr, rho=None if optimizer == "AdaGrad" else float(rho), eps=eps,
                        steps=steps)
    return styled(_draw)(bowl, run, optimizer, lr, float(rho), eps, rotation, condition_number)


def _draw(bowl, run, optimizer, lr, rho, eps, rotation, condition_number):
    import matplotlib.pyplot as plt

    from ..plots import plot_contours
    from ..plots.style import optimizer_style

    fig, (ax_path, ax_rate, ax_loss) = plt.subplots(1, 3, figsize=RMSPROP_FIGSIZE, layout="constrained",
                                                    width_ratios=(1.2, 1, 1))
    decay = "no decay" if optimizer == "AdaGrad" else f"ρ = {rho:g}"
    plot_contours(bowl, {f"{optimizer} (lr={lr:g})": run["path"]}, ax=ax_path, legend="none", grid=90, levels=12)
    ending = "stopped: |θ| > 1e6" if run["diverged"] else f"f − f* = {run['loss'][-1]:.1e}"
    ax_path.set_title(f"{optimizer}, lr = {lr:g}, {decay}, ε = {eps:.0e}\n"
                      f"κ = {condition_number:g}, turned {rotation:g}°: {len(run['path']) - 1} steps, {ending}", fontsize=9)
    t = np.arange(1, len(run["rate"]) + 1)
    for k, (name, color) in enumerate(zip("xy", _COORDINATE_COLORS)):
        if len(t):
            ax_rate.plot(t, run["rate"][:, k], color=color, label=f"coordinate {name}")
    ax_rate.axhline(2.0, color="black", lw=0.8, ls=":", label=r"$2/\lambda_{\max}$: GD's largest stable rate")
    ax_rate.set(xscale="log", yscale="log", xlabel="step $t$", ylabel="effective rate r")
    ax_rate.set_title("per-coordinate rate r (Δθ = −r·g)", fontsize=9)
    ax_rate.grid(True, which="major")
    ax_rate.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8)  # below: rates fill any corner
    ax_loss.plot(np.arange(len(run["loss"])), np.maximum(run["loss"], 1e-300), **optimizer_style(optimizer))
    ax_loss.set(yscale="log", xlabel="step $t$", ylabel="$f - f^*$")
    ax_loss.set_title("loss", fontsize=9)
    ax_loss.grid(True, which="major")
    return fig


def rmsprop_explorer(optimizer: str = "RMSprop"):
    """An optimizer menu, sliders for ρ, lr and ε, the bowl's rotation and the number of steps, in
    front of :func:`plot_rmsprop_explorer`; switching the optimizer resets lr, ρ and ε to its defaults."""
    import ipywidgets as widgets

    if optimizer not in RMSPROP_OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {RMSPROP_OPTIMIZERS}, got {optimizer!r}.")
    start = RMSPROP_DEFAULTS[optimizer]
    controls = {
        "optimizer": widgets.Dropdown(options=RMSPROP_OPTIMIZERS, value=optimizer, description="optimizer"),
        "rho": widgets.SelectionSlider(options=RMSPROP_RHO_OPTIONS, value=start["rho"], description="ρ (decay)",
                                       continuous_update=False, style={"description_width": "initial"}),
        "lr": _log_slider("learning rate", start["lr"], RMSPROP_LR_BOUNDS),
        "eps": _log_slider("ε", start["eps"], RMSPROP_EPS_BOUNDS),
        "rotation": widgets.Dropdown(options=RMSPROP_ROTATIONS, value=0, description="turned (°)"),
        "steps": widgets.IntSlider(value=100, min=RMSPROP_STEPS_BOUNDS[0], max=RMSPROP_STEPS_BOUNDS[1], step=10,
                                   description="steps", continuous_update=False),
    }

    def reset_to_defaults(change):
        if change["owner"] is controls["optimizer"]:
            for name, value in RMSPROP_DEFAULTS[change["new"]].items():
                controls[name].value = value

    rows = [[controls["optimizer"], controls["rho"], controls["lr"]],
            [controls["eps"], controls["rotation"], controls["steps"]]]
    return _show_live(plot_rmsprop_explorer, controls, on_change=reset_to_defaults, rows=rows)
