"""Independent differential audit: nnopt optimizers and schedulers against torch, float64, 1e-12 relative.

Beyond tests/test_optim_torch_parity.py and tests/test_schedules_torch_parity.py: several param
groups with different hyperparameters, zero and sparse-ish gradients, 200 steps, a
state_dict / load_state_dict round trip in the middle of the run, and scheduler cases past
T_max, with scale_fn, three_phase linear OneCycle with Adam betas, ChainedScheduler and
ReduceLROnPlateau with per-group min_lr. Skipped without torch.
"""
import copy
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import nnopt.schedules as ns  # noqa: E402
from nnopt import Parameter  # noqa: E402
from nnopt import optim  # noqa: E402

RTOL = 1e-12
tls = torch.optim.lr_scheduler


@pytest.fixture(autouse=True)
def torch_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


SHAPES = [(4, 3), (6,), (2,)]


def gradient(value, k, rng_mask):
    """θ-dependent gradient; every 7th step all zero, otherwise a seeded sparse-ish mask."""
    if k % 7 == 3:
        return np.zeros_like(value)
    return (np.sin(2.0 * value) + 0.4 * value - 0.2 + 0.01 * k) * rng_mask


def run_pair(name, defaults, group_extras, steps=200, reload_at=100):
    rng = np.random.default_rng(11)
    initial = [rng.normal(size=s) for s in SHAPES]
    masks = [[(rng.random(s) < 0.6).astype(float) for s in SHAPES] for _ in range(steps)]
    ours = [Parameter(v.copy()) for v in initial]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in initial]
    ours_groups = [{"params": [ours[i]], **extra} for i, extra in enumerate(group_extras)]
    theirs_groups = [{"params": [theirs[i]], **extra} for i, extra in enumerate(group_extras)]
    opt = getattr(optim, name)(ours_groups, **defaults)
    ref = getattr(torch.optim, name)(theirs_groups, **defaults)
    for k in range(steps):
        if k == reload_at:
            saved = copy.deepcopy(opt.state_dict())
            opt = getattr(optim, name)([{"params": [ours[i]], **extra} for i, extra in enumerate(group_extras)],
                                       **defaults)
            opt.load_state_dict(saved)
            saved_ref = copy.deepcopy(ref.state_dict())
            ref = getattr(torch.optim, name)(
                [{"params": [theirs[i]], **extra} for i, extra in enumerate(group_extras)], **defaults)
            ref.load_state_dict(saved_ref)
        for p, t, m in zip(ours, theirs, masks[k]):
            p.grad[...] = gradient(p.value, k, m)
            t.grad = torch.from_numpy(gradient(t.detach().numpy(), k, m))
        opt.step()
        ref.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=RTOL, atol=1e-13,
                                       err_msg=f"{name} {defaults} step {k + 1}")


OPTIMIZER_CASES = {
    "SGD groups": ("SGD", {"lr": 0.02}, [
        {"momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
        {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
        {"lr": 0.05, "maximize": False}]),
    # torch 2.13 fills state["sum"] from the constructor's initial_accumulator_value and ignores a
    # group's own; so does nnopt (with a warning): the third group's 0.7 is compared too.
    "Adagrad groups": ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.2}, [
        {"lr_decay": 0.01}, {"weight_decay": 0.1}, {"eps": 1e-6, "initial_accumulator_value": 0.7}]),
    "Adadelta groups": ("Adadelta", {}, [{"rho": 0.95}, {"weight_decay": 0.1, "lr": 0.5}, {"eps": 1e-4}]),
    "RMSprop groups": ("RMSprop", {"lr": 0.01}, [
        {"centered": True, "momentum": 0.5}, {"alpha": 0.9, "weight_decay": 0.1}, {"momentum": 0.7}]),
    "Adam groups": ("Adam", {"lr": 0.01}, [
        {"amsgrad": True, "weight_decay": 0.1}, {"betas": (0.8, 0.99)}, {"amsgrad": True}]),
    "AdamW groups": ("AdamW", {"lr": 0.01}, [
        {"amsgrad": True, "weight_decay": 0.1}, {"weight_decay": 0.0}, {"betas": (0.5, 0.9)}]),
    "Adamax groups": ("Adamax", {"lr": 0.01}, [{"weight_decay": 0.1}, {"betas": (0.8, 0.99)}, {}]),
    "NAdam groups": ("NAdam", {"lr": 0.01}, [
        {"momentum_decay": 0.008}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
        {"weight_decay": 0.05}]),
    "RAdam groups": ("RAdam", {"lr": 0.01}, [
        {"weight_decay": 0.1, "decoupled_weight_decay": True}, {"weight_decay": 0.05}, {}]),
}


@pytest.mark.parametrize("case", list(OPTIMIZER_CASES))
@pytest.mark.filterwarnings("ignore:Adagrad. a parameter group's initial_accumulator_value")
def test_optimizer_groups_sparse_zero_grads_and_reload_match_torch(case):
    name, defaults, extras = OPTIMIZER_CASES[case]
    run_pair(name, defaults, extras)


class StandIn:
    def __init__(self, lrs, betas=None):
        extra = {"betas": betas} if betas is not None else {"momentum": 0.9}
        self.param_groups = [{"params": [], "lr": lr, **extra} for lr in lrs]
        self.defaults = {"lr": lrs[0], **extra}
        self.step_count = 0

    def step(self):
        self.step_count += 1


def torch_opt(lrs, betas=None):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    if betas is not None:
        return torch.optim.Adam(groups, lr=lrs[0], betas=betas)
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def mom(g):
    return g["betas"][0] if "betas" in g else g["momentum"]


def sched_run(module, opt, make, steps, metrics=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = make(module, opt)
        out = [[g["lr"] for g in opt.param_groups] + [mom(g) for g in opt.param_groups]]
        for t in range(steps):
            opt.step()
            s.step() if metrics is None else s.step(metrics[t])
            out.append([g["lr"] for g in opt.param_groups] + [mom(g) for g in opt.param_groups]
                       + list(s.get_last_lr()))
    return np.array(out[1:], dtype=float), out[0]


LRS = [0.1, 0.02, 0.3]
SCHED_CASES = {
    "Cosine past T_max": (lambda m, o: m.CosineAnnealingLR(o, T_max=6, eta_min=0.001), None),
    "CAWR T_mult 3 eta": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3, eta_min=0.002), None),
    "CyclicLR triangular2": (lambda m, o: m.CyclicLR(o, 0.001, [0.1, 0.05, 0.4], step_size_up=3,
                                                     step_size_down=5, mode="triangular2"), None),
    "CyclicLR exp_range": (lambda m, o: m.CyclicLR(o, [0.01, 0.002, 0.03], 0.2, step_size_up=4,
                                                   mode="exp_range", gamma=0.97,
                                                   base_momentum=0.8, max_momentum=0.95), None),
    "CyclicLR scale_fn iterations": (lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                             scale_fn=lambda x: 1 / (1 + 0.1 * x),
                                                             scale_mode="iterations"), None),
    "OneCycle three_phase linear Adam": (lambda m, o: m.OneCycleLR(o, max_lr=[0.2, 0.1, 0.5], total_steps=60,
                                                                   three_phase=True, anneal_strategy="linear",
                                                                   pct_start=0.2), (0.9, 0.99)),
    "OneCycle cos Adam": (lambda m, o: m.OneCycleLR(o, max_lr=0.3, total_steps=60, div_factor=10,
                                                    final_div_factor=100), (0.95, 0.999)),
    "Chained": (lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.5, total_iters=4),
                                                 m.ExponentialLR(o, 0.9)]), None),
    "Sequential exp then step": (lambda m, o: m.SequentialLR(
        o, [m.ExponentialLR(o, 0.9), m.StepLR(o, 3, 0.5)], milestones=[7]), None),
}


@pytest.mark.parametrize("case", list(SCHED_CASES))
def test_scheduler_cases_match_torch(case):
    make, betas = SCHED_CASES[case]
    steps = 59 if "OneCycle" in case else 60
    ours, _ = sched_run(ns, StandIn(LRS, betas), make, steps)
    theirs, _ = sched_run(tls, torch_opt(LRS, betas), make, steps)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-300)


PLATEAU = [
    dict(mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="rel", cooldown=1,
         min_lr=[0.001, 0.002, 0.0]),
    dict(mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2,
         min_lr=0.005, eps=1e-3),
]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=["min rel lists", "max abs eps"])
def test_reduce_on_plateau_audit(kwargs):
    rng = np.random.default_rng(3)
    metrics = list(np.round(np.cumsum(rng.normal(0.0, 1.0, size=60)) % 5.0, 3))
    make = lambda m, o: m.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    ours, _ = sched_run(ns, StandIn(LRS), make, 60, metrics)
    theirs, _ = sched_run(tls, torch_opt(LRS), make, 60, metrics)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-300)
