#!/usr/bin/env python3
"""Set up and run the nnopt course with one command each (needs only Python 3.11+ and pip).

    python3 course.py start    # create .venv, install the course, open JupyterLab on your copies
    python3 course.py fresh 03 # a fresh copy of notebook 03 in my-notebooks/ (yours kept as a backup)
    python3 course.py test     # create .venv, install the course and its tests, run every test
    python3 course.py bench    # create .venv, install, print the benchmark table
    python3 course.py site     # build site/: the course as web pages and slides, works offline
    python3 course.py release  # write release/learner/ (no solutions) and release/instructor/
    python3 course.py grade SUBMISSION.ipynb ...   # grade submissions, write grades.csv

Everything goes into ./.venv, so nothing outside the folder is touched. Running a command
again reuses the environment and only installs what is missing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# The test command the README gives and CI runs: unit tests plus every notebook under nbval in
# strict mode (outputs compared, not --nbval-lax), in the installed environment, notebooks whole
# per worker (--dist loadfile) because a notebook's cells share one kernel.
PYTEST_ARGS = [
    "-m", "pytest",
    "-n", "2", "--dist", "loadfile",
    "--nbval", "--nbval-current-env",
    "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
    "-p", "no:cacheprovider",
    "tests", "notebooks",
]


def run(*args: str | os.PathLike, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_environment(extras: str = "") -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"nnopt needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except (subprocess.CalledProcessError, OSError) as error:
            sys.exit(
                f"Could not create {VENV} with pip inside it ({error}).\n"
                "On Debian or Ubuntu install the venv module first: sudo apt install python3-venv\n"
                "then delete the half-made .venv folder and run this command again."
            )
    target = f".[{extras}]" if extras else "."
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target)


# One BLAS thread: the course's matrices are small, and several threads per process only
# fight over the cores (and make timings noisy) when tests or notebooks run side by side.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_tool(name: str, *args: str) -> int:
    """Run tools/NAME in the course environment; the tool handles Ctrl+C itself."""
    process = subprocess.Popen([str(PYTHON), str(ROOT / "tools" / name), *args], cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def start() -> int:
    ensure_environment()
    return run_tool("course_start.py", "lab")


def fresh(notebook: str) -> int:
    ensure_environment()
    return run_tool("course_start.py", "fresh", notebook)


def test() -> int:
    ensure_environment("test")
    env = {**os.environ, **SINGLE_THREADED, "PYTHONHASHSEED": "0"}
    env.pop("MPLBACKEND", None)  # the notebooks need the inline backend to show their figures
    print("+", "python", " ".join(PYTEST_ARGS), flush=True)
    return subprocess.run([str(PYTHON), *PYTEST_ARGS], cwd=ROOT, env=env).returncode


def bench() -> int:
    ensure_environment()
    return subprocess.run([str(PYTHON), "-m", "benchmarks"], cwd=ROOT).returncode


def site(*args: str) -> int:
    ensure_environment()
    return run_tool("site.py", *args)


def release(*args: str) -> int:
    ensure_environment()
    return run_tool("release.py", *args)


def grade(*args: str) -> int:
    ensure_environment()
    return run_tool("grade.py", *args)


def main(argv: list[str]) -> int:
    commands = {"start": start, "test": test, "bench": bench}
    with_arguments = {"fresh": fresh, "site": site, "release": release, "grade": grade}
    if argv and argv[0] in with_arguments and (argv[0] != "fresh" or len(argv) == 2):
        return with_arguments[argv[0]](*argv[1:]) or 0
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]]() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
