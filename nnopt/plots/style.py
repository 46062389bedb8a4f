"""One look for every figure of the course: colour-blind-safe colours, one colour per optimizer.

- :data:`OKABE_ITO`: the eight colours of Okabe & Ito (2008), distinguishable with every
  common colour-vision deficiency; :data:`PALETTE` is the order used for lines that are not
  optimizers (e.g. the β's of an EWA).
- :func:`optimizer_style`: a fixed colour and line style per optimizer (SGD is always black,
  Adam always vermillion, ...) across every notebook. Related methods share a colour and
  differ by line style (Adam solid, AdamW dashed, AMSGrad dotted); methods that notebooks draw
  side by side have distinct colours (heavy ball blue and Nesterov sky blue, dashed; AdaGrad
  green and AdaDelta orange, dash-dot). Names are read from the
  start of a label, so ``"Adam (lr=0.1)"`` is styled as Adam. An unknown name gets the next
  free (colour, line style) pair, in a fixed order, and keeps it for the session.
- :data:`COURSE_RC` and :func:`use_course_style`: modest figure size (6 x 4 in) and dpi (90),
  so that the PNGs embedded in the notebooks stay small. Every plotting function of
  ``nnopt.plots`` draws inside this style already; call ``use_course_style()`` to use it for
  your own figures too (or ``with use_course_style(): ...`` for one block).
"""
from __future__ import annotations

import itertools
import re

import matplotlib as mpl
from cycler import cycler

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#7F7F7F"  # neutral companion colour, for raw data and reference lines

#: Line colours in order for things that are not optimizers (yellow last: faint on white).
PALETTE = [OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange", "sky_blue", "black", "yellow")]

LINESTYLES = ("-", "--", ":", "-.")

_C = OKABE_ITO
#: The fixed style of each optimizer of the course: name -> (colour, line style).
OPTIMIZER_STYLES: dict[str, tuple[str, str]] = {
    "SGD": (_C["black"], "-"),
    "Momentum": (_C["blue"], "-"),
    # Nesterov: momentum's family, so a lighter blue, and dashed: told apart from the heavy ball by
    # lightness (which every colour-vision deficiency keeps) and by the line style.
    "Nesterov": (_C["sky_blue"], "--"),
    "AdaGrad": (_C["bluish_green"], "-"),
    # AdaDelta has its own colour (not AdaGrad's green: the two are drawn side by side in notebook 4).
    "AdaDelta": (_C["orange"], "-."),
    "RMSprop": (_C["reddish_purple"], "-"),
    "Adam": (_C["vermillion"], "-"),
    "AdamW": (_C["vermillion"], "--"),
    "AMSGrad": (_C["vermillion"], ":"),
    "NAdam": (_C["orange"], "-"),
    "Adamax": (_C["orange"], "--"),
    "RAdam": (GREY, "-"),
    "Lion": (_C["reddish_purple"], "--"),
}
# Other spellings of the same methods (compared lower-case, without spaces, "-" or "_").
_ALIASES = {
    "gd": "SGD",
    "gradientdescent": "SGD",
    "heavyball": "Momentum",
    "sgdmomentum": "Momentum",
    "nag": "Nesterov",
    "rmsprop": "RMSprop",
    "adagrad": "AdaGrad",
    "adadelta": "AdaDelta",
    "nadam": "NAdam",
    "radam": "RAdam",
}
_CANONICAL = {name.lower(): name for name in OPTIMIZER_STYLES} | _ALIASES
_assigned: dict[str, tuple[str, str]] = {}  # unknown names, in order of first use


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def canonical_optimizer_name(label: str) -> str | None:
    """The course name of the optimizer a label starts with (``"adam (lr=0.1)"`` -> ``"Adam"``), or None."""
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {label!r}.")
    whole = _key(label)
    if whole in _CANONICAL:
        return _CANONICAL[whole]
    match = re.match(r"\s*([A-Za-z][A-Za-z0-9]*)", label)
    if match and _key(match.group(1)) in _CANONICAL:
        return _CANONICAL[_key(match.group(1))]
    return None


def _free_styles():
    used = set(OPTIMIZER_STYLES.values()) | set(_assigned.values())
    for linestyle, colour in itertools.product(LINESTYLES, PALETTE[:7]):
        if (colour, linestyle) not in used:
            yield colour, linestyle


def optimizer_style(name: str) -> dict[str, str]:
    """``{"color": ..., "linestyle": ...}`` for an optimizer name or a label starting with one.

    Known names (any case; ``"GD"``, ``"heavy ball"``, ``"NAG"`` and similar aliases too) always
    get their entry of :data:`OPTIMIZER_STYLES`. Any other name gets the first (colour, line
    style) pair no optimizer uses yet, and keeps it for the rest of the session.

    >>> optimizer_style("Adam (lr=0.01)")
    {'color': '#D55E00', 'linestyle': '-'}
    """
    canonical = canonical_optimizer_name(name)
    if canonical is not None:
        colour, linestyle = OPTIMIZER_STYLES[canonical]
    else:
        key = _key(name)
        if key not in _assigned:
            _assigned[key] = next(_free_styles(), (GREY, "-."))
        colour, linestyle = _assigned[key]
    return {"color": colour, "linestyle": linestyle}


def optimizer_color(name: str) -> str:
    """The colour of an optimizer (see :func:`optimizer_style`)."""
    return optimizer_style(name)["color"]


def reset_unknown_styles() -> None:
    """Forget the styles handed out to unknown names (for tests and fresh notebooks)."""
    _assigned.clear()


#: rcParams of the course style.
COURSE_RC = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 90,
    "savefig.dpi": 90,
    "savefig.bbox": "standard",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.85,
    "legend.edgecolor": "#CCCCCC",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.grid": False,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 5.0,
    "image.cmap": "viridis",
}


class use_course_style:  # noqa: N801 - reads as a function: use_course_style()
    """Apply the course style (:data:`COURSE_RC`) to matplotlib.

    ``use_course_style()`` changes the settings for the rest of the session;
    ``with use_course_style(): ...`` changes them only inside the block.
    """

    def __init__(self):
        self._saved = {key: mpl.rcParams[key] for key in COURSE_RC}
        mpl.rcParams.update(COURSE_RC)

    def __enter__(self):
        return self

    def __repr__(self) -> str:  # shown when the call ends a notebook cell
        width, height = COURSE_RC["figure.figsize"]
        return f"<course style on: {width:g} x {height:g} in, {COURSE_RC['figure.dpi']} dpi, Okabe-Ito colours>"

    def __exit__(self, *exc_info):
        mpl.rcParams.update(self._saved)
        return False
