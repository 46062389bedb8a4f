"""Experiment helpers of notebook 8: the course's update rules in one line each, and the fair comparison.

- ``RULES``: each update rule of the notebook's table written in plain NumPy with the table's
  defaults, next to the nnopt optimizer built with *its* defaults; :func:`table_agreement`
  runs both on the same random gradients and returns how far apart they end.
- ``OPTIMIZERS``, :func:`half_decade`, :func:`search_lr`, :class:`StopIfExploding` and
  :func:`make_digits_trainer`: the protocol of the comparison (a decade grid of learning rates,
  then its half-decade refinement; runs that explode are stopped and count as diverged).
"""
from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from ..nn import mlp
from ..optim import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Lion, Momentum, NAdam, RAdam, RMSprop
from ..parameter import Parameter
from ..train import TrainingDiverged, fit

def sgd(θ, g, t, s, lr=1e-3):
    return θ - lr * g

def momentum_course(θ, g, t, s, lr=0.01, beta=0.9):
    s["v"] = beta * s.get("v", 0) + (1 - beta) * g
    return θ - lr * s["v"]

def momentum_torch(θ, g, t, s, lr, mu):
    s["b"] = g if t == 1 else mu * s["b"] + g
    return θ - lr * s["b"]

def nesterov(θ, g, t, s, lr, mu):
    s["b"] = g if t == 1 else mu * s["b"] + g
    return θ - lr * (g + mu * s["b"])

def adagrad(θ, g, t, s, lr=0.01, eps=1e-10):
    s["s"] = s.get("s", 0) + g**2
    return θ - lr * g / (np.sqrt(s["s"]) + eps)

def rmsprop(θ, g, t, s, lr=0.01, rho=0.99, eps=1e-8):
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g**2
    return θ - lr * g / (np.sqrt(s["v"]) + eps)

def adadelta(θ, g, t, s, lr=1.0, rho=0.9, eps=1e-6):
    s["v"] = rho * s.get("v", 0) + (1 - rho) * g**2
    delta = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0) + (1 - rho) * delta**2
    return θ - lr * delta

def adam(θ, g, t, s, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, decoupled_decay=0.0, amsgrad=False):
    θ = θ * (1 - lr * decoupled_decay)  # AdamW; λ = 0 is Adam
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    v = s["v_max"] = np.maximum(s.get("v_max", 0), s["v"]) if amsgrad else s["v"]
    return θ - lr * (s["m"] / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)

def adamax(θ, g, t, s, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8):
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g) + eps)
    return θ - lr / (1 - b1**t) * s["m"] / s["u"]

def nadam(θ, g, t, s, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, psi=4e-3):
    mu, mu_next = b1 * (1 - 0.5 * 0.96 ** (t * psi)), b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    s["prod"] = s.get("prod", 1.0) * mu
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    d = np.sqrt(s["v"] / (1 - b2**t)) + eps
    return θ - lr * (1 - mu) / (1 - s["prod"]) * g / d - lr * mu_next / (1 - s["prod"] * mu_next) * s["m"] / d

def radam(θ, g, t, s, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0) + (1 - b2) * g**2
    m_hat, rho_inf = s["m"] / (1 - b1**t), 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho <= 5:
        return θ - lr * m_hat
    r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
    return θ - lr * r * m_hat * np.sqrt(1 - b2**t) / (np.sqrt(s["v"]) + eps)

def lion(θ, g, t, s, lr=1e-4, b1=0.9, b2=0.99, decay=0.0):
    c = b1 * s.get("m", 0) + (1 - b1) * g
    s["m"] = b2 * s.get("m", 0) + (1 - b2) * g
    return θ * (1 - lr * decay) - lr * np.sign(c)


RULES = {  # row: (the rule above, the nnopt optimizer); both with their defaults where they have one
    "SGD": (sgd, lambda p: SGD(p)),
    "Momentum, course": (momentum_course, lambda p: Momentum(p)),
    "Momentum, torch": (partial(momentum_torch, lr=0.01, mu=0.9), lambda p: SGD(p, lr=0.01, momentum=0.9)),
    "Nesterov": (partial(nesterov, lr=0.01, mu=0.9), lambda p: SGD(p, lr=0.01, momentum=0.9, nesterov=True)),
    "AdaGrad": (adagrad, lambda p: Adagrad(p)),
    "RMSProp": (rmsprop, lambda p: RMSprop(p)),
    "AdaDelta": (adadelta, lambda p: Adadelta(p)),
    "Adam": (adam, lambda p: Adam(p)),
    "AdamW": (partial(adam, decoupled_decay=0.01), lambda p: AdamW(p)),
    "AdaMax": (adamax, lambda p: Adamax(p)),
    "NAdam": (nadam, lambda p: NAdam(p)),
    "AMSGrad": (partial(adam, amsgrad=True), lambda p: Adam(p, amsgrad=True)),
    "RAdam": (radam, lambda p: RAdam(p)),
    "Lion": (lion, lambda p: Lion(p)),
}


def table_agreement(steps: int = 50, seed: int = 0) -> dict[str, float]:
    """For each row of ``RULES``: max |θ_rule - θ_nnopt| / max |θ_rule - θ₀| after ``steps`` random gradients.

    The gradients' scales run from 1e-3 to 10 across five coordinates.
    """
    rng = np.random.default_rng(seed)
    theta_0 = rng.standard_normal(5)
    gradients = rng.standard_normal((steps, 5)) * np.array([1e-3, 1e-2, 0.1, 1.0, 10.0])
    gaps = {}
    for name, (rule, make_optimizer) in RULES.items():
        θ, state = theta_0.copy(), {}
        point = Parameter(theta_0.copy())
        optimizer = make_optimizer([point])
        for t, g in enumerate(gradients, start=1):
            θ = rule(θ, g, t, state)
            point.grad[...] = g
            optimizer.step()
        gaps[name] = float(np.max(np.abs(θ - point.value)) / np.max(np.abs(θ - theta_0)))
    return gaps


OPTIMIZERS = {  # name -> (params, lr) -> optimizer, every other hyperparameter at its default
    "SGD": lambda params, lr: SGD(params, lr=lr),
    "Momentum": lambda params, lr: SGD(params, lr=lr, momentum=0.9),
    "Nesterov": lambda params, lr: SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params, lr: Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: RMSprop(params, lr=lr),
    "AdaDelta": lambda params, lr: Adadelta(params, lr=lr),
    "Adam": lambda params, lr: Adam(params, lr=lr),
    "AdamW": lambda params, lr: AdamW(params, lr=lr),
    "AMSGrad": lambda params, lr: Adam(params, lr=lr, amsgrad=True),
    "Adamax": lambda params, lr: Adamax(params, lr=lr),
    "NAdam": lambda params, lr: NAdam(params, lr=lr),
    "RAdam": lambda params, lr: RAdam(params, lr=lr),
    "Lion": lambda params, lr: Lion(params, lr=lr),
}
SEARCH_EPOCHS, EPOCHS, SEEDS = 2, 5, (1, 2, 3)


def half_decade(k):
    """The k-th point of the half-decade grid, 10^(k/2): k = -8 is 1e-4, k = 2 is 10 (exact, so runs can be cached)."""
    return 10.0 ** (k / 2)


def search_lr(loss_at):
    """The decade grid 1e-4 ... 10, then the two half-decade neighbours of its best: (best lr, {lr: loss})."""
    losses = {k: loss_at(half_decade(k)) for k in range(-8, 3, 2)}
    best = min(losses, key=losses.get)
    for k in (best - 1, best + 1):
        losses[k] = loss_at(half_decade(k))
    return half_decade(min(losses, key=losses.get)), {half_decade(k): loss for k, loss in sorted(losses.items())}


def ranks_with_ties(losses, factor=1.1):
    """Rank 1 + the number of methods whose loss is more than ``factor`` times lower.

    Losses within a factor of each other share a rank (no order is read into a near-tie), so a
    rank survives last-bit changes of the runs: 0.182 and 0.186 both rank 1, 0.225 does not.
    """
    losses = np.asarray(losses, dtype=float)
    if losses.ndim != 1 or not np.all(np.isfinite(losses)) or np.any(losses < 0):
        raise ValueError("ranks_with_ties needs a 1-D array of finite, non-negative losses")
    if factor < 1:
        raise ValueError(f"factor must be at least 1 (1 means exact ties only), got {factor}")
    clearly_better = losses[None, :] * factor < losses[:, None]
    return 1 + clearly_better.sum(axis=1)


class StopIfExploding:
    """A fit() callback: end the run once the mini-batch loss is 10 times its first value (it will not recover)."""

    def on_iteration_end(self, history):
        return history.loss[-1] > 10 * history.loss[0]


def make_digits_trainer(data):
    """``train_digits(name, lr, seed, epochs)`` on ``data = (X_train, y_train, X_val, y_val)``, cached."""
    X_train, y_train, X_val, y_val = data

    @lru_cache(maxsize=None)
    def train_digits(name, lr, seed, epochs):
        """A fresh network trained with optimizer `name` at `lr`: (model, History), or (model, None) if it blew up."""
        model = mlp([64, 64, 10], seed=seed)
        try:
            history = fit(model, OPTIMIZERS[name](model.parameters(), lr), X_train, y_train, epochs=epochs,
                                batch_size=64, seed=seed, validation=(X_val, y_val), callbacks=[StopIfExploding()])
        except TrainingDiverged:
            return model, None
        return model, history if history.epochs == epochs else None

    def validation_loss(name, lr, seed=0, epochs=SEARCH_EPOCHS):
        """The validation loss after `epochs` (inf if the run blew up)."""
        _, history = train_digits(name, lr, seed, epochs)
        return history.val_loss[-1] if history is not None and np.isfinite(history.val_loss[-1]) else np.inf

    return train_digits, validation_loss
