"""Grade submitted notebooks: run each in a fresh kernel and collect every checker's result.

    python tools/grade.py SUBMISSION.ipynb ... [--out grades.csv] [--cell-timeout 60]

Each submission runs top to bottom in its own kernel (in an empty temporary folder), with a
time limit per cell. Before its first cell the grader tells ``nnopt.exercises`` in that kernel
where to log (``start_grading``: a file and a random token, not named in the environment), and
every checker appends one JSON line there. A line counts only if it carries the token and was
written while a cell that calls that checker ran; of several in one cell the worst counts. This
stops accidents and casual forgery; code that rewrites nnopt inside the kernel could still fake a
result, so look at a submission whose pass surprises you. Cells tagged ``solution`` are removed first, so a
submission graded is the learner's work, not the reference answer. The exercises expected of a
submission are the ``check_*`` calls in the ``checker``-tagged cells of the committed notebook of
the same name (``notebooks/NN_*.ipynb``; ``--against`` picks one). Every expected checker gets a
row in ``grades.csv``: passed or not, checks passed out of total, and the first failure or the
reason there is no result ("timed out", "kernel died / sys.exit", "exercise cell deleted",
"not run"). An endless loop, ``sys.exit()``, ``os._exit()`` or a crash fails that submission's
exercise, and grading goes on with the next submission.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cells import EXERCISE, SOLUTION, checker_calls, expected_checkers, has_tag, source  # noqa: E402
from course_map import NOTEBOOKS  # noqa: E402

GRADING_LOG = "NNOPT_GRADING_LOG"
COLUMNS = ["submission", "checker", "exercise", "passed", "checks_passed", "checks_total", "first_failure"]
_DEFINES = re.compile(r"^\s*def\s+(\w+)\s*\(", re.MULTILINE)
_STUCK_PROBE_SECONDS = 5


@dataclass
class Row:
    submission: str
    checker: str
    exercise: str
    passed: bool = False
    checks_passed: int = 0
    checks_total: int = 0
    first_failure: str = ""

    def as_csv(self) -> dict:
        return {**self.__dict__, "passed": "yes" if self.passed else "no"}


@dataclass
class Run:
    """What happened when a submission ran: the checker results and each cell's fate."""

    results: dict = field(default_factory=dict)       # checker -> last JSON record
    errors: dict = field(default_factory=dict)        # cell index -> "Name: message"
    timed_out: int | None = None                      # first cell that hit the time limit
    died: int | None = None                           # cell during which the kernel died
    stopped: int | None = None                        # first cell not run at all
    problem: str = ""                                 # the submission could not be run


def committed_notebook(submission: Path, course: Path = NOTEBOOKS) -> Path | None:
    """The committed notebook a submission answers: same name, else same NN_ number."""
    candidates = {path.stem: path for path in course.glob("[0-9][0-9]_*.ipynb")}
    if submission.stem in candidates:
        return candidates[submission.stem]
    contained = [path for stem, path in candidates.items() if stem in submission.stem]
    if len(contained) == 1:
        return contained[0]
    number = re.match(r"(\d\d)_", submission.name)
    by_number = [path for stem, path in candidates.items() if number and stem.startswith(number.group(1))]
    return by_number[0] if len(by_number) == 1 else None


def _read_log(log: Path, offset: int) -> tuple[list[dict], int]:
    if not log.exists():
        return [], offset
    data = log.read_bytes()
    records = []
    for line in data[offset:].decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "checker" in record:
            records.append(record)
    return records, len(data)


def _error_of(cell) -> str:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:200]}".rstrip(": ")
    return ""


def _accepted(records: list[dict], cell, token: str) -> list[dict]:
    """The records a checker wrote while ``cell`` ran: with this run's token, from a checker the cell calls."""
    calls = checker_calls(cell) if cell is not None else set()
    return [record for record in records
            if isinstance(record, dict) and record.get("token") == token and record.get("checker") in calls]


def _worse(record: dict, than: dict) -> bool:
    def rank(r: dict):
        return (bool(r.get("passed")), int(r.get("n_passed", 0) or 0))
    try:
        return rank(record) < rank(than)
    except (TypeError, ValueError):
        return True


def run_submission(notebook, cell_timeout: float, kernel_name: str = "python3") -> Run:
    """Execute ``notebook`` cell by cell in a fresh kernel; never raises for the learner's code."""
    run = Run()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="nnopt-grade-") as workdir:
        log = Path(workdir) / "grading-log.jsonl"
        previous = os.environ.pop(GRADING_LOG, None)  # the log is given to the kernel, not its environment
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        client = NotebookClient(notebook, timeout=cell_timeout, kernel_name=kernel_name, allow_errors=True,
                                interrupt_on_timeout=True, record_timing=False,
                                error_on_timeout={"ename": "TimeoutError", "evalue": "cell timed out"},
                                resources={"metadata": {"path": workdir}})
        offset = 0
        try:
            with client.setup_kernel():
                _start_grading(client, log, token)
                for index, cell in enumerate(notebook.cells):
                    if cell.cell_type != "code":
                        continue
                    started = time.monotonic()
                    try:
                        client.execute_cell(cell, index)
                    except DeadKernelError:
                        run.died = index
                        break
                    finally:
                        records, offset = _read_log(log, offset)
                        this_cell: dict[str, dict] = {}
                        for record in _accepted(records, cell, token):
                            # several records of one checker in one cell: the worst counts (a second,
                            # better line written by the learner's code cannot overrule the checker's)
                            known = this_cell.get(record["checker"])
                            if known is None or _worse(record, known):
                                this_cell[record["checker"]] = record
                        run.results.update(this_cell)
                    if time.monotonic() - started >= cell_timeout:
                        run.timed_out = index if run.timed_out is None else run.timed_out
                        if not _responsive(client, index):
                            run.stopped = index + 1
                            break
                    elif _error_of(cell):
                        run.errors[index] = _error_of(cell)
        except DeadKernelError:
            run.died = run.died if run.died is not None else len(notebook.cells)
        except Exception as error:  # the kernel would not start, or the notebook is not valid
            run.problem = f"could not run: {type(error).__name__}: {error}"[:200]
        finally:
            if previous is not None:
                os.environ[GRADING_LOG] = previous
    return run


def _start_grading(client: NotebookClient, log: Path, token: str) -> None:
    """Before the first cell: tell nnopt's checkers in the kernel where to log, and the run's token."""
    setup = nbformat.v4.new_code_cell(
        "import nnopt.exercises.feedback as _nnopt_feedback\n"
        f"_nnopt_feedback.start_grading({str(log)!r}, {token!r})\n"
        "del _nnopt_feedback")
    if not client.nb.cells:
        return
    cell = client.nb.cells[0]  # nbclient stores the executed cell at its index: put it back after
    try:
        client.execute_cell(setup, 0)
    finally:
        client.nb.cells[0] = cell


def _responsive(client: NotebookClient, index: int) -> bool:
    """After a timeout: does the interrupted kernel answer again? (A loop may swallow the interrupt.)"""
    probe = nbformat.v4.new_code_cell("pass")
    timeout, client.timeout = client.timeout, _STUCK_PROBE_SECONDS
    cell = client.nb.cells[index]  # nbclient stores the executed cell at its index: put it back after
    try:
        started = time.monotonic()
        client.execute_cell(probe, index)
        return time.monotonic() - started < _STUCK_PROBE_SECONDS
    finally:
        client.timeout = timeout
        client.nb.cells[index] = cell


def _defined_functions(text: str) -> set[str]:
    return set(_DEFINES.findall(text))


def reason_without_result(checker: str, committed, submission, run: Run) -> str:
    """Why ``checker`` reported nothing for this submission."""
    calling = [i for i, cell in enumerate(submission.cells) if checker in checker_calls(cell)]
    committed_cells = [cell for cell in committed.cells if checker in checker_calls(cell)]
    stubs = set()
    for cell in committed.cells:
        if has_tag(cell, EXERCISE):
            stubs |= _defined_functions(source(cell))
    stubs &= set().union(set(), *(_defined_functions(source(cell)) for cell in committed_cells)) or stubs
    defined = set().union(set(), *(_defined_functions(source(cell)) for cell in submission.cells))
    if not calling:
        return "exercise cell deleted"
    first = calling[0]
    if run.died is not None and run.died <= first:
        return f"kernel died / sys.exit (cell {run.died})"
    if run.timed_out is not None and run.timed_out <= first:
        return f"timed out (cell {run.timed_out})"
    if run.stopped is not None and run.stopped <= first:
        return "not run (kernel stuck after a timeout)"
    exercise_errors = sorted(i for i in run.errors if i < first and has_tag(submission.cells[i], EXERCISE))
    if exercise_errors:  # the checker cell's NameError would only be the symptom
        at, error = exercise_errors[0], run.errors[exercise_errors[0]]
        if error.startswith("SystemExit"):
            return f"kernel died / sys.exit (cell {at}: {error})"
        return f"error in the exercise cell {at}: {error}"
    errors = [run.errors[i] for i in calling if i in run.errors]
    if errors:
        if errors[0].startswith("NameError") and stubs and not stubs & defined:
            return "exercise cell deleted"
        if errors[0].startswith("SystemExit"):
            return f"kernel died / sys.exit (cell {first}: {errors[0]})"
        return f"error in cell {first}: {errors[0]}"
    return "not run"


def grade(submission_path: Path, cell_timeout: float = 60, against: Path | None = None,
          course: Path = NOTEBOOKS) -> list[Row]:
    name = str(submission_path)
    committed_path = against or committed_notebook(submission_path, course)
    if committed_path is None:
        return [Row(name, "", "", first_failure="cannot tell which course notebook this answers; use --against")]
    committed = nbformat.read(committed_path, as_version=4)
    checkers = expected_checkers(committed)
    if not checkers:
        return [Row(name, "", "", first_failure=f"{committed_path.name} has no cell tagged 'checker'")]
    try:
        submission = nbformat.read(submission_path, as_version=4)
    except Exception as error:
        return [Row(name, c, _exercise_name(c), first_failure=f"not a notebook: {error}"[:200]) for c in checkers]
    submission.cells = [cell for cell in submission.cells if not has_tag(cell, SOLUTION)]
    run = run_submission(submission, cell_timeout)
    rows = []
    for checker in checkers:
        record = run.results.get(checker)
        if record is None:
            reason = run.problem or reason_without_result(checker, committed, submission, run)
            rows.append(Row(name, checker, _exercise_name(checker), first_failure=reason))
        else:
            rows.append(Row(name, checker, _exercise_name(checker),  # one name per exercise in every row
                            bool(record.get("passed")), int(record.get("n_passed", 0)),
                            int(record.get("n_checks", 0)), str(record.get("first_failure", ""))[:300]))
    return rows


def _exercise_name(checker: str) -> str:
    return checker.removeprefix("check_").replace("_", " ")


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row.as_csv() for row in rows)


def table(rows: list[Row]) -> str:
    lines = [("submission", "exercise", "passed", "checks", "first failure / reason")]
    for row in rows:
        checks = f"{row.checks_passed}/{row.checks_total}" if row.checks_total else "-"
        detail = row.first_failure.splitlines()[0] if row.first_failure else ""
        lines.append((row.submission, row.exercise, "yes" if row.passed else "no", checks, detail[:70]))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths + [0])).rstrip()
                     for line in lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("grades.csv"))
    parser.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (default 60)")
    parser.add_argument("--against", type=Path, help="the committed notebook to grade against")
    args = parser.parse_args(argv)
    rows = []
    for number, path in enumerate(args.submissions, 1):
        print(f"[{number}/{len(args.submissions)}] grading {path} ...", flush=True)
        rows += grade(path, args.cell_timeout, args.against)
    write_csv(rows, args.out)
    print()
    print(table(rows))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
