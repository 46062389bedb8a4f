"""fit() trains the digits MLP with every optimizer of the course."""
import numpy as np
import pytest

import nnopt
from nnopt.data import Standardizer, load_digits, train_val_test_split
from nnopt.nn import mlp
from nnopt.optim import (SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, ClipGradNorm, Lion, Momentum,
                         NAdam, RAdam, RMSprop)

OPTIMIZERS = {
    "SGD": lambda p: SGD(p, lr=0.1),
    "SGD momentum": lambda p: SGD(p, lr=0.05, momentum=0.9),
    "SGD nesterov": lambda p: SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "Momentum": lambda p: Momentum(p, lr=0.5, beta=0.9),
    "Adagrad": lambda p: Adagrad(p, lr=0.05),
    "Adadelta": lambda p: Adadelta(p, lr=1.0),
    "RMSprop": lambda p: RMSprop(p, lr=3e-3),
    "Adam": lambda p: Adam(p, lr=1e-2),
    "AMSGrad": lambda p: Adam(p, lr=1e-2, amsgrad=True),
    "AdamW": lambda p: AdamW(p, lr=1e-2, weight_decay=0.01),
    "Adamax": lambda p: Adamax(p, lr=2e-2),
    "NAdam": lambda p: NAdam(p, lr=1e-2),
    "RAdam": lambda p: RAdam(p, lr=3e-2),
    "Lion": lambda p: Lion(p, lr=3e-3),
}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits()
    X_train, y_train, X_val, y_val, _, _ = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_val), y_val


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_trains_the_digits_mlp(digits, name):
    X_train, y_train, X_val, y_val = digits
    model = mlp([64, 32, 10], seed=0)
    initial_loss = model.loss(X_train, y_train, training=False)  # about ln 10 = 2.3 at the start
    history = nnopt.fit(model, OPTIMIZERS[name](model.parameters()), X_train, y_train, epochs=3,
                        batch_size=64, validation=(X_val, y_val))
    assert history.train_loss[-1] < 0.6 * initial_loss
    assert history.val_acc[-1] > 0.75


def test_clipping_wrapper_trains_too(digits):
    X_train, y_train, _, _ = digits
    model = mlp([64, 32, 10], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    clip = ClipGradNorm(max_norm=1.0)
    optimizer.grad_transforms.append(clip)  # clip the global gradient norm inside every step
    history = nnopt.fit(model, optimizer, X_train, y_train, epochs=2, batch_size=64)
    assert history.train_loss[-1] < history.train_loss[0] < 2.3
    assert np.all(np.isfinite(history.loss))
    assert clip.last_norm is not None and clip.last_norm > 0
