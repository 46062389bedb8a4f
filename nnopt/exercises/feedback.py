"""A small framework for checking a learner's code and giving friendly feedback in a notebook.

An exercise checker is a list of ``Check`` objects, each a name and a function that calls the
learner's code on one case and raises ``Mismatch(expected, got, hint)`` if the answer is wrong.
``run_checks`` runs them all and returns an ``ExerciseResult``, which a notebook displays as
"✓ passed 7/7", or as the score with the first failing case spelled out (what was expected,
what came back, and a hint). Adding a checker for a new exercise::

    def _returns_three(fn):
        got = as_number(fn(), "the answer")
        expect(close(got, 3.0), expected=3, got=got, hint="return the number, do not print it")

    def check_three(student_fn, *, time_limit=None):
        return run_checks("three", student_fn, [Check("returns 3", _returns_three)],
                          checker="check_three", time_limit=time_limit)

The course-wide policy (:data:`POLICY`) is implemented here, once:

- **Safe calls.** Inside a check, ``student_fn`` is a proxy: every call of the learner's code
  (and every conversion of what it returned, :func:`as_array`, :func:`as_number`,
  :func:`read_answer`) runs under a time limit (:data:`DEFAULT_TIME_LIMIT` seconds per call,
  ``time_limit=`` or the environment variable ``NNOPT_CHECK_TIME_LIMIT`` to change it), with
  its printed output captured. In the main thread on Unix the limit is a ``SIGALRM`` timer
  (``signal.setitimer``), which interrupts Python loops inside a Jupyter kernel too; elsewhere
  (another thread, Windows) a watchdog thread raises the timeout in the calling thread with
  ``PyThreadState_SetAsyncExc``. A learner's bare ``except:`` that swallows the timeout does
  not keep it from stopping the call: the timeout is raised again every few milliseconds, and
  from every new line the learner's code runs, until it leaves the learner's code.
- **Every exception is a verdict.** ``Exception``, ``SystemExit`` (``sys.exit()``),
  ``GeneratorExit`` and a ``KeyboardInterrupt`` *raised by the learner's code* become a failed
  check with a reason. A real Ctrl+C (the kernel's "interrupt", a ``SIGINT``) received while
  the learner's code runs is not swallowed: it stops the checker, as the user asked.
  Exceptions are described without trusting their ``__str__`` (it is called under the same
  guard, and a failure is reported as such). An error while the *checker* reads the answer
  is reported as "the checker could not read your answer: …", never as "your code raised".
- **A separate process.** On Linux (see :mod:`nnopt.exercises.isolation`) ``run_checks`` runs
  all of this in a child forked from the kernel, and the kernel kills the child when a call
  overruns its limit by a short grace: code that swallows the timeout on every line, switches
  ``SIGALRM`` off or blocks in C is stopped all the same ("your function took longer than
  5 s: an endless loop? ... so the checker stopped it"), and ``os._exit()``, a crash of the
  interpreter (``SIGSEGV``) or an allocation beyond 2 GB more than the kernel had become failed
  checks too, with the checks before them kept. A correct answer pays about 10 ms for the fork.
  ``NNOPT_CHECKER_INPROCESS=1`` (and Windows, and macOS unless ``NNOPT_CHECKER_INPROCESS=0``)
  keeps the in-process guard alone; there ``os._exit()`` and crashes cannot be caught, and the
  grader (``course.py grade``, a separate kernel per notebook) reports them.
- **Tolerance.** :func:`close` compares a float32 answer at relative 1e-4 and anything else at
  relative 1e-6, with an absolute floor of 1e-6 of that tolerance times the scale of the
  expected values (so an exact 0 matches a rounding residue of a computation of size 1).
- **Grading log.** After :func:`start_grading` (tools/grade.py calls it in the kernel), or when
  the environment variable ``NNOPT_GRADING_LOG`` names a file, every ``run_checks`` call appends
  one JSON line ``{"checker", "exercise", "passed", "n_passed", "n_checks", "first_failure",
  "token"}`` to it (never raising if the file cannot be written).
"""
from __future__ import annotations

import ctypes
import functools
import html
import io
import json
import math
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import isolation

__all__ = [
    "POLICY", "DEFAULT_TIME_LIMIT", "RTOL", "RTOL_FLOAT32",
    "Mismatch", "expect", "Check", "CheckOutcome", "ExerciseResult", "run_checks",
    "close", "tolerance_for", "as_array", "as_number", "read_answer", "call_learner", "run_learner",
    "describe_exception", "signature_names", "order_hint", "unstacked",
]

#: The checker policy every exercise's text states (the same in every notebook).
POLICY = (
    "**How the checker judges your answer** (the same in every notebook): it calls your function on "
    "several cases, each with its own fresh copies of the inputs, so changing them in place is allowed "
    "(return the result all the same). NumPy arrays, lists and Python floats are all accepted; a result "
    "computed in float32 is compared to float32 precision (relative 1e-4), otherwise to relative 1e-6. "
    "Each call has 5 seconds; an endless loop, `sys.exit()` or a crash becomes a failed check with a "
    "reason, never a hung or stopped kernel. Hints name the usual slips, including the deeplearning.ai, "
    "PyTorch and Keras conventions."
)

#: Seconds each call of the learner's code may take (``time_limit=`` or ``NNOPT_CHECK_TIME_LIMIT`` to change).
DEFAULT_TIME_LIMIT = 5.0
#: Relative tolerances of :func:`close`: float64 (and anything not float32) answers, float32 answers.
RTOL, RTOL_FLOAT32 = 1e-6, 1e-4
#: The absolute floor is this fraction of ``rtol * scale`` (the largest expected magnitude).
ATOL_FRACTION = 1e-6
#: How many printed lines of the learner's code a result shows (the rest are counted).
SHOWN_OUTPUT_LINES = 6

_EXERCISES_DIR = Path(__file__).resolve().parent
#: The name of the single outcome reported for a stub that still raises NotImplementedError.
NOT_IMPLEMENTED = "not implemented yet"
_REFIRE = 0.02  # seconds between repeated timeouts when the learner's code swallows one


# ---------- verdicts ----------

class Mismatch(Exception):
    """Raised inside a check when the learner's answer is wrong (never escapes ``run_checks``)."""

    def __init__(self, expected, got, hint: str = ""):
        self.expected, self.got, self.hint = expected, got, hint
        super().__init__("the answer differs from the expected one")


def expect(condition: bool, expected, got, hint: str = "") -> None:
    """Raise ``Mismatch(expected, got, hint)`` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(expected, got, hint)


class _Stop(BaseException):
    """The learner's code (or reading its answer) did not finish normally; ``kind`` says how.

    A ``BaseException``, so that no ``except Exception`` in a check can swallow it.
    kinds: "raised", "exit", "timeout", "unreadable", "not_implemented".
    """

    def __init__(self, kind: str, text: str, hint: str = ""):
        super().__init__(text)
        self.kind, self.text, self.hint = kind, text, hint


class _Timeout(BaseException):
    """Raised into the learner's code when its time is up."""


# ---------- describing exceptions without trusting them ----------

def _short(value, limit: int = 300) -> str:
    text = value if isinstance(value, str) else _safe_str(value)
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_str(value, limit: int = 300) -> str:
    """``str(value)``, or a note when ``__str__`` raised, looped or returned something odd.

    A type whose ``__str__`` ran out of time once in a ``run_checks`` is not asked again there
    (each check would wait as long again).
    """
    slow = getattr(_local, "slow_str_types", None)
    kind = type(value)
    if slow is not None and kind in slow:
        return f"<{_type_name(value)} object; its __str__ failed: it took too long>"
    try:
        text = _guarded(lambda: str(value), "str", min(1.0, _current_limit()))
    except _Stop as stop:
        if stop.kind == "timeout" and slow is not None:
            slow.add(kind)
        failure = stop.text.split(":")[0].split(" (line")[0]
        return f"<{_type_name(value)} object; its __str__ failed: {_short(failure, 80)}>"
    if not isinstance(text, str):
        return f"<{_type_name(value)} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value) -> str:
    try:
        name = type(value).__name__
        return name if isinstance(name, str) else "object"
    except BaseException:  # noqa: BLE001 - a hostile metaclass
        return "object"


def _student_location(exc: BaseException) -> str:
    """``line N: `source``` of the innermost frame that is not in this package nor in numpy."""
    try:
        frames = [frame for frame in traceback.extract_tb(exc.__traceback__)
                  if not _in_this_package(frame.filename)]
    except Exception:  # noqa: BLE001 - a traceback we cannot read
        return ""
    ours = [frame for frame in frames if "numpy" not in Path(frame.filename).parts]
    if not ours:
        return ""
    frame = ours[-1]
    source = f": `{_short(frame.line.strip(), 120)}`" if frame.line else ""
    return f" (line {frame.lineno}{source})"


def describe_exception(exc: BaseException) -> str:
    """``"ValueError: message (line 4: `source`)"``, safe for exceptions whose ``__str__`` raises."""
    message = _short(_safe_str(exc, 200), 200)
    return f"{_type_name(exc)}{': ' + message if message else ''}{_student_location(exc)}"


# ---------- the time limit ----------

def _env_time_limit() -> float:
    try:
        value = float(os.environ.get("NNOPT_CHECK_TIME_LIMIT", DEFAULT_TIME_LIMIT))
    except ValueError:
        return DEFAULT_TIME_LIMIT
    return value if value > 0 and math.isfinite(value) else DEFAULT_TIME_LIMIT


class _Clock:
    """The deadlines of the guarded regions open in one thread, innermost last."""

    def __init__(self) -> None:
        self.deadlines: list[float] = []
        self.regions: list[tuple[str, float]] = []  # (role, limit) of each deadline, for the parent
        self.expired = False          # the innermost deadline has passed: keep raising
        self.user_interrupt = False   # a real SIGINT arrived while a region was open
        self.mode = ""                # "signal" or "thread"
        self.saved: tuple = ()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread_id = 0
        self.watchdog: threading.Thread | None = None
        self.saved_trace = None


_local = threading.local()
_main_clock: _Clock | None = None


def _clock() -> _Clock:
    clock = getattr(_local, "clock", None)
    if clock is None:
        clock = _local.clock = _Clock()
    return clock


def _current_limit() -> float:
    limit = getattr(_local, "time_limit", None)
    return limit if limit else _env_time_limit()


def _learner_frame(frame) -> bool:
    try:
        return not _in_this_package(frame.f_code.co_filename)
    except Exception:  # noqa: BLE001
        return True


@functools.lru_cache(maxsize=512)
def _in_this_package(filename: str) -> bool:
    """The file is one of the checkers' own (cached: a deep traceback repeats a few files a thousand times)."""
    try:
        return Path(filename).resolve().is_relative_to(_EXERCISES_DIR)
    except (OSError, ValueError, RuntimeError):
        return False


def _raising_tracer(frame, event, arg):
    """Installed once a deadline passed: every new line of the learner's code raises the timeout again."""
    clock = _clock()
    if clock.expired and _learner_frame(frame) and event in ("line", "call"):
        raise _Timeout()
    return _raising_tracer


def _arm_tracer(frame) -> None:
    clock = _clock()
    if clock.saved_trace is None:
        clock.saved_trace = (sys.gettrace(),)
    sys.settrace(_raising_tracer)
    while frame is not None:
        if _learner_frame(frame):
            frame.f_trace_lines = True
            frame.f_trace = _raising_tracer
        frame = frame.f_back


def _disarm_tracer() -> None:
    clock = _clock()
    if clock.saved_trace is not None:
        sys.settrace(clock.saved_trace[0])
        clock.saved_trace = None


def _on_alarm(signum, frame) -> None:
    clock = _main_clock
    if clock is None or not clock.deadlines:
        return
    remaining = clock.deadlines[-1] - time.monotonic()
    if remaining > 1e-3 and not clock.expired:
        signal.setitimer(signal.ITIMER_REAL, remaining)
        return
    clock.expired = True
    signal.setitimer(signal.ITIMER_REAL, _REFIRE)  # again soon, in case the learner swallows this one
    _arm_tracer(frame)
    raise _Timeout()


def _on_sigint(signum, frame) -> None:
    clock = _main_clock
    if clock is not None:
        clock.user_interrupt = True
    previous = clock.saved[1] if clock is not None and clock.saved else signal.default_int_handler
    if callable(previous):
        previous(signum, frame)
    raise KeyboardInterrupt


def _watchdog(clock: _Clock) -> None:
    """Thread mode: raise the timeout in the guarded thread when its innermost deadline passes."""
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    while True:
        with clock.lock:
            if not clock.deadlines:
                return
            remaining = clock.deadlines[-1] - time.monotonic()
            if remaining <= 0:
                clock.expired = True
                set_async(ctypes.c_ulong(clock.thread_id), ctypes.py_object(_Timeout))
                remaining = _REFIRE
        clock.wake.wait(remaining)
        clock.wake.clear()


def _tell_parent(clock: _Clock) -> None:
    """In a forked checker (:mod:`.isolation`), send the innermost deadline to the parent, which enforces it."""
    if isolation.in_child() and clock is _main_clock:
        role, limit = clock.regions[-1] if clock.regions else ("", 0.0)
        isolation.set_deadline(clock.deadlines[-1] if clock.deadlines else None, role, limit)


def _open_region(limit: float, role: str = "") -> tuple[str, float]:
    """Push a deadline (at most the enclosing one) and arm the timer.

    Returns the ``(role, limit)`` whose deadline the timer now keeps: this region's own, or the
    enclosing region's when that one ends first (a call late in a case runs out of the case's time,
    not of its own 5 s, and the message must say so).
    """
    clock = _clock()
    now = time.monotonic()
    deadline = now + limit
    keeper = (role, limit)
    if clock.deadlines:
        if clock.deadlines[-1] < deadline:
            deadline = clock.deadlines[-1]
            keeper = clock.regions[-1] if clock.regions else keeper
    else:
        clock.expired = clock.user_interrupt = False
        use_signal = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread())
        clock.mode = "signal" if use_signal else "thread"
        if use_signal:
            global _main_clock
            _main_clock = clock
            old_alarm = signal.signal(signal.SIGALRM, _on_alarm)
            old_int = signal.getsignal(signal.SIGINT)
            try:
                signal.signal(signal.SIGINT, _on_sigint)
            except (ValueError, TypeError):
                old_int = None
            old_timer = signal.getitimer(signal.ITIMER_REAL)
            clock.saved = (old_alarm, old_int, old_timer, now)
        else:
            clock.thread_id = threading.get_ident()
            clock.saved = ()
    with clock.lock:
        clock.deadlines.append(deadline)
        clock.regions.append(keeper)
    _tell_parent(clock)
    _arm(clock)
    return keeper


def _arm(clock: _Clock) -> None:
    if not clock.deadlines:
        return
    remaining = max(clock.deadlines[-1] - time.monotonic(), 1e-4)
    if clock.mode == "signal":
        signal.setitimer(signal.ITIMER_REAL, remaining)
    elif clock.watchdog is None or not clock.watchdog.is_alive():
        clock.watchdog = threading.Thread(target=_watchdog, args=(clock,), daemon=True, name="nnopt-check-timer")
        clock.watchdog.start()
    else:
        clock.wake.set()


def _close_region() -> None:
    """Pop the innermost deadline, re-arm for the enclosing one (or restore everything)."""
    clock = _clock()
    if clock.mode == "signal":
        signal.setitimer(signal.ITIMER_REAL, 0)
    with clock.lock:
        if clock.deadlines:
            clock.deadlines.pop()
        if clock.regions:
            clock.regions.pop()
        clock.expired = False
    _tell_parent(clock)
    _disarm_tracer()
    if clock.mode == "thread":
        # clear a timeout that was raised but not yet delivered
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(clock.thread_id), None)
        clock.wake.set()
    if clock.deadlines:
        _arm(clock)
        return
    if clock.mode == "signal" and clock.saved:
        old_alarm, old_int, old_timer, started = clock.saved
        signal.signal(signal.SIGALRM, old_alarm)
        if old_int is not None:
            signal.signal(signal.SIGINT, old_int)
        if old_timer[0] > 0:  # somebody else's timer (e.g. pytest-timeout): give it back, minus our time
            signal.setitimer(signal.ITIMER_REAL, max(old_timer[0] - (time.monotonic() - started), 1e-3),
                             old_timer[1])
        clock.saved = ()


class _Capture(io.TextIOBase):
    """A stdout/stderr stand-in that keeps the first lines the learner's code prints and counts the rest."""

    def __init__(self, keep_lines: int = 40, keep_chars: int = 4000):
        self.kept: list[str] = []
        self.partial = ""
        self.lines = 0
        self.keep_lines, self.keep_chars = keep_lines, keep_chars
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if not isinstance(text, str):
            text = _safe_str(text)
        if len(self.kept) >= self.keep_lines or self.chars >= self.keep_chars:  # only count from here on
            self.lines += text.count("\n")
            return len(text)
        pieces = (self.partial + text).split("\n")
        self.partial = pieces.pop()
        for line in pieces:
            self._add(line)
        if len(self.partial) > self.keep_chars:
            self._add(self.partial)
            self.partial = ""
        return len(text)

    def _add(self, line: str) -> None:
        self.lines += 1
        if len(self.kept) < self.keep_lines and self.chars < self.keep_chars:
            line = _clip_line(line)
            self.kept.append(line)
            self.chars += len(line)
            if len(self.kept) <= SHOWN_OUTPUT_LINES:  # so that a crash of the child does not lose them
                isolation.send({"t": "line", "s": line})

    def flush(self) -> None:
        pass

    def summary(self, shown: int = SHOWN_OUTPUT_LINES) -> str:
        """The first ``shown`` lines and a count of the rest (reading it changes nothing)."""
        kept, lines = self.kept[:shown], self.lines
        if self.partial:
            lines += 1
            if len(kept) < shown and len(self.kept) < self.keep_lines and self.chars < self.keep_chars:
                kept = kept + [_clip_line(self.partial)]
        if not lines:
            return ""
        more = lines - len(kept)
        return "\n".join(kept) + (f"\n… {more} more line{'s' if more != 1 else ''}" if more > 0 else "")


def _clip_line(line: str) -> str:
    return line if len(line) <= 200 else line[:199] + "…"


def _guarded(thunk: Callable, role: str, limit: float | None = None):
    """Run ``thunk`` under the time limit; turn whatever it raises into ``_Stop`` (except ``Mismatch``).

    role: "learner" (the learner's code: "your code raised ..."), "reading" (the checker converts
    the answer: "the checker could not read your answer: ..."), "str" (describing an object),
    "case" (a whole check: only timeouts and escaping BaseExceptions are converted).
    """
    limit = _current_limit() if limit is None else limit
    clock = _clock()
    try:
        timer_role, timer_limit = _open_region(limit, role)
    except Exception:  # noqa: BLE001 - no timer available: run without one
        return thunk()
    try:
        try:
            if role in ("learner", "reading", "str"):
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    return thunk()
            return thunk()
        finally:
            _close_region()
    except _Timeout:
        _close_region_quietly()
        if role == "case" or timer_role == "case":
            limit = limit if role == "case" else timer_limit
            raise _Stop("timeout", f"this case took longer than {limit:g} s in all (your function is called "
                                   "several times in it): an endless loop, or a function that is slow on every call?",
                        hint="look for a loop whose condition never becomes false, or a counter that is never "
                             "advanced; a right answer needs far less than a second per call.") from None
        raise _Stop("timeout", f"your function took longer than {limit:g} s: an endless loop?",
                    hint="look for a `while` loop whose condition never becomes false, or a loop that forgets "
                         "to advance its counter (start += batch_size, t += 1).") from None
    except (Mismatch, _Stop):
        raise
    except KeyboardInterrupt:
        if clock.user_interrupt or role == "case":  # a real Ctrl+C: stop, as the user asked
            raise
        raise _Stop("raised", f"KeyboardInterrupt{_student_location(sys.exc_info()[1])}",
                    hint="your code raised KeyboardInterrupt itself; a checked function must return its answer."
                    ) from None
    except SystemExit as exc:
        where = _student_location(exc)
        if role == "reading":
            raise _Stop("unreadable", f"SystemExit while the checker converted your answer{where}") from None
        raise _Stop("exit", f"your code called sys.exit() (SystemExit){where}",
                    hint="a checked function must return its answer; sys.exit() and exit() would stop a script "
                         "(and here would have stopped the kernel).") from None
    except BaseException as exc:  # noqa: BLE001 - every other exception is a verdict
        if role == "case" and isinstance(exc, Exception):
            raise
        description = describe_exception(exc)
        if role == "reading":
            raise _Stop("unreadable", description,
                        hint="return plain NumPy arrays, lists of numbers or Python floats.") from None
        if role == "str":
            raise _Stop("raised", description) from None
        if isinstance(exc, MemoryError):
            raise _Stop("raised", description,
                        hint="your function asked for more memory than the checker gives it: look for an array far "
                             "larger than the inputs (a size taken from a value instead of a shape?) or a list that "
                             "grows without end.") from None
        if isinstance(exc, NotImplementedError):
            raise _Stop("not_implemented", f"NotImplementedError: {_short(_safe_str(exc), 200)}"
                                           f"{_student_location(exc)}") from None
        raise _Stop("raised", description,
                    hint="read the error message; the line shown is where it happened.") from None


def _close_region_quietly() -> None:
    """After a timeout: the region is closed already unless the timeout hit inside ``_close_region``."""
    clock = _clock()
    if clock.mode == "signal" and clock.expired:
        try:
            _close_region()
        except _Timeout:
            _close_region()


def call_learner(fn: Callable, *args, **kwargs):
    """Call the learner's ``fn(*args, **kwargs)`` under the time limit (a failure becomes a verdict)."""
    learner = fn._nnopt_learner if isinstance(fn, _LearnerProxy) else fn
    return _guarded(lambda: learner(*args, **kwargs), "learner")


def run_learner(thunk: Callable):
    """Run ``thunk``, which runs the learner's code (e.g. iterates its generator), under the time limit."""
    return _guarded(thunk, "learner")


def read_answer(thunk: Callable, what: str = "your answer"):
    """Run ``thunk``, the checker's conversion of an answer; a failure is "the checker could not read …"."""
    try:
        return _guarded(thunk, "reading")
    except _Stop as stop:
        if stop.kind == "unreadable":
            raise _Stop("unreadable", f"{what}: {stop.text}", stop.hint) from None
        raise


class _LearnerProxy:
    """What a check receives as ``student_fn``: calling it calls the learner's function safely."""

    def __init__(self, fn: Callable):
        self._nnopt_learner = fn
        self.__wrapped__ = fn

    def __call__(self, *args, **kwargs):
        return call_learner(self._nnopt_learner, *args, **kwargs)


def signature_names(fn) -> list[str]:
    """The names of the learner's function's parameters ([] if they cannot be read)."""
    import inspect
    fn = fn._nnopt_learner if isinstance(fn, _LearnerProxy) else fn
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []
    except BaseException:  # noqa: BLE001
        return []


# ---------- reading answers and comparing them ----------

def _is_low_precision(array: np.ndarray) -> bool:
    return array.dtype in (np.float32, np.float16)


def as_array(value, name: str = "the answer", *, shape: tuple | None = None, hint: str = "") -> tuple[np.ndarray, bool]:
    """The learner's ``value`` (array, list, number) as a float64 array, and whether it was float32.

    A ``Mismatch`` explains a value that is None, not numeric or of the wrong ``shape``; an object
    that cannot even be converted gives "the checker could not read your answer".
    """
    expect(value is not None, expected=f"{name}: numbers", got="None",
           hint=hint or "end the function with `return ...`; printing a value is not returning it.")
    array = read_answer(lambda: np.asarray(value), name)
    if array.dtype == object:
        array = read_answer(lambda: np.asarray(value, dtype=np.float64), name)
    expect(array.dtype.kind in "biuf",
           expected=f"{name}: numbers", got=f"{name} of type {_type_name(value)} (dtype {array.dtype})",
           hint=hint or "return NumPy arrays, lists of numbers or Python floats.")
    low = _is_low_precision(array)
    result = array.astype(np.float64)
    if shape is not None:
        expect(result.shape == tuple(shape), expected=f"{name} of shape {tuple(shape)}",
               got=f"{name} of shape {result.shape}",
               hint=hint or "work with whole arrays elementwise, without indexing, summing or reshaping.")
    return result, low


def as_number(value, name: str = "the answer", hint: str = "") -> tuple[float, bool]:
    """One number (a float, a NumPy scalar or a 0-d/1-element array) and whether it was float32."""
    array, low = as_array(value, name, hint=hint)
    expect(array.size == 1, expected=f"{name}: one number", got=f"an array of shape {array.shape}",
           hint="for a single step, return a single number.")
    return float(array.reshape(())), low


def tolerance_for(low_precision: bool) -> float:
    """The relative tolerance of the policy: 1e-4 for a float32 answer, else 1e-6."""
    return RTOL_FLOAT32 if low_precision else RTOL


def close(got, expected, low_precision: bool = False, *, scale: float | None = None) -> bool:
    """``got`` equals ``expected`` to the policy's tolerance (NaN equals NaN, infinities must match).

    ``|got - expected| <= rtol * |expected| + rtol * 1e-6 * scale``, with rtol from
    :func:`tolerance_for` and ``scale`` the largest finite ``|expected|`` unless given.
    """
    try:
        got = np.asarray(got, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        if got.shape != expected.shape:
            return False
    except (TypeError, ValueError):
        return False
    rtol = tolerance_for(low_precision)
    if scale is None:
        finite = np.abs(expected[np.isfinite(expected)])
        scale = float(finite.max()) if finite.size else 1.0
    if scale == 0.0:
        scale = 1.0
    with np.errstate(all="ignore"):
        return bool(np.allclose(got, expected, rtol=rtol, atol=rtol * ATOL_FRACTION * scale, equal_nan=True))


# ---------- checks and results ----------

@dataclass(frozen=True)
class Check:
    """One case of an exercise: ``run(student_fn)`` raises ``Mismatch`` when the answer is wrong."""

    name: str
    run: Callable[[Callable], None]


_ERROR_LEADS = {
    "raised": "your code raised ",
    "exit": "",
    "timeout": "",
    "unreadable": "the checker could not read your answer: ",
    "not_implemented": "your code raised ",
    "crash": "",
    "checker": "the checker could not read your answer: ",
    "skipped": "",
}


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one ``Check``: ``passed``, and for a failure ``expected``/``got``/``hint`` or ``error``.

    ``kind`` says what the error is: "raised" (the learner's code raised), "exit" (``sys.exit()``,
    or ``os._exit()`` in a forked checker), "timeout", "crash" (the forked checker's process died:
    a signal such as SIGSEGV, or lost), "unreadable" (the checker could not read the answer),
    "skipped"; "" for a mismatch.
    """

    name: str
    passed: bool
    expected: str = ""
    got: str = ""
    hint: str = ""
    error: str = ""  # "ValueError: ... (line 4: `...`)" when the learner's code raised
    kind: str = ""

    def describe(self) -> str:
        """Several lines saying what went wrong (empty for a passed check)."""
        if self.passed:
            return ""
        lines = [f"✗ {self.name}"]
        if self.error:
            lines.append(f"  {_ERROR_LEADS.get(self.kind or 'raised', '')}{self.error}")
        else:
            lines.append(f"  expected: {self.expected}")
            lines.append(f"  got:      {self.got}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def one_line(self) -> str:
        """The failure on one line (for the grading log); "" for a passed check."""
        if self.passed:
            return ""
        if self.error:
            text = f"{self.name}: {_ERROR_LEADS.get(self.kind or 'raised', '')}{self.error}"
        else:
            text = f"{self.name}: expected {self.expected}; got {self.got}"
        return _short(" ".join(text.split()), 300)


@dataclass(frozen=True)
class ExerciseResult:
    """All outcomes of one exercise. ``passed`` is True when every check passed.

    Displayed in a notebook (``_repr_html_``) or printed (``str``) as a one-line score, plus,
    when something failed, the first failing case in detail and the names of the other failures,
    and the first lines the learner's code printed during the checks (``printed``).
    """

    exercise: str
    outcomes: tuple[CheckOutcome, ...]
    printed: str = field(default="", kw_only=True)

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

    def _printed_text(self) -> str:
        if not self.printed:
            return ""
        body = "\n".join("  | " + line for line in self.printed.splitlines())
        return "\n\nYour function printed (shown shortened; the checker ignores printed output):\n" + body

    def __str__(self) -> str:
        if self.passed:
            return self.summary() + " — well done!" + self._printed_text()
        first, *others = self.failures
        lines = [self.summary(), "", first.describe()]
        if others:
            lines += ["", "Also failing (fix the one above first, it may be the cause):"]
            lines += [f"  ✗ {outcome.name}" for outcome in others]
        return "\n".join(lines) + self._printed_text()

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.passed else "#cf222e"
        return (
            f'<pre style="border-left: 4px solid {color}; padding: 0.4em 0.8em; '
            f'white-space: pre-wrap">{html.escape(str(self))}</pre>'
        )


def _checker_name(default: str) -> str:
    """The public ``check_*`` function that called ``run_checks`` (for the grading log)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_name
        if name.startswith("check_") and _learner_frame(frame) is False:
            return name
        frame = frame.f_back
    return default


#: Where tools/grade.py collects results: set in the kernel by :func:`start_grading` before the
#: submission's first cell runs (the log is then not named in the environment the learner sees).
_grading: dict[str, str | None] = {"path": None, "token": ""}


def start_grading(path, token: str) -> None:
    """Send every checker's result to the log ``path``, each record carrying ``token``.

    Called by tools/grade.py in a submission's kernel before any of its cells; the grader keeps
    only records with its token that were written while a cell calling that checker ran.
    """
    _grading.update(path=str(path), token=str(token))


def write_grade_record(record: dict) -> None:
    """Append ``record`` (one JSON line) to the grading log, if one is set; never raises."""
    path = _grading["path"] or os.environ.get("NNOPT_GRADING_LOG")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({**record, "token": _grading["token"]}, ensure_ascii=False) + "\n")
            log.flush()
    except Exception:  # noqa: BLE001 - grading must never break a notebook
        pass


def unstacked(result, count: int, shape) -> object:
    """``result`` as a tuple when it is one array stacking ``count`` answers of ``shape``.

    The policy accepts NumPy arrays: ``np.array([theta_new, v_new])`` is read as the pair.
    Anything else comes back unchanged.
    """
    if isinstance(result, np.ndarray) and result.ndim >= 1 and result.shape == (count, *tuple(shape)):
        return tuple(result)
    return result


def _log_grade(result: ExerciseResult, checker: str) -> None:
    if not (_grading["path"] or os.environ.get("NNOPT_GRADING_LOG")):
        return
    failures = result.failures
    write_grade_record({"checker": checker, "exercise": result.exercise, "passed": result.passed,
                        "n_passed": result.n_passed, "n_checks": result.n_checks,
                        "first_failure": failures[0].one_line() if failures else ""})


def run_checks(exercise: str, student_fn, checks: Sequence[Check], *, checker: str | None = None,
               time_limit: float | None = None, case_limit_factor: float = 4.0,
               explain_error: Callable[[str], str | None] | None = None,
               result_type: type[ExerciseResult] = ExerciseResult,
               extras: Callable[[], dict] | None = None) -> ExerciseResult:
    """Run every check on ``student_fn`` and collect the outcomes; never raises on wrong code.

    Each check receives a proxy of ``student_fn`` whose calls are guarded (time limit, every
    exception caught, output captured). ``Mismatch`` becomes a failed outcome with
    expected/got/hint; a learner's exception, ``sys.exit()`` or timeout a failed outcome with the
    reason; an error in the checker's own reading of the answer "the checker could not read your
    answer". After a timeout the remaining checks are not run (they would wait as long again).
    ``time_limit`` (seconds per call; default ``NNOPT_CHECK_TIME_LIMIT`` or 5) also bounds a whole
    check to ``case_limit_factor`` times it. ``checker`` names the public function in the grading log.
    ``explain_error(description)`` may return a hint for an exception the learner's code raised
    (e.g. one that shows a deeplearning.ai habit), or None for the general hint.

    Where :func:`nnopt.exercises.isolation.available` (Linux by default), all of it runs in a
    forked child process that the kernel kills when a call overruns its limit (the learner's code
    swallowed the timeout or switched it off), and whose ``os._exit()``, crash or allocation bomb
    becomes a failed check too. ``extras()`` runs after the checks, where they ran, and returns
    further (JSON-serialisable) fields of ``result_type``, e.g. what a training run did.
    """
    checker = checker or _checker_name(f"check_{exercise.replace(' ', '_')}")
    if time_limit is not None and not (isinstance(time_limit, (int, float)) and time_limit > 0):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}.")
    limit = float(time_limit) if time_limit is not None else _env_time_limit()

    def work() -> tuple[list[CheckOutcome], str, dict]:
        return _check_all(student_fn, checks, limit, case_limit_factor, explain_error, extras)

    outcomes = printed = extra = None
    if isolation.available() and not _clock().deadlines:
        outcomes, printed, extra = _run_in_child(work, [check.name for check in checks], limit,
                                                 case_limit_factor) or (None, None, None)
    if outcomes is None:
        outcomes, printed, extra = work()
    result = _make_result(result_type, exercise, outcomes, printed, extra)
    _log_grade(result, checker)
    return result


def _make_result(result_type, exercise: str, outcomes, printed: str, extra: dict | None) -> ExerciseResult:
    if extra:
        try:
            return result_type(exercise, tuple(outcomes), printed=printed, **extra)
        except TypeError:
            pass
    return result_type(exercise, tuple(outcomes), printed=printed)


def _check_all(student_fn, checks: Sequence[Check], limit: float, case_limit_factor: float,
               explain_error, extras) -> tuple[list[CheckOutcome], str, dict]:
    """The outcomes of all checks, the learner's printed output and the extras (in the child, when forked)."""
    if not callable(student_fn):
        return [CheckOutcome(
            name="the answer is a function",
            passed=False,
            expected="a function, e.g. check(my_function)",
            got=f"{_short(_safe_repr(student_fn), 80)} ({_type_name(student_fn)})",
            hint="pass the function itself, without calling it: no parentheses after its name.",
        )], "", {}
    previous_limit, previous_slow = getattr(_local, "time_limit", None), getattr(_local, "slow_str_types", None)
    _local.time_limit, _local.slow_str_types = limit, set()
    capture = _Capture()
    proxy = _LearnerProxy(student_fn)
    outcomes: list[CheckOutcome] = []
    stopped = ""
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = capture
    try:
        for index, check in enumerate(checks):
            if stopped:
                outcomes.append(CheckOutcome(check.name, False, kind="skipped", error=stopped))
                continue
            isolation.send({"t": "progress", "i": index, "o": [_outcome_fields(o) for o in outcomes],
                            "p": capture.summary()})
            outcome = _run_one(check, proxy, _local.time_limit * case_limit_factor)
            if outcome.kind == "raised" and explain_error is not None:
                try:
                    better = explain_error(outcome.error)
                except Exception:  # noqa: BLE001 - a hint must never break the verdict
                    better = None
                if better:
                    outcome = CheckOutcome(outcome.name, False, error=outcome.error, hint=better, kind="raised")
            if outcome.kind == "not_implemented":
                hint = ("this is the exercise's starting point: replace the `raise` line with your code, "
                        "then run the cell again.")
                outcomes = [CheckOutcome(NOT_IMPLEMENTED, False, error=outcome.error, hint=hint, kind="raised")]
                break
            if outcome.kind == "timeout":
                stopped = "not run: your function ran out of time in an earlier case."
            outcomes.append(outcome)
        isolation.send({"t": "progress", "i": len(checks), "o": [_outcome_fields(o) for o in outcomes],
                        "p": capture.summary()})
        extra = {}
        if extras is not None:
            try:
                extra = dict(extras())
            except Exception:  # noqa: BLE001 - extras are a report, never a reason to fail
                extra = {}
    finally:
        sys.stdout, sys.stderr = old_out, old_err
        _local.time_limit, _local.slow_str_types = previous_limit, previous_slow
    return outcomes, capture.summary(), extra


# ---------- the forked child (see .isolation) ----------

_OUTCOME_FIELDS = ("name", "passed", "expected", "got", "hint", "error", "kind")


def _outcome_fields(outcome: CheckOutcome) -> dict:
    return {name: getattr(outcome, name) for name in _OUTCOME_FIELDS}


def _outcome_from(fields) -> CheckOutcome | None:
    if not isinstance(fields, dict):
        return None
    values = {name: fields.get(name, "") for name in _OUTCOME_FIELDS}
    return CheckOutcome(**{name: (bool(value) if name == "passed" else str(value)) for name, value in values.items()})


def _outcomes_from(items) -> list[CheckOutcome]:
    return [outcome for outcome in map(_outcome_from, items if isinstance(items, list) else []) if outcome]


def _kill_grace(limit: float) -> float:
    """How long after a deadline the parent waits for the child's own timeout before it kills it."""
    return min(1.0, max(0.1, 0.5 * limit))


_CAUGHT_TIMEOUT_HINT = (
    "look for a loop whose condition never becomes false, or a counter that is never advanced. Catch only the "
    "errors you expect (`except ValueError:`): a bare `except:` or `except BaseException:` around a loop also "
    "catches the checker's time-out, and so does switching off SIGALRM.")


def _stopped_outcome(name: str, ending: isolation.Ending, limit: float, idle: float) -> CheckOutcome:
    """The verdict on the check during which the child was killed, exited or crashed."""
    if ending.how == "killed":
        role, region_limit = ending.region or ("", idle)
        if role == "case":
            text = (f"this case took longer than {region_limit:g} s in all (your function is called several times "
                    "in it): an endless loop? It went on after its time was up, so the checker stopped it.")
        elif role:
            text = (f"your function took longer than {region_limit:g} s: an endless loop? It went on after its time "
                    "was up, so the checker stopped it.")
        else:
            text = f"the checker heard nothing from your function for {idle:g} s: an endless loop? It was stopped."
        return CheckOutcome(name, False, error=text, hint=_CAUGHT_TIMEOUT_HINT, kind="timeout")
    if ending.how == "exited" and ending.code in (isolation.CHILD_LOST_ITS_PIPE, isolation.CHILD_ESCAPED):
        return CheckOutcome(
            name, False, kind="crash",
            error="the process running your function could not report back to the checker (your code closed "
                  "or replaced files it had not opened, such as the checker's pipe, or broke the interpreter)",
            hint="a checked function must only compute and return its answer: leave os.close, os.dup2 and "
                 "sys.stdout/sys.stderr replacements out of it.")
    if ending.how == "exited":
        code = "" if ending.code is None else str(ending.code)
        return CheckOutcome(
            name, False, kind="exit",
            error=f"your function exited the process (os._exit({code}) or the like) instead of returning",
            hint="a checked function must return its answer; os._exit() ends the process at once, without "
                 "cleaning up (here only the checker's copy of the kernel, which runs your function).")
    if ending.how == "signal" and ending.signal_name == "SIGKILL":
        return CheckOutcome(
            name, False, kind="crash",
            error="the process running your function was killed (SIGKILL), most likely for using too much memory",
            hint="look for an array or a list that grows without end, or one far larger than the inputs.")
    if ending.how == "signal":
        return CheckOutcome(
            name, False, kind="crash",
            error=f"your function crashed the Python process ({ending.signal_name})",
            hint="a crash of the interpreter itself comes from a recursion too deep for the machine's stack "
                 "(after sys.setrecursionlimit), ctypes, or a NumPy trick such as as_strided reading outside "
                 "an array; the checker runs your function in a copy of the kernel, so yours survived.")
    if ending.how == "failed":
        return CheckOutcome(name, False, kind="checker", error=_short(ending.error, 300),
                            hint="return plain NumPy arrays, lists of numbers or Python floats.")
    return CheckOutcome(
        name, False, kind="crash",
        error="the checker lost contact with your function (it closed files it had not opened?)",
        hint="a checked function must only compute and return its answer.")


def _run_in_child(work, names: list[str], limit: float, case_limit_factor: float):
    """``work()`` in a forked child; ``(outcomes, printed, extras)``, or None when no child could be made."""
    grace = _kill_grace(limit)
    idle = limit * case_limit_factor + grace

    def child_work():
        outcomes, printed, extra = work()
        return {"o": [_outcome_fields(outcome) for outcome in outcomes], "p": printed, "x": extra}

    ending = isolation.run_forked(child_work, idle_limit=idle, grace=grace)
    if ending is not None and ending.how == "killed" and ending.region is None:
        # Silent with no time limit open: the learner's code was not running (a child forked from a
        # process with threads can, rarely, block on a lock another thread held). Not the learner's
        # fault, so try once more in a fresh child before giving a verdict.
        ending = isolation.run_forked(child_work, idle_limit=idle, grace=grace)
    if ending is None:
        return None
    if ending.how == "done" and isinstance(ending.payload, dict):
        payload = ending.payload
        extra = payload.get("x")
        return _outcomes_from(payload.get("o")), str(payload.get("p") or ""), extra if isinstance(extra, dict) else {}
    progress = ending.progress or {}
    outcomes = _outcomes_from(progress.get("o"))
    index = progress.get("i", 0)
    index = index if isinstance(index, int) and 0 <= index <= len(names) else len(outcomes)
    if index < len(names):
        stopped = _stopped_outcome(names[index], ending, limit, idle)
        outcomes.append(stopped)
        reason = ("not run: your function ran out of time in an earlier case." if stopped.kind == "timeout"
                  else "not run: the process running your function ended in an earlier case.")
        outcomes += [CheckOutcome(name, False, kind="skipped", error=reason) for name in names[index + 1:]]
    return outcomes, _printed_before(ending.lines, str(progress.get("p") or "")), {}


def _printed_before(lines: list[str], snapshot: str) -> str:
    """What the learner printed before the child ended: the lines it sent, or the last snapshot."""
    if len(lines) <= len(snapshot.splitlines()):
        return snapshot
    more = "\n… and more" if len(lines) >= SHOWN_OUTPUT_LINES else ""
    return "\n".join(lines[:SHOWN_OUTPUT_LINES]) + more


def _safe_repr(value) -> str:
    try:
        text = _guarded(lambda: repr(value), "str", 1.0)
        return text if isinstance(text, str) else f"<{_type_name(value)} object>"
    except _Stop:
        return f"<{_type_name(value)} object>"


def _text(value) -> str:
    return _short(value if isinstance(value, str) else _safe_str(value))


def _run_one(check: Check, proxy: _LearnerProxy, case_limit: float) -> CheckOutcome:
    try:
        _guarded(lambda: check.run(proxy), "case", case_limit)
    except Mismatch as mismatch:
        return CheckOutcome(check.name, False, _text(mismatch.expected), _text(mismatch.got), mismatch.hint)
    except _Stop as stop:
        return CheckOutcome(check.name, False, error=stop.text, hint=stop.hint, kind=stop.kind)
    except Exception as exc:  # noqa: BLE001 - the checker tripped over the answer: never blame the learner
        return CheckOutcome(check.name, False, error=describe_exception(exc), kind="checker",
                            hint="return plain NumPy arrays, lists of numbers or Python floats.")
    return CheckOutcome(check.name, True)


def order_hint(student_fn, expected: Sequence[str], call: str, aliases: dict[str, str] | None = None) -> str:
    """A hint when the learner named its parameters in another order than the checker passes them.

    ``expected`` are the exercise's parameter names in order, ``aliases`` maps other usual names
    (deeplearning.ai's ``grads``, ``learning_rate``, ...) to them, ``call`` is how the checker
    calls the function. "" when the names do not show a different order.
    """
    aliases = {key.lower(): value for key, value in (aliases or {}).items()}
    names = signature_names(student_fn)
    canonical = [aliases.get(name.lower(), name.lower()) for name in names]
    misplaced = [name for position, name in enumerate(canonical[: len(expected)])
                 if name in expected and expected.index(name) != position]
    if not misplaced:
        return ""
    return (f"your parameters are ({', '.join(names[: len(expected)])}), but the checker passes the arguments "
            f"by position as {call}: put them in that order.")
