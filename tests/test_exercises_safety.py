"""Hostile learner code: every checker returns promptly with a failed verdict, never raises or exits."""
from __future__ import annotations

import json
import sys
import time

import pytest

from nnopt import exercises as E

CHECKERS = [E.check_minibatches, E.check_ewa, E.check_momentum_step, E.check_rmsprop_step, E.check_adam_step,
            E.check_cosine_annealing, E.check_inverse_time_decay, E.check_schedule_lr_decay,
            E.check_clip_by_global_norm, E.check_make_optimizer]


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")

    def __repr__(self):
        raise RuntimeError("no repr either")


def loops_for_ever(*args, **kwargs):
    while True:
        pass


def forgets_to_advance(*args, **kwargs):
    total, i = 0.0, 0
    while i < 10:
        total += 1.0  # i never grows
    return total


def exits(*args, **kwargs):
    sys.exit(3)


def raises_system_exit(*args, **kwargs):
    raise SystemExit("bye")


def raises_unprintable(*args, **kwargs):
    raise Unprintable()


def floods_the_output(*args, **kwargs):
    for i in range(10_000):
        print("line", i)
    raise ValueError("after the flood")


# Not in the table: a loop that swallows the time-out itself (`while True: try: ... except BaseException:
# pass`) still hangs the in-process checker; only the grader (a separate kernel with a cell time-out) stops it.
HOSTILE = [loops_for_ever, forgets_to_advance, exits, raises_system_exit, raises_unprintable, floods_the_output]


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", HOSTILE, ids=lambda a: a.__name__)
def test_hostile_answers_fail_promptly_without_raising(checker, answer, capsys):
    started = time.perf_counter()
    result = checker(answer, time_limit=0.3)
    elapsed = time.perf_counter() - started
    assert not result.passed
    assert elapsed < 5.0, f"{checker.__name__} took {elapsed:.1f} s on {answer.__name__}"
    text = str(result)
    assert len(text) < 5_000  # a flood of learner output is shortened, not shown whole
    if answer in (loops_for_ever, forgets_to_advance):
        assert "longer than" in text or "endless loop" in text, text
    if answer in (exits, raises_system_exit):
        assert "SystemExit" in text or "sys.exit" in text, text
    assert len(capsys.readouterr().out) < 5_000


def test_the_grading_log_gets_one_json_line_per_checker_call(tmp_path, monkeypatch):
    log = tmp_path / "grades.jsonl"
    monkeypatch.setenv("NNOPT_GRADING_LOG", str(log))
    E.check_momentum_step(exits, time_limit=0.3)
    from nnopt.exercises.momentum import reference_momentum_step
    E.check_momentum_step(reference_momentum_step)
    first, second = (json.loads(line) for line in log.read_text().splitlines())
    assert first["checker"] == "check_momentum_step" and first["passed"] is False and first["first_failure"]
    assert second["passed"] is True and second["n_passed"] == second["n_checks"] > 0 and second["first_failure"] == ""


def test_dlai_fixed_interval_decay_checker_accepts_the_formula_and_names_the_slips():
    import math

    def right(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))

    def no_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)

    assert E.check_schedule_lr_decay(right).passed
    wrong = E.check_schedule_lr_decay(no_floor)
    assert not wrong.passed and "floor" in wrong.failures[0].hint
