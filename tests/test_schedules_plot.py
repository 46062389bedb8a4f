"""schedule_values and plot_schedule: run on a copy, label the axes, compare several schedules."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nnopt.schedules import (
    CosineAnnealingLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
    plot_schedule,
    schedule_values,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from fake_optimizer import FakeOptimizer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_import_does_not_load_matplotlib():
    code = "import sys, nnopt.schedules; assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_values_from_a_factory():
    # StepLR(2, 0.5) with lr 0.8: 0.8, 0.8, 0.4, 0.4, 0.2
    np.testing.assert_allclose(schedule_values(lambda o: StepLR(o, 2, 0.5), 5, lr=0.8), [0.8, 0.8, 0.4, 0.4, 0.2])


def test_values_of_an_existing_scheduler_leave_it_untouched():
    optimizer = FakeOptimizer([1.0])
    scheduler = StepLR(optimizer, 2, 0.5)
    optimizer.step()
    scheduler.step()  # now at t = 1
    values = schedule_values(scheduler, 4)  # continues from t = 1: 1, 0.5, 0.5, 0.25
    np.testing.assert_allclose(values, [1.0, 0.5, 0.5, 0.25])
    assert scheduler.last_epoch == 1 and optimizer.step_count == 1
    assert optimizer.param_groups[0]["lr"] == 1.0


def test_momentum_values():
    values = schedule_values(lambda o: OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="linear"), 3,
                             key="momentum")
    np.testing.assert_allclose(values, [0.95, 0.9, 0.85])
    betas = schedule_values(lambda o: OneCycleLR(o, 1.0, total_steps=10), 3, key="momentum", betas=(0.9, 0.99))
    np.testing.assert_allclose(betas, [0.95, 0.9, 0.85])


def test_plateau_values_need_metrics():
    values = schedule_values(lambda o: ReduceLROnPlateau(o, patience=0, factor=0.5), 4, lr=1.0,
                             metrics=[1.0, 2.0, 2.0])
    np.testing.assert_allclose(values, [1.0, 1.0, 0.5, 0.25])
    with pytest.raises(ValueError, match="metrics"):
        schedule_values(lambda o: ReduceLROnPlateau(o), 4)


def test_plot_one_schedule_labels_the_axes():
    ax = plot_schedule(lambda o: CosineAnnealingLR(o, 20), steps=30, lr=0.1)
    assert ax.get_xlabel() == "step (epoch or iteration)"
    assert ax.get_ylabel() == "learning rate"
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata()[[0, 10, 20]], [0.1, 0.05, 0.0], atol=1e-15)


def test_plot_several_schedules_on_one_axes():
    optimizer = FakeOptimizer([0.1])
    existing = StepLR(optimizer, 10)
    ax = plot_schedule({"step": existing, "cosine": lambda o: CosineAnnealingLR(o, 50)}, steps=50, log_y=True)
    assert [line.get_label() for line in ax.get_lines()] == ["step", "cosine"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["step", "cosine"]
    assert ax.get_yscale() == "log"
    assert existing.last_epoch == 0 and optimizer.param_groups[0]["lr"] == 0.1


def test_plot_a_list_and_groups_on_given_axes():
    fig, ax = plt.subplots()
    returned = plot_schedule([lambda o: StepLR(o, 5)], steps=10, ax=ax, lr=[0.1, 0.01])
    assert returned is ax
    assert [line.get_label() for line in ax.get_lines()] == ["StepLR (group 0)", "StepLR (group 1)"]


def test_plot_momentum_axis_label():
    ax = plot_schedule(lambda o: OneCycleLR(o, 0.1, total_steps=20), steps=20, key="momentum")
    assert ax.get_ylabel().startswith("momentum")


def test_bad_schedule():
    with pytest.raises(TypeError, match="factory"):
        schedule_values(3, 10)
    with pytest.raises(TypeError, match="must return a scheduler"):
        schedule_values(lambda o: 0.1, 10)
    with pytest.raises(ValueError, match="steps"):
        schedule_values(lambda o: StepLR(o, 5), 0)


def test_both_plot_schedule_functions_take_both_spellings_of_the_log_scale(figures):
    from nnopt.plots import plot_schedule as plots_plot_schedule
    from nnopt.schedules import ExponentialLR
    from nnopt.schedules import plot_schedule as schedules_plot_schedule

    factory = lambda optimizer: ExponentialLR(optimizer, gamma=0.9)  # noqa: E731
    assert schedules_plot_schedule(factory, steps=20, logy=True).get_yscale() == "log"
    assert schedules_plot_schedule(factory, steps=20, log_y=True).get_yscale() == "log"
    for spelling in ("logy", "log_y"):
        fig = plots_plot_schedule(factory, steps=20, **{spelling: True})
        assert fig.axes[0].get_yscale() == "log"
