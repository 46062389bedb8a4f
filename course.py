#!/usr/bin/env python3
"""Set up and run the nnopt course with one command each (needs only Python 3.11+ and pip).

    python3 course.py start    # create .venv, install the course, open JupyterLab on your copies
    python3 course.py fresh 03 # a fresh copy of notebook 03 in my-notebooks/ (yours kept as a backup)
    python3 course.py test     # create .venv, install the course and its tests, run every test
    python3 course.py test --portable   # the notebooks again, under other CPU kernels and nudged inputs
    python3 course.py bench    # create .venv, install, print the benchmark table
    python3 course.py lock     # refresh the pinned versions (requirements/lock.txt, environment.yml)
    python3 course.py site [03 ...]  # build site/: the course as web pages and slides, offline
    python3 course.py release  # write release/learner/ (no solutions) and release/instructor/
    python3 course.py grade SUBMISSION.ipynb ...   # grade submissions, write grades.csv

Everything goes into ./.venv, so nothing outside the folder is touched. Every package is
installed at the version pinned in requirements/lock.txt, once: after that, start and test
install nothing and need no network, until pyproject.toml or the lock file changes.
"""
from __future__ import annotations

import hashlib
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


# Exact versions of everything the course, its tests and its tools install (pip's constraints
# format). `python3 course.py lock` refreshes it; environment.yml (Binder) carries the same pins.
LOCK = ROOT / "requirements" / "lock.txt"
# What the environment was last installed from: once it matches, start and test install nothing
# (and need no network); a changed pyproject.toml or lock file, or a missing .venv, installs again.
STAMP = VENV / "nnopt-installed.txt"
PIP = ["-m", "pip", "--disable-pip-version-check"]


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed() -> tuple[str, set[str]]:
    """(digest, extras) of the last successful install, or ("", set()) if there was none."""
    try:
        digest, _, extras = STAMP.read_text().strip().partition(" ")
    except OSError:
        return "", set()
    return digest, set(filter(None, extras.split(",")))


def ensure_environment(extras: str = "") -> None:
    """Create ./.venv and install nnopt (with ``extras``) at the locked versions, once."""
    if sys.version_info < (3, 11):
        sys.exit(f"nnopt needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not LOCK.exists():
        sys.exit(f"{LOCK.relative_to(ROOT)} is missing: it pins every package the course installs. "
                 "Restore it (git checkout requirements/lock.txt) or run: python3 course.py lock")
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
    wanted = set(filter(None, extras.split(",")))
    digest, have = _installed()
    if digest == _inputs_digest() and wanted <= have:
        return  # up to date: nothing to install, no network needed
    if digest != _inputs_digest():
        have = set()
    extras_now = sorted(wanted | have)
    target = f".[{','.join(extras_now)}]" if extras_now else "."
    try:
        # The build backend comes from the lock too (no build isolation), so the whole install
        # uses pinned versions only.
        run(PYTHON, *PIP, "install", "-q", "-c", LOCK, "setuptools")
        run(PYTHON, *PIP, "install", "-q", "-c", LOCK, "--no-build-isolation", "-e", target)
    except subprocess.CalledProcessError as error:
        STAMP.unlink(missing_ok=True)
        sys.exit(f"Installing the course failed (pip exited with {error.returncode}); see pip's message above. "
                 "The first set-up needs a connection to the package index; after that none is needed.")
    STAMP.write_text(f"{_inputs_digest()} {','.join(extras_now)}\n")


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


def _test_environment() -> dict[str, str]:
    env = {**os.environ, **SINGLE_THREADED, "PYTHONHASHSEED": "0"}
    env.pop("MPLBACKEND", None)  # the notebooks need the inline backend to show their figures
    return env


def test(portable: bool = False) -> int:
    """Every test: the unit tests and every notebook under strict nbval (``--portable``: see below)."""
    ensure_environment("test,browser")  # browser: Playwright for tests/browser/ (chromium from the OS)
    if portable:
        return test_portable()
    print("+", "python", " ".join(PYTEST_ARGS), flush=True)
    return subprocess.run([str(PYTHON), *PYTEST_ARGS], cwd=ROOT, env=_test_environment()).returncode


# The ways a learner's machine computes differently from the one that executed the notebooks.
# `test --portable` runs every notebook under strict nbval once per variant: a notebook passes
# only if every number it prints survives all of them.
NUDGE_STARTUP = ROOT / "tools" / "portability" / "nudge.py"
PORTABILITY_VARIANTS = {
    "NumPy without its AVX2/FMA kernels (x86-64-v2 SIMD, as on older CPUs)": {"NPY_DISABLE_CPU_FEATURES": "X86_V3"},
    "OpenBLAS on its Sandybridge kernels (AVX, no FMA)": {"OPENBLAS_CORETYPE": "Sandybridge"},
    "OpenBLAS on its Nehalem kernels (SSE only)": {"OPENBLAS_CORETYPE": "Nehalem"},
    "inputs moved by one unit in the last place (start points, initial weights, data)": {"NNOPT_NUDGE": "1"},
}
NOTEBOOK_ARGS = [arg for arg in PYTEST_ARGS if arg != "tests"]


def test_portable() -> int:
    import platform
    import tempfile

    failed = []
    x86 = platform.machine().lower() in {"x86_64", "amd64"}
    for name, variables in PORTABILITY_VARIANTS.items():
        if not x86 and "NNOPT_NUDGE" not in variables:
            print(f"skipped on {platform.machine()}: {name}", flush=True)
            continue
        env = {**_test_environment(), **variables}
        with tempfile.TemporaryDirectory() as ipython_dir:
            if "NNOPT_NUDGE" in variables:  # loaded by every kernel nbval starts
                startup = Path(ipython_dir) / "profile_default" / "startup"
                startup.mkdir(parents=True)
                (startup / "00-nnopt-nudge.py").write_text(NUDGE_STARTUP.read_text())
                env["IPYTHONDIR"] = ipython_dir
            print(f"\n=== portability: {name} ({' '.join(f'{k}={v}' for k, v in variables.items())})", flush=True)
            code = subprocess.run([str(PYTHON), *NOTEBOOK_ARGS], cwd=ROOT, env=env).returncode
        if code:
            failed.append(name)
    if failed:
        print("\nNotebook outputs that depend on the machine, under: " + "; ".join(failed), flush=True)
        return 1
    print("\nEvery notebook output is the same under every portability variant.", flush=True)
    return 0


def lock() -> int:
    """Refresh requirements/lock.txt and environment.yml's pins with the newest releases."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        python = Path(folder) / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
        venv.EnvBuilder(with_pip=True).create(folder)
        extras = ",".join(LOCKED_EXTRAS)
        run(python, *PIP, "install", "-q", "--upgrade", "setuptools")
        run(python, *PIP, "install", "-q", "--no-build-isolation", f".[{extras}]")
        frozen = subprocess.run([str(python), *PIP, "freeze", "--all", "--exclude", "nnopt", "--exclude", "pip"],
                                capture_output=True, text=True, check=True).stdout
    pins = sorted((line.strip() for line in frozen.splitlines() if "==" in line), key=str.lower)
    LOCK.parent.mkdir(exist_ok=True)
    LOCK.write_text(LOCK_HEADER + "\n".join(pins) + "\n")
    environment = ROOT / "environment.yml"
    text = environment.read_text()
    head = text[: text.index("  - pip:\n")]
    environment.write_text(head + "  - pip:\n" + "".join(f"      - {pin}\n" for pin in pins))
    print(f"Wrote {len(pins)} pins to {LOCK.relative_to(ROOT)} and environment.yml.\n"
          "Now re-execute every notebook (.venv/bin/python tools/execute_notebooks.py), run "
          "python3 course.py test and test --portable, and commit the lock with the notebooks.")
    return 0


LOCKED_EXTRAS = ("test", "browser")
LOCK_HEADER = """\
# Exact versions of everything `python3 course.py start` and `test` install (pip constraints).
# The notebooks' committed outputs were produced with these. Refresh with `python3 course.py lock`,
# then re-execute every notebook and commit both. environment.yml (Binder) carries the same pins.
"""


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
    commands = {"start": start, "test": test, "bench": bench, "lock": lock}
    if argv[:1] == ["test"] and argv[1:] in ([], ["--portable"]):
        return test(portable=bool(argv[1:]))
    with_arguments = {"fresh": fresh, "site": site, "release": release, "grade": grade}
    if argv and argv[0] in with_arguments and (argv[0] != "fresh" or len(argv) == 2):
        return with_arguments[argv[0]](*argv[1:]) or 0
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]]() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
