"""Parameters that share one buffer are stepped as one flat array: same numbers, bit for bit.

Every test runs the same scenario twice: on parameters whose values and gradients are views
of one buffer (as a Sequential's are: the flat path) and on separate arrays (the
parameter-by-parameter loop), and compares the numbers exactly.
"""
import copy

import numpy as np
import pytest

from nnopt import Parameter
from nnopt.nn import mlp
from nnopt.nn.model import _share_one_buffer
from nnopt.optim import SGD, Adagrad, Adam, ClipGradNorm, NonFiniteGradientError, RMSprop
from nnopt.optim._flat import FlatGroup, shared_slice

from test_optim_base import FACTORIES, make_params, run, set_gradients

ALL = list(FACTORIES)


def three_params(dtype=np.float64, seed=0, shared=True):
    """W (3, 2), b (2,), c (2, 2): views of one buffer (``shared``) or separate arrays."""
    params = make_params(dtype, seed) + [Parameter(np.linspace(-1, 1, 4).reshape(2, 2), name="c", dtype=dtype)]
    if shared:
        _share_one_buffer(params, np.dtype(dtype))
    return params


def flat_plans(opt):
    """The groups the optimizer steps as one flat array."""
    return [flat for flat in opt._flat_groups.values() if flat.holds(flat.params)]


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
def test_flat_and_per_parameter_paths_give_identical_numbers(name):
    flat_params = three_params()
    flat_opt = scenario(name, flat_params)
    assert len(flat_plans(flat_opt)) == 1
    each_params = three_params(shared=False)
    each_opt = scenario(name, each_params)
    assert flat_plans(each_opt) == []
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)
        assert flat_opt.state[p].keys() == each_opt.state[q].keys()
        for key, value in each_opt.state[q].items():
            np.testing.assert_array_equal(flat_opt.state[p][key], value)
    assert flat_opt.step_count == each_opt.step_count == 7 + 3   # restored to 7, then 3 more


@pytest.mark.parametrize("name", ALL)
def test_a_gradient_set_to_none_midway_falls_back_correctly(name):
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
    each_params = three_params(shared=False)
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


def test_emptied_state_restarts_that_parameter():
    def reset_one(params):
        opt = Adam(params, lr=0.1)
        run(opt, params, 2)
        opt.state[params[0]] = {}                      # forget parameter 0, as in torch
        run(opt, params, 2, start=2)
        return opt

    flat_params = three_params()
    flat_opt = reset_one(flat_params)
    assert flat_opt.state[flat_params[0]]["step"] == 2 and flat_opt.state[flat_params[1]]["step"] == 4
    each_params = three_params(shared=False)
    reset_one(each_params)
    for p, q in zip(flat_params, each_params):
        np.testing.assert_array_equal(p.value, q.value)


def test_switching_options_on_mid_run_matches():
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
    each_params = three_params(shared=False)
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
    shared = three_params()
    flat = FlatGroup.of(shared, 2)
    assert flat is not None
    assert np.shares_memory(flat.param.value, shared[0].value) and flat.param.value.size == 6 + 2 + 4
    assert np.shares_memory(flat.param.grad, shared[2].grad)
    assert FlatGroup.of(shared[1:], 2) is not None                      # a contiguous part of the buffer
    assert FlatGroup.of(shared[:1], 2) is None                          # one parameter: nothing to gain
    assert FlatGroup.of([shared[0], shared[2]], 2) is None              # a gap (b is left out)
    assert FlatGroup.of([shared[1], shared[0]], 2) is None              # out of order
    assert FlatGroup.of(three_params(shared=False), 2) is None          # separate arrays
    mixed = [Parameter(np.zeros(3)), Parameter(np.zeros(3), dtype=np.float32)]
    assert FlatGroup.of(mixed, 2) is None


def test_shared_slice_needs_consecutive_views_of_one_buffer():
    buffer = np.arange(10.0)
    parts = [buffer[2:5], buffer[5:9].reshape(2, 2)]
    np.testing.assert_array_equal(shared_slice(parts), [2, 3, 4, 5, 6, 7, 8])
    assert shared_slice([buffer[2:5], buffer[6:9]]) is None             # gap between them
    assert shared_slice([buffer[0:6:2], buffer[6:9]]) is None           # strided view
    assert shared_slice([buffer[2:5], np.arange(3.0)]) is None          # another buffer
    assert shared_slice([np.zeros(3), np.zeros(3)]) is None             # owners, not views


def test_a_rebound_gradient_is_noticed():
    def rebind_midway(params):
        opt = Adam(params, lr=0.1)
        run(opt, params, 1)
        params[1].grad = np.ones(2)                      # no longer a view of the gradient buffer
        opt.step()
        run(opt, params, 2, start=2)
        opt.zero_grad()
        np.testing.assert_array_equal(params[1].grad, [0.0, 0.0])
        return opt

    shared, separate = three_params(), three_params(shared=False)
    assert flat_plans(rebind_midway(shared)) == []
    rebind_midway(separate)
    for p, q in zip(shared, separate):
        np.testing.assert_array_equal(p.value, q.value)


def test_a_model_is_stepped_as_one_flat_array_with_no_copies():
    model = mlp([4, 5, 3], seed=0)
    values, grads = model._values, model._grads
    params = model.parameters()
    for p in params:
        assert p.value.base is values and p.grad.base is grads
    opt = Adam(params, lr=0.01)
    X, y = np.random.default_rng(0).normal(size=(8, 4)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    model.loss(X, y)
    opt.zero_grad()
    model.backward()
    opt.step()
    (flat,) = flat_plans(opt)
    assert flat.param.value.base is values and flat.param.value.size == values.size == 4 * 5 + 5 + 5 * 3 + 3
    assert flat.param.grad.base is grads
    for p in params:                                      # still views: nothing was rebound
        assert p.value.base is values and p.grad.base is grads
        assert np.shares_memory(opt.state[p]["exp_avg"], flat.state["exp_avg"])
    opt.zero_grad()
    assert not grads.any()


def test_one_group_per_layer_and_first_layer_versus_rest_match_per_parameter():
    X = np.random.default_rng(1).normal(size=(16, 4))
    y = np.arange(16) % 3

    def train(groups_of, shared):
        model = mlp([4, 6, 5, 3], seed=2)
        if not shared:                                    # give every parameter its own arrays
            for p in model.parameters():
                p.value, p.grad = p.value.copy(), p.grad.copy()
        opt = Adam(groups_of(model), lr=0.01)
        opt.grad_transforms.append(ClipGradNorm(0.5))
        for step in range(4):
            model.loss(X, y)
            opt.zero_grad()
            model.backward()
            opt.step()
            if step == 1:                                 # creates max_exp_avg_sq mid-run
                opt.param_groups[-1]["amsgrad"] = True
        return model, opt

    per_layer = lambda model: [{"params": ps, "lr": 0.01 * (i + 1)} for i, (_, ps) in enumerate(model.layer_groups())]
    first_vs_rest = lambda model: [{"params": model.parameters()[:2]}, {"params": model.parameters()[2:], "lr": 0.02}]
    for groups_of, n_flat in ((per_layer, 3), (first_vs_rest, 2)):
        flat_model, flat_opt = train(groups_of, shared=True)
        each_model, _ = train(groups_of, shared=False)
        assert len(flat_plans(flat_opt)) == n_flat
        for p, q in zip(flat_model.parameters(), each_model.parameters()):
            np.testing.assert_array_equal(p.value, q.value)


def test_add_param_group_and_state_dict_round_trip_on_a_model():
    model, twin = mlp([3, 4, 2], seed=0), mlp([3, 4, 2], seed=0)
    X, y = np.random.default_rng(3).normal(size=(6, 3)), np.array([0, 1, 0, 1, 1, 0])

    def train(model, opt, steps):
        for _ in range(steps):
            model.loss(X, y)
            opt.zero_grad()
            model.backward()
            opt.step()

    opt = Adam(model.parameters()[:2], lr=0.05)
    train(model, opt, 2)
    opt.add_param_group({"params": model.parameters()[2:], "lr": 0.01})
    train(model, opt, 2)
    saved = copy.deepcopy(opt.state_dict())
    twin_opt = Adam(twin.parameters()[:2], lr=0.05)
    twin_opt.add_param_group({"params": twin.parameters()[2:], "lr": 0.01})
    for p, q in zip(model.parameters(), twin.parameters()):
        q.value[...] = p.value
    twin_opt.load_state_dict(saved)
    train(model, opt, 3)
    train(twin, twin_opt, 3)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p.value, q.value)
        np.testing.assert_array_equal(opt.state[p]["exp_avg_sq"], twin_opt.state[q]["exp_avg_sq"])
    assert opt.state[model.parameters()[0]]["step"] == 7 and opt.state[model.parameters()[2]]["step"] == 5


def test_mixed_dtypes_in_one_group_still_step():
    p64, p32 = Parameter([1.0, 2.0]), Parameter([1.0, 2.0], dtype=np.float32)
    opt = Adam([p64, p32], lr=0.1)
    for p in (p64, p32):
        p.grad[...] = [0.5, -1.0]
    opt.step()
    assert p32.value.dtype == np.float32
    np.testing.assert_allclose(p64.value, [0.9, 2.1], rtol=1e-7)
    np.testing.assert_allclose(p32.value, [0.9, 2.1], rtol=1e-6)


def test_parameters_appended_to_a_group_later_are_picked_up():
    a, b = make_params()
    opt = Adam([a], lr=0.1)
    run(opt, [a], 1)
    opt.param_groups[0]["params"].append(b)            # not the torch way, but it must not break
    run(opt, [a, b], 2, start=1)
    assert opt.state[a]["step"] == 3 and opt.state[b]["step"] == 2
