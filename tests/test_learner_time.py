"""The reading-time model (tools/learner_time.py) and the times the README and the notebooks state."""
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import learner_time as lt  # noqa: E402
from course_map import course_map, course_notebooks  # noqa: E402

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def tagged(cell, tag):
    cell.metadata["tags"] = [tag]
    return cell


def write(tmp_path, cells):
    path = tmp_path / "99_test.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_prose_is_read_at_150_words_a_minute_and_equations_cost_their_own_time():
    assert lt.prose_seconds(" ".join(["word"] * 150)) == pytest.approx(60)
    assert lt.prose_seconds("$$x^2$$") == pytest.approx(30)
    assert lt.prose_seconds("$a$ and $b$") == pytest.approx(2 * 3 + 60 * 1 / 150)  # "and" is the one word
    fenced = "```python\nv = beta * v\ntheta -= lr * v\n```"
    assert lt.prose_seconds(fenced) == pytest.approx(2 * 3)  # two lines of code, no words


def test_a_code_cell_costs_its_lines_its_run_and_what_it_shows():
    cell = code("x = 1\n\ny = 2")
    cell.outputs = [nbformat.v4.new_output("display_data", {"image/png": "", "text/plain": "<Figure>"}),
                    nbformat.v4.new_output("stream", text="a\nb\nc\n")]
    assert lt.code_seconds(cell) == pytest.approx(10 + 2 * 3 + 30 + 3 * 2)
    widget = code("explorer()")
    widget.outputs = [nbformat.v4.new_output("display_data", {"text/plain": lt.WIDGET_NOTE})]
    assert lt.code_seconds(widget) == pytest.approx(10 + 3 + 120)


def test_a_solution_is_not_read_but_its_size_sets_the_exercise_time():
    solution = tagged(code('def f(x):\n    """Doc."""\n    # why\n    y = x + 1\n    return y\n\ncheck_f(f)'), "solution")
    assert lt.solution_lines(solution) == 2
    assert lt.code_seconds(solution) == 0


def test_optional_sections_last_until_a_heading_of_the_same_level_and_references_are_not_counted(tmp_path):
    words = " ".join(["word"] * 150)  # one minute
    path = write(tmp_path, [
        md(f"# Title\n{words}"),
        md(f"## Core\n{words}"),
        md(f"### *(optional)* Detail\n{words}"),
        md(f"#### Inside the detail\n{words}"),
        md(f"### Back in the core\n{words}"),
        md(f"## Optional deep dive: theory\n{words}\n```python\n# not a heading\n```"),
        md(f"## Exercise\n{words}"),
        tagged(code("def f(x):\n    raise NotImplementedError"), "exercise"),
        md("### Solution"),
        tagged(code("def f(x):\n    y = 2 * x\n    return y"), "solution"),
        md(f"## References\n{words} {words}"),
    ])
    estimate = lt.estimate(path)
    headings = [(s.heading, s.optional) for s in estimate.sections]
    assert ("Inside the detail", True) in headings and ("Back in the core", False) in headings
    assert "not a heading" not in [s.heading for s in estimate.sections]
    # title, core, back in the core, exercise prose: 4 min; the exercise: 5 min + 2 lines x 2 min;
    # the 8 words of the core headings ("Title", "Core", "Back in the core", "Exercise", "Solution")
    assert estimate.core == pytest.approx(4 + 5 + 2 * 2 + 8 / 150)
    assert estimate.extra == pytest.approx(3 + 2 * 3 / 60, abs=0.05)  # detail, inside it, theory (+ fence line)


def test_stated_minutes_are_rounded_to_five():
    assert [lt.stated(m) for m in (1, 56.9, 57.6, 63.4, 66.9)] == [5, 55, 60, 65, 65]


STATED = re.compile(r"\*\*Time:\*\* about (\d+) minutes for the core path.*?plus about (\d+) minutes", re.DOTALL)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name[:2])
def test_the_notebook_and_the_readme_state_the_models_minutes(path):
    estimate = lt.estimate(path)
    expected = (lt.stated(estimate.core), lt.stated(estimate.extra))
    intro = nbformat.read(path, as_version=4).cells[0].source
    match = STATED.search(intro)
    assert match, f"{path.name}: the first cell states no '**Time:** about N minutes for the core path'"
    assert tuple(map(int, match.groups())) == expected, (
        f"{path.name} states {match.groups()} minutes, the model gives {expected}: "
        "run tools/learner_time.py and update the notebook and the README")
    entry = next(e for e in course_map() if e.stem == path.stem)
    assert (entry.minutes, entry.optional_minutes) == expected


def test_every_core_path_is_about_an_hour_at_most():
    for path in course_notebooks():
        estimate = lt.estimate(path)
        assert 40 <= estimate.core < 62.5, (f"{path.name}: core path {estimate.core:.1f} min, over the hour the course promises: "
                                            "shorten it or mark a section *(optional)*")


def test_write_puts_the_models_minutes_into_a_notebook_and_the_readme(tmp_path):
    import shutil

    source = course_notebooks()[0]
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    notebook = nbformat.read(copy, as_version=4)
    notebook.cells[0].source = STATED.sub("**Time:** about 999 minutes for the core path, plus about 888 minutes",
                                          notebook.cells[0].source, count=1)
    nbformat.write(notebook, copy)
    readme = tmp_path / "README.md"
    readme.write_text(f"| 1 | [{source.stem}](notebooks/{source.name}) | topic | build | 999 (+888 optional) |\n")
    assert lt.write_stated([copy], readme) == [copy.name, "README.md"]
    estimate = lt.estimate(copy)
    expected = f"{lt.stated(estimate.core)} (+{lt.stated(estimate.extra)} optional)"
    assert readme.read_text().rstrip().endswith(f"| {expected} |")
    match = STATED.search(nbformat.read(copy, as_version=4).cells[0].source)
    assert tuple(map(int, match.groups())) == (lt.stated(estimate.core), lt.stated(estimate.extra))
    assert lt.write_stated([copy], readme) == []  # nothing left to change
