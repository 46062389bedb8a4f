"""Tests for nnopt.widgets: the plain explorer functions at default and extreme slider values, and the wrappers."""
from __future__ import annotations

import math
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt import widgets as W

pytest.importorskip("nnopt.optim")

pytestmark = pytest.mark.usefixtures("figures")


def _check(fig, render=False) -> Figure:
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    if render:
        fig.canvas.draw()  # glyph and layout warnings appear only when drawing
    plt.close(fig)
    return fig


SERIES = 10 + 5 * np.sin(np.arange(120) / 10)  # a stand-in temperature series


# -- plain functions at default and extreme slider values ------------------------------------
def test_lr_explorer_default_and_extremes():
    _check(W.plot_lr_explorer(), render=True)
    for lr in W.LR_EXPLORER_LR_BOUNDS:
        for function in W.LR_EXPLORER_FUNCTIONS:
            _check(W.plot_lr_explorer(lr=lr, function=function, steps=W.LR_EXPLORER_STEPS_BOUNDS[0]))
    _check(W.plot_lr_explorer(lr=2.5, steps=W.LR_EXPLORER_STEPS_BOUNDS[1]))


@pytest.mark.parametrize(
    "lr, regime",
    [(0.3, "converges monotonically"), (1.0, "one step"), (1.5, "oscillates, converges"),
     (2.0, "forever"), (2.5, "diverges")],
)
def test_lr_explorer_names_the_regime(lr, regime):
    fig = W.plot_lr_explorer(lr=lr, steps=5)
    assert regime in fig.axes[0].get_title()
    _check(fig)


def test_parabola_path_is_the_closed_form():
    path, overflowed = W._parabola_path(lr=0.3, curvature=2.0, steps=6, x0=4.0)
    np.testing.assert_allclose(path, 4.0 * (1 - 0.3 * 2.0) ** np.arange(7), rtol=1e-14)  # x_t = (1 - lr a)ᵗ x₀
    assert not overflowed
    path, diverged_at = W._parabola_path(lr=10.0, curvature=1.0, steps=500, x0=1.0)  # |1 - 10| = 9 per step
    # f = ½ 9^(2t) passes DRAW_LIMIT = 1e100 first at t = 53: ½ 9¹⁰⁴ ≈ 8.7e98 < 1e100 < ½ 9¹⁰⁶ ≈ 7.1e100
    assert diverged_at == 53 and len(path) == 53


def test_ewa_explorer_default_and_extremes():
    for beta in W.EWA_BETA_BOUNDS:
        for correction in (True, False):
            _check(W.plot_ewa_explorer(beta=beta, bias_correction=correction, series=SERIES))
    fig = W.plot_ewa_explorer(beta=0.5, series=[2.0, 2.0, 2.0], zoom=3)
    line = next(line for line in fig.axes[0].get_lines() if line.get_label().startswith("β"))
    np.testing.assert_allclose(line.get_ydata(), [2.0, 2.0, 2.0])  # bias-corrected EWA of a constant
    _check(fig)


def test_ewa_explorer_on_the_seattle_temperatures():
    pytest.importorskip("nnopt.data")
    fig = W.plot_ewa_explorer()  # loads nnopt.data.load_seattle_weather()
    left = fig.axes[0]
    assert "°C" in left.get_ylabel() and left.get_xlabel() == "date"
    line = next(line for line in left.get_lines() if line.get_label().startswith("β = 0.9"))
    assert len(line.get_ydata()) == 1461
    assert fig.axes[1].get_title().startswith("first 30 days")  # max(30, 3/(1 - 0.9))
    _check(fig, render=True)


def test_momentum_explorer_default_and_extremes():
    _check(W.plot_momentum_explorer(), render=True)
    for beta in W.MOMENTUM_BETA_BOUNDS:
        for lr in W.MOMENTUM_LR_BOUNDS:
            for form in W.MOMENTUM_FORMS:
                _check(W.plot_momentum_explorer(beta=beta, lr=lr, form=form, steps=20,
                                                condition_number=W.MOMENTUM_CONDITION_BOUNDS[1]))
    # β = 0: momentum is plain GD, so both paths coincide
    fig = W.plot_momentum_explorer(beta=0.0, lr=0.5, steps=10)
    gd, momentum = (line for line in fig.axes[0].get_lines() if "lr=0.5" in line.get_label())
    np.testing.assert_allclose(gd.get_xydata(), momentum.get_xydata())
    _check(fig)


def test_race_explorer_default_and_extremes():
    _check(W.plot_race_explorer(), render=True)
    for name in W.DEFAULT_RACE_LRS:
        _check(W.plot_race_explorer(name, steps=W.RACE_STEPS_BOUNDS[0]))
    for lr in W.RACE_LR_BOUNDS:
        _check(W.plot_race_explorer("beale", lr=lr, steps=30, grad_noise=W.RACE_NOISE_BOUNDS[1]))
    fig = W.plot_race_explorer("quadratic", lr={"Adam": 0.05}, optimizers=["SGD", "Adam"], steps=10)
    labels = {line.get_label() for line in fig.axes[0].get_lines()}
    assert {"SGD (lr=1.8)", "Adam (lr=0.05)"} <= labels  # SGD from DEFAULT_RACE_LRS, Adam as given
    _check(fig)


def test_every_default_race_converges_or_escapes_without_diverging():
    from nnopt.landscapes import make_factory, race

    for name, lrs in W.DEFAULT_RACE_LRS.items():
        runs = race({k: make_factory(k, lr=v) for k, v in lrs.items()}, name, steps=W.DEFAULT_RACE_STEPS[name])
        assert not any(run.diverged for run in runs.values()), name


# -- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: W.plot_lr_explorer(lr=0.0), "lr must be a finite number > 0, got 0.0"),
        (lambda: W.plot_lr_explorer(lr=-0.1), "lr must be a finite number > 0"),
        (lambda: W.plot_lr_explorer(lr=math.nan), "lr must be a finite number > 0"),
        (lambda: W.plot_lr_explorer(lr="fast"), "lr must be a finite number > 0"),
        (lambda: W.plot_lr_explorer(steps=0), "steps must be a whole number >= 1"),
        (lambda: W.plot_lr_explorer(function="bowl"), "unknown test function 'bowl'"),
        (lambda: W.plot_ewa_explorer(beta=1.0, series=SERIES), r"beta must be a number in \[0, 1\)"),
        (lambda: W.plot_ewa_explorer(beta=-0.1, series=SERIES), r"beta must be a number in \[0, 1\)"),
        (lambda: W.plot_ewa_explorer(bias_correction="yes", series=SERIES), "bias_correction must be True or False"),
        (lambda: W.plot_ewa_explorer(series=np.ones((3, 3))), "series must be a 1-D array"),
        (lambda: W.plot_ewa_explorer(series=[1.0, np.nan]), "finite"),
        (lambda: W.plot_momentum_explorer(beta=1.0), r"beta must be a number in \[0, 1\)"),
        (lambda: W.plot_momentum_explorer(lr=0), "lr must be a finite number > 0"),
        (lambda: W.plot_momentum_explorer(condition_number=0.5), "condition_number must be"),
        (lambda: W.plot_momentum_explorer(form="keras"), "form must be one of"),
        (lambda: W.plot_race_explorer("nowhere"), "unknown test function"),
        (lambda: W.plot_race_explorer(lr=-1.0), "lr must be a finite number > 0"),
        (lambda: W.plot_race_explorer(lr={"Adam": 0.0}), r"lr\['Adam'\] must be a finite number > 0"),
        (lambda: W.plot_race_explorer(lr={"Adamm": 0.1}), "not in the race"),
        (lambda: W.plot_race_explorer(optimizers=[]), "optimizers must be a non-empty list"),
        (lambda: W.plot_race_explorer(optimizers=["SGD", "Shampoo"], lr=0.1), "unknown optimizer 'Shampoo'"),
    ],
)
def test_bad_input_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- widget wrappers -------------------------------------------------------------------------
def _sliders(box):
    import ipywidgets

    found = []
    for row in box.children:
        found.extend(c for c in getattr(row, "children", ()) if isinstance(c, ipywidgets.ValueWidget))
    return found


def test_wrappers_build_widgets_redraw_and_leak_no_figure(capsys):
    ipywidgets = pytest.importorskip("ipywidgets")
    boxes = [W.lr_explorer(), W.ewa_explorer(series=SERIES), W.momentum_explorer()]
    for box in boxes:
        assert isinstance(box, ipywidgets.VBox) and isinstance(box.children[-1], ipywidgets.Output)
        assert plt.get_fignums() == []
    lr = next(s for s in _sliders(boxes[0]) if s.description == "learning rate")
    assert (lr.min, lr.max) == pytest.approx([math.log10(b) for b in W.LR_EXPLORER_LR_BOUNDS])
    lr.value = 100.0  # out of range: the slider clamps it
    assert lr.value == pytest.approx(W.LR_EXPLORER_LR_BOUNDS[1])
    beta = next(s for s in _sliders(boxes[1]) if s.description == "β")
    beta.value = 1.0
    assert beta.value == W.EWA_BETA_BOUNDS[1] < 1
    assert plt.get_fignums() == []  # every redraw closed its figure


def test_race_wrapper_resets_the_sliders_for_a_new_landscape(capsys):
    pytest.importorskip("ipywidgets")
    box = W.race_explorer("rosenbrock", optimizers=("SGD", "Adam"))
    controls = {c.description: c for c in _sliders(box)}
    assert controls["SGD"].value == pytest.approx(W.DEFAULT_RACE_LRS["rosenbrock"]["SGD"])
    drawn = capsys.readouterr().out.count("Figure(")
    controls["landscape"].value = "plateau"
    assert controls["SGD"].value == pytest.approx(W.DEFAULT_RACE_LRS["plateau"]["SGD"])
    assert controls["Adam"].value == pytest.approx(W.DEFAULT_RACE_LRS["plateau"]["Adam"])
    assert controls["steps"].value == W.DEFAULT_RACE_STEPS["plateau"]
    assert capsys.readouterr().out.count("Figure(") == 1  # one redraw, not one per reset slider
    assert drawn == 1 and plt.get_fignums() == []
