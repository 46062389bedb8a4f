"""Curves: losses of several runs (over seeds, against iterations, epochs or wall time), EWAs, schedules."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
from matplotlib.ticker import MaxNLocator

from ..landscapes.trajectory import Trajectory
from ._common import check_choice, drawable, new_axes, styled, styles_for
from .contours import place_legend
from .style import GREY, PALETTE, canonical_optimizer_name

X_AXES = {"iteration": "iteration", "epoch": "epoch", "time": "wall time (s)"}
BANDS = {"minmax": "min–max", "std": "±1 std", None: None}
WHICH = ("train", "val", "both")
CENTERS = {"mean": np.mean, "median": np.median}


def _is_history(item) -> bool:
    return hasattr(item, "loss") and hasattr(item, "train_loss") and hasattr(item, "time")


def _series(item, x: str, which: str, subtract_minimum: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)`` of one run: a History, a Trajectory or a 1-D array of losses."""
    if _is_history(item):
        if x == "iteration":
            ys = item.loss
            return np.arange(1, len(ys) + 1, dtype=float), np.asarray(ys, dtype=float)
        ys = item.train_loss if which == "train" else item.val_loss
        if which == "val" and not ys:
            raise ValueError("which='val' needs histories with val_loss: pass validation=(X_val, y_val) to fit.")
        if x == "epoch":
            return np.arange(1, len(ys) + 1, dtype=float), np.asarray(ys, dtype=float)
        if which == "train":  # x == "time": every mini-batch loss against the training time so far
            return np.asarray(item.time, dtype=float), np.asarray(item.loss, dtype=float)
        return np.asarray(item.epoch_time, dtype=float), np.asarray(ys, dtype=float)
    if isinstance(item, Trajectory):
        if x != "iteration":
            raise ValueError(f"a Trajectory has losses per step only; use x='iteration', not x={x!r}.")
        f_star = item.info.get("minimum_value")
        ys = item.losses - f_star if subtract_minimum and f_star is not None else item.losses
        return np.arange(len(ys), dtype=float), np.asarray(ys, dtype=float)
    ys = np.asarray(item, dtype=float)
    if ys.ndim != 1:
        raise ValueError(f"a run of losses must be 1-D (one value per iteration or epoch), got shape {ys.shape}.")
    if x == "time":
        raise ValueError("x='time' needs History objects (from nnopt.train.fit), which record the wall time.")
    start = 1 if x == "epoch" else 0
    return np.arange(start, start + len(ys), dtype=float), ys


def _seeds(value) -> list:
    """One run or several (seeds): a list of Histories/Trajectories/arrays, or a 2-D array."""
    if _is_history(value) or isinstance(value, Trajectory):
        return [value]
    if isinstance(value, np.ndarray):
        return list(value) if value.ndim == 2 else [value]
    if isinstance(value, Sequence) and value and not np.isscalar(value[0]):
        return list(value)
    return [value]


def _as_mapping(runs) -> Mapping:
    if isinstance(runs, Mapping):
        if not runs:
            raise ValueError("runs is empty: give at least one {label: run}.")
        return runs
    if isinstance(runs, Trajectory):
        return {runs.label: runs}
    if isinstance(runs, (list, tuple)) and runs and all(isinstance(r, Trajectory) for r in runs):
        return {r.label: r for r in runs}
    if _is_history(runs) or isinstance(runs, (list, tuple, np.ndarray)):
        return {"run": runs}
    raise TypeError(
        f"runs must be a dict {{label: run or list of runs (seeds)}}, a History, a Trajectory or an "
        f"array of losses; got {type(runs).__name__}."
    )


def _smoothed(ys: np.ndarray, beta: float) -> np.ndarray:
    from ..optim.ewa import ewa_series

    return ewa_series(ys, beta, bias_correction=True)


def _entry_styles(entries: Mapping[str, list]) -> list[dict[str, str]]:
    """Optimizer runs (Trajectories, or labels naming an optimizer) get the optimizer's style,
    repeats of one optimizer other line styles; other labels take PALETTE colours in order."""
    keys = []
    for label, seeds in entries.items():
        if isinstance(seeds[0], Trajectory):
            keys.append(seeds[0].family)
        else:
            keys.append(str(label) if canonical_optimizer_name(str(label)) is not None else None)
    optimizer_styles = iter(styles_for([k for k in keys if k is not None]))
    others = iter(PALETTE * (len(keys) // len(PALETTE) + 1))
    return [next(optimizer_styles) if k is not None else {"color": next(others), "linestyle": "-"} for k in keys]


@styled
def plot_loss_curves(
    runs,
    *,
    x: str = "iteration",
    which: str = "train",
    band: str | None = "minmax",
    center: str = "mean",
    logy: bool = False,
    smooth: float | None = None,
    subtract_minimum: bool | None = None,
    ax=None,
    title: str | None = None,
    legend: str = "auto",
    figsize=None,
    colors: Mapping[str, str] | None = None,
):
    """Loss curves of several runs, each the mean over its seeds with a band; returns the Figure.

    Parameters
    ----------
    runs
        ``{label: run}`` where a run is a ``History`` (from :func:`nnopt.train.fit`), a
        :class:`~nnopt.landscapes.Trajectory`, a 1-D array of losses, or a list of them (one per
        seed). A race result (``{label: Trajectory}``) works as it is; a single run is fine too.
    x
        ``"iteration"`` (History.loss: the mini-batch loss of every step; Trajectory.losses:
        f at every point, from step 0), ``"epoch"`` (History.train_loss / val_loss, from epoch
        1) or ``"time"`` (History.loss against History.time, the training wall time in
        seconds so far; with which="val", val_loss against epoch_time).
    which
        For epochs: ``"train"``, ``"val"`` or ``"both"`` (validation dashed).
    band
        Over several seeds the line is the mean and the band ``"minmax"`` (between the lowest
        and highest seed) or ``"std"`` (mean ± one standard deviation); ``None`` for no band.
    center
        The line over several seeds: ``"mean"`` or ``"median"`` (robust to one odd seed).
        Seeds are cut to the shortest run (a diverged seed stops early). For wall time the
        x-values are averaged over seeds too.
    logy
        Log-scaled loss axis.
    smooth
        β of a bias-corrected EWA applied to each run (e.g. 0.9 for noisy mini-batch losses);
        the raw curve of a single-seed run stays visible, faint.
    subtract_minimum
        For Trajectories: plot f - f* (needs the function's known minimum). By default on
        when ``logy`` and every run knows its f*.
    colors
        ``{label: colour}`` for runs that should not wear their optimizer's colour, e.g. two
        Adam runs whose bands would otherwise be one colour.
    """
    check_choice("x", x, X_AXES)
    check_choice("which", which, WHICH)
    check_choice("band", band, BANDS)
    check_choice("center", center, CENTERS)
    if which != "train" and x == "iteration":
        raise ValueError("which='val'/'both' needs x='epoch' or x='time': validation loss is recorded per epoch.")
    if smooth is not None and not (isinstance(smooth, (int, float)) and 0 <= smooth < 1):
        raise ValueError(f"smooth must be an EWA β in [0, 1) or None, got {smooth!r}.")
    runs = _as_mapping(runs)
    entries = {label: _seeds(value) for label, value in runs.items()}
    unknown = sorted(str(label) for label in (colors or {}) if label not in entries)
    if unknown:
        raise ValueError(f"colors names runs that are not plotted: {unknown}; the runs are {[str(k) for k in entries]}.")
    if subtract_minimum is None:
        subtract_minimum = logy and all(
            isinstance(s, Trajectory) and s.info.get("minimum_value") is not None for v in entries.values() for s in v
        )

    fig, ax = new_axes(ax, figsize)
    most_seeds = 1
    parts = ("train", "val") if which == "both" else (which,)
    for (label, seeds), style in zip(entries.items(), _entry_styles(entries)):
        if colors and label in colors:
            style = {**style, "color": colors[label]}
        for part in parts:
            curves = [_series(seed, x, part, subtract_minimum) for seed in seeds]
            length = min(len(ys) for _, ys in curves)
            if length == 0:
                continue
            xs = np.mean([c[0][:length] for c in curves], axis=0)
            ys = np.array([c[1][:length] for c in curves])
            if smooth is not None:
                if len(seeds) == 1:
                    ax.plot(xs, ys[0], color=style["color"], alpha=0.25, linewidth=0.8)
                ys = np.array([_smoothed(row, smooth) for row in ys])
            mean = CENTERS[center](ys, axis=0)
            if isinstance(seeds[0], Trajectory):
                mean = drawable(mean)  # a start far out has f = 1e300 or inf: a gap, not an overflow
            linestyle = "--" if part == "val" and which == "both" else style["linestyle"]
            name = f"{label} ({part})" if which == "both" else str(label)
            if isinstance(seeds[0], Trajectory) and len(seeds) == 1 and seeds[0].diverged:
                name += f"  (diverged at step {seeds[0].diverged_at})"
            ax.plot(xs, mean, color=style["color"], linestyle=linestyle, label=name)
            if len(seeds) > 1 and band is not None:
                most_seeds = max(most_seeds, len(seeds))
                if band == "minmax":
                    low, high = ys.min(axis=0), ys.max(axis=0)
                else:
                    spread = ys.std(axis=0)
                    low, high = mean - spread, mean + spread
                    if logy:
                        low = np.where(low > 0, low, mean)  # a log axis cannot show values <= 0
                ax.fill_between(xs, low, high, color=style["color"], alpha=0.18, linewidth=0)
            first = seeds[0]
            if isinstance(first, Trajectory) and len(seeds) == 1 and first.diverged:
                ax.plot(xs[-1], mean[-1], marker="X", color=style["color"], markeredgecolor="black", linestyle="none")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(X_AXES[x])
    if x == "time":  # seconds come with long tick labels: fewer ticks so they never overlap
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_ylabel("$f - f^*$" if subtract_minimum else "loss")
    if title is not None:
        ax.set_title(title)
    ax.grid(True, which="major")
    place_legend(ax, legend)
    if most_seeds > 1 and ax.get_legend() is not None:
        ax.get_legend().set_title(f"{center} of {most_seeds} seeds, band {BANDS[band]}", prop={"size": 8})
    return fig


def _check_betas(betas) -> tuple[float, ...]:
    values = (betas,) if np.isscalar(betas) else tuple(betas)
    if not values:
        raise ValueError("betas must name at least one β, e.g. betas=(0.9, 0.98).")
    for beta in values:
        if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)) or not 0 <= beta < 1:
            raise ValueError(f"every β in betas must be a number in [0, 1), got {beta!r}.")
    return tuple(float(b) for b in values)


@styled
def plot_ewa(
    series,
    betas=(0.5, 0.9, 0.98),
    *,
    x=None,
    bias_correction: bool | str = "both",
    ax=None,
    xlabel: str | None = None,
    ylabel: str = "value",
    title: str | None = None,
    raw_label: str = "data",
    legend: str = "auto",
    figsize=None,
):
    r"""A series (faint points) and its exponentially weighted averages for several β; returns the Figure.

    v_t = β v_{t-1} + (1 - β) x_t from v_0 = 0 (``nnopt.optim.ewa.ewa_series``), averaging
    roughly the last 1/(1 - β) values. ``bias_correction``: ``True`` draws v_t / (1 - βᵗ),
    ``False`` the raw v_t (pulled towards 0 at the start), ``"both"`` the corrected average
    solid and the raw one dashed in the same colour (bias correction only matters for the
    first few 1/(1 - β) values: zoom in with a short series to see it). ``x``: the positions (e.g. dates;
    default 1, 2, ...). For the Seattle temperatures use ``ylabel="temperature (°C)"``.
    """
    from ..optim.ewa import ewa_series

    values = np.asarray(series, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"series must be a 1-D array of at least 2 values, got shape {values.shape}.")
    betas = _check_betas(betas)
    if bias_correction not in (True, False, "both"):
        raise ValueError(f"bias_correction must be True, False or 'both', got {bias_correction!r}.")
    positions = np.arange(1, len(values) + 1) if x is None else np.asarray(x)
    if positions.shape != values.shape:
        raise ValueError(f"x must have one position per value: got shape {positions.shape} for {values.shape} values.")
    if xlabel is None:
        xlabel = "date" if np.issubdtype(positions.dtype, np.datetime64) else "t"

    fig, ax = new_axes(ax, figsize)
    ax.scatter(positions, values, s=7, color=GREY, alpha=0.45, linewidths=0, label=raw_label)
    for beta, colour in zip(betas, PALETTE):
        label = f"β = {beta:g} (≈ {1 / (1 - beta):.3g} values)" if beta > 0 else "β = 0 (no averaging)"
        if bias_correction in (True, "both"):
            ax.plot(positions, ewa_series(values, beta, bias_correction=True), color=colour, label=label)
        if bias_correction in (False, "both"):
            both = bias_correction == "both"
            ax.plot(positions, ewa_series(values, beta), color=colour, linestyle="--" if both else "-",
                    linewidth=1.3 if both else None, label=None if both else label)
    if bias_correction == "both":  # one legend entry explains every dashed line
        ax.plot([], [], color=GREY, linestyle="--", linewidth=1.3, label="dashed: without bias correction")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    if np.issubdtype(positions.dtype, np.datetime64):
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    place_legend(ax, legend)
    return fig


@styled
def plot_schedule(schedule, steps: int = 100, *, ax=None, logy: bool = False, xlabel: str | None = None,
                  figsize=None, **kwargs):
    """Learning rate against step for one schedule or several; returns the Figure.

    ``schedule`` is what :func:`nnopt.schedules.plot_schedule` takes (a scheduler, a factory
    ``lambda opt: StepLR(opt, 10)`` or a dict of them; ``kwargs`` such as ``lr=`` go to it), or
    precomputed values: a sequence of rates or a dict ``{label: sequence}``.
    """
    logy = bool(kwargs.pop("log_y", logy))  # nnopt.schedules spells it log_y: accept both
    fig, ax = new_axes(ax, figsize)
    precomputed = schedule if isinstance(schedule, Mapping) else {None: schedule}
    if all(isinstance(v, (Sequence, np.ndarray)) and not isinstance(v, str) for v in precomputed.values()):
        for label, values in precomputed.items():
            values = np.asarray(values, dtype=float)
            if values.ndim != 1:
                raise ValueError(f"schedule values must be 1-D (one learning rate per step), got shape {values.shape}.")
            ax.plot(np.arange(len(values)), values, label=label)
        ax.set_ylabel("learning rate")
        if logy:
            ax.set_yscale("log")
        if any(label is not None for label in precomputed):
            ax.legend()
    else:
        from ..schedules import plot_schedule as schedules_plot

        schedules_plot(schedule, steps, ax=ax, log_y=logy, **kwargs)
    ax.set_xlabel(xlabel or "step (epoch or iteration)")
    ax.grid(True)
    return fig
