"""The training loop: mini-batches in, a history of losses, learning rates and wall time out.

One iteration is one mini-batch: forward, loss, backward, optimizer step. One epoch is one
pass over the training set, i.e. ``ceil(m / batch_size)`` iterations.

    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):   # shuffled once per epoch
            loss = model.loss(X_batch, y_batch)                         # forward
            optimizer.zero_grad(); model.backward(); optimizer.step()   # backward, update
            scheduler.step()            # if scheduler_unit == "iteration"
        scheduler.step()                # if scheduler_unit == "epoch"
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .data.batches import minibatches

SCHEDULER_UNITS = ("epoch", "iteration")


@dataclass
class History:
    """What happened during :func:`fit`, as plain lists ready to plot.

    Per iteration (one entry per mini-batch step): ``loss`` (the mini-batch loss before the
    step), ``lr`` (the first parameter group's learning rate used by the step; every group's in
    ``group_lrs``) and ``time`` (seconds of training so far, evaluation excluded).
    Per epoch: ``train_loss`` / ``train_acc`` (on the whole training set after the epoch),
    ``val_loss`` / ``val_acc`` (when validation data is given) and ``epoch_time``.
    Accuracies are ``nan`` for regression models.
    """

    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    group_lrs: list[tuple[float, ...]] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    iterations_per_epoch: int = 0

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.train_loss)

    @property
    def iterations(self) -> int:
        """Number of completed optimizer steps."""
        return len(self.loss)

    def __repr__(self) -> str:
        last = f", last train loss {self.train_loss[-1]:.4f}" if self.train_loss else ""
        return f"History({self.epochs} epochs, {self.iterations} iterations{last})"


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite. ``history`` holds everything recorded before that."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


class StopTraining(Exception):
    """Raise inside a callback to end :func:`fit` early; the history so far is returned."""


def _evaluate(model, X, y) -> tuple[float, float]:
    """Loss and accuracy (nan for regression) on ``(X, y)``.

    A Sequential gives both from one forward pass; any other model needs only
    ``loss(X, y, training=False)`` and ``accuracy(X, y)``.
    """
    loss_function = getattr(model, "loss_function", None)
    if loss_function is not None and hasattr(model, "forward"):
        output = model.forward(X, training=False)
        loss = float(loss_function.forward(output, y, training=False))
        accuracy_of = lambda: loss_function.accuracy(output, y)
    else:
        loss = float(model.loss(X, y, training=False))
        accuracy_of = lambda: model.accuracy(X, y)
    try:
        accuracy = float(accuracy_of())
    except (TypeError, NotImplementedError, ValueError):
        accuracy = math.nan
    return loss, accuracy


def _check_arguments(epochs, scheduler, scheduler_unit, validation, optimizer, max_iterations, max_seconds):
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}.")
    if scheduler_unit not in SCHEDULER_UNITS:
        raise ValueError(
            f"scheduler_unit must be 'epoch' or 'iteration' (how often scheduler.step() is called), "
            f"got {scheduler_unit!r}."
        )
    if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError("the scheduler is attached to a different optimizer than the one passed to fit.")
    for name, limit in (("max_iterations", max_iterations), ("max_seconds", max_seconds)):
        if limit is not None and (isinstance(limit, bool) or not limit > 0):
            raise ValueError(f"{name} must be positive or None, got {limit!r}.")
    if validation is not None and (not isinstance(validation, (tuple, list)) or len(validation) != 2):
        raise TypeError("validation must be a pair (X_val, y_val) or None.")


def _is_plateau_scheduler(scheduler) -> bool:
    # ReduceLROnPlateau needs the monitored loss in step(metric); every other scheduler takes none.
    return type(scheduler).__name__ == "ReduceLROnPlateau"


def _call(callbacks, hook: str, history: History) -> bool:
    stop = False
    for callback in callbacks:
        method = getattr(callback, hook, None)
        if method is None and hook == "on_epoch_end" and callable(callback):
            method = callback
        if method is not None and method(history) is True:
            stop = True
    return stop


def fit(
    model,
    optimizer,
    X,
    y,
    epochs: int = 10,
    batch_size: int | None = 64,
    seed=0,
    validation=None,
    scheduler=None,
    scheduler_unit: str = "epoch",
    callbacks=(),
    shuffle: bool = True,
    max_iterations: int | None = None,
    max_seconds: float | None = None,
) -> History:
    """Train ``model`` with ``optimizer`` on ``(X, y)`` in mini-batches; return a :class:`History`.

    Parameters
    ----------
    batch_size
        Samples per iteration: ``len(X)`` (or ``None``) is batch gradient descent, 1 is
        stochastic gradient descent, anything between is mini-batch gradient descent.
    seed
        An int or a ``numpy.random.Generator``: it shuffles the data once per epoch.
    validation
        ``(X_val, y_val)``: evaluated after every epoch.
    scheduler
        A learning-rate scheduler attached to ``optimizer``. ``scheduler.step()`` is called
        after every epoch (``scheduler_unit="epoch"``) or after every optimizer step
        (``scheduler_unit="iteration"``, as OneCycleLR and CyclicLR are meant to be used).
        ``ReduceLROnPlateau`` is stepped with the validation loss (the training loss without
        validation data) per epoch, or the mini-batch loss per iteration.
    callbacks
        Objects with ``on_iteration_end(history)`` and/or ``on_epoch_end(history)`` methods
        (a plain function counts as ``on_epoch_end``). Returning ``True``, or raising
        :class:`StopTraining`, ends training early.
    max_iterations, max_seconds
        Stop after this many optimizer steps, or once this much training time has passed,
        even in the middle of an epoch (useful to compare batch sizes on equal terms).

    Raises
    ------
    TrainingDiverged
        When a mini-batch loss is NaN or infinite. The message names the epoch, iteration and
        learning rate; ``error.history`` keeps everything recorded before.
    """
    _check_arguments(epochs, scheduler, scheduler_unit, validation, optimizer, max_iterations, max_seconds)
    X = np.asarray(X)
    y = np.asarray(y)
    if batch_size is None:
        batch_size = len(X)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    history = History(iterations_per_epoch=math.ceil(len(X) / batch_size) if batch_size else 0)
    loop = _TrainingLoop(model, optimizer, scheduler, scheduler_unit, callbacks, history)
    # Overflow inside a diverging step is reported once, clearly, by the finite-loss check
    # (or the optimizer's finite-gradient check) rather than as a stream of NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            for epoch in range(1, epochs + 1):
                for X_batch, y_batch in minibatches(X, y, batch_size, rng, shuffle=shuffle):
                    stop = loop.iteration(X_batch, y_batch, epoch)
                    if stop or (max_iterations is not None and history.iterations >= max_iterations) or (
                        max_seconds is not None and history.time[-1] >= max_seconds
                    ):
                        return history
                if loop.end_of_epoch(X, y, validation):
                    return history
        except StopTraining:
            pass
    return history


class _TrainingLoop:
    """One iteration and one end of epoch of :func:`fit`, with the training clock.

    The clock runs from the start, minus the time spent evaluating and in callbacks.
    """

    def __init__(self, model, optimizer, scheduler, scheduler_unit, callbacks, history):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.per_iteration = scheduler is not None and scheduler_unit == "iteration"
        self.per_epoch = scheduler is not None and scheduler_unit == "epoch"
        self.plateau = scheduler is not None and _is_plateau_scheduler(scheduler)
        self.callbacks, self.history = callbacks, history
        self.clock_start = time.perf_counter()
        self.not_training = 0.0

    def seconds(self) -> float:
        return time.perf_counter() - self.clock_start - self.not_training

    def iteration(self, X_batch, y_batch, epoch: int) -> bool:
        model, optimizer, history = self.model, self.optimizer, self.history
        loss = float(model.loss(X_batch, y_batch))
        if not math.isfinite(loss):
            lr = optimizer.param_groups[0]["lr"]
            raise TrainingDiverged(
                f"training diverged: the loss became {loss} at epoch {epoch}, iteration "
                f"{history.iterations + 1} (learning rate {lr:g}). Lower the learning rate "
                f"(try {lr / 10:g}) or clip the gradients; the history so far is on error.history.",
                history,
            )
        optimizer.zero_grad()
        model.backward()
        group_lrs = tuple(float(group["lr"]) for group in optimizer.param_groups)
        optimizer.step()
        if self.per_iteration:
            self.scheduler.step(loss) if self.plateau else self.scheduler.step()
        history.loss.append(loss)
        history.lr.append(group_lrs[0])
        history.group_lrs.append(group_lrs)
        history.time.append(self.seconds())
        return self._callbacks("on_iteration_end")

    def end_of_epoch(self, X, y, validation) -> bool:
        history = self.history
        paused = time.perf_counter()
        history.epoch_time.append(self.seconds())
        train_loss, train_acc = _evaluate(self.model, X, y)
        history.train_loss.append(train_loss)
        history.train_acc.append(train_acc)
        if validation is not None:
            val_loss, val_acc = _evaluate(self.model, *validation)
            history.val_loss.append(val_loss)
            history.val_acc.append(val_acc)
        self.not_training += time.perf_counter() - paused
        if self.per_epoch:
            if self.plateau:
                self.scheduler.step(history.val_loss[-1] if validation is not None else train_loss)
            else:
                self.scheduler.step()
        return self._callbacks("on_epoch_end")

    def _callbacks(self, hook: str) -> bool:
        paused = time.perf_counter()
        stop = _call(self.callbacks, hook, self.history)
        self.not_training += time.perf_counter() - paused
        return stop
