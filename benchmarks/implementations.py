"""The same training step written five ways, so their speeds can be compared fairly.

One *training step* is: forward pass of the 64-100-100-100-10 MLP (ReLU hidden layers), mean
softmax cross-entropy over the batch, backward pass, and one Adam update with PyTorch's
defaults::

    m <- beta1 m + (1 - beta1) g            v <- beta2 v + (1 - beta2) g^2
    p <- p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Every implementation starts from the same weights (``weights`` below: a list of ``(W, b)`` with
``W`` of shape ``(n_in, n_out)``), gets the same mini-batches (each converted to its own layout
by ``prepare`` *before* timing) and has the same interface:

``prepare(X, y) -> batch``, ``step(batch) -> loss``, ``loss_and_gradients(batch) -> (loss, grads)``
(without updating; grads as ``[(dW (n_in, n_out), db (n_out,)), ...]``) and ``current_weights()``.

- ``NnoptMLP``: ``nnopt.nn.mlp`` + ``nnopt.optim.Adam`` (the thing measured).
- ``DeepLearningAiMLP``: the loop of the deeplearning.ai courses: parameters in a dict
  ``W1, b1, ...`` in the column-major ``Z = W @ A + b`` convention (examples are columns),
  forward/backward with per-layer caches, Adam with dicts ``v``/``s`` and fresh arrays for
  every intermediate, as that style writes it. The baseline nnopt must beat in float64.
- ``HandTunedMLP``: the fastest NumPy loop we could write: row-major ``X @ W``, every buffer
  allocated once and written with ``out=``, all parameters, gradients and Adam moments as views
  of one flat array each so that Adam is a dozen whole-vector operations.
- ``HandTunedPerParameterMLP``: the same loop, but Adam runs parameter by parameter (the
  shape an optimizer that takes a list of separate parameters has).
- ``TorchMLP``: ``torch.nn.Sequential`` of ``Linear``/``ReLU``, ``CrossEntropyLoss``,
  ``torch.optim.Adam`` (defaults), on the CPU.
- ``MatmulFloor``: only the matrix products of a step (4 forward, 4 weight gradients, 3 input
  gradients) into preallocated outputs: the time no NumPy implementation can beat.
"""
from __future__ import annotations

import math

import numpy as np

LAYER_SIZES = (64, 100, 100, 100, 10)
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8

Weights = list[tuple[np.ndarray, np.ndarray]]


def he_weights(sizes=LAYER_SIZES, seed: int = 0) -> Weights:
    """He-normal weights ``N(0, 2 / n_in)`` and zero biases, float64 (used when nnopt.nn is absent)."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in), np.zeros(n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def reference_weights(seed: int = 0) -> Weights:
    """The starting weights every implementation uses: nnopt's ``mlp`` init if it exists."""
    try:
        return NnoptMLP(np.float64, seed=seed).current_weights()
    except ImportError:
        return he_weights(seed=seed)


# --------------------------------------------------------------------------------------------
class NnoptMLP:
    """nnopt's own model and Adam: ``zero_grad(); model.loss(X, y); model.backward(); step()``."""

    name = "nnopt"

    def __init__(self, dtype, weights: Weights | None = None, seed: int = 0,
                 lr: float = LR, betas=BETAS, eps: float = EPS):
        from nnopt.nn import mlp  # ImportError until nnopt.nn exists: the caller skips nnopt
        from nnopt.optim import Adam

        self.dtype = np.dtype(dtype)
        self.model = mlp(list(LAYER_SIZES), activation="relu", output="softmax", dtype=self.dtype, seed=seed)
        params = self.model.parameters()
        if weights is not None:
            for (W, b), (pW, pb) in zip(weights, zip(params[0::2], params[1::2])):
                pW.value[...] = W
                pb.value[...] = b
        self.optimizer = Adam(params, lr=lr, betas=betas, eps=eps)

    def prepare(self, X, y):
        return np.ascontiguousarray(X, dtype=self.dtype), np.ascontiguousarray(y, dtype=np.int64)

    def step(self, batch) -> float:
        X, y = batch
        self.optimizer.zero_grad()
        loss = self.model.loss(X, y)
        self.model.backward()
        self.optimizer.step()
        return loss

    def loss_and_gradients(self, batch):
        X, y = batch
        self.model.zero_grad()
        loss = self.model.loss(X, y)
        self.model.backward()
        params = self.model.parameters()
        return float(loss), [(W.grad.copy(), b.grad.copy()) for W, b in zip(params[0::2], params[1::2])]

    def current_weights(self) -> Weights:
        params = self.model.parameters()
        return [(W.value.astype(np.float64), b.value.astype(np.float64)) for W, b in zip(params[0::2], params[1::2])]


# --------------------------------------------------------------------------------------------
class DeepLearningAiMLP:
    """The deeplearning.ai-style loop: dicts of column-major arrays, fresh arrays everywhere.

    Shapes: ``W{l}`` is ``(n_l, n_{l-1})``, ``b{l}`` is ``(n_l, 1)``, ``A{l}`` is ``(n_l, m)``.
    The batch is ``X.T`` of shape ``(64, m)`` and the one-hot labels ``Y`` of shape ``(10, m)``.
    """

    name = "deeplearning.ai-style loop"

    def __init__(self, dtype, weights: Weights, lr: float = LR, betas=BETAS, eps: float = EPS):
        self.dtype = np.dtype(dtype)
        self.L = len(weights)
        self.parameters = {}
        for l, (W, b) in enumerate(weights, start=1):
            self.parameters["W" + str(l)] = np.array(W.T, dtype=self.dtype)
            self.parameters["b" + str(l)] = np.array(b.reshape(-1, 1), dtype=self.dtype)
        self.v, self.s = self.initialize_adam(self.parameters)
        self.t = 0
        self.learning_rate, (self.beta1, self.beta2), self.epsilon = lr, betas, eps

    def prepare(self, X, y):
        n_classes = LAYER_SIZES[-1]
        Y = np.zeros((n_classes, len(y)), dtype=self.dtype)
        Y[np.asarray(y), np.arange(len(y))] = 1.0
        return np.array(np.asarray(X).T, dtype=self.dtype, order="C"), Y

    # -- the course-style helper functions ---------------------------------------------------
    def initialize_adam(self, parameters):
        v, s = {}, {}
        for l in range(1, self.L + 1):
            v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
            v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
            s["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
            s["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
        return v, s

    @staticmethod
    def linear_forward(A, W, b):
        Z = np.dot(W, A) + b
        return Z, (A, W, b)

    @staticmethod
    def relu(Z):
        return np.maximum(0, Z), Z

    @staticmethod
    def softmax(Z):
        exps = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return exps / np.sum(exps, axis=0, keepdims=True), Z

    def forward_propagation(self, X):
        caches = []
        A = X
        for l in range(1, self.L):
            Z, linear_cache = self.linear_forward(A, self.parameters["W" + str(l)], self.parameters["b" + str(l)])
            A, activation_cache = self.relu(Z)
            caches.append((linear_cache, activation_cache))
        Z, linear_cache = self.linear_forward(A, self.parameters["W" + str(self.L)], self.parameters["b" + str(self.L)])
        AL, activation_cache = self.softmax(Z)
        caches.append((linear_cache, activation_cache))
        return AL, caches

    @staticmethod
    def compute_cost(AL, Y):
        m = Y.shape[1]
        cost = -np.sum(Y * np.log(AL)) / m
        return float(np.squeeze(cost))

    @staticmethod
    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        dW = 1 / m * np.dot(dZ, A_prev.T)
        db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
        dA_prev = np.dot(W.T, dZ)
        return dA_prev, dW, db

    @staticmethod
    def relu_backward(dA, Z):
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        return dZ

    def backward_propagation(self, AL, Y, caches):
        grads = {}
        L = self.L
        dZ = AL - Y  # softmax and cross-entropy together
        linear_cache, _ = caches[L - 1]
        grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = self.linear_backward(dZ, linear_cache)
        for l in reversed(range(L - 1)):
            linear_cache, activation_cache = caches[l]
            dZ = self.relu_backward(grads["dA" + str(l + 1)], activation_cache)
            dA_prev, dW, db = self.linear_backward(dZ, linear_cache)
            grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA_prev, dW, db
        return grads

    def update_parameters_with_adam(self, grads, t):
        v_corrected, s_corrected = {}, {}
        beta1, beta2, epsilon = self.beta1, self.beta2, self.epsilon
        for l in range(1, self.L + 1):
            for p in ("W", "b"):
                key = "d" + p + str(l)
                self.v[key] = beta1 * self.v[key] + (1 - beta1) * grads[key]
                v_corrected[key] = self.v[key] / (1 - beta1 ** t)
                self.s[key] = beta2 * self.s[key] + (1 - beta2) * np.power(grads[key], 2)
                s_corrected[key] = self.s[key] / (1 - beta2 ** t)
                # sqrt(s / (1 - beta2^t)) + eps: the same denominator as torch.optim.Adam
                self.parameters[p + str(l)] = (self.parameters[p + str(l)]
                                               - self.learning_rate * v_corrected[key] / (np.sqrt(s_corrected[key]) + epsilon))

    # -- the common interface -----------------------------------------------------------------
    def step(self, batch) -> float:
        X, Y = batch
        AL, caches = self.forward_propagation(X)
        cost = self.compute_cost(AL, Y)
        grads = self.backward_propagation(AL, Y, caches)
        self.t += 1
        self.update_parameters_with_adam(grads, self.t)
        return cost

    def loss_and_gradients(self, batch):
        X, Y = batch
        AL, caches = self.forward_propagation(X)
        cost = self.compute_cost(AL, Y)
        grads = self.backward_propagation(AL, Y, caches)
        return cost, [(grads["dW" + str(l)].T.copy(), grads["db" + str(l)].ravel().copy()) for l in range(1, self.L + 1)]

    def current_weights(self) -> Weights:
        return [(self.parameters["W" + str(l)].T.astype(np.float64), self.parameters["b" + str(l)].ravel().astype(np.float64))
                for l in range(1, self.L + 1)]


# --------------------------------------------------------------------------------------------
class _Workspace:
    """The per-batch-size buffers of the hand-tuned loop (allocated on first use of a size)."""

    def __init__(self, m: int, sizes, dtype):
        hidden = sizes[1:-1]
        self.hidden = [np.empty((m, n), dtype) for n in hidden]    # activations, ReLU applied in place
        self.masks = [np.empty((m, n), dtype) for n in hidden]     # 1.0 where the pre-activation > 0
        self.deltas = [np.empty((m, n), dtype) for n in hidden]    # dL/d(hidden activation)
        self.logits = np.empty((m, sizes[-1]), dtype)               # logits -> exp -> softmax -> dL/dlogits
        self.row_max = np.empty(m, dtype)
        self.row_sum = np.empty(m, dtype)
        self.row_max_column = self.row_max[:, None]
        self.row_sum_column = self.row_sum[:, None]
        self.log_row_sum = np.empty(m, dtype)
        self.ones = np.ones(m, dtype)                               # bias gradient = ones @ delta (BLAS gemv)
        self.rows = np.arange(m)


class HandTunedMLP:
    """Row-major ``out = X @ W + b``, no allocation in the step, Adam on one flat vector."""

    name = "hand-tuned NumPy (flat Adam)"
    flat_adam = True

    def __init__(self, dtype, weights: Weights, lr: float = LR, betas=BETAS, eps: float = EPS):
        self.dtype = np.dtype(dtype)
        self.sizes = LAYER_SIZES
        n_total = sum(W.size + b.size for W, b in weights)
        self.flat_params = np.empty(n_total, self.dtype)
        self.flat_grads = np.zeros(n_total, self.dtype)
        self.m = np.zeros(n_total, self.dtype)
        self.v = np.zeros(n_total, self.dtype)
        self.scratch = np.empty(n_total, self.dtype)
        self.W, self.b, self.gW, self.gb = [], [], [], []
        self.param_views: list[tuple[np.ndarray, ...]] = []  # (param, grad, m, v, scratch) per parameter
        offset = 0
        for W, b in weights:
            for source, values, grads in ((W, self.W, self.gW), (b, self.b, self.gb)):
                stop = offset + source.size
                view = self.flat_params[offset:stop].reshape(source.shape)
                view[...] = source
                values.append(view)
                grads.append(self.flat_grads[offset:stop].reshape(source.shape))
                self.param_views.append(tuple(a[offset:stop] for a in
                                              (self.flat_params, self.flat_grads, self.m, self.v, self.scratch)))
                offset = stop
        self.WT = [W.T for W in self.W]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.t = 0
        self._workspaces: dict[int, _Workspace] = {}

    def prepare(self, X, y):
        return np.ascontiguousarray(X, dtype=self.dtype), np.ascontiguousarray(y, dtype=np.int64)

    def _forward_backward(self, X, y) -> float:
        m = X.shape[0]
        ws = self._workspaces.get(m)
        if ws is None:
            ws = self._workspaces[m] = _Workspace(m, self.sizes, self.dtype)
        # forward: H = relu(A @ W + b), ReLU as multiplication by the 0/1 mask kept for backward
        A = X
        for H, mask, W, b in zip(ws.hidden, ws.masks, self.W, self.b):
            np.matmul(A, W, out=H)
            H += b
            np.greater(H, 0, out=mask)
            H *= mask
            A = H
        Z = ws.logits
        np.matmul(A, self.W[-1], out=Z)
        Z += self.b[-1]
        # softmax cross-entropy: loss = mean(log(sum exp(z - max)) - (z_y - max))
        np.max(Z, axis=1, out=ws.row_max)
        Z -= ws.row_max_column
        picked = Z[ws.rows, y]
        np.exp(Z, out=Z)
        np.sum(Z, axis=1, out=ws.row_sum)
        np.log(ws.row_sum, out=ws.log_row_sum)
        loss = (ws.log_row_sum.sum() - picked.sum()) / m
        # dL/dlogits = (softmax - onehot) / m
        Z /= ws.row_sum_column
        Z[ws.rows, y] -= 1.0
        Z *= 1.0 / m
        delta = Z
        for layer in range(len(self.W) - 1, -1, -1):
            A_prev = X if layer == 0 else ws.hidden[layer - 1]
            np.matmul(A_prev.T, delta, out=self.gW[layer])
            np.matmul(ws.ones, delta, out=self.gb[layer])
            if layer:
                previous = ws.deltas[layer - 1]
                np.matmul(delta, self.WT[layer], out=previous)
                previous *= ws.masks[layer - 1]
                delta = previous
        return float(loss)

    @staticmethod
    def _adam_update(p, g, m, v, scratch, beta1, beta2, scaled_eps, step_size):
        m *= beta1
        np.multiply(g, 1.0 - beta1, out=scratch)
        m += scratch
        v *= beta2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - beta2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += scaled_eps
        np.divide(m, scratch, out=scratch)
        scratch *= step_size
        p -= scratch

    def _adam(self) -> None:
        # lr m̂ / (sqrt(v̂) + eps) = [lr sqrt(bc2) / bc1] m / (sqrt(v) + eps sqrt(bc2)), bc = 1 - beta^t:
        # the bias corrections become two scalars (one pass over the arrays less)
        self.t += 1
        sqrt_bc2 = math.sqrt(1.0 - self.beta2 ** self.t)
        step_size = self.lr * sqrt_bc2 / (1.0 - self.beta1 ** self.t)
        views = [(self.flat_params, self.flat_grads, self.m, self.v, self.scratch)] if self.flat_adam else self.param_views
        for p, g, m, v, scratch in views:
            self._adam_update(p, g, m, v, scratch, self.beta1, self.beta2, self.eps * sqrt_bc2, step_size)

    def step(self, batch) -> float:
        loss = self._forward_backward(*batch)
        self._adam()
        return loss

    def loss_and_gradients(self, batch):
        loss = self._forward_backward(*batch)
        return loss, [(gW.astype(np.float64), gb.astype(np.float64)) for gW, gb in zip(self.gW, self.gb)]

    def current_weights(self) -> Weights:
        return [(W.astype(np.float64), b.astype(np.float64)) for W, b in zip(self.W, self.b)]


class HandTunedPerParameterMLP(HandTunedMLP):
    """``HandTunedMLP`` with Adam applied to each of the 8 parameters separately."""

    name = "hand-tuned NumPy (per-parameter Adam)"
    flat_adam = False


# --------------------------------------------------------------------------------------------
class MatmulFloor:
    """Only the 11 matrix products of a step, into preallocated outputs (the BLAS floor)."""

    name = "matmul floor"

    def __init__(self, dtype, weights: Weights):
        self.dtype = np.dtype(dtype)
        self.W = [np.array(W, dtype=self.dtype) for W, _ in weights]
        self.gW = [np.empty_like(W) for W in self.W]
        self._buffers: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}

    def prepare(self, X, y):
        return np.ascontiguousarray(X, dtype=self.dtype), None

    def step(self, batch) -> float:
        X, _ = batch
        m = X.shape[0]
        if m not in self._buffers:
            outs = [np.empty((m, W.shape[1]), self.dtype) for W in self.W]
            self._buffers[m] = (outs, [np.empty_like(o) for o in outs])
        outs, deltas = self._buffers[m]
        A = X
        for W, out in zip(self.W, outs):
            np.matmul(A, W, out=out)
            A = out
        for layer in range(len(self.W) - 1, -1, -1):
            A_prev = X if layer == 0 else outs[layer - 1]
            np.matmul(A_prev.T, outs[layer], out=self.gW[layer])
            if layer:
                np.matmul(outs[layer], self.W[layer].T, out=deltas[layer - 1])
        return 0.0


# --------------------------------------------------------------------------------------------
class TorchMLP:
    """PyTorch on the CPU: ``nn.Sequential(Linear, ReLU, ...)``, ``CrossEntropyLoss``, ``optim.Adam``."""

    name = "PyTorch CPU"

    def __init__(self, dtype, weights: Weights, lr: float = LR, betas=BETAS, eps: float = EPS):
        import torch  # ImportError when torch is absent: the caller skips this column

        self.torch = torch
        self.torch_dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[np.dtype(dtype)]
        layers = []
        for index, (W, b) in enumerate(weights):
            linear = torch.nn.Linear(W.shape[0], W.shape[1], dtype=self.torch_dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if index < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr, betas=betas, eps=eps)

    def prepare(self, X, y):
        torch = self.torch
        return (torch.from_numpy(np.ascontiguousarray(X)).to(self.torch_dtype),
                torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64)))

    def step(self, batch) -> float:
        X, y = batch
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(X), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def _linears(self):
        return [layer for layer in self.model if isinstance(layer, self.torch.nn.Linear)]

    def loss_and_gradients(self, batch):
        X, y = batch
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(X), y)
        loss.backward()
        return loss.item(), [(lin.weight.grad.numpy().T.astype(np.float64), lin.bias.grad.numpy().astype(np.float64))
                             for lin in self._linears()]

    def current_weights(self) -> Weights:
        return [(lin.weight.detach().numpy().T.astype(np.float64), lin.bias.detach().numpy().astype(np.float64))
                for lin in self._linears()]


def set_torch_threads(n: int = 1) -> bool:
    """``torch.set_num_threads(n)`` if torch is installed; returns whether it is."""
    try:
        import torch
    except ImportError:
        return False
    torch.set_num_threads(n)
    return True
