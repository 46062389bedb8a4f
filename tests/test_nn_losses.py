"""Losses of nnopt.nn: hand-derived values, gradients, stability on extreme logits, bad targets."""
import math
import warnings

import numpy as np
import pytest

from nnopt.nn import MeanSquaredError, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy, log_softmax, numerical_gradient
from nnopt.nn import softmax


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@pytest.fixture
def no_warnings():
    """Every warning is an error; overflow, invalid and divide-by-zero raise FloatingPointError.

    Underflow is allowed: exp(-2000) = 0 is the correctly rounded answer, not an accident.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


# ------------------------------------------------------------------------------------- softmax CE
def test_softmax_cross_entropy_hand_derived():
    loss = SoftmaxCrossEntropy()
    logits = np.array([[0.0, math.log(3.0)], [0.0, 0.0]])
    # row 1: softmax = [1, 3] / 4, class 1 -> -ln(3/4) = ln(4/3); row 2: [1/2, 1/2], class 0 -> ln 2
    value = loss.forward(logits, np.array([1, 0]))
    assert isinstance(value, float)
    assert value == pytest.approx((math.log(4 / 3) + math.log(2)) / 2, rel=1e-15)
    # gradient (softmax - onehot) / m with m = 2: row 1 [1/4, 3/4 - 1] / 2, row 2 [1/2 - 1, 1/2] / 2
    np.testing.assert_allclose(loss.backward(), [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)


def test_softmax_cross_entropy_one_hot_targets_match_indices():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss = SoftmaxCrossEntropy()
    by_index, grad_index = loss.forward(logits, labels), loss.backward()
    by_one_hot, grad_one_hot = loss.forward(logits, np.eye(4)[labels]), loss.backward()
    assert by_one_hot == pytest.approx(by_index, rel=1e-14)
    np.testing.assert_allclose(grad_one_hot, grad_index, atol=1e-16)
    # a column of labels (m, 1) is read as indices
    assert loss.forward(logits, labels.reshape(-1, 1)) == pytest.approx(by_index, rel=1e-15)


def test_softmax_and_log_softmax_helpers():
    z = np.array([[0.0, math.log(3.0)], [1000.0, 0.0]])
    np.testing.assert_allclose(softmax(z), [[0.25, 0.75], [1.0, 0.0]], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z), [[math.log(0.25), math.log(0.75)], [0.0, -1000.0]], rtol=1e-15)


def test_softmax_cross_entropy_extreme_logits(no_warnings):
    loss = SoftmaxCrossEntropy()
    logits = np.array([[1000.0, -1000.0], [1000.0, -1000.0], [-1000.0, 1000.0]])
    # row 1 right with certainty: 0; row 2 wrong by 2000: loss 2000; row 3 right: 0 -> mean 2000/3
    assert loss.forward(logits, np.array([0, 1, 1])) == pytest.approx(2000 / 3, rel=1e-15)
    grad = loss.backward()
    np.testing.assert_allclose(grad, [[0, 0], [1 / 3, -1 / 3], [0, 0]], atol=1e-300)


@pytest.mark.parametrize("targets", ["indices", "one_hot"])
def test_softmax_cross_entropy_gradient_matches_finite_differences(targets):
    rng = np.random.default_rng(1)
    logits, labels = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    y = labels if targets == "indices" else np.eye(3)[labels]
    loss = SoftmaxCrossEntropy()
    loss.forward(logits, y)
    numerical = numerical_gradient(lambda z: loss.forward(z, y, training=False), logits)
    assert rel_err(numerical, loss.backward()) < 1e-6


def test_softmax_cross_entropy_float32():
    loss = SoftmaxCrossEntropy()
    value = loss.forward(np.array([[0.0, 1.0], [2.0, 0.0]], dtype=np.float32), [1, 0])
    assert type(value) is float
    assert loss.backward().dtype == np.float32


def test_softmax_cross_entropy_bad_targets():
    loss = SoftmaxCrossEntropy()
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 4\).*got labels from 0 to 4"):
        loss.forward(logits, [0, 4, 1])
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 4\).*got labels from -1 to 2"):
        loss.forward(logits, [-1, 2, 1])
    with pytest.raises(ValueError, match="y has 2 targets.*but there are 3 examples"):
        loss.forward(logits, [0, 1])
    with pytest.raises(TypeError, match="integer class indices.*got dtype float64.*astype\\(int\\)"):
        loss.forward(logits, [0.5, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"one-hot y must have shape \(m, n_classes\) = \(3, 4\), got \(3, 3\)"):
        loss.forward(logits, np.eye(3))
    with pytest.raises(ValueError, match="one-hot .*rows.*summing to 1"):
        loss.forward(logits, 2 * np.eye(4)[:3])
    with pytest.raises(ValueError, match="C >= 2 classes.*SigmoidBinaryCrossEntropy"):
        loss.forward(np.zeros((3, 1)), [0, 0, 0])
    with pytest.raises(RuntimeError, match="backward\\(\\) called before forward"):
        SoftmaxCrossEntropy().backward()


def test_integral_float_labels_are_accepted():
    loss = SoftmaxCrossEntropy()
    logits = np.array([[0.0, math.log(3.0)]])
    assert loss.forward(logits, np.array([1.0])) == pytest.approx(math.log(4 / 3), rel=1e-15)


def test_eval_forward_keeps_the_training_cache():
    loss = SoftmaxCrossEntropy()
    loss.forward(np.array([[0.0, math.log(3.0)]]), [1])
    loss.forward(np.array([[5.0, -5.0]]), [1], training=False)
    np.testing.assert_allclose(loss.backward(), [[0.25, -0.25]], rtol=1e-14)


def test_softmax_predictions_and_accuracy():
    loss = SoftmaxCrossEntropy()
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0], [0.0, 3.0, 1.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(loss.predict(logits), [0, 2, 1, 0])
    np.testing.assert_allclose(loss.predict_proba(logits).sum(axis=1), 1.0, rtol=1e-15)
    assert loss.accuracy(logits, [0, 2, 2, 1]) == 0.5  # rows 1 and 2 right, 3 and 4 wrong
    assert loss.accuracy(logits, np.eye(3)[[0, 2, 2, 1]]) == 0.5


# ------------------------------------------------------------------------------------- sigmoid BCE
def test_binary_cross_entropy_hand_derived():
    loss = SigmoidBinaryCrossEntropy()
    z = np.array([[0.0], [math.log(3.0)], [math.log(3.0)]])
    y = np.array([1, 1, 0])
    # sigmoid(0) = 1/2 -> ln 2; sigmoid(ln 3) = 3/4: y = 1 -> ln(4/3), y = 0 -> -ln(1/4) = ln 4
    assert loss.forward(z, y) == pytest.approx((math.log(2) + math.log(4 / 3) + math.log(4)) / 3, rel=1e-15)
    # (sigmoid - y) / 3 = [-1/2, -1/4, 3/4] / 3
    np.testing.assert_allclose(loss.backward(), [[-1 / 6], [-1 / 12], [1 / 4]], rtol=1e-14)


def test_binary_cross_entropy_target_shapes_agree():
    rng = np.random.default_rng(2)
    z, y = rng.standard_normal((7, 1)), rng.integers(0, 2, 7)
    loss = SigmoidBinaryCrossEntropy()
    a, b, c = loss.forward(z, y), loss.forward(z, y.reshape(-1, 1)), loss.forward(z[:, 0], y)
    assert a == b == c
    assert loss.backward().shape == (7,)  # shape of the last (1-D) logits


def test_binary_cross_entropy_extreme_logits(no_warnings):
    loss = SigmoidBinaryCrossEntropy()
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    y = np.array([0, 1, 1, 0])
    # wrong by 1000 twice, right with certainty twice: mean (1000 + 1000 + 0 + 0) / 4 = 500
    assert loss.forward(z, y) == pytest.approx(500.0, rel=1e-15)
    np.testing.assert_array_equal(loss.backward(), [0.25, -0.25, 0.0, 0.0])


def test_binary_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    z, y = rng.standard_normal((6, 1)) * 3, rng.integers(0, 2, 6)
    loss = SigmoidBinaryCrossEntropy()
    loss.forward(z, y)
    numerical = numerical_gradient(lambda z_: loss.forward(z_, y, training=False), z)
    assert rel_err(numerical, loss.backward()) < 1e-6


def test_binary_predictions_and_accuracy():
    loss = SigmoidBinaryCrossEntropy()
    z = np.array([[-2.0], [0.0], [3.0], [-0.5]])
    np.testing.assert_array_equal(loss.predict(z), [0, 1, 1, 0])  # threshold sigmoid(z) >= 1/2 <=> z >= 0
    np.testing.assert_allclose(loss.predict_proba(z)[1], 0.5)
    assert loss.accuracy(z, [0, 0, 1, 1]) == 0.5


def test_binary_cross_entropy_bad_targets():
    loss = SigmoidBinaryCrossEntropy()
    with pytest.raises(ValueError, match="binary targets must be in \\[0, 1\\].*from 0.0 to 2.0"):
        loss.forward(np.zeros((3, 1)), [0, 1, 2])
    with pytest.raises(ValueError, match="y has 2 targets.*but there are 3 examples"):
        loss.forward(np.zeros((3, 1)), [0, 1])
    with pytest.raises(ValueError, match=r"y has shape \(3,\) but the output has shape \(3, 2\)"):
        loss.forward(np.zeros((3, 2)), [0, 1, 1])


# ------------------------------------------------------------------------------------- MSE
def test_mean_squared_error_hand_derived():
    loss = MeanSquaredError()
    out = np.array([[1.0], [3.0]])
    # y given as (m,) is the column (m, 1), not broadcast to (m, m): ((1-0)^2 + (3-1)^2) / 2 = 2.5
    assert loss.forward(out, np.array([0.0, 1.0])) == 2.5
    # 2 (out - y) / 2 = [[1], [2]]
    np.testing.assert_array_equal(loss.backward(), [[1.0], [2.0]])


def test_mean_squared_error_averages_over_all_entries_like_torch():
    loss = MeanSquaredError()
    out = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.zeros((2, 2))
    # (1 + 4 + 9 + 16) / 4 entries = 7.5 (torch MSELoss reduction='mean'), not / 2 rows
    assert loss.forward(out, y) == 7.5
    np.testing.assert_array_equal(loss.backward(), 2 * out / 4)


def test_mean_squared_error_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    out, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    loss = MeanSquaredError()
    loss.forward(out, y)
    numerical = numerical_gradient(lambda o: loss.forward(o, y, training=False), out)
    assert rel_err(numerical, loss.backward()) < 1e-6


def test_mean_squared_error_float32_and_predictions():
    loss = MeanSquaredError()
    out = np.array([[1.0], [2.0]], dtype=np.float32)
    assert type(loss.forward(out, np.array([0.0, 0.0]))) is float  # float64 targets do not upcast
    assert loss.backward().dtype == np.float32
    np.testing.assert_array_equal(loss.predict(out), [1.0, 2.0])
    with pytest.raises(TypeError, match="accuracy is defined for classifiers"):
        loss.accuracy(out, [1.0, 2.0])


def test_mean_squared_error_bad_targets():
    loss = MeanSquaredError()
    with pytest.raises(ValueError, match=r"y has shape \(2, 3\) but the output has shape \(2, 2\)"):
        loss.forward(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="y has 3 targets.*but there are 2 examples"):
        loss.forward(np.zeros((2, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="y contains NaN"):
        loss.forward(np.zeros((2, 1)), [0.0, np.nan])


# ------------------------------------------------------------------------------------- torch parity
def test_losses_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    z, labels = rng.standard_normal((8, 4)) * 4, rng.integers(0, 4, 8)
    pairs = [
        (SoftmaxCrossEntropy(), z, labels, torch.nn.CrossEntropyLoss(), torch.tensor(labels)),
        (SigmoidBinaryCrossEntropy(), z[:, :1], labels % 2, torch.nn.BCEWithLogitsLoss(),
         torch.tensor((labels % 2).reshape(-1, 1), dtype=torch.float64)),
        (MeanSquaredError(), z, z[::-1] * 0.5, torch.nn.MSELoss(), torch.tensor(z[::-1] * 0.5)),
    ]
    for ours, output, y, theirs, torch_y in pairs:
        value = ours.forward(output, y)
        torch_output = torch.tensor(output, requires_grad=True)
        torch_value = theirs(torch_output, torch_y)
        torch_value.backward()
        assert value == pytest.approx(torch_value.item(), rel=1e-13)
        np.testing.assert_allclose(ours.backward(), torch_output.grad.numpy(), rtol=1e-12, atol=1e-16)
