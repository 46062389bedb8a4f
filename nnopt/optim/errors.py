"""The error an optimizer raises when a gradient is NaN or infinite."""
from __future__ import annotations


class NonFiniteGradientError(ValueError, RuntimeError):
    """A gradient holds NaN or ±inf, so a step would write NaN into the parameters.

    Raised by ``Optimizer.step()`` before any parameter or optimizer state is changed, and by
    ``clip_grad_norm_(..., error_if_nonfinite=True)``. It is a ``ValueError`` like every other
    bad-input error of nnopt, and also a ``RuntimeError`` because that is what PyTorch raises
    for a non-finite gradient norm.

    The usual causes are a learning rate that is too high (the loss diverged on earlier steps)
    or an exploding gradient; lower the learning rate or clip the gradients.
    """
