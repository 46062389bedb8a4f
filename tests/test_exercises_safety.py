"""Hostile learner code: every checker returns promptly with a failed verdict, never raises or exits."""
from __future__ import annotations

import json
import os
import signal
import sys
import time

import numpy as np
import pytest

from nnopt import exercises as E
from nnopt.exercises import isolation

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


def swallows_the_time_out(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except BaseException:  # noqa: BLE001 - the point of the test
            pass


def swallows_it_on_every_line(*args, **kwargs):
    while True:
        try:
            while True:
                try:
                    pass
                except BaseException:  # noqa: BLE001
                    continue
        except BaseException:  # noqa: BLE001
            continue


def ignores_sigalrm(*args, **kwargs):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    sys.settrace(None)
    while True:
        pass


def sleeps_in_c(*args, **kwargs):
    time.sleep(1e9)


def calls_os_exit(*args, **kwargs):
    os._exit(0)


def allocates_huge(*args, **kwargs):
    return np.ones(int(6e8))  # 4.5 GiB: more than the child may map


def grows_without_end(*args, **kwargs):
    keep = []
    while True:
        keep.append(np.empty(10**8))  # 800 MB of address space each, never touched


def recurses_for_ever(*args, **kwargs):
    return recurses_for_ever(*args, **kwargs)


def crashes_the_interpreter(*args, **kwargs):
    import ctypes
    return ctypes.string_at(0)  # reads address 0: SIGSEGV


def returns_unpicklable(*args, **kwargs):
    return lambda: (yield)


def prints_100k_lines(*args, **kwargs):
    for i in range(100_000):
        print("line", i)
    return None


class HangsInStr(Exception):
    def __str__(self):
        while True:
            pass


def raises_exception_whose_str_hangs(*args, **kwargs):
    raise HangsInStr()


LIMIT = 0.1  # seconds per call in these tests

#: Each hostile answer and a piece of the message its failure must show (None: any failed verdict).
HOSTILE = {
    loops_for_ever: "longer than", forgets_to_advance: "longer than", swallows_the_time_out: "longer than",
    swallows_it_on_every_line: "longer than", ignores_sigalrm: "longer than", sleeps_in_c: "longer than",
    exits: "sys.exit()", raises_system_exit: "sys.exit()", calls_os_exit: "os._exit",
    raises_unprintable: "its __str__ failed", raises_exception_whose_str_hangs: "HangsInStr",
    floods_the_output: None, prints_100k_lines: "more lines", returns_unpicklable: None,
    allocates_huge: "MemoryError", grows_without_end: "MemoryError", recurses_for_ever: "RecursionError",
    crashes_the_interpreter: "crashed the Python process",
}
#: These end by themselves at once; a time-out would only mean a loaded machine (a fork and an import can
#: take longer than LIMIT under load), so they get a generous limit and must still name their own failure.
ENDS_AT_ONCE = {exits, raises_system_exit, calls_os_exit, raises_unprintable, returns_unpicklable, recurses_for_ever,
                crashes_the_interpreter}
GENEROUS_LIMIT = 1.0
#: Only a separate process survives these.
NEEDS_THE_CHILD = {swallows_it_on_every_line, ignores_sigalrm, calls_os_exit, allocates_huge, grows_without_end,
                   crashes_the_interpreter}
forked = pytest.mark.skipif(not isolation.available(), reason="checkers run in-process here (no os.fork)")


@pytest.fixture(autouse=True)
def _restore_process_state():
    """A hostile answer that ran in-process by mistake must not break the next test."""
    handler, limit = signal.getsignal(signal.SIGALRM), sys.getrecursionlimit()
    yield
    signal.signal(signal.SIGALRM, handler)
    sys.setrecursionlimit(limit)


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("answer", list(HOSTILE), ids=lambda a: a.__name__)
def test_hostile_answers_fail_promptly_without_raising(checker, answer, capfd):
    if answer in NEEDS_THE_CHILD and not isolation.available():
        pytest.skip("only a forked checker survives this answer")
    limit = GENEROUS_LIMIT if answer in ENDS_AT_ONCE else LIMIT
    started = time.perf_counter()
    result = checker(answer, time_limit=limit)
    elapsed = time.perf_counter() - started
    assert not result.passed
    assert elapsed < limit + 2.0, f"{checker.__name__} took {elapsed:.1f} s on {answer.__name__}"
    text = str(result)
    assert len(text) < 5_000  # a flood of learner output is shortened, not shown whole
    if HOSTILE[answer] is not None:
        assert HOSTILE[answer] in text, text
    printed = capfd.readouterr()
    assert len(printed.out) < 5_000 and len(printed.err) < 5_000


@forked
def test_a_checker_stops_a_swallowed_time_out_at_its_limit():
    started = time.perf_counter()
    result = E.check_momentum_step(ignores_sigalrm, time_limit=0.5)
    elapsed = time.perf_counter() - started
    assert 0.5 <= elapsed < 0.5 + 1.0, elapsed  # the limit, plus the grace for the in-process timer
    first, *others = result.failures
    assert first.kind == "timeout" and "took longer than 0.5 s" in first.error and "stopped it" in first.error
    assert "except BaseException" in first.hint
    assert [outcome.kind for outcome in others] == ["skipped"] * 3
    assert all("ran out of time" in outcome.error for outcome in others)


@forked
def test_checks_before_the_fatal_one_keep_their_verdicts():
    from nnopt.exercises.momentum import reference_momentum_step
    calls = []

    def exits_on_beta_zero(theta, v, grad, lr, beta):
        calls.append(1)  # in the child only: the kernel's list stays empty
        if beta == 0.0:
            os._exit(3)
        return reference_momentum_step(theta, v, grad, lr, beta)

    result = E.check_momentum_step(exits_on_beta_zero)
    assert [outcome.passed for outcome in result.outcomes] == [True, True, False, False]
    assert result.outcomes[2].kind == "exit" and "os._exit(3)" in result.outcomes[2].error
    assert result.outcomes[3].kind == "skipped" and "ended in an earlier case" in result.outcomes[3].error
    assert calls == []


@forked
def test_output_printed_before_a_crash_is_shown():
    def prints_then_exits(*args, **kwargs):
        print("about to leave")
        os._exit(0)

    result = E.check_ewa(prints_then_exits)
    assert "about to leave" in result.printed and "os._exit(0)" in str(result)


@forked
def test_a_real_interrupt_stops_the_checker_and_its_child(monkeypatch):
    import threading
    children_before = _children()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        E.check_momentum_step(ignores_sigalrm, time_limit=30)
    timer.join()
    assert time.perf_counter() - started < 3.0
    assert not _children() - children_before  # the child was killed and reaped


def _children() -> set[int]:
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children", encoding="ascii") as children:
            return {int(pid) for pid in children.read().split()}
    except OSError:
        return set()


#: A correct answer for every checker, written as a lambda or closure where possible (fork needs no pickling).
def _right_answers():
    import math

    from nnopt.data import minibatches
    from nnopt.exercises.momentum import reference_momentum_step
    from nnopt.exercises.schedules import reference_cosine_annealing, reference_schedule_lr_decay
    from nnopt.optim import Adam
    from nnopt.optim.ewa import ewa_series
    scale = 1.0  # a closure over a notebook variable

    def rmsprop(theta, s, grad, lr, alpha, eps):
        s *= alpha  # in place: allowed, every call gets fresh copies
        s += (1 - alpha) * grad**2
        theta -= lr * grad / (np.sqrt(s) + eps)
        return theta, s

    def adam(theta, m, v, grad, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    def clip(grads, max_norm):
        total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        return [g * min(1.0, max_norm / (total + 1e-6)) for g in grads], total

    return {
        E.check_minibatches: lambda X, y, batch_size, rng: minibatches(X, y, batch_size, rng),
        E.check_ewa: lambda series, beta, bias_correction=True: ewa_series(series, beta, bias_correction=bias_correction),
        E.check_momentum_step: lambda *args: reference_momentum_step(*args),
        E.check_rmsprop_step: rmsprop,
        E.check_adam_step: adam,
        E.check_cosine_annealing: lambda *args: scale * reference_cosine_annealing(*args),
        E.check_inverse_time_decay: lambda lr0, decay_rate, epoch: lr0 / (1 + decay_rate * epoch),
        E.check_schedule_lr_decay: reference_schedule_lr_decay,
        E.check_clip_by_global_norm: clip,
        E.check_make_optimizer: lambda params: Adam(params, lr=3e-3),
    }


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_right_answers_pass_quickly(checker):
    answer = _right_answers()[checker]
    started = time.perf_counter()
    result = checker(answer)
    elapsed = time.perf_counter() - started
    assert result.passed, str(result)
    assert elapsed < 2.0, f"{checker.__name__} took {elapsed:.2f} s on a right answer"


def test_the_in_process_fallback_gives_the_same_verdicts(monkeypatch):
    answers = _right_answers()
    forked_results = {checker: str(checker(answers[checker])) for checker in CHECKERS}
    forked_failures = [str(checker(answer)) for checker in CHECKERS[:3]
                       for answer in (exits, raises_unprintable, floods_the_output)]
    monkeypatch.setenv(isolation.ENV_INPROCESS, "1")
    assert not isolation.available()
    assert {checker: str(checker(answers[checker])) for checker in CHECKERS} == forked_results
    assert [str(checker(answer)) for checker in CHECKERS[:3]
            for answer in (exits, raises_unprintable, floods_the_output)] == forked_failures


@forked
def test_the_checker_in_a_jupyter_kernel_survives_hostile_answers():
    """In a real kernel: the hostile answers fail, nothing they print reaches the notebook, the kernel lives on."""
    from jupyter_client.manager import start_new_kernel
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    env.pop(isolation.ENV_INPROCESS, None)
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    try:
        source = """
import os, signal, sys
from IPython.display import display
from nnopt.exercises import check_momentum_step
def swallows(*a):
    while True:
        try:
            while True: pass
        except BaseException: pass
def leaves(*a):
    os._exit(0)
def talks(*a):
    print("printed by the learner")
    os.write(1, b"written to fd 1\\n")
    display("displayed by the learner")
    input("asked")
results = [check_momentum_step(f, time_limit=0.3) for f in (swallows, leaves, talks)]
print([r.passed for r in results], [r.failures[0].kind for r in results])
print(results[2].failures[0].error)
"""
        reply = client.execute_interactive(source, timeout=60, output_hook=_collect(outputs := []))
        assert reply["content"]["status"] == "ok", reply["content"]
        text = "".join(outputs)
        assert "[False, False, False] ['timeout', 'exit', 'raised']" in text, text
        assert "EOFError" in text and "input()" in text, text
        assert "printed by the learner" not in text and "displayed by the learner" not in text, text
        assert "written to fd 1" not in text, text
        again = client.execute_interactive("print(6 * 7)", timeout=30, output_hook=_collect(after := []))
        assert again["content"]["status"] == "ok" and "42" in "".join(after)
        assert manager.is_alive()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _collect(into: list):
    def hook(message):
        content = message.get("content", {})
        if message.get("msg_type") == "stream":
            into.append(content.get("text", ""))
        elif message.get("msg_type") in ("display_data", "execute_result"):
            into.append(str(content.get("data", {}).get("text/plain", "")))
    return hook


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
        return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))

    def no_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)

    def scalar_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):  # the exercise asks for arrays too
        return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))

    def fixed_interval(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / 1000))

    assert E.check_schedule_lr_decay(right).passed
    wrong = E.check_schedule_lr_decay(no_floor)
    assert not wrong.passed and "floor" in wrong.failures[0].hint
    scalar = E.check_schedule_lr_decay(scalar_floor)
    assert [f.name for f in scalar.failures] == ["works on an array of epochs (0, 5, ..., 45 with time_interval=10)"]
    assert "np.floor" in scalar.failures[0].hint
    fixed = E.check_schedule_lr_decay(fixed_interval)
    assert not fixed.passed and "time_interval you are given" in fixed.failures[0].hint


@forked
def test_a_failed_fork_is_retried_then_checked_in_process(monkeypatch):
    from nnopt.exercises.momentum import reference_momentum_step
    real_fork, calls = os.fork, []

    def fork_busy_once():
        calls.append(1)
        if len(calls) == 1:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_fork()

    monkeypatch.setattr(os, "fork", fork_busy_once)
    result = E.check_momentum_step(calls_os_exit)
    assert len(calls) == 2 and result.failures[0].kind == "exit"  # the second try made the child

    def no_fork():
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "fork", no_fork)
    assert E.check_momentum_step(reference_momentum_step).passed  # checked in the kernel's own process
    assert "fork failed" in isolation.last_fallback
    assert E.check_momentum_step(exits, time_limit=LIMIT).failures[0].kind == "exit"


@pytest.mark.parametrize("inprocess", ["1", "0"])
def test_a_case_that_runs_out_of_its_total_time_says_so_not_the_per_call_limit(monkeypatch, inprocess):
    # each call (0.03 s) is far inside its 0.2 s limit, but the 51 calls of one case exceed the
    # case's 4 × 0.2 = 0.8 s: the message must name the case's total, not "longer than 0.2 s"
    monkeypatch.setenv("NNOPT_CHECKER_INPROCESS", inprocess)

    def slow(learning_rate0, epoch_num, decay_rate, time_interval=1000):
        time.sleep(0.03)
        return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))

    result = E.check_schedule_lr_decay(slow, time_limit=0.2)
    failure = result.failures[0]
    assert failure.name.startswith("matches nnopt.schedules.schedule_lr_decay") and failure.kind == "timeout"
    assert "this case took longer than 0.8 s in all" in failure.error
    assert "longer than 0.2 s" not in failure.error


@forked
def test_a_function_that_closes_the_checkers_pipe_is_not_blamed_for_an_os_exit():
    def closes_everything(theta, v, grad, lr, beta):
        os.closerange(3, 4096)
        return theta, v

    result = E.check_momentum_step(closes_everything, time_limit=2.0)
    failure = result.failures[0]
    assert not result.passed and failure.kind == "crash"
    assert "could not report back" in failure.error and "os._exit(70)" not in failure.error


def test_one_stacked_array_is_read_as_the_pair_or_triple_the_policy_allows():
    def momentum_stacked(theta, v, grad, lr, beta):
        v = beta * v + (1 - beta) * grad
        return np.array([theta - lr * v, v])

    def rmsprop_stacked(theta, s, grad, lr, rho, eps):
        s = rho * s + (1 - rho) * grad**2
        return np.stack([theta - lr * grad / (np.sqrt(s) + eps), s])

    def adam_stacked(theta, m, v, grad, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return np.array([theta - step, m, v])

    assert E.check_momentum_step(momentum_stacked).passed
    assert E.check_rmsprop_step(rmsprop_stacked).passed
    assert E.check_adam_step(adam_stacked).passed
