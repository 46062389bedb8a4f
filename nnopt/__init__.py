"""nnopt: how optimizers make neural networks train faster, from scratch in NumPy.

The sub-packages follow the course:

- ``nnopt.nn``: the network (layers, losses, a sequential model, gradient check)
- ``nnopt.data``: the real data sets, synthetic sets, splits and mini-batches
- ``nnopt.train``: the training loop ``fit``
- ``nnopt.optim``: every optimizer of the course, built from one exponentially weighted average
- ``nnopt.schedules``: learning-rate schedules
- ``nnopt.landscapes``: 2-D test functions and optimizer trajectories on them
- ``nnopt.plots`` and ``nnopt.widgets``: figures, animations and interactive explorers
- ``nnopt.exercises``: checkers that give feedback on the notebooks' exercises

Sub-packages are imported on first use, so ``import nnopt`` is quick and does not load
matplotlib or ipywidgets until a plot or a widget is asked for.
"""
from __future__ import annotations

import importlib

from .parameter import Parameter

__version__ = "0.1.0"

_SUBMODULES = ("nn", "data", "train", "optim", "schedules", "landscapes", "plots", "widgets", "exercises")
_SHORTCUTS = {"fit": "train", "History": "train", "TrainingDiverged": "train"}

__all__ = ["Parameter", *_SUBMODULES, *_SHORTCUTS]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f".{_SHORTCUTS[name]}", __name__), name)
    raise AttributeError(f"module 'nnopt' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
