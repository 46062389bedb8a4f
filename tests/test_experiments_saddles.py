"""Tests for nnopt.experiments.saddles (notebook 7's experiment helpers)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.experiments import saddles as E
from nnopt.landscapes import Peaks, Quadratic, make_factory, trajectory


def test_cliff_gradient_matches_central_differences():
    cliff = E.Cliff()
    for point in ([4.5, 2.0], [1.0, 0.8], [1.3, 0.4], [-3.0, -2.0]):
        h = 1e-6
        numeric = [(cliff.value(np.add(point, e)) - cliff.value(np.subtract(point, e))) / (2 * h)
                   for e in (np.array([h, 0.0]), np.array([0.0, h]))]
        np.testing.assert_allclose(cliff.grad(point), numeric, rtol=1e-6, atol=1e-8)
    # in the middle of the wall its part of the gradient is about slope * normal = (8, 6)
    x, y = 0.8 * 1.75, 0.6 * 1.75
    np.testing.assert_allclose(cliff.grad([x, y]) - [0.1 * x, 0.4 * y], [8.0, 6.0], rtol=0.02)
    with pytest.raises(ValueError, match="slope must be"):
        E.Cliff(slope=0)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_run_many_is_sgd_from_every_start(momentum):
    bowl = Quadratic(condition_number=10)
    starts = np.array([[2.0, 1.0], [-1.5, 0.5], [0.3, -2.0]])
    ends = E.run_many(bowl, starts, lr=0.05, momentum=momentum, steps=40)
    for start, end in zip(starts, ends):
        run = trajectory(make_factory("SGD", lr=0.05, momentum=momentum), bowl, x0=start, steps=40)
        np.testing.assert_allclose(end, run.final, rtol=1e-12, atol=1e-15)


def test_noise_that_has_decayed_changes_nothing_and_diverged_runs_are_nan():
    bowl = Quadratic(condition_number=10)
    starts = np.array([[2.0, 1.0], [-1.5, 0.5]])
    quiet = E.run_many(bowl, starts, lr=0.05, steps=30)
    np.testing.assert_array_equal(E.run_many(bowl, starts, lr=0.05, steps=30, noise=1.0, noise_steps=0), quiet)
    assert not np.array_equal(E.run_many(bowl, starts, lr=0.05, steps=30, noise=1.0), quiet)
    blown = E.run_many(bowl, starts, lr=3.0, steps=50)  # 3 > 2 / λ_max = 2: diverges
    assert np.all(np.isnan(blown))
    assert np.all(E.reached_minimum(bowl, blown) == -1)
    with pytest.raises(ValueError, match="lr must be"):
        E.run_many(bowl, starts, lr=-1.0)
    with pytest.raises(ValueError, match="starts must have shape"):
        E.run_many(bowl, [1.0, 2.0], lr=0.1)


def test_reached_minimum_names_the_minimum_or_minus_one():
    peaks = Peaks()
    points = np.vstack([peaks.minima[[2, 0, 1]], [[3.5, 2.5]], [[np.nan, np.nan]]])
    np.testing.assert_array_equal(E.reached_minimum(peaks, points), [2, 0, 1, -1, -1])


def test_escape_study_on_peaks():
    study = E.escape_study(Peaks(), n_starts=60, ks=(1, 2, 4), noises=(4.0,), noise_run=200, learning_rates=(0.62,))
    restarts = [study.fraction(label) for label in ("GD, α = 0.1", "best of 2 restarts", "best of 4 restarts")]
    assert restarts[0] == study.single and restarts[0] <= restarts[1] <= restarts[2]
    # the global minimum's largest curvature is 3.27: gradient descent cannot settle there above 2/3.27 = 0.61
    assert 2 / np.linalg.eigvalsh(Peaks().hessian(Peaks().minima[0]))[-1] < 0.62
    assert study.fraction("GD, α = 0.62") == 0.0
    for escape in study.escapes:
        assert math.isclose(escape.global_minimum + escape.other_minimum + escape.not_settled, 1.0)
    with pytest.raises(KeyError, match="no escape labelled"):
        study.fraction("Adam")
    with pytest.raises(ValueError, match="at least two known minima"):
        E.escape_study(Quadratic())


def test_scaled_normal_and_deep_network():
    init = E.scaled_normal(2.0)
    W = init(400, 300, np.random.default_rng(0), np.float64)
    assert W.shape == (400, 300) and abs(W.std() - 2.0 / 20.0) < 0.002
    net = E.deep_network(5, depth=4, width=8, gain=1.0)
    X, y = np.random.default_rng(0).standard_normal((16, 5)), np.zeros((16, 1))
    assert E.layer_gradient_norms(net, X, y).shape == (4,)
    with pytest.raises(ValueError, match="gain must be"):
        E.scaled_normal(0.0)


def test_deep_digits_run_records_norms_and_divergence():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((128, 8)), rng.integers(0, 3, 128)
    data = (X, y, X[:32], y[:32])
    calm = E.deep_digits_run(data, gain=math.sqrt(2), lr=0.01, depth=3, width=16, epochs=2, label="calm")
    assert not calm.diverged and len(calm.grad_norms) == 4 and len(calm.val_loss) == 2
    assert calm.first_layer_norms.shape == (3,)
    wild = E.deep_digits_run(data, gain=3.0, lr=0.5, depth=10, width=16, epochs=2)
    assert wild.diverged and wild.diverged_at is not None and len(wild.grad_norms) < 4
    clipped = E.deep_digits_run(data, gain=3.0, lr=0.5, max_norm=1.0, depth=10, width=16, epochs=2)
    assert clipped.grad_norms.max() > 1.0  # it did clip
    assert not clipped.diverged and np.all(np.isfinite(clipped.train_loss))


def test_a_non_finite_gradient_counts_as_diverged():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((128, 8)), rng.integers(0, 3, 128)
    run = E.deep_digits_run((X, y, X[:32], y[:32]), gain=2.5, lr=0.5, depth=10, width=16, epochs=2)
    assert run.diverged and run.diverged_at is not None


def test_fit_recording_norms_records_before_clipping():
    from nnopt.optim import SGD

    net = E.deep_network(5, depth=3, width=8, gain=1.0)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 5)), rng.standard_normal((64, 1))
    first = E.layer_gradient_norms(net, X, y)  # the full batch: the first step's gradient
    history, norms = E.fit_recording_norms(net, SGD(net.parameters(), lr=0.01), X, y, max_norm=1e-3,
                                           epochs=2, batch_size=64, shuffle=False)
    assert len(norms) == history.iterations == 2
    biases = [p.grad for name, p in net.named_parameters() if name.endswith(".b")]
    assert norms[0] > 1e-3 and len(biases) == 3
    assert np.sqrt(np.sum(first ** 2)) <= norms[0] + 1e-12  # weights only <= weights and biases
