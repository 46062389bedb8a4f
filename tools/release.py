"""Write the course's two editions: ``release/learner/`` (no solutions) and ``release/instructor/``.

    python tools/release.py [--out release] [NOTEBOOK ...]

Learner edition: every cell tagged ``solution`` is removed; exercise stubs (``exercise``) and
checker calls (``checker``) stay, with their outputs cleared; every other output is kept as
committed. Instructor edition: the notebooks as committed. Both get readable widget outputs.
A notebook with a cell that looks like a solution but is not tagged stops the release, so an
untagged solution can never reach learners.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import CHECKER, EXERCISE, SOLUTION, has_tag, looks_like_solution, readable_widget_outputs  # noqa: E402
from course_map import ROOT, course_notebooks  # noqa: E402


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
    kept = []
    for index, cell in enumerate(cells):
        if index in drop:
            continue
        if looks_like_solution(cell, cells[index - 1] if index else None):
            raise UntaggedSolution(f"cell {index} looks like a solution but has no '{SOLUTION}' tag: "
                                   f"{cell.source.strip().splitlines()[0][:70]!r}")
        if cell.cell_type == "code" and (has_tag(cell, EXERCISE) or has_tag(cell, CHECKER)):
            cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    notebook.cells = kept
    readable_widget_outputs(notebook)
    return notebook


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
