"""Animated optimizer races as small, self-contained HTML (works offline, no ffmpeg).

Why not ``FuncAnimation(...).to_jshtml()``: it embeds one full PNG per frame, about 45 kB
each for a contour map at 60 dpi (2.5 MB for 40 frames), and renders every frame from
scratch (~0.2 s each). Here the contour map is rendered *once* to a PNG and the paths are
SVG polylines drawn over it, in the same pixel coordinates matplotlib used; a few lines of
JavaScript reveal them frame by frame (play/pause, restart, a step slider). A race of a few
optimizers is ~50-100 kB and takes a fraction of a second; the lines stay sharp at any zoom.
Without JavaScript (e.g. a static notebook viewer) the picture shows the finished race.
"""
from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
from html import escape as html_escape

import matplotlib.pyplot as plt
import numpy as np

from ..landscapes.base import Function2D
from ..landscapes.registry import get_function
from ._common import as_runs, styled, styles_for
from .contours import START_MARKER, place_legend, plot_contours
from .style import PALETTE

MAX_FRAMES = 60
MAX_POINTS_PER_PATH = 1500  # longer paths are thinned (every k-th point plus all frame points)
_DASHES = {"-": "", "--": "6 3", ":": "1.5 3", "-.": "6 3 1.5 3"}
_counter = itertools.count(1)


def frame_indices(length: int, frames: int) -> np.ndarray:
    """``frames`` steps out of ``0 .. length-1``, evenly spread, always with the first and the last."""
    if length < 1:
        raise ValueError(f"a path needs at least one point, got length {length}.")
    return np.unique(np.round(np.linspace(0, length - 1, min(frames, length))).astype(int))


def animation_styles(runs, colors=None) -> list[dict[str, str]]:
    """The colour and line style of each run in the animation.

    By default each run gets its optimizer's course style; a run of the same optimizer as an
    earlier one (e.g. three SGD runs: plain, clipped by norm, clipped by value) gets the next
    colour of :data:`~nnopt.plots.style.PALETTE` no other run uses, because the SVG paths and
    their heads would otherwise all be drawn in one colour (dashes are hard to tell apart on a
    thin moving line). ``colors`` overrides this: a dict ``{label: colour}`` (labels it does not
    name keep the default) or a sequence with one colour per run, e.g. the colours of a static
    figure drawn beside the animation.
    """
    styles = styles_for([run.family for run in runs])
    families_seen: set[str] = set()
    used = {style["color"] for style in styles}
    free = (colour for colour in PALETTE if colour not in used)
    for style, run in zip(styles, runs):
        if run.family in families_seen:
            style["color"] = next(free, style["color"])
        families_seen.add(run.family)
    if colors is None:
        return styles
    if isinstance(colors, dict):
        unknown = sorted(set(colors) - {run.label for run in runs})
        if unknown:
            raise ValueError(f"colors names labels that are not in the race: {unknown}; "
                             f"the labels are {[run.label for run in runs]}.")
        chosen = [colors.get(run.label) for run in runs]
    elif isinstance(colors, (list, tuple)):
        if len(colors) != len(runs):
            raise ValueError(f"colors must give one colour per trajectory ({len(runs)}), got {len(colors)}.")
        chosen = list(colors)
    else:
        raise TypeError(f"colors must be None, a dict {{label: colour}} or a list of colours, got {type(colors).__name__}.")
    from matplotlib.colors import is_color_like, to_hex

    for style, colour in zip(styles, chosen):
        if colour is None:
            continue
        if not isinstance(colour, str) or not is_color_like(colour):
            raise ValueError(f"colors: {colour!r} is not a matplotlib colour (use e.g. '#0072B2' or 'tab:blue').")
        style["color"] = to_hex(colour)
    return styles


def _check_int(argument: str, value, low: int, high: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{argument} must be a whole number from {low} to {high}{why}, got {value!r}.")
    return int(value)


_TEMPLATE = """<div id="{uid}" class="nnopt-race" style="display:inline-block;font:12px sans-serif">
<div style="position:relative;width:{width}px;height:{height}px">
<img src="data:image/png;base64,{png}" width="{width}" height="{height}" alt="{alt}" style="position:absolute;left:0;top:0">
<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" style="position:absolute;left:0;top:0">
<defs><clipPath id="{uid}-clip"><rect x="{clip_x}" y="{clip_y}" width="{clip_w}" height="{clip_h}"/></clipPath></defs>
<g clip-path="url(#{uid}-clip)">{shapes}</g>
</svg></div>
<div style="margin-top:2px">
<button type="button" data-act="restart" title="restart">&#9198;</button>
<button type="button" data-act="play" title="play / pause">&#9654;</button>
<input type="range" data-act="slider" min="0" max="{last}" value="{last}" style="width:{slider}px;vertical-align:middle">
<span data-act="label">step {last_step}</span>
</div>
<script>
(function () {{
  var root = document.getElementById("{uid}"), data = {data};
  var lines = data.paths.map(function (_, k) {{ return document.getElementById("{uid}-p" + k); }});
  var heads = data.paths.map(function (_, k) {{ return document.getElementById("{uid}-h" + k); }});
  var slider = root.querySelector("[data-act=slider]"), label = root.querySelector("[data-act=label]");
  var play = root.querySelector("[data-act=play]"), timer = null, frame = data.steps.length - 1;
  function show(f) {{
    frame = f; slider.value = f; label.textContent = "step " + data.steps[f];
    data.paths.forEach(function (p, k) {{
      var n = data.counts[f][k], pts = [];
      for (var i = 0; i < n; i++) pts.push(p[0][i] + "," + p[1][i]);
      lines[k].setAttribute("points", pts.join(" "));
      heads[k].setAttribute("cx", p[0][n - 1]); heads[k].setAttribute("cy", p[1][n - 1]);
    }});
  }}
  function stop() {{ clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; }}
  function start() {{
    if (frame >= data.steps.length - 1) show(0);
    play.innerHTML = "&#10074;&#10074;";
    timer = setInterval(function () {{ if (frame < data.steps.length - 1) show(frame + 1); else stop(); }}, {interval});
  }}
  play.onclick = function () {{ if (timer) stop(); else start(); }};
  root.querySelector("[data-act=restart]").onclick = function () {{ stop(); show(0); }};
  slider.oninput = function () {{ stop(); show(parseInt(slider.value, 10)); }};
  show(frame);
}})();
</script></div>"""


@styled
def animate_race(
    function: str | Function2D,
    trajectories,
    *,
    frames: int = 40,
    interval: int = 120,
    dpi: int = 80,
    figsize=(5.6, 3.8),
    grid: int = 120,
    levels: int = 22,
    legend: str = "auto",
    title: str | None = None,
    as_html: bool = True,
    colors=None,
):
    """Animate optimizers racing on ``function``: offline JavaScript HTML to show in a notebook.

    ``trajectories`` is what :func:`~nnopt.plots.plot_contours` takes (usually a
    :func:`~nnopt.landscapes.race` result). The longest path is subsampled to at most
    ``frames`` frames (2 .. 60; the first and last step always included); at each frame every
    path is drawn up to that step (a shorter or diverged path stays at its end), with a dot
    at its head. ``interval`` is the time per frame in ms; ``dpi`` and ``figsize`` size the
    background picture. The player starts at the finished race: press ▶ to watch it.
    Each path has its optimizer's colour; repeats of one optimizer get distinct colours, and
    ``colors`` (``{label: colour}`` or one colour per run) sets them explicitly, e.g. to match
    a static figure (see :func:`animation_styles`).

    Returns ``IPython.display.HTML`` (a notebook displays it) or, with ``as_html=False``, the
    HTML string. No figure is left open, so no static copy is shown below it.
    """
    frames = _check_int("frames", frames, 2, MAX_FRAMES, " (keep animations short)")
    interval = _check_int("interval", interval, 10, 5000, " (milliseconds per frame)")
    dpi = _check_int("dpi", dpi, 20, 200)
    function = get_function(function)
    runs = as_runs(trajectories)
    if not runs:
        raise ValueError("animate_race needs at least one trajectory.")

    fig = plot_contours(function, None, grid=grid, levels=levels, legend="none", figsize=figsize, title=title)
    try:
        fig.set_dpi(dpi)  # pixel coordinates below are at this dpi (close() resets it: read them first)
        ax = fig.axes[0]
        styles = animation_styles(runs, colors)
        for run, style in zip(runs, styles):  # empty lines: legend entries only, the SVG draws the paths
            ax.plot([], [], color=style["color"], linestyle=style["linestyle"], linewidth=1.8,
                    label=run.label + ("  (diverged)" if run.diverged else ""))
        for number, start in enumerate(sorted({tuple(run.path[0]) for run in runs})):
            ax.plot(*start, linestyle="none", label="start" if number == 0 else None, zorder=8, **START_MARKER)
        place_legend(ax, legend)
        fig.canvas.draw()  # fixes the layout, so data -> pixel coordinates below are final
        fig.set_layout_engine("none")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        width, height = (int(round(v)) for v in fig.bbox.size)
        box = ax.bbox.frozen()
        longest = max(len(run.path) for run in runs)
        steps = frame_indices(longest, frames)
        kept, pixel_paths = [], []
        for run in runs:
            n = len(run.path)
            stride = max(1, int(np.ceil(n / MAX_POINTS_PER_PATH)))
            keep = np.unique(np.concatenate([np.arange(0, n, stride), np.minimum(steps, n - 1), [n - 1]]))
            kept.append(keep)
            pixel_paths.append(ax.transData.transform(run.path[keep]))
    finally:
        plt.close(fig)

    paths, counts_per_run, shapes = [], [], []
    for k, (run, style, keep, pixels) in enumerate(zip(runs, styles, kept, pixel_paths)):
        reached = np.minimum(steps, len(run.path) - 1)
        xs = np.round(pixels[:, 0], 1)
        ys = np.round(height - pixels[:, 1], 1)
        paths.append([xs.tolist(), ys.tolist()])
        counts_per_run.append(np.searchsorted(keep, reached, side="right").tolist())
        points = " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys))
        dash = _DASHES.get(style["linestyle"], "")
        shapes.append(
            f'<polyline id="{{uid}}-p{k}" points="{points}" fill="none" stroke="{style["color"]}" stroke-width="2" '
            f'stroke-linejoin="round" stroke-linecap="round"{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>'
            f'<circle id="{{uid}}-h{k}" cx="{xs[-1]:g}" cy="{ys[-1]:g}" r="4.5" fill="{style["color"]}" '
            f'stroke="black" stroke-width="0.8"/>'
        )
    data = {"steps": steps.tolist(), "paths": paths, "counts": np.array(counts_per_run).T.tolist()}
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    digest = hashlib.sha1((png + json.dumps(data)).encode()).hexdigest()[:10]
    uid = f"nnopt-race-{digest}-{next(_counter)}"  # unique per call, reproducible in a fresh kernel
    html = _TEMPLATE.format(
        uid=uid,
        width=width,
        height=height,
        png=png,
        alt=html_escape(f"{len(runs)} optimizer(s) on {function.title}"),
        clip_x=f"{box.x0:.1f}",
        clip_y=f"{height - box.y1:.1f}",
        clip_w=f"{box.width:.1f}",
        clip_h=f"{box.height:.1f}",
        shapes="".join(shapes).replace("{uid}", uid),
        last=len(steps) - 1,
        last_step=int(steps[-1]),
        slider=max(120, width - 200),
        data=json.dumps(data, separators=(",", ":")),
        interval=interval,
    )
    if not as_html:
        return html
    try:
        from IPython.display import HTML
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return html
    return HTML(html)
