"""Gradient checking: central differences agree with backprop for every layer and loss pair,
and the check catches a wrong backward."""
import numpy as np
import pytest

from nnopt.nn import Dense, ReLU, Sequential, SoftmaxCrossEntropy, gradient_check, mlp, numerical_gradient
from nnopt.nn import relative_error


def targets(output, m, rng):
    if output == "softmax":
        return rng.integers(0, 3, m)
    if output == "sigmoid":
        return rng.integers(0, 2, m)
    return rng.standard_normal((m, 3))


# ------------------------------------------------------------------------------------- numerical_gradient
def test_numerical_gradient_of_a_cubic():
    w = np.array([[0.5, -1.0], [2.0, 3.0]])
    before = w.copy()
    g = numerical_gradient(lambda x: float(np.sum(x ** 3)), w, eps=1e-5)
    # d/dw sum w^3 = 3 w^2; central differences are exact up to eps^2 * w''' / 6 = 1e-10
    np.testing.assert_allclose(g, 3 * before ** 2, rtol=1e-8)
    np.testing.assert_array_equal(w, before)  # restored bit for bit


def test_numerical_gradient_subset_and_parameter():
    model = mlp([3, 2], output="linear")
    W = model[0].W
    X, y = np.eye(3), np.zeros((3, 2))
    full = numerical_gradient(lambda _: model.loss(X, y, training=False), W)  # a Parameter works too
    part = numerical_gradient(lambda _: model.loss(X, y, training=False), W.value, indices=[0, 5])
    assert full.shape == (3, 2) and part.shape == (2,)
    np.testing.assert_array_equal(part, full.ravel()[[0, 5]])


def test_numerical_gradient_bad_input():
    with pytest.raises(TypeError, match="x must be the float numpy array"):
        numerical_gradient(lambda x: 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="eps must be a small positive number.*got 0"):
        numerical_gradient(lambda x: 0.0, np.ones(2), eps=0)
    with pytest.raises(ValueError, match=r"flat indices in \[0, 2\)"):
        numerical_gradient(lambda x: 0.0, np.ones(2), indices=[2])


def test_relative_error_values():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # ||[1,0] - [0,1]|| / (1 + 1) = sqrt(2) / 2
    assert relative_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(np.sqrt(2) / 2, rel=1e-15)
    assert relative_error(np.array([2.0]), np.array([-2.0])) == 1.0


# ------------------------------------------------------------------------------------- gradient_check
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "linear"])
def test_backprop_matches_finite_differences(activation, output):
    rng = np.random.default_rng(11)
    X = rng.standard_normal((7, 5))
    n_out = 1 if output == "sigmoid" else 3
    model = mlp([5, 4, n_out], activation=activation, output=output, seed=3)
    result = gradient_check(model, X, targets(output, 7, rng))
    assert result.passed, result
    assert result.max_error < 1e-6 and result.overall_error < 1e-6
    assert set(result.errors) == {"dense1.W", "dense1.b", "dense2.W", "dense2.b"}


def test_deeper_model_and_one_hot_targets():
    rng = np.random.default_rng(12)
    X, labels = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    result = gradient_check(mlp([5, 4, 4, 3], activation="tanh", seed=4), X, np.eye(3)[labels])
    assert result.max_error < 1e-6


class ReLUWithWrongBackward(ReLU):
    def backward(self, grad_out):
        return grad_out  # forgets the mask: derivative 1 everywhere


class DenseWithoutBiasGradient(Dense):
    def backward(self, grad_out, compute_input_grad=True):
        saved = self.b.grad.copy()
        grad_in = super().backward(grad_out, compute_input_grad)
        self.b.grad[...] = saved
        return grad_in


def test_a_wrong_backward_is_caught():
    rng = np.random.default_rng(13)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 3, 9)
    broken_relu = Sequential([Dense(5, 4, seed=1), ReLUWithWrongBackward(), Dense(4, 3, seed=2)], SoftmaxCrossEntropy())
    result = gradient_check(broken_relu, X, y)
    assert not result.passed and "FAILED" in str(result)
    assert result.errors["dense1.W"] > 1e-2  # below the broken ReLU
    assert result.errors["dense2.W"] < 1e-6  # above it, still right
    broken_bias = Sequential([Dense(5, 4, seed=1), ReLU(), DenseWithoutBiasGradient(4, 3, seed=2)],
                             SoftmaxCrossEntropy())
    result = gradient_check(broken_bias, X, y)
    # backprop bias gradient 0 vs nonzero numerical: ||g - 0|| / (||g|| + 0) = 1
    assert result.errors["densewithoutbiasgradient1.b"] == pytest.approx(1.0, abs=1e-9)
    assert result.errors["dense1.W"] < 1e-6


def test_model_is_left_unchanged():
    rng = np.random.default_rng(14)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    model = mlp([5, 4, 3], seed=5)
    model.loss(X, y)
    model.backward()  # gradients already accumulated before the check
    values = [p.value.copy() for p in model.parameters()]
    grads = [p.grad.copy() for p in model.parameters()]
    gradient_check(model, X, y)
    for p, v, g in zip(model.parameters(), values, grads):
        np.testing.assert_array_equal(p.value, v)
        np.testing.assert_array_equal(p.grad, g)
    model.backward()  # the cached loss is still the one at the original parameters
    for p, g in zip(model.parameters(), grads):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-15)


def test_subset_of_entries_and_report():
    rng = np.random.default_rng(15)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    result = gradient_check(mlp([5, 4, 3], seed=6), X, y, max_checks_per_param=3, seed=1)
    assert result.checked == {"dense1.W": 3, "dense1.b": 3, "dense2.W": 3, "dense2.b": 3}
    assert result.sizes == {"dense1.W": 20, "dense1.b": 4, "dense2.W": 12, "dense2.b": 3}
    assert result.passed
    text = repr(result)
    assert text.startswith("Gradient check PASSED") and "dense1.W" in text and "3/20" in text and "12/39" in text


def test_float32_model_is_refused():
    model = mlp([3, 2], dtype=np.float32)
    with pytest.raises(TypeError, match="gradient_check needs a float64 model, this one is float32"):
        gradient_check(model, np.ones((2, 3)), [0, 1])


def test_gradient_check_bad_arguments():
    model = mlp([3, 2])
    with pytest.raises(ValueError, match="max_checks_per_param must be None or a positive int, got 0"):
        gradient_check(model, np.ones((2, 3)), [0, 1], max_checks_per_param=0)
    with pytest.raises(ValueError, match="eps must be a small positive number"):
        gradient_check(model, np.ones((2, 3)), [0, 1], eps=-1e-6)


def test_a_gradient_below_the_finite_difference_noise_is_compared_in_absolute_terms():
    # inputs ×300 saturate the softmax: dense2.b's true gradient is ~1e-12, its central difference
    # is 0 (rounding), so the relative error is 1.0 although backprop is right
    from nnopt.nn import mlp as make_mlp

    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(5, 4)) * 300, rng.integers(0, 3, 5)
    found = [gradient_check(make_mlp([4, 6, 3], seed=seed), X, y) for seed in range(3)]
    flagged = [result for result in found if result.below_noise]
    assert all(result.passed for result in found) and flagged  # seed 0 hits the noise floor
    for result in flagged:
        name = result.below_noise[0]
        assert result.errors[name] >= result.tolerance
        assert np.linalg.norm(result.numerical[name] - result.backprop[name]) <= result.noise * np.sqrt(result.checked[name])
        assert "below the finite differences' noise" in str(result)


def test_gradient_check_names_bad_data_and_a_bad_tolerance():
    from nnopt.nn import mlp as make_mlp

    X = np.ones((3, 4))
    X[1, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        gradient_check(make_mlp([4, 3], seed=0), X, np.array([0, 1, 2]))
    for tolerance in (float("nan"), -1.0, "1e-6"):
        with pytest.raises(ValueError, match="tolerance must be a small positive number"):
            gradient_check(make_mlp([4, 3], seed=0), np.ones((3, 4)), np.array([0, 1, 2]), tolerance=tolerance)
