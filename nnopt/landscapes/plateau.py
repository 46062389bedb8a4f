"""A plateau: a nearly flat region that falls into a valley, where plain gradient descent stalls."""
from __future__ import annotations

import math

import numpy as np

from .base import Function2D


def _sech(x: np.ndarray) -> np.ndarray:
    # 1 / cosh(x) written as 2 e^{-|x|} / (1 + e^{-2|x|}): no overflow for large |x|.
    decay = np.exp(-np.abs(x))
    return 2.0 * decay / (1.0 + decay * decay)


class Plateau(Function2D):
    r"""f(x, y) = tanh²(x) + ½ w y²: a flat plateau (f ≈ 1 for |x| ≳ 3) around a valley at x = 0.

    With s = sech(x) = 1/cosh(x) and t = tanh(x):

        ∂f/∂x = 2 t s²          ∂f/∂y = w y
        ∂²f/∂x² = 2 s² (s² - 2t²)     ∂²f/∂x∂y = 0     ∂²f/∂y² = w

    On the plateau the x-gradient is exponentially small, 2 t s² ≈ 8 e^{-2|x|} (9.9e-4 at the
    default start (4.5, 2), where the y-gradient w y = 0.2 is 200 times larger): gradient
    descent with a learning rate that is stable for y barely moves along x, while methods that
    divide by a running RMS of the gradient (RMSprop, Adam, ...) take steps of about the
    learning rate in every coordinate and cross the plateau. The only critical point is the
    minimum (0, 0), f = 0, ∇²f = diag(2, w). ``valley_curvature`` is w (default 0.1).
    """

    name = "plateau"
    formula = r"$f = \tanh^2 x + \frac{w}{2}\,y^2$"

    def __init__(self, valley_curvature: float = 0.1):
        if isinstance(valley_curvature, bool) or not (
            isinstance(valley_curvature, (int, float, np.integer, np.floating))
            and math.isfinite(valley_curvature)
            and valley_curvature > 0
        ):
            raise ValueError(f"valley_curvature (w) must be a finite number > 0, got {valley_curvature!r}.")
        self.valley_curvature = float(valley_curvature)
        super().__init__(xlim=(-2.0, 6.0), ylim=(-2.5, 2.5), start=(4.5, 2.0), minima=[(0.0, 0.0)])

    def _value(self, x, y):
        t = np.tanh(x)
        return t * t + 0.5 * self.valley_curvature * y * y

    def _gradient(self, x, y):
        s = _sech(x)
        return 2.0 * np.tanh(x) * s * s, self.valley_curvature * y

    def _hessian(self, x, y):
        s2 = _sech(x) ** 2
        t = np.tanh(x)
        hxx = 2.0 * s2 * (s2 - 2.0 * t * t)
        return hxx, np.zeros_like(hxx), np.full_like(hxx, self.valley_curvature)

    def __repr__(self) -> str:
        return f"Plateau(valley_curvature={self.valley_curvature:g})"
