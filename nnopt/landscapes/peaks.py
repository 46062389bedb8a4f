"""A hilly surface with several local minima: a wide bowl plus Gaussian wells and one bump."""
from __future__ import annotations

import numpy as np

from .base import Function2D

# (amplitude, centre x, centre y, width σ): negative amplitudes are wells, positive are bumps.
GAUSSIANS = (
    (-2.0, -1.6, -1.0, 0.8),  # the deepest well: global minimum
    (-1.5, 1.5, 1.2, 0.7),  # a local minimum
    (-1.1, 1.7, -1.6, 0.6),  # a shallower local minimum
    (1.5, -1.2, 1.6, 0.7),  # a bump: local maximum
)
BOWL = 0.06  # f grows like BOWL * (x² + y²) far away, so every run stays bounded


class Peaks(Function2D):
    r"""f(x, y) = c (x² + y²) + Σₖ aₖ exp(-((x - pₖ)² + (y - qₖ)²) / (2σₖ²)), several local minima.

    Three Gaussian wells (aₖ < 0) of different depths and one bump (aₖ > 0) on a wide bowl
    (c = 0.06); the table is :data:`GAUSSIANS`. With gₖ the k-th Gaussian term, dx = x - pₖ,
    dy = y - qₖ:

        ∂f/∂x = 2c x - Σ gₖ dx / σₖ²                  ∂f/∂y = 2c y - Σ gₖ dy / σₖ²
        ∂²f/∂x² = 2c + Σ gₖ (dx²/σₖ² - 1) / σₖ²        ∂²f/∂x∂y = Σ gₖ dx dy / σₖ⁴
        ∂²f/∂y² = 2c + Σ gₖ (dy²/σₖ² - 1) / σₖ²

    Its critical points in the window were found once by Newton's method from a 60x60 grid
    (:func:`~nnopt.landscapes.base.find_critical_points`) and are stored to 15 digits: three
    minima (deepest first: the global minimum f ≈ -1.7927 near (-1.54, -0.97), local minima
    f ≈ -1.2861 near (1.44, 1.15) and f ≈ -0.7866 near (1.63, -1.54)), two maxima (the bump,
    f ≈ 1.7424 near (-1.25, 1.68), and a faint hump f ≈ -0.0716 near (0.62, -0.57) where the
    three wells meet) and four saddles between them. Which minimum a run finds depends on where
    it starts and on the optimizer: from the default start (3.5, -0.5), on the outer slope
    where three basins meet, plain GD, momentum and Adam can end in three different minima.
    """

    name = "peaks"
    formula = r"$f = c\,(x^2 + y^2) + \sum_k a_k\, e^{-\|(x, y) - \mu_k\|^2 / 2\sigma_k^2}$"

    def __init__(self):
        super().__init__(
            xlim=(-4.0, 4.0),
            ylim=(-3.0, 3.0),
            start=(3.5, -0.5),
            minima=PEAKS_MINIMA,
            maxima=PEAKS_MAXIMA,
            saddles=PEAKS_SADDLES,
        )
        table = np.array(GAUSSIANS, dtype=np.float64)
        self._amplitude, self._px, self._py, self._sigma = (column[:, None] for column in table.T)

    def _terms(self, x, y):
        # Gaussian k along a new leading axis: shapes (K, *broadcast(x, y).shape).
        shape = np.broadcast_shapes(x.shape, y.shape)
        extra = (1,) * len(shape)
        amplitude, px, py, sigma = (v.reshape(-1, *extra) for v in (self._amplitude, self._px, self._py, self._sigma))
        dx = x - px
        dy = y - py
        inv_var = 1.0 / (sigma * sigma)
        g = amplitude * np.exp(-0.5 * (dx * dx + dy * dy) * inv_var)
        return g, dx, dy, inv_var

    def _value(self, x, y):
        g, _, _, _ = self._terms(x, y)
        return BOWL * (x * x + y * y) + g.sum(axis=0)

    def _gradient(self, x, y):
        g, dx, dy, inv_var = self._terms(x, y)
        return 2.0 * BOWL * x - (g * dx * inv_var).sum(axis=0), 2.0 * BOWL * y - (g * dy * inv_var).sum(axis=0)

    def _hessian(self, x, y):
        g, dx, dy, inv_var = self._terms(x, y)
        hxx = 2.0 * BOWL + (g * (dx * dx * inv_var - 1.0) * inv_var).sum(axis=0)
        hxy = (g * dx * dy * inv_var * inv_var).sum(axis=0)
        hyy = 2.0 * BOWL + (g * (dy * dy * inv_var - 1.0) * inv_var).sum(axis=0)
        return hxx, hxy, hyy


# Found with find_critical_points(Peaks(), n=60, iterations=100); the tests re-check them.
PEAKS_MINIMA = [  # deepest first
    (-1.540968101040777, -0.965501211752268),  # f = -1.79269
    (1.444739151696679, 1.154119611045666),  # f = -1.28606
    (1.634262728443027, -1.537498383302084),  # f = -0.78657
]
PEAKS_MAXIMA = [
    (-1.249138424298898, 1.675719834156458),  # the bump, f = 1.74239
    (0.622016809648128, -0.568346862586066),  # a faint hump between the wells, f = -0.07156
]
PEAKS_SADDLES = [
    (0.220824865041415, 0.006510482685601),  # f = -0.11822
    (1.317609665038158, -0.393561002639621),  # f = -0.11600
    (0.468649397790197, -0.997256485289184),  # f = -0.08223
    (-2.120823889340835, 2.828298257926468),  # f = 0.88525
]
