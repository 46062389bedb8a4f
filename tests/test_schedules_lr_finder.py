"""The learning-rate range test: exponential lrs, bias-corrected smoothing, early stop, restore, suggestion."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nnopt.parameter import Parameter
from nnopt.schedules import ExponentialRangeLR, LRRangeTestResult, lr_range_test, schedule_values

pytest.importorskip("nnopt.train")
optim = pytest.importorskip("nnopt.optim")


class LinearRegression:
    """y_hat = X w, loss = mean((X w - y)^2): Hessian 2 X^T X / m, so plain SGD diverges for lr > 2 / lambda_max."""

    def __init__(self, n_features):
        self.w = Parameter(np.zeros(n_features))

    def parameters(self):
        return [self.w]

    def loss(self, X, y, training=True):
        self._X, self._residual = X, X @ self.w.value - y
        return float(np.mean(self._residual**2))

    def backward(self):
        self.w.grad += 2 * self._X.T @ self._residual / len(self._residual)

    def accuracy(self, X, y):
        raise TypeError("regression")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 2))
    y = X @ np.array([3.0, -2.0]) + 0.1 * rng.standard_normal(256)
    return X, y


def curvature_limit(X):
    """Largest stable lr of gradient descent: 2 / lambda_max(2 X^T X / m)."""
    return 2 / np.linalg.eigvalsh(2 * X.T @ X / len(X)).max()


def test_exponential_range_lr_closed_form():
    # lr_t = 1e-4 * (1 / 1e-4) ** (t / 4): 1e-4, 1e-3, 1e-2, 1e-1, 1, then stays at 1
    values = schedule_values(lambda o: ExponentialRangeLR(o, end_lr=1.0, num_iter=5), 7, lr=1e-4)
    np.testing.assert_allclose(values, [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1.0, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match="num_iter"):
        schedule_values(lambda o: ExponentialRangeLR(o, 1.0, num_iter=1), 3)


def test_range_test_stops_when_the_loss_explodes(data):
    X, y = data
    model = LinearRegression(2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(model, optimizer, X, y, start_lr=1e-4, end_lr=100.0, num_iter=100, batch_size=32)
    assert isinstance(result, LRRangeTestResult)
    n = len(result.lrs)
    assert result.stopped_early and n < 100
    # the lrs are start * (end / start) ** (i / 99), as ExponentialRangeLR gives them
    np.testing.assert_allclose(result.lrs, 1e-4 * (1e6) ** (np.arange(n) / 99), rtol=1e-12)
    # the smoothed loss is the bias-corrected EWA of the recorded losses
    average, expected = 0.0, []
    for i, loss in enumerate(result.losses, start=1):
        average = 0.98 * average + 0.02 * loss
        expected.append(average / (1 - 0.98**i))
    np.testing.assert_allclose(result.smoothed_losses, expected, rtol=1e-12)
    # stopped at the first smoothed loss above 4 x the best before it
    best_before = np.minimum.accumulate(result.smoothed_losses)
    assert result.smoothed_losses[-1] > 4 * best_before[-2]
    assert np.all(result.smoothed_losses[1:-1] <= 4 * best_before[:-2])
    # it blows up beyond the curvature limit, and suggests a rate well inside it
    limit = curvature_limit(X)
    assert result.lrs[-1] > limit
    assert 1e-2 < result.suggestion < limit
    # the EWA lags (it averages ~50 losses), so the minimum of the smoothed loss sits past the limit:
    # hence min/10 rather than the minimum itself
    assert result.min_loss_lr / 10 < limit < result.min_loss_lr


def test_range_test_restores_model_and_optimizer(data):
    X, y = data
    model = LinearRegression(2)
    model.w.value[:] = [0.5, 0.25]
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.loss(X, y)
    model.backward()
    optimizer.step()  # a momentum buffer now exists
    value_before, grad_before = model.w.value.copy(), model.w.grad.copy()
    array_before = model.w.value
    state_before = optimizer.state_dict()

    lr_range_test(model, optimizer, X, y, start_lr=1e-3, end_lr=10.0, num_iter=30, batch_size=64)

    assert model.w.value is array_before  # restored in place
    np.testing.assert_array_equal(model.w.value, value_before)
    np.testing.assert_array_equal(model.w.grad, grad_before)
    state_after = optimizer.state_dict()
    assert state_after["param_groups"] == state_before["param_groups"]
    assert "initial_lr" not in optimizer.param_groups[0]
    assert optimizer.step_count == 1
    np.testing.assert_array_equal(state_after["state"][0]["momentum_buffer"],
                                  state_before["state"][0]["momentum_buffer"])


def test_range_test_runs_num_iter_when_nothing_explodes(data):
    X, y = data
    model = LinearRegression(2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(model, optimizer, X, y, start_lr=1e-5, end_lr=1e-2, num_iter=20, batch_size=32,
                           method="min/10")
    assert not result.stopped_early and len(result.lrs) == 20
    assert result.lrs[-1] == pytest.approx(1e-2)
    assert result.method == "min/10" and result.suggestion == pytest.approx(result.min_loss_lr / 10)


def test_range_test_survives_non_finite_losses(data):
    X, y = data
    model = LinearRegression(2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    result = lr_range_test(model, optimizer, X, y, start_lr=1e-3, end_lr=1e200, num_iter=40, batch_size=32,
                           diverge_factor=1e300)
    assert result.stopped_early
    assert np.all(np.isfinite(result.losses))
    np.testing.assert_array_equal(model.w.value, [0.0, 0.0])


def test_range_test_on_an_mlp_with_per_group_ranges():
    nn = pytest.importorskip("nnopt.nn")
    data_module = pytest.importorskip("nnopt.data")
    X, y = data_module.make_moons(200, noise=0.2, seed=0)
    model = nn.mlp([2, 16, 2], seed=0)
    groups = [{"params": params} for _, params in model.layer_groups()]
    optimizer = optim.Adam(groups, lr=1e-3)
    result = lr_range_test(model, optimizer, X, y, start_lr=[1e-6, 1e-5], end_lr=[1.0, 10.0], num_iter=50,
                           batch_size=20)
    assert result.lrs[0] == pytest.approx(1e-6)  # the first group's lr is recorded
    assert math.isfinite(result.suggestion) and 1e-6 <= result.suggestion <= 1.0
    assert [g["lr"] for g in optimizer.param_groups] == [1e-3, 1e-3]


def test_plot_has_log_x_and_labels(data):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data
    model = LinearRegression(2)
    result = lr_range_test(model, optim.SGD(model.parameters(), lr=0.1), X, y, 1e-4, 100.0, 60, 32)
    ax = result.plot()
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "learning rate (log scale)" and ax.get_ylabel() == "loss"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["mini-batch loss", "smoothed loss"] and labels[2].startswith("suggestion (steepest)")
    plt.close("all")


@pytest.mark.parametrize("kwargs, word", [
    ({"start_lr": 1.0, "end_lr": 0.1}, "end_lr must be larger"),
    ({"start_lr": 0.0}, "start_lr"),
    ({"num_iter": 1}, "num_iter"),
    ({"smooth": 1.0}, "smooth"),
    ({"diverge_factor": 1.0}, "diverge_factor"),
    ({"method": "valley"}, "method"),
])
def test_bad_arguments(data, kwargs, word):
    X, y = data
    model = LinearRegression(2)
    with pytest.raises(ValueError, match=word):
        lr_range_test(model, optim.SGD(model.parameters(), lr=0.1), X, y, **kwargs)
