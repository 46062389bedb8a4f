r"""The exponentially weighted average (EWA): the one idea inside Momentum, RMSprop and Adam.

.. math::

    v_t = \beta\, v_{t-1} + (1 - \beta)\, x_t, \qquad v_0 = 0

Unrolled, :math:`v_t = (1-\beta)\sum_{k=1}^{t} \beta^{t-k} x_k`: the newest value has
weight :math:`1-\beta`, older ones fade geometrically, and the average "remembers"
roughly the last :math:`1/(1-\beta)` values (10 for β = 0.9, 1000 for β = 0.999).

The weights add up to :math:`1-\beta^t`, not 1, so starting from :math:`v_0 = 0` pulls the
first averages towards zero (:math:`v_1 = (1-\beta)\,x_1`). Dividing by that sum is the
**bias correction**:

.. math::

    \hat v_t = \frac{v_t}{1 - \beta^t}

How the optimizers use it:

- Momentum:  v ← EWA of the gradients g, step along v.
- RMSprop:   s ← EWA of g², step along g / √s.
- Adam:      both (momentum's average of g, RMSprop's average of g²), both bias-corrected.

Two forms of the same formula live here:

- :class:`EWA` follows a series one value at a time (scalars or arrays), e.g. a temperature
  series in notebook 2; :func:`ewa_series` does a whole series at once.
- :func:`ewa_update_`, :func:`ewa_update_sq_` and :func:`bias_correction` are the in-place
  kernels the optimizers call on every step (trailing underscore = modifies its first
  argument, as in PyTorch).
"""
from __future__ import annotations

import math

import numpy as np

from . import _checks

__all__ = ["EWA", "ewa_update_", "ewa_update_sq_", "bias_correction", "ewa_series"]


def ewa_update_(average: np.ndarray, x, beta: float, scratch: np.ndarray | None = None) -> np.ndarray:
    """``average ← β·average + (1 − β)·x`` in place; returns ``average``.

    ``scratch``, an array shaped like ``average``, receives ``(1 − β)·x`` so that the update
    allocates nothing; without it NumPy makes one temporary.
    """
    if scratch is None:
        average *= beta
        average += (1.0 - beta) * x
    else:
        np.multiply(x, 1.0 - beta, out=scratch)
        average *= beta
        average += scratch
    return average


def ewa_update_sq_(average: np.ndarray, g, beta: float, scratch: np.ndarray | None = None) -> np.ndarray:
    """``average ← β·average + (1 − β)·g²`` in place (the EWA of the squares); returns ``average``.

    ``scratch`` (shaped like ``average``) receives ``(1 − β)·g²``; without it NumPy allocates.
    """
    if scratch is None:
        scratch = np.multiply(g, g)
    else:
        np.multiply(g, g, out=scratch)
    scratch *= 1.0 - beta
    average *= beta
    average += scratch
    return average


def bias_correction(beta: float, t: int) -> float:
    """``1 − β^t``: the sum of the EWA weights after ``t`` updates; divide by it to unbias."""
    return 1.0 - beta**t


class EWA:
    r"""Exponentially weighted average of a series: :math:`v_t = \beta v_{t-1} + (1-\beta)x_t`.

    ``update(x)`` takes the next value and returns the average, bias-corrected
    (:math:`v_t / (1-\beta^t)`) when ``bias_correction=True``. The raw average is ``value``,
    the corrected one ``corrected``, the number of values seen ``t``. Works on Python
    numbers and on NumPy arrays (elementwise; arrays are updated in place with
    :func:`ewa_update_`, and ``update`` returns a copy).

    >>> avg = EWA(beta=0.9)
    >>> avg.update(10.0)   # 0.9·0 + 0.1·10
    1.0
    >>> round(avg.corrected, 12)  # 1.0 / (1 − 0.9)
    10.0
    """

    def __init__(self, beta: float, bias_correction: bool = False):
        _checks.unit_interval("beta", beta)
        _checks.boolean("bias_correction", bias_correction)
        self.beta = float(beta)
        self.bias_correction = bool(bias_correction)
        self.reset()

    def reset(self) -> None:
        """Forget everything: ``v = 0``, ``t = 0``."""
        self.value: float | np.ndarray = 0.0
        self.t = 0

    def update(self, x):
        """Average in the next value ``x`` and return the (corrected, if asked) average."""
        if isinstance(x, (list, tuple)):
            x = np.asarray(x, dtype=np.float64)
        if isinstance(x, np.ndarray) and x.ndim > 0:
            if not np.isfinite(x).all():
                raise ValueError(f"EWA.update got non-finite values in x (step {self.t + 1}); "
                                 "drop or fill missing values first.")
            if self.t == 0 or not isinstance(self.value, np.ndarray):
                self.value = np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float64))
            elif self.value.shape != x.shape:
                raise ValueError(f"EWA.update got x of shape {x.shape}, but earlier values had "
                                 f"shape {self.value.shape}.")
            ewa_update_(self.value, x, self.beta)
        else:
            x = float(x)
            if not math.isfinite(x):
                raise ValueError(f"EWA.update got a non-finite x={x} (step {self.t + 1}); drop or "
                                 "fill missing values first.")
            self.value = self.beta * float(self.value) + (1.0 - self.beta) * x
        self.t += 1
        result = self.corrected if self.bias_correction else self.value
        return result.copy() if isinstance(result, np.ndarray) else result

    @property
    def corrected(self):
        """The bias-corrected average ``v_t / (1 − β^t)`` (undefined before the first update)."""
        if self.t == 0:
            raise ValueError("EWA.corrected is undefined before the first update (1 − β^0 = 0).")
        return self.value / bias_correction(self.beta, self.t)

    def __repr__(self) -> str:
        return f"EWA(beta={self.beta}, bias_correction={self.bias_correction}, t={self.t})"


def ewa_series(x, beta: float, bias_correction: bool = False) -> np.ndarray:
    """The EWA after every value of a series ``x`` (time along axis 0), as a float64 array.

    ``out[t-1] = v_t`` (or ``v_t / (1 − β^t)`` with ``bias_correction=True``). The recursion
    is sequential in time, so this loops over the time axis; each step is vectorised over
    the other axes.

    >>> ewa_series([10.0, 10.0], beta=0.5)   # 0.5·10, 0.5·5 + 0.5·10
    array([5. , 7.5])
    """
    _checks.unit_interval("beta", beta)
    series = np.asarray(x, dtype=np.float64)
    if series.ndim == 0:
        raise ValueError("ewa_series needs a series (an array with time along axis 0), got a scalar.")
    finite = np.isfinite(series)
    if not finite.all():
        first_bad = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(f"ewa_series got a non-finite value at index {first_bad}; "
                         "drop or fill missing values first.")
    out = np.empty_like(series)
    average = np.zeros(series.shape[1:])
    for t in range(series.shape[0]):
        ewa_update_(average, series[t], beta)
        out[t] = average
    if bias_correction:
        steps = np.arange(1, series.shape[0] + 1).reshape((-1,) + (1,) * (series.ndim - 1))
        out /= 1.0 - float(beta) ** steps
    return out
