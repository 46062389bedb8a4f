"""Start nbval's kernels again when one dies while starting, instead of failing a whole notebook.

Two pytest-xdist workers start their kernels at the same moment; jupyter_client picks free TCP
ports for each before the kernel binds them, so now and then both pick the same port, one kernel
cannot bind and exits, and nbval reports "Kernel died before replying to kernel_info" for every
cell of that notebook. jupyter_client's ``start_new_kernel`` shuts such a kernel down and raises
``RuntimeError``; :func:`install` makes nbval try again with fresh ports (three tries in all).
Nothing about the notebook run changes: a kernel that starts runs the notebook as before.
"""
from __future__ import annotations

import time
from collections.abc import Callable

TRIES = 3


def retrying(start: Callable, tries: int = TRIES, pause: float = 0.5) -> Callable:
    """``start`` called up to ``tries`` times while it raises ``RuntimeError`` (the last error is raised)."""

    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, tries + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError:
                if attempt == tries:
                    raise
                time.sleep(pause * attempt)

    start_new_kernel.retries_kernel_start = True
    return start_new_kernel


def install() -> bool:
    """Wrap ``nbval.kernel.start_new_kernel`` once; False if nbval is not installed."""
    try:
        import nbval.kernel as nbval_kernel
    except ImportError:
        return False
    if not getattr(nbval_kernel.start_new_kernel, "retries_kernel_start", False):
        nbval_kernel.start_new_kernel = retrying(nbval_kernel.start_new_kernel)
    return True
