"""Tests for nnopt.widgets.rmsprop: the AdaGrad / RMSProp / AdaDelta explorer of notebook 4."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.widgets import rmsprop as W

pytestmark = pytest.mark.usefixtures("figures")


def _draw(fig):
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure) and len(fig.axes) == 3
    fig.canvas.draw()  # glyph and layout warnings appear only when drawing
    return fig


def _rates(fig):
    """The two per-coordinate rate curves (x, y) of the middle panel."""
    lines = [line for line in fig.axes[1].get_lines() if line.get_label().startswith("coordinate")]
    assert [line.get_label() for line in lines] == ["coordinate x", "coordinate y"]
    return [np.asarray(line.get_ydata()) for line in lines]


# The bowl ½(x²/100 + y²) from (−8, 3): g₁ = (−0.08, 3).
G1 = np.array([0.08, 3.0])


def test_rmsprop_default_first_rates_are_lr_over_sqrt_one_minus_rho_times_g():
    fig = _draw(W.plot_rmsprop_explorer())
    assert "RMSprop, lr = 0.1, ρ = 0.99" in fig.axes[0].get_title() and "100 steps" in fig.axes[0].get_title()
    rate_x, rate_y = _rates(fig)
    assert len(rate_x) == len(rate_y) == 100
    # s₁ = (1 − ρ) g², r₁ = lr / (√0.01·|g| + ε): 0.1/0.008 = 12.5 and 0.1/0.3 = 0.333
    np.testing.assert_allclose([rate_x[0], rate_y[0]], 0.1 / (0.1 * G1 + 1e-8), rtol=1e-12)
    np.testing.assert_allclose([rate_x[0], rate_y[0]], [12.5, 1 / 3], rtol=1e-5)  # ε shifts 12.5 by 1.6e-5


def test_adagrad_ignores_rho_and_starts_at_lr_over_g():
    fig = _draw(W.plot_rmsprop_explorer("AdaGrad", rho=0.5))
    assert "no decay" in fig.axes[0].get_title()
    rate_x, rate_y = _rates(fig)
    np.testing.assert_allclose([rate_x[0], rate_y[0]], 0.3 / (G1 + 1e-10), rtol=1e-12)  # 3.75 and 0.1
    assert np.all(np.diff(rate_x) <= 0) and np.all(np.diff(rate_y) <= 0)  # a sum only grows


def test_adadelta_first_rate_is_sqrt_eps_over_sqrt_of_s1_plus_eps():
    fig = _draw(W.plot_rmsprop_explorer("AdaDelta"))
    rate_x, rate_y = _rates(fig)
    # u₀ = 0: r₁ = lr·√ε / √((1 − ρ) g² + ε), lr = 1, ρ = 0.9, ε = 1e-6
    np.testing.assert_allclose([rate_x[0], rate_y[0]], np.sqrt(1e-6) / np.sqrt(0.1 * G1**2 + 1e-6), rtol=1e-12)


def test_turning_the_bowl_costs_rmsprop_its_lead():
    aligned = _draw(W.plot_rmsprop_explorer(steps=200))
    turned = _draw(W.plot_rmsprop_explorer(rotation=45, steps=200))
    assert "turned 45°" in turned.axes[0].get_title()
    loss = lambda fig: fig.axes[2].get_lines()[0].get_ydata()[-1]  # noqa: E731
    assert loss(aligned) < 1e-3 < loss(turned)


@pytest.mark.parametrize("optimizer", W.RMSPROP_OPTIMIZERS)
@pytest.mark.parametrize("rotation", W.RMSPROP_ROTATIONS)
@pytest.mark.parametrize("corner", [dict(rho=0.0, lr=1e-3, eps=1e-10, steps=10),
                                    dict(rho=0.999, lr=3.0, eps=1.0, steps=400)])
def test_every_optimizer_at_the_slider_extremes(optimizer, rotation, corner):
    fig = _draw(W.plot_rmsprop_explorer(optimizer, rotation=rotation, **corner))
    assert all(np.all(np.isfinite(rate)) for rate in _rates(fig))


@pytest.mark.parametrize("bad, message", [
    (dict(optimizer="Adam"), "optimizer must be one of"),
    (dict(lr=0.0), "lr must be"),
    (dict(rho=1.0), "rho .* must be a number in"),
    (dict(eps=-1e-8), "eps must be"),
    (dict(steps=0), "steps must be a whole number"),
    (dict(rotation=float("inf")), "rotation must be"),
    (dict(condition_number=0.5), "condition_number must be"),
])
def test_bad_arguments_name_the_problem(bad, message):
    with pytest.raises(ValueError, match=message):
        W.plot_rmsprop_explorer(**bad)


def test_the_wrapper_builds_sliders_and_resets_them_with_the_optimizer(figures):
    pytest.importorskip("ipywidgets")
    from IPython.utils.capture import capture_output

    with capture_output():
        box = W.rmsprop_explorer()
        controls = [child for row in box.children[:-1] for child in row.children]
        assert [c.description for c in controls] == ["optimizer", "ρ (decay)", "learning rate", "ε", "turned (°)", "steps"]
        optimizer, rho, lr, eps = controls[:4]
        assert (rho.value, lr.value) == (0.99, 0.1)
        optimizer.value = "AdaDelta"
        assert (rho.value, lr.value, eps.value) == (0.9, 1.0, 1e-6)
    figures.close("all")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        W.rmsprop_explorer("SGD")
