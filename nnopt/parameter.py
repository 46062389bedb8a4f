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
        if dtype is None and not np.issubdtype(array.dtype, np.floating):
            array = array.astype(np.float64)
        if not np.issubdtype(array.dtype, np.floating):
            raise TypeError(
                f"Parameter {name or ''} needs a floating dtype (float32 or float64), "
                f"got {array.dtype}; pass dtype=np.float64."
            )
        if not np.all(np.isfinite(array)):
            raise ValueError(f"Parameter {name or ''} has non-finite initial values; check the initialiser.")
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

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Parameter({label}shape={self.shape}, dtype={self.dtype})"
