"""Tests for nnopt.widgets.minibatch and nnopt.plots.minibatch: the batch-size explorer and the figures of notebook 01."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.plots import minibatch as P
from nnopt.widgets import minibatch as W

pytestmark = pytest.mark.usefixtures("figures")


def test_explorer_draws_the_batch_size_beside_the_full_batch():
    fig = W.plot_minibatch_explorer(batch_size=4, lr=0.5, steps=50)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "batch, b = m" in labels and "b = 4" in labels
    assert "diverged" not in fig.texts[0].get_text()
    fig.canvas.draw()


def test_explorer_reports_divergence_in_the_title():
    fig = W.plot_minibatch_explorer(batch_size="m", lr=1.5, steps=60)  # 1.5 > 2/λ_max ≈ 1.1
    assert "diverged: batch, b = m" in fig.texts[0].get_text()
    fig = W.plot_minibatch_explorer(batch_size=1, lr=0.05, steps=60)
    assert "diverged" not in fig.texts[0].get_text()


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": 10_000}, {"batch_size": "all"},
                                    {"lr": 0.0}, {"lr": -1.0}, {"steps": 0}, {"seed": -1}])
def test_explorer_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        W.plot_minibatch_explorer(**kwargs)


def test_explorer_widget_has_the_three_controls():
    ipywidgets = pytest.importorskip("ipywidgets")
    box = W.minibatch_explorer()
    assert isinstance(box, ipywidgets.VBox) and isinstance(box.children[-1], ipywidgets.Output)
    controls = [c for c in box.children[0].children if isinstance(c, ipywidgets.ValueWidget)]
    assert [c.description for c in controls] == ["batch size b", "learning rate α", "iterations"]
    assert controls[0].options[-1][1] == 1096  # the full batch of the training days


def test_batch_styles_are_distinct():
    styles = [P.batch_style(b, 100) for b in (100, 10, 1)]
    assert len({(s["color"], s["linestyle"]) for s in styles}) == 3


def test_binned_mean_averages_log_spaced_stretches():
    values = np.tile(np.arange(101.0), (2, 1))  # column t holds t
    centres, means = P.binned_mean(values, n_bins=4)
    assert means.shape == (2, len(centres)) and np.all(np.diff(means[0]) > 0)
    assert means[0, 0] == 1.5 and means[0, -1] == 65.5  # iterations 1-2 and 31-100


def test_plots_check_their_arguments():
    with pytest.raises(ValueError):
        P.plot_gradient_variance([1, 2], [1.0], [1.0, 0.5])
    with pytest.raises(ValueError):
        P.plot_gradient_variance([1, 2], [1.0, 0.0], [1.0, 0.5])
    with pytest.raises(ValueError):
        P.plot_batch_paths(None, {})
    with pytest.raises(ValueError):
        P.plot_time_sweep({1: []}, {2: 0.1}, 10)


def test_gradient_variance_figure():
    fig = P.plot_gradient_variance([1, 2, 4], [4.0, 2.1, 0.9], [4.0, 2.0, 1.0])
    assert isinstance(fig, Figure) and fig.axes[0].get_xscale() == "log"
    fig.canvas.draw()
