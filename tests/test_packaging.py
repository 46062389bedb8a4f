"""The course's pins (requirements/lock.txt, environment.yml for Binder) and pyproject's bounds agree."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _split(requirement: str) -> tuple[str, str]:
    name, bound = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def pyproject_dependencies() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return dict(_split(r) for r in project["dependencies"])


def environment_yml() -> tuple[dict[str, str], dict[str, str]]:
    """(conda dependencies, pip pins) of environment.yml."""
    conda, pip = {}, {}
    section = None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.strip()
        if line.startswith("dependencies:"):
            section = conda
        elif stripped == "- pip:":
            section = pip
        elif section is not None and stripped.startswith("- "):
            section.update([_split(stripped[2:])])
        elif section is not None and stripped and not line.startswith(" "):
            section = None
    return conda, pip


def lock_pins() -> dict[str, str]:
    lines = (ROOT / "requirements" / "lock.txt").read_text().splitlines()
    return dict(_split(line) for line in lines if line.strip() and not line.startswith("#"))


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_every_lock_entry_is_an_exact_pin():
    pins = lock_pins()
    assert len(pins) > 50  # the whole environment, not only the direct dependencies
    for name, bound in pins.items():
        assert re.fullmatch(r"==[0-9][0-9A-Za-z.+!-]*", bound), f"{name}{bound} is not an exact pin"


def test_environment_yml_carries_the_lock_pins_exactly():
    conda, pip = environment_yml()
    assert conda.pop("python") == "=3.11"
    assert conda == {"pip": ""}
    assert pip == lock_pins()


def test_the_lock_satisfies_the_pyproject_lower_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pins = lock_pins()
    for requirement in requirements:
        name, bound = _split(requirement)
        assert name in pins, f"{name} (pyproject.toml) is missing from requirements/lock.txt"
        if bound.startswith(">="):
            assert _version(pins[name]) >= _version(bound), f"{name}{pins[name]} violates {bound}"


def test_build_backend_is_pinned_to_the_locked_setuptools_and_takes_the_spdx_licence():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["build-system"]["requires"] == [f"setuptools{lock_pins()['setuptools']}"]
    assert _version(lock_pins()["setuptools"]) >= (77,)  # needed for license = "MIT"
    assert pyproject["project"]["license"] == "MIT"


def test_no_deep_learning_framework_in_the_course_dependencies():
    names = set(pyproject_dependencies()) | set(lock_pins())
    assert not names & {"torch", "tensorflow", "jax", "jaxlib", "keras"}


def test_import_nnopt_does_not_load_plotting_or_widgets():
    code = (
        "import sys, nnopt, nnopt.nn, nnopt.data, nnopt.optim, nnopt.schedules, nnopt.landscapes, nnopt.train, "
        "nnopt.exercises, nnopt.widgets; "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_binder_files_install_the_package():
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test\n" in ci and "python3 course.py test --portable" in ci
