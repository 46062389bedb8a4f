r"""The experiments of notebook 4 (AdaGrad, RMSProp, AdaDelta), kept out of the notebook's cells.

Every quantity is read from the optimizers of :mod:`nnopt.optim` themselves (the torch numbers),
never recomputed from a second copy of the formulas. The **effective learning rate** of a
coordinate is the factor :math:`r_t` with :math:`\Delta\theta_t = -r_t\,g_t`:

- AdaGrad: :math:`r_t = \eta_t / (\sqrt{s_t} + \varepsilon)`, :math:`s_t = s_{t-1} + g_t^2`
  (:math:`\eta_t = \eta / (1 + (t-1)\,\text{lr\_decay})`);
- RMSProp: :math:`r_t = \eta / (\sqrt{s_t} + \varepsilon)`, :math:`s_t = \rho s_{t-1} + (1-\rho) g_t^2`
  (torch's ``alpha`` is ρ); centered: :math:`\sqrt{s_t - \bar g_t^2}` in place of :math:`\sqrt{s_t}`;
- AdaDelta: :math:`r_t = \eta\,\sqrt{u_{t-1}+\varepsilon} / \sqrt{s_t+\varepsilon}` (torch's ``rho``).

Contents: :func:`make_adaptive` (one of the three with the decay called ρ), :func:`effective_rate`,
:func:`stream_rates` (a given stream of gradients), :func:`landscape_run` (a 2-D function: what the
RMSProp explorer draws), :class:`EffectiveLR` (a ``fit()`` callback), :func:`gradient_rms`,
:func:`lr_sweep`, :func:`near_best`, :func:`plot_lr_sweep` and :func:`training_curves`.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .adam import _check_number

__all__ = [
    "ADAPTIVE", "DEFAULTS", "make_adaptive", "effective_rate", "stream_rates", "landscape_run",
    "EffectiveLR", "gradient_rms", "lr_sweep", "near_best", "plot_lr_sweep", "training_curves",
]

#: The three optimizers of notebook 4, by the names the course's plots know.
ADAPTIVE = ("AdaGrad", "RMSprop", "AdaDelta")
#: torch's defaults (lr, decay ρ, ε); AdaGrad has no decay.
DEFAULTS = {"AdaGrad": {"lr": 0.01, "rho": None, "eps": 1e-10},
            "RMSprop": {"lr": 0.01, "rho": 0.99, "eps": 1e-8},
            "AdaDelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6}}
_DECAY_ARGUMENT = {"AdaGrad": None, "RMSprop": "alpha", "AdaDelta": "rho"}  # what torch calls ρ


def _check_name(name) -> str:
    if name not in ADAPTIVE:
        raise ValueError(f"optimizer must be one of {ADAPTIVE}, got {name!r}.")
    return name


def make_adaptive(name: str, params, lr: float | None = None, rho: float | None = None,
                  eps: float | None = None, **options):
    """``Adagrad``, ``RMSprop`` or ``Adadelta`` of :mod:`nnopt.optim` on ``params``, the decay given as ρ.

    ρ is passed as ``alpha`` to RMSprop and as ``rho`` to Adadelta (torch's names); AdaGrad has no
    decay and ignores it. Arguments left at None take torch's defaults (:data:`DEFAULTS`).
    """
    from ..optim import Adadelta, Adagrad, RMSprop

    _check_name(name)
    kwargs = {"lr": DEFAULTS[name]["lr"] if lr is None else lr,
              "eps": DEFAULTS[name]["eps"] if eps is None else eps, **options}
    decay = _DECAY_ARGUMENT[name]
    if decay is not None:
        kwargs[decay] = DEFAULTS[name]["rho"] if rho is None else rho
    return {"AdaGrad": Adagrad, "RMSprop": RMSprop, "AdaDelta": Adadelta}[name](params, **kwargs)


def _family(optimizer) -> str:
    kind = type(optimizer).__name__
    names = {"Adagrad": "AdaGrad", "RMSprop": "RMSprop", "Adadelta": "AdaDelta"}
    if kind not in names:
        raise TypeError(f"an effective learning rate is defined here for Adagrad, RMSprop and Adadelta; got {kind}.")
    return names[kind]


def effective_rate(optimizer, param, acc_delta_before=None) -> np.ndarray:
    """The per-coordinate factor r of the step just taken, Δθ = −r·g, read from the optimizer's state.

    For Adadelta pass ``acc_delta_before``, the state's ``acc_delta`` (u) copied *before* the step.
    RMSprop with momentum has no such factor (its step is a sum over past steps): ValueError.
    """
    family = _family(optimizer)
    group = next(g for g in optimizer.param_groups if any(p is param for p in g["params"]))
    state = optimizer.state[param]
    if family == "AdaGrad":
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        return lr / (np.sqrt(state["sum"]) + group["eps"])
    if family == "RMSprop":
        if group["momentum"] > 0:
            raise ValueError("RMSprop with momentum > 0 has no per-step factor r (its step sums past steps); "
                             "use momentum=0.")
        spread = state["square_avg"]
        if group["centered"]:
            spread = np.maximum(spread - state["grad_avg"] ** 2, 0.0)
        return group["lr"] / (np.sqrt(spread) + group["eps"])
    if acc_delta_before is None:
        raise ValueError("Adadelta's factor needs acc_delta_before: copy optimizer.state[param]['acc_delta'] "
                         "before the step and pass it.")
    eps = group["eps"]
    return group["lr"] * np.sqrt(acc_delta_before + eps) / np.sqrt(state["square_avg"] + eps)


def _step_and_rate(optimizer, param):
    before = None
    if _family(optimizer) == "AdaDelta":  # u before the step (its state is made at the first step: u_0 = 0)
        state = optimizer.state.get(param)
        before = np.zeros_like(param.value) if state is None else state["acc_delta"].copy()
    optimizer.step()
    return effective_rate(optimizer, param, before)


def stream_rates(name: str, gradients, lr: float | None = None, rho: float | None = None,
                 eps: float | None = None, **options) -> np.ndarray:
    """The effective rate after each step when the optimizer is fed ``gradients`` (shape (T,) or (T, n)).

    Returns an array of the same shape. Example: a constant gradient, ``np.ones(1000)``.
    """
    from ..parameter import Parameter

    gradients = np.asarray(gradients, dtype=float)
    if gradients.ndim not in (1, 2) or len(gradients) == 0 or not np.all(np.isfinite(gradients)):
        raise ValueError(f"gradients must be a non-empty finite array of shape (T,) or (T, n), got shape {gradients.shape}.")
    stream = gradients.reshape(len(gradients), -1)
    param = Parameter(np.zeros(stream.shape[1]))
    optimizer = make_adaptive(name, [param], lr, rho, eps, **options)
    rates = np.empty_like(stream)
    for t, g in enumerate(stream):
        param.grad[...] = g
        rates[t] = _step_and_rate(optimizer, param)
    return rates.reshape(gradients.shape)


def landscape_run(name: str, function="quadratic", lr: float | None = None, rho: float | None = None,
                  eps: float | None = None, steps: int = 100, x0=None) -> dict:
    """Run one of the three on a 2-D function from its start (or ``x0``) and record the inside.

    Returns ``path`` (steps + 1, 2), ``loss`` (f − f*, steps + 1), ``grad`` and ``rate`` (steps, 2:
    g_t and the effective rate r_t of each coordinate, Δθ_t = −r_t·g_t) and ``diverged`` (the run
    left |θ| < 1e6 and stopped there; the arrays end at the last finite step).
    """
    from ..landscapes import get_function
    from ..parameter import Parameter

    _check_name(name)
    landscape = get_function(function)
    lr = _check_number(DEFAULTS[name]["lr"] if lr is None else lr, "lr", 0.0, math.inf, low_open=True, high_open=True)
    if rho is not None:
        rho = _check_number(rho, "rho", 0.0, 1.0, high_open=True)
    if eps is not None:
        eps = _check_number(eps, "eps", 0.0, math.inf, low_open=True, high_open=True)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    start = np.array(landscape.start if x0 is None else x0, dtype=float).reshape(-1)
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be two finite numbers (x, y), got {x0!r}.")
    param = Parameter(start.copy())
    optimizer = make_adaptive(name, [param], lr, rho, eps)
    path, grads, rates, diverged = [start.copy()], [], [], False
    for _ in range(int(steps)):
        g = np.asarray(landscape.grad(param.value), dtype=float)
        param.grad[...] = g
        rate = _step_and_rate(optimizer, param)
        if not (np.all(np.isfinite(param.value)) and np.max(np.abs(param.value)) < 1e6):
            diverged = True
            break
        path.append(param.value.copy())
        grads.append(g)
        rates.append(rate)
    path = np.array(path)
    loss = np.asarray(landscape(path[:, 0], path[:, 1]), dtype=float) - (landscape.minimum_value or 0.0)
    empty = np.zeros((0, 2))
    return {"path": path, "loss": loss, "grad": np.array(grads) if grads else empty,
            "rate": np.array(rates) if rates else empty, "diverged": diverged}


class EffectiveLR:
    """A ``fit()`` callback: after every step, the median effective rate r over each weight matrix.

    For Adagrad and RMSprop (momentum 0); ``values`` maps a layer name ("dense1", ...) to a list.
    """

    def __init__(self, model, optimizer):
        if _family(optimizer) == "AdaDelta":
            raise TypeError("EffectiveLR follows Adagrad and RMSprop; Adadelta's factor needs u before each step.")
        self.optimizer = optimizer
        self.weights = [(name.removesuffix(".W"), p) for name, p in model.named_parameters() if name.endswith(".W")]
        self.values = {name: [] for name, _ in self.weights}

    def on_iteration_end(self, history):
        for name, p in self.weights:
            self.values[name].append(float(np.median(effective_rate(self.optimizer, p))))


def gradient_rms(model, X, y, batch_size: int = 64, seed: int = 0) -> dict[str, np.ndarray]:
    """{layer name: RMS of each weight's gradient over one epoch of mini-batches}, at the current weights.

    RMS(g_i) = √(mean over the batches of g_i²): the "typical size" RMSProp tracks. No training.
    """
    from ..data import minibatches

    weights = [(name, p) for name, p in model.named_parameters() if name.endswith(".W")]
    sums = {name: np.zeros_like(p.value) for name, p in weights}
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(seed)))
    for X_batch, y_batch in batches:
        model.zero_grad()
        model.loss(X_batch, y_batch)
        model.backward()
        for name, p in weights:
            sums[name] += p.grad**2
    return {name.removesuffix(".W"): np.sqrt(total / len(batches)) for name, total in sums.items()}


def lr_sweep(optimizers: Mapping, lrs, data, *, sizes=(64, 64, 10), activation="relu", seeds=(0, 1),
             epochs: int = 5, batch_size: int = 64) -> dict[str, dict[str, np.ndarray]]:
    """Train ``mlp(sizes)`` with each optimizer class at each learning rate and seed.

    ``data`` is ``(X_train, y_train, X_val, y_val)``. Returns ``{name: {"train": (lrs, seeds),
    "val": (lrs, seeds)}}``: the loss on the whole training set and the held-out loss at the
    end; a run that diverged (``TrainingDiverged``) counts as inf.
    """
    from ..nn import mlp
    from ..train import TrainingDiverged, fit

    X_train, y_train, X_val, y_val = data
    lrs = np.asarray(lrs, dtype=float)
    result = {}
    for name, optimizer_class in optimizers.items():
        train, val = np.full((len(lrs), len(seeds)), np.inf), np.full((len(lrs), len(seeds)), np.inf)
        for i, lr in enumerate(lrs):
            for j, seed in enumerate(seeds):
                model = mlp(list(sizes), activation=activation, seed=seed)
                try:
                    history = fit(model, optimizer_class(model.parameters(), lr=float(lr)), X_train, y_train,
                                  epochs=epochs, batch_size=batch_size, seed=seed)
                except TrainingDiverged:
                    continue
                train[i, j] = history.train_loss[-1]
                val[i, j] = model.loss(X_val, y_val, training=False)
        result[name] = {"train": train, "val": val}
    return result


def near_best(lrs, losses, within: float = 0.1) -> dict:
    """The learning rates whose loss is within ``within`` (relative) of the lowest: a threshold rule.

    ``losses`` has one row per learning rate (columns, e.g. seeds, are averaged). Returns ``best``
    (the lowest loss), ``lrs`` (every rate within the margin, in order) and ``low``/``high``.
    Unlike an argmax, the set only changes when a loss sits within rounding of the margin.
    """
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(losses, dtype=float)
    mean = losses.reshape(len(lrs), -1).mean(axis=1)
    if not np.any(np.isfinite(mean)):
        raise ValueError("every run diverged: no learning rate is near the best.")
    best = float(np.min(mean))
    close = lrs[mean <= best * (1 + within)]
    return {"best": best, "lrs": close, "low": float(close.min()), "high": float(close.max())}


def plot_lr_sweep(lrs, sweep: Mapping, *, cap: float = 10.0, threshold: float = 0.1):
    """Training (left) and held-out (right) loss at the end against the learning rate, for a
    :func:`lr_sweep` result: the mean of the seeds, band min–max, diverged runs drawn at ``cap``."""
    import matplotlib.pyplot as plt

    from ..plots._common import course_rc
    from ..plots.style import GREY, optimizer_style

    with course_rc():
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), layout="constrained", sharey=True)
        for ax, part in zip(axes, ("train", "val")):
            for name, losses in sweep.items():
                shown = np.minimum(losses[part], cap)
                style = optimizer_style(name)
                ax.plot(lrs, shown.mean(axis=1), marker="o", **style, label=name)
                ax.fill_between(lrs, shown.min(axis=1), shown.max(axis=1), color=style["color"], alpha=0.2, linewidth=0)
            ax.set(xscale="log", yscale="log", ylim=(1e-4, cap * 1.2), xlabel="learning rate")
            ax.grid(True)
        axes[0].axhline(threshold, color=GREY, linestyle=":", linewidth=1)
        axes[0].set_ylabel(f"loss at the end (capped at {cap:g})")
        seeds = next(iter(sweep.values()))["train"].shape[1]
        axes[0].set_title(f"training loss (mean of {seeds} seeds, band min–max)")
        axes[1].set_title("held-out (validation) loss")
        axes[0].legend()
    return fig


def training_curves(factories: Mapping, data, *, sizes, activation="relu", seeds: Sequence[int] = (0, 1, 2),
                    epochs: int = 10, batch_size: int = 64) -> dict[str, list]:
    """``{label: [History per seed]}``: ``mlp(sizes)`` trained by ``factories[label](params)`` with
    training and held-out loss per epoch. ``data`` is ``(X_train, y_train, X_val, y_val)``."""
    from ..nn import mlp
    from ..train import fit

    X_train, y_train, X_val, y_val = data
    curves = {}
    for label, factory in factories.items():
        curves[label] = []
        for seed in seeds:
            model = mlp(list(sizes), activation=activation, seed=seed)
            curves[label].append(fit(model, factory(model.parameters()), X_train, y_train, epochs=epochs,
                                     batch_size=batch_size, seed=seed, validation=(X_val, y_val)))
    return curves
