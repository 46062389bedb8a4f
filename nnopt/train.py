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

import inspect
import math
import numbers
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .data.batches import _check_batch_size, as_generator, minibatches

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

    ``interrupted`` is True when a KeyboardInterrupt (the notebook's stop button) ended
    :func:`fit`; the lists then hold what was recorded up to that point (trimmed to whole
    iterations and whole epochs).
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
    interrupted: bool = False

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
        stopped = ", interrupted" if self.interrupted else ""
        return f"History({self.epochs} epochs, {self.iterations} iterations{last}{stopped})"

    def _trim(self, with_validation: bool = False) -> None:
        """Cut the lists to whole iterations and whole epochs (after an interrupt mid-record).

        ``with_validation``: fit was given validation data, so an epoch is whole only once its
        validation loss is recorded too (an interrupt during the first validation pass leaves none).
        """
        per_iteration = (self.loss, self.lr, self.group_lrs, self.time)
        n = min(map(len, per_iteration))
        for values in per_iteration:
            del values[n:]
        per_epoch = [self.epoch_time, self.train_loss, self.train_acc]
        if with_validation or self.val_loss or self.val_acc:
            per_epoch += [self.val_loss, self.val_acc]
        n = min(map(len, per_epoch))
        for values in per_epoch:
            del values[n:]


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite (a mini-batch loss, or the end-of-epoch training or
    validation loss). ``history`` holds everything recorded before that."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history

    def __reduce__(self):  # pickle and copy keep the message and the history (a worker process's error)
        return type(self), (self.args[0], self.history), self.__dict__


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
    if scheduler is not None and (isinstance(scheduler, type) or not callable(getattr(scheduler, "step", None))):
        made_by_call = " (a function that makes one? call it: scheduler=make(optimizer))" if callable(scheduler) \
            and not isinstance(scheduler, type) else ""
        raise TypeError(f"scheduler must be a learning-rate scheduler built on the optimizer, e.g. "
                        f"StepLR(optimizer, step_size=2), or None; got {scheduler!r}{made_by_call}.")
    if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError("the scheduler is attached to a different optimizer than the one passed to fit.")
    if max_iterations is not None and (isinstance(max_iterations, (bool, np.bool_))
                                       or not isinstance(max_iterations, (int, np.integer)) or max_iterations < 1):
        raise ValueError(f"max_iterations must be a whole number >= 1 or None, got {max_iterations!r}.")
    if max_seconds is not None and (isinstance(max_seconds, (bool, np.bool_)) or not isinstance(max_seconds, numbers.Real)
                                    or not max_seconds > 0):
        raise ValueError(f"max_seconds must be a number > 0 or None, got {max_seconds!r}.")
    if validation is not None and (not isinstance(validation, (tuple, list)) or len(validation) != 2):
        raise TypeError("validation must be a pair (X_val, y_val) or None.")


def _check_optimizer_holds_the_model(model, optimizer) -> None:
    """An optimizer built on other parameters (a copy of the model, or of the optimizer alone) trains nothing."""
    if optimizer is None or isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must be an optimizer object, e.g. SGD(model.parameters(), lr=0.1), "
                        f"got {optimizer!r}.")
    groups, parameters = getattr(optimizer, "param_groups", None), getattr(model, "parameters", None)
    if groups is None or not callable(parameters):
        return
    mine = {id(param) for param in parameters()}
    held = {id(param) for group in groups for param in group.get("params", ())}
    if mine and not mine & held:
        raise ValueError(
            "the optimizer holds none of this model's parameters, so fit would train nothing: it was built "
            "on other parameters (another model, a copy of this one, or a copy of the optimizer made on its "
            "own). Build it on this model, e.g. SGD(model.parameters(), lr=0.1), or copy the model and its "
            "optimizer together: model, optimizer = copy.deepcopy((model, optimizer)).")


def _is_callback(callback) -> bool:
    return callable(callback) or any(callable(getattr(callback, hook, None))
                                     for hook in ("on_epoch_end", "on_iteration_end"))


def _check_callback_takes_the_history(callback, index) -> None:
    """A callback is called with the History only: refuse one that cannot take it, before training."""
    hooks = [getattr(callback, hook) for hook in ("on_epoch_end", "on_iteration_end")
             if callable(getattr(callback, hook, None))] or ([callback] if callable(callback) else [])
    for hook in hooks:
        try:
            inspect.signature(hook).bind(None)
        except TypeError:
            raise TypeError(f"callbacks[{index}] ({getattr(hook, '__qualname__', hook)!r}) cannot be called with "
                            f"one argument, the History: write it as def callback(history): ... "
                            f"(or a method on_epoch_end(self, history)).") from None
        except ValueError:  # no signature to read (a builtin): let it run
            pass


def _as_callbacks(callbacks) -> list:
    """``callbacks`` as a list: None is no callbacks, a single callback is accepted as one."""
    if callbacks is None:
        return []
    if _is_callback(callbacks):
        _check_callback_takes_the_history(callbacks, 0)
        return [callbacks]
    if isinstance(callbacks, (str, bytes, dict)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"callbacks must be a list of callbacks (functions f(history), called after every "
            f"epoch, or objects with on_epoch_end / on_iteration_end methods), got {callbacks!r}."
        )
    callbacks = list(callbacks)
    for index, callback in enumerate(callbacks):
        _check_callback_takes_the_history(callback, index)
        if not _is_callback(callback):
            raise TypeError(
                f"callbacks[{index}] is {callback!r}, which is not a callback: give a function "
                f"f(history) (called after every epoch) or an object with an on_epoch_end(history) "
                f"or on_iteration_end(history) method."
            )
    return callbacks


def _as_seed(seed):
    """An int >= 0 or a Generator, as a Generator; anything else is a clear error."""
    if isinstance(seed, str):
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got the string {seed!r}; "
                        f"pass seed={seed.strip()} without quotes if you meant a number.")
    return as_generator(seed, name="seed")


def _input_width(model) -> int | None:
    """The number of features the model's first Dense layer takes (None if it has none)."""
    try:
        layers = list(getattr(model, "layers", None) or ())
    except TypeError:
        return None
    return next((layer.n_in for layer in layers if isinstance(getattr(layer, "n_in", None), int)), None)


def _check_data(model, X, y, what: str, names: tuple[str, str], n_features: int | None = None):
    """``(X, y)`` as arrays, checked before any training: a clear error naming ``what``.

    Checks: X is a 2-D array of real numbers with at least one row; y has one target per row;
    every value is finite; X has the model's input width (and, for validation data, the
    training data's); the targets suit the model's loss (labels in range, 0/1, real values).
    """
    x_name, y_name = names
    try:
        X = np.asarray(X)
        y = np.asarray(y)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what}: {x_name} and {y_name} must be arrays of numbers ({error}).") from None
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{what}: {x_name} must hold real numbers, got dtype {X.dtype}.")
    if X.ndim != 2:
        raise ValueError(f"{what}: {x_name} must be a 2-D array (n_examples, n_features), got shape "
                         f"{X.shape}.")
    if len(X) == 0:
        raise ValueError(f"{what}: {x_name} has no rows; it needs at least one example.")
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"{what}: {y_name} has {len(y) if y.ndim else 0} targets (shape {y.shape}) "
                         f"but {x_name} has {len(X)} rows; they must match, one target per row.")
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{what}: {y_name} must hold numbers (class indices or real targets), got "
                        f"dtype {y.dtype}.")
    for name, values in ((x_name, X), (y_name, y)):
        if values.dtype.kind == "f" and not np.isfinite(values).all():
            bad = ~np.isfinite(values)
            row = int(np.argwhere(bad)[0][0])
            raise ValueError(
                f"{what}: {name} contains {int(np.isnan(values).sum())} NaN and "
                f"{int(np.isinf(values).sum())} infinite values (the first in row {row}); training "
                f"would turn them into a NaN loss. Drop or impute those rows first.")
    model_dtype = np.dtype(getattr(model, "dtype", np.float64))
    if model_dtype == np.float32 and X.dtype.kind == "f" and X.dtype.itemsize > 4 and X.size:
        peak = float(np.max(np.abs(X)))
        if peak > float(np.finfo(np.float32).max):
            raise ValueError(f"{what}: {x_name} holds values up to {peak:.3g}, beyond float32's range "
                             f"(3.4e38), and the model computes in float32: standardise the data first "
                             f"(nnopt.data.Standardizer) or build the model in float64.")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{what}: {x_name} has {X.shape[1]} features (columns) but the training "
                         f"data has {n_features}; they must have the same columns.")
    n_in = _input_width(model)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(f"{what}: {x_name} has {X.shape[1]} features (columns) but the model's "
                         f"first layer expects {n_in}; build the model with {X.shape[1]} inputs.")
    loss_function = getattr(model, "loss_function", None)
    forward = getattr(model, "forward", None)
    if loss_function is not None and callable(forward):
        # The targets are checked by the loss itself, on a stand-in output of the right shape.
        width = np.shape(forward(X[:1], training=False))
        try:
            stand_in = np.zeros((len(X), *width[1:]), dtype=getattr(model, "dtype", np.float64))
            loss_function.forward(stand_in, y, training=False)
        except (TypeError, ValueError) as error:
            message = str(error).replace("y ", f"{y_name} ", 1) if str(error).startswith("y ") else str(error)
            raise type(error)(f"{what}: {message}") from None
    return X, y


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
        An int >= 0 or a ``numpy.random.Generator``: it shuffles the data once per epoch.
    validation
        ``(X_val, y_val)``: evaluated after every epoch.
    scheduler
        A learning-rate scheduler attached to ``optimizer``. ``scheduler.step()`` is called
        after every epoch (``scheduler_unit="epoch"``) or after every optimizer step
        (``scheduler_unit="iteration"``, as OneCycleLR and CyclicLR are meant to be used).
        ``ReduceLROnPlateau`` is stepped with the validation loss (the training loss without
        validation data) per epoch, or the mini-batch loss per iteration.
    callbacks
        A list of objects with ``on_iteration_end(history)`` and/or ``on_epoch_end(history)``
        methods (a plain function counts as ``on_epoch_end``); ``None`` or a single callback
        are accepted too. Returning ``True``, or raising :class:`StopTraining`, ends training
        early.
    max_iterations, max_seconds
        Stop after this many optimizer steps, or once this much training time has passed,
        even in the middle of an epoch (useful to compare batch sizes on equal terms).

    Before the first epoch ``X, y`` and the validation data are checked (2-D, one target per
    row, finite, the model's input width, labels the loss accepts); an error names which data
    is wrong. ``batch_size``, ``seed`` and ``callbacks`` are checked too.

    Raises
    ------
    TrainingDiverged
        When a mini-batch loss, or the end-of-epoch training or validation loss, is NaN or
        infinite. The message names the epoch, iteration and learning rate.

    Every exception that leaves ``fit`` (``TrainingDiverged``, the optimizer's
    ``NonFiniteGradientError``, an error raised by a callback, ...) carries the history so
    far as ``error.history``. A ``KeyboardInterrupt`` (the notebook's stop button) is not
    raised: ``fit`` prints a one-line note and *returns* the history so far, with
    ``history.interrupted = True`` (the step being computed at that moment may be half done:
    rebuild the model and optimizer to repeat a run exactly).
    """
    history = History()
    epoch = 0
    try:
        _check_arguments(epochs, scheduler, scheduler_unit, validation, optimizer, max_iterations,
                         max_seconds)
        _check_optimizer_holds_the_model(model, optimizer)
        callbacks = _as_callbacks(callbacks)
        rng = _as_seed(seed)
        X, y = _check_data(model, X, y, "training data", ("X", "y"))
        if validation is not None:
            validation = _check_data(model, *validation, "validation data", ("X_val", "y_val"),
                                     n_features=X.shape[1])
        batch_size = _check_batch_size(batch_size, len(X))
    except Exception as error:
        error.history = history                 # empty: nothing was trained
        raise
    history.iterations_per_epoch = math.ceil(len(X) / batch_size)
    loop = _TrainingLoop(model, optimizer, scheduler, scheduler_unit, callbacks, history)
    # Overflow inside a diverging step is reported once, clearly, by the finite-loss check
    # (or the optimizer's finite-gradient check) rather than as a stream of NumPy warnings.
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                for X_batch, y_batch in minibatches(X, y, batch_size, rng, shuffle=shuffle):
                    stop = loop.iteration(X_batch, y_batch, epoch)
                    if stop or (max_iterations is not None and history.iterations >= max_iterations) or (
                        max_seconds is not None and history.time[-1] >= max_seconds
                    ):
                        return history
                if loop.end_of_epoch(X, y, validation, epoch):
                    return history
    except StopTraining:
        pass
    except KeyboardInterrupt:
        history._trim(with_validation=validation is not None)
        history.interrupted = True
        print(f"fit interrupted during epoch {epoch} (KeyboardInterrupt): returning the history "
              f"so far, {history.epochs} finished epochs and {history.iterations} steps "
              f"(history.interrupted is True).", file=sys.stderr)
        return history
    except Exception as error:
        if getattr(error, "history", None) is None:
            try:
                error.history = history
            except AttributeError:          # an exception type that takes no attributes
                pass
            else:
                error.add_note(f"fit stopped during epoch {epoch} after {history.iterations} steps; "
                               f"the {history.epochs} finished epochs are on error.history.")
        raise
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

    def end_of_epoch(self, X, y, validation, epoch: int) -> bool:
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
        for name, values in (("training", history.train_loss), ("validation", history.val_loss)):
            if values and not math.isfinite(values[-1]):
                lr = self.optimizer.param_groups[0]["lr"]
                raise TrainingDiverged(
                    f"training diverged: the {name} loss after epoch {epoch} is {values[-1]} "
                    f"(learning rate {lr:g}); the last step sent the weights too far. Lower the "
                    f"learning rate (try {lr / 10:g}) or clip the gradients; the history so far "
                    f"is on error.history.",
                    history,
                )
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
