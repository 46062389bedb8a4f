"""course.py grade: every submission is graded, hostile ones included, and grading goes on."""
import csv
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grade  # noqa: E402

# Stands in for an nnopt checker: it logs its record the way run_checks does (write_grade_record).
FAKE_CHECKER = '''
import json, os
def check_square(fn):
    cases = [(0, 0), (2, 4), (-3, 9)]
    try:
        passed = [fn(x) == want for x, want in cases]
        failure = "" if all(passed) else f"square({cases[passed.index(False)][0]}): wrong value"
    except NotImplementedError:
        passed, failure = [False], "not implemented yet"
    record = {"checker": "check_square", "exercise": "square", "passed": all(passed),
              "n_passed": sum(passed), "n_checks": len(passed), "first_failure": failure}
    from nnopt.exercises.feedback import write_grade_record
    write_grade_record(record)
    return record
'''
STUB = "def square(x):\n    raise NotImplementedError\n\n\ncheck_square(square)"


def notebook(exercise_source=STUB, extra=(), solution=True):
    cells = [new_code_cell(FAKE_CHECKER), new_markdown_cell("## Exercise: square"),
             new_code_cell(exercise_source, metadata={"tags": ["exercise", "checker"]}), *extra]
    if solution:
        cells += [new_markdown_cell("### Solution", metadata={"tags": ["solution"]}),
                  new_code_cell("def square(x):\n    return x * x\n\n\ncheck_square(square)",
                                metadata={"tags": ["solution"]})]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})


SUBMISSIONS = {
    "right": notebook("def square(x):\n    return x * x\n\n\ncheck_square(square)", solution=False),
    "wrong": notebook("def square(x):\n    return x + x\n\n\ncheck_square(square)", solution=False),
    "untouched_with_solution": notebook(),  # the solution cells are not graded
    "endless_loop": notebook("while True:\n    pass\n\ndef square(x):\n    return x * x\n\ncheck_square(square)"),
    "swallows_interrupt": notebook("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
                                   "    except KeyboardInterrupt:\n        pass\n\ncheck_square(lambda x: x * x)"),
    "sys_exit": notebook("import sys\nsys.exit()\ncheck_square(lambda x: x * x)"),
    "os_exit": notebook("import os\nos._exit(3)\ncheck_square(lambda x: x * x)"),
    "crash": notebook("import ctypes\nctypes.string_at(0)\ncheck_square(lambda x: x * x)"),
    # a wrong answer, then a forged "passed" line for the same checker: the checker's own record counts
    "forges_a_pass": notebook("def square(x):\n    return x + x\n\n\ncheck_square(square)\n"
                              "from nnopt.exercises.feedback import write_grade_record\n"
                              "write_grade_record({'checker': 'check_square', 'exercise': 'square', 'passed': True,"
                              " 'n_passed': 3, 'n_checks': 3, 'first_failure': ''})", solution=False,
                              extra=[new_code_cell("import json\nfrom nnopt.exercises.feedback import _grading\n"
                                                   "open(_grading['path'], 'a').write(json.dumps({'checker': "
                                                   "'check_square', 'passed': True, 'n_passed': 3, 'n_checks': 3})"
                                                   " + '\\n')")]),
    "deleted": new_notebook(cells=[new_code_cell(FAKE_CHECKER), new_markdown_cell("## Exercise: square")]),
    "not_json": None,
}
EXPECTED = {  # passed, checks, the reason or failure starts with
    "right": ("yes", "3", ""),
    "wrong": ("no", "2", "square(-3): wrong value"),
    "untouched_with_solution": ("no", "0", "not implemented yet"),
    "endless_loop": ("no", "0", "timed out (cell 2)"),
    "swallows_interrupt": ("no", "0", "timed out (cell 2)"),
    "sys_exit": ("no", "0", "kernel died / sys.exit"),
    "os_exit": ("no", "0", "kernel died / sys.exit (cell 2)"),
    "crash": ("no", "0", "kernel died / sys.exit (cell 2)"),
    "forges_a_pass": ("no", "2", "square(-3): wrong value"),
    "deleted": ("no", "0", "exercise cell deleted"),
    "not_json": ("no", "0", "not a notebook"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grading")
    committed = folder / "course" / "01_square.ipynb"
    committed.parent.mkdir()
    nbformat.write(notebook(), committed)
    paths = []
    for name, submission in SUBMISSIONS.items():
        path = folder / "submitted" / name / "01_square.ipynb"
        path.parent.mkdir(parents=True)
        if submission is None:
            path.write_text("{ this is not json")
        else:
            nbformat.write(submission, path)
        paths.append(path)
    out = folder / "grades.csv"
    argv = [*map(str, paths), "--out", str(out), "--cell-timeout", "3", "--against", str(committed)]
    assert grade.main(argv) == 0
    with open(out, newline="") as handle:
        return {Path(row["submission"]).parent.name: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("name", list(SUBMISSIONS))
def test_each_submission_gets_its_grade_and_reason(graded, name):
    passed, checks, detail = EXPECTED[name]
    row = graded[name]
    assert row["checker"] == "check_square"
    assert (row["passed"], row["checks_passed"]) == (passed, checks)
    assert row["first_failure"].startswith(detail), row["first_failure"]


def test_every_submission_has_a_row(graded):
    assert set(graded) == set(SUBMISSIONS)


def test_expected_checkers_come_from_checker_tagged_cells_only():
    nb = notebook(extra=[new_code_cell("check_other(f)")])  # untagged: not an exercise of the notebook
    assert grade.expected_checkers(nb) == ["check_square"]


def test_submission_is_matched_to_its_committed_notebook(tmp_path):
    course = tmp_path / "notebooks"
    course.mkdir()
    for stem in ("01_first", "02_second"):
        (course / f"{stem}.ipynb").write_text("{}")
    assert grade.committed_notebook(Path("alice/02_second.ipynb"), course).name == "02_second.ipynb"
    assert grade.committed_notebook(Path("bob-01_first-final.ipynb"), course).name == "01_first.ipynb"
    assert grade.committed_notebook(Path("02_mine.ipynb"), course).name == "02_second.ipynb"
    assert grade.committed_notebook(Path("homework.ipynb"), course) is None


def test_table_lists_submission_exercise_and_reason():
    rows = [grade.Row("a.ipynb", "check_square", "square", True, 3, 3),
            grade.Row("b.ipynb", "check_square", "square", first_failure="timed out (cell 2)")]
    text = grade.table(rows).splitlines()
    assert text[0].split() == ["submission", "exercise", "passed", "checks", "first", "failure", "/", "reason"]
    assert text[1].split() == ["a.ipynb", "square", "yes", "3/3"]
    assert text[2].split() == ["b.ipynb", "square", "no", "-", "timed", "out", "(cell", "2)"]


def test_an_error_in_the_exercise_cell_is_named_not_its_symptom_in_the_checker_cell():
    cells = [new_code_cell(FAKE_CHECKER),
             new_code_cell("import numpy_does_not_exist\ndef square(x):\n    return x * x",
                           metadata={"tags": ["exercise"]}),
             new_code_cell("check_square(square)", metadata={"tags": ["checker"]})]
    submission = new_notebook(cells=cells)
    for error, reason in (("ModuleNotFoundError: No module named 'numpy_does_not_exist'",
                           "error in the exercise cell 1: ModuleNotFoundError"),
                          ("SystemExit", "kernel died / sys.exit (cell 1: SystemExit)")):
        run = grade.Run()
        run.errors = {1: error, 2: "NameError: name 'square' is not defined"}
        assert grade.reason_without_result("check_square", submission, submission, run).startswith(reason)
