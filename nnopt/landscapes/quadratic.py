"""The elongated bowl: an ill-conditioned quadratic, the simplest surface on which GD zig-zags."""
from __future__ import annotations

import math

import numpy as np

from .base import Function2D


class Quadratic(Function2D):
    r"""f(x, y) = ½ zᵀ A z with z = (x, y) and A = R diag(λ₁, λ₂) Rᵀ: an elongated bowl.

    The curvatures are λ₂ = ``largest_eigenvalue`` (default 1) and λ₁ = λ₂ / κ with
    κ = ``condition_number``; R rotates the axes by ``rotation`` degrees (counter-clockwise). With
    the defaults, f = ½(x²/κ + y²), i.e. ½(x² + κy²)/κ: the bowl is √κ times longer along x.

    Writing A = [[a, b], [b, c]]:

        f = ½(a x² + 2b xy + c y²),   ∇f = (a x + b y, b x + c y),   ∇²f = A (constant).

    Gradient descent with learning rate η moves each eigen-coordinate uᵢ = vᵢᵀz independently,
    uᵢ(t) = (1 - η λᵢ)ᵗ uᵢ(0), so it converges iff η < 2/λ₂ and its speed is limited by
    (1 - η λ₁): the larger κ, the slower. ``eigenvalues`` and ``eigenvectors`` (columns) give
    λᵢ and vᵢ. The only critical point is the minimum at the origin, f = 0.
    """

    name = "quadratic"

    def __init__(self, condition_number: float = 10.0, rotation: float = 0.0, largest_eigenvalue: float = 1.0):
        for argument, value in (("condition_number", condition_number), ("largest_eigenvalue", largest_eigenvalue)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{argument} must be a number, got {value!r}.")
        if not (math.isfinite(condition_number) and condition_number >= 1):
            raise ValueError(
                f"condition_number must be a finite number >= 1 (λ_max / λ_min), got {condition_number!r}."
            )
        if not (math.isfinite(largest_eigenvalue) and largest_eigenvalue > 0):
            raise ValueError(f"largest_eigenvalue must be a finite number > 0, got {largest_eigenvalue!r}.")
        if not math.isfinite(rotation):
            raise ValueError(f"rotation (degrees) must be finite, got {rotation!r}.")
        self.condition_number = float(condition_number)
        self.rotation = float(rotation)
        self.eigenvalues = np.array([largest_eigenvalue / condition_number, largest_eigenvalue], dtype=np.float64)
        angle = math.radians(rotation)
        self.eigenvectors = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        self.matrix = self.eigenvectors @ np.diag(self.eigenvalues) @ self.eigenvectors.T
        rotated = self.rotation % 180.0 != 0.0
        super().__init__(
            xlim=(-10.0, 10.0),
            ylim=(-10.0, 10.0) if rotated else (-5.0, 5.0),
            # 8 units out along the shallow direction, 3 along the steep one.
            start=self.eigenvectors @ np.array([-8.0, 3.0]),
            minima=[(0.0, 0.0)],
            log_levels=True,
        )

    def _value(self, x, y):
        (a, b), (_, c) = self.matrix
        return 0.5 * (a * x * x + 2.0 * b * x * y + c * y * y)

    def _gradient(self, x, y):
        (a, b), (_, c) = self.matrix
        return a * x + b * y, b * x + c * y

    def _hessian(self, x, y):
        (a, b), (_, c) = self.matrix
        return np.full_like(x, a), np.full_like(x, b), np.full_like(x, c)

    @property
    def formula(self) -> str:
        if self.rotation % 180.0 == 0.0:
            scale = "" if self.eigenvalues[1] == 1.0 else rf"{self.eigenvalues[1]:g}\,"
            return rf"$f = \frac{{1}}{{2}}\,{scale}(x^2/\kappa + y^2)$"
        return rf"$f = \frac{{1}}{{2}}\,(\lambda_1 u^2 + \lambda_2 v^2)$, axes turned {self.rotation:g}°"

    @property
    def title(self) -> str:
        return f"Elongated bowl (κ = {self.condition_number:g})"

    def __repr__(self) -> str:
        return f"Quadratic(condition_number={self.condition_number:g}, rotation={self.rotation:g})"
