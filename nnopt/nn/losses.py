"""Losses, each paired with the output it expects, in the numerically stable form.

A loss takes the raw output of the last Dense layer (logits for the classifiers) and the
targets. ``forward(output, y) -> float`` returns the MEAN over the batch and caches what
``backward()`` needs; ``backward()`` returns ``d(mean loss) / d output`` (so it already
contains the ``1 / m``). ``forward(..., training=False)`` caches nothing.

=============================  =================  ==========================  ===============
loss                           output             targets                     ``predict``
=============================  =================  ==========================  ===============
``SoftmaxCrossEntropy``        logits ``(m, C)``  int classes ``(m,)`` or     argmax class
                                                  one-hot ``(m, C)``
``SigmoidBinaryCrossEntropy``  logits ``(m, 1)``  0/1 ``(m,)`` or ``(m, 1)``  1 if p >= 0.5
``MeanSquaredError``           values ``(m, k)``  reals, same shape           the values
=============================  =================  ==========================  ===============

Folding the softmax / sigmoid into the loss is what makes both stable and their gradients
simple: ``d loss / d logits = (probabilities - targets) / m`` for both classifiers.
"""
from __future__ import annotations

import numpy as np

from .layers import sigmoid

__all__ = ["Loss", "SoftmaxCrossEntropy", "SigmoidBinaryCrossEntropy", "MeanSquaredError", "softmax", "log_softmax"]


def _as_float_array(values) -> np.ndarray:
    values = np.asarray(values)
    return values if values.dtype.kind == "f" else values.astype(np.float64)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax(z)_k = z_k - logsumexp(z)``, with ``logsumexp(z) = c + log sum_j exp(z_j - c)``
    and ``c = max_j z_j`` so that no ``exp`` overflows."""
    logits = _as_float_array(logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return shifted


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise ``softmax(z)_k = exp(z_k - c) / sum_j exp(z_j - c)`` with ``c = max_j z_j`` (no overflow)."""
    logits = _as_float_array(logits)
    e = logits - logits.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # itemsize -> unsigned int of that size


def _check_output(output, loss_name: str) -> np.ndarray:
    output = np.asarray(output)
    if output.ndim not in (1, 2) or output.shape[0] == 0:
        raise ValueError(
            f"{loss_name} expects an output of shape (m, n_outputs) with m >= 1 examples, got shape {output.shape}."
        )
    if output.dtype.kind != "f":
        raise TypeError(f"{loss_name} expects a float output, got dtype {output.dtype}.")
    return output


def _length_error(y: np.ndarray, m: int) -> ValueError:
    return ValueError(f"y has {y.shape[0] if y.ndim else 0} targets (shape {y.shape}) but there are {m} examples "
                      f"(rows of X); give one target per example.")


class Loss:
    """Base class: ``forward(output, y, training=True) -> float``, ``backward() -> d loss / d output``."""

    #: True for losses whose outputs are class scores (accuracy and predict_proba make sense).
    is_classifier = False

    def __init__(self):
        self._cache = None

    def __call__(self, output, y, training: bool = True) -> float:
        return self.forward(output, y, training)

    def forward(self, output, y, training: bool = True) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError

    def predict(self, output: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, output: np.ndarray) -> np.ndarray:
        raise TypeError(f"predict_proba needs a classifier; {type(self).__name__} outputs are not probabilities.")

    def accuracy(self, output: np.ndarray, y) -> float:
        raise TypeError(
            f"accuracy is defined for classifiers (softmax or sigmoid output); this model's loss is "
            f"{type(self).__name__}. Compare model.predict(X) with y instead (e.g. the loss itself)."
        )

    def _cached(self):
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward() called before forward(output, y) (with training=True): "
                f"compute the loss first, e.g. model.loss(X, y), then model.backward()."
            )
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits ``z`` of shape ``(m, C)``.

    ``L = (1/m) sum_i [logsumexp(z_i) - z_{i, y_i}]`` (= ``-(1/m) sum_i log softmax(z_i)_{y_i}``),
    with ``logsumexp(z) = c + log sum_k exp(z_k - c)``, ``c = max_k z_k``: no exp overflows and no
    log of 0 is taken, whatever the logits. ``dL/dz = (softmax(z) - onehot(y)) / m``.

    Targets: int class indices ``(m,)`` in ``[0, C)``, or one-hot (or any probability) rows
    ``(m, C)``, for which ``L = -(1/m) sum_i sum_k Y_ik log softmax(z_i)_k`` and
    ``dL/dz = (softmax(z) - Y) / m``. Same numbers as ``torch.nn.CrossEntropyLoss()``.
    """

    is_classifier = True

    def __init__(self):
        super().__init__()
        self._rows = np.arange(0)        # 0, 1, ..., m-1: row indices, reused while m stays the same
        self._ones = np.ones(0)          # (C,) ones: row sums as the matrix-vector product exp @ ones

    def _targets(self, y, m: int, n_classes: int, dtype) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim == 1 and y.dtype.kind in "iu" and y.shape[0] == m:  # the usual case, checked fast
            self._check_label_range(y, n_classes)
            return y
        if y.ndim == 2 and y.shape[1] != 1:
            if y.shape != (m, n_classes):
                if y.shape[0] != m:
                    raise _length_error(y, m)
                raise ValueError(
                    f"one-hot y must have shape (m, n_classes) = {(m, n_classes)}, got {y.shape}."
                )
            y = y.astype(dtype, copy=False)
            if not (np.all(y >= 0) and np.allclose(y.sum(axis=1), 1.0, rtol=0.0, atol=1e-6)):
                raise ValueError("2-D y must hold one-hot (or probability) rows: non-negative, each summing to 1.")
            return y
        if y.ndim == 2:  # a column of labels (m, 1)
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"y must be class indices of shape (m,) or one-hot of shape (m, C), got shape {y.shape}.")
        if y.shape[0] != m:
            raise _length_error(y, m)
        if y.dtype.kind not in "iu":
            if y.dtype.kind != "f" or not np.all(y == np.round(y)):
                raise TypeError(
                    f"y must hold integer class indices 0..{n_classes - 1}, got dtype {y.dtype}; "
                    f"use y.astype(int) (or pass one-hot rows of shape (m, {n_classes}))."
                )
            y = y.astype(np.intp)
        self._check_label_range(y, n_classes)
        return y

    @staticmethod
    def _check_label_range(y: np.ndarray, n_classes: int) -> None:
        # Viewing signed ints as unsigned turns negative labels into huge ones: one max() checks both ends.
        unsigned = y.view(_UNSIGNED[y.dtype.itemsize]) if y.dtype.kind == "i" else y
        if unsigned.max() >= n_classes:
            raise ValueError(
                f"class labels must be in [0, {n_classes}) (the output layer has {n_classes} units), "
                f"got labels from {y.min()} to {y.max()}."
            )

    def forward(self, output, y, training: bool = True) -> float:
        logits = _check_output(output, "SoftmaxCrossEntropy")
        if logits.ndim != 2 or logits.shape[1] < 2:
            raise ValueError(
                f"SoftmaxCrossEntropy needs logits of shape (m, C) with C >= 2 classes, got {logits.shape}; "
                f"for two classes with one output unit use SigmoidBinaryCrossEntropy."
            )
        m, n_classes = logits.shape
        targets = self._targets(y, m, n_classes, logits.dtype)
        rows = self._rows if self._rows.shape[0] == m else np.arange(m)
        # c_i = max_k z_ik, read at the argmax: NumPy's argmax over short rows is several times
        # faster than max(axis=1), and the value is the same number.
        row_max = logits[rows, logits.argmax(axis=1)]
        shifted = logits - row_max[:, None]  # z - c <= 0: exp cannot overflow
        if targets.ndim == 1:
            picked_sum = shifted[rows, targets].sum()
        else:
            picked_sum = np.vdot(targets, shifted)  # sum_ik Y_ik (z_ik - c_i); rows of Y sum to 1
        exp = np.exp(shifted, out=shifted)
        ones = self._ones
        if ones.shape[0] != n_classes or ones.dtype != exp.dtype:
            ones = np.ones(n_classes, exp.dtype)
        # sum_k exp(z_ik - c_i) as one BLAS matrix-vector product (faster than exp.sum(axis=1) on
        # short rows); it is >= 1 (the max term is exp(0)), so the log is finite.
        sum_exp = np.matmul(exp, ones)
        loss = (float(np.log(sum_exp).sum()) - float(picked_sum)) / m
        if training:
            exp /= sum_exp[:, None]  # now the probabilities
            self._rows, self._ones = rows, ones
            self._cache = (exp, targets, rows)
        return loss

    def backward(self) -> np.ndarray:
        probabilities, targets, rows = self._cached()
        m = probabilities.shape[0]
        grad = probabilities * (1.0 / m)
        if targets.ndim == 1:
            grad[rows, targets] -= 1.0 / m
        else:
            grad -= targets * (1.0 / m)
        return grad

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Class labels ``argmax_k z_k`` (the softmax is monotone, so no need to compute it)."""
        return np.argmax(output, axis=1)

    def predict_proba(self, output: np.ndarray) -> np.ndarray:
        """Class probabilities ``softmax(z)``, shape ``(m, C)``."""
        return softmax(output)

    def accuracy(self, output: np.ndarray, y) -> float:
        y = np.asarray(y)
        m = output.shape[0]
        if y.shape[0] != m:
            raise _length_error(y, m)
        labels = np.argmax(y, axis=1) if (y.ndim == 2 and y.shape[1] > 1) else y.reshape(m)
        return float(np.mean(self.predict(output) == labels))


class SigmoidBinaryCrossEntropy(Loss):
    """Sigmoid followed by binary cross-entropy, on logits ``z`` (one output unit: shape ``(m, 1)`` or ``(m,)``).

    ``L = mean[max(z, 0) - z y + log(1 + exp(-|z|))]``, which equals
    ``mean[-y log sigmoid(z) - (1 - y) log(1 - sigmoid(z))]`` but never overflows and never
    takes log(0). ``dL/dz = (sigmoid(z) - y) / n`` with ``n`` the number of entries of ``z``.
    Targets are 0/1 (probabilities in [0, 1] work too), of shape ``(m,)`` or ``(m, 1)``.
    With ``k > 1`` output units (multi-label), y is ``(m, k)`` and the mean runs over all
    ``m k`` entries. Same numbers as ``torch.nn.BCEWithLogitsLoss()``.
    """

    is_classifier = True

    def _targets(self, y, logits: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        m = logits.shape[0]
        if y.ndim == 0 or y.shape[0] != m:
            raise _length_error(y, m)
        if y.size != logits.size:
            raise ValueError(f"y has shape {y.shape} but the output has shape {logits.shape}; "
                             f"give one 0/1 target per output entry.")
        if y.dtype.kind not in "biuf":
            raise TypeError(f"y must hold 0/1 targets, got dtype {y.dtype}.")
        y = y.reshape(logits.shape).astype(logits.dtype, copy=False)
        low, high = y.min(), y.max()
        if not (low >= 0 and high <= 1):
            raise ValueError(f"binary targets must be in [0, 1] (0/1 labels), got values from {low} to {high}.")
        return y

    def forward(self, output, y, training: bool = True) -> float:
        logits = _check_output(output, "SigmoidBinaryCrossEntropy")
        targets = self._targets(y, logits)
        exp_neg_abs = np.abs(logits)
        np.negative(exp_neg_abs, out=exp_neg_abs)
        np.exp(exp_neg_abs, out=exp_neg_abs)  # exp(-|z|) in (0, 1]: no overflow
        terms = np.maximum(logits, 0)
        terms -= logits * targets
        terms += np.log1p(exp_neg_abs)
        loss = float(terms.mean())
        if training:
            self._cache = (logits, targets, exp_neg_abs)
        return loss

    def backward(self) -> np.ndarray:
        logits, targets, exp_neg_abs = self._cached()
        # sigmoid(z) from the cached e = exp(-|z|): 1/(1+e) for z >= 0, e/(1+e) for z < 0.
        grad = np.where(logits >= 0, 1.0, exp_neg_abs).astype(logits.dtype, copy=False)
        grad /= 1.0 + exp_neg_abs
        grad -= targets
        grad *= 1.0 / logits.size
        return grad

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Labels 0/1: 1 where ``sigmoid(z) >= 0.5``, i.e. ``z >= 0``; shape ``(m,)`` for one output unit."""
        labels = (np.asarray(output) >= 0).astype(np.intp)
        return labels.reshape(-1) if labels.ndim == 2 and labels.shape[1] == 1 else labels

    def predict_proba(self, output: np.ndarray) -> np.ndarray:
        """``P(y = 1) = sigmoid(z)``; shape ``(m,)`` for one output unit."""
        probabilities = sigmoid(output)
        return probabilities.reshape(-1) if probabilities.ndim == 2 and probabilities.shape[1] == 1 else probabilities

    def accuracy(self, output: np.ndarray, y) -> float:
        labels = self.predict(output)
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[0] != labels.shape[0]:
            raise _length_error(y, labels.shape[0])
        if y.size != labels.size:
            raise ValueError(f"y has shape {y.shape} but the predictions have shape {labels.shape}.")
        return float(np.mean(labels == y.reshape(labels.shape)))


class MeanSquaredError(Loss):
    """Mean squared error over ALL entries: ``L = (1 / (m k)) sum_ij (out_ij - y_ij)^2`` for outputs ``(m, k)``.

    This is ``torch.nn.MSELoss()`` (``reduction="mean"``): it divides by the number of
    entries ``m k``, not by ``m``, and has no factor 1/2 (some courses use ``1/(2m)``, whose
    gradient lacks the 2). ``dL/d out = 2 (out - y) / (m k)``.
    A 1-D ``y`` of shape ``(m,)`` is taken as the column ``(m, 1)`` for a single output unit
    (and not broadcast into an ``(m, m)`` matrix).
    """

    def forward(self, output, y, training: bool = True) -> float:
        output = _check_output(output, "MeanSquaredError")
        y = np.asarray(y)
        m = output.shape[0]
        if y.ndim == 0 or y.shape[0] != m:
            raise _length_error(y, m)
        if y.shape != output.shape:
            one_column = (y.ndim == 1 and output.shape[1:] == (1,)) or (y.shape[1:] == (1,) and output.ndim == 1)
            if not one_column:
                raise ValueError(f"y has shape {y.shape} but the output has shape {output.shape}; they must match.")
            y = y.reshape(output.shape)
        if y.dtype.kind not in "iuf":
            raise TypeError(f"MeanSquaredError needs real-valued targets, got dtype {y.dtype}.")
        diff = np.subtract(output, y, dtype=output.dtype)
        loss = float(np.vdot(diff, diff)) / diff.size
        if not np.isfinite(loss) and not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values; MeanSquaredError needs finite targets.")
        if training:
            self._cache = diff
        return loss

    def backward(self) -> np.ndarray:
        diff = self._cached()
        return diff * (2.0 / diff.size)

    def predict(self, output: np.ndarray) -> np.ndarray:
        """The outputs themselves; shape ``(m,)`` for one output unit."""
        output = np.asarray(output)
        return output.reshape(-1) if output.ndim == 2 and output.shape[1] == 1 else output
