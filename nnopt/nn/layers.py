"""Layers: a fully connected layer and the activations between layers.

Every layer has ``forward(x, training=True) -> out`` and ``backward(grad_out) -> grad_in``:
backward takes ``dL/d out`` and returns ``dL/d x`` using what forward cached. A layer with
weights also *adds* ``dL/dW`` and ``dL/db`` into its Parameters' ``.grad`` (``+=``, like
PyTorch), so gradients accumulate until ``zero_grad()``.

``forward(x, training=False)`` (prediction, evaluation) caches nothing, so it never changes
what the next ``backward`` computes.

Shapes: ``x`` is ``(m, n_in)``, one example per row (m examples in a mini-batch).
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from ..parameter import Parameter
from .init import as_float_dtype, as_generator, get_initializer, zeros

__all__ = ["Layer", "Dense", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "sigmoid"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function ``sigma(x) = 1 / (1 + exp(-x))``, computed without overflow.

    With ``e = exp(-|x|)`` (always in (0, 1], so ``exp`` never overflows):
    ``sigma(x) = 1 / (1 + e)`` for ``x >= 0`` and ``e / (1 + e)`` for ``x < 0``. Both forms
    are accurate to the last bit in their half (``1 - 1/(1 + exp(-x))`` would lose all
    digits for very negative x). The dtype of ``x`` is kept.
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.where(x >= 0, 1.0, e).astype(x.dtype, copy=False)
    e += 1.0
    out /= e
    return out


class Layer:
    """Base class: a layer maps ``x`` of shape ``(m, n_in)`` to ``out`` of shape ``(m, n_out)``.

    ``name`` is set by :class:`~nnopt.nn.model.Sequential` (``"dense1"``, ``"relu1"``, ...)
    and appears in error messages and parameter names.
    """

    def __init__(self, name: str | None = None):
        self.name = name

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        return self.forward(x, training)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``(name, Parameter)`` pairs owned by this layer (empty for activations)."""
        return []

    def parameters(self) -> list[Parameter]:
        """The Parameters owned by this layer, in order."""
        return [parameter for _, parameter in self.named_parameters()]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers in this layer."""
        return sum(parameter.size for parameter in self.parameters())

    def zero_grad(self) -> None:
        for parameter in self.parameters():
            parameter.zero_grad()

    @property
    def _label(self) -> str:
        return self.name or type(self).__name__

    def _no_cache_error(self) -> RuntimeError:
        return RuntimeError(
            f"{self._label}.backward() called before forward(x, training=True): there is no "
            f"cached input to differentiate at. (forward with training=False caches nothing.)"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer ``out = x @ W + b`` with ``W`` of shape ``(n_in, n_out)``, ``b`` of ``(n_out,)``.

    Backward, for ``G = dL/d out`` of shape ``(m, n_out)``::

        dL/dW += x.T @ G          (n_in, n_out)
        dL/db += G.sum(axis=0)    (n_out,)
        dL/dx  = G @ W.T          (m, n_in)   returned

    ``init`` is ``"he"`` (default), ``"glorot"``, ``"small"`` or a callable
    ``init(n_in, n_out, rng, dtype)``; biases start at zero. ``seed`` is an int or a
    ``numpy.random.Generator``.
    """

    def __init__(self, n_in: int, n_out: int, init="he", seed=0, dtype=np.float64, name: str | None = None):
        super().__init__(name)
        for label, value in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"Dense {label} must be a positive int (a layer width), got {value!r}.")
        self.n_in, self.n_out = int(n_in), int(n_out)
        dtype = as_float_dtype(dtype)
        initializer = get_initializer(init)
        self.init = init if isinstance(init, str) else getattr(init, "__name__", "custom")
        weights = np.asarray(initializer(self.n_in, self.n_out, as_generator(seed), dtype))
        if weights.shape != (self.n_in, self.n_out):
            raise ValueError(
                f"init returned an array of shape {weights.shape}, expected (n_in, n_out) = {(self.n_in, self.n_out)}."
            )
        self.W = Parameter(weights, name="W", dtype=dtype)
        self.b = Parameter(zeros(self.n_out, dtype), name="b", dtype=dtype)
        self._x: np.ndarray | None = None
        self._grad_W_buffer: np.ndarray | None = None  # reused by every backward: no per-step allocation
        self._W_transposed: np.ndarray | None = None   # contiguous copy of W.T, refreshed by every backward
        self._ones = np.ones(0, dtype)                  # (m,) ones for the bias gradient, reused while m stays

    @classmethod
    def from_weights(cls, W, b=None, dtype=None, name: str | None = None) -> Dense:
        """A Dense layer with the given weights ``W`` (``(n_in, n_out)``) and biases ``b`` (default 0).

        ``dtype`` defaults to the dtype of ``W`` when it is float32/float64, else float64.
        """
        W = np.asarray(W)
        if W.ndim != 2:
            raise ValueError(f"W must be 2-D (n_in, n_out), got shape {W.shape}.")
        if dtype is None:
            dtype = W.dtype if W.dtype in (np.float32, np.float64) else np.float64
        layer = cls(W.shape[0], W.shape[1], init=lambda n_in, n_out, rng, dt: W, dtype=dtype, name=name)
        layer.init = "from_weights"
        if b is not None:
            b = np.asarray(b)
            if b.shape != (layer.n_out,):
                raise ValueError(f"b must have shape (n_out,) = ({layer.n_out},), got {b.shape}.")
            layer.b.value[...] = b
        return layer

    @property
    def dtype(self) -> np.dtype:
        return self.W.value.dtype

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(
                f"{self._label} expects input of shape (m, {self.n_in}) (n_in = {self.n_in} features), "
                f"got shape {x.shape}."
            )
        if x.dtype != self.W.value.dtype:
            x = x.astype(self.W.value.dtype)
        out = np.matmul(x, self.W.value)
        out += self.b.value
        if training:
            self._x = x
        return out

    def backward(self, grad_out: np.ndarray, compute_input_grad: bool = True) -> np.ndarray | None:
        """Accumulate ``dL/dW`` and ``dL/db``; return ``dL/dx`` (None if ``compute_input_grad`` is False,
        which saves a matrix product for the first layer, whose input is the data)."""
        x = self._x
        if x is None:
            raise self._no_cache_error()
        if grad_out.shape != (x.shape[0], self.n_out):
            raise ValueError(
                f"{self._label}.backward expects grad_out of shape {(x.shape[0], self.n_out)} "
                f"(the shape of the last forward output), got {grad_out.shape}."
            )
        W = self.W
        if self._grad_W_buffer is None:
            self._grad_W_buffer = np.empty_like(W.grad)
            self._W_transposed = np.empty(W.value.shape[::-1], W.value.dtype)
        np.matmul(x.T, grad_out, out=self._grad_W_buffer)
        W.grad += self._grad_W_buffer
        # dL/db = G.sum(axis=0), computed as the matrix product ones @ G: the same sum (as
        # accurate), but one BLAS call, about twice as fast as NumPy's column sums.
        ones = self._ones
        if ones.shape[0] != x.shape[0] or ones.dtype != grad_out.dtype:
            ones = self._ones = np.ones(x.shape[0], grad_out.dtype)
        self.b.grad += np.matmul(ones, grad_out)
        if not compute_input_grad:
            return None
        # G @ W.T with a contiguous copy of W.T: OpenBLAS multiplies by a transposed operand
        # markedly slower at mini-batch sizes (~30% at 64 x 100 x 100), more than the copy costs.
        np.copyto(self._W_transposed, W.value.T)
        return np.matmul(grad_out, self._W_transposed)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        return [("W", self.W), ("b", self.b)]

    def __repr__(self) -> str:
        return f"Dense({self.n_in} -> {self.n_out}, init={self.init!r}, dtype={self.dtype})"


class ReLU(Layer):
    """Rectified linear unit ``relu(x) = max(x, 0)``; backward ``dL/dx = dL/d out * [x > 0]``.

    The derivative at exactly 0 is taken as 0, as in PyTorch. The mask ``[x > 0]`` is kept
    as 0.0/1.0 in the input's dtype (a boolean mask would be converted to floats by every
    multiplication), in one array reused while the batch shape stays the same.
    """

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        x = np.asarray(x)
        if not training:
            return np.maximum(x, 0)
        mask = self._mask
        if mask is None or mask.shape != x.shape or mask.dtype != x.dtype:
            mask = self._mask = np.empty_like(x)
        np.greater(x, 0, out=mask)
        return np.multiply(x, mask)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._mask is None:
            raise self._no_cache_error()
        return np.multiply(grad_out, self._mask)


class LeakyReLU(Layer):
    """Leaky ReLU: ``x`` for ``x > 0``, ``negative_slope * x`` otherwise (default slope 0.01, as PyTorch).

    Backward: ``dL/dx = dL/d out * (1 if x > 0 else negative_slope)``.
    """

    def __init__(self, negative_slope: float = 0.01, name: str | None = None):
        super().__init__(name)
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, Real) or not np.isfinite(negative_slope):
            raise ValueError(f"negative_slope must be a finite number, got {negative_slope!r}.")
        self.negative_slope = float(negative_slope)
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        x = np.asarray(x)
        mask = x > 0
        if training:
            self._mask = mask
        return np.where(mask, x, x * self.negative_slope)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._mask is None:
            raise self._no_cache_error()
        return np.where(self._mask, grad_out, grad_out * self.negative_slope)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class _SquashingActivation(Layer):
    """An activation whose derivative is a function of its output (tanh, sigmoid).

    Forward keeps ``out`` (in training mode); backward returns ``dL/d out * derivative(out)``.
    """

    def __init__(self, name: str | None = None):
        super().__init__(name)
        self._out: np.ndarray | None = None

    def activate(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, out: np.ndarray) -> np.ndarray:
        """``d out / d x`` written in terms of ``out``, as a new array."""
        raise NotImplementedError

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        out = self.activate(x)
        if training:
            self._out = out
        return out

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        if self._out is None:
            raise self._no_cache_error()
        local = self.derivative(self._out)
        local *= grad_out
        return local


class Tanh(_SquashingActivation):
    """Hyperbolic tangent ``out = tanh(x)``; backward ``dL/dx = dL/d out * (1 - out^2)``."""

    def activate(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def derivative(self, out: np.ndarray) -> np.ndarray:
        local = np.multiply(out, out)
        return np.subtract(1.0, local, out=local)


class Sigmoid(_SquashingActivation):
    """Logistic activation ``out = sigmoid(x) = 1 / (1 + exp(-x))`` (overflow-free, see :func:`sigmoid`).

    Backward: ``dL/dx = dL/d out * out * (1 - out)``.
    """

    def activate(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def derivative(self, out: np.ndarray) -> np.ndarray:
        local = np.subtract(1.0, out)
        local *= out
        return local
