"""Figures for the course: one style, landscapes with optimizer paths, curves and animations.

matplotlib is imported by this package only; ``import nnopt`` never loads it.

- ``style``: the Okabe–Ito palette, a fixed colour and line style per optimizer
  (:func:`optimizer_style`), and :func:`use_course_style` (6 x 4 in, 90 dpi).
- ``contours``: :func:`plot_contours` (a contour map with paths, start/end, minima and
  saddles) and :func:`plot_surface` (the 3-D view).
- ``curves``: :func:`plot_loss_curves` (runs over seeds, per iteration / epoch / wall time),
  :func:`plot_ewa` (a series and its exponentially weighted averages), :func:`plot_schedule`.
- ``animation``: :func:`animate_race`, an offline HTML animation of several optimizers.

Every ``plot_*`` function returns its matplotlib Figure and takes ``ax=`` to draw into an
existing axes. The figure is made with pyplot, so a notebook shows it by itself at the end
of the cell: assign the result (``fig = plot_contours(...)``) or end the line with ``;``,
otherwise Jupyter shows it a second time as the cell's value.

Inside IPython, importing this package makes inline figures 256-colour PNGs (``compact_png``).
"""
from __future__ import annotations

from .animation import animate_race
from .contours import plot_contours, plot_surface
from .curves import plot_ewa, plot_loss_curves, plot_schedule
from .style import (
    OKABE_ITO,
    OPTIMIZER_STYLES,
    PALETTE,
    optimizer_color,
    optimizer_style,
    use_course_style,
)
from . import compact_png as _compact_png

_compact_png.install()

__all__ = [
    "plot_contours",
    "plot_surface",
    "plot_loss_curves",
    "plot_ewa",
    "plot_schedule",
    "animate_race",
    "OKABE_ITO",
    "OPTIMIZER_STYLES",
    "PALETTE",
    "optimizer_style",
    "optimizer_color",
    "use_course_style",
]
