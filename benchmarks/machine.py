"""Pin BLAS to one thread before NumPy loads, and describe the machine for the results page.

``pin_single_threaded_blas()`` must run before anything imports NumPy (``__main__`` calls it
first). It remembers the environment as it was, so that child processes that should behave
like the learner's machine (``import nnopt`` timing, notebook kernels) get the original one.
"""
from __future__ import annotations

import datetime
import os
import platform
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_original_environment: dict[str, str] | None = None
_load_at_start: tuple[float, float, float] | None = None


def pin_single_threaded_blas() -> None:
    """Set the BLAS/OpenMP thread counts to 1 (effective only if NumPy is not loaded yet)."""
    global _original_environment, _load_at_start
    if _original_environment is None:
        _original_environment = dict(os.environ)
        _load_at_start = _load_average()
    if "numpy" in sys.modules:
        print("warning: numpy was imported before the BLAS thread count was pinned; "
              "timings may use several threads.", file=sys.stderr)
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"


def original_environment() -> dict[str, str]:
    """The environment before ``pin_single_threaded_blas`` changed it (a copy)."""
    return dict(_original_environment if _original_environment is not None else os.environ)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _blas_description() -> str:
    import numpy as np

    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy without mode="dicts"
        return "unknown BLAS"


def _thread_count() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


_threads_after_numpy: int | None = None


def load_numpy() -> None:
    """Import NumPy and count this process's threads (1 when the BLAS pool is pinned to 1)."""
    global _threads_after_numpy
    import numpy  # noqa: F401

    if _threads_after_numpy is None:
        _threads_after_numpy = _thread_count()


def describe() -> dict[str, str]:
    """CPU model, core count, Python, NumPy and BLAS versions, torch if present, date."""
    import numpy as np

    load_numpy()
    threads = _threads_after_numpy
    try:
        torch_version = __import__("torch").__version__
    except ImportError:
        torch_version = "not installed"
    pinned = ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in THREAD_VARIABLES)
    return {
        "CPU": cpu_model(),
        "cores": f"{os.cpu_count()} logical, {len(os.sched_getaffinity(0))} usable",
        "Python": sys.version.split()[0],
        "NumPy": f"{np.__version__} with {_blas_description()}",
        "PyTorch": torch_version,
        "threads": f"{pinned}; process threads after loading NumPy: {threads}",
        "load average (1 min)": (f"{_load_at_start[0]:.1f} at start, " if _load_at_start else "")
        + (f"{_load_average()[0]:.1f} at end" if _load_average() else "unknown")
        + " (other processes on the machine; timings use CPU time, see below)",
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }
