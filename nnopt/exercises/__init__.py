"""Automatic, friendly feedback on the notebooks' exercises.

Each checker takes the learner's function, runs it on several cases and returns an
``ExerciseResult`` that shows as "✓ passed 7/7" or as the first failing case with a hint.
Checkers never raise on wrong answers. New checkers are built from ``Check`` and ``run_checks``
(see ``nnopt.exercises.feedback``), one module per topic.

- ``check_minibatches(fn)``: the learner's ``minibatches(X, y, batch_size, rng)``.
"""
from __future__ import annotations

from .feedback import Check, CheckOutcome, ExerciseResult, Mismatch, expect, run_checks
from .minibatches import check_minibatches

__all__ = ["check_minibatches", "Check", "CheckOutcome", "ExerciseResult", "Mismatch", "expect", "run_checks"]
