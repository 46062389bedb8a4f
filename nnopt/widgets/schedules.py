"""The schedule explorer of notebook 06: a scheduler, its arguments and its stepping unit, and
what they do to the learning rate and to the training and validation loss on the digits.

:func:`plot_schedule_explorer` is the plain function (returns a Figure, checks its arguments);
:func:`schedule_explorer` puts controls in front of it. Each setting trains one small network
(64 → 32 → 10, SGD with momentum 0.9, batches of 64, 6 epochs of 20 iterations) once; results
are cached, so moving a control back is instant.

The two generic arguments mean, per scheduler (``t`` counts ``scheduler.step()`` calls, so
*every length is in the unit you step in*):

=============================  ==================================  =========================
scheduler                      ``length``                          ``factor``
=============================  ==================================  =========================
``constant``                   --                                  --
``StepLR``                     ``step_size``                       ``gamma``: lr₀ γ^⌊t/s⌋
``ExponentialLR``              --                                  ``gamma``: lr₀ γᵗ
``CosineAnnealingLR``          ``T_max``                           --
``OneCycleLR``                 ``total_steps`` (>= steps taken)    --
``inverse-time``               --                                  ``k``: lr₀ / (1 + k t)
=============================  ==================================  =========================

ipywidgets, IPython and matplotlib are imported only inside the functions.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .explorers import _check_lr, _is_number, _log_slider, _show_live

SCHEDULE_EXPLORER_SCHEDULERS = ("constant", "StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR",
                                "inverse-time")
SCHEDULE_EXPLORER_UNITS = ("epoch", "iteration")
SCHEDULE_EXPLORER_LR_BOUNDS = (0.01, 1.0)
SCHEDULE_EXPLORER_LENGTH_BOUNDS = (1, 200)
SCHEDULE_EXPLORER_FACTOR_BOUNDS = (0.05, 1.0)
SCHEDULE_EXPLORER_EPOCHS = 6
SCHEDULE_EXPLORER_LAYERS = (64, 32, 10)
SCHEDULE_EXPLORER_BATCH = 64
_USES = {"constant": (), "StepLR": ("length", "factor"), "ExponentialLR": ("factor",),
         "CosineAnnealingLR": ("length",), "OneCycleLR": ("length",), "inverse-time": ("factor",)}


@functools.lru_cache(maxsize=1)
def _digits():
    """The notebook's digits split (seed 0), standardised on the training part."""
    from ..data import Standardizer, load_digits, train_val_test_split

    X, y = load_digits()
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_val), y_val


def iterations_per_epoch() -> int:
    """Mini-batches per epoch of the explorer's training set."""
    return math.ceil(len(_digits()[0]) / SCHEDULE_EXPLORER_BATCH)


def _make_scheduler(scheduler, optimizer, length, factor):
    from ..schedules import CosineAnnealingLR, ExponentialLR, LambdaLR, OneCycleLR, StepLR

    if scheduler == "constant":
        return None
    if scheduler == "StepLR":
        return StepLR(optimizer, step_size=length, gamma=factor)
    if scheduler == "ExponentialLR":
        return ExponentialLR(optimizer, gamma=factor)
    if scheduler == "CosineAnnealingLR":
        return CosineAnnealingLR(optimizer, T_max=length)
    if scheduler == "OneCycleLR":
        return OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]["lr"], total_steps=length)
    return LambdaLR(optimizer, lambda t: 1.0 / (1.0 + factor * t))


@functools.lru_cache(maxsize=256)
def _train(scheduler, lr, unit, length, factor, epochs, seed):
    """(rates per iteration, training loss per epoch, validation loss per epoch, diverged?)."""
    import warnings

    from ..nn import mlp
    from ..optim import SGD
    from ..train import TrainingDiverged, fit

    X_train, y_train, X_val, y_val = _digits()
    model = mlp(list(SCHEDULE_EXPLORER_LAYERS), seed=seed)
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OneCycleLR per epoch warns; the figure shows why
        made = _make_scheduler(scheduler, optimizer, length, factor)
        try:
            history = fit(model, optimizer, X_train, y_train, epochs=epochs, batch_size=SCHEDULE_EXPLORER_BATCH,
                          seed=seed, validation=(X_val, y_val), scheduler=made, scheduler_unit=unit)
            diverged = False
        except TrainingDiverged as error:
            history, diverged = error.history, True
    return (np.array(history.lr), np.array(history.train_loss), np.array(history.val_loss), diverged)


def schedule_explorer_run(scheduler: str = "StepLR", lr: float = 0.1, unit: str = "epoch", length: int = 2,
                          factor: float = 0.5, *, epochs: int = SCHEDULE_EXPLORER_EPOCHS, seed: int = 0) -> dict:
    """The run behind :func:`plot_schedule_explorer` (cached): ``{"lr": rate of every iteration,
    "train_loss", "val_loss": per epoch, "diverged": bool}``."""
    lr, length, factor, epochs = _check_arguments(scheduler, lr, unit, length, factor, epochs)
    rates, train, val, diverged = _train(scheduler, lr, unit, length, factor, epochs, int(seed))
    return {"lr": rates.copy(), "train_loss": train.copy(), "val_loss": val.copy(), "diverged": diverged}


def _check_arguments(scheduler, lr, unit, length, factor, epochs):
    if scheduler not in SCHEDULE_EXPLORER_SCHEDULERS:
        raise ValueError(f"scheduler must be one of {SCHEDULE_EXPLORER_SCHEDULERS}, got {scheduler!r}.")
    lr = _check_lr(lr)
    if unit not in SCHEDULE_EXPLORER_UNITS:
        raise ValueError(f"unit must be 'epoch' or 'iteration' (when scheduler.step() is called), got {unit!r}.")
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a whole number >= 1 (counted in scheduler steps), got {length!r}.")
    if not (_is_number(factor) and 0 < factor <= 1):
        raise ValueError(
            f"factor must be a number in (0, 1] (StepLR/ExponentialLR γ, inverse-time k), got {factor!r}.")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or not 1 <= epochs <= 50:
        raise ValueError(f"epochs must be a whole number from 1 to 50, got {epochs!r}.")
    steps = epochs if unit == "epoch" else epochs * iterations_per_epoch()
    if scheduler == "OneCycleLR" and length < steps:
        raise ValueError(
            f"OneCycleLR(total_steps={length}) stepped per {unit} runs off its end: this run calls "
            f"scheduler.step() {steps} times ({epochs} epochs" + ("" if unit == "epoch" else
                                                                    f" × {iterations_per_epoch()} iterations")
            + f"). Set length >= {steps}, or step per epoch.")
    return lr, int(length), float(factor), int(epochs)


def _describe(scheduler, lr, unit, length, factor):
    arguments = {"constant": "", "StepLR": f"step_size={length}, gamma={factor:g}",
                 "ExponentialLR": f"gamma={factor:g}", "CosineAnnealingLR": f"T_max={length}",
                 "OneCycleLR": f"max_lr={lr:g}, total_steps={length}", "inverse-time": f"lr₀/(1 + {factor:g} t)"}
    return f"{scheduler}({arguments[scheduler]}), lr₀ = {lr:g}, stepped per {unit}"


def plot_schedule_explorer(scheduler: str = "StepLR", lr: float = 0.1, unit: str = "epoch", length: int = 2,
                           factor: float = 0.5, *, epochs: int = SCHEDULE_EXPLORER_EPOCHS, seed: int = 0):
    """One scheduler on the digits: the rate used at every iteration (left) and the training
    (solid) and validation (dashed) loss per epoch (right), beside a constant rate ``lr`` (grey).

    ``length`` and ``factor`` are the scheduler's arguments (module docstring: step_size, T_max
    or total_steps; γ or k), counted in ``unit`` ("epoch" or "iteration": when
    ``scheduler.step()`` is called). One seed. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    from ..plots._common import styled
    from ..plots.style import GREY, PALETTE

    lr, length, factor, epochs = _check_arguments(scheduler, lr, unit, length, factor, epochs)
    seed = int(seed)
    runs = {"constant": _train("constant", lr, "epoch", 1, 1.0, epochs, seed),
            "chosen": _train(scheduler, lr, unit, length, factor, epochs, seed)}

    def draw():
        fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(10.0, 3.6), layout="constrained")
        per_epoch = iterations_per_epoch()
        for name, colour, width in (("constant", GREY, 1.2), ("chosen", PALETTE[0], 2.0)):
            rates, train, val, diverged = runs[name]
            label = f"constant lr = {lr:g}" if name == "constant" else scheduler + (" (diverged)" if diverged else "")
            ax_lr.plot(np.arange(1, len(rates) + 1), rates, color=colour, linewidth=width, label=label)
            epochs_done = np.arange(1, len(train) + 1)
            for values, style, part in ((train, "o-", "training"), (val, "s--", "validation")):
                ax_loss.plot(epochs_done, values, style, color=colour, linewidth=width, markersize=4,
                             label=f"{label}: {part}")
        for boundary in range(per_epoch, epochs * per_epoch, per_epoch):
            ax_lr.axvline(boundary + 0.5, color=GREY, linewidth=0.5, linestyle=":")
        ax_lr.set_yscale("log")
        ax_lr.set_xlabel(f"iteration ({per_epoch} per epoch; dotted: epoch ends)")
        ax_lr.set_ylabel("learning rate used")
        ax_lr.set_title(_describe(scheduler, lr, unit, length, factor), fontsize=9)
        ax_lr.legend(fontsize=8, loc="lower left")
        ax_loss.set_yscale("log")
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("loss (whole set)")
        ax_loss.set_xticks(range(1, epochs + 1))
        _, train, val, diverged = runs["chosen"]
        ax_loss.set_title("diverged" if diverged or not len(train) else
                          f"after {epochs} epochs: training {train[-1]:.2g}, validation {val[-1]:.2g} (one seed)",
                          fontsize=9)
        ax_loss.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
        return fig

    return styled(draw)()


def _message_figure(message: str):
    """A small figure that shows an error message where the plot would be."""
    import textwrap

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10.0, 1.6))
    ax.axis("off")
    ax.text(0.0, 0.5, "\n".join(textwrap.wrap(message, 110)), va="center", fontsize=10, color="#D55E00")
    return fig


def schedule_explorer():
    """Scheduler menu, lr₀ (log slider), stepping unit, length and factor for :func:`plot_schedule_explorer`.

    A setting the scheduler refuses (OneCycleLR shorter than the run) shows the error message.
    """
    import ipywidgets as widgets

    controls = {
        "scheduler": widgets.Dropdown(options=SCHEDULE_EXPLORER_SCHEDULERS, value="StepLR", description="scheduler"),
        "lr": _log_slider("lr₀ (base / peak)", 0.1, SCHEDULE_EXPLORER_LR_BOUNDS),
        "unit": widgets.ToggleButtons(options=SCHEDULE_EXPLORER_UNITS, value="epoch", description="step per"),
        "length": widgets.IntSlider(value=2, min=SCHEDULE_EXPLORER_LENGTH_BOUNDS[0],
                                    max=SCHEDULE_EXPLORER_LENGTH_BOUNDS[1], description="length (steps)",
                                    continuous_update=False, style={"description_width": "initial"}),
        "factor": widgets.FloatSlider(value=0.5, min=SCHEDULE_EXPLORER_FACTOR_BOUNDS[0],
                                      max=SCHEDULE_EXPLORER_FACTOR_BOUNDS[1], step=0.05, description="factor (γ or k)",
                                      continuous_update=False, style={"description_width": "initial"}),
    }

    def plot(**values):
        try:
            return plot_schedule_explorer(**values)
        except ValueError as error:
            return _message_figure(str(error))

    names = list(controls)
    rows = [[controls[n] for n in names[:3]], [controls[n] for n in names[3:]]]
    return _show_live(plot, controls, rows=rows)
