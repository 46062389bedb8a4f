"""Loss landscapes: contour maps with optimizer paths, and a 3-D surface view."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, LogNorm, Normalize
from matplotlib.ticker import LogLocator, MaxNLocator

from ..landscapes.base import Function2D
from ..landscapes.registry import get_function
from ._common import as_runs, check_choice, drawable, new_axes, styled, styles_for
from .style import OKABE_ITO

#: Light, neutral background (valleys a little darker) so the optimizers' colours stand out.
LANDSCAPE_CMAP = LinearSegmentedColormap.from_list("nnopt_landscape", ["#9FB0C2", "#DCE3EA", "#FBFBFB"])
#: The same hues with more contrast, for shaded 3-D surfaces.
SURFACE_CMAP = LinearSegmentedColormap.from_list("nnopt_surface", ["#3F5B78", "#9FB0C2", "#F2F4F6"])
CONTOUR_LINE_COLOR = "#6E7F90"
CRITICAL_POINT_MARKERS = {
    "minimum": dict(marker="*", markersize=13, markerfacecolor=OKABE_ITO["yellow"], markeredgecolor="black"),
    "maximum": dict(marker="^", markersize=8, markerfacecolor="white", markeredgecolor="black"),
    "saddle": dict(marker="X", markersize=8, markerfacecolor="white", markeredgecolor="black"),
}
START_MARKER = dict(marker="o", markersize=8, markerfacecolor="white", markeredgecolor="black", markeredgewidth=1.5)
AUTO_LEGEND_MAX_ENTRIES = 5  # legend="auto": inside ("best") up to this many entries, else outside


def contour_levels(function: Function2D, Z: np.ndarray, n: int = 25) -> tuple[np.ndarray, np.ndarray, object]:
    """``(field, levels, norm)`` for a contour plot of ``Z = f(grid)``.

    With ``function.log_levels`` the field is the gap ``f - f*`` above the lowest known minimum
    and the ``n`` levels are log-spaced from the 0.2 % quantile of the gap (at least 1e-6 times
    its maximum) to its maximum; otherwise the field is ``Z`` and the levels are evenly spaced.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"levels must be a whole number >= 2 (how many contour levels), got {n!r}.")
    f_star = function.minimum_value
    if function.log_levels and f_star is not None:
        gap = np.maximum(Z - f_star, 0.0)
        top = float(gap.max())
        positive = gap[gap > 0]
        low = max(float(np.quantile(positive, 0.002)) if positive.size else top * 1e-6, top * 1e-6)
        levels = np.geomspace(low, top, n)
        return gap, levels, LogNorm(vmin=low, vmax=top)
    low, top = float(Z.min()), float(Z.max())
    if top <= low:
        top = low + 1.0
    return Z, np.linspace(low, top, n), Normalize(vmin=low, vmax=top)


def _check_window(name: str, window) -> tuple[float, float]:
    """A plotting window (low, high): two finite numbers, low < high, small enough to draw."""
    try:
        low, high = (float(value) for value in window)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (low, high), e.g. (-2, 2), got {window!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be two finite numbers with low < high, e.g. (-2, 2), got {window!r}.")
    if max(abs(low), abs(high)) > 1e100:
        raise ValueError(f"{name}={window!r} is too wide to draw (beyond ±1e100 the function values overflow); "
                         f"zoom in on where the run goes, e.g. {name}=(-10, 10).")
    return low, high


def _draw_landscape(ax, function, grid, levels, filled, xlim, ylim):
    X, Y, Z = function.grid(grid, xlim, ylim)
    field, level_values, norm = contour_levels(function, Z, levels)
    mappable = None
    if filled:
        mappable = ax.contourf(X, Y, field, levels=level_values, cmap=LANDSCAPE_CMAP, norm=norm, extend="both")
    ax.contour(X, Y, field, levels=level_values, colors=CONTOUR_LINE_COLOR, linewidths=0.5, alpha=0.7,
               linestyles="solid")  # matplotlib would dash negative levels
    return mappable


def _draw_critical_points(ax, function, xlim, ylim):
    for kind, points in function.critical_points().items():
        inside = points[
            (points[:, 0] >= xlim[0]) & (points[:, 0] <= xlim[1]) & (points[:, 1] >= ylim[0]) & (points[:, 1] <= ylim[1])
        ]
        if len(inside):
            label = kind if len(inside) == 1 else {"minimum": "minima", "maximum": "maxima", "saddle": "saddles"}[kind]
            if kind == "saddle" and np.allclose(function.hessian(inside), 0.0):
                label += " (degenerate)"
            ax.plot(inside[:, 0], inside[:, 1], linestyle="none", label=label, zorder=6,
                    **CRITICAL_POINT_MARKERS[kind])


def draw_paths(ax, runs, markers: bool | None = None, show_start: bool = True):
    """Draw each run's path (line + end marker) on ``ax``; returns the Line2D of each path."""
    lines = []
    starts = set()
    for run, style in zip(runs, styles_for([r.family for r in runs])):
        path = drawable(run.path)  # a start at 1e300 is off the map anyway
        many = len(path) > 60
        label = run.label + run.note
        (line,) = ax.plot(path[:, 0], path[:, 1], label=label, color=style["color"], linestyle=style["linestyle"],
                          linewidth=1.6, marker=None if (many if markers is None else not markers) else "o",
                          markersize=2.5, zorder=5, alpha=0.95)
        ax.plot(path[-1, 0], path[-1, 1], linestyle="none", marker="X" if run.diverged else "o", markersize=7,
                markerfacecolor=style["color"], markeredgecolor="black", markeredgewidth=0.8, zorder=7)
        lines.append(line)
        if show_start and np.all(np.isfinite(path[0])):
            starts.add(tuple(path[0]))
    for number, (x, y) in enumerate(sorted(starts)):
        ax.plot(x, y, linestyle="none", label="start" if number == 0 else None, zorder=8, **START_MARKER)
    return lines


def place_legend(ax, legend: str = "auto"):
    """Add a legend: a matplotlib location, ``"outside"`` (right of the axes), ``"none"``, or
    ``"auto"`` (``"best"`` for a few entries, ``"outside"`` for more).

    "outside" is a figure legend placed by the constrained layout when the axes is alone in
    its figure (so it never leaves the picture), else an axes legend anchored to its right.
    """
    entries = len(ax.get_legend_handles_labels()[0])
    if legend == "none" or not entries:
        return
    if legend == "auto":
        legend = "best" if entries <= AUTO_LEGEND_MAX_ENTRIES else "outside"
    if legend == "outside":
        figure = ax.figure
        alone = [a for a in figure.axes if a.get_label() != "<colorbar>" and a not in ax.child_axes] == [ax]
        if alone and figure.get_layout_engine() is not None:
            figure.legend(*ax.get_legend_handles_labels(), loc="outside right upper")
        else:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    else:
        ax.legend(loc=legend)


def _title(function: Function2D) -> str:
    return f"{function.title}:  {function.formula}"


@styled
def plot_contours(
    function: str | Function2D,
    trajectories=None,
    *,
    ax=None,
    levels: int = 20,
    grid: int = 160,
    xlim=None,
    ylim=None,
    filled: bool = True,
    critical_points: bool = True,
    markers: bool | None = None,
    legend: str = "auto",
    colorbar: bool = False,
    title: str | None = None,
    figsize=None,
):
    """A contour map of ``function`` with optimizer paths on it; returns the Figure.

    Parameters
    ----------
    function
        A :class:`~nnopt.landscapes.Function2D` or a registry name (``"rosenbrock"``, ...).
    trajectories
        Nothing, one :class:`~nnopt.landscapes.Trajectory` or ``(n, 2)`` path, a dict
        ``{label: trajectory}`` (what :func:`~nnopt.landscapes.race` returns) or a list.
        Each path is drawn in its optimizer's colour (:func:`~nnopt.plots.style.optimizer_style`)
        with the start (white circle) and the end (filled circle; a cross if it diverged).
    levels, grid
        Number of contour levels (log-spaced above the minimum when ``function.log_levels``)
        and grid points per axis.
    xlim, ylim
        The window; ``function.xlim``/``ylim`` by default. The aspect ratio is 1, so gradients
        are drawn perpendicular to the contours.
    critical_points
        Mark the known minima (stars), maxima (triangles) and saddles (crosses).
    markers
        Dots on every iterate (default: only for paths of at most 60 points).
    legend
        ``"auto"`` (inside for up to 5 entries, else outside), a matplotlib location
        (``"best"``, ``"upper right"``, ...), ``"outside"`` (right of the axes) or ``"none"``.
    colorbar
        Add a colour bar of f (or f - f* for log-spaced levels).
    """
    function = get_function(function)
    runs = as_runs(trajectories)
    if not isinstance(legend, str):
        raise TypeError(f"legend must be a location string such as 'auto', 'best', 'outside' or 'none', got {legend!r}.")
    xlim = function.xlim if xlim is None else _check_window("xlim", xlim)
    ylim = function.ylim if ylim is None else _check_window("ylim", ylim)
    fig, ax = new_axes(ax, figsize)
    mappable = _draw_landscape(ax, function, grid, levels, filled, xlim, ylim)
    if critical_points:
        _draw_critical_points(ax, function, xlim, ylim)
    draw_paths(ax, runs, markers)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title(_title(function) if title is None else title, fontsize=10)
    if colorbar and mappable is not None:
        log = isinstance(mappable.norm, LogNorm)
        # An inset keeps the bar as tall as the (aspect-adjusted) map, whatever the figure shape.
        bar_axes = ax.inset_axes([1.03, 0.0, 0.035, 1.0])
        fig.colorbar(mappable, cax=bar_axes, ticks=LogLocator() if log else MaxNLocator(6),
                     label="$f - f^*$" if log else "$f$")
    place_legend(ax, legend)
    return fig


@styled
def plot_surface(
    function: str | Function2D,
    trajectories=None,
    *,
    ax=None,
    grid: int = 60,
    zscale: str | None = None,
    elev: float = 35.0,
    azim: float = -60.0,
    legend: bool = True,
    figsize=None,
):
    """A 3-D surface of ``function`` (mpl_toolkits.mplot3d), optionally with paths on it; returns the Figure.

    ``zscale="log"`` (the default when ``function.log_levels``) plots z = log₁₀(1 + f - f*),
    which keeps steep walls from flattening the valley; ``"linear"`` plots f itself.
    ``ax`` must be a 3-D axes (``fig.add_subplot(projection="3d")``). Paths are lifted slightly
    above the surface so they stay visible.
    """
    function = get_function(function)
    runs = as_runs(trajectories)
    if zscale is None:
        zscale = "log" if function.log_levels and function.minimum_value is not None else "linear"
    check_choice("zscale", zscale, ("linear", "log"))
    if zscale == "log" and function.minimum_value is None:
        raise ValueError(f"zscale='log' needs a known minimum f*, and {function.name} has none; use zscale='linear'.")
    if ax is not None and getattr(ax, "name", "") != "3d":
        raise ValueError("ax must be a 3-D axes: create it with fig.add_subplot(projection='3d').")
    fig, ax = new_axes(ax, figsize, projection="3d")
    f_star = function.minimum_value

    def lift(values):
        return np.log10(1.0 + np.maximum(values - f_star, 0.0)) if zscale == "log" else values

    X, Y, Z = function.grid(grid)
    height = lift(Z)
    ax.plot_surface(X, Y, height, cmap=SURFACE_CMAP, linewidth=0, antialiased=True, alpha=0.85,
                    rcount=grid, ccount=grid)
    offset = 0.01 * float(height.max() - height.min())
    for run, style in zip(runs, styles_for([r.family for r in runs])):
        z = lift(function.value(run.path)) + offset
        ax.plot(run.path[:, 0], run.path[:, 1], z, color=style["color"], linestyle=style["linestyle"],
                linewidth=1.8, label=run.label, zorder=10)
        ax.scatter(run.path[-1, 0], run.path[-1, 1], z[-1], color=style["color"], edgecolor="black", s=30, zorder=11)
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel(r"$\log_{10}(1 + f - f^*)$" if zscale == "log" else "$f$")
    ax.set_title(_title(function), fontsize=10)
    if legend and runs:
        ax.legend(loc="upper left")
    return fig
