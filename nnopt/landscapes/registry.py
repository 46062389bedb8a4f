"""The registry of 2-D test functions: ``FUNCTIONS`` and ``get_function(name)``."""
from __future__ import annotations

from .base import Function2D
from .classic import Beale, Himmelblau, Rosenbrock
from .peaks import Peaks
from .plateau import Plateau
from .quadratic import Quadratic
from .saddles import MonkeySaddle, Saddle

#: name -> class; ``get_function(name, **parameters)`` builds one.
FUNCTIONS: dict[str, type[Function2D]] = {
    cls.name: cls for cls in (Quadratic, Rosenbrock, Beale, Himmelblau, Saddle, MonkeySaddle, Peaks, Plateau)
}


def get_function(name: str | Function2D, **parameters) -> Function2D:
    """The test function called ``name`` (e.g. ``"rosenbrock"``), built with ``parameters``.

    Names are matched ignoring case, and "-" or " " count as "_" (``"Monkey saddle"`` works).
    A :class:`Function2D` passed in is returned as it is (so every function of
    ``nnopt.landscapes`` and ``nnopt.plots`` accepts a name or a function).

    >>> get_function("quadratic", condition_number=50).condition_number
    50.0
    """
    if isinstance(name, Function2D):
        if parameters:
            raise TypeError(
                f"parameters {sorted(parameters)} can only be given with a function name, not with "
                f"an already built {name!r}."
            )
        return name
    if not isinstance(name, str):
        raise TypeError(f"name must be a function name (str) or a Function2D, got {type(name).__name__}: {name!r}.")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in FUNCTIONS:
        raise ValueError(f"unknown test function {name!r}; valid names: {', '.join(FUNCTIONS)}.")
    return FUNCTIONS[key](**parameters)
