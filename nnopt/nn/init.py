"""Weight initialisers: where training starts decides how fast (and whether) it goes.

Every initialiser returns a fresh ``(n_in, n_out)`` array for ``out = x @ W + b`` and takes a
``numpy.random.Generator`` (or an int seed), so a model built twice with one seed is identical.
Values are drawn in float64 and then cast, so float32 and float64 models built with the same
seed start from the same weights (up to rounding).

=================  ===========================================  ===========================
name               distribution                                 meant for
=================  ===========================================  ===========================
``he_normal``      N(0, 2 / n_in)                               ReLU, leaky ReLU
``glorot_uniform`` U(-sqrt(6 / (n_in + n_out)), +sqrt(...))     tanh, sigmoid
``small_normal``   N(0, 0.01^2)                                 the "* 0.01" baseline
``zeros``          0                                            biases
=================  ===========================================  ===========================
"""
from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np

__all__ = [
    "he_normal", "glorot_uniform", "small_normal", "zeros",
    "INITIALIZERS", "get_initializer", "as_generator", "as_float_dtype",
]

#: The dtypes a model can be built in.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def as_float_dtype(dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float64 or float32, else raise TypeError."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be np.float64 (default) or np.float32 (faster), got {dtype!r}.")
    return resolved


def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator``: ``seed`` is an int, a Generator (used as is) or None.

    None draws fresh entropy from the operating system (not reproducible).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(
        f"seed must be a non-negative int, a numpy.random.Generator or None, got {seed!r}; "
        f"e.g. seed=0 or seed=np.random.default_rng(0)."
    )


def _check_fan(n_in, n_out) -> tuple[int, int]:
    for label, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            raise ValueError(f"{label} must be a positive int (a layer width), got {value!r}.")
    return int(n_in), int(n_out)


def he_normal(n_in: int, n_out: int, rng, dtype=np.float64) -> np.ndarray:
    """He (Kaiming) normal initialisation: ``W_ij ~ N(0, sigma^2)`` with ``sigma = sqrt(2 / n_in)``.

    A ReLU zeroes half of its inputs on average, halving the second moment of the signal;
    doubling the variance of Glorot's fan-in rule (1 / n_in) keeps the variance of the
    pre-activations constant from layer to layer.
    Reference: He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers: Surpassing
    Human-Level Performance on ImageNet Classification", ICCV. Same as
    ``torch.nn.init.kaiming_normal_(W, mode="fan_in", nonlinearity="relu")`` (torch stores W
    transposed, as ``(n_out, n_in)``).
    """
    n_in, n_out = _check_fan(n_in, n_out)
    std = np.sqrt(2.0 / n_in)
    return (as_generator(rng).standard_normal((n_in, n_out)) * std).astype(as_float_dtype(dtype), copy=False)


def glorot_uniform(n_in: int, n_out: int, rng, dtype=np.float64) -> np.ndarray:
    """Glorot (Xavier) uniform initialisation: ``W_ij ~ U(-a, a)`` with ``a = sqrt(6 / (n_in + n_out))``.

    The variance ``a^2 / 3 = 2 / (n_in + n_out)`` is a compromise between keeping the
    forward signal (``1 / n_in``) and the backward gradient (``1 / n_out``) at constant
    variance through a linear (or tanh, near 0) layer.
    Reference: Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS. Same as ``torch.nn.init.xavier_uniform_`` (gain 1).
    """
    n_in, n_out = _check_fan(n_in, n_out)
    limit = np.sqrt(6.0 / (n_in + n_out))
    return as_generator(rng).uniform(-limit, limit, size=(n_in, n_out)).astype(as_float_dtype(dtype), copy=False)


def small_normal(n_in: int, n_out: int, rng, dtype=np.float64, scale: float = 0.01) -> np.ndarray:
    """Small random initialisation: ``W_ij ~ N(0, scale^2)``, ``scale = 0.01`` by default.

    This is deeplearning.ai's ``np.random.randn(n_in, n_out) * 0.01``: it breaks the symmetry
    between units, but in a deep network the signal shrinks by a factor of about
    ``scale * sqrt(n_in)`` per layer, so gradients vanish and training starts slowly; the
    course uses it as the baseline that He and Glorot initialisation improve on.
    """
    n_in, n_out = _check_fan(n_in, n_out)
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive finite number, got {scale!r}.")
    return (as_generator(rng).standard_normal((n_in, n_out)) * scale).astype(as_float_dtype(dtype), copy=False)


def zeros(n_out: int, dtype=np.float64) -> np.ndarray:
    """Zero biases, shape ``(n_out,)``: random weights already break the symmetry between units."""
    if isinstance(n_out, bool) or not isinstance(n_out, Integral) or n_out < 1:
        raise ValueError(f"n_out must be a positive int (a layer width), got {n_out!r}.")
    return np.zeros(int(n_out), dtype=as_float_dtype(dtype))


#: Short names accepted by ``Dense(init=...)`` and ``mlp(init=...)``.
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "he": he_normal,
    "glorot": glorot_uniform,
    "small": small_normal,
}


def get_initializer(init) -> Callable[..., np.ndarray]:
    """Look up an initialiser by short name (``"he"``, ``"glorot"``, ``"small"``) or pass a callable
    ``init(n_in, n_out, rng, dtype) -> array of shape (n_in, n_out)`` through."""
    if callable(init):
        return init
    if isinstance(init, str) and init in INITIALIZERS:
        return INITIALIZERS[init]
    raise ValueError(
        f"unknown init {init!r}; allowed: {', '.join(repr(name) for name in INITIALIZERS)} "
        f"or a callable init(n_in, n_out, rng, dtype)."
    )
