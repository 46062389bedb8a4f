"""The network, from scratch in NumPy: layers, losses, a sequential model and a gradient check.

    from nnopt.nn import mlp, gradient_check
    model = mlp([64, 100, 10], activation="relu", output="softmax", seed=0)
    loss = model.loss(X, y); model.zero_grad(); model.backward()
    print(gradient_check(mlp([5, 4, 3]), X_small, y_small))

Modules: ``init`` (initialisers), ``layers`` (Dense and activations), ``losses`` (output and
loss pairs), ``model`` (Sequential, mlp), ``gradcheck`` (finite-difference checks).
"""
from .gradcheck import GradientCheckResult, gradient_check, numerical_gradient, relative_error
from .init import glorot_uniform, he_normal, small_normal, zeros
from .layers import Dense, Layer, LeakyReLU, ReLU, Sigmoid, Tanh, sigmoid
from .losses import Loss, MeanSquaredError, SigmoidBinaryCrossEntropy, SoftmaxCrossEntropy, log_softmax, softmax
from .model import Sequential, mlp

__all__ = [
    "he_normal", "glorot_uniform", "small_normal", "zeros",
    "Layer", "Dense", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "sigmoid",
    "Loss", "SoftmaxCrossEntropy", "SigmoidBinaryCrossEntropy", "MeanSquaredError", "softmax", "log_softmax",
    "Sequential", "mlp",
    "gradient_check", "numerical_gradient", "relative_error", "GradientCheckResult",
]
