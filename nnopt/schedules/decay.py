"""Learning-rate decay as plain closed-form functions of the step (the formulas of the course).

Every function takes the step (epoch or iteration) as a number or a NumPy array of steps and
returns a float or an array of the same shape, so a whole schedule is one call::

    epochs = np.arange(100)
    plt.plot(epochs, inverse_time_decay(0.1, 0.5, epochs))

Naming, because it is often mixed up: ``lr0 / (1 + k t)`` is *inverse-time* decay (it falls
like 1/t), not exponential decay; *exponential* decay is ``lr0 * gamma**t`` (it falls by the
same fraction at every step, far faster in the long run). Keras calls the first
``InverseTimeDecay`` and the second ``ExponentialDecay``; PyTorch has ``ExponentialLR`` for the
second and nothing built in for the first (use ``LambdaLR``, below).

Any of these becomes a scheduler through :class:`~nnopt.schedules.LambdaLR`, which multiplies
each group's base lr by the function's value (so pass lr0 = 1)::

    scheduler = LambdaLR(optimizer, lambda t: inverse_time_decay(1.0, 0.5, t))

Manual decay needs no scheduler at all: change the lr in the optimizer's groups between
epochs, e.g. ``for group in optimizer.param_groups: group["lr"] *= 0.5``, which is what
:func:`scale_lr` does.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_non_negative, check_positive, check_real


def _steps(step, name: str = "step") -> np.ndarray:
    """The step(s) as a float array, refusing negative or non-finite values."""
    steps = np.asarray(step, dtype=np.float64)
    if not np.all(np.isfinite(steps)):
        raise ValueError(f"{name} must be finite, got {step!r}.")
    if np.any(steps < 0):
        raise ValueError(f"{name} must be >= 0 (steps count from 0), got {step!r}.")
    return steps


def _result(values: np.ndarray, like):
    """A float for scalar input, an array for array input."""
    return float(values) if np.ndim(like) == 0 else values


def inverse_time_decay(lr0: float, decay_rate: float, epoch, decay_steps: float = 1, staircase: bool = False):
    """Inverse-time decay (it is *not* exponential decay)::

        lr_t = lr0 / (1 + decay_rate * t / decay_steps)
        lr_t = lr0 / (1 + decay_rate * floor(t / decay_steps))      with staircase=True

    ``epoch`` is the step t, in epochs or iterations. With the defaults this is the course's
    ``lr0 / (1 + decay_rate * epoch_num)``; ``decay_steps`` and ``staircase`` give Keras'
    ``InverseTimeDecay``.

    >>> inverse_time_decay(0.5, 1.0, 3)     # 0.5 / (1 + 1 * 3)
    0.125
    """
    check_non_negative("lr0", lr0, "inverse_time_decay")
    check_non_negative("decay_rate", decay_rate, "inverse_time_decay")
    check_positive("decay_steps", decay_steps, "inverse_time_decay")
    steps = _steps(epoch, "epoch")
    progress = np.floor(steps / decay_steps) if staircase else steps / decay_steps
    return _result(lr0 / (1.0 + decay_rate * progress), epoch)


def schedule_lr_decay(learning_rate0: float, epoch_num, decay_rate: float, time_interval: int = 1000):
    """Inverse-time decay at fixed intervals, deeplearning.ai's ``schedule_lr_decay``::

        lr = learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))

    The arguments are in deeplearning.ai's order, ``(learning_rate0, epoch_num, decay_rate,
    time_interval=1000)`` (the epoch second, unlike :func:`inverse_time_decay`), and every one
    can be passed by keyword. The rate stays flat for ``time_interval`` epochs, then drops; it is
    ``inverse_time_decay(learning_rate0, decay_rate, epoch_num, decay_steps=time_interval, staircase=True)``.

    >>> schedule_lr_decay(0.5, 2500, 0.3, time_interval=1000)    # 0.5 / (1 + 0.3 * 2)
    0.3125
    """
    if np.ndim(decay_rate) != 0:
        raise ValueError(
            "schedule_lr_decay: decay_rate must be one number, got an array; the order is deeplearning.ai's, "
            "schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000) (the epoch(s) second)."
        )
    check_positive("time_interval", time_interval, "schedule_lr_decay")
    return inverse_time_decay(learning_rate0, decay_rate, epoch_num, decay_steps=time_interval, staircase=True)


def exponential_decay(lr0: float, decay_rate: float, step, decay_steps: float, staircase: bool = False):
    """Exponential decay, Keras' ``ExponentialDecay`` form::

        lr_t = lr0 * decay_rate ** (t / decay_steps)
        lr_t = lr0 * decay_rate ** floor(t / decay_steps)           with staircase=True

    ``decay_steps=1`` gives PyTorch's ``ExponentialLR`` (gamma = decay_rate) and the course's
    ``0.95 ** epoch_num * lr0``; staircase with ``decay_steps=s`` gives ``StepLR(step_size=s)``.

    >>> exponential_decay(0.1, 0.5, 20, decay_steps=10)    # 0.1 * 0.5 ** 2
    0.025
    """
    check_non_negative("lr0", lr0, "exponential_decay")
    check_positive("decay_rate", decay_rate, "exponential_decay")
    check_positive("decay_steps", decay_steps, "exponential_decay")
    steps = _steps(step)
    exponent = np.floor(steps / decay_steps) if staircase else steps / decay_steps
    return _result(lr0 * np.power(decay_rate, exponent), step)


def step_decay(lr0: float, drop: float, epochs_drop: float, epoch):
    """Step decay: multiply by ``drop`` every ``epochs_drop`` epochs::

        lr = lr0 * drop ** floor(epoch / epochs_drop)

    The closed form of ``StepLR(step_size=epochs_drop, gamma=drop)``.

    >>> step_decay(0.1, 0.5, 10, 25)     # 0.1 * 0.5 ** floor(2.5)
    0.025
    """
    check_non_negative("lr0", lr0, "step_decay")
    check_positive("drop", drop, "step_decay")
    check_positive("epochs_drop", epochs_drop, "step_decay")
    epochs = _steps(epoch, "epoch")
    return _result(lr0 * np.power(drop, np.floor(epochs / epochs_drop)), epoch)


def scale_lr(optimizer, factor: float, groups=None) -> list[float]:
    """Manual decay: multiply the learning rate of the optimizer's groups by ``factor``, in place.

    ``groups`` is None for all groups, or a list of group indices. Returns every group's new lr.
    Typical use, halving the rate by hand when the validation loss stalls::

        scale_lr(optimizer, 0.5)     # for group in optimizer.param_groups: group["lr"] *= 0.5
    """
    check_real("factor", factor, "scale_lr")
    if factor <= 0 or not math.isfinite(factor):
        raise ValueError(f"scale_lr: factor must be > 0 (0.5 halves the learning rate), got {factor}.")
    param_groups = optimizer.param_groups
    indices = range(len(param_groups)) if groups is None else list(groups)
    for index in indices:
        if not 0 <= index < len(param_groups):
            raise ValueError(f"scale_lr: group index {index} is out of range; the optimizer has "
                             f"{len(param_groups)} param_groups.")
        param_groups[index]["lr"] *= factor
    return [group["lr"] for group in param_groups]
