"""What the course's tools need to know about notebook cells: tags, checker calls, widget outputs.

The tags are the course's contract (see README, "For instructors"):
``exercise`` (the stub a learner edits), ``checker`` (the cell calling ``check_*(...)``),
``solution`` (the reference solution, removed from learner editions) and
``nbval-ignore-output``. nbgrader users can map ``solution`` to nbgrader's "Autograded answer"
and ``checker`` to "Autograder tests".
"""
from __future__ import annotations

import re

EXERCISE, CHECKER, SOLUTION, IGNORE_OUTPUT = "exercise", "checker", "solution", "nbval-ignore-output"
CHECKER_CALL = re.compile(r"\b(check_\w+)\s*\(")
_DEFINITION = re.compile(r"^\s*(def|from|import)\b")
_SOLUTION_HEADING = re.compile(r"^\s*(#+\s*|\*\*\s*|__\s*)(a\s+|reference\s+|one\s+)?solutions?\b", re.IGNORECASE)
_STUB = re.compile(r"raise\s+NotImplementedError|YOUR CODE HERE", re.IGNORECASE)

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: What a saved widget output says when no kernel runs it (the state of a live widget is not kept).
WIDGET_NOTE = ("Live widget: run this cell in JupyterLab (after the cells above) to move the sliders; "
               "the static figure beside it shows the same function.")


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def has_tag(cell, tag: str) -> bool:
    return tag in tags(cell)


def source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def checker_calls(cell) -> list[str]:
    """Names of the ``check_*`` functions a code cell calls (not the ones it only imports)."""
    if cell.get("cell_type") != "code":
        return []
    names = []
    for line in source(cell).splitlines():
        if _DEFINITION.match(line):
            continue
        names += [name for name in CHECKER_CALL.findall(line) if name not in names]
    return names


def expected_checkers(notebook) -> list[str]:
    """The checkers a notebook grades: the calls in its ``checker``-tagged cells, in order."""
    names: list[str] = []
    for cell in notebook.cells:
        if has_tag(cell, CHECKER):
            names += [name for name in checker_calls(cell) if name not in names]
    return names


def looks_like_solution(cell, previous=None) -> bool:
    """A "### Solution" heading, or a code cell right after one, or a hidden cell calling a checker."""
    if cell.get("cell_type") == "markdown":
        return bool(_SOLUTION_HEADING.match(source(cell)))
    hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
    after_heading = previous is not None and looks_like_solution(previous)
    return after_heading or (hidden and bool(checker_calls(cell)))


def looks_like_exercise(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_STUB.search(source(cell)))


def untagged_cells(notebook) -> list[str]:
    """One line per cell that looks like a solution, exercise or checker but lacks the tag."""
    problems = []
    previous = None
    for index, cell in enumerate(notebook.cells):
        first = source(cell).strip().splitlines()[0][:60] if source(cell).strip() else ""
        if looks_like_solution(cell, previous) and not has_tag(cell, SOLUTION):
            problems.append(f"cell {index} looks like a solution but has no '{SOLUTION}' tag: {first}")
        elif not has_tag(cell, SOLUTION):
            if looks_like_exercise(cell) and not has_tag(cell, EXERCISE):
                problems.append(f"cell {index} looks like an exercise stub but has no '{EXERCISE}' tag: {first}")
            if checker_calls(cell) and not has_tag(cell, CHECKER):
                problems.append(f"cell {index} calls {', '.join(checker_calls(cell))} but has no '{CHECKER}' tag")
        previous = cell
    return problems


def readable_widget_outputs(notebook) -> int:
    """Replace saved live-widget outputs by a note saying how to get the widget; returns how many.

    Without the widget state (which the course does not keep) JupyterLab can only show the
    widget's ``repr``, ``VBox(children=(HBox(...``. The note is the same on every run.
    """
    changed = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                data.pop(WIDGET_MIME)
                data["text/plain"] = WIDGET_NOTE
                data["text/html"] = f'<p style="font-style: italic">{WIDGET_NOTE}</p>'
                changed += 1
    return changed
