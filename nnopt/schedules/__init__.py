"""Learning-rate schedules: PyTorch's schedulers (same names, arguments and numbers) and closed forms.

Schedulers (``scheduler.step()`` once per epoch or once per iteration, after ``optimizer.step()``):

- decay: ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingLR``
- restarts and cycles: ``CosineAnnealingWarmRestarts``, ``CyclicLR``, ``OneCycleLR`` (per iteration)
- warm-up: ``ConstantLR``, ``LinearLR``; your own function: ``LambdaLR``, ``MultiplicativeLR``
- combinations: ``SequentialLR`` (warm-up then decay), ``ChainedScheduler``
- feedback: ``ReduceLROnPlateau`` (``step(val_loss)`` once per epoch)
- the learning-rate range test: ``ExponentialRangeLR`` and ``lr_range_test``

Closed forms (scalars or arrays of steps): ``inverse_time_decay``, ``schedule_lr_decay``,
``exponential_decay``, ``step_decay``; manual decay: ``scale_lr``.
Pictures: ``plot_schedule`` and ``schedule_values`` (matplotlib is imported only when plotting).
"""
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR, OneCycleLR
from .decay import exponential_decay, inverse_time_decay, scale_lr, schedule_lr_decay, step_decay
from .lambda_lr import LambdaLR, MultiplicativeLR
from .linear import ConstantLR, LinearLR
from .lr_finder import ExponentialRangeLR, LRRangeTestResult, lr_range_test
from .plateau import ReduceLROnPlateau
from .plot import plot_schedule, schedule_values
from .scheduler import LRScheduler
from .step import ExponentialLR, MultiStepLR, PolynomialLR, StepLR

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "PolynomialLR",
    "ConstantLR",
    "LinearLR",
    "LambdaLR",
    "MultiplicativeLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
    "ExponentialRangeLR",
    "lr_range_test",
    "LRRangeTestResult",
    "inverse_time_decay",
    "schedule_lr_decay",
    "exponential_decay",
    "step_decay",
    "scale_lr",
    "plot_schedule",
    "schedule_values",
]
