"""Command line of ``python -m benchmarks``: run the chosen sections, print and save the table."""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

SECTIONS = ("throughput", "steps", "import", "notebooks")
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark nnopt against NumPy loops and PyTorch; print a markdown table.")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (a smoke run)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, from {','.join(SECTIONS)} (default: all)")
    parser.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks")
    parser.add_argument("--notebook-blas-threads", type=int, default=None, metavar="N",
                        help="pin the notebook kernels' BLAS/OpenMP threads to N; 0 leaves them to the "
                             "environment (default: as `course.py test` sets them, 1)")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"where to write the markdown (default: {DEFAULT_OUTPUT.name} after a full, "
                             "non-quick run; partial or quick runs only print unless --output is given)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"--only got unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    if args.no_notebooks and "notebooks" in chosen:
        chosen.remove("notebooks")
    args.sections = tuple(s for s in SECTIONS if s in chosen)
    if args.notebook_blas_threads is not None and args.notebook_blas_threads < 0:
        parser.error(f"--notebook-blas-threads must be 0 (not pinned) or a positive int, "
                     f"got {args.notebook_blas_threads}")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    from . import machine

    machine.load_numpy()  # counts the threads NumPy's BLAS starts, before torch or Jupyter add theirs

    started = time.perf_counter()
    results: dict = {}
    failed = []

    def section(name, runner):
        if name not in args.sections:
            return
        _log(f"[{name}]")
        try:
            results[name] = runner()
        except Exception:
            failed.append(name)
            _log(f"section {name} failed:\n{traceback.format_exc()}")

    def throughput():
        from . import throughput as module
        return module.run(quick=args.quick, log=_log)

    def steps():
        from . import optimizer_steps
        return optimizer_steps.run(quick=args.quick, log=_log)

    def imports():
        from . import import_time
        return import_time.run(quick=args.quick, log=_log)

    def notebooks():
        from . import notebooks as module
        return module.run(quick=args.quick, log=_log, blas_threads=args.notebook_blas_threads)

    section("throughput", throughput)
    section("steps", steps)
    section("import", imports)
    section("notebooks", notebooks)

    from .report import render

    throughput_results, skipped = results.get("throughput", (None, None))
    page = render(machine.describe(), throughput=throughput_results, skipped=skipped,
                  steps=results.get("steps"), imports=results.get("import"), notebooks=results.get("notebooks"),
                  sections=tuple(s for s in args.sections if s not in failed), quick=args.quick,
                  notebook_blas_threads=args.notebook_blas_threads)
    print(page)
    output = args.output
    if output is None and not args.quick and args.sections == SECTIONS and not failed:
        output = DEFAULT_OUTPUT
    if output is not None:
        output.write_text(page)
        _log(f"written to {output}")
    else:
        _log("(partial or quick run: RESULTS.md not rewritten; pass --output PATH to save)")
    _log(f"benchmarks took {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0
