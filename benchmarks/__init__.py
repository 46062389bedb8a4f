"""Benchmarks of nnopt: how fast one training step, an optimizer step, ``import nnopt`` and
the notebooks are on this machine, against hand-written NumPy loops and PyTorch on the CPU.

Run from the repository root (it is not part of the test run)::

    python -m benchmarks                       # everything, about 3 minutes; writes RESULTS.md
    python -m benchmarks --quick               # fewer repeats, a smoke run (prints only)
    python -m benchmarks --only throughput,steps --no-notebooks

Sections (``--only`` names): ``throughput`` (samples/s of a forward + backward + Adam step of the
64-100-100-100-10 MLP on the digits), ``steps`` (µs and bytes allocated per optimizer step),
``import`` (``import nnopt`` time), ``notebooks`` (each notebook in a fresh kernel: time and peak
memory).

Timings use single-threaded BLAS: ``python -m benchmarks`` sets ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` to 1 before NumPy is imported (see
``benchmarks.machine``). This package module imports nothing heavy so that this still holds.
"""
