"""Turn the measurements into the markdown page ``benchmarks/RESULTS.md`` (and the terminal table).

Targets (benchmarks, not tests; marked PASS/FAIL):

- nnopt step, float32: samples/s at least 1.5x PyTorch CPU at batch 64 and 1.3x at batch 256;
- nnopt step, float64: at least as fast as the deeplearning.ai-style loop;
- nnopt step within 10% of the fastest hand-made NumPy loop (samples/s >= 0.9x);
- an optimizer step allocates nothing per step that it could keep;
- ``import nnopt`` under 0.2 s;
- every notebook under 20 s and 600 MB peak; the whole course under 2 minutes.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import implementations as impl

TORCH_RATIO = {64: 1.5, 256: 1.3}
HAND_TUNED_RATIO = 0.9
IMPORT_SECONDS = 0.2
NOTEBOOK_SECONDS, NOTEBOOK_BYTES, COURSE_SECONDS = 20.0, 600 * 2**20, 120.0

HAND_TUNED = (impl.HandTunedMLP.name, impl.HandTunedPerParameterMLP.name)
THROUGHPUT_COLUMNS = (impl.NnoptMLP.name, impl.DeepLearningAiMLP.name, *HAND_TUNED, impl.TorchMLP.name,
                      impl.MatmulFloor.name)


@dataclass
class Target:
    what: str
    measured: str
    passed: bool | None  # None: could not be measured


def _mark(passed: bool | None) -> str:
    return {True: "PASS", False: "**FAIL**", None: "n/a"}[passed]


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |",
            *("| " + " | ".join(row) + " |" for row in rows)]


def _ratio_target(what, ratio, need, label) -> Target:
    if ratio is None:
        return Target(what, "not measured", None)
    return Target(what, f"{ratio:.2f}x {label} (need >= {need:.2f}x)", ratio >= need)


def throughput_targets(results) -> list[Target]:
    """Speed ratios nnopt / other in samples/s (median of per-trial ratios, see ``speed_ratio``)."""
    targets = []
    nnopt = impl.NnoptMLP.name
    for r in results:
        if r.dtype == "float32" and r.batch_size in TORCH_RATIO:
            targets.append(_ratio_target(f"float32 batch {r.batch_size}: nnopt vs PyTorch CPU",
                                         r.speed_ratio(nnopt, impl.TorchMLP.name), TORCH_RATIO[r.batch_size],
                                         "PyTorch"))
        if r.dtype == "float64":
            targets.append(_ratio_target(f"float64 batch {r.batch_size}: nnopt vs deeplearning.ai-style loop",
                                         r.speed_ratio(nnopt, impl.DeepLearningAiMLP.name), 1.0, "the loop"))
        hand = [name for name in HAND_TUNED if name in r.timings]
        fastest = min(hand, key=lambda name: r.timings[name].median) if hand else None
        targets.append(_ratio_target(f"{r.dtype} batch {r.batch_size}: nnopt vs fastest hand-made NumPy",
                                     r.speed_ratio(nnopt, fastest) if fastest else None, HAND_TUNED_RATIO,
                                     f"the {fastest}" if fastest else ""))
    return targets


def step_targets(results) -> list[Target]:
    measured = [r for r in results if r.allocates_nothing is not None]
    if not measured:
        return [Target("optimizer steps allocate nothing they could keep", "not measured", None)]
    offenders = [f"{r.label} ({r.big_peak_bytes / r.big_param_bytes:.1f}x the parameter)" for r in measured
                 if not r.allocates_nothing]
    text = ("every step works in kept buffers" if not offenders else "temporaries in: " + ", ".join(offenders))
    return [Target("optimizer steps allocate nothing they could keep", text, not offenders)]


def import_targets(result) -> list[Target]:
    if result is None or result.nnopt_seconds is None:
        return [Target("import nnopt under 0.2 s", "not measured" if result is None else result.error, None)]
    cpu = "" if result.nnopt_cpu_seconds is None else f" (CPU {result.nnopt_cpu_seconds:.3f} s)"
    return [Target("import nnopt under 0.2 s", f"{result.nnopt_seconds:.3f} s{cpu}", result.nnopt_seconds < IMPORT_SECONDS)]


def notebook_targets(results) -> list[Target]:
    if not results:
        return [Target("every notebook under 20 s and 600 MB; course under 2 min", "no notebooks yet", None)]
    slow = [f"{r.name} {r.wall_seconds:.1f} s" for r in results if r.wall_seconds >= NOTEBOOK_SECONDS]
    big = [f"{r.name} {r.peak_rss_bytes / 2**20:.0f} MB" for r in results
           if r.peak_rss_bytes is not None and r.peak_rss_bytes >= NOTEBOOK_BYTES]
    failed = [f"{r.name} ({r.error})" for r in results if r.error]
    unknown_memory = any(r.peak_rss_bytes is None for r in results)
    total = sum(r.wall_seconds for r in results)
    slowest = max(results, key=lambda r: r.wall_seconds)
    largest = max((r for r in results if r.peak_rss_bytes is not None), key=lambda r: r.peak_rss_bytes, default=None)
    return [
        Target("every notebook runs without error", "errors: " + "; ".join(failed) if failed else f"{len(results)} notebooks ran",
               not failed),
        Target("every notebook under 20 s", ", ".join(slow) if slow else f"slowest {slowest.name} {slowest.wall_seconds:.1f} s",
               not slow),
        Target("every notebook under 600 MB peak", ", ".join(big) if big else
               (f"largest {largest.name} {largest.peak_rss_bytes / 2**20:.0f} MB" if largest else "not measured"),
               None if unknown_memory and not big else not big),
        Target("whole course under 2 minutes", f"{total:.1f} s for {len(results)} notebooks, one after another",
               total < COURSE_SECONDS),
    ]


def _fmt_int(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _fmt_us(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1e6:,.0f}"


def render(machine: dict, throughput=None, skipped=None, steps=None, imports=None, notebooks=None,
           sections=(), quick: bool = False, notebook_blas_threads: int | None = None) -> str:
    lines = ["# nnopt benchmarks", ""]
    lines += ["Written by `python -m benchmarks` (see `benchmarks/__init__.py`)" +
              (" in **quick mode** (few repeats: a smoke run, not for comparison)." if quick else "."),
              "Benchmarks, not tests: nothing here fails the test run.", ""]
    lines += _table(["machine", ""], [[key, str(value)] for key, value in machine.items()], "ll") + [""]

    targets: list[Target] = []
    if "throughput" in sections:
        targets += throughput_targets(throughput or [])
    if "steps" in sections:
        targets += step_targets(steps or [])
    if "import" in sections:
        targets += import_targets(imports)
    if "notebooks" in sections:
        targets += notebook_targets(notebooks or [])
    if targets:
        lines += ["## Targets", "",
                  "Speed ratios are in samples/s, the median over trials of the ratio between neighbouring "
                  "trials of the two contenders (so that a slow moment of the machine cancels out).", ""]
        lines += _table(["target", "measured", "result"], [[t.what, t.measured, _mark(t.passed)] for t in targets], "llc")
        lines += [""]

    if "throughput" in sections and throughput:
        lines += _throughput_section(throughput, skipped or {})
    if "steps" in sections:
        lines += _steps_section(steps or [])
    if "import" in sections and imports is not None:
        lines += _import_section(imports)
    if "notebooks" in sections:
        lines += _notebook_section(notebooks or [], notebook_blas_threads)
    return "\n".join(lines).rstrip() + "\n"


def _throughput_section(results, skipped) -> list[str]:
    nnopt = impl.NnoptMLP.name
    first = results[0]
    wall_ratios = [t.wall_ratio for r in results for t in r.timings.values()]
    lines = ["## 1. Training throughput (samples/s, higher is better)", "",
             "One step = forward pass of the 64-100-100-100-10 ReLU MLP, mean softmax cross-entropy, "
             "backward pass, Adam update (lr 1e-3, torch defaults), on the standardized digits; every "
             "implementation starts from the same weights and cycles through the same mini-batches. "
             f"Each trial builds the contender afresh, takes one untimed step, then times {first.steps} steps "
             f"at batch {first.batch_size} ({first.steps * first.batch_size} samples; the same count at every batch "
             f"size); median of {first.trials} trials, alternating between contenders; "
             "single-threaded BLAS, CPU time of the process (equal to wall time on an idle machine; "
             f"here wall / CPU time was {min(wall_ratios):.2f} to {max(wall_ratios):.2f}, "
             "1.00 meaning no other process competed); "
             "± is half the interquartile range. *matmul floor*: only the 11 matrix products of a step; "
             "*matmul share*: floor time / nnopt step time.", ""]
    header = ["dtype", "batch", *THROUGHPUT_COLUMNS, "matmul share of nnopt"]
    rows = []
    for r in results:
        row = [r.dtype, str(r.batch_size)]
        for name in THROUGHPUT_COLUMNS:
            timing = r.timings.get(name)
            row.append("–" if timing is None else f"{r.batch_size / timing.median:,.0f} ±{timing.spread:.0%}")
        if nnopt in r.timings and impl.MatmulFloor.name in r.timings:
            row.append(f"{r.timings[impl.MatmulFloor.name].median / r.timings[nnopt].median:.0%}")
        else:
            row.append("–")
        rows.append(row)
    lines += _table(header, rows, "ll" + "r" * (len(header) - 2)) + [""]
    if skipped:
        lines += [f"Not measured: {name}: {reason}." for name, reason in skipped.items()] + [""]

    broken = [f"{name} ({r.dtype}, batch {r.batch_size})" for r in results
              for name, loss in r.final_loss.items() if not loss == loss or loss in (float("inf"), float("-inf"))]
    if broken:
        lines += ["Non-finite loss at the end of timing (speed of a broken run): " + ", ".join(broken) + ".", ""]

    with_breakdown = [r for r in results if r.breakdown]
    if with_breakdown:
        lines += ["### Where nnopt's step goes (µs per step)", ""]
        phases = list(with_breakdown[0].breakdown)
        rows = []
        for r in with_breakdown:
            floor = r.timings.get(impl.MatmulFloor.name)
            fastest = min((r.timings[n].median for n in HAND_TUNED if n in r.timings), default=None)
            rows.append([r.dtype, str(r.batch_size), *(_fmt_us(r.breakdown[p]) for p in phases),
                         _fmt_us(sum(r.breakdown.values())), _fmt_us(fastest),
                         _fmt_us(floor.median if floor else None)])
        lines += _table(["dtype", "batch", *phases, "nnopt total", "fastest hand-made", "matmul floor"], rows,
                        "ll" + "r" * (len(phases) + 3)) + [""]
    return lines


def _steps_section(results) -> list[str]:
    lines = ["## 2. Optimizer step time and allocations (float64)", ""]
    if not results:
        return lines + ["Not measured: nnopt.optim is not available yet.", ""]
    lines += ["µs per `step()` with fixed gradients, on the MLP's 8 parameters (27,710 values) and on one "
              "Parameter of 10^6 values (next to the same `torch.optim` class on a 10^6-value tensor). "
              "*Peak extra*: the most memory a step holds above what it held before (tracemalloc, "
              "after warm-up); a full-size temporary of the 10^6 Parameter is 8,000,000 B. "
              "*Kept buffers*: no step holds more than 1% of its parameters' bytes + 4 KiB.", ""]
    rows = []
    for r in results:
        if r.error:
            rows.append([r.label, "–", "–", "–", "–", "–", f"error: {r.error}"])
            continue
        rows.append([r.label, f"{r.model_us:,.1f}", f"{r.big_us:,.0f}",
                     "–" if r.torch_big_us is None else f"{r.torch_big_us:,.0f}",
                     f"{r.model_peak_bytes:,}", f"{r.big_peak_bytes:,}",
                     "yes" if r.allocates_nothing else "**no**"])
    lines += _table(["optimizer", "µs, MLP", "µs, 10^6", "torch µs, 10^6", "peak extra B, MLP",
                     "peak extra B, 10^6", "kept buffers"], rows, "lrrrrrc") + [""]
    return lines


def _import_section(result) -> list[str]:
    lines = ["## 3. `import nnopt`", ""]
    if result.error:
        return lines + [f"Failed: {result.error}", ""]
    lines += ["Fresh interpreter each time; wall time of `python -c \"import nnopt\"` minus `python -c pass`, "
              "median of 11. `-X importtime` splits it: NumPy is most of it.", ""]
    def ms(seconds):
        return "–" if seconds is None else f"{seconds * 1e3:.0f}"
    rows = [["`import nnopt` (incl. NumPy)", ms(result.nnopt_seconds), ms(result.nnopt_cpu_seconds)],
            ["`import nnopt, nnopt.nn, nnopt.optim, nnopt.data, nnopt.train`", ms(result.course_seconds),
             ms(result.course_cpu_seconds)],
            ["`-X importtime`: nnopt cumulative", ms((result.nnopt_cumulative_us or 0) / 1e6), ""],
            ["`-X importtime`: of which NumPy", ms((result.numpy_cumulative_us or 0) / 1e6), ""]]
    return lines + _table(["what", "wall ms", "CPU ms"], rows) + [""]


def _notebook_section(results, blas_threads=None) -> list[str]:
    lines = ["## 4. Notebooks (fresh kernel, top to bottom, as nbval runs them)", ""]
    if not results:
        return lines + ["No notebooks in `notebooks/` yet.", ""]
    lines += ["*s*: wall time from kernel start to shutdown (the targets use it); *cells s*: the cells "
              "alone; *kernel CPU s*: CPU time of the kernel process, all threads (not inflated by other "
              "processes, but BLAS may use both cores); *peak MB*: the kernel process's VmHWM. " +
              ("Kernel environment as `course.py test` sets it (BLAS pinned to one thread per kernel)."
               if blas_threads is None else "Kernels' BLAS threads not pinned (--notebook-blas-threads 0)."
               if blas_threads == 0 else f"Kernels' BLAS pinned to {blas_threads} thread(s) "
               "(--notebook-blas-threads)."), ""]
    rows = []
    for r in results:
        peak = "?" if r.peak_rss_bytes is None else f"{r.peak_rss_bytes / 2**20:,.0f}"
        cpu = "?" if r.kernel_cpu_seconds is None else f"{r.kernel_cpu_seconds:.1f}"
        ok = r.error is None and r.wall_seconds < NOTEBOOK_SECONDS and (r.peak_rss_bytes or 0) < NOTEBOOK_BYTES
        rows.append([r.name, str(r.n_cells), f"{r.wall_seconds:.1f}", f"{r.cells_seconds:.1f}", cpu, peak,
                     ("PASS" if ok else "**FAIL**") + (f" ({r.error})" if r.error else "")])
    total = sum(r.wall_seconds for r in results)
    cpu_total = sum(r.kernel_cpu_seconds or 0 for r in results)
    rows.append(["**whole course**", str(sum(r.n_cells for r in results)), f"{total:.1f}",
                 f"{sum(r.cells_seconds for r in results):.1f}", f"{cpu_total:.1f}",
                 f"{max((r.peak_rss_bytes or 0) for r in results) / 2**20:,.0f} (max)",
                 "PASS" if total < COURSE_SECONDS else "**FAIL**"])
    lines += _table(["notebook", "code cells", "s", "cells s", "kernel CPU s", "peak MB",
                     "< 20 s, < 600 MB"], rows, "lrrrrrc") + [""]
    slow = [(r.name, *cell) for r in results for cell in r.slowest_cells if cell[1] >= 1.0]
    if slow:
        lines += ["Cells that took 1 s or more (wall; cell index counts markdown cells too):", ""]
        lines += _table(["notebook", "cell", "s", "first line"],
                        [[name, str(index), f"{seconds:.1f}", f"`{text.replace('|', '/')}`"]
                         for name, index, seconds, text in sorted(slow, key=lambda item: -item[2])], "lrrl")
        lines += [""]
    return lines
