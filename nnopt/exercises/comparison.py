"""Checker for the exercise of notebook 8, "pick the optimizer": ``make_optimizer(params)``.

The learner's function receives the parameters of a fresh digits network (64 → 64 ReLU → 10,
He initialisation, ``seed=0``) and returns either

- an ``nnopt.optim`` optimizer over exactly these parameters, or
- a pair ``(optimizer, scheduler)``; the scheduler must be attached to that optimizer and is
  stepped after **every iteration** (``scheduler_unit="iteration"``), so a schedule that should
  end with the budget uses ``T_max`` / ``total_steps`` = :data:`BUDGET_STEPS` (100).

The checker trains with :func:`nnopt.fit` on the notebooks' digits split (``load_digits``,
``train_val_test_split(seed=0)``, standardised with the training set's statistics) for a fixed
budget, :data:`EPOCHS` = 5 epochs of mini-batches of :data:`BATCH_SIZE` = 64 (100 steps,
shuffling seed 0), and requires a validation accuracy of at least :data:`TARGET_ACCURACY` (93 %).
One run takes a few hundredths of a second.

Four checks, each with a hint when it fails: the answer is an nnopt optimizer over the given
parameters (a stub that still raises ``NotImplementedError`` is reported as not implemented);
the training does not diverge ("diverged: lower the learning rate"); the training loss falls
below half its starting value; the accuracy reaches the target. When one of the last two fails,
the advice is tested in the order that never points away from the fix: first a schedule that
decayed too early (its rate below 1 % of its peak halfway through the budget, e.g. a StepLR
stepped per iteration), then a rate too large (the first epoch ends above the starting loss,
the loss rises between epochs, the training loss is already tiny while validation falls short,
or an adaptive method runs at lr ≥ 0.1), and only then "too small: raise it". Accuracies are
shown with two decimals and as a count of the 270 validation digits, so a failing 92.96 % never
reads as "93.0 % (target 93 %)". The
result also reports what the run did: optimizer, steps, training loss before and after, accuracy.
Nothing the learner writes makes the checker raise.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..data import Standardizer, load_digits, train_val_test_split
from ..landscapes.trajectory import describe_optimizer
from ..nn import mlp
from ..optim import Optimizer
from ..optim.errors import NonFiniteGradientError
from ..train import History, TrainingDiverged, fit
from .feedback import Check, ExerciseResult, Mismatch, _safe_str, expect, run_checks

__all__ = [
    "check_make_optimizer",
    "PickOptimizerResult",
    "EPOCHS",
    "BATCH_SIZE",
    "BUDGET_STEPS",
    "TARGET_ACCURACY",
    "LAYER_SIZES",
]

LAYER_SIZES = (64, 64, 10)
EPOCHS = 5
BATCH_SIZE = 64
SEED = 0
TARGET_ACCURACY = 0.93
#: The training loss must end below this fraction of its value before training.
MOVED_FRACTION = 0.5
#: "Unstable": the last epoch's training loss is this many times its best epoch.
UNSTABLE_RISE = 1.5


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The notebooks' split: training and validation digits, standardised with the training statistics."""
    X, y = load_digits()
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    for array in (X_train, y_train, X_val, y_val):
        array.setflags(write=False)  # shared between calls: nobody may change them
    return X_train, y_train, X_val, y_val


#: Training examples in the notebooks' split (1797 digits minus 270 for validation and 270 for testing).
TRAIN_SIZE = 1257
#: Optimizer steps in the budget: 5 epochs of ceil(1257 / 64) = 20 mini-batches.
BUDGET_STEPS = EPOCHS * math.ceil(TRAIN_SIZE / BATCH_SIZE)


@dataclass(frozen=True, repr=False)
class PickOptimizerResult(ExerciseResult):
    """An :class:`ExerciseResult` plus what the training run did.

    ``details`` is shown under the score (optimizer, steps, loss before and after, accuracy);
    ``accuracy`` (final validation accuracy), ``steps`` (optimizer steps taken) and
    ``final_loss`` (training loss after the last epoch) are None when no training happened.
    """

    details: str = ""
    accuracy: float | None = None
    steps: int | None = None
    final_loss: float | None = None

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n\n{self.details}" if self.details else text


#: "Tiny": a final training loss below this, with validation short of the target, means steps too large.
LOW_TRAIN_LOSS = 0.01
#: Optimizers whose step is about lr per parameter (so lr >= 0.1 is far too large here).
ADAPTIVE = frozenset({"Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "Lion"})


def _n_val() -> int:
    return int(_digits()[3].shape[0])


def _needed() -> int:
    """The fewest correct validation digits that reach the target."""
    return math.ceil(TARGET_ACCURACY * _n_val() - 1e-9)


def _accuracy_text(accuracy: float) -> str:
    """"92.96% (251 of 270)": two decimals and the count, so a miss never rounds up to the target."""
    count = round(accuracy * _n_val())
    return f"{math.floor(accuracy * 10000) / 100:.2f}% ({count} of {_n_val()})"


def _lr_text(optimizer) -> str:
    """The learning rate the learner chose (a scheduler keeps it as a group's "initial_lr")."""
    chosen = sorted({float(group.get("initial_lr", group["lr"])) for group in optimizer.param_groups})
    current = sorted({float(group["lr"]) for group in optimizer.param_groups})
    text = ", ".join(f"{lr:g}" for lr in chosen)
    if current != chosen:
        text += f"; your scheduler has it at {', '.join(f'{lr:.3g}' for lr in current)} by now"
    return text


class _Trial:
    """One training run of the learner's choice, built and trained step by step by the checks."""

    def __init__(self) -> None:
        self.model = None
        self.optimizer = None
        self.scheduler = None
        self.label = ""
        self.initial_loss: float | None = None
        self.history: History | None = None
        self.failure = ""  # why a stage could not run, for the later checks

    # -- check 1 -----------------------------------------------------------------------------
    def build(self, make_optimizer: Callable) -> None:
        self.failure = "the optimizer could not be built"
        self.model = mlp(list(LAYER_SIZES), seed=SEED)
        params = self.model.parameters()
        answer = make_optimizer(params)  # a proxy: a stub's NotImplementedError is reported as "not implemented yet"
        optimizer, scheduler = self._unpack(answer)
        expect(isinstance(optimizer, Optimizer),
               expected="an nnopt optimizer (a class from nnopt.optim, e.g. SGD, Adam, AdamW)",
               got=f"{type(optimizer).__name__}: {_safe_str(optimizer, 80)}",
               hint="build it from nnopt.optim, e.g. `return Adam(params, lr=1e-3)`; torch.optim "
                    "optimizers cannot train an nnopt network.")
        given = {id(p) for p in params}
        held = [p for group in optimizer.param_groups for p in group["params"]]
        held_ids = {id(p) for p in held}
        missing = sum(1 for p in params if id(p) not in held_ids)
        foreign = sum(1 for p in held if id(p) not in given)
        expect(missing == 0 and foreign == 0,
               expected=f"an optimizer over the {len(params)} parameter arrays it is given",
               got=f"{missing} of them missing and {foreign} other arrays in the optimizer",
               hint="pass the `params` argument itself to the optimizer, e.g. `Adam(params, lr=...)`; "
                    "do not build a new network inside make_optimizer.")
        if scheduler is not None:
            expect(callable(getattr(scheduler, "step", None)),
                   expected="a scheduler from nnopt.schedules (or None) as the second item",
                   got=f"{type(scheduler).__name__}: {_safe_str(scheduler, 80)}",
                   hint="return `optimizer` alone, or `optimizer, scheduler` with e.g. "
                        f"CosineAnnealingLR(optimizer, T_max={BUDGET_STEPS}).")
            expect(getattr(scheduler, "optimizer", optimizer) is optimizer,
                   expected="a scheduler attached to the optimizer you return",
                   got="a scheduler attached to another optimizer",
                   hint="create the optimizer first, then the scheduler on it: "
                        "`opt = Adam(params, lr=...); return opt, OneCycleLR(opt, max_lr=..., "
                        f"total_steps={BUDGET_STEPS})`.")
        self.optimizer, self.scheduler = optimizer, scheduler
        # a scheduler has already changed the lr (and maybe the betas): name the classes only
        self.label = (describe_optimizer(optimizer) if scheduler is None
                      else f"{type(optimizer).__name__} with {type(scheduler).__name__}")
        self.failure = ""

    @staticmethod
    def _unpack(answer):
        expect(answer is not None, expected="an optimizer (or an (optimizer, scheduler) pair)", got="None",
               hint="end make_optimizer with `return ...`; creating the optimizer is not returning it.")
        if isinstance(answer, (tuple, list)):
            expect(len(answer) in (1, 2),
                   expected="an optimizer, or a pair (optimizer, scheduler)",
                   got=f"a {type(answer).__name__} of {len(answer)} items",
                   hint="return `optimizer` or `optimizer, scheduler`.")
            return answer[0], (answer[1] if len(answer) == 2 else None)
        return answer, None

    # -- check 2 -----------------------------------------------------------------------------
    def train(self, make_optimizer: Callable) -> None:
        expect(not self.failure, expected=f"a training run of {BUDGET_STEPS} steps", got=f"not run: {self.failure}",
               hint="fix the check above first.")
        self.failure = "the training did not finish"
        X_train, y_train, X_val, y_val = _digits()
        self.initial_loss = float(self.model.loss(X_train, y_train, training=False))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a scheduler's advice is not the point here
                self.history = fit(self.model, self.optimizer, X_train, y_train, epochs=EPOCHS,
                                   batch_size=BATCH_SIZE, seed=SEED, validation=(X_val, y_val),
                                   scheduler=self.scheduler, scheduler_unit="iteration")
        except (TrainingDiverged, NonFiniteGradientError) as error:
            history = getattr(error, "history", None)
            step = (history.iterations + 1) if history is not None else "?"
            raise Mismatch(
                expected=f"finite losses for all {BUDGET_STEPS} steps",
                got=f"the loss became NaN or infinite at step {step} (learning rate {_lr_text(self.optimizer)})",
                hint="diverged: lower the learning rate (try a tenth of it), or clip the gradients "
                     "(optimizer.grad_transforms.append(ClipGradNorm(1.0))).",
            ) from None
        except Exception as error:  # e.g. a OneCycleLR with too few total_steps
            raise Mismatch(
                expected=f"{EPOCHS} epochs of training ({BUDGET_STEPS} steps, scheduler stepped after each)",
                got=f"training stopped with {type(error).__name__}: {_safe_str(error, 200)}",
                hint=f"a schedule must last the whole budget: T_max={BUDGET_STEPS} or "
                     f"total_steps={BUDGET_STEPS} (it is stepped once per iteration).",
            ) from None
        start, end = self.initial_loss, self.history.train_loss[-1]
        if not end < start:  # finite, but blown up: divergence all the same
            self.failure = "the training diverged"
            raise Mismatch(
                expected=f"a training loss below its start ({start:.3g}) after {self.history.iterations} steps",
                got=f"training loss {end:.3g}",
                hint=f"diverged: the loss went up. Lower the learning rate (now {_lr_text(self.optimizer)}); "
                     "try a tenth of it.")
        self.failure = ""

    # -- check 3 -----------------------------------------------------------------------------
    def loss_moved(self, make_optimizer: Callable) -> None:
        expect(not self.failure and self.history is not None, expected="a finished training run",
               got=f"not run: {self.failure}", hint="fix the checks above first.")
        start, end = self.initial_loss, self.history.train_loss[-1]
        moved = f"training loss {start:.3g} before, {end:.3g} after {self.history.iterations} steps"
        if end < MOVED_FRACTION * start:
            return
        advice = self.advice() or (f"learning rate too small: the loss barely moved. Raise it (now "
                                   f"{_lr_text(self.optimizer)}) by 10×, or run the learning-rate sweep of this notebook.")
        raise Mismatch(expected=f"a training loss below {MOVED_FRACTION:g} × its start, i.e. below "
                                f"{MOVED_FRACTION * start:.3g}", got=moved, hint=advice)

    def advice(self) -> str:
        """"Decayed too early" or "too large", tested in this order; "" when neither applies (then: too small)."""
        history = self.history
        rates = [rate for rate in history.lr if math.isfinite(rate)]
        if self.scheduler is not None and rates:
            peak, middle = max(rates), rates[len(rates) // 2]
            if peak > 0 and middle < 0.01 * peak:
                return (f"your schedule decayed too early: the learning rate fell from its peak {peak:.3g} to "
                        f"{middle:.3g} halfway through the budget and {rates[-1]:.3g} at the end, so the later steps do "
                        f"nothing. The scheduler is stepped after every iteration ({BUDGET_STEPS} in all): give its "
                        f"step_size / T_max / total_steps in iterations (e.g. T_max={BUDGET_STEPS}), not in epochs.")
        start = self.initial_loss
        losses = [float(loss) for loss in history.train_loss]
        lr = _lr_text(self.optimizer)
        if losses and losses[0] > start:
            return (f"learning rate too large: after the first epoch the training loss ({losses[0]:.3g}) is above its "
                    f"start ({start:.3g}); the steps overshoot. Lower it (now {lr}) by 3-10×.")
        rises = [later / earlier for earlier, later in zip(losses, losses[1:]) if earlier > 0]
        if rises and max(rises) > UNSTABLE_RISE:
            return (f"learning rate too large: the training loss rose between epochs ({', '.join(f'{x:.3g}' for x in losses)}). "
                    f"Lower it (now {lr}) by about 3×, or decay it, e.g. with CosineAnnealingLR(optimizer, "
                    f"T_max={BUDGET_STEPS}).")
        if losses and losses[-1] < LOW_TRAIN_LOSS:
            return (f"the training loss is already tiny ({losses[-1]:.2g}) but validation falls short: more speed will not "
                    f"help. Large steps settle in a solution that generalises worse; lower the learning rate (now {lr}) "
                    "by about 3×, or decay it towards the end of the budget.")
        adaptive = type(self.optimizer).__name__ in ADAPTIVE
        top = max(float(group["lr"]) for group in self.optimizer.param_groups)
        if adaptive and top >= 0.1:
            return (f"learning rate too large for {type(self.optimizer).__name__}: an adaptive method moves every "
                    f"parameter by about lr per step, and {top:g} is far above what this network tolerates. Lower it "
                    "by 10×.")
        return ""

    def _adaptive_or_momentum(self) -> bool:
        """Already what "use momentum or an adaptive method" would suggest."""
        if type(self.optimizer).__name__ in ADAPTIVE:
            return True
        return any(float(group.get("momentum", 0) or 0) > 0 or float(group.get("beta", 0) or 0) > 0
                   for group in self.optimizer.param_groups)

    # -- check 4 -----------------------------------------------------------------------------
    def accurate(self, make_optimizer: Callable) -> None:
        expect(not self.failure and self.history is not None, expected="a finished training run",
               got=f"not run: {self.failure}", hint="fix the checks above first.")
        history = self.history
        accuracy = history.val_acc[-1]
        if accuracy >= TARGET_ACCURACY:
            return
        losses = np.asarray(history.train_loss)
        best_epoch = int(np.argmin(losses))
        got = f"validation accuracy {_accuracy_text(accuracy)} (training loss {losses[-1]:.3g} after {history.iterations} steps)"
        advice = self.advice()
        if advice:
            hint = advice
        elif losses[-1] > UNSTABLE_RISE * losses[best_epoch]:
            hint = (f"unstable: the training loss was {losses[best_epoch]:.3g} after epoch {best_epoch + 1} and rose "
                    f"to {losses[-1]:.3g}. Lower the learning rate (now {_lr_text(self.optimizer)}) by about 3×, "
                    f"or decay it, e.g. with CosineAnnealingLR(optimizer, T_max={BUDGET_STEPS}).")
        else:
            alternative = "" if self._adaptive_or_momentum() else ", or use momentum or an adaptive method"
            hint = (f"too slow: the loss is still falling when the budget ends. Raise the learning rate "
                    f"(now {_lr_text(self.optimizer)}) by about 3×{alternative}.")
        raise Mismatch(expected=f"validation accuracy ≥ {TARGET_ACCURACY:.0%} ({_needed()} of {_n_val()} digits)",
                       got=got, hint=hint)

    def report(self) -> str:
        if self.history is None:
            return ""
        history = self.history
        rates = ""
        if self.scheduler is not None and history.lr:
            rates = f" (learning rate {history.lr[0]:.3g} → {history.lr[-1]:.3g}, peak {max(history.lr):.3g})"
        return (f"Your run: {self.label}{rates}; {history.iterations} steps ({history.epochs} epochs of batches "
                f"of {BATCH_SIZE}); training loss {self.initial_loss:.3g} → {history.train_loss[-1]:.3g}; "
                f"validation accuracy {_accuracy_text(history.val_acc[-1])} (target {TARGET_ACCURACY:.0%}, "
                f"{_needed()} of {_n_val()}).")


def check_make_optimizer(make_optimizer, *, time_limit: float | None = None) -> PickOptimizerResult:
    """Train the digits network with the learner's ``make_optimizer(params)`` and report.

    The budget is fixed: 5 epochs of mini-batches of 64 (100 steps), seed 0. The answer passes
    when the validation accuracy reaches 93 %. Put the call last in a cell to see
    "✓ pick the optimizer: passed 4/4" and a line describing the run, or the first failing
    check with a hint (diverged, loss barely moved, too slow, unstable). Never raises.
    """
    trial = _Trial()
    checks = (
        Check("returns an nnopt optimizer over the given parameters (or an (optimizer, scheduler) pair)",
              trial.build),
        Check(f"trains for {EPOCHS} epochs ({BUDGET_STEPS} steps) without diverging", trial.train),
        Check(f"the training loss falls below {MOVED_FRACTION:g} × its starting value", trial.loss_moved),
        Check(f"validation accuracy ≥ {TARGET_ACCURACY:.0%} after {EPOCHS} epochs", trial.accurate),
    )
    _digits()  # loaded once in the kernel, so that a forked checker finds it ready

    def extras() -> dict:
        history = trial.history
        return {
            "details": trial.report(),
            "accuracy": None if history is None else float(history.val_acc[-1]),
            "steps": None if history is None else history.iterations,
            "final_loss": None if history is None else float(history.train_loss[-1]),
        }

    return run_checks("pick the optimizer", make_optimizer, checks, checker="check_make_optimizer",
                      time_limit=time_limit, result_type=PickOptimizerResult, extras=extras)
