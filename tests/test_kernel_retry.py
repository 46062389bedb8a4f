"""tools/kernel_retry.py: nbval's kernel start is tried again after a kernel died while starting."""
import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("kernel_retry_under_test",
                                               Path(__file__).resolve().parents[1] / "tools" / "kernel_retry.py")
kernel_retry = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kernel_retry)


def flaky(failures: int):
    calls = []

    def start(*args, **kwargs):
        calls.append((args, kwargs))
        if len(calls) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"

    return start, calls


def test_a_kernel_that_died_twice_is_started_a_third_time_with_the_same_arguments():
    start, calls = flaky(2)
    assert kernel_retry.retrying(start, pause=0)("python3", cwd="notebooks") == ("km", "kc")
    assert calls == [(("python3",), {"cwd": "notebooks"})] * 3


def test_three_deaths_raise_the_last_error():
    start, calls = flaky(3)
    with pytest.raises(RuntimeError, match="Kernel died"):
        kernel_retry.retrying(start, pause=0)()
    assert len(calls) == 3


def test_other_errors_are_not_retried():
    calls = []

    def start():
        calls.append(1)
        raise ValueError("no such kernel")

    with pytest.raises(ValueError):
        kernel_retry.retrying(start, pause=0)()
    assert calls == [1]


def test_nbval_runs_with_the_retrying_start():
    import nbval.kernel

    assert kernel_retry.install() is True
    assert getattr(nbval.kernel.start_new_kernel, "retries_kernel_start", False)
    wrapped = nbval.kernel.start_new_kernel
    kernel_retry.install()  # a second install does not wrap twice
    assert nbval.kernel.start_new_kernel is wrapped
