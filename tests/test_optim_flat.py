"""A group of small parameters is stepped as one flat array: same numbers, bit for bit."""
import copy

import numpy as np
import pytest

import nnopt.optim._flat as flat_module
from nnopt import Parameter
from nnopt.optim import SGD, Adagrad, Adam, NonFiniteGradientError, RMSprop
from nnopt.optim._flat import FlatGroup

from test_optim_base import FACTORIES, make_params, run, set_gradients

ALL = list(FACTORIES)


@pytest.fixture
def per_parameter_only(monkeypatch):
    """Switch the flat path off: every group is stepped parameter by parameter."""
    monkeypatch.setattr(flat_module, "FLAT_MAX_MEAN_SIZE", 0)


def three_params(dtype=np.float64, seed=0):
    return make_params(dtype, seed) + [Parameter(np.linspace(-1, 1, 4).reshape(2, 2), name="c", dtype=dtype)]


def scenario(name, params):
    """Steps with everything that could desynchronise flat and per-parameter state."""
    opt = FACTORIES[name](params)
    run(opt, params, 3)
    for group in opt.param_groups:                     # a scheduler changes the lr
        group["lr"] *= 0.5
    run(opt, params, 2, start=3)
    first = params[0]
    for value in opt.state.get(first, {}).values():    # an in-place edit of the state
        if isinstance(value, np.ndarray):
            value *= 0.5
    run(opt, params, 2, start=5)
    saved = copy.deepcopy(opt.state_dict())
    run(opt, params, 2, start=7)                       # then resume from the saved state
    opt.load_state_dict(saved)
    run(opt, params, 3, start=9)
    return opt


@pytest.mark.parametrize("name", ALL)
def test_flat_and_per_parameter_paths_give_identical_numbers(name, monkeypatch):
    flat_params = three_params()
    flat_opt = scenario(name, flat_params)
    monkeypatch.setattr(flat_module, "FLAT_MAX_MEAN_SIZE", 0)
    each_params = three_params()
    each_opt = scenario(name, each_params)
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)
        assert flat_opt.state[p].keys() == each_opt.state[q].keys()
        for key, value in each_opt.state[q].items():
            np.testing.assert_array_equal(flat_opt.state[p][key], value)
    assert flat_opt.step_count == each_opt.step_count == 7 + 3   # restored to 7, then 3 more


@pytest.mark.parametrize("name", ALL)
def test_a_gradient_set_to_none_midway_falls_back_correctly(name, monkeypatch):
    def with_a_gap(params):
        opt = FACTORIES[name](params)
        run(opt, params, 2)
        set_gradients(params, 2)
        saved_grad, params[1].grad = params[1].grad, None   # parameter 1 skips a step
        opt.step()
        params[1].grad = saved_grad
        run(opt, params, 3, start=3)
        return opt

    flat_params = three_params()
    with_a_gap(flat_params)
    monkeypatch.setattr(flat_module, "FLAT_MAX_MEAN_SIZE", 0)
    each_params = three_params()
    with_a_gap(each_params)
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)


def test_state_entries_are_views_of_the_parameter_shape():
    params = three_params()
    opt = Adam(params, lr=0.1)
    run(opt, params, 2)
    for p in params:
        assert opt.state[p]["exp_avg"].shape == p.value.shape
        assert opt.state[p]["step"] == 2
    # zeroing one parameter's first moment in place changes its next step (the view is live)
    opt.state[params[2]]["exp_avg"][...] = 0.0
    opt.state[params[2]]["exp_avg_sq"][...] = 0.0
    before = params[2].value.copy()
    set_gradients(params, 2)
    g = params[2].grad.copy()
    opt.step()
    # with m = v = 0 the Adam step is lr·(0.1g/c₁)/(√(0.001g²/c₂) + eps) at t = 3
    c1, c2 = 1 - 0.9**3, 1 - 0.999**3
    expected = before - 0.1 * (0.1 * g / c1) / (np.sqrt(0.001 * g * g / c2) + 1e-8)
    np.testing.assert_allclose(params[2].value, expected, rtol=1e-12)


def test_emptied_state_restarts_that_parameter(monkeypatch):
    def reset_one(params):
        opt = Adam(params, lr=0.1)
        run(opt, params, 2)
        opt.state[params[0]] = {}                      # forget parameter 0, as in torch
        run(opt, params, 2, start=2)
        return opt

    flat_params = three_params()
    flat_opt = reset_one(flat_params)
    assert flat_opt.state[flat_params[0]]["step"] == 2 and flat_opt.state[flat_params[1]]["step"] == 4
    monkeypatch.setattr(flat_module, "FLAT_MAX_MEAN_SIZE", 0)
    each_params = three_params()
    reset_one(each_params)
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)


def test_switching_options_on_mid_run_matches(monkeypatch):
    def switch(params):
        opt = RMSprop(params, lr=0.01)
        run(opt, params, 2)
        opt.param_groups[0]["momentum"] = 0.9          # creates the buffers mid-run
        opt.param_groups[0]["centered"] = True
        run(opt, params, 3, start=2)
        sgd = SGD(params, lr=0.01)
        run(sgd, params, 1)
        sgd.param_groups[0]["momentum"] = 0.5          # SGD's buffer starts at g
        run(sgd, params, 2, start=1)

    flat_params = three_params()
    switch(flat_params)
    monkeypatch.setattr(flat_module, "FLAT_MAX_MEAN_SIZE", 0)
    each_params = three_params()
    switch(each_params)
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)


def test_non_finite_gradient_in_a_flat_group_names_the_parameter_and_writes_nothing():
    params = three_params()
    opt = Adagrad(params, lr=0.1)
    run(opt, params, 1)
    values = [p.value.copy() for p in params]
    sums = [opt.state[p]["sum"].copy() for p in params]
    set_gradients(params, 1)
    params[2].grad[1, 0] = np.nan
    with pytest.raises(NonFiniteGradientError, match=r"parameter 2 \(Parameter\('c'"):
        opt.step()
    for p, v, s in zip(params, values, sums):
        np.testing.assert_array_equal(p.value, v)
        np.testing.assert_array_equal(opt.state[p]["sum"], s)


def test_which_groups_are_flattened():
    small = three_params()
    assert FlatGroup(small, 2).enabled
    assert not FlatGroup(small[:1], 2).enabled                         # one parameter: nothing to gain
    big = [Parameter(np.zeros(100_000)), Parameter(np.zeros(100_000))]
    assert not FlatGroup(big, 2).enabled                                # copies would cost more
    mixed = [Parameter(np.zeros(3)), Parameter(np.zeros(3), dtype=np.float32)]
    assert not FlatGroup(mixed, 2).enabled


def test_mixed_dtypes_in_one_group_still_step():
    p64, p32 = Parameter([1.0, 2.0]), Parameter([1.0, 2.0], dtype=np.float32)
    opt = Adam([p64, p32], lr=0.1)
    for p in (p64, p32):
        p.grad[...] = [0.5, -1.0]
    opt.step()
    assert p32.value.dtype == np.float32
    np.testing.assert_allclose(p64.value, [0.9, 2.1], rtol=1e-7)
    np.testing.assert_allclose(p32.value, [0.9, 2.1], rtol=1e-6)


def test_parameters_appended_to_a_group_later_are_picked_up(per_parameter_only):
    a, b = make_params()
    opt = Adam([a], lr=0.1)
    run(opt, [a], 1)
    opt.param_groups[0]["params"].append(b)            # not the torch way, but it must not break
    run(opt, [a, b], 2, start=1)
    assert opt.state[a]["step"] == 3 and opt.state[b]["step"] == 2
