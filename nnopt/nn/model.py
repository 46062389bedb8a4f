"""A sequential network: layers applied one after another, then a loss.

    model = mlp([64, 100, 10])           # Dense(64->100), ReLU, Dense(100->10) + softmax cross-entropy
    loss = model.loss(X_batch, y_batch)  # forward pass and mean loss
    model.zero_grad()
    model.backward()                     # dL/dparameter, added into every Parameter.grad
    for name, p in model.named_parameters():
        p.value -= 0.1 * p.grad          # what an optimizer's step() does

Backpropagation is the chain rule run backwards: the loss gives ``dL/d output``, and each
layer turns ``dL/d(its output)`` into ``dL/d(its input)`` (and the gradients of its own
weights) using what its forward pass cached.
"""
from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from numbers import Integral

import numpy as np

from ..parameter import Parameter
from .init import as_float_dtype, as_generator, get_initializer, INITIALIZERS
from .layers import Dense, LeakyReLU, Layer, ReLU, Sigmoid, Tanh
from .losses import Loss, MeanSquaredError, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy

__all__ = ["Sequential", "mlp", "ACTIVATIONS", "OUTPUTS"]

#: ``mlp(activation=...)`` names and the hidden-layer activation each builds.
ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "tanh": Tanh, "sigmoid": Sigmoid}
#: ``mlp(output=...)`` names and the loss each pairs with the last (linear) Dense layer.
OUTPUTS = {"softmax": SoftmaxCrossEntropy, "sigmoid": SigmoidBinaryCrossEntropy, "linear": MeanSquaredError}
#: The initialiser ``mlp`` uses when ``init=None``: He for the ReLU family, Glorot for saturating activations.
DEFAULT_INIT = {"relu": "he", "leaky_relu": "he", "tanh": "glorot", "sigmoid": "glorot"}


class Sequential:
    """Layers applied in order, followed by a loss that pairs with the last layer's output.

    Layers get names by type, numbered from 1 (``"dense1"``, ``"relu1"``, ``"dense2"``, ...),
    and their Parameters get names ``"dense1.W"``, ``"dense1.b"``, ... in ``named_parameters()``.
    All Parameters share one dtype (``model.dtype``); inputs of another dtype are cast once
    on the way in, so activations and gradients stay in that dtype too.

    Storage: the model's parameters are views of one buffer. At construction, ``Sequential``
    copies every parameter value into one flat array and every gradient into another, and
    makes each Parameter's ``value`` and ``grad`` a view of its slice (in
    ``named_parameters()`` order). Layers and optimizers update them in place, never
    rebinding them, so ``zero_grad`` is one ``fill(0)`` and an optimizer steps the whole model
    as one flat array (``nnopt/optim/_flat.py``).
    """

    def __init__(self, layers: Iterable[Layer], loss: Loss):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential needs at least one layer, got an empty list.")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{index}] must be a nnopt.nn Layer (Dense, ReLU, ...), got {layer!r}.")
        if not isinstance(loss, Loss):
            raise TypeError(
                f"loss must be a nnopt.nn Loss (SoftmaxCrossEntropy(), SigmoidBinaryCrossEntropy(), "
                f"MeanSquaredError()), got {loss!r}."
            )
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("the same layer object appears twice in layers; create a new layer for each position.")
        counts: dict[str, int] = {}
        for layer in layers:
            kind = type(layer).__name__.lower()
            counts[kind] = counts.get(kind, 0) + 1
            if layer.name is None:
                layer.name = f"{kind}{counts[kind]}"
        names = [layer.name for layer in layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}.")

        self._layers = tuple(layers)
        self.loss_function = loss
        self._named_parameters: list[tuple[str, Parameter]] = []
        self._layer_groups: list[tuple[str, list[Parameter]]] = []
        for layer in layers:
            own = layer.named_parameters()
            for short_name, parameter in own:
                parameter.name = f"{layer.name}.{short_name}"
                self._named_parameters.append((parameter.name, parameter))
            if own:
                self._layer_groups.append((layer.name, [parameter for _, parameter in own]))
        self._parameters = [parameter for _, parameter in self._named_parameters]
        dtypes = {parameter.dtype for parameter in self._parameters}
        if len(dtypes) > 1:
            raise TypeError(f"all layers must share one dtype, got {sorted(str(d) for d in dtypes)}.")
        self._dtype = dtypes.pop() if dtypes else np.dtype(np.float64)
        self._values, self._grads = _share_one_buffer(self._parameters, self._dtype)
        self._grad_views = [parameter.grad for parameter in self._parameters]

        # Backward stops at the first layer with parameters: nothing below it needs a gradient,
        # and that layer need not compute dL/d(input) (a matrix product saved per step).
        first = next((i for i, layer in enumerate(layers) if layer.named_parameters()), None)
        self._backward_layers = layers[first:][::-1] if first is not None else []
        self._first_is_dense = first is not None and isinstance(layers[first], Dense)
        self._loss_ready = False

    # ----------------------------------------------------------------- structure
    @property
    def layers(self) -> tuple[Layer, ...]:
        """The layers, in order (``model.layers[0]`` is the first Dense layer)."""
        return self._layers

    @property
    def dtype(self) -> np.dtype:
        """The dtype of every Parameter, activation and gradient of the model."""
        return self._dtype

    @property
    def n_params(self) -> int:
        """Total number of trainable numbers."""
        return sum(parameter.size for parameter in self._parameters)

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self):
        return iter(self._layers)

    def __getitem__(self, key: int | str) -> Layer:
        """``model[0]`` (by position) or ``model["dense1"]`` (by name)."""
        if isinstance(key, str):
            for layer in self._layers:
                if layer.name == key:
                    return layer
            raise KeyError(f"no layer named {key!r}; the layers are {[layer.name for layer in self._layers]}.")
        return self._layers[key]

    def parameters(self) -> list[Parameter]:
        """Every Parameter, layer by layer (``W`` then ``b``), as a new list."""
        return list(self._parameters)

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``[("dense1.W", W1), ("dense1.b", b1), ("dense2.W", W2), ...]``."""
        return list(self._named_parameters)

    def layer_groups(self) -> list[tuple[str, list[Parameter]]]:
        """``[("dense1", [W1, b1]), ("dense2", [W2, b2]), ...]``: one entry per layer with parameters,
        ready for per-layer optimizer groups: ``[{"params": ps, "lr": ...} for _, ps in model.layer_groups()]``."""
        return [(name, list(params)) for name, params in self._layer_groups]

    def zero_grad(self) -> None:
        """Set every Parameter's gradient to zero (gradients accumulate across backward calls)."""
        if all(map(operator.is_, (parameter.grad for parameter in self._parameters), self._grad_views)):
            self._grads.fill(0)                  # every gradient is a view of this buffer
        else:                                    # someone rebound a .grad: zero each one
            for parameter in self._parameters:
                parameter.grad.fill(0)

    # ----------------------------------------------------------------- computing
    def _as_input(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2:
            hint = " (for a single example use X.reshape(1, -1))" if X.ndim == 1 else ""
            raise ValueError(f"X must be a 2-D array (n_examples, n_features), got shape {X.shape}{hint}.")
        if X.dtype != self._dtype:
            if X.dtype.kind not in "fiub":
                raise TypeError(f"X must hold real numbers, got dtype {X.dtype}.")
            X = X.astype(self._dtype)
        return X

    def forward(self, X, training: bool = True) -> np.ndarray:
        """The last layer's output (logits for classifiers), shape ``(m, n_outputs)``.

        ``training=True`` caches what backward needs; ``training=False`` caches nothing.
        """
        if training:
            self._loss_ready = False  # the layer caches no longer match the last loss
        return self._forward(self._as_input(X), training)

    def _forward(self, X: np.ndarray, training: bool) -> np.ndarray:
        out = X
        for layer in self._layers:
            out = layer.forward(out, training)
        return out

    def loss(self, X, y, training: bool = True) -> float:
        """Forward pass, then the mean loss over the batch (a Python float).

        With ``training=True`` (default) it remembers what :meth:`backward` needs; use
        ``training=False`` to evaluate (validation loss) without touching that memory.
        """
        X = self._as_input(X)
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y has {y.shape[0] if y.ndim else 0} targets (shape {y.shape}) but X has {X.shape[0]} "
                f"examples (rows); they must match."
            )
        if training:
            self._loss_ready = False
        value = self.loss_function.forward(self._forward(X, training), y, training)
        if training:
            self._loss_ready = True
        return value

    def backward(self) -> None:
        """Backpropagate from the last ``loss(X, y)``: add ``dL/dp`` into ``p.grad`` for every Parameter.

        Gradients accumulate (``+=``): call :meth:`zero_grad` (or ``optimizer.zero_grad()``) first
        unless you mean to add them up. Calling backward twice adds the gradient twice.
        """
        if not self._loss_ready:
            raise RuntimeError(
                "backward() needs a loss to differentiate: call model.loss(X, y) (training=True) first; "
                "a forward(X, training=True) after it also invalidates it."
            )
        grad = self.loss_function.backward()
        last = len(self._backward_layers) - 1
        for position, layer in enumerate(self._backward_layers):
            if position == last and self._first_is_dense:
                layer.backward(grad, compute_input_grad=False)
            else:
                grad = layer.backward(grad)

    def predict(self, X) -> np.ndarray:
        """Class labels (softmax: argmax; sigmoid: 0/1 with threshold 0.5) or values (linear output).

        For a single output unit the result is 1-D, shape ``(m,)``.
        """
        return self.loss_function.predict(self.forward(X, training=False))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities: softmax rows ``(m, C)``, or ``P(y = 1)`` of shape ``(m,)`` for a sigmoid output."""
        return self.loss_function.predict_proba(self.forward(X, training=False))

    def accuracy(self, X, y) -> float:
        """Fraction of examples whose predicted class equals ``y`` (classifiers only; TypeError otherwise)."""
        if not self.loss_function.is_classifier:
            self.loss_function.accuracy(None, y)  # raises the explanatory TypeError
        return self.loss_function.accuracy(self.forward(X, training=False), y)

    # ----------------------------------------------------------------- copying
    def __setstate__(self, state: dict) -> None:
        """After ``copy.deepcopy`` or ``pickle``: the copied Parameters are views of the copied
        flat buffers again (see ``Parameter.__getstate__``); re-record the gradient views that
        ``zero_grad`` checks, and re-share the buffers if the views were lost."""
        self.__dict__.update(state)
        parameters = self._parameters
        if not all(_is_view_of(p.value, self._values) and _is_view_of(p.grad, self._grads)
                   for p in parameters):
            self._values, self._grads = _share_one_buffer(parameters, self._dtype)
        self._grad_views = [parameter.grad for parameter in parameters]

    # ----------------------------------------------------------------- display
    def summary(self) -> str:
        """A table of layers, parameter shapes and counts."""
        rows = [("layer", "type", "parameters", "count")]
        for layer in self._layers:
            shapes = ", ".join(f"{name} {parameter.shape}" for name, parameter in layer.named_parameters())
            rows.append((layer.name, type(layer).__name__, shapes or "-", f"{layer.n_params:,}"))
        rows.append(("loss", type(self.loss_function).__name__, "-", "-"))
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        lines = []
        for index, row in enumerate(rows):
            cells = [cell.ljust(width) for cell, width in zip(row[:3], widths)] + [row[3].rjust(widths[3])]
            lines.append("  ".join(cells).rstrip())
            if index == 0:
                lines.append("-" * len(lines[0]))
        lines.append("-" * len(lines[0]))
        lines.append(f"total: {self.n_params:,} parameters, dtype {self._dtype}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        lines = ["Sequential("]
        for layer in self._layers:
            count = f"  # {layer.n_params:,} parameters" if layer.n_params else ""
            lines.append(f"  ({layer.name}): {layer!r}{count}")
        lines.append(f"  (loss): {self.loss_function!r}")
        lines.append(f")  # {self.n_params:,} parameters, {self._dtype}")
        return "\n".join(lines)


def _share_one_buffer(parameters: list[Parameter], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Move the parameters' values and gradients into one flat buffer each (copying them in)
    and make every ``.value`` / ``.grad`` a view of its consecutive slice; return the buffers."""
    total = sum(parameter.size for parameter in parameters)
    values, grads = np.empty(total, dtype), np.empty(total, dtype)
    start = 0
    for parameter in parameters:
        stop = start + parameter.size
        value = values[start:stop].reshape(parameter.shape)
        grad = grads[start:stop].reshape(parameter.shape)
        value[...], grad[...] = parameter.value, parameter.grad
        parameter.value, parameter.grad = value, grad
        start = stop
    return values, grads


def _is_view_of(array, buffer) -> bool:
    return isinstance(array, np.ndarray) and array.base is buffer


def _check_choice(argument: str, value, allowed: dict) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {argument} {value!r}; allowed: {', '.join(repr(name) for name in allowed)}.")


def mlp(
    layer_sizes: Sequence[int],
    activation: str = "relu",
    output: str = "softmax",
    init=None,
    dtype=np.float64,
    seed=0,
) -> Sequential:
    """A multilayer perceptron: ``Dense -> activation -> ... -> Dense`` plus the loss for ``output``.

    ``layer_sizes = [n_features, hidden_1, ..., n_outputs]``: ``mlp([64, 100, 10])`` is
    Dense(64, 100), ReLU, Dense(100, 10) with softmax cross-entropy.

    activation
        Hidden activation: ``"relu"``, ``"leaky_relu"`` (slope 0.01), ``"tanh"`` or ``"sigmoid"``.
    output
        ``"softmax"`` (multi-class, int labels; SoftmaxCrossEntropy), ``"sigmoid"`` (binary,
        one output unit, 0/1 labels; SigmoidBinaryCrossEntropy) or ``"linear"``
        (regression; MeanSquaredError). The last Dense layer is linear in all three: the
        softmax / sigmoid lives in the loss, for numerical stability.
    init
        ``"he"``, ``"glorot"``, ``"small"`` or a callable ``init(n_in, n_out, rng, dtype)``;
        None picks ``"he"`` for relu / leaky_relu and ``"glorot"`` for tanh / sigmoid.
        Biases start at zero.
    dtype
        ``np.float64`` (default) or ``np.float32``, for every parameter, activation and gradient.
    seed
        An int or a ``numpy.random.Generator``: the same seed builds the same weights.
    """
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(f"layer_sizes must be a list of ints like [64, 100, 10], got {layer_sizes!r}.")
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes needs at least an input and an output size, like [64, 10], got {sizes!r}."
        )
    for index, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise ValueError(f"layer_sizes[{index}] must be a positive int, got {size!r} (in {sizes!r}).")
    _check_choice("activation", activation, ACTIVATIONS)
    _check_choice("output", output, OUTPUTS)
    if init is None:
        init = DEFAULT_INIT[activation]
    elif not callable(init):
        _check_choice("init", init, INITIALIZERS)
    get_initializer(init)
    dtype = as_float_dtype(dtype)
    if output == "softmax" and sizes[-1] < 2:
        raise ValueError(
            f"output='softmax' needs at least 2 output units (one per class), got {sizes[-1]}; "
            f"for a binary problem use output='sigmoid' with 1 output unit."
        )
    rng = as_generator(seed)
    layers: list[Layer] = []
    for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(int(n_in), int(n_out), init=init, seed=rng, dtype=dtype))
        if index < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return Sequential(layers, OUTPUTS[output]())
