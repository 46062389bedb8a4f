"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/execute_notebooks.py notebooks/01_minibatch_gradient_descent.ipynb
    python tools/execute_notebooks.py            # every notebook in notebooks/

Run it (inside the course environment, ``.venv/bin/python``) after editing a notebook, then
commit the result: nbval compares the committed outputs with a fresh run on every test.
It also prints how long each notebook took.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import readable_widget_outputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# One BLAS thread, as `python3 course.py test` runs them: the kernels inherit this environment.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")


def execute(path: Path, timeout: int = 120) -> float:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    started = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    durations = []
    for index, cell in enumerate(notebook.cells):
        stamps = cell.metadata.pop("execution", None)  # timestamps would change on every run
        if stamps and "iopub.status.busy" in stamps and "iopub.status.idle" in stamps:
            busy, idle = (datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                          for k in ("iopub.status.busy", "iopub.status.idle"))
            durations.append(((idle - busy).total_seconds(), index))
    slowest = ", ".join(f"cell {i}: {d:.1f} s" for d, i in sorted(durations, reverse=True)[:3])
    print(f"  slowest cells of {path.name}: {slowest}")
    notebook.metadata.get("language_info", {}).pop("version", None)
    # Widget state is not kept: every widget cell has a static figure beside it, and the state of
    # an interact() widget is useless without a kernel (it only bloats the file). Its saved output
    # then says how to get the live widget instead of showing the raw ``VBox(children=...`` repr.
    notebook.metadata.pop("widgets", None)
    readable_widget_outputs(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in notebooks:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
