"""Tests for nnopt.experiments.rmsprop (notebook 4) and the median line of plot_loss_curves."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.experiments import rmsprop as R
from nnopt.nn import mlp
from nnopt.optim import SGD, Adadelta, Adagrad, Momentum, RMSprop
from nnopt.parameter import Parameter


def test_make_adaptive_passes_rho_under_torchs_names():
    p = Parameter(np.zeros(2))
    assert R.make_adaptive("RMSprop", [p], rho=0.9).param_groups[0]["alpha"] == 0.9
    assert R.make_adaptive("AdaDelta", [p], rho=0.95).param_groups[0]["rho"] == 0.95
    adagrad = R.make_adaptive("AdaGrad", [p], rho=0.5)  # no decay: ignored
    assert isinstance(adagrad, Adagrad) and adagrad.param_groups[0]["eps"] == 1e-10
    assert R.make_adaptive("RMSprop", [p]).param_groups[0]["lr"] == 0.01  # torch's default
    with pytest.raises(ValueError, match="optimizer must be one of"):
        R.make_adaptive("Adam", [p])


def test_constant_gradient_adagrad_falls_like_one_over_sqrt_t_rmsprop_settles():
    t = np.arange(1, 10_001)
    adagrad = R.stream_rates("AdaGrad", np.full(10_000, 2.0), lr=0.01)
    np.testing.assert_allclose(adagrad, 0.01 / (2.0 * np.sqrt(t) + 1e-10), rtol=1e-12)
    rmsprop = R.stream_rates("RMSprop", np.full(10_000, 2.0), lr=0.01, rho=0.99)
    np.testing.assert_allclose(rmsprop, 0.01 / (2.0 * np.sqrt(1 - 0.99**t) + 1e-8), rtol=1e-10)
    assert rmsprop[0] == pytest.approx(0.05, rel=1e-7) and rmsprop[-1] == pytest.approx(0.005, rel=1e-7)


def test_centered_rmsprop_on_a_constant_gradient_divides_by_a_vanishing_spread():
    t = np.arange(1, 501)
    rates = R.stream_rates("RMSprop", np.ones(500), lr=0.01, rho=0.99, centered=True)
    # s_t = (1 − ρᵗ) g², ḡ_t = (1 − ρᵗ) g: s − ḡ² = ρᵗ(1 − ρᵗ) g²
    spread = np.sqrt(0.99**t * (1 - 0.99**t))
    np.testing.assert_allclose(rates, 0.01 / (spread + 1e-8), rtol=1e-8)
    # the spread is largest (g/2) when ρᵗ = 1/2, then shrinks: the rate falls to 2·lr, then climbs without bound
    assert rates.min() == pytest.approx(0.02, rel=1e-3) and rates[-1] > 6 * rates.min()


def test_momentum_and_foreign_optimizers_have_no_rate():
    p = Parameter(np.ones(2))
    p.grad[...] = 1.0
    with_momentum = RMSprop([p], momentum=0.9)
    with_momentum.step()
    with pytest.raises(ValueError, match="momentum"):
        R.effective_rate(with_momentum, p)
    sgd = SGD([p], lr=0.1)
    with pytest.raises(TypeError, match="Adagrad, RMSprop and Adadelta"):
        R.effective_rate(sgd, p)
    adadelta = Adadelta([p])
    adadelta.step()
    with pytest.raises(ValueError, match="acc_delta_before"):
        R.effective_rate(adadelta, p)


@pytest.mark.parametrize("name, lr", [("AdaGrad", 0.3), ("RMSprop", 0.1), ("AdaDelta", 1.0)])
def test_every_recorded_step_is_minus_rate_times_gradient(name, lr):
    run = R.landscape_run(name, "quadratic", lr=lr, steps=60)
    assert run["path"].shape == (61, 2) and run["rate"].shape == run["grad"].shape == (60, 2)
    np.testing.assert_allclose(np.diff(run["path"], axis=0), -run["rate"] * run["grad"], rtol=1e-12, atol=1e-15)
    assert not run["diverged"] and run["loss"][-1] < run["loss"][0]


def test_adadelta_run_is_the_four_lines_of_the_notebook():
    from nnopt.landscapes import Quadratic

    bowl = Quadratic(condition_number=100)
    run = R.landscape_run("AdaDelta", bowl, steps=30)
    theta, s, u, rho, eps = bowl.start.copy(), np.zeros(2), np.zeros(2), 0.9, 1e-6
    for _ in range(30):
        g = bowl.grad(theta)
        s = rho * s + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(s + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - delta
    np.testing.assert_allclose(run["path"][-1], theta, rtol=1e-13)


def test_a_huge_learning_rate_is_stopped_and_reported():
    run = R.landscape_run("RMSprop", "quadratic", lr=1e7, steps=20)
    assert run["diverged"] and len(run["path"]) == 1 and run["rate"].shape == (0, 2)


@pytest.mark.parametrize("bad, message", [(dict(name="SGD"), "optimizer must be one of"), (dict(lr=-1.0), "lr must be"),
                                          (dict(rho=1.0), "rho must be"), (dict(steps=0), "steps must be"),
                                          (dict(x0=[1.0]), "x0 must be")])
def test_landscape_run_rejects_bad_arguments(bad, message):
    arguments = {"name": "RMSprop", **bad}
    with pytest.raises(ValueError, match=message):
        R.landscape_run(**arguments)


def _tiny_data(seed=0, n=80):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6))
    X[:, 5] = 0.0  # a "blank pixel": its weights never get a gradient
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    return X, y


def test_effective_lr_callback_follows_the_optimizer():
    from nnopt import fit

    X, y = _tiny_data()
    model = mlp([6, 5, 3], seed=0)
    optimizer = Adagrad(model.parameters(), lr=0.1)
    recorder = R.EffectiveLR(model, optimizer)
    history = fit(model, optimizer, X, y, epochs=2, batch_size=20, seed=0, callbacks=[recorder])
    assert list(recorder.values) == ["dense1", "dense2"]
    assert len(recorder.values["dense1"]) == history.iterations == 8
    W1 = dict(model.named_parameters())["dense1.W"]
    assert recorder.values["dense1"][-1] == pytest.approx(np.median(0.1 / (np.sqrt(optimizer.state[W1]["sum"]) + 1e-10)))
    assert np.all(np.diff(recorder.values["dense2"]) <= 0)  # AdaGrad's rates only fall
    with pytest.raises(TypeError, match="Adadelta"):
        R.EffectiveLR(model, Adadelta(model.parameters()))


def test_gradient_rms_is_the_root_mean_square_over_one_epoch():
    X, y = _tiny_data()
    model = mlp([6, 5, 3], seed=1)
    rms = R.gradient_rms(model, X, y, batch_size=40, seed=0)
    assert list(rms) == ["dense1", "dense2"] and rms["dense1"].shape == (6, 5)
    assert np.all(rms["dense1"][5] == 0) and np.all(rms["dense1"][:5] > 0)
    from nnopt.data import minibatches

    squares = []
    for X_batch, y_batch in minibatches(X, y, 40, np.random.default_rng(0)):
        model.zero_grad()
        model.loss(X_batch, y_batch)
        model.backward()
        squares.append(dict(model.named_parameters())["dense2.W"].grad ** 2)
    np.testing.assert_allclose(rms["dense2"], np.sqrt(np.mean(squares, axis=0)), rtol=1e-12)


def test_lr_sweep_records_both_losses_and_diverged_runs_as_inf():
    X, y = _tiny_data()
    data = (X[:60], y[:60], X[60:], y[60:])
    sweep = R.lr_sweep({"SGD": SGD, "RMSprop": RMSprop}, [1e-2, 1e200], data, sizes=(6, 5, 3), seeds=(0, 1), epochs=2,
                       batch_size=20)
    assert sweep["SGD"]["train"].shape == sweep["SGD"]["val"].shape == (2, 2)
    assert np.all(np.isfinite(sweep["SGD"]["train"][0])) and np.all(np.isinf(sweep["SGD"]["val"][1]))
    assert np.all(sweep["RMSprop"]["val"][0] > 0)


def test_near_best_is_a_threshold_not_an_argmax():
    lrs = [0.001, 0.01, 0.1, 1.0]
    losses = np.array([[0.50, 0.50], [0.21, 0.19], [0.205, 0.215], [np.inf, np.inf]])  # means 0.5, 0.2, 0.21, inf
    result = R.near_best(lrs, losses, within=0.1)
    assert result["best"] == pytest.approx(0.2) and list(result["lrs"]) == [0.01, 0.1]
    assert (result["low"], result["high"]) == (0.01, 0.1)
    assert list(R.near_best(lrs, losses, within=0.01)["lrs"]) == [0.01]
    with pytest.raises(ValueError, match="every run diverged"):
        R.near_best(lrs, np.full((4, 2), np.inf))


def test_training_curves_and_the_sweep_figure(figures):
    X, y = _tiny_data()
    data = (X[:60], y[:60], X[60:], y[60:])
    curves = R.training_curves({"SGD": lambda p: SGD(p, lr=0.1), "Momentum": lambda p: Momentum(p, lr=0.1)}, data,
                               sizes=(6, 5, 3), seeds=(0, 1), epochs=3, batch_size=20)
    assert [len(runs) for runs in curves.values()] == [2, 2]
    assert all(len(h.val_loss) == len(h.train_loss) == 3 for runs in curves.values() for h in runs)
    sweep = R.lr_sweep({"SGD": SGD}, [0.01, 0.1], data, sizes=(6, 5, 3), seeds=(0,), epochs=1, batch_size=20)
    fig = R.plot_lr_sweep([0.01, 0.1], sweep)
    assert len(fig.axes) == 2 and "mean of 1 seeds" in fig.axes[0].get_title()
    fig.canvas.draw()


def test_plot_loss_curves_draws_the_median_of_the_seeds(figures):
    from nnopt.plots import plot_loss_curves

    runs = {"SGD": [np.array([1.0, 0.5]), np.array([2.0, 0.6]), np.array([9.0, 3.0])]}
    fig = plot_loss_curves(runs, center="median")
    (line,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "SGD"]
    np.testing.assert_allclose(line.get_ydata(), [2.0, 0.6])
    assert fig.axes[0].get_legend().get_title().get_text().startswith("median of 3 seeds")
    fig = plot_loss_curves(runs)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [4.0, 1.3666666666666667])
    with pytest.raises(ValueError, match="center must be one of"):
        plot_loss_curves(runs, center="mode")
