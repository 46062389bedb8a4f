"""nnopt.widgets.schedules: the schedule explorer's plain function, its run, its checks and its wrapper."""
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnopt.widgets import schedules as S

pytestmark = pytest.mark.usefixtures("figures")


def test_default_figure_has_the_rate_and_the_losses():
    fig = S.plot_schedule_explorer()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    fig.canvas.draw()
    assert "StepLR(step_size=2, gamma=0.5)" in fig.axes[0].get_title()
    assert len(fig.axes[1].get_lines()) == 4  # training and validation, chosen and constant
    plt.close(fig)


def test_step_lr_rates_per_epoch_and_per_iteration_are_the_formula():
    per = S.iterations_per_epoch()
    assert per == 20
    epoch = S.schedule_explorer_run("StepLR", 0.1, "epoch", 2, 0.5)
    iteration = S.schedule_explorer_run("StepLR", 0.1, "iteration", 2, 0.5)
    steps = np.arange(S.SCHEDULE_EXPLORER_EPOCHS * per)
    np.testing.assert_allclose(epoch["lr"], 0.1 * 0.5 ** ((steps // per) // 2), rtol=1e-12)
    np.testing.assert_allclose(iteration["lr"], 0.1 * 0.5 ** (steps // 2), rtol=1e-12)
    assert len(epoch["train_loss"]) == len(epoch["val_loss"]) == S.SCHEDULE_EXPLORER_EPOCHS
    # halving every 2 iterations stops training: it ends well above the per-epoch schedule
    assert iteration["train_loss"][-1] > 3 * epoch["train_loss"][-1]


def test_inverse_time_and_exponential_and_cosine_rates():
    per = S.iterations_per_epoch()
    steps = np.arange(S.SCHEDULE_EXPLORER_EPOCHS * per)
    inverse = S.schedule_explorer_run("inverse-time", 0.2, "epoch", 1, 1.0)
    np.testing.assert_allclose(inverse["lr"], 0.2 / (1 + steps // per), rtol=1e-12)
    exponential = S.schedule_explorer_run("ExponentialLR", 0.1, "iteration", 1, 0.9)
    np.testing.assert_allclose(exponential["lr"], 0.1 * 0.9**steps, rtol=1e-9)
    cosine = S.schedule_explorer_run("CosineAnnealingLR", 0.1, "epoch", 6, 0.5)
    np.testing.assert_allclose(cosine["lr"], 0.05 * (1 + np.cos(np.pi * (steps // per) / 6)), rtol=1e-9, atol=1e-15)
    constant = S.schedule_explorer_run("constant", 0.1, "iteration", 7, 0.3)
    assert np.all(constant["lr"] == 0.1)


def test_runs_are_cached_and_copies():
    first = S.schedule_explorer_run("ExponentialLR", 0.1, "epoch", 1, 0.8)
    first["lr"][0] = -1.0
    again = S.schedule_explorer_run("ExponentialLR", 0.1, "epoch", 1, 0.8)
    assert again["lr"][0] == 0.1


def test_every_scheduler_and_unit_draws_at_the_slider_extremes():
    steps = S.SCHEDULE_EXPLORER_EPOCHS * S.iterations_per_epoch()
    for scheduler in S.SCHEDULE_EXPLORER_SCHEDULERS:
        for unit in S.SCHEDULE_EXPLORER_UNITS:
            for lr in S.SCHEDULE_EXPLORER_LR_BOUNDS:
                for factor in S.SCHEDULE_EXPLORER_FACTOR_BOUNDS:
                    length = max(steps, S.SCHEDULE_EXPLORER_LENGTH_BOUNDS[1]) if scheduler == "OneCycleLR" else 1
                    plt.close(S.plot_schedule_explorer(scheduler, lr, unit, length, factor, epochs=1))


def test_a_diverging_rate_is_reported_not_raised():
    run = S.schedule_explorer_run("constant", 50.0, "epoch", 1, 1.0, epochs=2)
    assert run["diverged"] or run["train_loss"][-1] > 2
    plt.close(S.plot_schedule_explorer("constant", 50.0, epochs=2))


@pytest.mark.parametrize("kwargs, message", [
    ({"scheduler": "Cosine"}, "scheduler must be one of"),
    ({"lr": 0}, "lr must be a finite number > 0"),
    ({"unit": "batch"}, "unit must be 'epoch' or 'iteration'"),
    ({"length": 0}, "length must be a whole number"),
    ({"length": 2.5}, "length must be a whole number"),
    ({"factor": 1.5}, r"factor must be a number in \(0, 1\]"),
    ({"epochs": 0}, "epochs must be a whole number"),
    ({"scheduler": "OneCycleLR", "unit": "iteration", "length": 6}, r"runs off its end.*Set length >= 120"),
])
def test_bad_input_is_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        S.plot_schedule_explorer(**kwargs)


def test_wrapper_builds_redraws_and_shows_errors_as_a_message():
    ipywidgets = pytest.importorskip("ipywidgets")
    box = S.schedule_explorer()
    assert isinstance(box, ipywidgets.VBox) and isinstance(box.children[-1], ipywidgets.Output)
    controls = {c.description: c for row in box.children[:-1] for c in row.children}
    assert set(controls) == {"scheduler", "lr₀ (base / peak)", "step per", "length (steps)", "factor (γ or k)"}
    controls["scheduler"].value = "OneCycleLR"
    controls["length (steps)"].value = 6
    controls["step per"].value = "iteration"  # refused by the scheduler: shown as a message, not raised
    assert plt.get_fignums() == []
