"""A batch-size and learning-rate explorer on notebook 01's two-parameter least-squares problem.

:func:`plot_minibatch_explorer` (a plain function returning a Figure: the static picture beside the
widget, and what the tests call) draws mini-batch gradient descent with batch size b and rate α
next to full-batch gradient descent at the same rate, on the contour map of the Seattle
straight-line fit (daily high from daily low); :func:`minibatch_explorer` puts sliders in front.
"""
from __future__ import annotations

from .explorers import _check_lr, _check_steps, _log_slider, _show_live

MINIBATCH_LR_BOUNDS = (0.01, 1.5)  # λ_max of the Hessian ≈ 1.8: full-batch GD diverges above α ≈ 1.1
MINIBATCH_STEPS_BOUNDS = (10, 400)
MINIBATCH_BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)  # and m, the full batch
DIVERGED_FACTOR = 10.0  # a run that ends with 10x the starting loss is reported as diverged

_PROBLEMS = {}


def _problems():
    from ..experiments.minibatch import seattle_regression

    if "seattle" not in _PROBLEMS:
        _PROBLEMS["seattle"] = seattle_regression()
    return _PROBLEMS["seattle"]


def plot_minibatch_explorer(batch_size: int = 16, lr: float = 0.5, steps: int = 100, seed: int = 0):
    """Mini-batch GD θ ← θ - α ∇J_B(θ) with ``batch_size`` b and rate ``lr`` for ``steps`` iterations,
    beside full-batch GD (b = m) at the same rate, on the Seattle least-squares problem.

    Left: both paths on the contour map; right: training and validation loss per iteration. A run
    that ends with more than 10 times its starting loss is reported as diverged in the title
    (and not drawn if it overflowed). ``batch_size`` may also be the
    string ``"m"``. Returns the Figure.
    """
    from ..experiments.minibatch import sgd_path
    from ..plots.minibatch import batch_style, plot_batch_paths

    train, val = _problems()
    if batch_size == "m":
        batch_size = train.m
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= train.m:
        raise ValueError(f"batch_size must be a whole number from 1 to m = {train.m} (or 'm'), got {batch_size!r}.")
    lr = _check_lr(lr)
    steps = _check_steps(steps)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}.")
    paths, styles, failed = {}, {}, []
    for b in dict.fromkeys((train.m, batch_size)):
        label = "batch, b = m" if b == train.m else f"b = {b}"
        try:
            path = sgd_path(train, b, lr, steps, seed=seed)
        except FloatingPointError:  # overflowed: nothing finite to draw
            failed.append(label)
            continue
        losses = train.losses(path)
        if losses[-1] > DIVERGED_FACTOR * losses[0]:
            failed.append(label)
        paths[label] = path
        styles[label] = batch_style(b, train.m)
    if not paths:
        paths = {"start": sgd_path(train, train.m, lr, 0)}
        styles = {"start": batch_style(train.m, train.m)}
    title = f"α = {lr:.3g}, {steps} iterations; b = {batch_size} is {steps * batch_size / train.m:.3g} epochs"
    if failed:
        title += " — diverged: " + ", ".join(failed) + " (try a smaller α)"
    return plot_batch_paths(train, paths, styles, val_problem=val, title=title)


def minibatch_explorer():
    """Sliders for the batch size, the learning rate (log scale) and the number of iterations."""
    import ipywidgets as widgets

    train, _ = _problems()
    sizes = [*MINIBATCH_BATCH_SIZES, train.m]
    controls = {
        "batch_size": widgets.SelectionSlider(options=[(("m" if b == train.m else str(b)), b) for b in sizes], value=16,
                                              description="batch size b", continuous_update=False,
                                              style={"description_width": "initial"}),
        "lr": _log_slider("learning rate α", 0.5, MINIBATCH_LR_BOUNDS),
        "steps": widgets.IntSlider(value=100, min=MINIBATCH_STEPS_BOUNDS[0], max=MINIBATCH_STEPS_BOUNDS[1], step=10,
                                   description="iterations", continuous_update=False),
    }
    return _show_live(plot_minibatch_explorer, controls)

