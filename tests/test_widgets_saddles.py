"""Tests for nnopt.widgets.saddles: the saddle and clipping explorer of notebook 7."""
from __future__ import annotations

import math
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.widgets import saddles as S

pytestmark = pytest.mark.usefixtures("figures")


def _lines(ax):
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 1]


def test_default_figure_escapes_when_the_formula_says():
    fig = S.plot_saddle_explorer()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig.canvas.draw()
    # GD from (1, 1e-6) at α = 0.05: y_t = 1.1^t 1e-6 > 1 first at t = ceil(6 ln 10 / ln 1.1) = 145
    assert math.ceil(6 * math.log(10) / math.log(1.1)) == 145
    assert "after 145 steps" in fig.axes[0].get_title()


def test_on_the_stable_manifold_only_noise_escapes():
    fig = S.plot_saddle_explorer(y0=0.0)
    assert "still near the saddle" in fig.axes[0].get_title()
    path = _lines(fig.axes[0])[0].get_xydata()
    assert np.all(path[:, 1] == 0.0) and abs(path[-1, 0]) < 1e-8  # slid into the saddle
    fig = S.plot_saddle_explorer(y0=0.0, noise=0.01)
    assert "escaped |y| ≤ 1 after" in fig.axes[0].get_title()


def test_escape_step_counts_the_first_step_outside():
    assert S.escape_step([[1, 0.0], [1, 0.5], [1, -1.5], [1, 3]]) == 2
    assert S.escape_step([[1, 0.0], [1, 0.5]]) is None


def test_clipping_caps_every_step_on_the_cliff():
    fig = S.plot_saddle_explorer(max_norm=0.5, cliff_lr=1.0)
    plain, clipped = _lines(fig.axes[1])[:2]
    plain_steps = np.linalg.norm(np.diff(plain.get_xydata(), axis=0), axis=1)
    clipped_steps = np.linalg.norm(np.diff(clipped.get_xydata(), axis=0), axis=1)
    assert clipped_steps.max() <= 0.5 + 1e-9  # lr * max_norm
    assert plain_steps.max() > 5  # the catapult of notebook 7 (9.75)


@pytest.mark.parametrize("optimizer", S.SADDLE_OPTIMIZERS)
def test_every_optimizer_at_the_slider_extremes(optimizer):
    for y0 in (0.0, *S.SADDLE_Y0_BOUNDS):
        for lr in S.SADDLE_LR_BOUNDS:
            fig = S.plot_saddle_explorer(y0=y0, lr=lr, optimizer=optimizer, noise=S.SADDLE_NOISE_BOUNDS[1],
                                         max_norm=S.CLIP_NORM_BOUNDS[0], cliff_lr=S.CLIFF_LR_BOUNDS[1])
            assert len(fig.axes) == 2
            plt.close(fig)


@pytest.mark.parametrize("kwargs, message", [
    ({"y0": -1e-3}, "y0 must be"), ({"y0": float("nan")}, "y0 must be"), ({"lr": 0}, "lr must be"),
    ({"lr": 1.5}, "at most 1"), ({"noise": -0.1}, "noise must be"), ({"optimizer": "Lion"}, "optimizer must be"),
    ({"max_norm": 0.0}, "max_norm must be"), ({"cliff_lr": float("inf")}, "cliff_lr must be"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        S.plot_saddle_explorer(**kwargs)
    assert plt.get_fignums() == []


def test_explorer_builds_its_sliders():
    pytest.importorskip("ipywidgets")
    box = S.saddle_explorer()
    assert len(box.children) == 3  # two rows of controls and the output
    assert len(box.children[0].children) == 4 and len(box.children[1].children) == 2
