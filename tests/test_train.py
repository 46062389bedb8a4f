"""fit(): the training loop's bookkeeping, early stops and divergence report."""
import math

import numpy as np
import pytest

import nnopt
from nnopt import schedules
from nnopt.data import make_blobs
from nnopt.nn import mlp
from nnopt.optim import SGD
from nnopt.train import History, StopTraining, TrainingDiverged, fit


@pytest.fixture
def problem():
    X, y = make_blobs(n_samples=50, centers=3, n_features=4, seed=0)
    return X, y


def test_history_has_one_entry_per_iteration_and_per_epoch(problem):
    X, y = problem
    model = mlp([4, 8, 3], seed=0)
    history = fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=16,
                  validation=(X[:10], y[:10]))
    # 50 samples in batches of 16: 16 + 16 + 16 + 2 -> 4 iterations per epoch, 12 in all
    assert history.iterations_per_epoch == 4
    assert len(history.loss) == len(history.lr) == len(history.time) == 12
    assert len(history.train_loss) == len(history.val_acc) == len(history.epoch_time) == 3
    assert history.lr == [0.1] * 12
    assert np.all(np.diff(history.time) >= 0)
    assert 0.0 <= history.train_acc[-1] <= 1.0
    assert history.train_loss[-1] < history.loss[0]


def test_fit_is_reproducible_for_a_seed(problem):
    X, y = problem
    runs = []
    for _ in range(2):
        model = mlp([4, 8, 3], seed=1)
        runs.append(fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=8, seed=5).loss)
    assert runs[0] == runs[1]


def test_full_batch_gradient_descent_is_one_plain_step_per_epoch(problem):
    X, y = problem
    model = mlp([4, 3], seed=0)
    reference = mlp([4, 3], seed=0)
    fit(model, SGD(model.parameters(), lr=0.5), X, y, epochs=1, batch_size=None)
    reference.loss(X, y)
    reference.backward()
    for p, q in zip(model.parameters(), reference.parameters()):
        # theta_1 = theta_0 - lr * grad J(theta_0) on the whole set
        np.testing.assert_allclose(p.value, q.value - 0.5 * q.grad, rtol=0, atol=1e-15)


def test_a_nan_loss_stops_training_naming_the_step_and_learning_rate(problem):
    X, y = problem
    model = mlp([4, 8, 3], seed=0)
    with pytest.raises(TrainingDiverged, match=r"iteration \d+ \(learning rate 1e\+200\)") as error:
        fit(model, SGD(model.parameters(), lr=1e200), X, y, epochs=5, batch_size=10)
    history = error.value.history
    assert isinstance(history, History) and history.iterations >= 1
    assert all(math.isfinite(loss) for loss in history.loss)
    assert "Lower the learning rate" in str(error.value)


def test_max_iterations_and_max_seconds_stop_mid_epoch(problem):
    X, y = problem
    model = mlp([4, 3], seed=0)
    history = fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=100, batch_size=4, max_iterations=7)
    assert history.iterations == 7 and history.epochs == 0
    history = fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=10_000, batch_size=50, max_seconds=0.05)
    assert 0.05 <= history.time[-1] < 1.0


def test_callbacks_can_stop_training(problem):
    X, y = problem
    model = mlp([4, 3], seed=0)

    class StopAtThree:
        def on_iteration_end(self, history):
            return history.iterations == 3

    assert fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=5, batch_size=5,
               callbacks=[StopAtThree()]).iterations == 3

    def stop_after_two_epochs(history):
        if history.epochs == 2:
            raise StopTraining
    assert fit(model, SGD(model.parameters(), lr=0.1), X, y, epochs=5, batch_size=5,
               callbacks=[stop_after_two_epochs]).epochs == 2


def test_regression_models_record_nan_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = mlp([3, 1], output="linear", seed=0)
    history = fit(model, SGD(model.parameters(), lr=0.05), X, y, epochs=2, batch_size=5)
    assert math.isnan(history.train_acc[-1])
    assert history.train_loss[-1] < history.train_loss[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs must be a positive whole number"),
        ({"scheduler_unit": "batch"}, "scheduler_unit must be 'epoch' or 'iteration'"),
        ({"max_iterations": 0}, "max_iterations must be a whole number >= 1"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_arguments_are_named(problem, kwargs, message):
    X, y = problem
    model = mlp([4, 3], seed=0)
    with pytest.raises((ValueError, TypeError), match=message):
        fit(model, SGD(model.parameters(), lr=0.1), X, y, **kwargs)


def test_top_level_shortcuts():
    assert nnopt.fit is fit and nnopt.TrainingDiverged is TrainingDiverged


SCHEDULERS = {
    "StepLR": lambda o: schedules.StepLR(o, step_size=2, gamma=0.5),
    "MultiStepLR": lambda o: schedules.MultiStepLR(o, milestones=[1, 3]),
    "ExponentialLR": lambda o: schedules.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: schedules.CosineAnnealingLR(o, T_max=8),
    "CosineAnnealingWarmRestarts": lambda o: schedules.CosineAnnealingWarmRestarts(o, T_0=3),
    "CyclicLR": lambda o: schedules.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2),
    "OneCycleLR": lambda o: schedules.OneCycleLR(o, max_lr=0.1, total_steps=16),
    "LinearLR": lambda o: schedules.LinearLR(o, start_factor=0.1, total_iters=3),
    "LambdaLR": lambda o: schedules.LambdaLR(o, lambda step: 1 / (1 + step)),
    "PolynomialLR": lambda o: schedules.PolynomialLR(o, total_iters=6),
    "SequentialLR": lambda o: schedules.SequentialLR(
        o, [schedules.LinearLR(o, start_factor=0.1, total_iters=2), schedules.ExponentialLR(o, 0.9)], milestones=[2]),
    "ReduceLROnPlateau": lambda o: schedules.ReduceLROnPlateau(o, patience=0, factor=0.5),
}


@pytest.mark.parametrize("unit", ["epoch", "iteration"])
@pytest.mark.parametrize("name", SCHEDULERS)
def test_fit_runs_every_scheduler_per_epoch_or_per_iteration(problem, name, unit):
    import warnings

    X, y = problem  # 50 samples, batch 25 -> 2 iterations per epoch, 8 in 4 epochs
    model = mlp([4, 3], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = SCHEDULERS[name](optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OneCycleLR/CyclicLR per epoch warn, as they should
        history = fit(model, optimizer, X, y, epochs=4, batch_size=25, scheduler=scheduler, scheduler_unit=unit)
    assert history.iterations == 8
    # the rate used by each step is the scheduler's value before it stepped
    changes = sum(a != b for a, b in zip(history.lr, history.lr[1:]))
    if unit == "epoch" and name != "ReduceLROnPlateau":
        assert all(history.lr[i] == history.lr[i + 1] for i in range(0, 8, 2))  # constant within an epoch
    assert changes >= 1 or name == "ReduceLROnPlateau"


def test_evaluation_takes_loss_and_accuracy_from_one_forward_pass():
    from nnopt.train import _evaluate

    model = mlp([2, 5, 3], seed=4)
    X = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 1.0], [0.0, 0.0]])
    y = np.array([0, 2, 1, 1])
    calls = []
    forward = model.forward
    model.forward = lambda *args, **kwargs: calls.append(1) or forward(*args, **kwargs)
    loss, accuracy = _evaluate(model, X, y)
    assert calls == [1]
    model.forward = forward
    assert loss == model.loss(X, y, training=False)
    # accuracy = share of rows whose argmax equals y, computed here from the logits
    assert accuracy == np.mean(np.argmax(forward(X, training=False), axis=1) == y)
