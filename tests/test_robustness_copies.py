"""Copies, pickles, state edits and dtypes: a copy trains exactly like the original.

Every test compares against the original trained on after the copy was taken, bit for bit,
so a copy whose parameters lost their shared buffer (model.zero_grad() then leaves stale
gradients) or an optimizer that ignores a state write makes it fail.
"""
import copy
import re
import pickle

import numpy as np
import pytest

from nnopt import Parameter
from nnopt.nn import mlp
from nnopt.optim import SGD

from test_optim_base import FACTORIES

ALL = list(FACTORIES)
RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 6))
Y = RNG.integers(0, 3, 40)


def deep(obj):
    return copy.deepcopy(obj)


def pickled(obj):
    return pickle.loads(pickle.dumps(obj))


COPIES = {"deepcopy": deep, "pickle": pickled}


def train(model, opt, steps=10, batch=8):
    """Manual steps (model.zero_grad, as a learner would write them); the values after each."""
    seen = []
    for k in range(steps):
        rows = slice((k * batch) % len(X), (k * batch) % len(X) + batch)
        model.loss(X[rows], Y[rows])
        model.zero_grad()
        model.backward()
        opt.step()
        seen.append(np.concatenate([p.value.ravel() for p in model.parameters()]))
    return np.array(seen)


def trained_pair(name, steps=3):
    model = mlp([6, 8, 5, 3], seed=1)
    opt = FACTORIES[name](model.parameters())
    train(model, opt, steps)
    return model, opt


@pytest.mark.parametrize("how", COPIES)
def test_copied_model_keeps_its_flat_buffers_and_zero_grad_clears(how):
    model = mlp([6, 8, 3], seed=0)
    model.loss(X, Y)
    model.backward()
    clone = COPIES[how](model)
    for p in clone.parameters():
        assert p.value.base is clone._values and p.grad.base is clone._grads
        assert not np.shares_memory(p.value, model._values)
    clone.zero_grad()
    assert all(not p.grad.any() for p in clone.parameters())
    assert any(p.grad.any() for p in model.parameters())   # the original is untouched


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("name", ALL)
def test_copied_model_with_a_new_optimizer_trains_like_the_original(name, how):
    model, _ = trained_pair(name)
    clone = COPIES[how](model)
    expected = train(model, FACTORIES[name](model.parameters()))
    got = train(clone, FACTORIES[name](clone.parameters()))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("name", ALL)
def test_model_and_optimizer_copied_together_train_like_the_original(name, how):
    model, opt = trained_pair(name)
    clone, clone_opt = COPIES[how]((model, opt))
    assert [id(p) for p in clone_opt.param_groups[0]["params"]] == [id(p) for p in clone.parameters()]
    expected = train(model, opt)
    got = train(clone, clone_opt)
    np.testing.assert_array_equal(got, expected)
    assert clone_opt.step_count == opt.step_count


@pytest.mark.parametrize("how", COPIES)
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Lion"])
def test_optimizer_state_dict_round_trip_into_a_copied_model(name, how):
    model, opt = trained_pair(name)
    saved = COPIES[how](opt.state_dict())
    clone = deep(model)
    clone_opt = FACTORIES[name](clone.parameters())
    clone_opt.load_state_dict(saved)
    np.testing.assert_array_equal(train(clone, clone_opt), train(model, opt))


def test_optimizer_copied_alone_steps_its_own_copies():
    model, opt = trained_pair("Adam")
    before = [p.value.copy() for p in model.parameters()]
    alone = deep(opt)
    for p in alone.param_groups[0]["params"]:
        p.grad[...] = 1.0
    alone.step()
    for p, value in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.value, value)


def test_state_dict_holds_plain_dicts():
    _, opt = trained_pair("Adam")
    assert all(type(values) is dict for values in opt.state_dict()["state"].values())
    assert all(type(values) is dict for values in deep(opt).state.values())


# ---------------------------------------------------------------- writes into optimizer.state
def separate_copy(model):
    """The same parameters as separate arrays: stepped parameter by parameter (no flat path)."""
    return [Parameter(p.value, name=p.name) for p in model.parameters()]


def train_both(name, edit, steps=6, edit_at=3):
    """Train a model (flat path) and separate copies of its parameters (per-parameter path)
    on the same gradients, applying ``edit(opt, params)`` to both after ``edit_at`` steps."""
    model = mlp([6, 8, 3], seed=2)
    flat_params = model.parameters()
    each_params = separate_copy(model)
    flat_opt, each_opt = FACTORIES[name](flat_params), FACTORIES[name](each_params)
    for k in range(steps):
        model.loss(X[:16], Y[:16])
        model.zero_grad()
        model.backward()
        for p, q in zip(each_params, flat_params):
            p.grad[...] = q.grad
        flat_opt.step()
        each_opt.step()
        for p, q in zip(each_params, flat_params):
            np.testing.assert_array_equal(p.value, q.value)   # same numbers so far
        if k + 1 == edit_at:
            edit(flat_opt, flat_params)
            edit(each_opt, each_params)
    return flat_opt, each_opt, flat_params, each_params


def assert_same_state(a, b):
    sa, sb = a.state_dict()["state"], b.state_dict()["state"]
    assert sa.keys() == sb.keys()
    for index in sa:
        assert sa[index].keys() == sb[index].keys()
        for key in sa[index]:
            np.testing.assert_array_equal(sa[index][key], sb[index][key])


def replace_arrays(opt, params):
    for key, value in list(opt.state[params[0]].items()):
        if isinstance(value, np.ndarray):
            opt.state[params[0]][key] = np.full_like(value, 0.25)


def reset_step_of_one(opt, params):
    opt.state[params[1]]["step"] = 0


def reset_step_of_all(opt, params):
    for p in params:
        opt.state[p]["step"] = 1


def update_dict(opt, params):
    state = opt.state[params[2]]
    state.update({key: np.zeros_like(value) for key, value in state.items() if isinstance(value, np.ndarray)})


EDITS = [replace_arrays, reset_step_of_one, reset_step_of_all, update_dict]
WITH_STEP = [name for name in ALL if name not in ("SGD", "SGD-nesterov", "Adadelta")]


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", ALL)
def test_writes_into_the_state_are_used_by_the_flat_step(name, edit):
    if "step" in edit.__name__ and name not in WITH_STEP:
        pytest.skip("this optimizer keeps no step count")
    flat_opt, each_opt, _, _ = train_both(name, edit)
    assert_same_state(flat_opt, each_opt)


def test_replaced_exp_avg_changes_the_next_step():
    """Zeroing exp_avg by assignment must change the path (it did not when it was ignored)."""
    untouched = train_both("Adam", lambda opt, params: None)[2]
    edited = train_both("Adam", replace_arrays)[2]
    assert not np.array_equal(untouched[0].value, edited[0].value)


def test_state_dict_right_after_a_write_saves_it():
    model = mlp([6, 8, 3], seed=2)
    opt = FACTORIES["Adam"](model.parameters())
    train(model, opt, 2)
    p = model.parameters()[0]
    opt.state[p]["step"] = 0
    opt.state[p]["exp_avg"] = np.ones_like(p.value)
    saved = opt.state_dict()["state"][0]
    assert saved["step"] == 0 and np.all(saved["exp_avg"] == 1)


@pytest.mark.parametrize("bad", [0, 0.0, np.zeros(3), None])
def test_a_state_array_replaced_by_the_wrong_thing_is_refused(bad):
    model = mlp([6, 8, 3], seed=2)
    opt = FACTORIES["Adam"](model.parameters())
    train(model, opt, 2)
    p = model.parameters()[0]
    opt.state[p]["exp_avg"] = bad
    with pytest.raises(ValueError, match=r"state\[.*'exp_avg'\] must be an array of shape \(6, 8\)"):
        train(model, opt, 1)


def test_an_in_place_write_needs_no_rebuild():
    model = mlp([6, 8, 3], seed=2)
    opt = FACTORIES["Adam"](model.parameters())
    train(model, opt, 2)
    flat = next(iter(opt._flat_groups.values()))
    state = flat.state
    opt.state[model.parameters()[0]]["exp_avg"][...] = 0.0
    opt.state[model.parameters()[0]]["exp_avg"] += 1.0     # __iadd__ then a same-object write
    train(model, opt, 1)
    assert flat.state is state and np.all(flat.state["exp_avg"][:48] != 1.0)


# ---------------------------------------------------------------- dtype of the state
@pytest.mark.parametrize("name", ALL + ["SGD-plain-momentum"])
def test_state_keeps_the_parameter_dtype_with_float64_gradients(name):
    factory = FACTORIES.get(name, lambda ps: SGD(ps, lr=0.05, momentum=0.9))
    p = Parameter(np.linspace(-1, 1, 6).reshape(3, 2), dtype=np.float32)
    opt = factory([p])
    for k in range(3):
        p.grad = np.cos(np.arange(6.0) + k).reshape(3, 2)     # float64 gradient
        opt.step()
    assert p.value.dtype == np.float32
    for key, value in opt.state[p].items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, (name, key, value.dtype)


def test_sgd_momentum_buffer_float32_by_hand():
    p = Parameter([1.0, 2.0], dtype=np.float32)
    opt = SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.array([0.5, -1.0])
    opt.step()
    buffer = opt.state[p]["momentum_buffer"]
    assert buffer.dtype == np.float32
    np.testing.assert_array_equal(buffer, np.array([0.5, -1.0], np.float32))
    np.testing.assert_array_equal(p.value, np.array([0.95, 2.1], np.float32))


def test_the_course_errors_survive_pickle_and_deepcopy_with_their_data():
    # a diverging run inside a worker process (ProcessPoolExecutor) sends its error back pickled
    import copy
    import pickle
    from pathlib import Path

    from nnopt.data.loaders import DataIntegrityError
    from nnopt.landscapes import Quadratic, make_factory, trajectory
    from nnopt.landscapes.trajectory import TrajectoryDiverged
    from nnopt.train import History, TrainingDiverged

    history = History()
    history.train_loss.append(1.5)
    errors = [TrainingDiverged("the loss became nan", history),
              DataIntegrityError(Path("data/stocks.csv"), "ab" * 32, "cd" * 32)]
    try:
        trajectory(make_factory("GD", lr=3.0), Quadratic(condition_number=10), steps=200, on_divergence="raise")
    except TrajectoryDiverged as error:
        errors.append(error)
    assert len(errors) == 3
    for error in errors:
        for twin in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
            assert type(twin) is type(error) and str(twin) == str(error)
    assert pickle.loads(pickle.dumps(errors[0])).history.train_loss == [1.5]
    np.testing.assert_array_equal(copy.deepcopy(errors[2]).result.path, errors[2].result.path)


# ---- writes into the state of a parameter stepped on its own (a single Parameter, a 2-D point)
def _adam_after_one_step():
    from nnopt.optim import Adam
    from nnopt.parameter import Parameter

    p = Parameter(np.array([1.0, -2.0]))
    opt = Adam([p], lr=0.1)
    p.grad[...] = [0.5, -0.5]
    opt.step()
    return p, opt


@pytest.mark.parametrize("value, error, words", [
    (0, TypeError, "must be an array of shape (2,)"),
    (np.zeros(3), ValueError, "must have the parameter's shape (2,)"),
    (np.zeros(2, dtype=int), TypeError, "must be a float array"),
    (np.array([np.nan, 0.0]), ValueError, "contains NaN or inf"),
])
def test_a_bad_write_into_a_single_parameters_state_is_refused_before_anything_changes(value, error, words):
    p, opt = _adam_after_one_step()
    before = p.value.copy()
    opt.state[p]["exp_avg"] = value
    p.grad[...] = [0.5, -0.5]
    with pytest.raises(error, match=re.escape(words)):
        opt.step()
    np.testing.assert_array_equal(p.value, before)


def test_a_good_write_into_a_single_parameters_state_is_honoured_like_torch():
    p, opt = _adam_after_one_step()
    opt.state[p]["exp_avg"] = np.zeros(2)       # momentum forgotten: as torch, the write is used
    opt.state[p]["step"] = 0                    # and the bias correction restarts
    p.grad[...] = [0.5, -0.5]
    start = p.value.copy()
    opt.step()
    # step 1 again from m = 0, but v holds 0.001·0.25 from before: v = 0.999·0.00025 + 0.001·0.25
    m_hat = 0.1 * 0.5 / (1 - 0.9)
    v_hat = (0.999 * 0.00025 + 0.00025) / (1 - 0.999)
    np.testing.assert_allclose(p.value, start - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8) * np.array([1, -1]), rtol=1e-12)


@pytest.mark.parametrize("step, words", [(-1, "whole number >= 0"), ("3", "whole number >= 0"), (None, ">= 0")])
def test_a_bad_step_count_in_the_state_is_refused(step, words):
    p, opt = _adam_after_one_step()
    opt.state[p]["step"] = step
    with pytest.raises(ValueError, match=words):
        opt.step()


def test_a_deleted_state_entry_is_named():
    p, opt = _adam_after_one_step()
    del opt.state[p]["exp_avg"]
    with pytest.raises(KeyError, match="lost its entry 'exp_avg'"):
        opt.step()


def test_load_state_dict_refuses_contents_it_cannot_use():
    p, opt = _adam_after_one_step()
    good = opt.state_dict()
    scalar = copy.deepcopy(good)
    scalar["state"][0]["exp_avg"] = 0.0
    with pytest.raises(TypeError, match=re.escape("state_dict['state'][0]['exp_avg'] must be an array")):
        opt.load_state_dict(scalar)
    not_a_dict = copy.deepcopy(good)
    not_a_dict["state"][0] = 5
    with pytest.raises(TypeError, match="must be a dict"):
        opt.load_state_dict(not_a_dict)
    negative = copy.deepcopy(good)
    negative["step_count"] = -3
    with pytest.raises(ValueError, match="step_count"):
        opt.load_state_dict(negative)
    unnamed = copy.deepcopy(good)
    del unnamed["optimizer"]                     # as a torch state dict: no class name, still loads
    opt.load_state_dict(unnamed)
