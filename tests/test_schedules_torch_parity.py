"""nnopt.schedules against torch.optim.lr_scheduler: the same lr (and momentum / beta1) sequences.

Every case runs the same scheduler on nnopt's side and torch's side with three parameter groups
of different base rates, for many steps (past cycle ends, milestones and T_max), and compares
the learning rate of every group at every step to 1e-12 (relative).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import nnopt.schedules as ns

torch = pytest.importorskip("torch")
tls = torch.optim.lr_scheduler

BASE_LRS = [0.1, 0.01, 0.5]
RTOL = 1e-12


class StandInSGD:
    """Only what schedulers read: param_groups, defaults, step_count."""

    def __init__(self, lrs, *, momentum=0.9, betas=None):
        extra = {"betas": betas} if betas is not None else {"momentum": momentum}
        self.param_groups = [{"params": [], "lr": lr, **extra} for lr in lrs]
        self.defaults = {"lr": lrs[0], **extra}
        self.step_count = 0

    def step(self):
        self.step_count += 1


def torch_optimizer(lrs, *, betas=None):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    if betas is not None:
        return torch.optim.Adam(groups, lr=lrs[0], betas=betas)
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run(module, optimizer, make, steps, step_args=None, read_momentum=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = make(module, optimizer)
        lrs = [[g["lr"] for g in optimizer.param_groups]]
        last = [list(scheduler.get_last_lr())]
        momenta = [[momentum_of(g) for g in optimizer.param_groups]] if read_momentum else []
        for t in range(steps):
            optimizer.step()
            if step_args is None:
                scheduler.step()
            else:
                scheduler.step(step_args[t])
            lrs.append([g["lr"] for g in optimizer.param_groups])
            last.append(list(scheduler.get_last_lr()))
            if read_momentum:
                momenta.append([momentum_of(g) for g in optimizer.param_groups])
    return np.array(lrs, dtype=float), np.array(last, dtype=float), np.array(momenta, dtype=float), scheduler


def assert_same(make, steps=40, lrs=BASE_LRS, betas=None, step_args=None, read_momentum=False):
    ours = run(ns, StandInSGD(lrs, betas=betas), make, steps, step_args, read_momentum)
    theirs = run(tls, torch_optimizer(lrs, betas=betas), make, steps, step_args, read_momentum)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-300)
    if read_momentum:
        np.testing.assert_allclose(ours[2], theirs[2], rtol=RTOL, atol=1e-300)
    if hasattr(theirs[3], "last_epoch"):
        assert ours[3].last_epoch == theirs[3].last_epoch
    return ours[0]


CASES = {
    "StepLR 3 0.5": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "StepLR 1 0.9": lambda m, o: m.StepLR(o, step_size=1, gamma=0.9),
    "StepLR 7 default gamma": lambda m, o: m.StepLR(o, 7),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.5),
    "MultiStepLR one": lambda m, o: m.MultiStepLR(o, [1]),
    "MultiStepLR repeated milestone": lambda m, o: m.MultiStepLR(o, [2, 4, 4, 7], gamma=0.5),
    "MultiStepLR zero milestone": lambda m, o: m.MultiStepLR(o, [0, 3], gamma=0.3),
    "ExponentialLR decay": lambda m, o: m.ExponentialLR(o, gamma=0.9),
    "ExponentialLR growth": lambda m, o: m.ExponentialLR(o, gamma=1.05),
    "PolynomialLR default": lambda m, o: m.PolynomialLR(o),
    "PolynomialLR 10 1": lambda m, o: m.PolynomialLR(o, total_iters=10, power=1.0),
    "PolynomialLR 7 2": lambda m, o: m.PolynomialLR(o, total_iters=7, power=2.0),
    "PolynomialLR 5 0.5": lambda m, o: m.PolynomialLR(o, total_iters=5, power=0.5),
    "ConstantLR default": lambda m, o: m.ConstantLR(o),
    "ConstantLR 0.5 4": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4),
    "ConstantLR 1.0": lambda m, o: m.ConstantLR(o, factor=1.0, total_iters=3),
    "LinearLR default": lambda m, o: m.LinearLR(o),
    "LinearLR warm-up": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=10),
    "LinearLR decay": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=8),
    "LinearLR to zero": lambda m, o: m.LinearLR(o, start_factor=0.5, end_factor=0.0, total_iters=4),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95**e),
    "LambdaLR per group": lambda m, o: m.LambdaLR(o, [lambda e: 0.9**e, lambda e: 1 / (1 + 0.5 * e),
                                                      lambda e: (e // 3) + 1]),
    "LambdaLR inverse time": lambda m, o: m.LambdaLR(o, lambda e: ns.inverse_time_decay(1.0, 0.3, e)),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9),
    "MultiplicativeLR varying": lambda m, o: m.MultiplicativeLR(o, lambda e: 1 - 0.01 * e),
    "CosineAnnealingLR 10": lambda m, o: m.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR 7 eta": lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "CosineAnnealingLR 3 eta": lambda m, o: m.CosineAnnealingLR(o, T_max=3, eta_min=0.004),
    "CosineAnnealingLR 1": lambda m, o: m.CosineAnnealingLR(o, T_max=1),
    "CAWR 5": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5),
    "CAWR 3 x2": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
    "CAWR 4 x3": lambda m, o: m.CosineAnnealingWarmRestarts(o, 4, 3),
    "OneCycleLR no momentum": lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=40, cycle_momentum=False),
    "Sequential warm-up cosine": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=20)], milestones=[5]),
    "Sequential three": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.2, total_iters=10), m.ExponentialLR(o, 0.8), m.StepLR(o, 4, 0.5)],
        milestones=[3, 12]),
    "Sequential multiplicative": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.25, total_iters=4), m.MultiplicativeLR(o, lambda e: 0.9)], milestones=[6]),
    "Sequential lambda, polynomial": lambda m, o: m.SequentialLR(
        o, [m.LambdaLR(o, lambda e: (e + 1) / 4), m.PolynomialLR(o, total_iters=20, power=2)], milestones=[4]),
    "Sequential restarts": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, total_iters=3), m.CosineAnnealingWarmRestarts(o, T_0=6)], milestones=[3]),
    "Chained constant exp": lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.1, total_iters=2),
                                                             m.ExponentialLR(o, gamma=0.9)]),
    "Chained linear step cosine": lambda m, o: m.ChainedScheduler(
        [m.LinearLR(o, 0.2, total_iters=6), m.StepLR(o, 5, 0.5), m.CosineAnnealingLR(o, 15)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name):
    assert_same(CASES[name], steps=40)


MOMENTUM_CASES = {
    "CyclicLR triangular": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR triangular2 up/down": lambda m, o: m.CyclicLR(o, 0.001, 0.1, step_size_up=3, step_size_down=5,
                                                            mode="triangular2"),
    "CyclicLR exp_range": lambda m, o: m.CyclicLR(o, 0.01, 0.2, step_size_up=5, mode="exp_range", gamma=0.97),
    "CyclicLR per-group bounds": lambda m, o: m.CyclicLR(o, [0.01, 0.001, 0.05], [0.1, 0.02, 0.4], 6,
                                                         base_momentum=[0.8, 0.85, 0.7],
                                                         max_momentum=[0.9, 0.95, 0.99]),
    "CyclicLR scale_fn cycle": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 1 / x),
    "CyclicLR scale_fn iterations": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 0.99**x,
                                                            scale_mode="iterations"),
    "CyclicLR no momentum": lambda m, o: m.CyclicLR(o, 0.01, 0.1, 3, cycle_momentum=False),
    "OneCycleLR cos": lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=40),
    "OneCycleLR linear epochs": lambda m, o: m.OneCycleLR(o, max_lr=[0.1, 0.05, 1.0], epochs=8, steps_per_epoch=5,
                                                          pct_start=0.25, anneal_strategy="linear"),
    "OneCycleLR three phase": lambda m, o: m.OneCycleLR(o, 0.3, total_steps=40, three_phase=True,
                                                        div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR momenta": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=40, base_momentum=0.8, max_momentum=0.99,
                                                    pct_start=0.4),
}


@pytest.mark.parametrize("betas", [None, (0.9, 0.999)], ids=["SGD momentum", "Adam beta1"])
@pytest.mark.parametrize("name", list(MOMENTUM_CASES))
def test_lr_and_momentum_sequences_match_torch(name, betas):
    assert_same(MOMENTUM_CASES[name], steps=40, betas=betas, read_momentum=True)


def test_onecycle_runs_exactly_total_steps_like_torch():
    lrs = assert_same(lambda m, o: m.OneCycleLR(o, 0.1, total_steps=12), steps=12)
    assert lrs.shape == (13, 3)
    with pytest.raises(ValueError, match="total steps is 12"):
        assert_same(lambda m, o: m.OneCycleLR(o, 0.1, total_steps=12), steps=13)


def test_cosine_warm_restarts_fractional_epochs_match_torch():
    iters_per_epoch = 7
    epochs = [e + i / iters_per_epoch for e in range(12) for i in range(iters_per_epoch)]
    for T_0, T_mult in [(3, 1), (2, 2), (4, 3)]:
        assert_same(lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0, T_mult, eta_min=0.002),
                    steps=len(epochs), step_args=epochs)


def test_step_with_epoch_uses_the_closed_form_like_torch():
    jumps = [3, 7, 2, 10, 11, 0, 5]
    for make in [lambda m, o: m.StepLR(o, 3, 0.5), lambda m, o: m.MultiStepLR(o, [2, 6], 0.1),
                 lambda m, o: m.ExponentialLR(o, 0.8), lambda m, o: m.CosineAnnealingLR(o, 8, 0.01),
                 lambda m, o: m.LinearLR(o, 0.2, 1.0, 6), lambda m, o: m.ConstantLR(o, 0.5, 4),
                 lambda m, o: m.PolynomialLR(o, 8, 2.0), lambda m, o: m.LambdaLR(o, lambda e: 1 / (e + 1)),
                 lambda m, o: m.CyclicLR(o, 0.01, 0.1, 3)]:
        assert_same(make, steps=len(jumps), step_args=jumps)


RESUME = {
    "StepLR": lambda m, o, k: m.StepLR(o, 3, 0.5, last_epoch=k),
    "MultiStepLR": lambda m, o, k: m.MultiStepLR(o, [2, 5, 9], 0.5, last_epoch=k),
    "ExponentialLR": lambda m, o, k: m.ExponentialLR(o, 0.9, last_epoch=k),
    "CosineAnnealingLR": lambda m, o, k: m.CosineAnnealingLR(o, 7, 0.001, last_epoch=k),
    "LinearLR": lambda m, o, k: m.LinearLR(o, 0.1, 1.0, 10, last_epoch=k),
    "ConstantLR": lambda m, o, k: m.ConstantLR(o, 0.5, 4, last_epoch=k),
    "PolynomialLR": lambda m, o, k: m.PolynomialLR(o, 10, 1.0, last_epoch=k),
    "MultiplicativeLR": lambda m, o, k: m.MultiplicativeLR(o, lambda e: 0.9, last_epoch=k),
    "LambdaLR": lambda m, o, k: m.LambdaLR(o, lambda e: 0.95**e, last_epoch=k),
    "CosineAnnealingWarmRestarts": lambda m, o, k: m.CosineAnnealingWarmRestarts(o, 3, 2, 0.001, last_epoch=k),
    "CyclicLR": lambda m, o, k: m.CyclicLR(o, 0.01, 0.1, 4, last_epoch=k),
    "OneCycleLR": lambda m, o, k: m.OneCycleLR(o, 0.1, total_steps=60, cycle_momentum=False, last_epoch=k),
}


@pytest.mark.parametrize("last_epoch", [0, 4, 11])
@pytest.mark.parametrize("name", list(RESUME))
def test_resuming_with_last_epoch_matches_torch(name, last_epoch):
    def resume(m, o):
        # as after loading a checkpoint: initial_lr saved, the current lr somewhere mid-schedule
        for group, lr in zip(o.param_groups, [0.2, 0.05, 0.3]):
            group.update(initial_lr=lr, lr=lr * 0.5, max_lr=lr * 2, min_lr=lr / 100)
        return RESUME[name](m, o, last_epoch)

    assert_same(resume, steps=25)


PLATEAU_METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.85, 0.85, 0.86, 0.84999, 0.7, 0.7, 0.71, 0.72, 0.73, 0.74,
                   0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]


@pytest.mark.parametrize("kwargs", [
    {},
    {"patience": 1},
    {"patience": 0, "factor": 0.5},
    {"patience": 2, "cooldown": 2, "factor": 0.5},
    {"mode": "max", "patience": 1, "threshold_mode": "abs", "threshold": 0.01},
    {"patience": 1, "threshold": 0.05, "min_lr": [0.02, 0.001, 0.2]},
    {"patience": 0, "factor": 0.5, "min_lr": 0.004, "eps": 1e-3},
    {"patience": 1, "threshold_mode": "abs", "threshold": 0.0},
])
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = PLATEAU_METRICS if kwargs.get("mode") != "max" else [-m for m in PLATEAU_METRICS]
    assert_same(lambda m, o: m.ReduceLROnPlateau(o, **kwargs), steps=len(metrics), step_args=metrics)


def test_with_nnopt_optimizers_when_available():
    optim = pytest.importorskip("nnopt.optim")
    from nnopt.parameter import Parameter

    if not (hasattr(optim, "SGD") and hasattr(optim, "Adam")):
        pytest.skip("nnopt.optim.SGD / Adam not written yet")
    for make_ours, betas in [
        (lambda groups: optim.SGD(groups, lr=0.1, momentum=0.9), None),
        (lambda groups: optim.Adam(groups, lr=0.1, betas=(0.9, 0.999)), (0.9, 0.999)),
    ]:
        for name, make in [("OneCycleLR three phase", MOMENTUM_CASES["OneCycleLR three phase"]),
                           ("CyclicLR triangular2 up/down", MOMENTUM_CASES["CyclicLR triangular2 up/down"])]:
            groups = [{"params": [Parameter(np.zeros(1))], "lr": lr} for lr in BASE_LRS]
            ours = run(ns, make_ours(groups), make, 30, read_momentum=True)
            theirs = run(tls, torch_optimizer(BASE_LRS, betas=betas), make, 30, read_momentum=True)
            np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, err_msg=name)
            np.testing.assert_allclose(ours[2], theirs[2], rtol=RTOL, err_msg=name)
        for name in ["Sequential warm-up cosine", "StepLR 3 0.5", "CosineAnnealingLR 7 eta"]:
            groups = [{"params": [Parameter(np.zeros(1))], "lr": lr} for lr in BASE_LRS]
            ours = run(ns, make_ours(groups), CASES[name], 30)
            theirs = run(tls, torch_optimizer(BASE_LRS, betas=betas), CASES[name], 30)
            np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, err_msg=name)
