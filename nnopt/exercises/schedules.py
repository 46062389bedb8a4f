"""Checkers for the exercises of notebook 6: the closed forms of learning-rate schedules.

- :func:`check_cosine_annealing` checks ``cosine_annealing(step, lr_max, lr_min, T_max)``,
  the closed form of cosine annealing (Loshchilov & Hutter, 2017)::

      lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2

  against hand-computed values (step 0 -> lr_max, T_max / 2 -> the mean of the two,
  T_max -> lr_min, T_max / 4 -> lr_min + (lr_max - lr_min) (1 + sqrt(2)/2) / 2) and against the
  rates :class:`nnopt.schedules.CosineAnnealingLR` sets step by step (PyTorch's *recursive*
  form, equal to the closed form up to rounding).

- :func:`check_inverse_time_decay` checks ``inverse_time_decay(lr0, decay_rate, epoch)``::

      lr = lr0 / (1 + decay_rate * epoch)

- :func:`check_schedule_lr_decay` checks deeplearning.ai's fixed-interval decay
  ``schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000)``::

      lr = learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))

Answers are compared with the course policy (relative 1e-6, float32 answers 1e-4). When an
answer is wrong, the learner's function is evaluated at a few more steps and compared with
the usual slips there (degrees instead of radians, sin for cos, an off-by-one in the step,
lr_min and lr_max swapped, a missing ``1 +`` or ``/ 2``, floor division, exponential instead
of inverse-time decay, a misplaced bracket, no floor, ...): a slip is named only when it
reproduces the learner's values at every one of those steps.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..schedules import CosineAnnealingLR, schedule_values
from ..schedules import inverse_time_decay as reference_inverse_time_decay
from ..schedules import schedule_lr_decay as nnopt_schedule_lr_decay
from .feedback import Check, ExerciseResult, _Stop, as_array, as_number, close, expect, run_checks, signature_names

__all__ = [
    "check_cosine_annealing", "check_inverse_time_decay", "check_schedule_lr_decay",
    "reference_cosine_annealing", "reference_schedule_lr_decay",
]


def reference_cosine_annealing(step, lr_max: float, lr_min: float, T_max: float) -> float:
    """``lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2``: the checker's reference."""
    return lr_min + (lr_max - lr_min) * (1.0 + math.cos(math.pi * step / T_max)) / 2.0


def reference_schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """deeplearning.ai's ``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``."""
    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))


# -- the usual mistakes, for the hints ----------------------------------------------------------
def _cosine_with(angle: Callable[[float, float], float], swap: bool = False, one_plus: float = 1.0,
                 halve: bool = True, trig: Callable = math.cos) -> Callable:
    """A wrong variant of the closed form: another angle or function, lr_min/lr_max swapped, no ``1 +``, no ``/ 2``."""

    def variant(step, lr_max, lr_min, T_max):
        high, low = (lr_min, lr_max) if swap else (lr_max, lr_min)
        factor = one_plus + trig(angle(step, T_max))
        return low + (high - low) * factor / (2.0 if halve else 1.0)

    return variant


_RIGHT_ANGLE = lambda step, T_max: math.pi * step / T_max  # noqa: E731 - a table of one-liners reads best

COSINE_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (_cosine_with(lambda s, T: 180.0 * s / T),
     "cos() takes radians: the angle is pi * step / T_max (math.pi or np.pi), not 180 * step / T_max."),
    (_cosine_with(lambda s, T: math.radians(math.pi * s / T)),
     "the angle pi * step / T_max is already in radians; do not convert it with radians()."),
    (_cosine_with(lambda s, T: s / T),
     "the angle is pi * step / T_max: without pi the cosine only covers 1/pi of its half period."),
    (_cosine_with(lambda s, T: 2.0 * math.pi * s / T),
     "the angle is pi * step / T_max, half a period over T_max steps; 2 pi goes down and back up."),
    (_cosine_with(_RIGHT_ANGLE, trig=math.sin),
     "that is sin, not cos: the factor is (1 + cos(pi * step / T_max)) / 2, which is 1 at step 0 "
     "(sin starts at 0, so your schedule starts halfway and comes back up)."),
    (_cosine_with(lambda s, T: math.pi * (s + 1) / T),
     "off by one: step 0 must give lr_max, so the angle is pi * step / T_max, not pi * (step + 1) / T_max."),
    (_cosine_with(lambda s, T: math.pi * (s - 1) / T),
     "off by one: the angle is pi * step / T_max, not pi * (step - 1) / T_max."),
    (_cosine_with(lambda s, T: math.pi * s / (T - 1)),
     "off by one: divide by T_max, not T_max - 1; lr_min is reached at step T_max itself."),
    (_cosine_with(lambda s, T: math.pi * s / (T + 1)),
     "off by one: divide by T_max, not T_max + 1; lr_min is reached at step T_max itself."),
    (_cosine_with(lambda s, T: math.pi * (s // T)),
     "floor division: step // T_max is 0 for every step below T_max; use true division, step / T_max."),
    (_cosine_with(lambda s, T: (math.pi * s) // T),
     "floor division: pi * step // T_max rounds the angle down to a whole number of radians; "
     "use true division, pi * step / T_max."),
    (_cosine_with(_RIGHT_ANGLE, swap=True),
     "lr_min and lr_max are swapped: the rate starts at lr_max (cos 0 = 1) and ends at lr_min."),
    (_cosine_with(_RIGHT_ANGLE, one_plus=0.0),
     "the factor is (1 + cos(...)) / 2, which runs from 1 to 0; cos(...) / 2 alone runs from 1/2 to -1/2."),
    (_cosine_with(_RIGHT_ANGLE, halve=False),
     "the factor is (1 + cos(...)) / 2, which runs from 1 to 0; without / 2 it runs from 2 to 0."),
    (lambda step, lr_max, lr_min, T_max: lr_max * (1.0 + math.cos(math.pi * step / T_max)) / 2.0,
     "the rate ends at lr_min, not 0: lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2."),
    (lambda step, lr_max, lr_min, T_max: lr_min + lr_max * (1.0 + math.cos(math.pi * step / T_max)) / 2.0,
     "multiply the cosine factor by the range (lr_max - lr_min), not by lr_max: at step 0 the rate must be "
     "exactly lr_max."),
)

INVERSE_TIME_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (lambda lr0, k, t: lr0 * k ** t,
     "that is exponential decay, lr0 * decay_rate ** epoch; inverse-time decay divides: lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 * math.exp(-k * t),
     "that is exponential decay, lr0 * exp(-decay_rate * epoch); inverse-time decay divides: "
     "lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k) * t,
     "brackets: lr0 / (1 + decay_rate) * epoch multiplies by epoch; write lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / 1.0 + k * t,
     "brackets: lr0 / 1 + decay_rate * epoch adds to the rate; write lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k * (t + 1)),
     "off by one: epoch 0 must give lr0, so use epoch, not epoch + 1."),
    (lambda lr0, k, t: lr0 * (1.0 - k * t),
     "that is linear decay, which reaches 0 and goes negative; inverse-time decay divides: "
     "lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 / (1.0 + k) ** t,
     "that is exponential decay with factor 1 / (1 + decay_rate); inverse-time decay is lr0 / (1 + decay_rate * epoch)."),
    (lambda lr0, k, t: lr0 // (1.0 + k * t),
     "floor division: lr0 // (1 + ...) rounds down to a whole number (0 for a rate below 1); use /."),
    (lambda lr0, k, t: lr0 / (1.0 + k * t) ** 2,
     "the denominator is not squared: lr0 / (1 + decay_rate * epoch)."),
)

SCHEDULE_LR_DECAY_MISTAKES: tuple[tuple[Callable, str], ...] = (
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * e / T),
     "no floor: the rate must stay flat for time_interval epochs and then drop, so floor the number of "
     "intervals: lr = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + math.floor(k * e / T)),
     "the floor goes around epoch_num / time_interval only (the number of whole intervals passed), not "
     "around decay_rate * epoch_num / time_interval: decay_rate * np.floor(epoch_num / time_interval)."),
    (lambda lr0, e, k, T=1000: lr0 / math.floor(1.0 + k * e / T),
     "the floor goes around epoch_num / time_interval only: "
     "learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * math.floor(e) / T),
     "the floor goes around the quotient epoch_num / time_interval, not around epoch_num: "
     "np.floor(epoch_num / time_interval)."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * e),
     "that is the plain inverse-time decay update_lr, decay_rate * epoch_num without the interval: here the "
     "epochs are counted in whole time_intervals, decay_rate * np.floor(epoch_num / time_interval)."),
    (lambda lr0, e, k, T=1000: lr0 * k ** math.floor(e / T),
     "that is exponential (step) decay, learning_rate0 * decay_rate ** floor(...); this schedule divides: "
     "learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."),
    (lambda lr0, e, k, T=1000: lr0 * math.exp(-k * math.floor(e / T)),
     "that is exponential decay, learning_rate0 * exp(-decay_rate * ...); this schedule divides: "
     "learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * math.ceil(e / T)),
     "round down, not up: np.floor(epoch_num / time_interval) (epochs 0 to time_interval - 1 keep learning_rate0)."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * round(e / T)),
     "round down, not to the nearest: np.floor(epoch_num / time_interval)."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + e * math.floor(k / T)),
     "decay_rate and epoch_num are swapped: the order is schedule_lr_decay(learning_rate0, epoch_num, "
     "decay_rate, time_interval=1000), deeplearning.ai's (nnopt.schedules.schedule_lr_decay takes them in "
     "that order too)."),
    (lambda lr0, e, k, T=1000: lr0 / (1.0 + k * math.floor(e / 1000)),
     "use the time_interval you are given, not a fixed 1000 (1000 is only its default value)."),
)


def _probe_and_match(student_fn, mistakes, probe_args, case_args, got: float, low: bool, fallback: str) -> str:
    """The hint of the first slip that reproduces the learner's value on ``case_args`` and every probe.

    The learner's function is called at ``probe_args`` (its failures there are ignored); a slip counts
    only when it differs from the right answer somewhere, so that it can be told apart.
    """
    observed = [(tuple(case_args), got)]
    for args in probe_args:
        try:
            value, _ = as_number(student_fn(*args))
        except (_Stop, Exception):  # noqa: BLE001 - a probe that fails only narrows the evidence
            continue
        observed.append((tuple(args), value))
    for variant, hint in mistakes:
        try:
            if all(close(value, float(variant(*args)), low) for args, value in observed):
                return hint
        except (ArithmeticError, ValueError, TypeError):
            continue
    return fallback


def _unmatched(what: str, formula: str) -> str:
    return (f"your value differs from the expected one for {what} and matches none of the usual slips; "
            f"work this case out by hand with {formula} and compare it with each step of your code.")


def _value(student_fn, args, name: str) -> tuple[float, bool]:
    got, low = as_number(student_fn(*args), f"the value of {name}",
                         hint=f"end {name} with `return ...`: one number computed from the arguments.")
    expect(math.isfinite(got), expected="a finite number", got=repr(got),
           hint="check for a division by zero or an overflow.")
    return got, low


# -- cosine annealing -----------------------------------------------------------------------------
COSINE_FORMULA = "lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / T_max)) / 2 (cos in radians)"


def _cosine_value(student_fn, step, lr_max, lr_min, T_max, expected: float, what: str) -> None:
    args = (step, lr_max, lr_min, T_max)
    got, low = _value(student_fn, args, "cosine_annealing")
    if close(got, expected, low, scale=lr_max):
        return
    probes = [(s, lr_max, lr_min, T_max) for s in sorted({0, T_max // 4, T_max // 3, T_max // 2, T_max})]
    hint = _probe_and_match(student_fn, COSINE_MISTAKES, probes, args, got, low,
                            _unmatched(f"step={step} (lr_max={lr_max}, lr_min={lr_min}, T_max={T_max})",
                                       COSINE_FORMULA))
    expect(False, expected=f"{expected:.10g} ({what})", got=f"{got:.10g} for cosine_annealing{args}", hint=hint)


def _cosine_point(step_fraction: float, what: str, lr_max: float = 0.1, lr_min: float = 0.001, T_max: int = 100):
    step = step_fraction * T_max
    step = int(step) if float(step).is_integer() else step
    # lr_min + (lr_max - lr_min) * (1 + cos(pi * fraction)) / 2, evaluated by hand for each case below
    by_hand = {0.0: lr_max, 0.5: (lr_max + lr_min) / 2, 1.0: lr_min,
               0.25: lr_min + (lr_max - lr_min) * (1 + math.sqrt(2) / 2) / 2}

    def run(student_fn) -> None:
        _cosine_value(student_fn, step, lr_max, lr_min, T_max, by_hand[step_fraction], what)

    return run


def _cosine_matches_scheduler(T_max: int, lr_max: float, lr_min: float):
    def run(student_fn) -> None:
        # the rates the scheduler sets at steps 0..T_max (its recursive form, as PyTorch's)
        expected = schedule_values(lambda optimizer: CosineAnnealingLR(optimizer, T_max=T_max, eta_min=lr_min),
                                   steps=T_max + 1, lr=lr_max)
        for step, value in enumerate(expected):
            _cosine_value(student_fn, step, lr_max, lr_min, T_max, float(value),
                          f"CosineAnnealingLR(T_max={T_max}, eta_min={lr_min}) at step {step}, base lr {lr_max}")

    return run


COSINE_CHECKS = (
    Check("step 0 gives lr_max (lr_max=0.1, lr_min=0.001, T_max=100)", _cosine_point(0.0, "lr_max at step 0")),
    Check("step T_max/2 gives the mean (lr_max + lr_min)/2", _cosine_point(0.5, "(0.1 + 0.001) / 2 at step 50")),
    Check("step T_max gives lr_min", _cosine_point(1.0, "lr_min at step T_max")),
    Check("step T_max/4 gives lr_min + (lr_max - lr_min)(1 + √2/2)/2",
          _cosine_point(0.25, "0.001 + 0.099 * (1 + sqrt(2)/2) / 2 at step 25")),
    Check("matches CosineAnnealingLR(T_max=10, eta_min=0) at steps 0-10", _cosine_matches_scheduler(10, 0.05, 0.0)),
    Check("matches CosineAnnealingLR(T_max=7, eta_min=0.002) at steps 0-7, odd T_max",
          _cosine_matches_scheduler(7, 0.3, 0.002)),
)


def check_cosine_annealing(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``cosine_annealing(step, lr_max, lr_min, T_max)`` on 6 cases.

    Four hand-computed values (step 0, T_max/4, T_max/2, T_max) and two full schedules compared
    with :class:`nnopt.schedules.CosineAnnealingLR` (the scheduler's recursive form equals the
    closed form up to rounding). Wrong answers and errors are reported with a hint, never raised;
    ``time_limit`` is the seconds each call may take (default 5).
    """
    return run_checks("cosine_annealing", student_fn, COSINE_CHECKS, checker="check_cosine_annealing",
                      time_limit=time_limit)


# -- inverse-time decay ---------------------------------------------------------------------------
INVERSE_TIME_FORMULA = "lr = lr0 / (1 + decay_rate * epoch)"


def _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected: float, what: str) -> None:
    args = (lr0, decay_rate, epoch)
    got, low = _value(student_fn, args, "inverse_time_decay")
    if close(got, expected, low, scale=lr0):
        return
    probes = [(lr0, decay_rate, e) for e in (0, 1, 2, 5, 10)] + [(lr0, 0.25, e) for e in (1, 4)]
    hint = _probe_and_match(student_fn, INVERSE_TIME_MISTAKES, probes, args, got, low,
                            _unmatched(f"inverse_time_decay{args}", INVERSE_TIME_FORMULA))
    expect(False, expected=f"{expected:.10g} ({what})", got=f"{got:.10g} for inverse_time_decay{args}", hint=hint)


def _inverse_time_point(lr0, decay_rate, epoch, expected, what):
    def run(student_fn) -> None:
        _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected, what)
    return run


def _inverse_time_matches_reference(student_fn) -> None:
    lr0, decay_rate = 0.2, 0.3
    for epoch in range(21):
        expected = reference_inverse_time_decay(lr0, decay_rate, epoch)
        _inverse_time_value(student_fn, lr0, decay_rate, epoch, expected,
                            f"nnopt.schedules.inverse_time_decay at epoch {epoch}")


ARRAY_HINT = ("use plain arithmetic (+, *, /), which works element by element on a NumPy array; "
              "math.* functions and if-statements on epoch accept only single numbers.")


def _expect_on_arrays(call: Callable[[], object], expected: np.ndarray, shown_call: str, epochs_text: str,
                      hint: str) -> None:
    """The learner's schedule evaluated on an array of epochs must give ``expected`` element by element."""
    expected_text = f"an array {np.round(expected, 4).tolist()} for {epochs_text}"
    try:
        answer = call()
    except _Stop as stop:  # the usual cause: math.* or an if-statement on the epoch; say so
        if stop.kind != "raised":
            raise
        expect(False, expected=expected_text, got=f"your code raised {stop.text}", hint=hint)
    got, low = as_array(answer, shown_call, hint=hint)
    expect(got.shape == expected.shape and close(got, expected, low),
           expected=expected_text, got=f"{np.round(got, 4).tolist()}", hint=hint)


def _inverse_time_on_arrays(student_fn) -> None:
    epochs = np.arange(6)
    expected = 0.5 / (1 + 1.0 * epochs)  # 0.5, 0.25, 0.1667, 0.125, 0.1, 0.0833
    _expect_on_arrays(lambda: student_fn(0.5, 1.0, epochs), expected, "inverse_time_decay(0.5, 1.0, np.arange(6))",
                      "epoch = np.arange(6)", ARRAY_HINT)


INVERSE_TIME_CHECKS = (
    Check("epoch 0 gives lr0", _inverse_time_point(0.5, 1.0, 0, 0.5, "lr0 = 0.5 at epoch 0")),
    Check("lr0=0.5, decay_rate=1, epoch=3 gives 0.5 / (1 + 1 * 3) = 0.125",
          _inverse_time_point(0.5, 1.0, 3, 0.125, "0.5 / (1 + 3)")),
    Check("lr0=0.1, decay_rate=0.5, epoch=4 gives 0.1 / (1 + 0.5 * 4) = 0.0333",
          _inverse_time_point(0.1, 0.5, 4, 0.1 / 3, "0.1 / 3")),
    Check("decay_rate=0 keeps the rate constant", _inverse_time_point(0.2, 0.0, 7, 0.2, "lr0 = 0.2 at every epoch")),
    Check("matches nnopt.schedules.inverse_time_decay at epochs 0-20", _inverse_time_matches_reference),
    Check("works on an array of epochs (for plotting a whole schedule)", _inverse_time_on_arrays),
)


def check_inverse_time_decay(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``inverse_time_decay(lr0, decay_rate, epoch)`` on 6 cases.

    Hand-computed values, the whole schedule against :func:`nnopt.schedules.inverse_time_decay`
    and an array of epochs. Wrong answers and errors are reported with a hint, never raised.
    """
    return run_checks("inverse_time_decay", student_fn, INVERSE_TIME_CHECKS, checker="check_inverse_time_decay",
                      time_limit=time_limit)


# -- deeplearning.ai's fixed-interval decay -------------------------------------------------------
LR_DECAY_FORMULA = "lr = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))"
_OLD_ORDER_NAMES = {"decay_rate", "k", "rate", "decay"}


def _order_hint(student_fn) -> str:
    """A hint when the learner's parameters are named in another order than deeplearning.ai's."""
    names = signature_names(student_fn)
    if len(names) >= 3 and names[1] in _OLD_ORDER_NAMES:
        return (f"your parameters are ({', '.join(names[:4])}): the checker calls your function in "
                "deeplearning.ai's order, schedule_lr_decay(learning_rate0, epoch_num, decay_rate, "
                "time_interval=1000), with the epoch second and decay_rate third.")
    return ""


def _lr_decay_value(student_fn, args: tuple, kwargs: dict, expected: float, what: str) -> None:
    shown = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])
    got, low = _value(lambda *a: student_fn(*a, **kwargs), args, "schedule_lr_decay")
    if close(got, expected, low, scale=args[0]):
        return
    T = kwargs.get("time_interval", args[3] if len(args) > 3 else 1000)
    lr0, _, k = args[:3]
    call = lambda *a: student_fn(*a[:3], time_interval=T)  # noqa: E731
    # probes at the case's decay_rate and at a second one, so that slips which agree at one rate
    # (at decay_rate = 1, exponential decay is flat, like a fixed interval of 1000) come apart
    other_k = 0.5 if k != 0.5 else 0.25
    epochs = (0, T // 2, T, (3 * T) // 2, 2 * T, (5 * T) // 2) + ((1000, 2500) if T != 1000 else ())
    probes = [(lr0, e, rate) for rate in (k, other_k) for e in epochs]
    hint = _order_hint(student_fn) or _probe_and_match(
        call, [(lambda *a, f=f: f(*a, T), h) for f, h in SCHEDULE_LR_DECAY_MISTAKES],
        probes, args[:3], got, low, _unmatched(f"schedule_lr_decay({shown})", LR_DECAY_FORMULA))
    expect(False, expected=f"{expected:.10g} ({what})", got=f"{got:.10g} for schedule_lr_decay({shown})", hint=hint)


def _lr_decay_point(args, kwargs, what):
    expected = float(reference_schedule_lr_decay(*args, **kwargs))

    def run(student_fn) -> None:
        _lr_decay_value(student_fn, args, kwargs, expected, what)
    return run


def _lr_decay_matches_nnopt(student_fn) -> None:
    for epoch in range(0, 51):
        expected = float(nnopt_schedule_lr_decay(0.2, epoch, 0.5, time_interval=10))
        _lr_decay_value(student_fn, (0.2, epoch, 0.5), {"time_interval": 10}, expected,
                        f"nnopt.schedules.schedule_lr_decay at epoch {epoch}")


def _lr_decay_on_arrays(student_fn) -> None:
    epochs = np.arange(0, 50, 5)
    _expect_on_arrays(lambda: student_fn(0.5, epochs, 0.3, time_interval=10),
                      reference_schedule_lr_decay(0.5, epochs, 0.3, time_interval=10),
                      "schedule_lr_decay(0.5, np.arange(0, 50, 5), 0.3, time_interval=10)",
                      "epoch_num = np.arange(0, 50, 5)",
                      "use np.floor, which works element by element on a NumPy array (math.floor, int() and "
                      "// on a float accept single numbers, or give a float where the floor is needed).")


LR_DECAY_CHECKS = (
    Check("epoch 0 gives learning_rate0 (0.5, epoch_num=0, decay_rate=0.3)",
          _lr_decay_point((0.5, 0, 0.3), {}, "learning_rate0 at epoch 0")),
    Check("flat within the first interval: epoch 999 of the default time_interval=1000 still gives 0.5",
          _lr_decay_point((0.5, 999, 0.3), {}, "floor(999 / 1000) = 0")),
    Check("epoch 2500, decay_rate=0.3, default interval: 0.5 / (1 + 0.3 * 2) = 0.3125",
          _lr_decay_point((0.5, 2500, 0.3), {}, "0.5 / (1 + 0.3 * floor(2.5))")),
    Check("time_interval=10 by keyword: epoch 25 gives 0.1 / (1 + 1 * 2) = 0.0333",
          _lr_decay_point((0.1, 25, 1.0), {"time_interval": 10}, "0.1 / (1 + 1 * floor(25 / 10))")),
    Check("time_interval as the 4th positional argument: (0.1, 35, 1.0, 10) gives 0.1 / 4 = 0.025",
          _lr_decay_point((0.1, 35, 1.0, 10), {}, "0.1 / (1 + 1 * floor(35 / 10))")),
    Check("matches nnopt.schedules.schedule_lr_decay at epochs 0-50 (time_interval=10)", _lr_decay_matches_nnopt),
    Check("works on an array of epochs (0, 5, ..., 45 with time_interval=10)", _lr_decay_on_arrays),
)


def check_schedule_lr_decay(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check deeplearning.ai's ``schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000)``.

    The rate is ``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``: flat for
    ``time_interval`` epochs, then one step down. Seven cases: epoch 0, the end of the first
    interval, a later interval, ``time_interval`` by keyword and by position, epochs 0-50
    against :func:`nnopt.schedules.schedule_lr_decay`, and an array of epochs. Hints name the usual slips (no floor, the
    floor around the wrong thing, decay_rate * epoch without the interval, exponential decay, the
    arguments in another order). Never raises.
    """
    return run_checks("schedule_lr_decay", student_fn, LR_DECAY_CHECKS, checker="check_schedule_lr_decay",
                      time_limit=time_limit)
