"""Interactive explorers for the notebooks: learning rate, EWA β, momentum, an optimizer race.

Each explorer comes twice:

- a plain plotting function, ``plot_*_explorer(...)``, that returns a matplotlib Figure, so a
  notebook can show a static picture (it also runs where widgets do not, e.g. in a static
  HTML export or a test), and
- a thin wrapper, ``*_explorer()``, that puts sliders in front of the same function and
  returns the ipywidgets box. It redraws into an ``Output`` widget and closes each figure
  after displaying it, so no figure piles up.

The sliders' ranges are the module constants ``*_BOUNDS``, so the widget cannot produce an
out-of-range value; the plain functions check their arguments and raise ``ValueError`` on bad
input (``lr <= 0``, β outside [0, 1), an unknown function name, ...). Extreme but valid
values (``lr=1e6``, ``x0=1e200``) draw a figure too: a run that diverges stops at the step N
where it left the bound, the figure shows its finite part and says "diverged at step N" (in
the legend and above the panels), and nothing larger than :data:`DRAW_LIMIT` is handed to
matplotlib (whose axes overflow near 1e308).

ipywidgets, IPython and matplotlib are imported only inside the functions.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..landscapes import Quadratic, get_function, make_factory, race, trajectory

# -- slider ranges ---------------------------------------------------------------------------
LR_EXPLORER_LR_BOUNDS = (1e-3, 2.5)  # parabola and bowl (λ_max = 1): GD diverges above lr = 2
LR_EXPLORER_STEPS_BOUNDS = (5, 100)
LR_EXPLORER_FUNCTIONS = ("parabola", "quadratic", "rosenbrock")
EWA_BETA_BOUNDS = (0.0, 0.995)  # β = 1 would never forget; 0.995 averages ~200 days
MOMENTUM_LR_BOUNDS = (0.01, 4.0)
MOMENTUM_BETA_BOUNDS = (0.0, 0.99)
MOMENTUM_CONDITION_BOUNDS = (1.0, 100.0)
MOMENTUM_FORMS = ("pytorch", "ewa")
RACE_LR_BOUNDS = (1e-4, 3.0)
RACE_STEPS_BOUNDS = (10, 500)
RACE_NOISE_BOUNDS = (0.0, 5.0)

#: The optimizers of the race explorer, and their learning rates per landscape: picked by hand
#: so that each optimizer converges (or visibly struggles) in DEFAULT_RACE_STEPS steps.
RACE_OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "RMSprop", "Adam")
DEFAULT_RACE_LRS = {
    "quadratic": {"SGD": 1.8, "Momentum": 1.0, "Nesterov": 0.1, "RMSprop": 0.1, "Adam": 0.3},
    "rosenbrock": {"SGD": 2e-3, "Momentum": 2e-2, "Nesterov": 1e-3, "RMSprop": 1e-2, "Adam": 0.1},
    "beale": {"SGD": 1e-3, "Momentum": 1e-2, "Nesterov": 5e-4, "RMSprop": 0.02, "Adam": 0.1},
    "himmelblau": {"SGD": 5e-3, "Momentum": 2e-2, "Nesterov": 2e-3, "RMSprop": 0.05, "Adam": 0.2},
    "saddle": {"SGD": 0.02, "Momentum": 0.05, "Nesterov": 0.005, "RMSprop": 0.02, "Adam": 0.05},
    "monkey_saddle": {"SGD": 5e-3, "Momentum": 1e-2, "Nesterov": 5e-4, "RMSprop": 0.01, "Adam": 0.02},
    "peaks": {"SGD": 0.1, "Momentum": 0.5, "Nesterov": 0.05, "RMSprop": 0.02, "Adam": 0.1},
    "plateau": {"SGD": 1.0, "Momentum": 1.0, "Nesterov": 0.1, "RMSprop": 0.05, "Adam": 0.1},
}
DEFAULT_RACE_STEPS = {
    "quadratic": 60, "rosenbrock": 300, "beale": 300, "himmelblau": 150,
    "saddle": 100, "monkey_saddle": 150, "peaks": 150, "plateau": 150,
}
EXPLORER_FIGSIZE = (10.0, 3.8)
#: Values (coordinates, losses) above this are not drawn: matplotlib's axes and log tickers
#: overflow for data near the float64 maximum. A parabola run that gets there is reported as diverged.
DRAW_LIMIT = 1e100  # = nnopt.plots._common.DRAW_LIMIT (not imported here: matplotlib loads lazily)


# -- argument checks -------------------------------------------------------------------------
def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _check_lr(value, argument: str = "lr") -> float:
    if not (_is_number(value) and math.isfinite(value) and value > 0):
        raise ValueError(f"{argument} must be a finite number > 0, got {value!r}.")
    return float(value)


def _check_beta(value, argument: str = "beta") -> float:
    if not (_is_number(value) and 0 <= value < 1):
        raise ValueError(f"{argument} must be a number in [0, 1) (1 would never forget), got {value!r}.")
    return float(value)


def _check_steps(value, argument: str = "steps") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{argument} must be a whole number >= 1, got {value!r}.")
    return int(value)


def _check_bool(value, argument: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{argument} must be True or False, got {value!r}.")
    return bool(value)


def _figure(ncols: int = 2, figsize=EXPLORER_FIGSIZE, **subplot_kw):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained", **subplot_kw)
    return fig, axes


# -- 1. learning rate ------------------------------------------------------------------------
def _regime(lr: float, curvature: float) -> str:
    """What gradient descent does on ½ a x²: x_{t+1} = (1 - lr a) x_t."""
    product = lr * curvature
    if math.isclose(product, 1.0):
        return "lr = 1/a: lands on the minimum in one step"
    if math.isclose(product, 2.0):
        return "lr = 2/a: bounces between ±x₀ forever"
    if product < 1:
        return "lr < 1/a: converges monotonically"
    if product < 2:
        return "1/a < lr < 2/a: oscillates, converges"
    return "lr > 2/a: diverges"


def plot_lr_explorer(
    lr: float = 0.3,
    function: str = "parabola",
    steps: int | None = None,
    *,
    curvature: float = 1.0,
    x0=None,
):
    """Gradient descent with learning rate ``lr``: convergence, oscillation or divergence.

    ``function="parabola"`` runs x_{t+1} = x_t - lr f'(x_t) on f(x) = ½ a x² (a = ``curvature``,
    x₀ = 4 by default), i.e. x_t = (1 - lr a)ᵗ x₀: monotone for lr < 1/a, oscillating for
    1/a < lr < 2/a, diverging for lr > 2/a. A 2-D landscape name (``"quadratic"``,
    ``"rosenbrock"``, ...) runs ``nnopt.optim.SGD`` on it from its default start instead. Left:
    the path on the function; right: f - f* per iteration (log scale). Returns the Figure.
    """
    from ..plots._common import styled
    from ..plots.style import optimizer_style

    lr = _check_lr(lr)
    curvature = _check_lr(curvature, "curvature")
    if not isinstance(function, str):
        raise ValueError(f"function must be 'parabola' or a landscape name, got {function!r}.")
    if function == "parabola":
        steps = _check_steps(25 if steps is None else steps)
        start = 4.0 if x0 is None else x0
        if not (_is_number(start) and math.isfinite(start)):
            raise ValueError(f"x0 for the parabola must be one finite number, got {x0!r}.")
        return styled(_plot_parabola)(lr, curvature, steps, float(start), optimizer_style("SGD"))
    steps = _check_steps(60 if steps is None else steps)
    landscape = get_function(function)
    run = trajectory(make_factory("SGD", lr=lr), landscape, x0, steps, on_divergence="ignore")
    return styled(_plot_2d_run)(landscape, {f"GD (lr={lr:g})": run}, f"gradient descent, lr = {lr:g}")


def _drawable(x: float, curvature: float) -> bool:
    """|x| and f(x) = ½ a x² both below DRAW_LIMIT (so a²x² cannot overflow either)."""
    return abs(x) < DRAW_LIMIT and 0.5 * curvature * (x / DRAW_LIMIT) * x < 1.0


def _parabola_path(lr: float, curvature: float, steps: int, x0: float) -> tuple[np.ndarray, int | None]:
    """x_t of gradient descent on ½ a x², run with nnopt.optim.SGD on a 1-element Parameter.

    Returns ``(path, diverged_at)``: the run stops at the first step N whose x or f(x) is beyond
    :data:`DRAW_LIMIT` (N = 0 when the start already is) and keeps steps 0..N-1.
    """
    from ..optim import SGD
    from ..parameter import Parameter

    if not _drawable(x0, curvature):
        return np.array([x0]), 0
    theta = Parameter([x0])
    optimizer = SGD([theta], lr=lr)
    path = [x0]
    for step in range(1, steps + 1):
        theta.grad[...] = curvature * theta.value  # f'(x) = a x
        with np.errstate(over="ignore", invalid="ignore"):  # caught just below
            optimizer.step()
        if not (abs(theta.value[0]) < 1e150 and _drawable(float(theta.value[0]), curvature)):
            return np.array(path), step
        path.append(float(theta.value[0]))
    return np.array(path), None


def _plot_parabola(lr, curvature, steps, x0, style):
    path, diverged_at = _parabola_path(lr, curvature, steps, x0)
    with np.errstate(over="ignore"):  # only a start beyond DRAW_LIMIT: not drawn
        losses = 0.5 * curvature * path**2
    fig, (left, right) = _figure()
    # Show the first few iterates even when they run away (up to 4 |x0|), so divergence is visible.
    scale = abs(x0) if abs(x0) > 0 else 1.0
    reach = 1.15 * min(max(scale, float(np.max(np.abs(path[:4])))), 4 * scale)
    if not _drawable(reach, curvature):  # a start too far out to draw: show the window near the minimum
        reach = 4.0 / math.sqrt(curvature) if math.isfinite(4.0 / math.sqrt(curvature)) else 1.0
    xs = np.linspace(-reach, reach, 200)
    left.plot(xs, 0.5 * curvature * xs**2, color="#9FB0C2", linewidth=2.5, zorder=1,
              label=f"f(x) = ½ a x², a = {curvature:g}")
    shown = np.abs(path) <= reach
    left.plot(path[shown], losses[shown], color=style["color"], linewidth=1.0, marker="o", markersize=4,
              zorder=3, label=f"GD iterates (lr = {lr:g})")
    if shown[0]:
        left.plot(path[0], losses[0], linestyle="none", marker="o", markersize=9, markerfacecolor="white",
                  markeredgecolor="black", markeredgewidth=1.5, zorder=4, label="start")
    left.set_xlim(-reach, reach)
    left.set_ylim(-0.05 * 0.5 * curvature * reach**2, 0.5 * curvature * reach**2 * 1.05)
    left.set_xlabel("$x$")
    left.set_ylabel("$f(x)$")
    left.set_title(_regime(lr, curvature), fontsize=10)
    left.legend(loc="upper center")
    iterations = np.arange(len(path))
    # An exact 0 (lr = 1/a) cannot sit on a log axis: leave it out rather than plot 1e-300.
    drawn = (losses > 0) & (losses < DRAW_LIMIT)
    right.plot(iterations, np.where(drawn, losses, np.nan), color=style["color"], marker="o", markersize=3)
    right.set_yscale("log")
    right.set_xlabel("iteration")
    right.set_ylabel("$f(x_t) - f^*$")
    right.set_title(f"|1 - lr·a| = {abs(1 - lr * curvature):.3g} per step", fontsize=10)
    right.grid(True)
    if diverged_at is not None:
        if diverged_at == 0:
            message = f"diverged at step 0: f(x₀) is beyond {DRAW_LIMIT:.0e}, too far out to draw; start closer to 0"
        else:
            message = f"diverged at step {diverged_at}: |x| or f(x) passed {DRAW_LIMIT:.0e}; lower the learning rate"
        _note(fig, f"GD (lr = {lr:g}) {message}")
    return fig


def _note(fig, text: str) -> None:
    """Say above the panels what went wrong (the divergence note)."""
    from ..plots.style import OKABE_ITO

    fig.suptitle(text, fontsize=9, color=OKABE_ITO["vermillion"])


def divergence_note(runs) -> str | None:
    """"A diverged at step N; B diverged at step M: lower the learning rate" for the diverged
    Trajectories among ``runs`` (a dict or a list), or None when none diverged."""
    runs = runs.values() if isinstance(runs, Mapping) else runs
    diverged = [run for run in runs if getattr(run, "diverged", False)]
    if not diverged:
        return None
    parts = "; ".join(f"{run.label} diverged at step {run.diverged_at}" for run in diverged)
    fix = "start closer" if all(run.diverged_at == 0 for run in diverged) else "lower the learning rate"
    return f"{parts}: {fix}"


def _plot_2d_run(landscape, runs, title):
    """Left: the paths on the contour map (white circle: start, star: minimum); right: the
    losses, with the legend (same colours), so the map stays uncovered."""
    from ..plots import plot_contours, plot_loss_curves

    fig, (left, right) = _figure()
    plot_contours(landscape, runs, ax=left, legend="none", grid=120)
    has_minimum = landscape.minimum_value is not None
    plot_loss_curves(runs, ax=right, logy=has_minimum, legend="best")
    right.set_title(title, fontsize=10)
    note = divergence_note(runs)
    if note is not None:
        _note(fig, note)
    return fig


# -- 2. EWA β --------------------------------------------------------------------------------
def _seattle_temperatures():
    from ..data import load_seattle_weather

    weather = load_seattle_weather()
    return weather.temp_max, weather.date


def plot_ewa_explorer(
    beta: float = 0.9,
    bias_correction: bool = True,
    *,
    series=None,
    dates=None,
    zoom: int | None = None,
):
    """An exponentially weighted average with factor ``beta`` of the Seattle daily highs.

    v_t = β v_{t-1} + (1 - β) x_t from v_0 = 0, shown bias-corrected (v_t / (1 - βᵗ)) or not.
    Left: the whole series (2012-2015) and its average, which covers roughly the last
    1/(1 - β) days; right: the first ``zoom`` days (default 3/(1 - β), at least 30), where
    the uncorrected average starts near 0 °C and the corrected one does not. ``series``
    (and optionally ``dates``) replace the Seattle data. Returns the Figure.
    """
    from ..plots import plot_ewa
    from ..plots._common import styled

    beta = _check_beta(beta)
    bias_correction = _check_bool(bias_correction, "bias_correction")
    if series is None:
        series, default_dates = _seattle_temperatures()
        dates = default_dates if dates is None else dates
        ylabel = "daily high (°C)"
    else:
        ylabel = "value"
    series = np.asarray(series, dtype=float)
    if series.ndim != 1 or len(series) < 2 or not np.all(np.isfinite(series)):
        raise ValueError(f"series must be a 1-D array of at least 2 finite values, got shape {series.shape}.")
    if np.max(np.abs(series)) >= DRAW_LIMIT:
        raise ValueError(f"series has values up to {np.max(np.abs(series)):.3g}, too large to draw (matplotlib "
                         f"overflows); rescale it to below {DRAW_LIMIT:.0e}, e.g. series / series.std().")
    if zoom is None:
        zoom = int(min(len(series), max(30, math.ceil(round(3 / (1 - beta), 9)))))  # round: 3/(1-0.9) = 30.000…04
    zoom = _check_steps(zoom, "zoom")

    def draw():
        fig, (left, right) = _figure()
        window = f"≈ {1 / (1 - beta):.3g} days" if beta > 0 else "no averaging"
        plot_ewa(series, (beta,), x=dates, bias_correction=bias_correction, ax=left, ylabel=ylabel, legend="lower right")
        left.set_title(f"β = {beta:g}: averages over {window}", fontsize=10)
        shown = min(zoom, len(series))
        plot_ewa(series[:shown], (beta,), x=None, bias_correction=bias_correction, ax=right, xlabel="day",
                 ylabel=ylabel, legend="none")
        right.set_title(f"first {shown} days, " + ("bias-corrected" if bias_correction else "no bias correction"),
                        fontsize=10)
        return fig

    return styled(draw)()


# -- 3. momentum on the elongated bowl -------------------------------------------------------
def plot_momentum_explorer(
    beta: float = 0.9,
    lr: float = 0.5,
    *,
    condition_number: float = 20.0,
    steps: int = 60,
    form: str = "pytorch",
):
    """Gradient descent with and without momentum on the bowl ½(x²/κ + y²) (κ = ``condition_number``).

    Both runs use the same ``lr``. ``form="pytorch"``: momentum is
    ``SGD(lr, momentum=beta)`` (b ← βb + g, θ ← θ - lr b: up to 1/(1-β) times larger steps);
    ``form="ewa"``: the course's ``Momentum(lr, beta)`` (v ← βv + (1-β)g, θ ← θ - lr v). On a
    quadratic with largest curvature λ = 1, GD is stable for lr < 2, the PyTorch form for
    lr < 2(1 + β) and the EWA form for lr < 2(1 + β)/(1 - β). Returns the Figure.
    """
    from ..plots._common import styled

    beta = _check_beta(beta)
    lr = _check_lr(lr)
    steps = _check_steps(steps)
    if not (_is_number(condition_number) and math.isfinite(condition_number) and condition_number >= 1):
        raise ValueError(f"condition_number must be a finite number >= 1, got {condition_number!r}.")
    if form not in MOMENTUM_FORMS:
        raise ValueError(f"form must be one of {MOMENTUM_FORMS}, got {form!r}.")
    bowl = Quadratic(condition_number=condition_number)
    if form == "pytorch":
        momentum_label = f"SGD momentum (lr={lr:g}, momentum={beta:g})"
        momentum = make_factory("SGD", lr=lr, momentum=beta)
        limit = 2 * (1 + beta)
    else:
        momentum_label = f"Momentum (lr={lr:g}, β={beta:g})"
        momentum = make_factory("Momentum", lr=lr, beta=beta)
        limit = 2 * (1 + beta) / (1 - beta)
    runs = race({f"GD (lr={lr:g})": make_factory("SGD", lr=lr), momentum_label: momentum}, bowl, steps=steps,
                on_divergence="ignore")
    title = f"stable: GD for lr < 2, momentum for lr < {limit:.3g}"
    return styled(_plot_2d_run)(bowl, runs, title)


# -- 4. a race -------------------------------------------------------------------------------
def _race_lrs(function_name: str, lr, optimizers: Sequence[str]) -> dict[str, float]:
    defaults = DEFAULT_RACE_LRS.get(function_name, {})
    if lr is None or isinstance(lr, Mapping):
        given = dict(lr or {})
        unknown = set(given) - set(optimizers)
        if unknown:
            raise ValueError(f"lr names optimizers {sorted(unknown)} that are not in the race {list(optimizers)}.")
        lrs = {}
        for name in optimizers:
            if name in given:
                lrs[name] = _check_lr(given[name], f"lr[{name!r}]")
            elif name in defaults:
                lrs[name] = defaults[name]
            else:
                raise ValueError(f"no default learning rate for {name!r} on {function_name!r}: give lr={{{name!r}: ...}}.")
        return lrs
    value = _check_lr(lr)
    return {name: value for name in optimizers}


def plot_race_explorer(
    function_name: str = "rosenbrock",
    lr: float | Mapping[str, float] | None = None,
    *,
    optimizers: Sequence[str] = RACE_OPTIMIZERS,
    steps: int | None = None,
    x0=None,
    grad_noise: float = 0.0,
    seed: int = 0,
):
    """Several optimizers racing on one landscape; left the paths, right f - f* per step.

    ``lr`` is one learning rate for every optimizer, a dict ``{optimizer: lr}``, or None for
    :data:`DEFAULT_RACE_LRS` (hand-picked per landscape; a dict may set only some). Names in
    ``optimizers`` are those of :func:`nnopt.landscapes.make_factory` ("Nesterov" is SGD
    with momentum 0.9 and nesterov=True). ``grad_noise`` adds N(0, σ²) noise to every
    gradient (the same draws for every optimizer). Returns the Figure.
    """
    from ..plots._common import styled

    landscape = get_function(function_name)
    if isinstance(optimizers, str) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty list of names such as ['SGD', 'Adam'], got {optimizers!r}.")
    lrs = _race_lrs(landscape.name, lr, optimizers)
    steps = _check_steps(DEFAULT_RACE_STEPS.get(landscape.name, 150) if steps is None else steps)
    factories = {f"{name} (lr={value:g})": make_factory(name, lr=value) for name, value in lrs.items()}
    runs = race(factories, landscape, x0, steps, grad_noise=grad_noise, seed=seed, on_divergence="ignore")
    noise = f", gradient noise σ = {grad_noise:g}" if grad_noise else ""
    return styled(_plot_2d_run)(landscape, runs, f"{steps} steps{noise}")


# -- the widget wrappers ---------------------------------------------------------------------
def _show_live(plot_function, controls: dict, fixed: dict | None = None, on_change=None, rows=None):
    """Wire ``controls`` to ``plot_function`` through an Output widget; return the whole box.

    On every change the figure is drawn, displayed in the Output and closed at once (nothing
    leaks into pyplot). ``on_change(change)`` may adjust other controls first; the redraws
    its changes would trigger are suppressed, so there is one redraw per user action.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    out = widgets.Output()
    busy = {"syncing": False}

    def redraw(change=None):
        if busy["syncing"]:
            return
        if on_change is not None and change is not None:
            busy["syncing"] = True
            try:
                on_change(change)
            finally:
                busy["syncing"] = False
        values = {name: control.value for name, control in controls.items()}
        with out:
            out.clear_output(wait=True)
            fig = plot_function(**(fixed or {}), **values)
            try:
                display(fig)
            finally:
                plt.close(fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    rows = rows or [list(controls.values())]
    return widgets.VBox([*(widgets.HBox(row) for row in rows), out])


def _log_slider(description: str, value: float, bounds: tuple[float, float]):
    import ipywidgets as widgets

    low, high = (math.log10(b) for b in bounds)
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.01, description=description,
                                  readout_format=".3g", continuous_update=False,
                                  style={"description_width": "initial"})


def lr_explorer(function: str = "parabola"):
    """Learning-rate slider (log scale) and a function menu for :func:`plot_lr_explorer`."""
    import ipywidgets as widgets

    controls = {
        "lr": _log_slider("learning rate", 0.3, LR_EXPLORER_LR_BOUNDS),
        "function": widgets.Dropdown(options=LR_EXPLORER_FUNCTIONS, value=function, description="function"),
    }
    return _show_live(plot_lr_explorer, controls)


def ewa_explorer(series=None, dates=None):
    """β slider and a bias-correction switch for :func:`plot_ewa_explorer` (Seattle highs by default)."""
    import ipywidgets as widgets

    controls = {
        "beta": widgets.FloatSlider(value=0.9, min=EWA_BETA_BOUNDS[0], max=EWA_BETA_BOUNDS[1], step=0.005,
                                    description="β", readout_format=".3f", continuous_update=False),
        "bias_correction": widgets.Checkbox(value=True, description="bias correction"),
    }
    fixed = {"series": series, "dates": dates} if series is not None else {}
    return _show_live(plot_ewa_explorer, controls, fixed)


def momentum_explorer():
    """β and learning-rate sliders, κ and the momentum form for :func:`plot_momentum_explorer`."""
    import ipywidgets as widgets

    controls = {
        "beta": widgets.FloatSlider(value=0.9, min=MOMENTUM_BETA_BOUNDS[0], max=MOMENTUM_BETA_BOUNDS[1], step=0.01,
                                    description="β (momentum)", continuous_update=False,
                                    style={"description_width": "initial"}),
        "lr": _log_slider("learning rate", 0.5, MOMENTUM_LR_BOUNDS),
        "condition_number": widgets.FloatLogSlider(value=20.0, base=10, min=0.0, max=2.0, step=0.05,
                                                   description="κ", readout_format=".3g", continuous_update=False),
        "form": widgets.Dropdown(options=MOMENTUM_FORMS, value="pytorch", description="form"),
    }
    names = list(controls)
    rows = [[controls[n] for n in names[:2]], [controls[n] for n in names[2:]]]
    return _show_live(plot_momentum_explorer, controls, rows=rows)


def race_explorer(function_name: str = "rosenbrock", optimizers: Sequence[str] = RACE_OPTIMIZERS):
    """A landscape menu, one learning-rate slider per optimizer, steps and gradient noise.

    Choosing a landscape resets the sliders to its :data:`DEFAULT_RACE_LRS` and steps.
    """
    import ipywidgets as widgets

    function_name = get_function(function_name).name
    lrs = _race_lrs(function_name, None, optimizers)
    function_menu = widgets.Dropdown(options=list(DEFAULT_RACE_LRS), value=function_name, description="landscape")
    sliders = {name: _log_slider(name, lrs[name], RACE_LR_BOUNDS) for name in optimizers}
    steps = widgets.IntSlider(value=DEFAULT_RACE_STEPS[function_name], min=RACE_STEPS_BOUNDS[0],
                              max=RACE_STEPS_BOUNDS[1], step=10, description="steps", continuous_update=False)
    noise = widgets.FloatSlider(value=0.0, min=RACE_NOISE_BOUNDS[0], max=RACE_NOISE_BOUNDS[1], step=0.1,
                                description="gradient noise σ", continuous_update=False,
                                style={"description_width": "initial"})
    controls = {"function_name": function_menu, "steps": steps, "grad_noise": noise,
                **{f"lr_{name}": slider for name, slider in sliders.items()}}

    def plot(function_name, steps, grad_noise, **lr_values):
        chosen = {name: lr_values[f"lr_{name}"] for name in optimizers}
        return plot_race_explorer(function_name, chosen, optimizers=optimizers, steps=steps, grad_noise=grad_noise)

    def reset_to_defaults(change):
        if change["owner"] is function_menu:
            defaults = _race_lrs(change["new"], None, optimizers)
            for name, slider in sliders.items():
                slider.value = defaults[name]
            steps.value = DEFAULT_RACE_STEPS[change["new"]]

    slider_list = list(sliders.values())
    rows = [[function_menu, steps, noise], slider_list[:3], slider_list[3:]]
    return _show_live(plot, controls, on_change=reset_to_defaults, rows=[r for r in rows if r])
