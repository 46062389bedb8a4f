"""Tests for nnopt.plots: style, contour and surface maps, curves, animations (headless, no warnings)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from nnopt.landscapes import get_function, make_factory, race, trajectory
from nnopt.plots import (
    OKABE_ITO,
    OPTIMIZER_STYLES,
    animate_race,
    optimizer_color,
    optimizer_style,
    plot_contours,
    plot_ewa,
    plot_loss_curves,
    plot_schedule,
    plot_surface,
    use_course_style,
)
from nnopt.plots.animation import frame_indices
from nnopt.plots.contours import contour_levels
from nnopt.plots.style import GREY, reset_unknown_styles

optim = pytest.importorskip("nnopt.optim")

pytestmark = pytest.mark.usefixtures("figures")


def _render(fig: Figure) -> Figure:
    """Draw the figure: text and layout warnings (missing glyphs, ...) only appear when drawing."""
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    return fig


@pytest.fixture(scope="module")
def rosenbrock_race():
    factories = {"SGD (lr=0.002)": make_factory("SGD", lr=2e-3), "Adam (lr=0.1)": make_factory("Adam", lr=0.1)}
    return race(factories, "rosenbrock", steps=120)


# -- style -----------------------------------------------------------------------------------
def test_every_optimizer_has_a_fixed_distinct_colour_blind_safe_style():
    pairs = list(OPTIMIZER_STYLES.values())
    assert len(set(pairs)) == len(pairs)  # no two optimizers look the same
    assert {colour for colour, _ in pairs} <= set(OKABE_ITO.values()) | {GREY}
    assert optimizer_style("SGD") == {"color": "#000000", "linestyle": "-"}
    assert optimizer_style("Adam (lr=0.1, betas=(0.9, 0.99))") == optimizer_style("Adam")
    assert optimizer_style("adamw") == {"color": OKABE_ITO["vermillion"], "linestyle": "--"}
    assert optimizer_color("GD") == optimizer_color("SGD")
    assert optimizer_color("rmsprop (lr=0.01)") == OKABE_ITO["reddish_purple"]
    for name in ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "AdaDelta", "Adam", "AdamW", "Adamax",
                 "NAdam", "RAdam", "AMSGrad", "Lion"):
        assert name in OPTIMIZER_STYLES


def test_unknown_names_get_the_next_free_style_deterministically():
    reset_unknown_styles()
    first = optimizer_style("Shampoo")
    second = optimizer_style("Sophia (lr=1e-3)")
    assert first != second
    assert (first["color"], first["linestyle"]) not in OPTIMIZER_STYLES.values()
    assert optimizer_style("shampoo") == first  # remembered, case-insensitive
    reset_unknown_styles()
    assert optimizer_style("Sophia") == first  # same order -> same styles


def test_use_course_style_applies_and_restores():
    before = matplotlib.rcParams["figure.dpi"]
    with use_course_style():
        assert matplotlib.rcParams["figure.dpi"] == 90
        assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.0, 4.0)
    assert matplotlib.rcParams["figure.dpi"] == before


def test_plots_restore_the_course_keys_only():
    from nnopt.plots._common import course_rc

    before = matplotlib.rcParams["figure.dpi"], matplotlib.rcParams["interactive"]
    try:
        with course_rc():
            assert matplotlib.rcParams["figure.dpi"] == 90
            # what Jupyter's inline backend does when the session's first figure is made
            matplotlib.rcParams["interactive"] = True
        assert matplotlib.rcParams["figure.dpi"] == before[0]
        assert matplotlib.rcParams["interactive"] is True  # kept: later figures still display
    finally:
        matplotlib.rcParams["interactive"] = before[1]


def test_importing_the_computing_modules_does_not_load_matplotlib_or_ipywidgets():
    code = ("import sys, nnopt.landscapes, nnopt.widgets; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- contours and surfaces -------------------------------------------------------------------
def test_contour_levels_are_log_spaced_above_the_minimum_where_asked():
    rosenbrock = get_function("rosenbrock")
    X, Y, Z = rosenbrock.grid(40)
    field, levels, _ = contour_levels(rosenbrock, Z, 12)
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric
    assert levels[-1] == pytest.approx(Z.max())  # f* = 0, so the gap is f itself
    np.testing.assert_array_equal(field, Z)
    saddle = get_function("saddle")
    _, _, Z = saddle.grid(21)
    _, levels, _ = contour_levels(saddle, Z, 5)
    np.testing.assert_allclose(levels, [-4.0, -2.0, 0.0, 2.0, 4.0])  # x² - y² on [-2, 2]²: evenly spaced
    with pytest.raises(ValueError, match="levels must be a whole number >= 2"):
        contour_levels(saddle, Z, 1)


def test_plot_contours_draws_every_path_with_its_optimizer_colour(rosenbrock_race):
    fig = _render(plot_contours("rosenbrock", rosenbrock_race, grid=40, colorbar=True))
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    sgd, adam = lines["SGD (lr=0.002)"], lines["Adam (lr=0.1)"]
    np.testing.assert_array_equal(np.column_stack(adam.get_data()), rosenbrock_race["Adam (lr=0.1)"].path)
    assert to_hex(sgd.get_color()) == "#000000" and to_hex(adam.get_color()) == OKABE_ITO["vermillion"].lower()
    assert {"minimum", "start"} <= set(lines)
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "SGD (lr=0.002)" in legend_texts
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$y$" and "Rosenbrock" in ax.get_title()
    assert ax.get_xlim() == (-2.0, 2.0)
    (bar,) = ax.child_axes  # the colour bar, inset so it is exactly as tall as the map
    assert bar.get_ylabel() == "$f - f^*$" and bar.get_yscale() == "log"


def test_plot_contours_inputs_and_axes():
    fig, axes = plt.subplots(1, 2)
    path = np.array([[1.0, 1.5], [2.0, 1.0], [3.0, 0.5]])
    assert plot_contours("beale", path, ax=axes[0], grid=30, legend="none") is fig
    assert axes[0].get_legend() is None
    # one optimizer twice: same colour, different line style
    runs = race({"Adam (lr=0.1)": make_factory("Adam", lr=0.1), "Adam (lr=0.01)": make_factory("Adam", lr=0.01)},
                "himmelblau", steps=20)
    plot_contours("himmelblau", list(runs.values()), ax=axes[1], grid=30, legend="outside")
    lines = {line.get_label(): line for line in axes[1].get_lines()}
    first, second = lines["Adam (lr=0.1)"], lines["Adam (lr=0.01)"]
    assert first.get_color() == second.get_color() and first.get_linestyle() != second.get_linestyle()
    assert {"minima", "saddles", "maximum"} <= set(lines)
    _render(fig)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot_contours("beale", np.zeros((4, 3)))
    with pytest.raises(TypeError, match="trajectories must be"):
        plot_contours("beale", 42)
    with pytest.raises(ValueError, match="unknown test function"):
        plot_contours("banana")


def test_diverged_runs_are_marked():
    with pytest.warns(Warning):
        run = trajectory(make_factory("SGD", lr=2.5), "quadratic", steps=50)
    fig = plot_contours("quadratic", run, grid=30)
    assert any(line.get_label().endswith(f"(diverged at step {run.diverged_at})") for line in fig.axes[0].get_lines())


def test_plot_surface(rosenbrock_race):
    fig = _render(plot_surface("rosenbrock", rosenbrock_race, grid=20))
    ax = fig.axes[0]
    assert ax.name == "3d" and "log" in ax.get_zlabel()
    path_line = next(line for line in ax.get_lines() if line.get_label() == "Adam (lr=0.1)")
    z = path_line.get_data_3d()[2]
    losses = rosenbrock_race["Adam (lr=0.1)"].losses
    np.testing.assert_allclose(z - z[0], np.log10(1 + losses) - np.log10(1 + losses[0]))  # lifted, same shape
    _render(plot_surface("saddle", grid=15))  # linear z: no minimum to take a log above
    with pytest.raises(ValueError, match="needs a known minimum"):
        plot_surface("saddle", zscale="log")
    with pytest.raises(ValueError, match="3-D axes"):
        plot_surface("beale", ax=plt.subplots()[1])


# -- curves ----------------------------------------------------------------------------------
def test_loss_curves_of_trajectories_subtract_the_minimum_on_a_log_axis(rosenbrock_race):
    fig = _render(plot_loss_curves(rosenbrock_race, logy=True))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "$f - f^*$" and ax.get_xlabel() == "iteration"
    line = next(line for line in ax.get_lines() if line.get_label() == "SGD (lr=0.002)")
    np.testing.assert_array_equal(line.get_ydata(), rosenbrock_race["SGD (lr=0.002)"].losses)  # f* = 0
    np.testing.assert_array_equal(line.get_xdata(), np.arange(121))
    peaks = race({"GD": make_factory("SGD", lr=0.1)}, "peaks", steps=5)
    line = plot_loss_curves(peaks, logy=True).axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), peaks["GD"].losses - get_function("peaks").minimum_value)


def test_loss_curves_styles_follow_the_optimizer_and_other_labels_take_the_palette():
    from nnopt.plots import PALETTE

    runs = race({"Adam (lr=0.1)": make_factory("Adam", lr=0.1), "Adam (lr=0.01)": make_factory("Adam", lr=0.01)},
                "beale", steps=5)
    first, second = plot_loss_curves(runs).axes[0].get_lines()
    assert first.get_color() == second.get_color() == OKABE_ITO["vermillion"]
    assert first.get_linestyle() != second.get_linestyle()
    batch = plot_loss_curves({"batch 32": [1.0, 0.5], "batch 256": [1.0, 0.8]}).axes[0].get_lines()
    assert [line.get_color() for line in batch] == PALETTE[:2]


def test_loss_curves_over_seeds_show_the_mean_and_the_band():
    seeds = [np.array([1.0, 2.0, 3.0, 9.0]), np.array([3.0, 4.0, 5.0])]  # cut to the shorter: 3 values
    fig = plot_loss_curves({"SGD": seeds, "Adam": np.array([2.0, 1.0, 0.5])}, x="epoch", band="minmax")
    ax = fig.axes[0]
    sgd = next(line for line in ax.get_lines() if line.get_label() == "SGD")
    np.testing.assert_allclose(sgd.get_ydata(), [2.0, 3.0, 4.0])  # mean of the two seeds
    np.testing.assert_allclose(sgd.get_xdata(), [1.0, 2.0, 3.0])  # epochs count from 1
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].min() == 1.0 and vertices[:, 1].max() == 5.0  # min and max over seeds
    assert "min–max" in ax.get_legend().get_title().get_text()
    fig = plot_loss_curves({"SGD": seeds}, x="epoch", band="std")
    vertices = fig.axes[0].collections[0].get_paths()[0].vertices
    assert vertices[:, 1].max() == pytest.approx(5.0)  # 4 + std of (3, 5) = 4 + 1
    _render(fig)


def test_loss_curves_of_histories_per_iteration_epoch_and_wall_time():
    train = pytest.importorskip("nnopt.train")
    histories = []
    for offset in (0.0, 0.2):
        h = train.History()
        h.loss = [2.0 + offset, 1.0 + offset, 0.5 + offset, 0.25 + offset]
        h.time = [0.1, 0.2, 0.3, 0.4]
        h.train_loss, h.val_loss, h.epoch_time = [1.0 + offset, 0.25 + offset], [1.5, 0.5], [0.2, 0.4]
        histories.append(h)
    fig = plot_loss_curves({"Momentum": histories}, x="time", smooth=0.5, band=None)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "wall time (s)"
    mean_line = next(line for line in ax.get_lines() if line.get_label() == "Momentum")
    np.testing.assert_allclose(mean_line.get_xdata(), [0.1, 0.2, 0.3, 0.4])
    # bias-corrected EWA (β = 0.5) of 2, 1: 2, then (0.5·1 + 0.25·2)/(1 - 0.25) = 4/3; averaged with +0.2
    np.testing.assert_allclose(mean_line.get_ydata()[:2], [2.1, 4 / 3 + 0.1])
    fig = _render(plot_loss_curves({"Adam": histories[0]}, x="epoch", which="both"))
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["Adam (train)", "Adam (val)"]
    assert fig.axes[0].get_lines()[1].get_linestyle() == "--"
    fig = plot_loss_curves({"Adam": histories[0]})
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), [1, 2, 3, 4])  # iterations from 1


def test_loss_curves_reject_bad_input(rosenbrock_race):
    with pytest.raises(ValueError, match="x must be one of"):
        plot_loss_curves(rosenbrock_race, x="seconds")
    with pytest.raises(ValueError, match="x='iteration'"):
        plot_loss_curves(rosenbrock_race, x="epoch")
    with pytest.raises(ValueError, match="needs x='epoch'"):
        plot_loss_curves({"a": [1.0, 2.0]}, which="val")
    with pytest.raises(ValueError, match="band must be one of"):
        plot_loss_curves({"a": [1.0, 2.0]}, band="iqr")
    with pytest.raises(ValueError, match="smooth must be"):
        plot_loss_curves({"a": [1.0, 2.0]}, smooth=1.0)
    with pytest.raises(ValueError, match="x='time' needs History"):
        plot_loss_curves({"a": [1.0, 2.0]}, x="time")
    with pytest.raises(TypeError, match="runs must be"):
        plot_loss_curves(3.0)


def test_plot_ewa_values_with_and_without_bias_correction():
    fig = plot_ewa([10.0, 10.0, 10.0], betas=(0.5,), bias_correction="both")
    ax = fig.axes[0]
    corrected, raw = (line for line in ax.get_lines() if len(line.get_xdata()) == 3)
    np.testing.assert_allclose(corrected.get_ydata(), [10.0, 10.0, 10.0])  # v_t / (1 - 0.5ᵗ) of a constant
    np.testing.assert_allclose(raw.get_ydata(), [5.0, 7.5, 8.75])  # 0.5·10, 0.5·5 + 5, 0.5·7.5 + 5
    assert raw.get_linestyle() == "--"
    assert any("without bias correction" in t.get_text() for t in ax.get_legend().get_texts())
    assert "≈ 2 values" in corrected.get_label()  # 1/(1 - 0.5)
    only_raw = plot_ewa([10.0, 10.0], betas=0.5, bias_correction=False).axes[0].get_lines()
    np.testing.assert_allclose(only_raw[0].get_ydata(), [5.0, 7.5])
    dates = np.arange("2012-01-01", "2012-03-01", dtype="datetime64[D]")
    temps = 8 + 3 * np.sin(np.arange(len(dates)) / 5)
    fig = _render(plot_ewa(temps, betas=(0.9, 0.98), x=dates, ylabel="temperature (°C)"))
    assert fig.axes[0].get_xlabel() == "date" and fig.axes[0].get_ylabel() == "temperature (°C)"
    with pytest.raises(ValueError, match=r"every β in betas must be a number in \[0, 1\), got 1.0"):
        plot_ewa(temps, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="1-D array"):
        plot_ewa(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="one position per value"):
        plot_ewa(temps, x=dates[:5])
    with pytest.raises(ValueError, match="bias_correction must be"):
        plot_ewa(temps, bias_correction="yes")


def test_plot_schedule_from_values_and_from_a_scheduler():
    fig = _render(plot_schedule({"halving": [0.1, 0.05, 0.025]}, logy=True))
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), [0.1, 0.05, 0.025])
    assert fig.axes[0].get_ylabel() == "learning rate" and fig.axes[0].get_yscale() == "log"
    schedules = pytest.importorskip("nnopt.schedules")
    fig = plot_schedule(lambda opt: schedules.StepLR(opt, step_size=2, gamma=0.5), steps=6, lr=1.0)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [1, 1, 0.5, 0.5, 0.25, 0.25])


# -- animation -------------------------------------------------------------------------------
def test_frame_indices_subsample_and_keep_both_ends():
    steps = frame_indices(301, 40)
    assert len(steps) == 40 and steps[0] == 0 and steps[-1] == 300 and np.all(np.diff(steps) > 0)
    np.testing.assert_array_equal(frame_indices(5, 40), [0, 1, 2, 3, 4])


def test_animation_is_small_offline_html_and_leaves_no_figure(rosenbrock_race):
    four = race({name: make_factory(name, lr=lr) for name, lr in
                 (("SGD", 2e-3), ("Momentum", 2e-2), ("RMSprop", 1e-2), ("Adam", 0.1))}, "rosenbrock", steps=600)
    html = animate_race("rosenbrock", four)
    assert plt.get_fignums() == []  # closed: no static copy below the animation
    text = html.data
    assert len(text.encode()) < 1_000_000
    assert text.count("<polyline") == 4 and "<script>" in text and "data:image/png;base64," in text
    assert not re.search(r'(src|href)="(?!data:)', text)  # nothing to fetch: works offline
    data = __import__("json").loads(re.search(r"data = (\{.*?\});", text).group(1))
    assert len(data["steps"]) == 40 and data["steps"][-1] == 600
    assert data["counts"][-1] == [len(p[0]) for p in data["paths"]]  # the last frame shows every point
    # every path starts at the same pixel: the common start (-1.2, 1)
    assert len({(p[0][0], p[1][0]) for p in data["paths"]}) == 1
    short = animate_race("rosenbrock", rosenbrock_race, frames=10, as_html=False)
    assert isinstance(short, str) and short.count("<polyline") == 2
    assert re.search(r'id="(nnopt-race-[^"]+)"', short).group(1) != re.search(r'id="(nnopt-race-[^"]+)"', text).group(1)
    with pytest.raises(ValueError, match="frames must be a whole number from 2 to 60"):
        animate_race("rosenbrock", rosenbrock_race, frames=200)
    with pytest.raises(ValueError, match="at least one trajectory"):
        animate_race("rosenbrock", {})


@pytest.mark.skipif(shutil.which("node") is None, reason="node.js is not installed")
def test_animation_player_script_runs(rosenbrock_race):
    text = animate_race("rosenbrock", rosenbrock_race, frames=5, as_html=False)
    uid = re.search(r'<div id="([^"]+)"', text).group(1)
    script = re.search(r"<script>(.*)</script>", text, re.S).group(1)
    dom = """
    var made = {};
    function El() { this.attrs = {}; this.value = 0; this.textContent = ""; this.innerHTML = ""; }
    El.prototype.setAttribute = function (k, v) { this.attrs[k] = v; };
    var parts = {slider: new El(), label: new El(), play: new El(), restart: new El()}, root = new El();
    root.querySelector = function (s) { return parts[s.match(/data-act=(\\w+)/)[1]]; };
    var document = {getElementById: function (id) {
        if (id === "UID") return root; return made[id] || (made[id] = new El()); }};
    var ticks = []; function setInterval(f) { ticks.push(f); return 1; } function clearInterval() { ticks = []; }
    """.replace("UID", uid)
    check = """
    var n = function () { return made["UID-p0"].attrs.points.split(" ").length; };
    var out = [parts.label.textContent, n()];
    parts.restart.onclick(); out.push(parts.label.textContent, n());
    parts.play.onclick(); ticks[0](); ticks[0](); out.push(parts.label.textContent);
    console.log(JSON.stringify(out));
    """.replace("UID", uid)
    result = subprocess.run(["node", "-e", dom + script + check], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert __import__("json").loads(result.stdout) == ["step 120", 121, "step 0", 1, "step 60"]


def test_loss_curves_take_a_colour_per_run_and_name_an_unknown_run():
    from nnopt.plots import plot_loss_curves

    runs = {"Adam": [np.ones(5), 2 * np.ones(5)], "Adam, warm-up": [np.ones(5), 3 * np.ones(5)]}
    fig = plot_loss_curves(runs, colors={"Adam, warm-up": "#56B4E9"})
    lines = {line.get_label(): to_hex(line.get_color()) for line in fig.axes[0].get_lines()}
    bands = [to_hex(band.get_facecolor()[0][:3]) for band in fig.axes[0].collections]
    plt.close(fig)
    assert lines["Adam, warm-up"] == "#56b4e9" and lines["Adam"] != "#56b4e9"
    assert "#56b4e9" in bands and len(set(bands)) == 2
    with pytest.raises(ValueError, match="not plotted.*'Adam, warmup'"):
        plot_loss_curves(runs, colors={"Adam, warmup": "#56B4E9"})
    plt.close("all")
