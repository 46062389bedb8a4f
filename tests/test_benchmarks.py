"""Smoke test of the benchmark suite: every contender computes the same training step.

The throughput comparison in ``benchmarks/`` is only fair if the deeplearning.ai-style loop,
the hand-tuned loops, PyTorch and nnopt compute the same loss, the same gradients and the same
Adam update from the same weights on the same batch. This checks that on a tiny batch.
"""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` is run from the repository root, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import implementations as impl  # noqa: E402

NUMPY_BASELINES = (impl.DeepLearningAiMLP, impl.HandTunedMLP, impl.HandTunedPerParameterMLP)


def tiny_batch(m=8, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, impl.LAYER_SIZES[0])), rng.integers(0, impl.LAYER_SIZES[-1], size=m)


def build(cls, dtype, weights):
    return cls(dtype, weights=weights) if cls is impl.NnoptMLP else cls(dtype, weights)


def nnopt_or_skip():
    try:
        impl.NnoptMLP(np.float64)
    except ImportError as error:
        pytest.skip(f"nnopt.nn / nnopt.optim not available yet: {error}")
    return impl.NnoptMLP


def torch_or_skip():
    pytest.importorskip("torch")
    return impl.TorchMLP


def assert_same_step(reference_cls, other_cls, dtype=np.float64, rtol=1e-10, atol=1e-12):
    weights = impl.he_weights(seed=3)
    X, y = tiny_batch()
    ref, other = build(reference_cls, dtype, weights), build(other_cls, dtype, weights)
    loss_ref, grads_ref = ref.loss_and_gradients(ref.prepare(X, y))
    loss_other, grads_other = other.loss_and_gradients(other.prepare(X, y))
    assert loss_other == pytest.approx(loss_ref, rel=rtol)
    for (gW_ref, gb_ref), (gW, gb) in zip(grads_ref, grads_other, strict=True):
        np.testing.assert_allclose(gW, gW_ref, rtol=rtol, atol=atol)
        np.testing.assert_allclose(gb, gb_ref, rtol=rtol, atol=atol)
    # two full steps (forward, backward, Adam) from fresh copies move the weights identically
    ref, other = build(reference_cls, dtype, weights), build(other_cls, dtype, weights)
    for _ in range(2):
        ref.step(ref.prepare(X, y))
        other.step(other.prepare(X, y))
    for (W_ref, b_ref), (W, b), (W0, _) in zip(ref.current_weights(), other.current_weights(), weights, strict=True):
        assert not np.allclose(W_ref, W0)  # the step did move the weights
        np.testing.assert_allclose(W, W_ref, rtol=rtol, atol=atol)
        np.testing.assert_allclose(b, b_ref, rtol=rtol, atol=atol)


def test_zero_weights_give_log10_loss_and_hand_derived_output_gradient():
    # all weights 0 -> logits 0 -> softmax 1/10 everywhere: loss = ln 10, and for the last
    # layer db = mean over the batch of (1/10 - onehot(y)); hidden activations are 0, so dW = 0.
    weights = [(np.zeros_like(W), np.zeros_like(b)) for W, b in impl.he_weights()]
    X, y = tiny_batch()
    expected_db = np.full(10, 0.1) - np.bincount(y, minlength=10) / len(y)
    for cls in NUMPY_BASELINES:
        model = cls(np.float64, weights)
        loss, grads = model.loss_and_gradients(model.prepare(X, y))
        assert loss == pytest.approx(math.log(10), rel=1e-12), cls.name
        np.testing.assert_allclose(grads[-1][1], expected_db, atol=1e-15, err_msg=cls.name)
        np.testing.assert_array_equal(grads[-1][0], 0.0)


@pytest.mark.parametrize("cls", NUMPY_BASELINES[1:], ids=lambda c: c.name)
def test_numpy_baselines_agree_with_the_deeplearning_ai_loop(cls):
    assert_same_step(impl.DeepLearningAiMLP, cls)


def test_output_gradient_matches_finite_differences():
    weights = impl.he_weights(seed=5)
    X, y = tiny_batch(m=4)
    model = impl.HandTunedMLP(np.float64, weights)
    _, grads = model.loss_and_gradients(model.prepare(X, y))
    h = 1e-6
    for i, j in ((0, 0), (37, 5), (99, 9)):
        shifted = []
        for sign in (+1, -1):
            W4 = weights[-1][0].copy()
            W4[i, j] += sign * h
            probe = impl.HandTunedMLP(np.float64, [*weights[:-1], (W4, weights[-1][1])])
            shifted.append(probe.loss_and_gradients(probe.prepare(X, y))[0])
        assert grads[-1][0][i, j] == pytest.approx((shifted[0] - shifted[1]) / (2 * h), rel=1e-5, abs=1e-9)


def test_matmul_floor_computes_the_forward_products():
    weights = impl.he_weights()
    X, y = tiny_batch()
    floor = impl.MatmulFloor(np.float64, weights)
    floor.step(floor.prepare(X, y))
    outs, _ = floor._buffers[len(X)]
    np.testing.assert_allclose(outs[0], X @ weights[0][0])


def test_nnopt_step_matches_the_baselines():
    nnopt_cls = nnopt_or_skip()
    assert_same_step(impl.HandTunedMLP, nnopt_cls)


def test_nnopt_float32_step_matches_the_hand_tuned_loop():
    nnopt_cls = nnopt_or_skip()
    assert_same_step(impl.HandTunedMLP, nnopt_cls, dtype=np.float32, rtol=2e-4, atol=1e-6)


def test_torch_step_matches_the_baselines():
    torch_cls = torch_or_skip()
    assert_same_step(impl.HandTunedMLP, torch_cls)


def test_reference_weights_are_nnopt_init_when_available():
    nnopt_cls = nnopt_or_skip()
    ref = impl.reference_weights()
    model_weights = nnopt_cls(np.float64, seed=0).current_weights()
    for (W, b), (W2, b2) in zip(ref, model_weights, strict=True):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)
