"""Gradient clipping by value, by global norm and per parameter; as transforms inside step()."""
import math

import numpy as np
import pytest

from nnopt import Parameter
from nnopt.optim import (
    SGD,
    ClipGradNorm,
    ClipGradNormPerParam,
    ClipGradValue,
    NonFiniteGradientError,
    clip_grad_norm_,
    clip_grad_norm_per_param_,
    clip_grad_value_,
)


def params_with_grads(*grads):
    params = []
    for g in grads:
        p = Parameter(np.zeros(len(g)))
        p.grad[...] = g
        params.append(p)
    return params


def test_clip_grad_value_clamps_each_entry():
    a, b = params_with_grads([3.0, -0.5, -2.0], [0.25, 1.0])
    clip_grad_value_([a, b], 1.0)
    np.testing.assert_array_equal(a.grad, [1.0, -0.5, -1.0])
    np.testing.assert_array_equal(b.grad, [0.25, 1.0])
    clip_grad_value_(a, 0.5)                      # a single Parameter works too
    np.testing.assert_array_equal(a.grad, [0.5, -0.5, -0.5])


def test_clip_grad_norm_uses_one_global_norm():
    a, b = params_with_grads([3.0, 0.0], [0.0, 4.0])   # together: ‖(3, 0, 0, 4)‖ = 5
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0, rel=1e-15)
    coef = 1.0 / (5.0 + 1e-6)                           # torch's 1e-6 in the denominator
    np.testing.assert_allclose(a.grad, [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad, [0.0, 4.0 * coef], rtol=1e-15)
    assert math.hypot(*a.grad, *b.grad) == pytest.approx(1.0, rel=1e-6)


def test_clip_grad_norm_does_not_scale_when_below_the_threshold():
    a, b = params_with_grads([3.0, 0.0], [0.0, 4.0])
    assert clip_grad_norm_([a, b], max_norm=10.0) == pytest.approx(5.0)
    np.testing.assert_array_equal(a.grad, [3.0, 0.0])    # coef ≥ 1: untouched, bit for bit
    np.testing.assert_array_equal(b.grad, [0.0, 4.0])
    clip_grad_norm_([a, b], max_norm=5.0)                 # coef = 5/(5 + 1e-6) < 1: scaled a hair
    assert a.grad[0] == pytest.approx(3.0 * 5.0 / (5.0 + 1e-6), rel=1e-15)


@pytest.mark.parametrize("norm_type, expected", [
    (1.0, 3.0 + 1.0 + 4.0),
    (3.0, (27.0 + 1.0 + 64.0) ** (1 / 3)),
    (math.inf, 4.0),
    ("inf", 4.0),
])
def test_clip_grad_norm_other_norms(norm_type, expected):
    a, b = params_with_grads([3.0, -1.0], [-4.0])
    assert clip_grad_norm_([a, b], 1.0, norm_type=norm_type) == pytest.approx(expected, rel=1e-14)
    coef = 1.0 / (expected + 1e-6)
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), np.array([3.0, -1.0, -4.0]) * coef,
                               rtol=1e-14)


def test_clip_grad_norm_non_finite():
    a, b = params_with_grads([np.nan, 1.0], [2.0])
    with pytest.raises(NonFiniteGradientError, match="non-finite|nan") as info:
        clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    # like torch: without the flag the gradients are scaled by the NaN coefficient ...
    assert math.isnan(clip_grad_norm_([a, b], 1.0))
    assert np.isnan(b.grad).all()
    # ... and an infinite norm gives coefficient 0 (inf·0 = NaN in the infinite entry)
    c, d = params_with_grads([np.inf, 1.0], [2.0])
    assert clip_grad_norm_([c, d], 1.0) == math.inf
    np.testing.assert_array_equal(d.grad, [0.0])
    assert math.isnan(c.grad[0]) and c.grad[1] == 0.0


def test_clip_grad_norm_per_param_clips_each_array_on_its_own():
    a, b = params_with_grads([3.0, 4.0], [0.3, 0.4])
    norms = clip_grad_norm_per_param_([a, b], max_norm=1.0)
    np.testing.assert_allclose(norms, [5.0, 0.5])
    np.testing.assert_allclose(a.grad, np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-15)
    np.testing.assert_array_equal(b.grad, [0.3, 0.4])    # already small: untouched
    a.grad[...] = [-6.0, 1.0]
    np.testing.assert_allclose(clip_grad_norm_per_param_([a], 2.0, norm_type=math.inf), [6.0])
    np.testing.assert_allclose(a.grad, np.array([-6.0, 1.0]) * 2.0 / (6.0 + 1e-6), rtol=1e-15)


def test_empty_and_float32():
    assert clip_grad_norm_([], 1.0) == 0.0
    p = Parameter(np.zeros(3, dtype=np.float32))
    p.grad[...] = [30.0, 40.0, 0.0]
    clip_grad_norm_(p, 5.0)
    clip_grad_value_(p, 2.0)
    clip_grad_norm_per_param_([p], 1.0)
    assert p.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, pattern", [
    (lambda ps: clip_grad_norm_(ps, -1.0), ValueError, "max_norm=-1.0"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type=0), ValueError, "norm_type=0"),
    (lambda ps: clip_grad_norm_(ps, 1.0, norm_type="two"), TypeError, "norm_type='two'"),
    (lambda ps: clip_grad_norm_(ps, float("nan")), ValueError, "max_norm=nan"),
    (lambda ps: clip_grad_norm_([np.zeros(2)], 1.0), TypeError, "item 0 is a ndarray"),
    (lambda ps: clip_grad_value_(ps, -0.5), ValueError, "clip_value=-0.5"),
    (lambda ps: clip_grad_norm_per_param_(ps, -2.0), ValueError, "max_norm=-2.0"),
    (lambda ps: ClipGradNorm(-1.0), ValueError, "max_norm=-1.0"),
    (lambda ps: ClipGradValue(-1.0), ValueError, "clip_value=-1.0"),
])
def test_bad_arguments(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(params_with_grads([1.0, 2.0]))


def test_transforms_inside_an_optimizer_step():
    a, b = params_with_grads([3.0, 0.0], [0.0, 4.0])
    opt = SGD([a, b], lr=1.0)
    by_value = ClipGradValue(3.5)
    by_norm = ClipGradNorm(max_norm=2.5)
    opt.grad_transforms.extend([by_value, by_norm])
    opt.step()
    # by value: (3, 0), (0, 3.5); global norm √(9 + 12.25) = √21.25, scaled to 2.5
    coef = 2.5 / (math.sqrt(21.25) + 1e-6)
    assert by_norm.last_norm == pytest.approx(math.sqrt(21.25))
    np.testing.assert_allclose(a.value, [-3.0 * coef, 0.0], rtol=1e-14)
    np.testing.assert_allclose(b.value, [0.0, -3.5 * coef], rtol=1e-14)

    c, d = params_with_grads([3.0, 4.0], [0.3, 0.4])
    opt = SGD([c, d], lr=1.0)
    per_param = ClipGradNormPerParam(1.0)
    opt.grad_transforms.append(per_param)
    opt.step()
    np.testing.assert_allclose(per_param.last_norms, [5.0, 0.5])
    np.testing.assert_allclose(c.value, -np.array([0.6, 0.8]), rtol=1e-6)
    np.testing.assert_allclose(d.value, [-0.3, -0.4])


def test_clipping_does_not_hide_a_nan_from_the_optimizer():
    a, b = params_with_grads([np.nan, 1.0], [2.0])
    opt = SGD([a, b], lr=1.0)
    opt.grad_transforms.append(ClipGradNorm(1.0))
    with pytest.raises(NonFiniteGradientError):
        opt.step()
    np.testing.assert_array_equal(b.value, [0.0])
