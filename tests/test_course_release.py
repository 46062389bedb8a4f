"""course.py release: learner editions carry no solution; instructor editions are as committed."""
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import cells  # noqa: E402
import release  # noqa: E402

SOLUTION_CODE = "def square(x):\n    return x * x  # THE-ANSWER"


def course_notebook(tag_heading=True):
    widget = new_output("execute_result", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(FloatSlider(value=0.9,"}, execution_count=2)
    return new_notebook(cells=[
        new_markdown_cell("# 1 · Squares"),
        new_code_cell("print(4)", outputs=[new_output("stream", name="stdout", text="4\n")]),
        new_code_cell("explorer()", outputs=[widget], metadata={"tags": ["nbval-ignore-output"]}),
        new_markdown_cell("## Exercise: square"),
        new_code_cell("def square(x):\n    raise NotImplementedError\n\ncheck_square(square)",
                      metadata={"tags": ["exercise", "checker"]},
                      outputs=[new_output("stream", name="stdout", text="not implemented yet\n")]),
        new_markdown_cell("### Solution", metadata={"tags": ["solution"] if tag_heading else []}),
        new_code_cell(SOLUTION_CODE + "\n\ncheck_square(square)", metadata={"tags": ["solution"]},
                      outputs=[new_output("stream", name="stdout", text="passed 3/3\n")]),
        new_markdown_cell("## Summary"),
    ])


@pytest.mark.parametrize("tag_heading", [True, False])
def test_learner_edition_drops_solutions_and_clears_exercise_outputs(tag_heading):
    learner = release.learner_edition(course_notebook(tag_heading))
    text = json.dumps(learner)
    assert "THE-ANSWER" not in text and "passed 3/3" not in text and "### Solution" not in text
    exercise = [c for c in learner.cells if cells.has_tag(c, "exercise")]
    assert len(exercise) == 1 and exercise[0].outputs == [] and "NotImplementedError" in exercise[0].source
    assert learner.cells[1].outputs[0]["text"] == "4\n"  # other outputs are kept
    assert [c.source for c in learner.cells][-1] == "## Summary"


def test_saved_widget_outputs_read_well_without_a_kernel():
    learner = release.learner_edition(course_notebook())
    data = learner.cells[2].outputs[0]["data"]
    assert data["text/plain"] == cells.WIDGET_NOTE
    assert cells.WIDGET_MIME not in data and "VBox" not in json.dumps(learner)


def test_an_untagged_solution_stops_the_release(tmp_path):
    notebook = course_notebook()
    notebook.cells[5].metadata["tags"] = []
    notebook.cells[6].metadata["tags"] = []
    path = tmp_path / "01_squares.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(release.UntaggedSolution, match="cell 5 looks like a solution"):
        release.release([path], tmp_path / "release")
    assert not (tmp_path / "release").exists()


def test_release_writes_both_editions(tmp_path):
    path = tmp_path / "01_squares.ipynb"
    nbformat.write(course_notebook(), path)
    assert release.main([str(path), "--out", str(tmp_path / "release")]) == 0
    learner = nbformat.read(tmp_path / "release" / "learner" / path.name, as_version=4)
    instructor = nbformat.read(tmp_path / "release" / "instructor" / path.name, as_version=4)
    assert len(learner.cells) == 6 and len(instructor.cells) == 8
    assert SOLUTION_CODE in instructor.cells[6].source


def test_tag_report_finds_untagged_exercises_checkers_and_solutions():
    notebook = course_notebook(tag_heading=False)
    notebook.cells[4].metadata["tags"] = []
    report = cells.untagged_cells(notebook)
    assert any("cell 4 looks like an exercise stub" in line for line in report)
    assert any("cell 4 calls check_square" in line for line in report)
    assert any("cell 5 looks like a solution" in line for line in report)
    assert len(report) == 3


def test_learner_edition_clears_what_the_reference_solution_computed_and_the_repeated_check():
    notebook = course_notebook()
    stub = notebook.cells[4]
    stub.metadata["tags"] = ["exercise"]
    stub.source = "def square(x):\n    raise NotImplementedError"
    check = new_code_cell("check_square(square)", metadata={"tags": ["checker"]},
                          outputs=[new_output("stream", name="stdout", text="not implemented yet\n")])
    recheck = new_code_cell("check_square(square)", metadata={"tags": ["checker"]},
                            outputs=[new_output("stream", name="stdout", text="passed 3/3\n")])
    uses = new_code_cell("print(square(12))", outputs=[new_output("stream", name="stdout", text="144\n")])
    notebook.cells[5:5] = [check]
    notebook.cells[8:8] = [recheck, uses]        # after the solution: a re-check, then a use of it
    learner = release.learner_edition(notebook)
    text = json.dumps(learner)
    assert "144" not in text and "passed 3/3" not in text
    assert [c.source for c in learner.cells].count("check_square(square)") == 1
    assert learner.cells[1].outputs[0]["text"] == "4\n"   # a cell before the exercise keeps its output


@pytest.mark.parametrize("heading", ["### Solution", "**Solution.** Two lines:", "__Solution__"])
def test_an_untagged_solution_is_refused_whatever_its_heading(heading):
    notebook = course_notebook()
    notebook.cells[5] = new_markdown_cell(heading)                 # untagged heading
    notebook.cells[6].metadata["tags"] = []                        # and an untagged solution below it
    with pytest.raises(release.UntaggedSolution):
        release.learner_edition(notebook)


def test_an_untagged_cell_that_calls_a_checker_is_refused_even_without_a_heading():
    notebook = course_notebook()
    del notebook.cells[5]                                          # no heading at all
    notebook.cells[5].metadata["tags"] = []                        # the solution cell, untagged
    with pytest.raises(release.UntaggedSolution, match="calls check_square but has neither"):
        release.learner_edition(notebook)
