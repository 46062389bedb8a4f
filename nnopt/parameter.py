"""A trainable array and its gradient: the one object every optimizer in nnopt updates.

A layer of the network owns ``Parameter`` objects (its weights ``W`` and biases ``b``);
a point on a 2-D test function is a ``Parameter`` of shape ``(2,)``. Because both are the
same kind of object, one optimizer class drives both the toy landscapes and the network.
"""
from __future__ import annotations

import numpy as np


class Parameter:
    """An array ``value`` that training changes, with the gradient ``grad`` of the loss.

    ``value`` and ``grad`` always have the same shape and dtype. Optimizers update
    ``value`` in place (``p.value -= lr * g``) and layers add into ``grad`` in place, never
    rebinding either, so arrays held elsewhere stay in sync. A model's parameters are views
    of one buffer: :class:`~nnopt.nn.Sequential` moves the values (and the gradients) of all
    its parameters into one flat array each, and optimizers update them in place, so the
    whole model steps as one array.

    >>> p = Parameter([1.0, 2.0], name="w")
    >>> p.grad
    array([0., 0.])
    """

    __slots__ = ("value", "grad", "name")

    def __init__(self, value, name: str | None = None, dtype=None):
        array = np.array(value, dtype=dtype if dtype is not None else None, copy=True)
        if np.iscomplexobj(array):
            raise TypeError(f"Parameter{' ' + name if name else ''} got complex values; the course's optimizers work on real "
                            f"numbers (float32 or float64): pass the real part, np.real(value), if that is meant.")
        if dtype is None and not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        if array.dtype not in (np.float32, np.float64):
            raise TypeError(
                f"Parameter{' ' + name if name else ''} needs the dtype float32 or float64, got {array.dtype}"
                + ("; float16 is too coarse for the optimizers' averages (eps = 1e-8 rounds to 0 and Adam "
                   "divides 0 by 0)" if array.dtype == np.float16 else "")
                + "; pass dtype=np.float64 (or np.float32)."
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"Parameter{' ' + name if name else ''} has non-finite initial values; check the initialiser.")
        self.value: np.ndarray = array
        self.grad: np.ndarray = np.zeros_like(array)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def size(self) -> int:
        return self.value.size

    @property
    def dtype(self):
        return self.value.dtype

    def zero_grad(self) -> None:
        """Set the gradient to zero in place (gradients accumulate until cleared)."""
        self.grad.fill(0.0)

    # ------------------------------------------------------------------ copying
    # ``copy.deepcopy`` and ``pickle`` copy a NumPy view as an independent array, which would
    # cut a model's parameters off its flat buffers (``model.zero_grad()`` would then clear
    # the buffer but not the gradients). A Parameter whose value or grad is a view of a 1-D
    # buffer is therefore saved as (buffer, offset, shape): the buffer is copied once (deepcopy
    # and pickle keep one copy of an object referenced twice) and the view is rebuilt on it,
    # as torch keeps tensors that share a storage sharing the copied storage.
    def __getstate__(self):
        return {"value": _portable(self.value), "grad": _portable(self.grad), "name": self.name}

    def __setstate__(self, state) -> None:
        if isinstance(state, tuple):            # (None, slots) from an older pickle
            state = state[1]
        self.value = _rebuild(state["value"])
        self.grad = _rebuild(state["grad"])
        self.name = state["name"]

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.shape}, dtype={self.dtype})"


def _portable(array):
    """``("view", buffer, offset, shape)`` for a contiguous view of a 1-D buffer, else ``array``."""
    base = getattr(array, "base", None)
    if (isinstance(array, np.ndarray) and isinstance(base, np.ndarray) and base.ndim == 1
            and base.flags.c_contiguous and array.flags.c_contiguous and array.dtype == base.dtype
            and type(base) is np.ndarray):
        offset_bytes = array.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        if offset_bytes % base.itemsize == 0:
            return ("view", base, offset_bytes // base.itemsize, array.shape)
    return array


def _rebuild(saved):
    if isinstance(saved, tuple) and len(saved) == 4 and saved[0] == "view":
        _, base, offset, shape = saved
        return base[offset:offset + int(np.prod(shape, dtype=np.int64))].reshape(shape)
    return saved
