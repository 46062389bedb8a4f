"""A small framework for checking a learner's code and giving friendly feedback in a notebook.

An exercise checker is a list of ``Check`` objects, each a name and a function that calls the
learner's code on one case and raises ``Mismatch(expected, got, hint)`` if the answer is wrong.
``run_checks`` runs them all and returns an ``ExerciseResult``, which a notebook displays as
"✓ passed 7/7", or as the score with the first failing case spelled out (what was expected,
what came back, and a hint). Nothing a learner writes makes the checker raise: wrong answers
and exceptions from the learner's code both become a failed check whose message says what
happened. Adding a checker for a new exercise::

    def _returns_three(fn):
        expect(fn() == 3, expected=3, got=fn(), hint="return the number, do not print it")

    def check_three(student_fn):
        return run_checks("three", student_fn, [Check("returns 3", _returns_three)])
"""
from __future__ import annotations

import html
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Mismatch", "expect", "Check", "CheckOutcome", "ExerciseResult", "run_checks"]

_EXERCISES_DIR = Path(__file__).resolve().parent
#: The name of the single outcome reported for a stub that still raises NotImplementedError.
NOT_IMPLEMENTED = "not implemented yet"


class Mismatch(Exception):
    """Raised inside a check when the learner's answer is wrong (never escapes ``run_checks``)."""

    def __init__(self, expected, got, hint: str = ""):
        self.expected, self.got, self.hint = expected, got, hint
        super().__init__(f"expected {expected}, got {got}")


def expect(condition: bool, expected, got, hint: str = "") -> None:
    """Raise ``Mismatch(expected, got, hint)`` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(expected, got, hint)


@dataclass(frozen=True)
class Check:
    """One case of an exercise: ``run(student_fn)`` raises ``Mismatch`` when the answer is wrong."""

    name: str
    run: Callable[[Callable], None]


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one ``Check``: ``passed``, and for a failure ``expected``/``got``/``hint`` or ``error``."""

    name: str
    passed: bool
    expected: str = ""
    got: str = ""
    hint: str = ""
    error: str = ""  # "ValueError: ... (line 4: `...`)" when the learner's code raised

    def describe(self) -> str:
        """Several lines saying what went wrong (empty for a passed check)."""
        if self.passed:
            return ""
        lines = [f"✗ {self.name}"]
        if self.error:
            lines.append(f"  your code raised {self.error}")
        else:
            lines.append(f"  expected: {self.expected}")
            lines.append(f"  got:      {self.got}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ExerciseResult:
    """All outcomes of one exercise. ``passed`` is True when every check passed.

    Displayed in a notebook (``_repr_html_``) or printed (``str``) as a one-line score, plus,
    when something failed, the first failing case in detail and the names of the other failures.
    """

    exercise: str
    outcomes: tuple[CheckOutcome, ...]

    @property
    def passed(self) -> bool:
        return all(outcome.passed for outcome in self.outcomes)

    @property
    def n_passed(self) -> int:
        return sum(outcome.passed for outcome in self.outcomes)

    @property
    def n_checks(self) -> int:
        return len(self.outcomes)

    @property
    def failures(self) -> tuple[CheckOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.passed)

    def summary(self) -> str:
        if self.failures and self.failures[0].name == NOT_IMPLEMENTED:
            return f"… {self.exercise}: {NOT_IMPLEMENTED}"
        mark = "✓" if self.passed else "✗"
        return f"{mark} {self.exercise}: passed {self.n_passed}/{self.n_checks}"

    def __str__(self) -> str:
        if self.passed:
            return self.summary() + " — well done!"
        first, *others = self.failures
        lines = [self.summary(), "", first.describe()]
        if others:
            lines += ["", "Also failing (fix the one above first, it may be the cause):"]
            lines += [f"  ✗ {outcome.name}" for outcome in others]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else "#cf222e"
        return (
            f'<pre style="border-left: 4px solid {color}; padding: 0.4em 0.8em; '
            f'white-space: pre-wrap">{html.escape(str(self))}</pre>'
        )


def _student_location(exc: BaseException) -> str:
    """``line N: `source``` of the innermost frame that is not in this package nor in numpy."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
              if not Path(frame.filename).resolve().is_relative_to(_EXERCISES_DIR)]
    ours = [frame for frame in frames if "numpy" not in Path(frame.filename).parts]
    if not ours:
        return ""
    frame = ours[-1]
    source = f": `{frame.line.strip()}`" if frame.line else ""
    return f" (line {frame.lineno}{source})"


def _short(value, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run_checks(exercise: str, student_fn, checks: Sequence[Check]) -> ExerciseResult:
    """Run every check on ``student_fn`` and collect the outcomes; never raises on wrong code.

    ``Mismatch`` becomes a failed outcome with expected/got/hint; any other ``Exception``
    (raised by the learner's code) becomes a failed outcome naming the exception and the line.
    """
    if not callable(student_fn):
        outcome = CheckOutcome(
            name="the answer is a function",
            passed=False,
            expected="a function, e.g. check(my_function)",
            got=f"{_short(repr(student_fn), 80)} ({type(student_fn).__name__})",
            hint="pass the function itself, without calling it: no parentheses after its name.",
        )
        return ExerciseResult(exercise, (outcome,))
    outcomes = []
    for check in checks:
        try:
            check.run(student_fn)
        except Mismatch as mismatch:
            outcomes.append(CheckOutcome(check.name, False, _short(mismatch.expected),
                                         _short(mismatch.got), mismatch.hint))
        except NotImplementedError as exc:  # the stub as handed out: one friendly line, not every check
            error = f"NotImplementedError: {_short(exc, 200)}{_student_location(exc)}"
            hint = "this is the exercise's starting point: replace the `raise` line with your code, then run the cell again."
            return ExerciseResult(exercise, (CheckOutcome(NOT_IMPLEMENTED, False, error=error, hint=hint),))
        except Exception as exc:  # the learner's code failed: report it, do not raise
            error = f"{type(exc).__name__}: {_short(exc, 200)}{_student_location(exc)}"
            outcomes.append(CheckOutcome(check.name, False, error=error,
                                         hint="read the error message; the line shown is where it happened."))
        else:
            outcomes.append(CheckOutcome(check.name, True))
    return ExerciseResult(exercise, tuple(outcomes))
