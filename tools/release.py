"""Write the course's two editions: ``release/learner/`` (no solutions) and ``release/instructor/``.

    python tools/release.py [--out release] [NOTEBOOK ...]

Learner edition: every cell tagged ``solution`` is removed; exercise stubs (``exercise``) and
checker calls (``checker``) stay, with their outputs cleared (a re-check right after the removed
solution is dropped), and so are the outputs of later cells that call a function the learner
writes (they show what the reference solution computed); every other output is kept as
committed. Instructor edition: the notebooks as committed. Both get readable widget outputs.
A notebook with a cell that looks like a solution but is not tagged stops the release, so an
untagged solution can never reach learners.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import (CHECKER, EXERCISE, SOLUTION, checker_calls, has_tag, looks_like_solution,  # noqa: E402
                   readable_widget_outputs)
from course_map import ROOT, course_notebooks  # noqa: E402

_DEFINES = re.compile(r"^\s*def\s+(\w+)\s*\(", re.MULTILINE)


class UntaggedSolution(ValueError):
    pass


def learner_edition(notebook):
    """A copy of ``notebook`` without solution cells and with the exercise outputs cleared."""
    notebook = nbformat.from_dict(notebook)  # a deep copy
    cells = notebook.cells
    drop = {i for i, cell in enumerate(cells) if has_tag(cell, SOLUTION)}
    # A "### Solution" heading right above a tagged solution goes with it, tagged or not.
    drop |= {i for i in range(len(cells) - 1)
             if i + 1 in drop and cells[i].cell_type == "markdown" and looks_like_solution(cells[i])}
    # Functions the learner writes: a later cell that calls one shows what the reference solution
    # computed, so its saved output goes too.
    learner_functions = set().union(set(), *(_DEFINES.findall(cell.source) for cell in cells
                                             if cell.cell_type == "code" and has_tag(cell, EXERCISE)))
    first_exercise = next((i for i, cell in enumerate(cells) if has_tag(cell, EXERCISE)), len(cells))
    kept = []
    for index, cell in enumerate(cells):
        if index in drop:
            continue
        if looks_like_solution(cell, cells[index - 1] if index else None):
            raise UntaggedSolution(f"cell {index} looks like a solution but has no '{SOLUTION}' tag: "
                                   f"{cell.source.strip().splitlines()[0][:70]!r}")
        if cell.cell_type == "code" and checker_calls(cell) and not (has_tag(cell, CHECKER) or has_tag(cell, EXERCISE)):
            raise UntaggedSolution(f"cell {index} calls {', '.join(checker_calls(cell))} but has neither the "
                                   f"'{CHECKER}' nor the '{SOLUTION}' tag: tag it '{SOLUTION}' if it is the "
                                   f"reference solution, '{CHECKER}' if it only checks")
        if cell.cell_type == "code" and has_tag(cell, CHECKER) and kept and _same_check(kept, cell):
            continue  # the re-check after the (removed) solution would only repeat the one above
        calls_learner_code = cell.cell_type == "code" and index > first_exercise and any(
            re.search(rf"\b{re.escape(name)}\s*\(", cell.source) for name in learner_functions)
        if cell.cell_type == "code" and (has_tag(cell, EXERCISE) or has_tag(cell, CHECKER) or calls_learner_code):
            cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    notebook.cells = kept
    readable_widget_outputs(notebook)
    return notebook


def _same_check(kept: list, cell) -> bool:
    """Is ``cell`` the same checker call as the last kept checker cell, with no code cell between?"""
    for previous in reversed(kept):
        if previous.cell_type != "code":
            continue
        return has_tag(previous, CHECKER) and previous.source.strip() == cell.source.strip()
    return False


def instructor_edition(notebook):
    notebook = nbformat.from_dict(notebook)
    readable_widget_outputs(notebook)
    return notebook


def release(paths: list[Path], out: Path) -> list[str]:
    """Write both editions of every notebook; returns one line per notebook that was written."""
    problems, editions = [], {}
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        try:
            editions[path] = (learner_edition(notebook), instructor_edition(notebook))
        except UntaggedSolution as error:
            problems.append(f"{path.name}: {error}")
        else:
            if not any(has_tag(cell, SOLUTION) for cell in notebook.cells):
                problems.append(f"{path.name}: no cell is tagged '{SOLUTION}'; tag the reference solution "
                                "(and its heading) so learners do not get it")
    if problems:
        raise UntaggedSolution("not released:\n  " + "\n  ".join(problems))
    for edition in ("learner", "instructor"):
        shutil.rmtree(out / edition, ignore_errors=True)
        (out / edition).mkdir(parents=True)
    lines = []
    for path, (learner, instructor) in editions.items():
        nbformat.write(learner, out / "learner" / path.name)
        nbformat.write(instructor, out / "instructor" / path.name)
        removed = len(instructor.cells) - len(learner.cells)
        lines.append(f"{path.name}: learner edition without {removed} solution cell(s)")
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "release")
    args = parser.parse_args(argv)
    try:
        lines = release(args.notebooks or course_notebooks(), args.out)
    except UntaggedSolution as error:
        print(error, file=sys.stderr)
        return 1
    print("\n".join(lines))
    print(f"wrote {args.out / 'learner'} and {args.out / 'instructor'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
