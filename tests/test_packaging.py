"""The course's two dependency lists (pip and conda/Binder) must name the same packages and bounds."""
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


def environment_dependencies() -> dict[str, str]:
    deps = {}
    in_list = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_list = True
            continue
        if in_list and line.strip().startswith("- "):
            deps.update([_split(line.strip()[2:])])
        elif in_list and line.strip() and not line.startswith(" "):
            in_list = False
    return deps


def test_environment_yml_lists_the_pyproject_dependencies():
    conda = environment_dependencies()
    assert conda.pop("python") == "=3.11"
    conda.pop("pip")
    assert conda == pyproject_dependencies()


def test_no_deep_learning_framework_in_the_course_dependencies():
    names = set(pyproject_dependencies()) | set(environment_dependencies())
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
    assert "course.py test" in (ROOT / ".ci" / "run").read_text()
