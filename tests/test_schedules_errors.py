"""Bad input to the schedulers raises errors naming the argument; misuse gives plain-words warnings."""
from __future__ import annotations

import warnings

import pytest

from nnopt.schedules import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

from fake_optimizer import FakeOptimizer


BAD_ARGUMENTS = [
    # (factory, error type, words the message must contain)
    (lambda o: StepLR(o, step_size=0), ValueError, ["step_size", "0"]),
    (lambda o: StepLR(o, step_size=-2), ValueError, ["step_size", "-2"]),
    (lambda o: StepLR(o, step_size=2.5), TypeError, ["step_size", "whole number"]),
    (lambda o: StepLR(o, 3, gamma=0), ValueError, ["gamma", "> 0"]),
    (lambda o: StepLR(o, 3, gamma=-0.5), ValueError, ["gamma", "-0.5"]),
    (lambda o: MultiStepLR(o, []), ValueError, ["milestones", "empty"]),
    (lambda o: MultiStepLR(o, [-1, 3]), ValueError, ["milestones", ">= 0"]),
    (lambda o: MultiStepLR(o, [2], gamma=0.0), ValueError, ["gamma"]),
    (lambda o: ExponentialLR(o, gamma=0), ValueError, ["gamma"]),
    (lambda o: PolynomialLR(o, total_iters=0), ValueError, ["total_iters"]),
    (lambda o: PolynomialLR(o, power=-1.0), ValueError, ["power"]),
    (lambda o: ConstantLR(o, factor=1.5), ValueError, ["factor", "(0, 1]"]),
    (lambda o: ConstantLR(o, factor=0.0), ValueError, ["factor"]),
    (lambda o: ConstantLR(o, total_iters=0), ValueError, ["total_iters"]),
    (lambda o: LinearLR(o, start_factor=0), ValueError, ["start_factor", "(0, 1]"]),
    (lambda o: LinearLR(o, end_factor=1.5), ValueError, ["end_factor", "[0, 1]"]),
    (lambda o: LinearLR(o, total_iters=-3), ValueError, ["total_iters"]),
    (lambda o: LambdaLR(o, [lambda t: 1.0, lambda t: 1.0]), ValueError, ["lr_lambda", "2 functions", "1 param_groups"]),
    (lambda o: LambdaLR(o, 0.5), TypeError, ["lr_lambda", "function"]),
    (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, ["T_max", "> 0"]),
    (lambda o: CosineAnnealingLR(o, T_max=-10), ValueError, ["T_max"]),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=0), ValueError, ["T_0"]),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=1.5), TypeError, ["T_0"]),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), ValueError, ["T_mult", ">= 1"]),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1.5), ValueError, ["T_mult"]),
    (lambda o: CyclicLR(o, 0.01, 0.1, step_size_up=0), ValueError, ["step_size_up"]),
    (lambda o: CyclicLR(o, 0.01, 0.1, step_size_down=-1), ValueError, ["step_size_down"]),
    (lambda o: CyclicLR(o, 0.01, 0.1, mode="triangle"), ValueError,
     ["mode", "'triangular', 'triangular2', 'exp_range'", "'triangle'"]),
    (lambda o: CyclicLR(o, 0.01, 0.1, scale_mode="epochs"), ValueError, ["scale_mode", "'cycle', 'iterations'"]),
    (lambda o: CyclicLR(o, 0.01, 0.1, mode="exp_range", gamma=0), ValueError, ["gamma"]),
    (lambda o: CyclicLR(o, [0.01, 0.02], 0.1), ValueError, ["base_lr", "2 values", "1 param_groups"]),
    (lambda o: OneCycleLR(o, 0.1, total_steps=0), ValueError, ["total_steps"]),
    (lambda o: OneCycleLR(o, 0.1), ValueError, ["total_steps", "epochs", "steps_per_epoch"]),
    (lambda o: OneCycleLR(o, 0.1, epochs=3, steps_per_epoch=0), ValueError, ["steps_per_epoch"]),
    (lambda o: OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5), ValueError, ["pct_start", "[0, 1]"]),
    (lambda o: OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="cosine"), ValueError,
     ["anneal_strategy", "'cos', 'linear'", "'cosine'"]),
    (lambda o: OneCycleLR(o, 0.1, total_steps=10, pct_start=0.1), ValueError, ["zero length", "pct_start"]),
    (lambda o: OneCycleLR(o, 0.1, total_steps=10, div_factor=0), ValueError, ["div_factor"]),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), ValueError, ["factor", "[0, 1)", "1.0"]),
    (lambda o: ReduceLROnPlateau(o, factor=2), ValueError, ["factor"]),
    (lambda o: ReduceLROnPlateau(o, mode="minimum"), ValueError, ["mode", "'min', 'max'", "'minimum'"]),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="relative"), ValueError, ["threshold_mode", "'rel', 'abs'"]),
    (lambda o: ReduceLROnPlateau(o, patience=-1), ValueError, ["patience"]),
    (lambda o: ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, ["min_lr", "2 values"]),
    (lambda o: StepLR(o, 3, last_epoch=-2), ValueError, ["last_epoch"]),
    (lambda o: SequentialLR(o, [], []), ValueError, ["schedulers", "empty"]),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], [4, 6]), ValueError,
     ["len(milestones)", "1", "got 2"]),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3), StepLR(o, 4)], [6, 4]), ValueError,
     ["milestones", "increasing"]),
    (lambda o: SequentialLR(o, [StepLR(o, 2), ReduceLROnPlateau(o)], [3]), ValueError, ["ReduceLROnPlateau"]),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(FakeOptimizer(), 3)], [3]), ValueError,
     ["different optimizer"]),
    (lambda o: ChainedScheduler([]), ValueError, ["schedulers", "empty"]),
]


@pytest.mark.parametrize("case", range(len(BAD_ARGUMENTS)))
def test_bad_arguments_are_named_in_the_error(case):
    factory, error, words = BAD_ARGUMENTS[case]
    with pytest.raises(error) as raised:
        factory(FakeOptimizer())
    for word in words:
        assert word in str(raised.value)


def test_type_errors_are_also_value_errors():
    with pytest.raises(ValueError):
        StepLR(FakeOptimizer(), step_size="10")


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="param_groups"):
        StepLR(object(), 3)
    with pytest.raises(TypeError, match="param_groups"):
        ReduceLROnPlateau([0.1])


def test_cycling_momentum_needs_momentum_or_betas():
    optimizer = FakeOptimizer(weight_decay=0.0)  # e.g. plain Adagrad: no momentum, no betas
    with pytest.raises(ValueError, match="cycle_momentum=False"):
        OneCycleLR(optimizer, 0.1, total_steps=10)
    with pytest.raises(ValueError, match="'momentum'"):
        CyclicLR(optimizer, 0.01, 0.1)
    OneCycleLR(optimizer, 0.1, total_steps=10, cycle_momentum=False)  # fine without


def test_stepping_one_cycle_past_total_steps():
    optimizer = FakeOptimizer()
    scheduler = OneCycleLR(optimizer, 0.1, total_steps=5)
    for _ in range(5):  # 5 steps after construction reach last_epoch = total_steps, as in torch
        optimizer.step()
        scheduler.step()
    optimizer.step()
    with pytest.raises(ValueError, match=r"tried to step 6 times\. The specified number of total steps is 5"):
        scheduler.step()


def test_plateau_needs_a_number():
    with pytest.raises(TypeError, match="step\\(val_loss\\)"):
        ReduceLROnPlateau(FakeOptimizer()).step(None)


def test_warm_restarts_negative_epoch():
    optimizer = FakeOptimizer()
    scheduler = CosineAnnealingWarmRestarts(optimizer, 3)
    optimizer.step()
    with pytest.raises(ValueError, match="epoch must be >= 0, got -1"):
        scheduler.step(-1)


def test_lambda_returning_nan_is_refused():
    with pytest.raises(ValueError, match="lr_lambda"):
        LambdaLR(FakeOptimizer(), lambda t: float("nan"))


# ---------------------------------------------------------------- warnings
def test_warns_when_scheduler_steps_before_the_optimizer():
    optimizer = FakeOptimizer()
    scheduler = StepLR(optimizer, 3)
    with pytest.warns(UserWarning, match="before the optimizer's first step"):
        scheduler.step()


def test_no_warning_in_the_right_order():
    optimizer = FakeOptimizer()
    schedulers = [StepLR(optimizer, 3), CosineAnnealingWarmRestarts(FakeOptimizer(), 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scheduler in schedulers:
            for _ in range(5):
                scheduler.optimizer.step()
                scheduler.step()


def test_no_order_warning_without_step_count():
    class NoCount:
        param_groups = [{"lr": 0.1}]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        StepLR(NoCount(), 2).step()


@pytest.mark.parametrize("factory", [lambda o: OneCycleLR(o, 0.1, total_steps=100),
                                     lambda o: CyclicLR(o, 0.01, 0.1, step_size_up=20)])
def test_per_batch_schedulers_warn_when_stepped_per_epoch(factory):
    optimizer = FakeOptimizer()
    scheduler = factory(optimizer)
    name = type(scheduler).__name__
    with pytest.warns(UserWarning, match=f"{name} is meant to be stepped after every batch") as record:
        for _epoch in range(4):
            for _batch in range(10):
                optimizer.step()
            scheduler.step()
    assert "took 10 steps" in str(record[0].message)
    assert len([w for w in record if "every batch" in str(w.message)]) == 1  # said once


@pytest.mark.parametrize("factory", [lambda o: OneCycleLR(o, 0.1, total_steps=100),
                                     lambda o: CyclicLR(o, 0.01, 0.1, step_size_up=20)])
def test_per_batch_schedulers_stepped_per_batch_do_not_warn(factory):
    optimizer = FakeOptimizer()
    scheduler = factory(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(50):
            optimizer.step()
            scheduler.step()


def test_multistep_milestones_out_of_order_are_sorted_like_torch_with_a_warning():
    # torch.optim.lr_scheduler.MultiStepLR keeps a Counter of milestones: [5, 2] acts as [2, 5]
    optimizer = FakeOptimizer([1.0])
    with pytest.warns(UserWarning, match=r"\[5, 2\] are not in increasing order.*\[2, 5\]"):
        scheduler = MultiStepLR(optimizer, [5, 2], gamma=0.5)
    rates = []
    for _ in range(6):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
