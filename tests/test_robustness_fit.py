"""fit keeps what it had (history on every exception, an interrupt returns it) and checks its
data and arguments before the first epoch, naming what is wrong."""
import numpy as np
import pytest

from nnopt.nn import mlp
from nnopt.optim import SGD, NonFiniteGradientError
from nnopt.train import History, TrainingDiverged, fit

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
Y = RNG.integers(0, 3, 60)


def setup(lr=0.1):
    model = mlp([4, 8, 3], seed=0)
    return model, SGD(model.parameters(), lr=lr)


def run(**options):
    model, opt = setup()
    arguments = dict(epochs=3, batch_size=20)
    arguments.update(options)
    return fit(model, opt, options.pop("X", X), options.pop("y", Y), **{k: v for k, v in arguments.items()
                                                                        if k not in ("X", "y")})


# ---------------------------------------------------------------- keeping the history
def test_nan_end_of_epoch_loss_raises_training_diverged():
    model, _ = setup()
    with pytest.raises(TrainingDiverged, match="training loss after epoch 1 is nan") as caught:
        fit(model, SGD(model.parameters(), lr=1e200), X, Y, epochs=1, batch_size=len(X))
    assert caught.value.history.iterations == 1
    assert np.isnan(caught.value.history.train_loss[-1])


def test_non_finite_gradient_with_finite_loss_carries_the_history():
    model, opt = setup()
    original = model.backward

    def backward():
        original()
        if opt.step_count == 5:
            model.parameters()[0].grad[0, 0] = np.inf
    model.backward = backward
    with pytest.raises(NonFiniteGradientError) as caught:
        fit(model, opt, X, Y, epochs=3, batch_size=20)
    history = caught.value.history
    assert history.iterations == 5 and history.epochs == 1
    assert any("error.history" in note for note in caught.value.__notes__)


def test_a_callback_that_raises_leaves_the_finished_epochs_reachable():
    def broken(history):
        if history.epochs == 2:
            raise RuntimeError("a bug in my callback")
    with pytest.raises(RuntimeError, match="a bug in my callback") as caught:
        run(callbacks=[broken])
    assert caught.value.history.epochs == 2 and caught.value.history.iterations == 6


def test_keyboard_interrupt_returns_the_history_so_far_with_a_note(capsys):
    class Interrupt:
        def on_iteration_end(self, history):
            if history.iterations == 4:
                raise KeyboardInterrupt
    history = run(callbacks=[Interrupt()])
    assert isinstance(history, History) and history.interrupted
    assert history.iterations == 4 and history.epochs == 1
    assert len(history.lr) == len(history.loss) == len(history.time) == 4
    note = capsys.readouterr().err.strip()
    assert note.count("\n") == 0 and "interrupted" in note and "history" in note
    assert "interrupted" in repr(history)


def test_interrupt_in_the_middle_of_an_epoch_end_trims_to_whole_epochs():
    history = History(train_loss=[1.0, 0.5], train_acc=[0.5], epoch_time=[1.0, 2.0], loss=[1.0, 2.0],
                      lr=[0.1, 0.1], group_lrs=[(0.1,), (0.1,)], time=[0.5])
    history._trim()
    assert history.train_loss == [1.0] and history.epoch_time == [1.0]
    assert history.loss == [1.0] and history.lr == [0.1] and history.group_lrs == [(0.1,)]


def test_an_uninterrupted_history_is_not_marked():
    assert not run().interrupted


def test_argument_errors_carry_an_empty_history():
    with pytest.raises(TypeError) as caught:
        run(seed="0")
    assert caught.value.history.iterations == 0


# ---------------------------------------------------------------- data checked before training
def bad(array, row, value):
    array = array.astype(float).copy()
    array[row] = value
    return array


@pytest.mark.parametrize("X_bad, message", [
    (bad(X, 3, np.nan), r"training data: X contains 4 NaN and 0 infinite values \(the first in row 3\)"),
    (bad(X, 7, np.inf), r"training data: X contains 0 NaN and 4 infinite"),
    (X[:, :3], r"training data: X has 3 features .* first layer expects 4"),
    (X[:, 0], r"training data: X must be a 2-D array"),
    (X[:0], r"training data: X has no rows"),
])
def test_bad_training_inputs_are_named_before_training(X_bad, message):
    with pytest.raises(ValueError, match=message) as caught:
        run(X=X_bad)
    assert caught.value.history.iterations == 0


@pytest.mark.parametrize("y_bad, error, message", [
    (Y + 3, ValueError, r"training data: class labels must be in \[0, 3\)"),
    (Y - 1, ValueError, r"training data: class labels must be in \[0, 3\)"),
    (Y[:30], ValueError, r"training data: y has 30 targets .* X has 60 rows"),
    (np.where(np.arange(60) == 2, np.nan, Y), ValueError, r"training data: y contains 1 NaN"),
    (Y.astype(str), TypeError, r"training data: y must hold numbers"),
])
def test_bad_training_targets_are_named_before_training(y_bad, error, message):
    with pytest.raises(error, match=message):
        run(y=y_bad)


@pytest.mark.parametrize("validation, message", [
    ((X[:, :3], Y), r"validation data: X_val has 3 features .* training data has 4"),
    ((X, Y[:10]), r"validation data: y_val has 10 targets .* X_val has 60 rows"),
    ((X, Y + 1), r"validation data: class labels must be in \[0, 3\)"),
    ((bad(X, 0, np.nan), Y), r"validation data: X_val contains 4 NaN"),
])
def test_bad_validation_data_fails_before_the_first_epoch(validation, message):
    model, opt = setup()
    before = [p.value.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=message):
        fit(model, opt, X, Y, epochs=2, batch_size=20, validation=validation)
    for p, value in zip(model.parameters(), before):      # nothing was trained
        np.testing.assert_array_equal(p.value, value)


def test_regression_and_binary_targets_are_checked_by_their_loss():
    model = mlp([4, 1], output="sigmoid")
    with pytest.raises(ValueError, match=r"validation data: binary targets must be in \[0, 1\]"):
        fit(model, SGD(model.parameters(), lr=0.1), X, Y % 2, validation=(X, Y))
    model = mlp([4, 2], output="linear")
    with pytest.raises(ValueError, match=r"training data: y has shape \(60,\) but the output has shape"):
        fit(model, SGD(model.parameters(), lr=0.1), X, Y.astype(float))


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize("seed, error, message", [
    ("0", TypeError, "seed must be an int .* the string '0'"),
    (-1, ValueError, "seed must be a non-negative int, got -1"),
    (1.5, TypeError, "seed must be an int or a numpy.random.Generator, got 1.5"),
    (True, TypeError, "seed must be an int"),
])
def test_bad_seed(seed, error, message):
    with pytest.raises(error, match=message):
        run(seed=seed)


def test_seed_may_be_a_generator_or_numpy_int():
    a = run(seed=np.random.default_rng(3))
    b = run(seed=np.int64(3))
    assert a.train_loss == b.train_loss


@pytest.mark.parametrize("batch_size, error, message", [
    ("8", TypeError, "batch_size must be an int .* got '8' \\(str\\)"),
    (0, ValueError, "batch_size must be at least 1"),
    (2.5, TypeError, "batch_size must be an int"),
    (61, ValueError, "larger than the number of samples m=60"),
])
def test_bad_batch_size(batch_size, error, message):
    with pytest.raises(error, match=message):
        run(batch_size=batch_size)


def test_callbacks_none_and_a_bare_function_are_accepted():
    seen = []
    assert run(callbacks=None).epochs == 3
    run(callbacks=lambda history: seen.append(history.epochs))
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("callbacks, message", [
    ([5], r"callbacks\[0\] is 5, which is not a callback"),
    ([print, "x"], r"callbacks\[1\] is 'x'"),
    ("on_epoch_end", "callbacks must be a list of callbacks"),
    (5, "callbacks must be a list of callbacks"),
])
def test_bad_callbacks(callbacks, message):
    with pytest.raises(TypeError, match=message):
        run(callbacks=callbacks)


def test_fit_refuses_an_optimizer_that_holds_none_of_the_models_parameters():
    import copy
    import pickle

    X = np.random.default_rng(0).standard_normal((40, 4))
    y = np.arange(40) % 3
    model = mlp([4, 5, 3], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    for stranger in (copy.deepcopy(optimizer), pickle.loads(pickle.dumps(optimizer))):
        with pytest.raises(ValueError, match="holds none of this model's parameters") as caught:
            fit(model, stranger, X, y, epochs=1, batch_size=8)
        assert caught.value.history.epochs == 0
    with pytest.raises(ValueError, match="copy.deepcopy\\(\\(model, optimizer\\)\\)"):
        fit(copy.deepcopy(model), optimizer, X, y, epochs=1, batch_size=8)
    with pytest.raises(TypeError, match="optimizer must be an optimizer object"):
        fit(model, SGD, X, y, epochs=1)
    copied_model, copied_optimizer = copy.deepcopy((model, optimizer))  # copied together: fine
    assert fit(copied_model, copied_optimizer, X, y, epochs=1, batch_size=8).epochs == 1


@pytest.mark.parametrize("options, error, message", [
    ({"scheduler": "StepLR"}, TypeError, "scheduler must be a learning-rate scheduler"),
    ({"scheduler": lambda optimizer: None}, TypeError, "call it: scheduler=make\\(optimizer\\)"),
    ({"max_iterations": "5"}, ValueError, "max_iterations must be a whole number"),
    ({"max_iterations": 2.5}, ValueError, "max_iterations must be a whole number"),
    ({"max_seconds": "1"}, ValueError, "max_seconds must be a number > 0"),
    ({"callbacks": [lambda: None]}, TypeError, "cannot be called with one argument, the History"),
    ({"callbacks": lambda history, extra: None}, TypeError, "cannot be called with one argument"),
])
def test_bad_fit_options_are_named_before_any_training(options, error, message):
    with pytest.raises(error, match=message) as caught:
        run(**options)
    assert caught.value.history.epochs == 0


def test_fit_scheduler_class_is_refused_with_the_fix():
    from nnopt.schedules import StepLR

    with pytest.raises(TypeError, match="StepLR\\(optimizer, step_size=2\\)"):
        run(scheduler=StepLR)


def test_an_interrupt_during_the_first_validation_pass_keeps_the_epochs_whole(monkeypatch, capsys):
    import nnopt.train as train_module

    real_evaluate, calls = train_module._evaluate, []

    def evaluate_then_interrupt(model, X_eval, y_eval):
        calls.append(len(X_eval))
        if len(calls) == 2:                     # epoch 1: training set first, then the validation set
            raise KeyboardInterrupt
        return real_evaluate(model, X_eval, y_eval)

    monkeypatch.setattr(train_module, "_evaluate", evaluate_then_interrupt)
    history = run(validation=(X[:20], Y[:20]))
    assert history.interrupted and history.epochs == 0
    assert history.train_loss == [] and history.val_loss == [] and history.iterations == 3


def test_float64_data_beyond_float32_range_is_named_for_a_float32_model():
    model = mlp([4, 5, 3], seed=0, dtype=np.float32)
    data = X.copy()
    data[3, 1] = 1e39
    with pytest.raises(ValueError, match="beyond float32's range"):
        fit(model, SGD(model.parameters(), lr=0.1), data, Y, epochs=1, batch_size=20)
