"""2-D test functions (loss landscapes) and the paths optimizers take on them.

Functions (each a :class:`Function2D` with value, gradient, Hessian, known critical points, a
plotting window and a default start), by registry name:

- ``"quadratic"``: the elongated bowl ½(x²/κ + y²), condition number κ, optional rotation
- ``"rosenbrock"``: the banana valley (1 - x)² + 100(y - x²)²
- ``"beale"``, ``"himmelblau"`` (four minima): classic test functions
- ``"saddle"`` (x² - y²) and ``"monkey_saddle"`` (x³ - 3xy², a degenerate saddle)
- ``"peaks"``: Gaussian wells on a bowl, three local minima
- ``"plateau"``: tanh²(x) + 0.05 y², a flat region where plain gradient descent stalls

Runs: :func:`trajectory` drives any ``nnopt.optim`` optimizer on a function (the point is one
``Parameter`` of shape ``(2,)``) and :func:`race` runs several from the same start::

    from nnopt.landscapes import race, make_factory
    runs = race({"SGD": make_factory("SGD", lr=1e-3), "Adam": make_factory("Adam", lr=0.1)},
                "rosenbrock", steps=200)
"""
from __future__ import annotations

from .base import Function2D, find_critical_points
from .classic import Beale, Himmelblau, Rosenbrock
from .peaks import Peaks
from .plateau import Plateau
from .quadratic import Quadratic
from .registry import FUNCTIONS, get_function
from .saddles import MonkeySaddle, Saddle
from .trajectory import (
    DivergenceWarning,
    Trajectory,
    TrajectoryDiverged,
    describe_optimizer,
    make_factory,
    optimizer_family,
    race,
    trajectory,
)

__all__ = [
    "Function2D",
    "find_critical_points",
    "FUNCTIONS",
    "get_function",
    "Quadratic",
    "Rosenbrock",
    "Beale",
    "Himmelblau",
    "Saddle",
    "MonkeySaddle",
    "Peaks",
    "Plateau",
    "Trajectory",
    "trajectory",
    "race",
    "make_factory",
    "describe_optimizer",
    "optimizer_family",
    "DivergenceWarning",
    "TrajectoryDiverged",
]
