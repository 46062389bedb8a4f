"""Sequential and mlp: structure, names, backprop bookkeeping, dtype, predictions, bad input."""
import math

import numpy as np
import pytest

from nnopt.nn import (
    Dense,
    LeakyReLU,
    MeanSquaredError,
    ReLU,
    Sequential,
    Sigmoid,
    SigmoidBinaryCrossEntropy,
    SoftmaxCrossEntropy,
    Tanh,
    mlp,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 5)), rng.integers(0, 3, 8)


# ------------------------------------------------------------------------------------- structure
def test_named_parameters_order_and_names():
    model = mlp([5, 4, 3, 2])
    names = [name for name, _ in model.named_parameters()]
    assert names == ["dense1.W", "dense1.b", "dense2.W", "dense2.b", "dense3.W", "dense3.b"]
    shapes = [p.shape for p in model.parameters()]
    assert shapes == [(5, 4), (4,), (4, 3), (3,), (3, 2), (2,)]
    assert [p.name for p in model.parameters()] == names
    assert model.n_params == 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2  # 47


def test_layer_groups_and_indexing():
    model = mlp([5, 4, 3])
    groups = model.layer_groups()
    assert [name for name, _ in groups] == ["dense1", "dense2"]
    assert groups[0][1][0] is model.layers[0].W and groups[0][1][1] is model.layers[0].b
    assert [p for _, ps in groups for p in ps] == model.parameters()
    assert [layer.name for layer in model.layers] == ["dense1", "relu1", "dense2"]
    assert model[1] is model["relu1"] and isinstance(model[1], ReLU)
    assert len(model) == 3
    with pytest.raises(KeyError, match="no layer named 'dense9'.*'dense1', 'relu1', 'dense2'"):
        model["dense9"]


@pytest.mark.parametrize(
    "activation, kind, init", [("relu", ReLU, "he"), ("leaky_relu", LeakyReLU, "he"), ("tanh", Tanh, "glorot"),
                               ("sigmoid", Sigmoid, "glorot")],
)
def test_mlp_activation_and_default_init(activation, kind, init):
    model = mlp([5, 6, 6, 2], activation=activation)
    assert [type(layer) for layer in model.layers] == [Dense, kind, Dense, kind, Dense]
    assert {layer.init for layer in model.layers if isinstance(layer, Dense)} == {init}
    assert mlp([5, 6, 2], activation=activation, init="small")[0].init == "small"


@pytest.mark.parametrize(
    "output, loss", [("softmax", SoftmaxCrossEntropy), ("sigmoid", SigmoidBinaryCrossEntropy),
                     ("linear", MeanSquaredError)],
)
def test_mlp_output_picks_the_loss(output, loss):
    assert type(mlp([3, 4, 2], output=output).loss_function) is loss


def test_mlp_seed_reproducible():
    a, b, c = mlp([5, 4, 3], seed=7), mlp([5, 4, 3], seed=np.random.default_rng(7)), mlp([5, 4, 3], seed=8)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.value, pb.value)
    assert not np.array_equal(a[0].W.value, c[0].W.value)
    assert not np.array_equal(a[0].W.value[:, :3], a[2].W.value)  # layers draw different numbers


def test_repr_and_summary_list_layers_and_counts():
    model = mlp([5, 4, 3])
    text = repr(model)
    assert "(dense1): Dense(5 -> 4" in text and "(relu1): ReLU()" in text
    assert "24 parameters" in text and "15 parameters" in text  # 5*4+4, 4*3+3
    assert "39 parameters, float64" in text
    summary = model.summary()
    assert "W (5, 4), b (4,)" in summary and "SoftmaxCrossEntropy" in summary and "total: 39 parameters" in summary


# ------------------------------------------------------------------------------------- backprop bookkeeping
def test_hand_computed_network_gradient():
    # one Dense layer W = I (2x2), b = 0, softmax CE on x = [0, ln 3], class 1:
    # logits = x, loss = ln(4/3), dL/dz = [1/4, -1/4]; dW = x.T @ dz = [[0, 0], [ln3/4, -ln3/4]]
    model = Sequential([Dense.from_weights(np.eye(2))], SoftmaxCrossEntropy())
    assert model.loss([[0.0, math.log(3.0)]], [1]) == pytest.approx(math.log(4 / 3), rel=1e-15)
    model.backward()
    ln3 = math.log(3.0)
    np.testing.assert_allclose(model[0].W.grad, [[0, 0], [ln3 / 4, -ln3 / 4]], rtol=1e-14)
    np.testing.assert_allclose(model[0].b.grad, [0.25, -0.25], rtol=1e-14)


def test_gradients_accumulate_and_zero_grad_clears(data):
    X, y = data
    model = mlp([5, 4, 3], seed=1)
    model.loss(X, y)
    model.backward()
    once = [p.grad.copy() for p in model.parameters()]
    model.backward()
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-15)
    model.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


def test_backward_needs_a_training_loss(data):
    X, y = data
    model = mlp([5, 4, 3])
    with pytest.raises(RuntimeError, match="call model.loss\\(X, y\\).*first"):
        model.backward()
    model.loss(X, y, training=False)
    with pytest.raises(RuntimeError, match="call model.loss"):
        model.backward()
    model.loss(X, y)
    model.forward(X)  # a training forward after the loss invalidates it
    with pytest.raises(RuntimeError, match="call model.loss"):
        model.backward()


def test_evaluation_between_loss_and_backward_changes_nothing(data):
    X, y = data
    model = mlp([5, 4, 3], seed=2)
    model.loss(X, y)
    model.backward()
    expected = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    model.loss(X, y)
    model.loss(X[:3] * 10, y[:3], training=False)
    model.predict(X[::-1])
    model.backward()
    for p, g in zip(model.parameters(), expected):
        np.testing.assert_array_equal(p.grad, g)


def test_gradient_descent_reduces_the_loss():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)  # linearly separable
    model = mlp([2, 8, 2], seed=0)
    start = model.loss(X, y)
    for _ in range(200):
        model.loss(X, y)
        model.zero_grad()
        model.backward()
        for p in model.parameters():
            p.value -= 0.5 * p.grad
    assert model.loss(X, y) < 0.2 * start
    assert model.accuracy(X, y) >= 0.95


# ------------------------------------------------------------------------------------- dtype
def test_float32_model_stays_float32(data):
    X, y = data
    model = mlp([5, 4, 3], dtype=np.float32)
    assert model.dtype == np.float32
    assert all(p.value.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert model.forward(X).dtype == np.float32  # float64 X is cast once on the way in
    assert model.forward(X.astype(np.float32)).dtype == np.float32
    value = model.loss(X, y)
    assert type(value) is float
    model.backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert model.loss_function.backward().dtype == np.float32
    regression = mlp([5, 4, 1], output="linear", dtype=np.float32)
    regression.loss(X, np.linspace(0, 1, 8))  # float64 targets are cast too
    assert regression.loss_function.backward().dtype == np.float32
    np.testing.assert_allclose(mlp([5, 4, 3], dtype=np.float32)[0].W.value, mlp([5, 4, 3])[0].W.value, rtol=1e-7)


def test_integer_input_is_cast():
    model = mlp([3, 2], output="linear")
    assert model.forward(np.array([[1, 2, 3]])).dtype == np.float64


# ------------------------------------------------------------------------------------- predictions
def identity_model(loss):
    return Sequential([Dense.from_weights(np.eye(2))], loss)


def test_predict_and_accuracy_softmax():
    model = identity_model(SoftmaxCrossEntropy())
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 3.0]])  # logits = X: argmax 0, 1, 0, 1
    np.testing.assert_array_equal(model.predict(X), [0, 1, 0, 1])
    assert model.accuracy(X, [0, 1, 1, 1]) == 0.75  # 3 of 4 right
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[0], [math.e / (math.e + 1), 1 / (math.e + 1)], rtol=1e-15)


def test_predict_sigmoid_and_linear_are_one_dimensional():
    X = np.array([[1.0, 0.0], [-2.0, 0.0], [0.5, 0.0]])
    binary = Sequential([Dense.from_weights([[1.0], [0.0]])], SigmoidBinaryCrossEntropy())  # logit = x0
    np.testing.assert_array_equal(binary.predict(X), [1, 0, 1])
    np.testing.assert_allclose(binary.predict_proba(X), 1 / (1 + np.exp(-X[:, 0])), rtol=1e-15)
    assert binary.accuracy(X, [1, 1, 1]) == pytest.approx(2 / 3)
    regression = Sequential([Dense.from_weights([[2.0], [0.0]], b=[1.0])], MeanSquaredError())  # 2 x0 + 1
    np.testing.assert_array_equal(regression.predict(X), [3.0, -3.0, 2.0])
    with pytest.raises(TypeError, match="accuracy is defined for classifiers"):
        regression.accuracy(X, [3.0, -3.0, 2.0])


# ------------------------------------------------------------------------------------- bad input
def test_wrong_input_width_names_the_layer(data):
    X, y = data
    model = mlp([5, 4, 3])
    with pytest.raises(ValueError, match=r"dense1 expects input of shape \(m, 5\).*got shape \(8, 4\)"):
        model.loss(X[:, :4], y)
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*got shape \(5,\).*reshape\(1, -1\)"):
        model.forward(X[0])


def test_bad_targets(data):
    X, y = data
    model = mlp([5, 4, 3])
    with pytest.raises(ValueError, match="y has 7 targets.*but X has 8 examples"):
        model.loss(X, y[:7])
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\).*got labels from 0 to 3"):
        model.loss(X, np.r_[y[:7], 3])
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\).*-1"):
        model.loss(X, np.r_[y[:7], -1])


def test_mlp_bad_arguments():
    with pytest.raises(ValueError, match="unknown activation 'gelu'; allowed: 'relu', 'leaky_relu', 'tanh', 'sigmoid'"):
        mlp([2, 3], activation="gelu")
    with pytest.raises(ValueError, match="unknown output 'softplus'; allowed: 'softmax', 'sigmoid', 'linear'"):
        mlp([2, 3], output="softplus")
    with pytest.raises(ValueError, match="unknown init 'xavier'; allowed: 'he', 'glorot', 'small'"):
        mlp([2, 3], init="xavier")
    with pytest.raises(ValueError, match=r"layer_sizes\[1\] must be a positive int, got 0"):
        mlp([2, 0, 3])
    with pytest.raises(ValueError, match=r"layer_sizes\[2\] must be a positive int, got -1"):
        mlp([2, 3, -1])
    with pytest.raises(ValueError, match="at least an input and an output size"):
        mlp([4])
    with pytest.raises(ValueError, match="output='softmax' needs at least 2 output units.*output='sigmoid'"):
        mlp([4, 1])
    with pytest.raises(TypeError, match="dtype must be np.float64"):
        mlp([2, 3], dtype=np.int32)
    with pytest.raises(TypeError, match="seed must be"):
        mlp([2, 3], seed="zero")


def test_sequential_bad_arguments():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a nnopt.nn Layer"):
        Sequential([Dense(2, 2), np.tanh], SoftmaxCrossEntropy())
    with pytest.raises(TypeError, match="loss must be a nnopt.nn Loss"):
        Sequential([Dense(2, 2)], "cross_entropy")
    with pytest.raises(TypeError, match="share one dtype"):
        Sequential([Dense(2, 2), Dense(2, 2, dtype=np.float32)], SoftmaxCrossEntropy())


# ------------------------------------------------------------------------------------- torch parity
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_model_gradients_match_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((11, 6)), rng.integers(0, 4, 11)
    model = mlp([6, 8, 5, 4], activation=activation, seed=1)
    value = model.loss(X, y)
    model.backward()
    weights = [torch.tensor(p.value, requires_grad=True) for p in model.parameters()]
    h = torch.tensor(X)
    for i in range(0, len(weights), 2):
        h = h @ weights[i] + weights[i + 1]
        if i < len(weights) - 2:
            h = torch.relu(h) if activation == "relu" else torch.tanh(h)
    torch_value = torch.nn.CrossEntropyLoss()(h, torch.tensor(y))
    torch_value.backward()
    assert value == pytest.approx(torch_value.item(), rel=1e-13)
    for p, w in zip(model.parameters(), weights):
        np.testing.assert_allclose(p.grad, w.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_parameters_are_views_of_one_value_buffer_and_one_grad_buffer():
    layer = Dense(2, 3, seed=0)
    W_before = layer.W.value.copy()
    model = Sequential([layer, ReLU(), Dense(3, 2, seed=1)], SoftmaxCrossEntropy())
    params = model.parameters()
    assert model._values.size == model._grads.size == model.n_params == 2 * 3 + 3 + 3 * 2 + 2
    start = 0
    for p in params:                                     # consecutive slices, in order
        np.testing.assert_array_equal(model._values[start:start + p.size], p.value.ravel())
        assert p.value.base is model._values and p.grad.base is model._grads
        start += p.size
    np.testing.assert_array_equal(layer.W.value, W_before)    # the initial values were copied in
    model.loss(np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0, 1]))
    model.backward()
    assert model._grads.any()
    model.zero_grad()
    assert not model._grads.any()
    params[0].grad = np.ones((2, 3))                     # rebound by hand: still zeroed
    model.zero_grad()
    np.testing.assert_array_equal(params[0].grad, np.zeros((2, 3)))


def test_float32_model_buffers_are_float32():
    model = mlp([3, 4, 2], dtype=np.float32)
    assert model._values.dtype == model._grads.dtype == np.float32
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in model.parameters())
