"""Kernel start-up for the "last-bit nudge" portability variant of the notebook tests.

A number a notebook prints must be a property of the method, not of rounding, so it must not
change when the inputs change in their last bit, as they do between machines (another libm, other
SIMD kernels, a BLAS that sums in another order). Loaded into every notebook kernel by
``python3 course.py test --portable`` (through IPython's start-up folder), this file moves, by one
unit in the last place:

- the start point of every 2-D trajectory (``nnopt.landscapes.trajectory`` and ``race``),
- the initial weights of every network built by ``nnopt.nn.mlp``,
- the data returned by ``Standardizer.transform`` (what every network in the course trains on).

Nothing else changes, so a cell whose output differs under this variant prints a digit that
rounding decides.
"""
import functools

import numpy as np


def _up_one_ulp(array):
    array = np.asarray(array)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(float)
    return np.nextafter(array, np.inf, dtype=array.dtype)


def _install() -> None:
    import importlib

    import nnopt.landscapes as landscapes
    import nnopt.nn as nn

    # The packages re-export functions named like their modules: take the modules themselves.
    preprocessing = importlib.import_module("nnopt.data.preprocessing")
    trajectory_module = importlib.import_module("nnopt.landscapes.trajectory")
    model_module = importlib.import_module("nnopt.nn.model")

    original_trajectory = trajectory_module.trajectory

    @functools.wraps(original_trajectory)
    def trajectory(optimizer_factory, function, x0=None, *args, **kwargs):
        start = landscapes.get_function(function).start if x0 is None else x0
        return original_trajectory(optimizer_factory, function, _up_one_ulp(start), *args, **kwargs)

    trajectory_module.trajectory = trajectory  # race() looks it up here
    landscapes.trajectory = trajectory

    original_mlp = model_module.mlp

    @functools.wraps(original_mlp)
    def mlp(*args, **kwargs):
        model = original_mlp(*args, **kwargs)
        for parameter in model.parameters():
            parameter.value[...] = _up_one_ulp(parameter.value)
        return model

    model_module.mlp = mlp
    nn.mlp = mlp

    original_transform = preprocessing.Standardizer.transform

    @functools.wraps(original_transform)
    def transform(self, X):
        return _up_one_ulp(original_transform(self, X))

    preprocessing.Standardizer.transform = transform


_install()
