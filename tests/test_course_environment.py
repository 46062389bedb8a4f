"""course.py installs once: with an up-to-date .venv, start and test run no pip (no network)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("course_under_test", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    python = tmp_path / "python"
    python.write_text("")
    monkeypatch.setattr(module, "PYTHON", python)
    monkeypatch.setattr(module, "STAMP", tmp_path / "stamp.txt")
    calls = []
    monkeypatch.setattr(module, "run", lambda *args, **kwargs: calls.append([str(a) for a in args]))
    module.calls = calls
    return module


def test_a_fresh_environment_installs_from_the_lock_without_build_isolation(course):
    course.ensure_environment("test")
    assert len(course.calls) == 2
    assert all("-c" in call and str(course.LOCK) in call for call in course.calls)
    assert "--no-build-isolation" in course.calls[1] and course.calls[1][-1] == ".[test]"
    assert course.STAMP.read_text().split() == [course._inputs_digest(), "test"]


def test_an_up_to_date_environment_installs_nothing(course):
    course.STAMP.write_text(f"{course._inputs_digest()} test\n")
    course.ensure_environment("test")
    course.ensure_environment("")  # start needs a subset of what test installed
    assert course.calls == []


def test_new_extras_or_changed_inputs_install_again(course):
    course.STAMP.write_text(f"{course._inputs_digest()}\n")
    course.ensure_environment("test")
    assert course.calls[-1][-1] == ".[test]"
    course.calls.clear()
    course.STAMP.write_text("0123abcd test\n")  # pyproject.toml or the lock changed since
    course.ensure_environment("")
    assert len(course.calls) == 2 and course.calls[-1][-1] == "."


def test_a_failed_install_leaves_no_stamp(course, monkeypatch):
    def failing(*args, **kwargs):
        raise subprocess.CalledProcessError(1, args)

    monkeypatch.setattr(course, "run", failing)
    with pytest.raises(SystemExit, match="Installing the course failed"):
        course.ensure_environment("test")
    assert not course.STAMP.exists()


def test_the_portability_variants_change_the_arithmetic_the_issue_names():
    spec = importlib.util.spec_from_file_location("course_variants", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    settings = [variables for variables in module.PORTABILITY_VARIANTS.values()]
    assert {"NPY_DISABLE_CPU_FEATURES": "X86_V3"} in settings
    assert sum("OPENBLAS_CORETYPE" in variables for variables in settings) >= 2
    assert module.NUDGE_STARTUP.exists() and "tests" not in module.NOTEBOOK_ARGS


def test_the_nudge_moves_inputs_by_exactly_one_ulp():
    code = (
        "import numpy as np, runpy\n"
        "from nnopt.landscapes import trajectory, make_factory\n"
        "from nnopt.nn import mlp\n"
        "from nnopt.data import Standardizer\n"
        "def inputs():\n"
        "    import nnopt.landscapes as L, nnopt.nn as N\n"
        "    start = L.trajectory(make_factory('sgd', lr=0.1), 'quadratic', [1.0, 2.0], 1).path[0]\n"
        "    weights = np.concatenate([p.value.ravel() for p in N.mlp([3, 2], seed=0).parameters()])\n"
        "    X = np.array([[1.0], [3.0]])\n"
        "    return start, weights, Standardizer().fit(X).transform(X).ravel()\n"
        "before = inputs()\n"
        "runpy.run_path(%r)\n"
        "after = inputs()\n"
        "for b, a in zip(before, after):\n"
        "    print(bool(np.all(a == np.nextafter(b, np.inf))))\n"
    ) % str(ROOT / "tools" / "portability" / "nudge.py")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]
