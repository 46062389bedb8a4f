"""The Optimizer base, checked on every algorithm: groups, state_dict, bad input, dtypes."""
import copy
import warnings

import numpy as np
import pytest

from nnopt import Parameter
from nnopt.optim import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    ClipGradNorm,
    Lion,
    Momentum,
    NAdam,
    NonFiniteGradientError,
    Optimizer,
    RAdam,
    RMSprop,
    coupled_gradient,
)

# One configuration per algorithm, with the options that add state switched on.
FACTORIES = {
    "SGD": lambda params, lr=0.05: SGD(params, lr=lr, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "SGD-nesterov": lambda params, lr=0.05: SGD(params, lr=lr, momentum=0.9, nesterov=True, maximize=False),
    "Momentum": lambda params, lr=0.05: Momentum(params, lr=lr, beta=0.8, bias_correction=True),
    "Adagrad": lambda params, lr=0.1: Adagrad(params, lr=lr, lr_decay=0.01, initial_accumulator_value=0.1),
    "Adadelta": lambda params, lr=1.0: Adadelta(params, lr=lr, rho=0.8, weight_decay=0.01),
    "RMSprop": lambda params, lr=0.01: RMSprop(params, lr=lr, centered=True, momentum=0.5),
    "Adam": lambda params, lr=0.01: Adam(params, lr=lr, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda params, lr=0.01: AdamW(params, lr=lr, amsgrad=True),
    "Adamax": lambda params, lr=0.01: Adamax(params, lr=lr, weight_decay=0.01),
    "NAdam": lambda params, lr=0.01: NAdam(params, lr=lr, weight_decay=0.01, decoupled_weight_decay=True),
    "RAdam": lambda params, lr=0.01: RAdam(params, lr=lr, betas=(0.9, 0.9), weight_decay=0.01),
    "Lion": lambda params, lr=0.01: Lion(params, lr=lr, weight_decay=0.1),
}
ALL = list(FACTORIES)


def make_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [Parameter(rng.normal(size=(3, 2)), name="W", dtype=dtype),
            Parameter(rng.normal(size=(2,)), name="b", dtype=dtype)]


def set_gradients(params, k):
    """A gradient that depends on θ (so paths that differ stay different) and on the step k."""
    for p in params:
        p.grad[...] = np.sin(2.0 * p.value) + 0.3 * p.value - 0.1 * k


def run(optimizer, params, steps, start=0):
    for k in range(start, start + steps):
        set_gradients(params, k)
        optimizer.step()


# ---------------------------------------------------------------- construction
def test_groups_are_filled_from_defaults_and_keep_overrides():
    a, b = make_params()
    opt = Adam([{"params": [a], "lr": 0.5}, {"params": b, "betas": (0.5, 0.6)}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["betas"] == (0.9, 0.999)
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.5, 0.6)
    assert opt.param_groups[1]["params"] == [b]            # a single Parameter becomes a list
    assert set(opt.param_groups[0]) == {"params", *opt.defaults}
    assert opt.defaults["eps"] == 1e-8 and opt.step_count == 0 and opt.state == {}


def test_named_parameters_are_accepted_like_torch():
    a, b = make_params()
    opt = SGD([("dense1.W", a), ("dense1.b", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.param_groups[0]["param_names"] == ["dense1.W", "dense1.b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["dense1.W", "dense1.b"]
    with pytest.raises(TypeError, match="mixes Parameters"):
        SGD([("dense1.W", a), b])


def test_add_param_group_and_its_errors():
    a, b = make_params()
    opt = SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.01, "tag": "head"})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0
    assert opt.param_groups[1]["tag"] == "head"            # extra keys are kept, as in torch
    with pytest.raises(ValueError, match=r"already in param_groups\[0\]"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match=r"lr=-1.*param_groups\[2\].*>= 0"):
        opt.add_param_group({"params": [Parameter([1.0])], "lr": -1})
    with pytest.raises(ValueError, match="no 'params' key"):
        opt.add_param_group({"lr": 0.1})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([Parameter([1.0])])
    assert len(opt.param_groups) == 2


def test_repr_lists_groups():
    text = repr(SGD(make_params(), lr=0.25))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.25" in text


@pytest.mark.parametrize("params, error, pattern", [
    ([], ValueError, "empty"),
    ("single", TypeError, "single Parameter"),
    ("set", TypeError, "ordered"),
    ("duplicate", ValueError, "twice"),
    ("duplicate-across-groups", ValueError, r"already in param_groups\[0\]"),
    ("array", TypeError, r"item 0 is a ndarray.*Parameter\(array\)"),
    ("empty-group", ValueError, "empty"),
    ("mixed", TypeError, "do not mix"),
    (3.0, TypeError, "iterable"),
])
@pytest.mark.parametrize("name", ALL)
def test_bad_params(name, params, error, pattern):
    a, b = make_params()
    given = {
        "single": a,
        "set": {a, b},
        "duplicate": [a, b, a],
        "duplicate-across-groups": [{"params": [a, b]}, {"params": [b]}],
        "array": [np.zeros(3)],
        "empty-group": [{"params": []}],
        "mixed": [{"params": [a]}, b],
    }.get(params, params) if isinstance(params, str) else params
    with pytest.raises(error, match=pattern):
        FACTORIES[name](given)


# ---------------------------------------------------------------- stepping
@pytest.mark.parametrize("name", ALL)
def test_step_count_zero_grad_and_closure(name):
    params = make_params()
    opt = FACTORIES[name](params)
    calls = []

    def closure():
        set_gradients(params, 0)
        calls.append(1)
        return 1.25

    assert opt.step(closure) == 1.25 and calls == [1]
    assert opt.step() is None
    assert opt.step_count == 2
    assert all(state["step"] == 2 for state in opt.state.values() if "step" in state)
    opt.zero_grad()
    assert all(not p.grad.any() for p in params)
    with pytest.raises(ValueError, match=r"set_to_none=True\) is not supported"):
        opt.zero_grad(set_to_none=True)


@pytest.mark.parametrize("name", ALL)
def test_parameter_with_grad_none_is_skipped(name):
    a, b = make_params()
    opt = FACTORIES[name]([a, b])
    b_before = b.value.copy()
    set_gradients([a], 0)
    b.grad = None
    opt.step()
    np.testing.assert_array_equal(b.value, b_before)
    assert opt.state.get(b, {}).get("step", 0) == 0   # Adagrad creates its state up front, as torch
    assert a in opt.state


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient_raises_before_anything_is_written(name, bad):
    params = make_params()
    opt = FACTORIES[name](params)
    run(opt, params, 2)
    values = [p.value.copy() for p in params]
    state = copy.deepcopy(opt.state_dict())
    set_gradients(params, 2)
    params[1].grad[1] = bad                   # the *last* parameter: the first must not move either
    expected = r"parameter 1 \(Parameter\('b'.*0 NaN and 1 infinite|parameter 1 \(Parameter\('b'.*1 NaN"
    with pytest.raises(NonFiniteGradientError, match=expected) as info:
        opt.step()
    assert "step 3" in str(info.value) and "lower the learning rate" in str(info.value)
    assert "clip" in str(info.value)
    assert isinstance(info.value, ValueError)
    for p, before in zip(params, values):
        np.testing.assert_array_equal(p.value, before)
    after = opt.state_dict()
    assert after["step_count"] == 2
    for index, entries in state["state"].items():
        for key, value in entries.items():
            np.testing.assert_array_equal(after["state"][index][key], value)


@pytest.mark.parametrize("name", ALL)
def test_step_never_modifies_the_gradients(name):
    params = make_params()
    opt = FACTORIES[name](params)
    for k in range(3):
        set_gradients(params, k)
        grads = [p.grad.copy() for p in params]
        opt.step()
        for p, g in zip(params, grads):
            np.testing.assert_array_equal(p.grad, g)


def test_coupled_gradient():
    p = Parameter([1.0, -2.0])
    p.grad[...] = [0.5, 0.5]
    out = np.empty(2)
    assert coupled_gradient(p, 0, False, out) is p.grad            # nothing to add: no copy
    np.testing.assert_array_equal(coupled_gradient(p, 0, True, out), [-0.5, -0.5])
    np.testing.assert_array_equal(coupled_gradient(p, 0.1, False, out), [0.5 + 0.1, 0.5 - 0.2])
    np.testing.assert_array_equal(coupled_gradient(p, 0.1, True, out), [-0.5 + 0.1, -0.5 - 0.2])
    np.testing.assert_array_equal(p.grad, [0.5, 0.5])


def test_non_finite_check_is_exact_when_the_sum_overflows():
    p = Parameter(np.zeros(2))
    opt = SGD([p], lr=1e-300)
    p.grad[...] = [1e308, 1e308]               # finite, but their sum overflows to inf
    opt.step()                                 # no error: the exact check confirms finiteness
    np.testing.assert_allclose(p.value, [-1e8, -1e8])


@pytest.mark.parametrize("name", ALL)
def test_gradient_of_wrong_shape_or_type(name):
    a, b = make_params()
    opt = FACTORIES[name]([a, b])
    set_gradients([a, b], 0)
    b.grad = np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"parameter 1 .*shape \(2, 1\).*shape \(2,\)"):
        opt.step()
    b.grad = [0.0, 0.0]
    with pytest.raises(TypeError, match="NumPy array"):
        opt.step()


@pytest.mark.parametrize("name", ALL)
def test_float32_parameters_and_state_stay_float32(name):
    params = make_params(dtype=np.float32)
    opt = FACTORIES[name](params)
    run(opt, params, 3)
    for p in params:
        assert p.value.dtype == np.float32 and p.grad.dtype == np.float32
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


@pytest.mark.parametrize("name", ALL)
def test_each_group_moves_with_its_own_learning_rate(name):
    """Two groups with lr 0.02 and 0.005 move exactly like two optimizers with those lrs."""
    grouped = make_params()
    factory = FACTORIES[name]
    opt = factory([{"params": [grouped[0]], "lr": 0.02}, {"params": [grouped[1]], "lr": 0.005}])
    alone_w, alone_b = make_params()
    opt_w, opt_b = factory([alone_w], lr=0.02), factory([alone_b], lr=0.005)
    for k in range(5):
        set_gradients(grouped, k)
        set_gradients([alone_w, alone_b], k)
        opt.step()
        opt_w.step()
        opt_b.step()
    np.testing.assert_array_equal(grouped[0].value, alone_w.value)
    np.testing.assert_array_equal(grouped[1].value, alone_b.value)
    assert not np.allclose(grouped[0].value, make_params()[0].value)   # it did move


@pytest.mark.parametrize("name", ALL)
def test_scheduler_can_change_lr_between_steps(name):
    params = make_params()
    opt = FACTORIES[name](params)
    run(opt, params, 2)
    for group in opt.param_groups:
        group["lr"] = 0.0
    before = [p.value.copy() for p in params]
    run(opt, params, 1, start=2)
    for p, old in zip(params, before):
        np.testing.assert_array_equal(p.value, old)  # lr = 0: nothing moves (decay is lr·λ too)
    for group in opt.param_groups:
        group["lr"] = 0.01
    run(opt, params, 1, start=3)
    assert not np.array_equal(params[0].value, before[0])


# ---------------------------------------------------------------- state_dict
@pytest.mark.parametrize("name", ALL)
def test_resumed_run_equals_uninterrupted_run_exactly(name):
    factory = FACTORIES[name]
    uninterrupted = make_params()
    opt = factory(uninterrupted)
    run(opt, uninterrupted, 10)

    first_half = make_params()
    opt_a = factory(first_half)
    run(opt_a, first_half, 4)
    saved = opt_a.state_dict()
    saved_values = [p.value.copy() for p in first_half]
    run(opt_a, first_half, 3, start=4)        # keep going: must not change the saved dict

    resumed = [Parameter(v, name=p.name) for v, p in zip(saved_values, first_half)]
    opt_b = factory(resumed)
    opt_b.load_state_dict(saved)
    assert opt_b.step_count == 4
    run(opt_b, resumed, 6, start=4)
    for p, q in zip(uninterrupted, resumed):
        np.testing.assert_array_equal(p.value, q.value)
    assert opt_b.step_count == opt.step_count == 10


@pytest.mark.parametrize("name", ALL)
def test_state_dict_is_a_deep_copy_keyed_by_index(name):
    params = make_params()
    opt = FACTORIES[name]([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.001}])
    run(opt, params, 2)
    sd = opt.state_dict()
    assert sd["optimizer"] == type(opt).__name__ and sd["step_count"] == 2
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.001
    assert set(sd["state"]) == {0, 1}
    arrays = {k: v.copy() for k, v in sd["state"][0].items() if isinstance(v, np.ndarray)}
    assert arrays, "every algorithm keeps at least one array of state"
    run(opt, params, 2, start=2)
    opt.param_groups[0]["lr"] = 123.0
    assert sd["param_groups"][0]["lr"] != 123.0
    for key, value in arrays.items():
        np.testing.assert_array_equal(sd["state"][0][key], value)
    # loading copies too: changing the loaded optimizer leaves the dict alone
    other = FACTORIES[name]([{"params": [params[0]]}, {"params": [params[1]]}])
    other.load_state_dict(sd)
    assert other.param_groups[1]["lr"] == 0.001
    run(other, params, 1)
    for key, value in arrays.items():
        np.testing.assert_array_equal(sd["state"][0][key], value)


def test_state_dict_like_torch_for_plain_sgd_and_adagrad():
    params = make_params()
    sgd = SGD(params, lr=0.1)
    run(sgd, params, 2)
    assert sgd.state_dict()["state"] == {}            # no momentum: nothing to remember
    adagrad = Adagrad(params, initial_accumulator_value=0.5)
    before_any_step = adagrad.state_dict()["state"]   # Adagrad's sum exists from construction
    assert before_any_step[1]["step"] == 0
    np.testing.assert_array_equal(before_any_step[1]["sum"], [0.5, 0.5])


def test_state_dict_copies_mutable_hyperparameters_too():
    a, b = make_params()
    opt = Adam([{"params": [a, b], "betas": [0.9, 0.999]}])
    sd = opt.state_dict()
    opt.param_groups[0]["betas"][0] = 0.5
    assert sd["param_groups"][0]["betas"] == [0.9, 0.999]


def test_load_state_dict_errors():
    a, b = make_params()
    adam = Adam([a, b])
    run(adam, [a, b], 1)
    sd = adam.state_dict()
    with pytest.raises(ValueError, match="saved by a Adam optimizer.*into a AdamW"):
        AdamW([a, b]).load_state_dict(sd)
    with pytest.raises(ValueError, match="saved by a Adam optimizer.*into a SGD"):
        SGD([a, b]).load_state_dict(sd)
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer has 2"):
        Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="has 2 parameters, this optimizer's has 1"):
        Adam([a]).load_state_dict(sd)
    with pytest.raises(TypeError, match="state_dict must be a dict"):
        Adam([a, b]).load_state_dict({"lr": 0.1})
    wrong_shape = copy.deepcopy(sd)
    wrong_shape["state"][0]["exp_avg"] = np.zeros(7)
    with pytest.raises(ValueError, match=r"\['exp_avg'\] has shape \(7,\)"):
        Adam([a, b]).load_state_dict(wrong_shape)
    bad_lr = copy.deepcopy(sd)
    bad_lr["param_groups"][0]["lr"] = -0.5
    with pytest.raises(ValueError, match="lr=-0.5"):
        Adam([a, b]).load_state_dict(bad_lr)


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    params64 = make_params()
    opt = Adam(params64)
    run(opt, params64, 1)
    params32 = make_params(dtype=np.float32)
    opt32 = Adam(params32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32


# ---------------------------------------------------------------- hooks
def test_grad_transforms_run_inside_step():
    p = Parameter([0.0, 0.0])
    opt = SGD([p], lr=1.0)
    clip = ClipGradNorm(max_norm=1.0)
    opt.grad_transforms.append(clip)
    p.grad[...] = [3.0, 4.0]                  # norm 5 → scaled to norm 1
    opt.step()
    assert clip.last_norm == pytest.approx(5.0)
    np.testing.assert_allclose(p.value, [-0.6, -0.8], rtol=1e-6)


def test_base_class_needs_an_algorithm():
    p = Parameter([1.0])
    opt = Optimizer([p], {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_huge_finite_gradients_pass_the_finite_check_and_non_finite_ones_do_not():
    from nnopt.optim.optimizer import _all_finite

    huge = np.full(4, 1e200)                    # Σ g² = 4e400 overflows to inf: the exact check decides
    assert _all_finite(huge)
    assert _all_finite(np.float32([3e20, -3e20]))
    assert not _all_finite(np.array([1.0, np.nan]))
    assert not _all_finite(np.array([[1.0, 2.0], [3.0, -np.inf]]))
    p = Parameter([1.0, 2.0, 3.0, 4.0])
    p.grad[...] = huge
    SGD([p], lr=1e-201).step()                  # θ − 1e-201·1e200 = θ − 0.1
    np.testing.assert_allclose(p.value, [0.9, 1.9, 2.9, 3.9])


def test_adamw_state_dict_always_loads_decoupled_like_torch():
    # torch's AdamW.__setstate__ (run by load_state_dict) sets decoupled_weight_decay=True in every
    # group, so a state dict whose group says False still decays θ·(1 − lr·λ) after loading
    a, b = make_params()
    opt = AdamW([a, b], lr=0.1, weight_decay=0.5)
    sd = opt.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = False
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    a.value[...] = 2.0
    a.grad[...] = 0.0
    b.grad[...] = 0.0
    opt.step()  # zero gradient: only the decay acts on a, 2·(1 − 0.1·0.5) = 1.9
    np.testing.assert_allclose(a.value, 1.9, rtol=1e-12)


def test_hyperparameters_changed_after_construction_are_checked_at_the_next_step():
    a, b = make_params()
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    for bad, error in ((float("nan"), ValueError), (-0.1, ValueError), ("0.1", TypeError)):
        opt.param_groups[0]["lr"] = bad
        before = a.value.copy()
        with pytest.raises(error, match=r"lr=.* in param_groups\[0\] \(changed after the optimizer was built\)"):
            opt.step()
        np.testing.assert_array_equal(a.value, before)   # refused before anything was written
    opt.param_groups[0]["lr"] = 0.05                     # a good change (what a scheduler does) is used
    a.grad[...] = 1.0
    b.grad[...] = 0.0
    start = a.value.copy()
    opt.step()
    np.testing.assert_allclose(a.value, start - 0.05, rtol=1e-12)
    adam = Adam([a])
    adam.param_groups[0]["betas"] = (0.9, 1.0)
    with pytest.raises(ValueError, match=r"betas\[1\]=1.0"):
        adam.step()


def test_a_likely_typo_in_a_group_key_is_pointed_out_and_metadata_is_not():
    a, b = make_params()
    with pytest.warns(UserWarning, match="'learning_rate' in param_groups\\[0\\] is not a hyperparameter of SGD.*did you mean 'lr'"):
        SGD([{"params": [a], "learning_rate": 0.5}], lr=0.1)
    with pytest.warns(UserWarning, match="did you mean 'momentum'"):
        SGD([{"params": [b], "momentun": 0.9}], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGD([{"params": [a], "name": "encoder", "tag": 3}], lr=0.1)


def test_a_scheduler_that_writes_a_bad_rate_is_stopped_at_the_next_step():
    from nnopt.schedules import LambdaLR

    a, b = make_params()
    opt = SGD([a, b], lr=0.1)
    scheduler = LambdaLR(opt, lambda epoch: 1.0 if epoch < 2 else -1.0)
    for _ in range(2):
        a.grad[...] = 1.0
        opt.step()
        scheduler.step()
    assert opt.param_groups[0]["lr"] == -0.1
    with pytest.raises(ValueError, match=r"lr=-0.1 in param_groups\[0\] \(changed after"):
        opt.step()
    assert type(copy.deepcopy(opt).param_groups[0]) is type(opt.param_groups[0])
