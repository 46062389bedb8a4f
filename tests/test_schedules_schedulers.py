"""Hand-computed learning rates for every scheduler in nnopt.schedules (the arithmetic is in the test).

``lrs(scheduler, n)`` returns the lr of the first group at steps 0..n-1: step 0 is the value set
by the constructor, step t the value after t calls of ``scheduler.step()`` (each after an
``optimizer.step()``, as in training).
"""
from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
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
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
    schedule_values,
)

from fake_optimizer import FakeOptimizer


def lrs(scheduler, n, group=0):
    values = [scheduler.optimizer.param_groups[group]["lr"]]
    for _ in range(n - 1):
        scheduler.optimizer.step()
        scheduler.step()
        values.append(scheduler.optimizer.param_groups[group]["lr"])
    return values


def all_group_lrs(scheduler, n):
    groups = scheduler.optimizer.param_groups
    values = [[g["lr"] for g in groups]]
    for _ in range(n - 1):
        scheduler.optimizer.step()
        scheduler.step()
        values.append([g["lr"] for g in scheduler.optimizer.param_groups])
    return values


def momenta_by_key(scheduler, key, n):
    values = [scheduler.optimizer.param_groups[0][key]]
    for _ in range(n - 1):
        scheduler.optimizer.step()
        scheduler.step()
        values.append(scheduler.optimizer.param_groups[0][key])
    return values


def momenta(scheduler, n, group=0):
    def read(g):
        return g["betas"][0] if "betas" in g else g["momentum"]

    values = [read(scheduler.optimizer.param_groups[group])]
    for _ in range(n - 1):
        scheduler.optimizer.step()
        scheduler.step()
        values.append(read(scheduler.optimizer.param_groups[group]))
    return values


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- hand-computed sequences
def test_step_lr_decays_every_step_size_steps():
    # lr_t = 0.1 * 0.5 ** floor(t / 3); the drops happen at t = 3 and t = 6
    close(lrs(StepLR(FakeOptimizer([0.1]), step_size=3, gamma=0.5), 8),
          [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025])


def test_multistep_lr_decays_at_each_milestone():
    # milestones 2 and 5: 1 -> 0.1 at t = 2 -> 0.01 at t = 5
    close(lrs(MultiStepLR(FakeOptimizer([1.0]), milestones=[2, 5], gamma=0.1), 7),
          [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01])


def test_exponential_lr_multiplies_every_step():
    close(lrs(ExponentialLR(FakeOptimizer([0.8]), gamma=0.5), 4), [0.8, 0.4, 0.2, 0.1])


def test_polynomial_lr_reaches_zero_at_total_iters_and_stays():
    # (1 - t/4) ** 2 = 1, 9/16, 4/16, 1/16, 0, then 0
    close(lrs(PolynomialLR(FakeOptimizer([1.0]), total_iters=4, power=2.0), 6),
          [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0])


def test_constant_lr_is_a_constant_warmup():
    # 0.2 * 0.5 for t < 2, then 0.2
    close(lrs(ConstantLR(FakeOptimizer([0.2]), factor=0.5, total_iters=2), 4), [0.1, 0.1, 0.2, 0.2])


def test_linear_lr_warms_up_linearly_to_the_end_of_warmup():
    # factors 0.25, 0.5, 0.75, 1.0 (t = total_iters = 3, end of warm-up), then 1.0; base 0.4
    close(lrs(LinearLR(FakeOptimizer([0.4]), start_factor=0.25, end_factor=1.0, total_iters=3), 5),
          [0.1, 0.2, 0.3, 0.4, 0.4])


def test_linear_lr_can_decay():
    # factors 1, 0.7, 0.4, 0.1 over total_iters = 3
    close(lrs(LinearLR(FakeOptimizer([1.0]), start_factor=1.0, end_factor=0.1, total_iters=3), 5),
          [1.0, 0.7, 0.4, 0.1, 0.1])


def test_lambda_lr_scales_the_base_rate():
    close(lrs(LambdaLR(FakeOptimizer([0.6]), lambda t: 1 / (1 + t)), 4), [0.6, 0.3, 0.2, 0.15])


def test_multiplicative_lr_multiplies_the_current_rate():
    # lambda(1) = 0.5, lambda(2) = 1, lambda(3) = 0.5: 1, 0.5, 0.5, 0.25
    close(lrs(MultiplicativeLR(FakeOptimizer([1.0]), lambda t: 0.5 if t % 2 else 1.0), 4), [1.0, 0.5, 0.5, 0.25])


def test_cosine_annealing_follows_half_a_cosine_then_comes_back():
    half_sqrt2 = math.sqrt(2) / 2
    # eta_min + (1 - eta_min) (1 + cos(pi t / 4)) / 2 with eta_min = 0.2
    expected = [0.2 + 0.8 * f for f in [1.0, (1 + half_sqrt2) / 2, 0.5, (1 - half_sqrt2) / 2, 0.0,
                                        (1 - half_sqrt2) / 2, 0.5]]
    close(lrs(CosineAnnealingLR(FakeOptimizer([1.0]), T_max=4, eta_min=0.2), 7), expected)


def test_cosine_recursive_form_is_within_rounding_of_the_closed_form():
    got = np.array(lrs(CosineAnnealingLR(FakeOptimizer([0.3]), T_max=25, eta_min=0.01), 200))
    t = np.arange(200)
    closed = 0.01 + (0.3 - 0.01) * (1 + np.cos(np.pi * t / 25)) / 2
    np.testing.assert_allclose(got, closed, rtol=1e-12)


def test_warm_restarts_double_the_period():
    c = (1 + math.cos(math.pi / 4)) / 2  # T_cur = 1 of a period of 4
    # T_0 = 2, T_mult = 2: restarts at t = 2 and t = 2 + 4 = 6
    close(lrs(CosineAnnealingWarmRestarts(FakeOptimizer([1.0]), T_0=2, T_mult=2), 8),
          [1.0, 0.5, 1.0, c, 0.5, 1 - c, 1.0, (1 + math.cos(math.pi / 8)) / 2])


def test_warm_restarts_fractional_epochs():
    optimizer = FakeOptimizer([1.0])
    scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2)
    optimizer.step()
    scheduler.step(2.5)  # n = floor(log2(2.5 / 2 + 1)) = 1 restart; T_cur = 2.5 - 2 = 0.5 in a period of 4
    close(optimizer.param_groups[0]["lr"], (1 + math.cos(math.pi * 0.5 / 4)) / 2)
    assert (scheduler.T_cur, scheduler.T_i, scheduler.last_epoch) == (0.5, 4, 2)
    scheduler.step(1.5)  # back in the first period of 2
    close(optimizer.param_groups[0]["lr"], (1 + math.cos(math.pi * 1.5 / 2)) / 2)
    scheduler.step(7.0)  # restarts at 2 and 6: T_cur = 1 in a period of 8
    close(optimizer.param_groups[0]["lr"], (1 + math.cos(math.pi / 8)) / 2)


def test_cyclic_lr_triangle_and_inverse_momentum():
    scheduler = CyclicLR(FakeOptimizer([0.5]), base_lr=0.1, max_lr=1.0, step_size_up=2)
    # up in 2 steps, down in 2: 0.1, 0.1 + 0.9/2, 1.0 (cycle top), 0.55, 0.1 (cycle end), ...
    close(lrs(scheduler, 6), [0.1, 0.55, 1.0, 0.55, 0.1, 0.55])
    scheduler = CyclicLR(FakeOptimizer([0.5]), base_lr=0.1, max_lr=1.0, step_size_up=2)
    close(momenta(scheduler, 5), [0.9, 0.85, 0.8, 0.85, 0.9])  # max_momentum when the lr is lowest


def test_cyclic_lr_uneven_up_and_down():
    # up 1 step, down 3: x = t/4 in the cycle, ratio r = 1/4; falling edge s = (x - 1)/(r - 1)
    scheduler = CyclicLR(FakeOptimizer((1.0,)), base_lr=0.0, max_lr=1.0, step_size_up=1, step_size_down=3)
    close(lrs(scheduler, 6), [0.0, 1.0, 2 / 3, 1 / 3, 0.0, 1.0])


def test_cyclic_lr_triangular2_halves_the_amplitude_each_cycle():
    scheduler = CyclicLR(FakeOptimizer((1.0,)), base_lr=0.0, max_lr=1.0, step_size_up=1, mode="triangular2")
    close(lrs(scheduler, 6), [0.0, 1.0, 0.0, 0.5, 0.0, 0.25])


def test_cyclic_lr_exp_range_scales_by_gamma_to_the_iteration():
    scheduler = CyclicLR(FakeOptimizer((1.0,)), base_lr=0.0, max_lr=1.0, step_size_up=1, mode="exp_range", gamma=0.5)
    close(lrs(scheduler, 4), [0.0, 0.5**1, 0.0, 0.5**3])  # peaks at t = 1 and t = 3


def test_cyclic_lr_sets_beta1_of_adam_like_groups():
    optimizer = FakeOptimizer([0.5], betas=(0.9, 0.999))
    scheduler = CyclicLR(optimizer, base_lr=0.1, max_lr=1.0, step_size_up=2, base_momentum=0.8,
                         max_momentum=0.95)
    close(momenta(scheduler, 3), [0.95, 0.875, 0.8])
    assert optimizer.param_groups[0]["betas"][1] == 0.999  # beta2 untouched


def test_one_cycle_sets_beta_of_the_course_momentum_optimizer():
    optim = pytest.importorskip("nnopt.optim")
    from nnopt.parameter import Parameter

    optimizer = optim.Momentum([Parameter(np.zeros(2))], lr=0.1, beta=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=1.0, total_steps=10, anneal_strategy="linear")
    close(momenta_by_key(scheduler, "beta", 4), [0.95, 0.9, 0.85, 0.85 + 0.1 / 7])


def test_one_cycle_linear_two_phases():
    # initial = 1/10 = 0.1, min = 0.1/100 = 0.001; warm-up ends at step 0.3*10 - 1 = 2,
    # then 7 steps of linear anneal to 0.001 at t = 9
    optimizer = FakeOptimizer((1.0,))
    scheduler = OneCycleLR(optimizer, max_lr=1.0, total_steps=10, anneal_strategy="linear",
                           div_factor=10.0, final_div_factor=100.0)
    expected = [0.1, 0.55, 1.0] + [1.0 + (0.001 - 1.0) * k / 7 for k in range(1, 8)]
    close(lrs(scheduler, 10), expected)
    assert expected[-1] == pytest.approx(0.001)
    assert optimizer.param_groups[0]["initial_lr"] == 0.1
    assert optimizer.param_groups[0]["min_lr"] == pytest.approx(0.001)


def test_one_cycle_momentum_goes_down_then_up():
    scheduler = OneCycleLR(FakeOptimizer((1.0,)), max_lr=1.0, total_steps=10, anneal_strategy="linear")
    # 0.95 -> 0.85 over the warm-up (t = 0..2), back to 0.95 at t = 9
    close(momenta(scheduler, 10), [0.95, 0.9, 0.85] + [0.85 + 0.1 * k / 7 for k in range(1, 8)])


def test_one_cycle_cosine_anneal():
    scheduler = OneCycleLR(FakeOptimizer((1.0,)), max_lr=1.0, total_steps=10, div_factor=10.0, final_div_factor=100.0)
    values = lrs(scheduler, 10)
    # cos anneal from a to b at pct: b + (a - b)/2 (1 + cos(pi pct)); t = 1 is halfway through warm-up
    close(values[1], 1.0 + (0.1 - 1.0) / 2 * (1 + math.cos(math.pi / 2)))
    close(values[3], 0.001 + (1.0 - 0.001) / 2 * (1 + math.cos(math.pi / 7)))
    close(values[9], 0.001)


def test_one_cycle_three_phases():
    # ends of the phases: 0.3*10 - 1 = 2, 2*0.3*10 - 2 = 4, 9
    scheduler = OneCycleLR(FakeOptimizer((1.0,)), max_lr=1.0, total_steps=10, anneal_strategy="linear",
                           div_factor=10.0, final_div_factor=100.0, three_phase=True)
    expected = [0.1, 0.55, 1.0, 0.55, 0.1] + [0.1 + (0.001 - 0.1) * k / 5 for k in range(1, 6)]
    close(lrs(scheduler, 10), expected)


def test_one_cycle_epochs_times_steps_per_epoch():
    scheduler = OneCycleLR(FakeOptimizer((1.0,)), max_lr=1.0, epochs=3, steps_per_epoch=4)
    assert scheduler.total_steps == 12


def test_sequential_warmup_then_decay():
    optimizer = FakeOptimizer([1.0])
    warmup = LinearLR(optimizer, start_factor=0.5, total_iters=2)
    decay = ExponentialLR(optimizer, gamma=0.5)
    scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[2])
    # warm-up: 0.5, 0.75; at the milestone t = 2 ExponentialLR starts at its step 0 (1.0), then halves
    close(lrs(scheduler, 6), [0.5, 0.75, 1.0, 0.5, 0.25, 0.125])


def test_sequential_constant_warmup_then_step_decay():
    optimizer = FakeOptimizer([1.0])
    scheduler = SequentialLR(optimizer, [ConstantLR(optimizer, factor=0.1, total_iters=3),
                                         StepLR(optimizer, step_size=2, gamma=0.5)], milestones=[3])
    # t = 0..2: 0.1; from t = 3 StepLR's own t' = t - 3: 1, 1, 0.5, 0.5, 0.25
    close(lrs(scheduler, 8), [0.1, 0.1, 0.1, 1.0, 1.0, 0.5, 0.5, 0.25])


def test_chained_scheduler_multiplies_the_factors():
    optimizer = FakeOptimizer([1.0])
    scheduler = ChainedScheduler([ConstantLR(optimizer, factor=0.1, total_iters=2), ExponentialLR(optimizer, 0.9)])
    # 0.9**t * (0.1 if t < 2 else 1)
    close(lrs(scheduler, 5), [0.1, 0.09, 0.81, 0.729, 0.6561])
    close(scheduler.get_last_lr(), [0.6561])


def plateau_lrs(scheduler, metrics):
    values = []
    for metric in metrics:
        scheduler.step(metric)
        values.append(scheduler.optimizer.param_groups[0]["lr"])
    return values


def test_plateau_reduces_after_patience_bad_epochs():
    scheduler = ReduceLROnPlateau(FakeOptimizer([1.0]), patience=1, factor=0.5)
    # 1.0 best; 1.0 not better by 1e-4 (bad 1); 1.0 (bad 2 > patience 1) -> 0.5; 0.5 best;
    # 0.6, 0.6 bad 1, 2 -> 0.25
    close(plateau_lrs(scheduler, [1.0, 1.0, 1.0, 0.5, 0.6, 0.6]), [1, 1, 0.5, 0.5, 0.5, 0.25])


def test_plateau_cooldown_ignores_bad_epochs():
    scheduler = ReduceLROnPlateau(FakeOptimizer([1.0]), patience=0, factor=0.5, cooldown=1)
    # 2nd epoch bad -> 0.5 and cooldown 1; 3rd epoch bad but in cooldown; 4th bad -> 0.25
    close(plateau_lrs(scheduler, [1.0, 2.0, 2.0, 2.0]), [1.0, 0.5, 0.5, 0.25])


def test_plateau_thresholds_and_max_mode():
    rel = ReduceLROnPlateau(FakeOptimizer([1.0]), patience=0, factor=0.5)  # needs < best * (1 - 1e-4)
    close(plateau_lrs(rel, [1.0, 0.99995, 0.9998]), [1.0, 0.5, 0.5])
    absolute = ReduceLROnPlateau(FakeOptimizer([1.0]), patience=0, factor=0.5, threshold_mode="abs", threshold=0.1)
    close(plateau_lrs(absolute, [1.0, 0.95, 0.85]), [1.0, 0.5, 0.5])  # 0.95 > 1 - 0.1 is bad; 0.85 better
    maximise = ReduceLROnPlateau(FakeOptimizer([1.0]), mode="max", patience=0, factor=0.5)
    close(plateau_lrs(maximise, [0.5, 0.6, 0.6]), [1.0, 1.0, 0.5])  # accuracy stalls at 0.6


def test_plateau_floor_and_eps():
    scheduler = ReduceLROnPlateau(FakeOptimizer([1.0, 0.2]), patience=0, min_lr=[0.3, 0.0])
    scheduler.step(1.0)
    scheduler.step(2.0)  # group 0: max(0.1, 0.3) = 0.3; group 1: 0.02
    close(scheduler.get_last_lr(), [0.3, 0.02])
    scheduler.step(2.0)  # group 0 stays at its floor
    close(scheduler.get_last_lr(), [0.3, 0.002])
    tiny = ReduceLROnPlateau(FakeOptimizer([1e-8]), patience=0)
    plateau_lrs(tiny, [1.0, 2.0])  # 1e-8 - 1e-9 < eps = 1e-8: not worth changing
    assert tiny.get_last_lr() == [1e-8]


# ---------------------------------------------------------------- protocol
def test_construction_sets_initial_lr_base_lrs_last_epoch():
    optimizer = FakeOptimizer([0.1, 0.02])
    scheduler = StepLR(optimizer, 2)
    assert scheduler.last_epoch == 0
    assert scheduler.base_lrs == [0.1, 0.02]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.1, 0.02]
    assert scheduler.get_last_lr() == [0.1, 0.02]
    warmup = LinearLR(optimizer, start_factor=0.5)  # lr changed at construction; base lrs kept
    assert [g["lr"] for g in optimizer.param_groups] == [0.05, 0.01]
    assert warmup.base_lrs == [0.1, 0.02]


def test_resume_requires_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(FakeOptimizer((1.0,)), 3, last_epoch=4)


def test_step_with_epoch_jumps_with_the_closed_form():
    optimizer = FakeOptimizer([1.0])
    scheduler = StepLR(optimizer, step_size=3, gamma=0.5)
    optimizer.step()
    scheduler.step(7)  # 0.5 ** floor(7 / 3)
    close(optimizer.param_groups[0]["lr"], 0.25)
    assert scheduler.last_epoch == 7


# ---------------------------------------------------------------- per-group base rates
GROUP_LRS = [0.1, 0.01, 0.5]
SCALING_FACTORIES = {
    "StepLR": lambda o: StepLR(o, 3, 0.5),
    "MultiStepLR": lambda o: MultiStepLR(o, [2, 5]),
    "ExponentialLR": lambda o: ExponentialLR(o, 0.9),
    "PolynomialLR": lambda o: PolynomialLR(o, 6, 2.0),
    "ConstantLR": lambda o: ConstantLR(o, 0.25, 3),
    "LinearLR": lambda o: LinearLR(o, 0.1, 1.0, 5),
    "LambdaLR": lambda o: LambdaLR(o, lambda t: 1 / (1 + 0.3 * t)),
    "MultiplicativeLR": lambda o: MultiplicativeLR(o, lambda t: 0.8),
    "CosineAnnealingLR": lambda o: CosineAnnealingLR(o, 7),
    "CosineAnnealingWarmRestarts": lambda o: CosineAnnealingWarmRestarts(o, 3, 2),
    "SequentialLR": lambda o: SequentialLR(o, [LinearLR(o, 0.1, total_iters=4), CosineAnnealingLR(o, 10)], [4]),
    "ChainedScheduler": lambda o: ChainedScheduler([LinearLR(o, 0.5, total_iters=4), StepLR(o, 3, 0.5)]),
}


@pytest.mark.parametrize("name", list(SCALING_FACTORIES))
def test_each_group_follows_the_schedule_from_its_own_base_rate(name):
    single = schedule_values(SCALING_FACTORIES[name], 20, lr=1.0)
    grouped = schedule_values(SCALING_FACTORIES[name], 20, lr=GROUP_LRS)
    assert grouped.shape == (20, 3)
    np.testing.assert_allclose(grouped, single[:, None] * np.array(GROUP_LRS), rtol=1e-12, atol=1e-300)
    assert not np.allclose(single, single[0])  # the schedule does change the rate


def test_cyclic_and_one_cycle_take_per_group_bounds():
    maxima = [0.1, 0.01, 0.5]
    grouped = schedule_values(lambda o: OneCycleLR(o, max_lr=maxima, total_steps=20), 21, lr=GROUP_LRS)
    for g, top in enumerate(maxima):
        alone = schedule_values(lambda o: OneCycleLR(o, max_lr=top, total_steps=20), 21, lr=1.0)
        np.testing.assert_allclose(grouped[:, g], alone, rtol=1e-12)
        assert grouped[:, g].max() == pytest.approx(top)
    grouped = schedule_values(lambda o: CyclicLR(o, [0.01, 0.001, 0.05], maxima, 3), 13, lr=GROUP_LRS)
    np.testing.assert_allclose(grouped[0], [0.01, 0.001, 0.05])  # every group starts at its base_lr
    np.testing.assert_allclose(grouped[3], maxima)  # and peaks at its max_lr after step_size_up


def test_plateau_reduces_every_group_by_the_factor():
    scheduler = ReduceLROnPlateau(FakeOptimizer(GROUP_LRS), patience=0, factor=0.5)
    scheduler.step(1.0)
    scheduler.step(1.0)
    close(scheduler.get_last_lr(), [0.05, 0.005, 0.25])


# ---------------------------------------------------------------- state round trip
ROUND_TRIP = {
    **SCALING_FACTORIES,
    "CyclicLR": lambda o: CyclicLR(o, 0.01, [0.1, 0.2, 0.3], 3, mode="triangular2"),
    "OneCycleLR": lambda o: OneCycleLR(o, 0.3, total_steps=40, three_phase=True),
    "LambdaLR callable object": lambda o: LambdaLR(o, Halving()),
}


class Halving:
    """A callable object: its attributes are saved by state_dict (a lambda's are not)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, t):
        self.calls += 1
        return 0.5 ** (t // 4)


@pytest.mark.parametrize("name", list(ROUND_TRIP))
def test_state_dict_round_trip_continues_identically(name):
    factory = ROUND_TRIP[name]
    optimizer = FakeOptimizer(GROUP_LRS)
    scheduler = factory(optimizer)
    lrs(scheduler, 8)
    saved_scheduler = pickle.loads(pickle.dumps(scheduler.state_dict()))
    saved_optimizer = optimizer.state_dict()

    resumed_optimizer = FakeOptimizer(GROUP_LRS)
    resumed = factory(resumed_optimizer)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    assert resumed.last_epoch == scheduler.last_epoch
    assert resumed.get_last_lr() == scheduler.get_last_lr()
    expected = all_group_lrs(scheduler, 15)  # continue the original
    assert all_group_lrs(resumed, 15) == expected


def test_plateau_state_round_trip():
    optimizer = FakeOptimizer([1.0])
    scheduler = ReduceLROnPlateau(optimizer, patience=2, cooldown=1, factor=0.5)
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]
    plateau_lrs(scheduler, metrics[:5])
    saved = scheduler.state_dict()
    resumed_optimizer = FakeOptimizer([1.0])
    resumed = ReduceLROnPlateau(resumed_optimizer)
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed.load_state_dict(saved)
    # 0.95 three times after the best 0.9: bad 1, 2, 3 > patience 2 -> lr halved, counter reset, cooldown 1
    assert (resumed.patience, resumed.best, resumed.num_bad_epochs, resumed.cooldown_counter) == (2, 0.9, 0, 1)
    assert resumed.get_last_lr() == [0.5]
    assert plateau_lrs(resumed, metrics[5:]) == plateau_lrs(scheduler, metrics[5:])


def test_state_dict_is_a_copy_and_saves_callable_objects():
    optimizer = FakeOptimizer([1.0])
    fn = Halving()
    scheduler = LambdaLR(optimizer, fn)
    lrs(scheduler, 5)
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"calls": 5}]
    state["base_lrs"].append(99.0)
    assert scheduler.base_lrs == [1.0]
    plain = LambdaLR(FakeOptimizer([1.0]), lambda t: 1.0)
    assert plain.state_dict()["lr_lambdas"] == [None]  # a lambda is not saved (as in PyTorch)


def test_round_trip_with_nnopt_sgd():
    optim = pytest.importorskip("nnopt.optim")
    from nnopt.parameter import Parameter

    def build():
        groups = [{"params": [Parameter(np.ones(2))], "lr": lr} for lr in GROUP_LRS]
        optimizer = optim.SGD(groups, lr=0.1, momentum=0.9)
        warmup = LinearLR(optimizer, 0.1, total_iters=3)
        return optimizer, SequentialLR(optimizer, [warmup, CosineAnnealingLR(optimizer, 12)], [3])

    optimizer, scheduler = build()
    lrs(scheduler, 6)
    saved = (optimizer.state_dict(), scheduler.state_dict())
    resumed_optimizer, resumed = build()
    resumed_optimizer.load_state_dict(saved[0])
    resumed.load_state_dict(saved[1])
    assert all_group_lrs(resumed, 10) == all_group_lrs(scheduler, 10)


# ---------------------------------------------------------------- with fit
def test_fit_per_iteration_follows_the_schedule_and_per_epoch_warns():
    train = pytest.importorskip("nnopt.train")
    nn = pytest.importorskip("nnopt.nn")
    data = pytest.importorskip("nnopt.data")
    optim = pytest.importorskip("nnopt.optim")
    X, y = data.make_moons(64, noise=0.1, seed=0)

    model = nn.mlp([2, 8, 2], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=0.5, epochs=3, steps_per_epoch=4)  # 64 / 16 = 4 batches
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train.fit(model, optimizer, X, y, epochs=3, batch_size=16, scheduler=scheduler,
                            scheduler_unit="iteration")
    expected = schedule_values(lambda o: OneCycleLR(o, max_lr=0.5, total_steps=12), 12)
    np.testing.assert_allclose(history.lr, expected, rtol=1e-12)

    model = nn.mlp([2, 8, 2], seed=0)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=0.5, total_steps=12)
    with pytest.warns(UserWarning, match="OneCycleLR is meant to be stepped after every batch"):
        train.fit(model, optimizer, X, y, epochs=3, batch_size=16, scheduler=scheduler, scheduler_unit="epoch")
