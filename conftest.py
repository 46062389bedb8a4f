"""pytest set-up for every run from the repository root, the notebooks under nbval included.

A kernel that dies while starting (two workers given the same free port) is started again: see
tools/kernel_retry.py (loaded by its path, so tools/ never goes on sys.path: tools/site.py would
shadow the standard library's site module).
"""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("nnopt_kernel_retry", Path(__file__).resolve().parent / "tools" / "kernel_retry.py")
kernel_retry = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kernel_retry)
kernel_retry.install()
