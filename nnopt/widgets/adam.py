r"""The Adam explorer of notebook 5: β₁, β₂, ε, the learning rate and bias correction, live.

- :func:`plot_adam_explorer` runs Adam (:func:`nnopt.experiments.adam.adam_internals`, the
  PyTorch form, ε outside the root of v̂) on a 2-D test function and returns a Figure with
  three panels: the path on the contour map; the step of each coordinate in units of the
  learning rate, |Δθᵢ|/lr (the "about lr per coordinate" rule is the dashed line at 1); and
  the two averages that make the step, |m̂ᵢ| and √v̂ᵢ, per coordinate.
- :func:`adam_explorer` puts sliders in front of it (ipywidgets imported inside).

With bias correction off the first step is lr·(1 − β₁)/√(1 − β₂) per coordinate
(3.16·lr at the defaults) instead of lr: the explorer shows it in the middle panel.
"""
from __future__ import annotations

import numpy as np

from .explorers import _log_slider, _note, _show_live

__all__ = ["plot_adam_explorer", "adam_explorer", "ADAM_FUNCTIONS", "DEFAULT_ADAM_STEPS"]

ADAM_FUNCTIONS = ("quadratic", "rosenbrock", "beale")
ADAM_LR_BOUNDS = (1e-3, 1.0)
ADAM_BETA1_BOUNDS = (0.0, 0.99)
ADAM_BETA2_OPTIONS = (0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)
ADAM_EPS_BOUNDS = (1e-10, 10.0)
ADAM_STEPS_BOUNDS = (10, 400)
DEFAULT_ADAM_STEPS = {"quadratic": 100, "rosenbrock": 300, "beale": 300}
ADAM_FIGSIZE = (10.0, 3.6)
_COORDINATE_COLORS = ("#0072B2", "#009E73")  # Okabe-Ito blue (x) and bluish green (y)


def plot_adam_explorer(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, lr: float = 0.1,
                       bias_correction: bool = True, function: str = "quadratic", steps: int | None = None):
    """Adam's internals on ``function`` ("quadratic": the elongated bowl ½(x²/10 + y²), "rosenbrock",
    "beale"), from the function's default start; returns the Figure (see the module docstring).

    m_t = β₁m + (1 − β₁)g, v_t = β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) (or m̂ = m,
    v̂ = v without bias correction), θ ← θ − lr·m̂/(√v̂ + ε). Bad arguments raise ValueError.
    """
    from ..experiments.adam import adam_internals
    from ..landscapes import get_function
    from ..plots._common import styled

    if function not in ADAM_FUNCTIONS:
        raise ValueError(f"function must be one of {ADAM_FUNCTIONS}, got {function!r}.")
    steps = DEFAULT_ADAM_STEPS[function] if steps is None else steps
    run = adam_internals(function, lr=lr, beta1=beta1, beta2=beta2, eps=eps, bias_correction=bias_correction,
                         steps=steps)
    return styled(_draw)(get_function(function), run, lr, beta1, beta2, eps, bias_correction)


def _draw(landscape, run, lr, beta1, beta2, eps, bias_correction):
    import matplotlib.pyplot as plt

    from ..plots import plot_contours

    fig, (ax_path, ax_step, ax_avg) = plt.subplots(1, 3, figsize=ADAM_FIGSIZE, layout="constrained",
                                                   width_ratios=(1.1, 1, 1))
    label = f"Adam (lr={lr:g})"
    plot_contours(landscape, {label: run["path"]}, ax=ax_path, legend="none", grid=100, levels=10)
    correction = "bias-corrected" if bias_correction else "no bias correction"
    ending = "stopped: |θ| > 1e6" if run["diverged"] else f"f − f* = {run['loss'][-1]:.1e}"
    ax_path.set_title(f"{len(run['path']) - 1} steps, {correction}\n{ending}", fontsize=9)
    if run["diverged"]:
        _note(fig, f"Adam (lr = {lr:g}) diverged at step {run['diverged_at']}: |θ| passed 1e6; "
                   f"lower the learning rate")
    t = np.arange(1, len(run["step"]) + 1)
    for k, (name, color) in enumerate(zip("xy", _COORDINATE_COLORS)):
        if len(t):
            ax_step.plot(t, np.abs(run["step"][:, k]) / lr, color=color, label=f"|Δ{name}| / lr")
            ax_avg.plot(t, np.abs(run["m_hat"][:, k]), color=color, label=rf"$|\hat m|$ of {name}")
            ax_avg.plot(t, run["sqrt_v_hat"][:, k], color=color, ls="--", label=rf"$\sqrt{{\hat v}}$ of {name}")
    ax_step.axhline(1, color="black", lw=0.8, ls=":")
    if len(t):
        first = np.abs(run["step"][0]) / lr
        ax_step.set_title(f"step per coordinate; step 1: {first.max():.2f}·lr", fontsize=9)
    for ax in (ax_step, ax_avg):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step $t$")
        ax.grid(True, which="major")
        if len(t):
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, fontsize=8)  # below: no data hidden
    ax_step.set_ylabel("|Δθ| / lr")
    ax_avg.set_ylabel("size")
    ax_avg.set_title(f"m̂ and √v̂: β₁ = {beta1:g}, β₂ = {beta2:g}, ε = {eps:.0e}", fontsize=9)
    return fig


def adam_explorer(function: str = "quadratic"):
    """Sliders for β₁, β₂, ε and lr, a bias-correction switch, a function menu and the number
    of steps, in front of :func:`plot_adam_explorer`."""
    import ipywidgets as widgets

    if function not in ADAM_FUNCTIONS:
        raise ValueError(f"function must be one of {ADAM_FUNCTIONS}, got {function!r}.")
    wide = {"description_width": "initial"}
    controls = {
        "beta1": widgets.FloatSlider(value=0.9, min=ADAM_BETA1_BOUNDS[0], max=ADAM_BETA1_BOUNDS[1], step=0.01,
                                     description="β₁", continuous_update=False),
        "beta2": widgets.SelectionSlider(options=ADAM_BETA2_OPTIONS, value=0.999, description="β₂",
                                         continuous_update=False),
        "eps": _log_slider("ε", 1e-8, ADAM_EPS_BOUNDS),
        "lr": _log_slider("learning rate", 0.1, ADAM_LR_BOUNDS),
        "bias_correction": widgets.Checkbox(value=True, description="bias correction", style=wide),
        "function": widgets.Dropdown(options=ADAM_FUNCTIONS, value=function, description="function"),
        "steps": widgets.IntSlider(value=DEFAULT_ADAM_STEPS[function], min=ADAM_STEPS_BOUNDS[0],
                                   max=ADAM_STEPS_BOUNDS[1], step=10, description="steps", continuous_update=False),
    }

    def reset_steps(change):
        if change["owner"] is controls["function"]:
            controls["steps"].value = DEFAULT_ADAM_STEPS[change["new"]]

    rows = [[controls["beta1"], controls["beta2"], controls["eps"]],
            [controls["lr"], controls["bias_correction"], controls["function"], controls["steps"]]]
    return _show_live(plot_adam_explorer, controls, on_change=reset_steps, rows=rows)
