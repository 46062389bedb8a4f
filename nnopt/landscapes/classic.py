"""Three classic optimization test functions: Rosenbrock's valley, Beale, Himmelblau."""
from __future__ import annotations

import math

import numpy as np

from .base import Function2D


class Rosenbrock(Function2D):
    r"""Rosenbrock's banana valley: f(x, y) = (a - x)² + b (y - x²)², by default a = 1, b = 100.

    A curved, narrow valley along y = x² with a flat floor: reaching the valley is easy, following
    it to the minimum is slow. The only critical point is the global minimum (a, a²), f = 0.

        ∂f/∂x = -2(a - x) - 4b x (y - x²)        ∂f/∂y = 2b (y - x²)
        ∂²f/∂x² = 2 - 4b (y - x²) + 8b x²          ∂²f/∂x∂y = -4b x        ∂²f/∂y² = 2b
    """

    name = "rosenbrock"
    formula = r"$f = (a - x)^2 + b\,(y - x^2)^2$"

    def __init__(self, a: float = 1.0, b: float = 100.0):
        if not (math.isfinite(a) and math.isfinite(b) and b > 0):
            raise ValueError(f"Rosenbrock needs finite a and b > 0 (the valley's steepness), got a={a!r}, b={b!r}.")
        self.a, self.b = float(a), float(b)
        super().__init__(
            xlim=(-2.0, 2.0),
            ylim=(-1.0, 3.0),
            start=(-1.2, 1.0),  # the classic starting point of Rosenbrock (1960)
            minima=[(self.a, self.a**2)],
            log_levels=True,
        )

    def _value(self, x, y):
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _gradient(self, x, y):
        valley = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * valley, 2.0 * self.b * valley

    def _hessian(self, x, y):
        hxx = 2.0 - 4.0 * self.b * (y - x * x) + 8.0 * self.b * x * x
        return hxx, -4.0 * self.b * x, np.full_like(hxx, 2.0 * self.b)

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"


class Beale(Function2D):
    r"""Beale's function: f = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)².

    Global minimum (3, 0.5), f = 0, at the end of a flat, curved valley; steep walls elsewhere
    (values up to ~1.8e5 in the window, hence log-spaced contours). Writing tᵢ = cᵢ - x + x yⁱ
    (c = 1.5, 2.25, 2.625; i = 1, 2, 3), f = Σ tᵢ² and

        ∂f/∂x = 2 Σ tᵢ (yⁱ - 1)                      ∂f/∂y = 2 Σ tᵢ · i x yⁱ⁻¹
        ∂²f/∂x² = 2 Σ (yⁱ - 1)²                       ∂²f/∂x∂y = 2 Σ [(yⁱ - 1) i x yⁱ⁻¹ + tᵢ i yⁱ⁻¹]
        ∂²f/∂y² = 2 Σ [(i x yⁱ⁻¹)² + tᵢ i (i-1) x yⁱ⁻²]

    Critical points in the window (found by Newton's method from a grid, see
    :func:`~nnopt.landscapes.base.find_critical_points`): the minimum (3, 0.5); the saddle
    (0, 1), where f = 14.203125 and ∇²f = [[0, 27.75], [27.75, 0]] (eigenvalues ±27.75; the
    line x = 0 is flat, f constant along it, but only (0, 1) has zero gradient); and a second,
    numerically found saddle near (0.1005, -2.6445), f ≈ 9.8645, in a narrow gully.
    """

    name = "beale"
    formula = r"$f = \sum_{i=1}^{3} (c_i - x + x y^i)^2$"
    _C = (1.5, 2.25, 2.625)

    def __init__(self):
        super().__init__(
            xlim=(-4.5, 4.5),
            ylim=(-4.5, 4.5),
            start=(1.0, 1.5),
            minima=[(3.0, 0.5)],
            saddles=[(0.0, 1.0), (0.100537937324158, -2.644513585023125)],
            log_levels=True,
        )

    def _terms(self, x, y):
        y2 = y * y
        y3 = y2 * y
        t = (self._C[0] - x + x * y, self._C[1] - x + x * y2, self._C[2] - x + x * y3)
        return t, (y - 1.0, y2 - 1.0, y3 - 1.0), (x, 2.0 * x * y, 3.0 * x * y2)

    def _value(self, x, y):
        (t1, t2, t3), _, _ = self._terms(x, y)
        return t1 * t1 + t2 * t2 + t3 * t3

    def _gradient(self, x, y):
        t, dx, dy = self._terms(x, y)
        return 2.0 * sum(ti * di for ti, di in zip(t, dx)), 2.0 * sum(ti * di for ti, di in zip(t, dy))

    def _hessian(self, x, y):
        t, dx, dy = self._terms(x, y)
        dxy = (np.ones_like(y), 2.0 * y, 3.0 * y * y)  # ∂²tᵢ/∂x∂y = i yⁱ⁻¹
        dyy = (np.zeros_like(x), 2.0 * x, 6.0 * x * y)  # ∂²tᵢ/∂y² = i(i-1) x yⁱ⁻²
        hxx = 2.0 * sum(d * d for d in dx)
        hxy = 2.0 * sum(a * b + ti * c for a, b, ti, c in zip(dx, dy, t, dxy))
        hyy = 2.0 * sum(b * b + ti * c for b, ti, c in zip(dy, t, dyy))
        return hxx, hxy, hyy


class Himmelblau(Function2D):
    r"""Himmelblau's function: f = (x² + y - 11)² + (x + y² - 7)², four equal minima (f = 0).

    Writing u = x² + y - 11 and v = x + y² - 7:

        ∂f/∂x = 4x u + 2v        ∂f/∂y = 2u + 4y v
        ∂²f/∂x² = 4u + 8x² + 2   ∂²f/∂x∂y = 4(x + y)   ∂²f/∂y² = 4v + 8y² + 2

    Its nine critical points (all in the window [-5, 5]²): the minima (3, 2) (exact) and three
    more found numerically, one local maximum near (-0.2708, -0.9230) with f ≈ 181.62, and four
    saddles, stored to 12+ digits (Newton's method from a grid, checked by the tests). Which
    minimum a run reaches depends on the start and on the optimizer.
    """

    name = "himmelblau"
    formula = r"$f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2$"

    def __init__(self):
        super().__init__(
            xlim=(-5.0, 5.0),
            ylim=(-5.0, 5.0),
            start=(-0.5, -4.5),
            minima=[
                (3.0, 2.0),
                (-2.805118086952745, 3.131312518250573),
                (-3.779310253377747, -3.283185991286170),
                (3.584428340330492, -1.848126526964404),
            ],
            maxima=[(-0.270844590667348, -0.923038556479982)],
            saddles=[
                (-3.073025750764390, -0.081353044287968),
                (-0.127961346730680, -1.953714980244577),
                (0.086677504555396, 2.884254701174776),
                (3.385154183607021, 0.073851879837749),
            ],
            log_levels=True,
        )

    def _value(self, x, y):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return u * u + v * v

    def _gradient(self, x, y):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v

    def _hessian(self, x, y):
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return 4.0 * u + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * v + 8.0 * y * y + 2.0
