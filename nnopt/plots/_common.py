"""Shared plumbing of nnopt.plots: the style wrapper, axes creation, and reading runs."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..landscapes.trajectory import Trajectory
from .style import COURSE_RC, LINESTYLES, optimizer_style


@contextlib.contextmanager
def course_rc():
    """Apply :data:`COURSE_RC` for a block, then restore *only those keys*.

    Not ``matplotlib.rc_context``, which restores every rcParam: when the first figure of a
    Jupyter session is made inside it, the inline backend switches ``interactive`` on there,
    rc_context switches it off again, and later figures are no longer shown automatically.
    """
    saved = {key: mpl.rcParams[key] for key in COURSE_RC}
    mpl.rcParams.update(COURSE_RC)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def styled(plot_function):
    """Run a plotting function inside the course style (see :func:`course_rc`)."""

    @functools.wraps(plot_function)
    def wrapper(*args, **kwargs):
        with course_rc():
            return plot_function(*args, **kwargs)

    return wrapper


def new_axes(ax=None, figsize=None, **subplot_kw):
    """``(fig, ax)``: the given axes and its figure, or a new figure with one axes."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes (or None for a new figure), got {type(ax).__name__}.")
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize, layout="constrained", subplot_kw=subplot_kw or None)
    return fig, ax


#: Values (coordinates, losses) of this size or more are not handed to matplotlib, whose axes and
#: log tickers overflow for data near the float64 maximum: they are drawn as gaps (NaN).
DRAW_LIMIT = 1e100


def drawable(values) -> np.ndarray:
    """``values`` as float64 with every entry of size >= :data:`DRAW_LIMIT` (or non-finite) made NaN."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.abs(values) < DRAW_LIMIT, values, np.nan)


@dataclass
class Run:
    """One path to draw: label, points (n, 2), style key, and whether it diverged."""

    label: str
    path: np.ndarray
    family: str
    diverged: bool = False
    diverged_at: int | None = None

    @property
    def note(self) -> str:
        """``"  (diverged at step N)"`` for a diverged run, else ``""``: what the legend adds."""
        if not self.diverged:
            return ""
        return "  (diverged)" if self.diverged_at is None else f"  (diverged at step {self.diverged_at})"


def _run_from(item, label: str | None) -> Run:
    if isinstance(item, Trajectory):
        return Run(label if label is not None else item.label, item.path, item.family, item.diverged,
                   item.diverged_at)
    path = np.asarray(item, dtype=np.float64)
    if path.ndim != 2 or path.shape[1] != 2 or len(path) == 0:
        raise ValueError(
            f"a trajectory must be a Trajectory (from nnopt.landscapes.trajectory) or an array of "
            f"points of shape (n, 2); got shape {path.shape}."
        )
    name = label if label is not None else "path"
    return Run(name, path, name)


def as_runs(trajectories) -> list[Run]:
    """Read a Trajectory, an (n, 2) path, a dict ``{label: either}`` or a list of either."""
    if trajectories is None:
        return []
    if isinstance(trajectories, Mapping):
        return [_run_from(item, str(label)) for label, item in trajectories.items()]
    if isinstance(trajectories, Trajectory) or (isinstance(trajectories, np.ndarray) and trajectories.ndim == 2):
        return [_run_from(trajectories, None)]
    if isinstance(trajectories, Sequence) or isinstance(trajectories, np.ndarray):
        return [_run_from(item, None) for item in trajectories]
    raise TypeError(
        "trajectories must be a Trajectory, an (n, 2) array, a dict {label: trajectory} (what "
        f"race() returns) or a list of them; got {type(trajectories).__name__}."
    )


def styles_for(names: Sequence[str]) -> list[dict[str, str]]:
    """The optimizer style of each name; repeats of one optimizer get the other line styles."""
    styles, seen = [], {}
    for name in names:
        style = optimizer_style(name)
        key = (style["color"], style["linestyle"])
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            others = [ls for ls in LINESTYLES if ls != style["linestyle"]]
            style = {**style, "linestyle": others[(count - 1) % len(others)]}
        styles.append(style)
    return styles


def check_choice(argument: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"{argument} must be one of {tuple(allowed)}, got {value!r}.")
