"""Tests of nnopt.experiments.momentum (notebook 3's machinery): hand-derived numbers."""
import math

import numpy as np
import pytest

from nnopt.experiments import momentum as mx
from nnopt.landscapes import Quadratic, make_factory, trajectory
from nnopt.optim import SGD, Momentum


def test_momentum_rate_matches_the_roots_and_gradient_descent():
    # β = 0: the only root is 1 - ηλ
    assert mx.momentum_rate(0.5, 0.0, 1.0) == pytest.approx(0.5)
    assert mx.momentum_rate(1.5, 0.0, 1.0) == pytest.approx(0.5)
    # complex roots: |r| = √β
    assert mx.momentum_rate(1.0, 0.81, 1.0) == pytest.approx(0.9)
    # against numpy's roots of r² - (1 + μ - ηλ) r + μ
    for lr, mu, lam in ((0.3, 0.5, 0.01), (3.0, 0.9, 1.0), (4.5, 0.9, 1.0)):
        expected = np.abs(np.roots([1, -(1 + mu - lr * lam), mu])).max()
        assert mx.momentum_rate(lr, mu, lam) == pytest.approx(expected)
        shrink = 1 - lr * lam
        expected = np.abs(np.roots([1, -(1 + mu) * shrink, mu * shrink])).max()
        assert mx.momentum_rate(lr, mu, lam, nesterov=True) == pytest.approx(expected)


def test_contraction_factor_is_the_worst_direction():
    # gradient descent on curvatures 0.01 and 1 with η = 0.5: max(|1 - 0.005|, |1 - 0.5|) = 0.995
    assert mx.contraction_factor(0.5, 0.0, [0.01, 1.0]) == pytest.approx(0.995, abs=1e-12)
    # η = 1.5, μ = 0.9: both directions have complex roots, |r| = √0.9
    assert mx.contraction_factor(1.5, 0.9, [0.01, 1.0]) == pytest.approx(math.sqrt(0.9), abs=1e-12)
    # Nesterov at η = 1 on λ = 1: 1 - ηλ = 0, both roots 0; the flat direction decides
    flat = np.abs(np.roots([1, -(1.9) * 0.99, 0.9 * 0.99])).max()
    assert mx.contraction_factor(1.0, 0.9, [0.01, 1.0], nesterov=True) == pytest.approx(flat, abs=1e-12)
    assert isinstance(mx.contraction_factor(0.5, 0.5, [1.0]), float)


def test_rate_map_minimum_is_polyaks_rate_and_boundary_is_a_double_root():
    lr, mu, rate = mx.polyak_tuning(100)
    assert rate == pytest.approx(9 / 11)
    assert mu == pytest.approx((9 / 11) ** 2)
    assert mx.rate_map([lr], [mu], [0.01, 1.0])[0, 0] == pytest.approx(rate)
    grid = mx.rate_map(np.linspace(0.1, 4, 60), np.linspace(0, 0.99, 60), [0.01, 1.0])
    assert grid.shape == (60, 60) and grid.min() >= rate - 1e-12
    beta = mx.critical_damping_beta(0.25, 1.0)  # (1 - 0.5)² = 0.25
    assert beta == pytest.approx(0.25)
    trace = 1 + beta - 0.25
    assert trace**2 == pytest.approx(4 * beta)  # discriminant 0: the two roots coincide


def test_rate_predicts_a_real_run():
    bowl = Quadratic(condition_number=100)
    run = trajectory(make_factory("SGD", lr=1.5, momentum=0.9), bowl, steps=400)
    norms = np.linalg.norm(run.path, axis=1)
    measured = (norms[400] / norms[200]) ** (1 / 200)
    assert measured == pytest.approx(mx.rate_map([1.5], [0.9], bowl.eigenvalues)[0, 0], abs=5e-3)


def test_stationary_loss_formula_and_measurement():
    # GD (μ = 0) on one direction: E[½λx²] = ησ²/(2(2 - ηλ))
    assert mx.stationary_loss(1.0, 0.0, [1.0], 0.1) == pytest.approx(0.01 / 2)
    losses = mx.noisy_quadratic_losses(lambda p: SGD(p, lr=1.0, momentum=0.9), [0.01, 1.0], [0.0, 0.0],
                                       sigma=0.1, seeds=40, steps=1200)
    assert losses.shape == (40, 1201) and np.all(losses[:, 0] == 0)
    assert mx.late_mean_loss(losses, 800) == pytest.approx(mx.stationary_loss(1.0, 0.9, [0.01, 1.0], 0.1), rel=0.1)
    with pytest.raises(ValueError, match="diverges"):
        mx.stationary_loss(5.0, 0.0, [1.0], 0.1)


def test_noisy_losses_equal_separate_runs():
    lam = np.array([0.1, 1.0])
    batch = mx.noisy_quadratic_losses(lambda p: Momentum(p, lr=0.5, beta=0.9), lam, [1.0, -2.0], sigma=0.0,
                                      seeds=3, steps=20)
    single = trajectory(make_factory("Momentum", lr=0.5, beta=0.9),
                        Quadratic(condition_number=10), x0=[1.0, -2.0], steps=20).losses
    assert np.allclose(batch, single[None, :], rtol=1e-12)


def test_accelerated_schedule_gives_slope_minus_two():
    lam = np.geomspace(1e-6, 1.0, 500)
    runs = mx.accelerated_runs(lambda x: 0.5 * np.dot(lam, x * x), lambda x: lam * x, np.ones(500), 1.0, 600)
    slopes = [mx.loglog_slope(losses, 60, 600) for losses in runs.values()]
    assert slopes[0] == pytest.approx(-1, abs=0.15)
    assert slopes[1] == pytest.approx(-1, abs=0.25)
    assert slopes[2] == pytest.approx(-2, abs=0.25)
    # first steps by hand: μ_1 = 0, so step 1 is a gradient step for every method
    first = {label: losses[1] for label, losses in runs.items()}
    assert len(set(np.round(list(first.values()), 12))) == 1


def test_worst_case_function_gradient_and_minimum():
    value, gradient, f_star = mx.nesterov_worst_case(n=7, smoothness=2.0)
    x = np.linspace(-1, 1, 7)
    eps = 1e-6
    numeric = [(value(x + eps * e) - value(x - eps * e)) / (2 * eps) for e in np.eye(7)]
    assert np.allclose(gradient(x), numeric, atol=1e-8)
    x_star = 1 - np.arange(1, 8) / 8
    assert value(x_star) == pytest.approx(f_star)
    assert np.allclose(gradient(x_star), 0, atol=1e-12)


def test_basins_agree_with_separate_runs_and_gd_never_changes_basin():
    f, slope = mx.double_well(0.3)
    starts = np.array([-1.5, 0.0, 0.6, 1.5])
    ends = mx.basin_outcomes(lambda p: SGD(p, lr=0.05), slope, starts, steps=400)
    x = 0.6
    for _ in range(400):
        x -= 0.05 * (x**3 - x + 0.3)
    assert ends[2] == pytest.approx(x, rel=1e-12)
    bump = np.sort(np.roots([1, 0, -1, 0.3]).real)[1]
    table = mx.basin_table({"GD": ends}, starts, bump)["GD"]
    assert table["global → local"] == 0 and table["local → global"] == 0
    assert table["ends in the global minimum"] == 0.5


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="momentum"):
        mx.momentum_rate(0.1, 1.0, 1.0)
    with pytest.raises(ValueError, match="curvatures"):
        mx.rate_map([0.1], [0.5], [])
    with pytest.raises(ValueError, match="seeds"):
        mx.noisy_quadratic_losses(lambda p: SGD(p, lr=0.1), [1.0], [1.0], sigma=0.1, seeds=0, steps=5)
    with pytest.raises(ValueError, match="n must"):
        mx.nesterov_worst_case(1)


def test_figures_are_returned(monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bowl = Quadratic(condition_number=10)
    figs = [mx.plot_rate_map(np.linspace(0.1, 4, 20), np.linspace(0, 0.99, 20), bowl.eigenvalues, marks={"x": (1, 0.5)}),
            mx.plot_lookahead(bowl, [-2, 0.5], [0.4, -0.9], 0.8, 0.9),
            mx.plot_noisy_losses({"SGD": np.ones((3, 30))}, {"SGD": 1.0}),
            mx.plot_basins(mx.double_well()[0], np.linspace(-2, 2, 5), {"GD": np.zeros(5)})]
    assert all(len(fig.axes) >= 1 for fig in figs)
    assert math.isfinite(figs[0].axes[0].get_xlim()[1])
    plt.close("all")


def test_noisy_curves_of_one_optimizer_get_different_colours():
    import matplotlib.pyplot as plt

    runs = np.ones((3, 40))
    fig = mx.plot_noisy_losses({"SGD (lr=1)": runs, "Momentum, course form": runs, "Momentum, PyTorch form": runs})
    colours = [line.get_color().upper() for line in fig.axes[0].get_lines()[:3]]
    plt.close(fig)
    assert colours[1] == "#0072B2" and colours[2] not in colours[:2], colours
