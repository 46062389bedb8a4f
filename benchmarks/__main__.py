"""``python -m benchmarks [--quick] [--only throughput,steps,import,notebooks] [--no-notebooks]``."""
from benchmarks.machine import pin_single_threaded_blas

pin_single_threaded_blas()  # before anything imports NumPy

from benchmarks.cli import main  # noqa: E402

raise SystemExit(main())
