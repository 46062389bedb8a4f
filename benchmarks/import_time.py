"""Section 3: how long ``import nnopt`` takes in a fresh interpreter.

Wall time of ``python -c "import nnopt"`` minus ``python -c "pass"`` (interpreter start-up),
median of several runs, alternating the two so drift hits both; this includes NumPy, which
nnopt imports. The same difference in CPU time (user + system of the child) is reported next
to it: it does not grow when other processes compete for the cores. ``python -X importtime`` splits the cumulative time between nnopt itself and
NumPy. The line "course imports" times what a notebook's first cell typically loads
(``nnopt.nn``, ``nnopt.optim``, ``nnopt.data``, ``nnopt.train``). Child processes get the
environment the benchmark was started with (BLAS threads not pinned), as a learner has.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from .machine import original_environment

COURSE_IMPORTS = "import nnopt, nnopt.nn, nnopt.optim, nnopt.data, nnopt.train"


@dataclass
class ImportResult:
    nnopt_seconds: float | None          # median wall time of `import nnopt` above `pass`
    course_seconds: float | None         # same for COURSE_IMPORTS
    nnopt_cumulative_us: int | None      # -X importtime: nnopt's cumulative (includes numpy)
    numpy_cumulative_us: int | None
    nnopt_cpu_seconds: float | None = None   # same, CPU time (user + system) of the child
    course_cpu_seconds: float | None = None
    error: str | None = None


def _wall_and_cpu(code: str, env) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of ``python -c code`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _importtime(code: str, env) -> dict[str, int]:
    """Cumulative µs of each top-level package from ``python -X importtime``."""
    stderr = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, check=True,
                            capture_output=True, text=True).stderr
    cumulative = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, total, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if total.isdigit() and name in ("nnopt", "numpy"):
            cumulative[name] = max(cumulative.get(name, 0), int(total))
    return cumulative


def run(quick: bool = False, log=print) -> ImportResult:
    env = original_environment()
    repeats = 5 if quick else 11
    try:
        _wall_and_cpu("import nnopt", env)  # warm the file-system cache and the .pyc files
        _wall_and_cpu(COURSE_IMPORTS, env)
        base, plain, course = [], [], []
        for _ in range(repeats):
            base.append(_wall_and_cpu("pass", env))
            plain.append(_wall_and_cpu("import nnopt", env))
            course.append(_wall_and_cpu(COURSE_IMPORTS, env))
        start = statistics.median(w for w, _ in base)
        start_cpu = statistics.median(c for _, c in base)
        breakdown = [_importtime("import nnopt", env) for _ in range(3 if quick else 5)]
    except subprocess.CalledProcessError as error:
        return ImportResult(None, None, None, None, error=error.stderr.decode(errors="replace").strip().splitlines()[-1])
    result = ImportResult(
        nnopt_seconds=statistics.median(w for w, _ in plain) - start,
        course_seconds=statistics.median(w for w, _ in course) - start,
        nnopt_cpu_seconds=statistics.median(c for _, c in plain) - start_cpu,
        course_cpu_seconds=statistics.median(c for _, c in course) - start_cpu,
        nnopt_cumulative_us=int(statistics.median(b.get("nnopt", 0) for b in breakdown)),
        numpy_cumulative_us=int(statistics.median(b.get("numpy", 0) for b in breakdown)),
    )
    log(f"  import nnopt: {result.nnopt_seconds * 1e3:.0f} ms; course imports {result.course_seconds * 1e3:.0f} ms")
    return result
