"""Layers and initialisers of nnopt.nn: hand-computed values, finite differences, bad input."""
import math
import warnings

import numpy as np
import pytest

from nnopt.nn import Dense, LeakyReLU, ReLU, Sigmoid, Tanh, glorot_uniform, he_normal, numerical_gradient, sigmoid
from nnopt.nn import small_normal, zeros
from nnopt.nn.init import as_generator, get_initializer


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def input_gradient_error(layer, x, seed=0):
    """Relative error between layer.backward and central differences of L = sum(forward(x) * G)."""
    G = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)
    layer.forward(x)
    backprop = layer.backward(G)
    numerical = numerical_gradient(lambda x_: float(np.sum(layer.forward(x_, training=False) * G)), x)
    return rel_err(numerical, backprop)


# ------------------------------------------------------------------------------------- Dense
def test_dense_forward_hand_computed():
    layer = Dense.from_weights([[1.0, 2.0], [3.0, 4.0]], b=[0.5, -1.0])
    # x @ W + b = [1*1 + 1*3 + 0.5, 1*2 + 1*4 - 1] = [4.5, 5]
    np.testing.assert_array_equal(layer.forward(np.array([[1.0, 1.0]])), [[4.5, 5.0]])


def test_dense_backward_hand_computed():
    layer = Dense.from_weights([[1.0, 2.0], [3.0, 4.0]])
    layer.forward(np.array([[1.0, 2.0]]))
    grad_in = layer.backward(np.array([[1.0, -1.0]]))
    # dW = x.T @ G = [[1*1, 1*-1], [2*1, 2*-1]]; db = [1, -1]; dx = G @ W.T = [1-2, 3-4]
    np.testing.assert_array_equal(layer.W.grad, [[1.0, -1.0], [2.0, -2.0]])
    np.testing.assert_array_equal(layer.b.grad, [1.0, -1.0])
    np.testing.assert_array_equal(grad_in, [[-1.0, -1.0]])


def test_dense_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    layer = Dense(5, 4, init="glorot", seed=2)
    layer.b.value[:] = rng.standard_normal(4)
    x = rng.standard_normal((6, 5))
    G = rng.standard_normal((6, 4))

    def loss(_):
        return float(np.sum(layer.forward(x, training=False) * G))

    layer.forward(x)
    layer.backward(G)
    assert rel_err(numerical_gradient(loss, layer.W.value), layer.W.grad) < 1e-6
    assert rel_err(numerical_gradient(loss, layer.b.value), layer.b.grad) < 1e-6
    assert input_gradient_error(Dense(5, 4, seed=3), x) < 1e-6


def test_dense_accumulates_gradients_and_zero_grad_clears():
    rng = np.random.default_rng(0)
    layer = Dense(3, 2, seed=0)
    x, G = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(x)
    layer.backward(G)
    once_W, once_b = layer.W.grad.copy(), layer.b.grad.copy()
    layer.backward(G)
    np.testing.assert_allclose(layer.W.grad, 2 * once_W, rtol=1e-15)
    np.testing.assert_allclose(layer.b.grad, 2 * once_b, rtol=1e-15)
    layer.zero_grad()
    assert not layer.W.grad.any() and not layer.b.grad.any()


def test_dense_without_input_gradient_still_accumulates_parameters():
    layer = Dense.from_weights(np.ones((2, 2)))
    layer.forward(np.array([[1.0, 2.0]]))
    assert layer.backward(np.array([[1.0, 1.0]]), compute_input_grad=False) is None
    np.testing.assert_array_equal(layer.W.grad, [[1.0, 1.0], [2.0, 2.0]])


def test_eval_forward_does_not_change_what_backward_uses():
    rng = np.random.default_rng(0)
    layer = Dense(3, 2, seed=0)
    x1, x2, G = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(x1)
    layer.backward(G)
    expected = layer.W.grad.copy()
    layer.zero_grad()
    layer.forward(x1)
    layer.forward(x2, training=False)
    layer.backward(G)
    np.testing.assert_array_equal(layer.W.grad, expected)


def test_dense_float32_stays_float32_even_for_float64_input():
    layer = Dense(3, 2, dtype=np.float32, seed=0)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    out = layer.forward(np.ones((4, 3)))  # float64 input is cast once
    assert out.dtype == np.float32
    grad_in = layer.backward(np.ones((4, 2), dtype=np.float32))
    assert grad_in.dtype == np.float32 and layer.W.grad.dtype == np.float32


def test_dense_bad_input():
    layer = Dense(3, 2, name="dense7")
    with pytest.raises(ValueError, match=r"dense7 expects input of shape \(m, 3\).*got shape \(4, 5\)"):
        layer.forward(np.ones((4, 5)))
    with pytest.raises(RuntimeError, match="before forward"):
        Dense(3, 2).backward(np.ones((1, 2)))
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"grad_out of shape \(4, 2\).*got \(4, 3\)"):
        layer.backward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="n_out must be a positive int.*got 0"):
        Dense(3, 0)
    with pytest.raises(ValueError, match="unknown init 'lecun'; allowed: 'he', 'glorot', 'small'"):
        Dense(3, 2, init="lecun")
    with pytest.raises(TypeError, match="dtype must be np.float64.*or np.float32"):
        Dense(3, 2, dtype=np.float16)


# ------------------------------------------------------------------------------------- activations
def test_relu_and_leaky_relu_hand_computed():
    x = np.array([[-2.0, 0.0, 3.0]])
    g = np.array([[5.0, 7.0, 11.0]])
    relu = ReLU()
    np.testing.assert_array_equal(relu.forward(x), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(relu.backward(g), [[0.0, 0.0, 11.0]])  # derivative 0 at x = 0, as torch
    leaky = LeakyReLU()  # slope 0.01
    np.testing.assert_allclose(leaky.forward(x), [[-0.02, 0.0, 3.0]], rtol=1e-15)
    np.testing.assert_allclose(leaky.backward(g), [[0.05, 0.07, 11.0]], rtol=1e-15)
    np.testing.assert_allclose(LeakyReLU(0.2).forward(x), [[-0.4, 0.0, 3.0]], rtol=1e-15)


def test_tanh_and_sigmoid_hand_computed():
    x = np.array([[0.0, math.log(3.0)]])
    tanh = Tanh()
    out = tanh.forward(x)
    # tanh(ln 3) = (3 - 1/3) / (3 + 1/3) = 0.8; derivative 1 - 0.8^2 = 0.36
    np.testing.assert_allclose(out, [[0.0, 0.8]], atol=1e-15)
    np.testing.assert_allclose(tanh.backward(np.ones_like(x)), [[1.0, 0.36]], rtol=1e-14)
    sig = Sigmoid()
    # sigmoid(0) = 1/2, sigmoid(ln 3) = 1 / (1 + 1/3) = 3/4; derivatives s(1-s) = 1/4 and 3/16
    np.testing.assert_allclose(sig.forward(x), [[0.5, 0.75]], rtol=1e-15)
    np.testing.assert_allclose(sig.backward(np.ones_like(x)), [[0.25, 3 / 16]], rtol=1e-14)


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), LeakyReLU(0.3), Tanh(), Sigmoid()], ids=repr)
def test_activation_input_gradients_match_finite_differences(layer):
    x = np.random.default_rng(4).standard_normal((6, 5))  # |x| > eps almost surely: no kink in reach
    assert input_gradient_error(layer, x) < 1e-6


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), Tanh(), Sigmoid()], ids=repr)
def test_activations_keep_float32(layer):
    x = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones_like(x)).dtype == np.float32


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), Tanh(), Sigmoid()], ids=repr)
def test_activation_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward"):
        layer.backward(np.ones((1, 1)))


def test_sigmoid_extreme_inputs_no_warning_and_accurate():
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = sigmoid(x)
        layer = Sigmoid()
        layer.forward(x.reshape(1, -1))
        grad = layer.backward(np.ones((1, 5)))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    # in the tail sigmoid(-40) = e^-40 / (1 + e^-40) keeps full relative precision
    assert s[1] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-15)
    assert np.all(np.isfinite(grad)) and grad[0, 0] == 0.0


def test_leaky_relu_bad_slope():
    with pytest.raises(ValueError, match="negative_slope must be a finite number, got nan"):
        LeakyReLU(float("nan"))


# ------------------------------------------------------------------------------------- initialisers
def test_he_normal_statistics():
    W = he_normal(1000, 500, np.random.default_rng(0))
    assert W.shape == (1000, 500)
    # std sqrt(2 / n_in) = sqrt(0.002) = 0.04472; 500,000 draws: the sample std is within ~0.1 %
    assert W.std() == pytest.approx(math.sqrt(2 / 1000), rel=0.01)
    assert abs(W.mean()) < 0.001


def test_glorot_uniform_statistics():
    W = glorot_uniform(600, 400, np.random.default_rng(0))
    limit = math.sqrt(6 / (600 + 400))  # 0.07746
    assert W.max() <= limit and W.min() >= -limit and W.max() > 0.99 * limit
    # variance of U(-a, a) is a^2 / 3 = 2 / (n_in + n_out) = 0.002
    assert W.var() == pytest.approx(2 / 1000, rel=0.01)


def test_small_normal_and_zeros():
    W = small_normal(1000, 300, np.random.default_rng(0))
    assert W.std() == pytest.approx(0.01, rel=0.01)
    b = zeros(7, np.float32)
    assert b.shape == (7,) and b.dtype == np.float32 and not b.any()


def test_initialisers_are_seeded_and_dtype_aware():
    a = he_normal(4, 3, np.random.default_rng(5))
    b = he_normal(4, 3, 5)  # an int seed works too
    np.testing.assert_array_equal(a, b)
    c = he_normal(4, 3, np.random.default_rng(5), dtype=np.float32)
    assert c.dtype == np.float32
    np.testing.assert_array_equal(c, a.astype(np.float32))  # same draws, rounded
    rng = np.random.default_rng(0)
    assert not np.array_equal(glorot_uniform(4, 3, rng), glorot_uniform(4, 3, rng))  # a Generator advances


def test_initialiser_bad_input():
    with pytest.raises(ValueError, match="n_in must be a positive int.*got -3"):
        he_normal(-3, 2, np.random.default_rng(0))
    with pytest.raises(TypeError, match="seed must be a non-negative int.*got 'abc'"):
        as_generator("abc")
    with pytest.raises(ValueError, match="unknown init 'xavier'; allowed: 'he', 'glorot', 'small'"):
        get_initializer("xavier")
    with pytest.raises(ValueError, match="scale must be a positive"):
        small_normal(2, 2, np.random.default_rng(0), scale=0.0)


def test_relu_mask_is_in_the_input_dtype_and_reused():
    relu = ReLU()
    x = np.array([[-1.0, 0.0, 2.0]], dtype=np.float32)
    np.testing.assert_array_equal(relu.forward(x), [[0.0, 0.0, 2.0]])
    mask = relu._mask
    assert mask.dtype == np.float32
    relu.forward(np.array([[3.0, -4.0, 5.0]], dtype=np.float32))
    assert relu._mask is mask                            # same shape: the array is reused
    out = relu.backward(np.array([[10.0, 20.0, 30.0]], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[10.0, 0.0, 30.0]])   # 10·[3>0], 20·[-4>0], 30·[5>0]


def test_dense_bias_gradient_is_the_column_sum_for_any_batch_size():
    layer = Dense(2, 3, seed=0)
    for m in (4, 2):                                     # a new batch size rebuilds the ones vector
        layer.b.zero_grad()
        layer.forward(np.ones((m, 2)))
        G = np.arange(3.0 * m).reshape(m, 3)
        layer.backward(G)
        np.testing.assert_array_equal(layer.b.grad, G.sum(axis=0))   # m=2: [0+3, 1+4, 2+5]
