"""Section 4: each notebook executed as nbval does, timed, with the kernel's peak memory.

Each notebook runs top to bottom in a fresh ``python3`` kernel started by nbclient in the
notebook's folder, in the environment ``course.py test`` gives the nbval kernels: the one the
benchmark was started in, BLAS/OpenMP pinned to one thread per kernel (course.py's
``SINGLE_THREADED``), ``PYTHONHASHSEED=0``, no ``MPLBACKEND`` (the inline backend draws every
figure, as under nbval). ``--notebook-blas-threads N`` pins N threads instead, 0 leaves the
thread count to the environment. Reported per notebook: wall time from kernel start to kernel
shutdown (what nbval spends on the file), the cells alone, the kernel process's CPU time
(user + system, all threads: unlike the wall time, not inflated when other processes compete
for the cores), its peak resident memory (``VmHWM`` in ``/proc/<pid>/status``, read after
every cell) and the slowest cells.
Notebooks run one after another, so the course total is the sum (``pytest -n 2`` would split it
over two workers).
"""
from __future__ import annotations

import importlib.util
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .machine import THREAD_VARIABLES, original_environment

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class NotebookResult:
    name: str
    wall_seconds: float
    cells_seconds: float
    peak_rss_bytes: int | None
    n_cells: int
    error: str | None = None
    kernel_cpu_seconds: float | None = None  # CPU time of the kernel process (all its threads)
    slowest_cells: list[tuple[int, float, str]] = field(default_factory=list)  # (index, wall s, first line)


def _peak_rss(pid: int | None) -> int | None:
    """The high-water mark of a process's resident memory, from /proc (Linux), in bytes."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process and its waited-for children, from /proc (Linux)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def _kernel_pid(client) -> int | None:
    provisioner = getattr(client.km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    return getattr(process, "pid", None)


def course_thread_settings() -> dict[str, str]:
    """``SINGLE_THREADED`` from the repository's course.py (what ``course.py test`` sets)."""
    try:
        spec = importlib.util.spec_from_file_location("_course_settings", ROOT / "course.py")
        course = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(course)
        return dict(course.SINGLE_THREADED)
    except (OSError, AttributeError, ImportError, TypeError):
        return dict.fromkeys(THREAD_VARIABLES, "1")


def kernel_environment(blas_threads: int | None = None) -> dict[str, str]:
    """The kernels' environment as ``course.py test`` builds it (see the module docstring);
    ``blas_threads`` N > 0 pins N threads instead, 0 keeps the benchmark's original setting."""
    env = original_environment()
    if blas_threads is None:
        env.update(course_thread_settings())
    elif blas_threads > 0:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(blas_threads)))
    env["PYTHONHASHSEED"] = "0"
    env.pop("MPLBACKEND", None)
    return env


def execute_notebook(path: Path, timeout: int = 300, blas_threads: int | None = None) -> NotebookResult:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    peak = {"bytes": None, "cpu": None}

    def record_peak(**_):
        pid = _kernel_pid(client)
        value = _peak_rss(pid)
        if value is not None:
            peak["bytes"] = max(value, peak["bytes"] or 0)
        peak["cpu"] = _cpu_seconds(pid) or peak["cpu"]

    client.on_cell_executed = record_peak
    env = kernel_environment(blas_threads)
    error = None
    cell_times: list[tuple[int, float, str]] = []
    started = time.perf_counter()
    cells_started = cells_ended = started
    try:
        with client.setup_kernel(env=env):
            cells_started = time.perf_counter()
            try:
                for index, cell in enumerate(notebook.cells):
                    cell_started = time.perf_counter()
                    client.execute_cell(cell, index)
                    if cell.cell_type == "code":
                        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
                        cell_times.append((index, time.perf_counter() - cell_started, first_line[:60]))
            except (CellExecutionError, CellTimeoutError) as failure:
                message = _ANSI_ESCAPE.sub("", str(failure)).strip()
                last_line = message.splitlines()[-1] if message else type(failure).__name__
                error = f"cell {index}: {last_line[:200]}"
            cells_ended = time.perf_counter()
            record_peak()
    except Exception as failure:  # the kernel did not start or died
        error = error or f"{type(failure).__name__}: {failure}"
        cells_ended = time.perf_counter()
    ended = time.perf_counter()
    return NotebookResult(path.stem, ended - started, cells_ended - cells_started, peak["bytes"],
                          sum(cell.cell_type == "code" for cell in notebook.cells), error, peak["cpu"],
                          sorted(cell_times, key=lambda item: -item[1])[:3])


def run(quick: bool = False, log=print, directory: Path = NOTEBOOK_DIR,
        blas_threads: int | None = None) -> list[NotebookResult]:
    """Execute every ``notebooks/*.ipynb`` (none is fine: an empty list)."""
    paths = sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith("."))
    results = []
    for path in paths:
        result = execute_notebook(path, blas_threads=blas_threads)
        peak = "?" if result.peak_rss_bytes is None else f"{result.peak_rss_bytes / 2**20:.0f} MB"
        log(f"  notebook {path.name}: {result.wall_seconds:.1f} s, peak {peak}" + (f"  ERROR {result.error}" if result.error else ""))
        results.append(result)
    return results
