"""Tests for nnopt.widgets.adam: the Adam explorer's figure at default and extreme slider values, and its wrapper."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.widgets import adam as W

pytestmark = pytest.mark.usefixtures("figures")


def _draw(fig) -> Figure:
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    fig.canvas.draw()  # glyph and layout warnings appear only when drawing
    plt.close(fig)
    return fig


def test_default_figure_shows_the_path_and_a_first_step_of_lr():
    fig = _draw(W.plot_adam_explorer())
    ax_path, ax_step, ax_avg = fig.axes
    assert "100 steps, bias-corrected" in ax_path.get_title()
    assert "step 1: 1.00·lr" in ax_step.get_title()
    # two coordinates: |Δx|/lr and |Δy|/lr on the step panel, |m̂| and √v̂ of each on the last
    assert len([line for line in ax_step.get_lines() if len(line.get_xdata()) == 100]) == 2
    assert len(ax_avg.get_lines()) == 4


def test_without_bias_correction_the_first_step_is_3_16_lr():
    fig = _draw(W.plot_adam_explorer(bias_correction=False))
    assert "no bias correction" in fig.axes[0].get_title()
    assert "step 1: 3.16·lr" in fig.axes[1].get_title()  # (1 − 0.9)/√(1 − 0.999) = 3.162


@pytest.mark.parametrize("function", W.ADAM_FUNCTIONS)
@pytest.mark.parametrize("corner", [dict(beta1=0.0, beta2=0.9, eps=1e-10, lr=1e-3, steps=10),
                                    dict(beta1=0.99, beta2=0.9999, eps=10.0, lr=1.0, steps=400)])
def test_every_function_at_the_slider_extremes(function, corner):
    _draw(W.plot_adam_explorer(function=function, bias_correction=False, **corner))


def test_a_diverging_run_is_drawn_and_says_so():
    fig = _draw(W.plot_adam_explorer(function="beale", lr=2e6, steps=50))
    assert "stopped: |θ| > 1e6" in fig.axes[0].get_title()


@pytest.mark.parametrize("bad, message", [
    (dict(function="himmelblau"), "function must be one of"),
    (dict(lr=0.0), "lr must be"),
    (dict(beta1=1.0), "beta1 must be"),
    (dict(beta2=-0.1), "beta2 must be"),
    (dict(eps=float("nan")), "eps must be"),
    (dict(bias_correction="yes"), "bias_correction must be True or False"),
    (dict(steps=0), "steps must be a whole number"),
])
def test_bad_arguments_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        W.plot_adam_explorer(**bad)


def test_the_wrapper_builds_sliders_and_resets_steps_with_the_function():
    pytest.importorskip("ipywidgets")
    from IPython.utils.capture import capture_output

    with capture_output():
        box = W.adam_explorer()
        controls = [child for row in box.children[:-1] for child in row.children]
        descriptions = [control.description for control in controls]
        assert descriptions == ["β₁", "β₂", "ε", "learning rate", "bias correction", "function", "steps"]
        steps = controls[-1]
        assert steps.value == W.DEFAULT_ADAM_STEPS["quadratic"]
        controls[5].value = "rosenbrock"
        assert steps.value == W.DEFAULT_ADAM_STEPS["rosenbrock"]
    plt.close("all")
    with pytest.raises(ValueError, match="function must be one of"):
        W.adam_explorer("saddle")
    assert np.isclose(controls[1].value, 0.999)
