"""Experiments of notebook 06 (learning-rate schedules): fine-tuning with parameter groups,
seeded comparisons of schedules, a tie-tolerant choice of the best rate, and small helpers.

Transfer learning in miniature: a network is *pre-trained* on the digits 0-4, then its first
layer (the features) is kept and a new output layer is trained on the digits 5-9 (*fine-tuning*).
:func:`fine_tune_groups` builds the optimizer's parameter groups for the usual three choices:

- ``"one rate"``: every layer at the rate ``lr``;
- ``"frozen"``: the first layer is not trained. ``freeze="lr0"`` gives it a group with
  ``lr = 0`` (its update ``lr * d`` is exactly zero, but the optimizer still keeps its state);
  ``freeze="omit"`` leaves it out of the optimizer (what ``requires_grad=False`` or not passing
  it to ``torch.optim`` does in PyTorch, and ``layer.trainable = False`` in Keras);
- ``"0.1x first layer"``: the first layer at ``first_layer_factor * lr`` (discriminative
  fine-tuning, Howard & Ruder 2018), the rest at ``lr``;

and ``"from scratch"`` (no pre-training, one rate) as the reference.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..nn import mlp
from ..optim import SGD
from ..train import TrainingDiverged, fit

FINE_TUNE_METHODS = ("one rate", "frozen", "0.1x first layer", "from scratch")
FREEZE_WAYS = ("lr0", "omit")


def _check_int(value, argument: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{argument} must be a whole number >= {minimum}, got {value!r}.")
    return int(value)


def _check_rate(value, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not (
        math.isfinite(value) and value > 0
    ):
        raise ValueError(f"{argument} must be a finite number > 0, got {value!r}.")
    return float(value)


def digit_subset(X, y, digits: Sequence[int]):
    """The examples of the given ``digits``, relabelled 0, 1, ... in the order given.

    >>> digit_subset(np.zeros((4, 1)), np.array([5, 1, 7, 5]), [5, 6, 7])[1]
    array([0, 2, 0])
    """
    X, y = np.asarray(X), np.asarray(y)
    digits = [int(d) for d in digits]
    if not digits or len(set(digits)) != len(digits):
        raise ValueError(f"digits must be a non-empty list of distinct labels, got {digits!r}.")
    mask = np.isin(y, digits)
    if not mask.any():
        raise ValueError(f"no example has a label in {digits!r} (labels present: {sorted(set(y.tolist()))}).")
    lookup = {digit: index for index, digit in enumerate(digits)}
    return X[mask], np.array([lookup[int(label)] for label in y[mask]])


def per_class_subset(X, y, per_class: int, seed=0):
    """``per_class`` random examples of every class of ``y`` (all of a class if it has fewer)."""
    per_class = _check_int(per_class, "per_class")
    X, y = np.asarray(X), np.asarray(y)
    rng = np.random.default_rng(seed)
    keep = np.concatenate([rng.permutation(np.flatnonzero(y == label))[:per_class] for label in np.unique(y)])
    keep = rng.permutation(keep)
    return X[keep], y[keep]


def pretrain(X, y, hidden: int = 64, epochs: int = 10, lr: float = 0.1, seed=0, batch_size: int = 64):
    """A ``[n_features, hidden, n_classes]`` ReLU network trained on ``(X, y)`` with SGD, momentum 0.9."""
    n_classes = int(np.max(y)) + 1
    model = mlp([np.shape(X)[1], _check_int(hidden, "hidden"), n_classes], seed=seed)
    optimizer = SGD(model.parameters(), lr=_check_rate(lr, "lr"), momentum=0.9)
    fit(model, optimizer, X, y, epochs=_check_int(epochs, "epochs"), batch_size=batch_size, seed=seed)
    return model


def transfer_model(pretrained, n_classes: int, seed=0):
    """A copy of ``pretrained``'s first layer under a new, freshly initialised output layer.

    Only ``[n_in, hidden, n_out]`` networks (two Dense layers) are supported.
    """
    groups = pretrained.layer_groups()
    if len(groups) != 2:
        raise ValueError(f"transfer_model expects a network with two Dense layers, got {len(groups)}.")
    first = pretrained[groups[0][0]]
    model = mlp([first.n_in, first.n_out, _check_int(n_classes, "n_classes", 2)], seed=seed)
    new_first = model[model.layer_groups()[0][0]]
    new_first.W.value[...] = first.W.value  # in place: the model's parameters are views of one buffer
    new_first.b.value[...] = first.b.value
    return model


def fine_tune_groups(model, method: str, lr: float, first_layer_factor: float = 0.1, freeze: str = "lr0"):
    """The parameter groups of one fine-tuning method (see the module docstring)."""
    if method not in FINE_TUNE_METHODS:
        raise ValueError(f"method must be one of {FINE_TUNE_METHODS}, got {method!r}.")
    if freeze not in FREEZE_WAYS:
        raise ValueError(f"freeze must be 'lr0' (a group with lr 0) or 'omit' (leave it out), got {freeze!r}.")
    lr = _check_rate(lr, "lr")
    (_, first), *rest = model.layer_groups()
    others = [param for _, params in rest for param in params]
    if method in ("one rate", "from scratch"):
        return [{"params": first + others, "lr": lr}]
    if method == "frozen":
        return [{"params": others, "lr": lr}] if freeze == "omit" else [{"params": first, "lr": 0.0},
                                                                         {"params": others, "lr": lr}]
    return [{"params": first, "lr": _check_rate(first_layer_factor, "first_layer_factor") * lr},
            {"params": others, "lr": lr}]


def fine_tune(pretrained, X, y, validation, method: str, lr: float = 0.05, epochs: int = 20, seeds: Iterable = range(5),
              batch_size: int = 32, first_layer_factor: float = 0.1, freeze: str = "lr0"):
    """Fine-tune ``pretrained`` on ``(X, y)`` with one method, once per seed; return the Histories.

    The seed sets the new output layer's initial weights and the shuffling; ``"from scratch"``
    ignores ``pretrained`` and starts from a network initialised with that seed. SGD with
    momentum 0.9, validation after every epoch.
    """
    n_classes = int(np.max(y)) + 1
    histories = []
    for seed in seeds:
        if method == "from scratch":
            first = pretrained[pretrained.layer_groups()[0][0]]
            model = mlp([first.n_in, first.n_out, n_classes], seed=seed)
        else:
            model = transfer_model(pretrained, n_classes, seed=seed)
        groups = fine_tune_groups(model, method, lr, first_layer_factor, freeze)
        optimizer = SGD(groups, lr=lr, momentum=0.9)
        history = _fit_or_diverge(model, optimizer, X, y, epochs=_check_int(epochs, "epochs"), batch_size=batch_size,
                                  seed=seed, validation=validation)
        history.model = model
        histories.append(history)
    return histories


def _fit_or_diverge(*args, **kwargs):
    """``fit``, but a run whose loss became NaN/inf returns its history with ``diverged = True``."""
    try:
        history = fit(*args, **kwargs)
        history.diverged = False
    except TrainingDiverged as error:
        history = error.history
        history.diverged = True
    return history


def summary(histories) -> dict[str, np.ndarray]:
    """Final training loss, validation loss and validation accuracy of each seed's History
    (inf, inf and 0 for a run that diverged, see ``fine_tune`` and ``train_seeds``)."""

    def final(h, name, bad):
        return bad if getattr(h, "diverged", False) or not getattr(h, name) else getattr(h, name)[-1]

    return {"train": np.array([final(h, "train_loss", np.inf) for h in histories]),
            "val": np.array([final(h, "val_loss", np.inf) for h in histories]),
            "acc": np.array([final(h, "val_acc", 0.0) for h in histories])}


def describe(histories, digits: int = 2) -> str:
    """``"training loss m (lo-hi), validation loss m (lo-hi), accuracy m (lo-hi)"`` over the seeds.

    ``digits`` significant digits for the losses; accuracy in whole percent.
    """
    values = summary(histories)

    def loss(name):
        v = values[name]
        return f"{np.mean(v):.{digits}g} ({v.min():.{digits}g}-{v.max():.{digits}g})"

    acc = values["acc"]
    return (f"training loss {loss('train')}, validation loss {loss('val')}, "
            f"accuracy {np.mean(acc):.0%} ({acc.min():.0%}-{acc.max():.0%})")


def best_rate(rates: Sequence[float], losses: Sequence[float], tolerance: float = 0.05) -> float:
    """The smallest rate whose loss is within ``tolerance`` (relative) of the lowest loss.

    A tie-tolerant argmin: two rates whose losses differ by less than ``tolerance`` count as
    equally good, and the smaller (safer) one is chosen, so rounding cannot flip the choice.
    Non-finite losses (diverged runs) never win.
    """
    rates, losses = np.asarray(rates, dtype=float), np.asarray(losses, dtype=float)
    if rates.shape != losses.shape or rates.ndim != 1 or len(rates) == 0:
        raise ValueError(f"rates and losses must be 1-D of one length, got shapes {rates.shape} and {losses.shape}.")
    if not np.any(np.isfinite(losses)):
        raise ValueError("every loss is NaN or infinite: no rate trained; try smaller rates.")
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}.")
    lowest = np.nanmin(np.where(np.isfinite(losses), losses, np.nan))
    good = np.isfinite(losses) & (losses <= lowest * (1 + tolerance))
    return float(np.min(rates[good]))


def train_seeds(X, y, validation, lr: float, make_scheduler: Callable | None = None, scheduler_unit: str = "epoch",
                seeds: Iterable = range(3), epochs: int = 4, layer_sizes=(64, 64, 10), batch_size: int = 64):
    """SGD with momentum 0.9 from several seeds (weights and shuffling), with an optional scheduler.

    A seed whose loss became NaN/inf keeps its history so far, with ``history.diverged = True``."""
    histories = []
    for seed in seeds:
        model = mlp(list(layer_sizes), seed=seed)
        optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
        scheduler = make_scheduler(optimizer) if make_scheduler is not None else None
        histories.append(_fit_or_diverge(model, optimizer, X, y, epochs=epochs, batch_size=batch_size, seed=seed,
                                         validation=validation, scheduler=scheduler, scheduler_unit=scheduler_unit))
    return histories


class AdamStepSize:
    """A ``fit`` callback: after every step, the median over all weights of ``|m̂ / (√v̂ + ε)|``,
    Adam's step per weight in units of the learning rate (group 0 only)."""

    def __init__(self, optimizer):
        self.optimizer, self.median = optimizer, []

    def on_iteration_end(self, history):
        group = self.optimizer.param_groups[0]
        (beta1, beta2), eps = group["betas"], group["eps"]
        ratios = []
        for param in group["params"]:
            state = self.optimizer.state[param]
            t = state["step"]
            m_hat = state["exp_avg"] / (1 - beta1**t)
            v_hat = state["exp_avg_sq"] / (1 - beta2**t)
            ratios.append(np.abs(m_hat / (np.sqrt(v_hat) + eps)).ravel())
        self.median.append(float(np.median(np.concatenate(ratios))))


def radam_rectifier(t, beta2: float = 0.999):
    """RAdam's rectifier r_t (as in ``nnopt.optim.RAdam``), NaN while ρ_t <= 5 (momentum-SGD steps)::

        ρ_∞ = 2/(1-β₂) - 1,  ρ_t = ρ_∞ - 2 t β₂ᵗ/(1-β₂ᵗ),
        r_t = sqrt((ρ_t-4)(ρ_t-2)ρ_∞ / ((ρ_∞-4)(ρ_∞-2)ρ_t))
    """
    t = np.asarray(t, dtype=float)
    rho_inf = 2 / (1 - beta2) - 1
    rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    with np.errstate(invalid="ignore"):
        r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return np.where(rho > 5, r, np.nan)


def epoch_rates(history) -> np.ndarray:
    """The learning rate (group 0) used in each epoch."""
    return np.array(history.lr)[:: history.iterations_per_epoch]


def cut_epochs(history) -> np.ndarray:
    """The first epoch (counted from 1) run at each new rate."""
    return np.flatnonzero(np.diff(epoch_rates(history))) + 2


def seed_table(runs: Mapping[str, list]) -> dict[str, dict[str, np.ndarray]]:
    """``{name: summary(histories)}`` for a dict of runs."""
    return {name: summary(histories) for name, histories in runs.items()}
