"""Saddle points: the plain saddle x² - y² and the degenerate monkey saddle x³ - 3xy²."""
from __future__ import annotations

import numpy as np

from .base import Function2D


class Saddle(Function2D):
    r"""The saddle f(x, y) = x² - y²: a minimum along x, a maximum along y, at the origin.

        ∇f = (2x, -2y)          ∇²f = [[2, 0], [0, -2]]  (eigenvalues +2 and -2: a saddle)

    Gradient descent with learning rate η gives x_t = (1 - 2η)ᵗ x₀ and y_t = (1 + 2η)ᵗ y₀: it
    slides towards the saddle along x and escapes along y only as fast as |y₀| lets it, so a
    start close to the x-axis (the default, y₀ = 0.05) lingers near the saddle. Unbounded
    below: every run eventually leaves the window.
    """

    name = "saddle"
    formula = r"$f = x^2 - y^2$"

    def __init__(self):
        super().__init__(xlim=(-2.0, 2.0), ylim=(-2.0, 2.0), start=(1.8, 0.05), saddles=[(0.0, 0.0)])

    def _value(self, x, y):
        return x * x - y * y

    def _gradient(self, x, y):
        return 2.0 * x, -2.0 * y

    def _hessian(self, x, y):
        return np.full_like(x, 2.0), np.zeros_like(x), np.full_like(x, -2.0)


class MonkeySaddle(Function2D):
    r"""The monkey saddle f(x, y) = x³ - 3xy² (three valleys, for the legs and the tail).

        ∇f = (3x² - 3y², -6xy)          ∇²f = [[6x, -6y], [-6y, -6x]]

    The origin is its only critical point and it is a *degenerate* saddle: ∇f = 0 and the
    Hessian is the zero matrix, so the second-derivative test says nothing
    (:meth:`~nnopt.landscapes.base.Function2D.classify` returns ``"degenerate"``). It is still a
    saddle, not an extremum, because f takes both signs arbitrarily close to it:
    f(ε, 0) = ε³ > 0 > f(-ε, 0). Near it the gradient is quadratically small, so gradient
    descent approaches it only polynomially slowly (x_{t+1} = x_t - 3η x_t² on the x-axis).
    """

    name = "monkey_saddle"
    formula = r"$f = x^3 - 3xy^2$"

    def __init__(self):
        super().__init__(xlim=(-1.5, 1.5), ylim=(-1.5, 1.5), start=(1.2, 0.05), saddles=[(0.0, 0.0)])

    def _value(self, x, y):
        return x * x * x - 3.0 * x * y * y

    def _gradient(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def _hessian(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x
