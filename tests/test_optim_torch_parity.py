"""Same numbers as torch.optim / torch.nn.utils clipping, to ~1e-12 in float64 (skipped without torch)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnopt import Parameter  # noqa: E402
from nnopt import optim  # noqa: E402


@pytest.fixture(autouse=True)
def torch_float64():
    """torch keeps scalar state (step, NAdam's mu_product) in the default dtype: make it float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def gradient(value: np.ndarray, k: int) -> np.ndarray:
    """A gradient that depends on θ, so both runs must follow the same path to agree."""
    return np.sin(3.0 * value) + 0.5 * value - 0.3 + 0.05 * k


SHAPES = [(3, 4), (5,), (1,)]


def compare(name, kwargs, steps=25, groups=None, lr_changes=None):
    rng = np.random.default_rng(7)
    initial = [rng.normal(size=s) for s in SHAPES]
    ours = [Parameter(v.copy()) for v in initial]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in initial]
    if groups is None:
        ours_arg, theirs_arg = ours, theirs
    else:
        ours_arg = [{"params": [ours[i] for i in idx], **extra} for idx, extra in groups]
        theirs_arg = [{"params": [theirs[i] for i in idx], **extra} for idx, extra in groups]
    opt = getattr(optim, name)(ours_arg, **kwargs)
    ref = getattr(torch.optim, name)(theirs_arg, **kwargs)
    for k in range(steps):
        if lr_changes and k in lr_changes:
            for g_ours, g_theirs in zip(opt.param_groups, ref.param_groups):
                g_ours["lr"] = g_theirs["lr"] = g_ours["lr"] * lr_changes[k]
        for p, t in zip(ours, theirs):
            p.grad[...] = gradient(p.value, k)
            t.grad = torch.from_numpy(gradient(t.detach().numpy(), k))
        opt.step()
        ref.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-12,
                                       err_msg=f"{name} {kwargs} step {k + 1}")
    # the state agrees too, under torch's names
    for p, t in zip(ours, theirs):
        for key, value in ref.state[t].items():
            if key in opt.state[p]:
                mine = opt.state[p][key]
                expected = value.detach().numpy() if torch.is_tensor(value) else value
                np.testing.assert_allclose(mine, expected, rtol=1e-12, atol=1e-12, err_msg=key)


CASES = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.3, "weight_decay": 0.1, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.7}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "maximize": True, "eps": 1e-3}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "betas": (0.7, 0.9), "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.05, "eps": 0.1, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "momentum_decay": 0.02}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "betas": (0.8, 0.9)}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_same_numbers_as_torch(name, kwargs):
    compare(name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
                                  "NAdam", "RAdam"])
def test_same_numbers_as_torch_with_groups_and_lr_changes(name):
    kwargs = {"lr": 0.02} if name != "SGD" else {"lr": 0.02, "momentum": 0.9}
    groups = [([0], {"lr": 0.05}), ([1, 2], {"weight_decay": 0.1})]
    compare(name, kwargs, groups=groups, lr_changes={5: 0.5, 12: 3.0})


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax",
                                  "NAdam", "RAdam"])
def test_same_defaults_as_torch(name):
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
    ours = getattr(optim, name)([Parameter([0.0])]).defaults
    for key, value in ours.items():
        assert theirs[key] == value, (name, key)


def test_momentum_equals_torch_sgd_with_scaled_lr():
    alpha, beta = 0.2, 0.9
    p = Parameter([1.5, -0.5])
    t = torch.tensor([1.5, -0.5], requires_grad=True)
    ours = optim.Momentum([p], lr=alpha, beta=beta)
    ref = torch.optim.SGD([t], lr=alpha * (1 - beta), momentum=beta)
    for k in range(30):
        p.grad[...] = gradient(p.value, k)
        t.grad = torch.from_numpy(gradient(t.detach().numpy(), k))
        ours.step()
        ref.step()
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-13)


# ---------------------------------------------------------------- clipping
def grad_pairs(seed=3, scale=1.0):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s) * scale for s in SHAPES]
    ours = []
    theirs = []
    for v in values:
        p = Parameter(np.zeros(v.shape))
        p.grad[...] = v
        ours.append(p)
        t = torch.zeros(v.shape, requires_grad=True)
        t.grad = torch.from_numpy(v.copy())
        theirs.append(t)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, 0.5, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = grad_pairs()
    total = optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total == pytest.approx(float(expected), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grad_norm_non_finite_matches_torch(bad):
    ours, theirs = grad_pairs()
    ours[0].grad[0, 1] = bad
    theirs[0].grad[0, 1] = bad
    total = optim.clip_grad_norm_(ours, 1.0)
    expected = float(torch.nn.utils.clip_grad_norm_(theirs, 1.0))
    assert (math.isnan(total) and math.isnan(expected)) or total == expected
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(np.isnan(p.grad), np.isnan(t.grad.numpy()))
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=0)
    ours, theirs = grad_pairs()
    ours[1].grad[2] = bad
    theirs[1].grad[2] = bad
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError):       # NonFiniteGradientError is a RuntimeError too
        optim.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = grad_pairs()
    optim.clip_grad_value_(ours, clip_value)
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())


def test_clip_inside_step_matches_torch_clip_then_step():
    rng = np.random.default_rng(11)
    initial = [rng.normal(size=s) for s in SHAPES]
    ours = [Parameter(v.copy()) for v in initial]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in initial]
    opt = optim.Adam(ours, lr=0.05)
    opt.grad_transforms.append(optim.ClipGradNorm(0.5))
    ref = torch.optim.Adam(theirs, lr=0.05)
    for k in range(10):
        for p, t in zip(ours, theirs):
            p.grad[...] = 5 * gradient(p.value, k)
            t.grad = torch.from_numpy(5 * gradient(t.detach().numpy(), k))
        opt.step()
        torch.nn.utils.clip_grad_norm_(theirs, 0.5)
        ref.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.value, t.detach().numpy(), rtol=1e-12, atol=1e-12)
