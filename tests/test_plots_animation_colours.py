"""Colours of the animated race: repeats of one optimizer must not all be drawn in one colour."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnopt.landscapes import make_factory, race  # noqa: E402
from nnopt.plots import animate_race  # noqa: E402
from nnopt.plots.animation import animation_styles  # noqa: E402
from nnopt.plots._common import as_runs  # noqa: E402
from nnopt.plots.style import OKABE_ITO, optimizer_style  # noqa: E402


@pytest.fixture(scope="module")
def three_sgd_runs():
    return race({"GD": make_factory("SGD", lr=0.02), "GD slower": make_factory("SGD", lr=0.01),
                 "GD slowest": make_factory("SGD", lr=0.005)}, "quadratic", steps=20)


def _strokes(html):
    return re.findall(r'<polyline[^>]*stroke="(#[0-9A-Fa-f]{6})"', html)


def test_three_runs_of_one_optimizer_get_three_colours(three_sgd_runs):
    strokes = _strokes(animate_race("quadratic", three_sgd_runs, frames=5, as_html=False))
    assert len(strokes) == 3 and len(set(strokes)) == 3
    assert strokes[0].upper() == optimizer_style("SGD")["color"].upper()  # the first keeps the course colour
    assert plt.get_fignums() == []


def test_different_optimizers_keep_their_course_colours():
    runs = race({"Adam": make_factory("Adam", lr=0.1), "Momentum": make_factory("SGD", lr=0.02, momentum=0.9)},
                "quadratic", steps=10)
    strokes = _strokes(animate_race("quadratic", runs, frames=5, as_html=False))
    assert [s.upper() for s in strokes] == [OKABE_ITO["vermillion"].upper(), OKABE_ITO["blue"].upper()]


def test_explicit_colours_by_label_or_by_position(three_sgd_runs):
    by_label = {"GD": OKABE_ITO["black"], "GD slower": OKABE_ITO["blue"], "GD slowest": OKABE_ITO["vermillion"]}
    html = animate_race("quadratic", three_sgd_runs, frames=5, as_html=False, colors=by_label)
    assert [s.upper() for s in _strokes(html)] == [c.upper() for c in by_label.values()]
    styles = animation_styles(as_runs(three_sgd_runs), ["tab:blue", "k", "#cc79a7"])
    assert [s["color"] for s in styles] == ["#1f77b4", "#000000", "#cc79a7"]
    partial = animation_styles(as_runs(three_sgd_runs), {"GD slowest": "#000000"})
    assert partial[2]["color"] == "#000000" and partial[0]["color"] == OKABE_ITO["black"]


def test_bad_colours_are_named(three_sgd_runs):
    runs = as_runs(three_sgd_runs)
    with pytest.raises(ValueError, match="not in the race"):
        animation_styles(runs, {"Adam": "red"})
    with pytest.raises(ValueError, match="one colour per trajectory"):
        animation_styles(runs, ["red"])
    with pytest.raises(ValueError, match="not a matplotlib colour"):
        animation_styles(runs, ["red", "blue", "no-such-colour"])
    with pytest.raises(TypeError, match="colors must be"):
        animation_styles(runs, 3)
    with pytest.raises(ValueError, match="not in the race"):
        animate_race("quadratic", three_sgd_runs, frames=5, colors={"Adam": "red"})
    assert plt.get_fignums() == []
