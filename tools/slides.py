"""Give every notebook cell its reveal.js slide type, from the notebook's own structure.

    python tools/slides.py [NOTEBOOK ...]          # every notebook in notebooks/ by default
    python tools/slides.py --check                  # exit 1 if a notebook's slide types are stale

The rules (the same for every notebook, so a lecturer knows what a deck will look like):

- a Markdown cell starting with ``#`` or ``##`` opens a **slide**, one with ``###`` a **sub-slide**
  (reveal.js shows sub-slides below their slide: ↓ to go into a section, → to the next);
- solution cells (tag ``solution``, and the "### Solution" heading before them) are **skipped**;
- a long code cell (more than 15 lines) or a long derivation (more than 12 lines of Markdown) is a
  **fragment**: it appears on its own key press instead of overflowing the slide at once;
- every other cell continues the current slide (``-``).

Only ``metadata.slideshow`` changes; sources and outputs are left as they are, so nbval is
unaffected. Run it after adding or moving cells, then commit the notebooks.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LONG_CODE_LINES = 15
LONG_MARKDOWN_LINES = 12


def slide_type(cell, previous_was_solution_heading: bool) -> str:
    source = cell.source.lstrip()
    tags = cell.metadata.get("tags", [])
    if "solution" in tags or (cell.cell_type == "code" and previous_was_solution_heading):
        return "skip"
    if cell.cell_type == "markdown":
        if source.startswith("### Solution"):
            return "skip"
        if source.startswith(("# ", "## ")):
            return "slide"
        if source.startswith("### "):
            return "subslide"
        return "fragment" if source.count("\n") + 1 > LONG_MARKDOWN_LINES else "-"
    return "fragment" if source.count("\n") + 1 > LONG_CODE_LINES else "-"


def apply(path: Path) -> bool:
    """Set the slide types of ``path``; return True if anything changed."""
    notebook = nbformat.read(path, as_version=4)
    changed = False
    after_solution_heading = False
    for cell in notebook.cells:
        wanted = slide_type(cell, after_solution_heading)
        after_solution_heading = cell.cell_type == "markdown" and cell.source.lstrip().startswith("### Solution")
        if cell.metadata.get("slideshow", {}).get("slide_type") != wanted:
            cell.metadata["slideshow"] = {"slide_type": wanted}
            changed = True
    if changed:
        nbformat.write(notebook, path)
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    stale = []
    for path in paths:
        if check:
            notebook = nbformat.read(path, as_version=4)
            flag = False
            wanted = []
            for cell in notebook.cells:
                wanted.append(slide_type(cell, flag))
                flag = cell.cell_type == "markdown" and cell.source.lstrip().startswith("### Solution")
            if [c.metadata.get("slideshow", {}).get("slide_type") for c in notebook.cells] != wanted:
                stale.append(path.name)
        elif apply(path):
            print(f"slide types set: {path.name}")
    if stale:
        print("stale slide types (run python tools/slides.py):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
