"""Automatic, friendly feedback on the notebooks' exercises.

Each checker takes the learner's function, runs it on several cases and returns an
``ExerciseResult`` that shows as "✓ passed 7/7" or as the first failing case with a hint.
Checkers never raise on wrong answers, and every checker takes ``time_limit=`` (seconds per
call of the learner's code, default 5). New checkers are built from ``Check`` and
``run_checks`` (see ``nnopt.exercises.feedback``), one module per notebook:

- notebook 1, ``check_minibatches(fn)``: ``minibatches(X, y, batch_size, rng)``
- notebook 2, ``check_ewa(fn)``: ``ewa(series, beta, bias_correction=True)``
- notebook 3, ``check_momentum_step(fn)``: one step of the course's momentum
- notebook 4, ``check_rmsprop_step(fn)``: one RMSProp step (PyTorch's form)
- notebook 5, ``check_adam_step(fn)``: one Adam step (PyTorch's form)
- notebook 6, ``check_cosine_annealing(fn)``, ``check_inverse_time_decay(fn)``,
  ``check_schedule_lr_decay(fn)``: schedules
- notebook 7, ``check_clip_by_global_norm(fn)``: gradient clipping by the global norm
- notebook 8, ``check_make_optimizer(fn)``: pick an optimizer that trains the digits network

The policy every checker follows, and every exercise states (``POLICY``):

"""
from __future__ import annotations

from .adam import check_adam_step
from .clipping import check_clip_by_global_norm
from .comparison import check_make_optimizer
from .ewa import check_ewa
from .feedback import (
    DEFAULT_TIME_LIMIT,
    POLICY,
    Check,
    CheckOutcome,
    ExerciseResult,
    Mismatch,
    as_array,
    as_number,
    close,
    expect,
    run_checks,
)
from .minibatches import check_minibatches
from .momentum import check_momentum_step
from .rmsprop import check_rmsprop_step
from .schedules import check_cosine_annealing, check_inverse_time_decay, check_schedule_lr_decay

__doc__ += "> " + POLICY + "\n\n" + """On Linux each checker runs in a child process forked from the kernel and killed when
a call overruns its limit, so ``os._exit()``, a crash, a swallowed time-out or an allocation
bomb fail the check without touching the kernel (``nnopt.exercises.isolation``;
``NNOPT_CHECKER_INPROCESS=1`` checks in the kernel's own process). Set ``NNOPT_GRADING_LOG`` to a file name to have every
checker append one JSON line with its verdict (see ``nnopt.exercises.feedback``).
"""

__all__ = [
    "check_minibatches", "check_ewa", "check_momentum_step", "check_rmsprop_step", "check_adam_step",
    "check_cosine_annealing", "check_inverse_time_decay", "check_schedule_lr_decay",
    "check_clip_by_global_norm", "check_make_optimizer",
    "POLICY", "DEFAULT_TIME_LIMIT",
    "Check", "CheckOutcome", "ExerciseResult", "Mismatch", "expect", "run_checks", "close", "as_array", "as_number",
]
