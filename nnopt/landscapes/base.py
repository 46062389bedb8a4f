"""``Function2D``: a loss surface f(x, y) with its gradient, Hessian and known critical points.

Every test function of the course is a subclass that writes three elementwise formulas,

    _value(x, y)    -> f
    _gradient(x, y) -> (∂f/∂x, ∂f/∂y)
    _hessian(x, y)  -> (∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²)

on arrays that broadcast, so one formula serves a single point, a path and a whole contour grid.
The public methods wrap them in two calling conventions:

- grid style, ``f(x, y)`` / ``f.grad_xy(x, y)`` / ``f.hessian_xy(x, y)``, for contour plots;
- point style, ``f.value(p)`` / ``f.grad(p)`` / ``f.hessian(p)`` with ``p`` of shape ``(2,)`` or
  ``(..., 2)``, returning shapes ``()``/``(...)``, ``(2,)``/``(..., 2)`` and ``(2, 2)``/``(..., 2, 2)``:
  what an optimizer, which sees the point as one ``Parameter`` of shape ``(2,)``, needs.

Each function also carries what a plot and a test need: a plotting window (``xlim``, ``ylim``),
whether contour levels should be log-spaced (``log_levels``), a default starting point
(``start``) and its known ``minima``, ``maxima`` and ``saddles`` as ``(k, 2)`` arrays.

Huge coordinates. Far from the window the formulas overflow float64 (Rosenbrock's x⁴ at
|x| > 1e77, the saddle's x² at |x| > 1e154). The public methods never warn and never return
a NaN made by overflow: every entry that comes out non-finite at a finite point is computed
again in extended precision (``numpy.longdouble``, 15-bit exponent on x86-64 and aarch64
Linux) and rounded back to float64, so it is the true value when that fits in float64
(f = 14.203125 on Beale's flat line x = 0 even at y = 1e200, x² - y² = 0 at x = y = 1e200)
and ±inf with the true sign when it does not (f = +inf for Rosenbrock at (1e200, 1e200), ∂f/∂x
= +inf there). Gradients and Hessians follow the same rule. Where no wider type exists
(Windows, macOS on Apple silicon) a NaN that overflow would leave raises
``FloatingPointError`` naming the point instead. Points with inf or NaN coordinates are not
repaired: what IEEE arithmetic gives is returned.
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

CRITICAL_POINT_KINDS = ("minimum", "maximum", "saddle", "degenerate")


def _as_points(point, argument: str = "point") -> np.ndarray:
    try:
        array = np.asarray(point, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{argument} must be numbers of shape (2,) or (..., 2), got {point!r}.") from error
    if array.ndim == 0 or array.shape[-1] != 2:
        raise ValueError(
            f"{argument} must have shape (2,) (one point (x, y)) or (..., 2) (several points), "
            f"got shape {array.shape}."
        )
    return array


def _as_coordinates(x, y) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"x and y must be numbers or numeric arrays, got x={x!r}, y={y!r}.") from error


#: A floating type with a wider exponent than float64 (x86-64: 80-bit extended), or None.
EXTENDED = np.longdouble if np.finfo(np.longdouble).maxexp > np.finfo(np.float64).maxexp else None


def _overflow_safe(function, formula, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """``formula(x, y)`` (one array or a tuple of arrays) broadcast to one shape, as a tuple,
    with every entry that overflowed at a finite point recomputed in :data:`EXTENDED`.

    Entries that are finite in float64 are returned untouched (the same bits as the plain
    formula); no RuntimeWarning escapes.
    """
    shape = np.broadcast_shapes(x.shape, y.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        parts = formula(x, y)
    parts = tuple(np.broadcast_to(part, shape) for part in (parts if isinstance(parts, tuple) else (parts,)))
    if all(_all_finite(part) for part in parts):  # the usual case, kept cheap: one point per optimizer step
        return parts
    broken = np.zeros(shape, dtype=bool)
    for part in parts:
        broken |= ~np.isfinite(part)
    broken &= np.isfinite(x) & np.isfinite(y)  # non-finite points: IEEE arithmetic decides
    if not broken.any():
        return parts
    if EXTENDED is not None:
        wide_x = np.broadcast_to(x, shape)[broken].astype(EXTENDED)
        wide_y = np.broadcast_to(y, shape)[broken].astype(EXTENDED)
        with np.errstate(over="ignore", invalid="ignore"):
            wide = formula(wide_x, wide_y)
            wide = wide if isinstance(wide, tuple) else (wide,)
            repaired = []
            for part, value in zip(parts, wide):
                part = part.copy()
                part[broken] = np.broadcast_to(value, wide_x.shape).astype(np.float64)
                repaired.append(part)
        parts = tuple(repaired)
    for part in parts:
        if np.isnan(part[broken]).any():
            where = np.argwhere(np.isnan(part) & broken)[0]
            point = (float(np.broadcast_to(x, shape)[tuple(where)]), float(np.broadcast_to(y, shape)[tuple(where)]))
            raise FloatingPointError(
                f"{function.name} at (x, y) = ({point[0]:.3g}, {point[1]:.3g}): the formula overflows float64 "
                f"(inf - inf) and this platform has no wider float type to compute it; the point is far "
                f"outside the window {function.xlim} x {function.ylim}: start closer or lower the learning rate."
            )
    return parts


def _all_finite(part: np.ndarray) -> bool:
    return math.isfinite(part) if part.ndim == 0 else bool(np.isfinite(part).all())


def _points_array(points) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


class Function2D:
    """A 2-D test function f(x, y) with value, analytic gradient and Hessian, vectorised.

    Attributes
    ----------
    name
        Registry name, e.g. ``"rosenbrock"`` (see :data:`nnopt.landscapes.FUNCTIONS`).
    formula
        The formula in matplotlib mathtext, for plot titles.
    xlim, ylim
        A plotting window that shows the interesting part of the surface.
    log_levels
        True when the values span orders of magnitude, so contour levels should be
        log-spaced above the lowest minimum (Rosenbrock, Beale, Himmelblau, the bowl).
    start
        A default starting point for trajectories, shape ``(2,)``.
    minima, maxima, saddles
        Known critical points in (or near) the window, ``(k, 2)`` arrays (k may be 0).
    """

    name: ClassVar[str] = ""
    formula: ClassVar[str] = ""

    def __init__(
        self,
        *,
        xlim: tuple[float, float],
        ylim: tuple[float, float],
        start,
        minima=(),
        maxima=(),
        saddles=(),
        log_levels: bool = False,
    ):
        self.xlim = (float(xlim[0]), float(xlim[1]))
        self.ylim = (float(ylim[0]), float(ylim[1]))
        self.start = _as_points(start, "start").reshape(2).copy()
        self.minima = _points_array(minima)
        self.maxima = _points_array(maxima)
        self.saddles = _points_array(saddles)
        self.log_levels = bool(log_levels)

    # -- formulas written by subclasses (elementwise, broadcasting) ---------------------------
    def _value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _gradient(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    # -- grid style --------------------------------------------------------------------------
    def __call__(self, x, y):
        """f(x, y) for scalars or arrays that broadcast (e.g. a ``meshgrid``)."""
        x, y = _as_coordinates(x, y)
        (value,) = _overflow_safe(self, self._value, x, y)
        return value[()]

    def grad_xy(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(∂f/∂x, ∂f/∂y) on broadcasting arrays ``x``, ``y``."""
        x, y = _as_coordinates(x, y)
        gx, gy = _overflow_safe(self, self._gradient, x, y)
        return gx[()], gy[()]

    def hessian_xy(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(∂²f/∂x², ∂²f/∂x∂y, ∂²f/∂y²) on broadcasting arrays ``x``, ``y``."""
        x, y = _as_coordinates(x, y)
        return tuple(h[()] for h in _overflow_safe(self, self._hessian, x, y))

    # -- point style -------------------------------------------------------------------------
    def value(self, point):
        """f at ``point`` of shape ``(2,)`` (a float) or ``(..., 2)`` (an array of shape ``(...)``)."""
        p = _as_points(point)
        return self(p[..., 0], p[..., 1])

    def grad(self, point) -> np.ndarray:
        """∇f at ``point``: shape ``(2,)`` for one point, ``(..., 2)`` for several."""
        p = _as_points(point)
        return np.stack(self.grad_xy(p[..., 0], p[..., 1]), axis=-1)

    def hessian(self, point) -> np.ndarray:
        """∇²f at ``point``: shape ``(2, 2)`` for one point, ``(..., 2, 2)`` for several."""
        p = _as_points(point)
        hxx, hxy, hyy = self.hessian_xy(p[..., 0], p[..., 1])
        return np.stack([np.stack([hxx, hxy], axis=-1), np.stack([hxy, hyy], axis=-1)], axis=-2)

    # -- helpers for plots and tests ---------------------------------------------------------
    def grid(self, n: int = 200, xlim=None, ylim=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, Y, Z)``: an ``n`` x ``n`` meshgrid over the window and f on it, for contour plots."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
            raise ValueError(f"n (grid points per axis) must be a whole number >= 2, got {n!r}.")
        xlim = self.xlim if xlim is None else xlim
        ylim = self.ylim if ylim is None else ylim
        X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
        return X, Y, self(X, Y)

    @property
    def title(self) -> str:
        """A readable name for plot titles, e.g. ``"Monkey saddle"``."""
        return self.name.replace("_", " ").capitalize()

    @property
    def minimum_value(self) -> float | None:
        """The lowest value over the known minima (None when there are none, e.g. a saddle)."""
        if len(self.minima) == 0:
            return None
        return float(np.min(self.value(self.minima)))

    def critical_points(self) -> dict[str, np.ndarray]:
        """The known critical points by kind: ``{"minimum": ..., "maximum": ..., "saddle": ...}``."""
        return {"minimum": self.minima, "maximum": self.maxima, "saddle": self.saddles}

    def classify(self, point, tol: float = 1e-9) -> str:
        """Second-derivative test at ``point``: minimum, maximum, saddle or degenerate.

        Uses the Hessian's eigenvalues λ: all > tol is a minimum, all < -tol a maximum, both
        signs a saddle; any |λ| <= tol is degenerate (the test says nothing, as for the monkey
        saddle, whose Hessian at the origin is zero). Does not check that ∇f = 0.
        """
        eigenvalues = np.linalg.eigvalsh(self.hessian(_as_points(point).reshape(2)))
        if np.any(np.abs(eigenvalues) <= tol):
            return "degenerate"
        if np.all(eigenvalues > 0):
            return "minimum"
        if np.all(eigenvalues < 0):
            return "maximum"
        return "saddle"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, xlim={self.xlim}, ylim={self.ylim})"


def find_critical_points(
    function: Function2D,
    xlim=None,
    ylim=None,
    n: int = 30,
    iterations: int = 60,
    grad_tol: float = 1e-10,
    merge_distance: float = 1e-6,
) -> dict[str, np.ndarray]:
    """Find the critical points (∇f = 0) in a window by Newton's method from an ``n`` x ``n`` grid.

    Every start is iterated with the Newton step p <- p - H(p)⁻¹ ∇f(p) (all starts at once,
    vectorised); converged points inside the window are merged when closer than
    ``merge_distance`` and classified with :meth:`Function2D.classify`. Used once to compute the stored critical points of the
    numerically-defined surfaces, and by the tests to check that no critical point is missing.
    """
    xlim = function.xlim if xlim is None else xlim
    ylim = function.ylim if ylim is None else ylim
    X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    points = np.stack([X.ravel(), Y.ravel()], axis=-1)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            H = function.hessian(points)
            g = function.grad(points)
            det = H[:, 0, 0] * H[:, 1, 1] - H[:, 0, 1] ** 2
            # Closed-form 2x2 solve; singular Hessians give inf/nan and are dropped below.
            step_x = (H[:, 1, 1] * g[:, 0] - H[:, 0, 1] * g[:, 1]) / det
            step_y = (H[:, 0, 0] * g[:, 1] - H[:, 0, 1] * g[:, 0]) / det
            points = points - np.stack([step_x, step_y], axis=-1)
        finite = np.all(np.isfinite(points), axis=1)
        points = points[finite]
        converged = np.linalg.norm(function.grad(points), axis=1) <= grad_tol
    points = points[converged]
    inside = (
        (points[:, 0] >= xlim[0]) & (points[:, 0] <= xlim[1]) & (points[:, 1] >= ylim[0]) & (points[:, 1] <= ylim[1])
    )
    distinct: list[np.ndarray] = []
    for point in points[inside]:  # few hundred converged starts at most, a handful of distinct points
        if not distinct or np.min(np.linalg.norm(np.array(distinct) - point, axis=1)) > merge_distance:
            distinct.append(point)
    found = {kind: [] for kind in CRITICAL_POINT_KINDS}
    for point in distinct:
        found[function.classify(point)].append(point)
    return {kind: np.array(found[kind]).reshape(-1, 2) for kind in CRITICAL_POINT_KINDS}
