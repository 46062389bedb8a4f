"""The closed-form decay functions of nnopt.schedules.decay, by hand and against the schedulers."""
from __future__ import annotations

import numpy as np
import pytest

from nnopt.schedules import (
    ExponentialLR,
    LambdaLR,
    StepLR,
    exponential_decay,
    inverse_time_decay,
    scale_lr,
    schedule_lr_decay,
    schedule_values,
    step_decay,
)

from fake_optimizer import FakeOptimizer


def test_inverse_time_decay_by_hand():
    assert inverse_time_decay(0.5, 1.0, 3) == 0.125  # 0.5 / (1 + 1*3)
    assert inverse_time_decay(0.1, 0.0, 7) == 0.1  # no decay
    np.testing.assert_allclose(inverse_time_decay(1.0, 0.5, np.arange(4)), [1, 1 / 1.5, 1 / 2, 1 / 2.5])


def test_inverse_time_decay_keras_options():
    # Keras InverseTimeDecay: lr0 / (1 + rate * t / decay_steps), floored with staircase
    assert inverse_time_decay(1.0, 0.5, 30, decay_steps=10) == pytest.approx(1 / 2.5)
    assert inverse_time_decay(1.0, 0.5, 39, decay_steps=10, staircase=True) == pytest.approx(1 / 2.5)


def test_schedule_lr_decay_is_the_fixed_interval_variant():
    # the deeplearning.ai exercise, in its argument order (learning_rate0, epoch_num, decay_rate, time_interval):
    # learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))
    assert schedule_lr_decay(0.5, 100, 0.3) == 0.5
    assert schedule_lr_decay(0.5, 2500, 0.3) == pytest.approx(0.5 / 1.6)
    assert schedule_lr_decay(0.5, 2000, 1.0) == pytest.approx(0.5 / 3)
    np.testing.assert_allclose(schedule_lr_decay(1.0, np.array([0, 999, 1000, 1999, 2000]), 1.0),
                               [1, 1, 0.5, 0.5, 1 / 3])


def test_schedule_lr_decay_takes_keywords_and_refuses_the_old_order():
    assert schedule_lr_decay(learning_rate0=0.5, epoch_num=10, decay_rate=1.0, time_interval=10) == 0.25
    assert schedule_lr_decay(0.5, 10, 1.0, 10) == 0.25
    with pytest.raises(ValueError, match="epoch_num, decay_rate"):
        schedule_lr_decay(0.1, 1.0, np.arange(20), time_interval=10)  # the former (lr0, decay_rate, epoch) order


def test_exponential_decay_by_hand():
    assert exponential_decay(0.1, 0.5, 20, decay_steps=10) == pytest.approx(0.025)  # 0.1 * 0.5**2
    assert exponential_decay(0.1, 0.5, 5, decay_steps=10) == pytest.approx(0.1 * 0.5**0.5)
    assert exponential_decay(0.1, 0.5, 15, decay_steps=10, staircase=True) == pytest.approx(0.05)
    # the course's 0.95**epoch * lr0
    np.testing.assert_allclose(exponential_decay(0.2, 0.95, np.arange(5), 1), 0.2 * 0.95 ** np.arange(5))


def test_step_decay_by_hand():
    assert step_decay(0.1, 0.5, 10, 25) == pytest.approx(0.025)  # 0.1 * 0.5**floor(2.5)
    np.testing.assert_allclose(step_decay(1.0, 0.1, 2, np.arange(5)), [1, 1, 0.1, 0.1, 0.01])


def test_inverse_time_is_not_exponential():
    t = np.arange(0, 101, 10)
    inverse = inverse_time_decay(1.0, 0.05, t)
    exponential = exponential_decay(1.0, 1 / 1.05, t, 1)  # the same first step: 1 / 1.05
    assert inverse[1] < 1 and exponential[-1] < inverse[-1] / 10  # 1/(1 + 5) vs 1.05**-100


def test_scalar_in_float_out_array_in_array_out():
    assert isinstance(step_decay(0.1, 0.5, 10, 3), float)
    steps = np.arange(12).reshape(3, 4)
    assert inverse_time_decay(0.1, 0.5, steps).shape == (3, 4)
    assert exponential_decay(0.1, 0.5, steps, 2).shape == (3, 4)


def test_closed_forms_match_the_schedulers():
    epochs = np.arange(30)
    np.testing.assert_allclose(schedule_values(lambda o: StepLR(o, 4, 0.5), 30, lr=0.3),
                               step_decay(0.3, 0.5, 4, epochs), rtol=1e-12)
    np.testing.assert_allclose(schedule_values(lambda o: StepLR(o, 4, 0.5), 30, lr=0.3),
                               exponential_decay(0.3, 0.5, epochs, 4, staircase=True), rtol=1e-12)
    np.testing.assert_allclose(schedule_values(lambda o: ExponentialLR(o, 0.9), 30, lr=0.3),
                               exponential_decay(0.3, 0.9, epochs, 1), rtol=1e-12)


def test_lambda_lr_wraps_inverse_time_decay():
    values = schedule_values(lambda o: LambdaLR(o, lambda t: inverse_time_decay(1.0, 0.5, t)), 10, lr=0.2)
    np.testing.assert_allclose(values, 0.2 / (1 + 0.5 * np.arange(10)), rtol=1e-12)


@pytest.mark.parametrize("call, word", [
    (lambda: inverse_time_decay(0.1, -1.0, 3), "decay_rate"),
    (lambda: inverse_time_decay(0.1, 0.5, -1), "epoch"),
    (lambda: inverse_time_decay(0.1, 0.5, [1, np.nan]), "finite"),
    (lambda: schedule_lr_decay(0.1, 0.5, 3, time_interval=0), "time_interval"),
    (lambda: exponential_decay(0.1, 0.0, 3, 10), "decay_rate"),
    (lambda: exponential_decay(0.1, 0.5, 3, 0), "decay_steps"),
    (lambda: step_decay(0.1, -0.5, 10, 3), "drop"),
    (lambda: step_decay(0.1, 0.5, 0, 3), "epochs_drop"),
    (lambda: step_decay(-0.1, 0.5, 10, 3), "lr0"),
])
def test_bad_arguments(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_scale_lr_is_manual_decay():
    optimizer = FakeOptimizer([0.1, 0.4])
    assert scale_lr(optimizer, 0.5) == [0.05, 0.2]
    assert scale_lr(optimizer, 0.1, groups=[1]) == [0.05, pytest.approx(0.02)]
    with pytest.raises(ValueError, match="factor"):
        scale_lr(optimizer, 0)
    with pytest.raises(ValueError, match="group index 2"):
        scale_lr(optimizer, 0.5, groups=[2])
