"""Tests for the checker of notebook 8's exercise, ``check_make_optimizer`` ("pick the optimizer")."""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

import nnopt
from nnopt.data import Standardizer, load_digits, train_val_test_split
from nnopt.exercises.comparison import (
    BATCH_SIZE,
    BUDGET_STEPS,
    EPOCHS,
    TARGET_ACCURACY,
    PickOptimizerResult,
    check_make_optimizer,
)
from nnopt.nn import mlp
from nnopt.optim import SGD, Adam
from nnopt.schedules import CosineAnnealingLR, OneCycleLR

BUILD, TRAIN, MOVED, ACCURATE = range(4)  # the checks, in order


def _digits():
    X, y = load_digits()
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_val), y_val


def _passed(result) -> list[bool]:
    return [outcome.passed for outcome in result.outcomes]


# ---------- learner answers, right and wrong ----------

def adam_3e3(params):
    return Adam(params, lr=3e-3)


def stub(params):
    raise NotImplementedError("replace this line with your choice")


# ---------- the reference and other right answers ----------

def test_budget_is_five_epochs_of_twenty_batches():
    X_train, _, _, _ = _digits()
    assert len(X_train) == 1257  # 1797 digits - 270 validation - 270 test
    assert BUDGET_STEPS == EPOCHS * math.ceil(len(X_train) / BATCH_SIZE) == 5 * 20 == 100


def test_reference_passes_and_reports_the_run():
    result = check_make_optimizer(adam_3e3)
    assert isinstance(result, PickOptimizerResult)
    assert result.passed and (result.n_passed, result.n_checks) == (4, 4)
    assert result.steps == BUDGET_STEPS
    assert result.accuracy >= TARGET_ACCURACY
    text = str(result)
    assert text.startswith("✓ pick the optimizer: passed 4/4")
    assert "Adam (lr=0.003)" in text and "100 steps" in text and f"{100 * result.accuracy:.2f}%" in text
    assert "#1a7f37" in result._repr_html_() and "Your run" in result._repr_html_()


def test_reported_numbers_are_those_of_an_independent_run():
    # the same network, data, budget and seeds, trained here with nnopt.fit directly
    X_train, y_train, X_val, y_val = _digits()
    model = mlp([64, 64, 10], seed=0)
    history = nnopt.fit(model, Adam(model.parameters(), lr=3e-3), X_train, y_train, epochs=5, batch_size=64, seed=0,
                        validation=(X_val, y_val))
    result = check_make_optimizer(adam_3e3)
    assert result.accuracy == history.val_acc[-1]
    assert result.final_loss == history.train_loss[-1]
    # 270 validation images: the accuracy is a whole number of them
    assert round(result.accuracy * 270) == pytest.approx(result.accuracy * 270, abs=1e-9)


def test_a_scheduler_pair_is_accepted_and_stepped_per_iteration():
    def one_cycle(params):
        optimizer = Adam(params, lr=1e-3)
        return optimizer, OneCycleLR(optimizer, max_lr=1e-2, total_steps=BUDGET_STEPS)

    result = check_make_optimizer(one_cycle)
    assert result.passed, str(result)
    # OneCycleLR starts at max_lr / 25 = 4e-4 and peaks at max_lr = 1e-2 after 30 % of the steps
    assert "Adam with OneCycleLR (learning rate 0.0004 → " in result.details
    assert "peak 0.01" in result.details


def test_momentum_sgd_also_passes():
    assert check_make_optimizer(lambda params: SGD(params, lr=0.03, momentum=0.9)).passed


def test_checker_is_fast():
    started = time.perf_counter()
    check_make_optimizer(adam_3e3)
    assert time.perf_counter() - started < 2.0


# ---------- wrong answers: reported with a hint, never raised ----------

def test_stub_is_reported_as_not_implemented():
    result = check_make_optimizer(stub)
    assert not result.passed and result.n_passed == 0
    first = result.failures[0]
    assert first.name == "not implemented yet" and first.error.startswith("NotImplementedError")
    assert result.details == "" and result.accuracy is None and result.steps is None
    assert "Your run" not in str(result)


def test_too_small_learning_rate_barely_moves():
    result = check_make_optimizer(lambda params: SGD(params, lr=1e-4))
    assert _passed(result) == [True, True, False, False]
    moved = result.outcomes[MOVED]
    assert "too small" in moved.hint and "barely moved" in moved.hint
    # He-initialised start: the loss is about 2.8 and must fall below half of it
    assert "below 1.4" in moved.expected


def test_textbook_default_adam_is_too_slow():
    result = check_make_optimizer(lambda params: Adam(params))
    assert _passed(result) == [True, True, True, False]
    assert "too slow" in result.outcomes[ACCURATE].hint
    assert "adaptive method" not in result.outcomes[ACCURATE].hint  # it already is one
    assert result.accuracy < TARGET_ACCURACY


def test_too_slow_plain_sgd_is_pointed_to_momentum_or_an_adaptive_method():
    result = check_make_optimizer(lambda params: SGD(params, lr=0.03))
    slow = [outcome.hint for outcome in result.failures if "too slow" in outcome.hint]
    assert slow and "use momentum or an adaptive method" in slow[0]


def test_large_momentum_rate_is_reported_unstable():
    result = check_make_optimizer(lambda params: SGD(params, lr=0.3, momentum=0.9))
    assert _passed(result) == [True, True, True, False]
    hint = result.outcomes[ACCURATE].hint
    assert hint.startswith("learning rate too large") and "Lower it" in hint  # never "raise it"


@pytest.mark.parametrize("lr", [50.0, 1e5])
def test_divergence_is_reported(lr):
    # lr = 50: the loss blows up but stays finite; lr = 1e5: it becomes inf/NaN (TrainingDiverged)
    result = check_make_optimizer(lambda params: SGD(params, lr=lr))
    assert _passed(result) == [True, False, False, False]
    assert "diverged" in result.outcomes[TRAIN].hint and "lower the learning rate" in result.outcomes[TRAIN].hint.lower()
    assert all("not run" in outcome.got for outcome in result.outcomes[MOVED:])


def test_nan_divergence_names_the_step_and_rate():
    result = check_make_optimizer(lambda params: SGD(params, lr=1e5))
    assert "NaN or infinite at step" in result.outcomes[TRAIN].got
    assert "learning rate 100000" in result.outcomes[TRAIN].got


@pytest.mark.parametrize("answer, expected_text", [
    (lambda params: None, "None"),
    (lambda params: list(params), "a list of 4 items"),
    (lambda params: "Adam", "str"),
    (lambda params: Adam(params[:2], lr=1e-2), "2 of them missing"),
    (lambda params: Adam(mlp([64, 64, 10]).parameters(), lr=1e-2), "4 of them missing and 4 other arrays"),
    (lambda params: (Adam(params), CosineAnnealingLR(Adam(params), T_max=100)), "another optimizer"),
])
def test_malformed_answers_fail_the_first_check(answer, expected_text):
    result = check_make_optimizer(answer)
    assert _passed(result) == [False] * 4
    assert expected_text in result.failures[0].got


def test_a_schedule_shorter_than_the_budget_is_explained():
    def short_cycle(params):
        optimizer = Adam(params)
        return optimizer, OneCycleLR(optimizer, max_lr=1e-2, total_steps=50)

    result = check_make_optimizer(short_cycle)
    assert _passed(result) == [True, False, False, False]
    assert "ValueError" in result.outcomes[TRAIN].got
    assert "total_steps=100" in result.outcomes[TRAIN].hint


def test_an_exception_in_the_learners_code_is_reported():
    result = check_make_optimizer(lambda params: Adam(params, lr=1e-2, bet=0.9))
    assert not result.passed
    assert "TypeError" in result.failures[0].error


def test_the_class_itself_is_a_valid_but_slow_answer():
    # Adam is callable: Adam(params) is Adam at its default lr 1e-3, which is too slow for the budget
    result = check_make_optimizer(Adam)
    assert _passed(result) == [True, True, True, False]


def test_not_a_function_is_reported():
    result = check_make_optimizer("Adam")
    assert not result.passed and "function" in result.failures[0].expected
    assert isinstance(result, PickOptimizerResult) and result.accuracy is None


def test_training_data_cannot_be_changed_by_the_learner():
    from nnopt.exercises.comparison import _digits as checker_digits

    X_train = checker_digits()[0]
    with pytest.raises(ValueError):
        X_train[0, 0] = 1.0
    assert np.isfinite(X_train).all()


def test_advice_quotes_the_learning_rate_the_learner_set_not_the_annealed_one():
    # Adam(lr=1e-3) annealed to 0 over the 100 steps is too slow: the hint must say "now 0.001"
    # (what the learner wrote), and only add where the scheduler has taken it
    def slow_cosine(params):
        optimizer = Adam(params, lr=1e-3)
        return optimizer, CosineAnnealingLR(optimizer, T_max=100)

    result = check_make_optimizer(slow_cosine)
    hint = next(outcome.hint for outcome in result.failures if "Raise" in outcome.hint)
    assert "(now 0.001; your scheduler has it at" in hint
