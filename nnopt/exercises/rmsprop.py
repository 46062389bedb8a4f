r"""Checker for the exercise "write one RMSProp step ``rmsprop_step(theta, s, grad, lr, rho, eps)``" (notebook 4).

The learner's function takes the parameters ``theta``, the running average of squared gradients
``s`` (one entry per parameter), the gradient ``grad`` at ``theta`` and the hyperparameters, and
returns the pair ``(theta_new, s_new)`` of PyTorch's RMSProp (``torch.optim.RMSprop`` and
:class:`nnopt.optim.RMSprop` without momentum, centering or weight decay):

.. math::

    s_t = \rho\, s_{t-1} + (1 - \rho)\, g_t^2, \qquad
    \theta_t = \theta_{t-1} - \mathrm{lr}\,\frac{g_t}{\sqrt{s_t} + \varepsilon}

elementwise, with ε *outside* the square root and the *new* average :math:`s_t` in the step.
The decay is written ρ (``rho``), as in notebook 4; ``torch.optim.RMSprop`` calls it ``alpha``
(and Keras ``rho``). The learner's function may name it either way: arguments are passed by position.
Returning new arrays or updating ``theta`` and ``s`` in place and returning them are both fine:
every call gets fresh copies. Answers are compared with the course policy (relative 1e-6,
float32 answers 1e-4; ``nnopt.exercises.POLICY``).

When an answer is wrong, the checker recomputes the usual mistakes on the same case (ε inside the
root, no ``(1 − ρ)``, ``g`` instead of ``g²``, the old ``s`` in the step, ``ρ`` and ``1 − ρ``
swapped, no root, the wrong sign, no ``lr``, the pair in the wrong order) and, when one of them
reproduces the learner's numbers, names it in the hint.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..optim.rmsprop import RMSprop
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, as_array, close, expect, order_hint, run_checks, unstacked

__all__ = ["check_rmsprop_step"]

GENERIC_HINT = ("first the average, s = rho * s + (1 - rho) * grad**2 (rho is the decay, torch's `alpha`); "
                "then the step with the NEW s, theta = theta - lr * grad / (np.sqrt(s) + eps); return theta, s.")


# ---------- the usual mistakes, recomputed so that a wrong answer can be recognised ----------

def _right(theta, s, grad, lr, rho, eps):
    s_new = rho * s + (1 - rho) * grad**2
    return theta - lr * grad / (np.sqrt(s_new) + eps), s_new


def _mistakes(theta, s, grad, lr, rho, eps) -> list[tuple[tuple[np.ndarray, np.ndarray], str]]:
    """((theta, s) it returns, hint) for each usual mistake, computed on this case."""
    s_right = rho * s + (1 - rho) * grad**2
    theta_right = theta - lr * grad / (np.sqrt(s_right) + eps)
    with np.errstate(all="ignore"):
        s_unweighted = rho * s + grad**2
        s_linear = rho * s + (1 - rho) * grad
        s_swapped = (1 - rho) * s + rho * grad**2
        return [
            ((theta - lr * grad / np.sqrt(s_right + eps), s_right),
             "eps belongs outside the square root in the torch form: divide by (np.sqrt(s) + eps), not by "
             "np.sqrt(s + eps). (Inside is the TF1/Keras form; it is not the same, and the difference is "
             "large when s is small.)"),
            ((theta - lr * grad / (np.sqrt(s_unweighted) + eps), s_unweighted),
             "the new squared gradient enters with weight (1 - rho), rho being the decay (torch's `alpha`): s = rho * s + (1 - rho) * grad**2. "
             "Without (1 - rho) s is not an average: it grows to about 1/(1 - rho) times g**2."),
            ((theta - lr * grad / (np.sqrt(s_linear) + eps), s_linear),
             "average the SQUARED gradient, (1 - rho) * grad**2: s estimates the mean of g**2, which is never "
             "negative; with grad itself s can go negative and its square root is nan."),
            # before "old s": on the tiny-gradient case (√s_new = eps, s = 0) the two coincide,
            # and only an answer that forgot eps gets that far (the old s fails the first case)
            ((theta - lr * grad / np.sqrt(s_right), s_right),
             "add eps to the root, inside the brackets of the denominator: lr * grad / (np.sqrt(s) + eps). "
             "Without eps (or with `/ np.sqrt(s) + eps`, which adds eps to theta instead) a tiny gradient "
             "gives a far too large step, and a coordinate whose s is 0 divides by zero."),
            ((theta - lr * grad / (np.sqrt(s) + eps), s_right),
             "update s first and use the NEW s in the step: the step divides by sqrt(s_t), which already "
             "contains the current g**2. With the old s, the very first step (s = 0) divides by eps alone "
             "and is enormous."),
            ((theta - lr * grad / (np.sqrt(s_swapped) + eps), s_swapped),
             "rho and (1 - rho) are swapped: the decay rho (torch's `alpha`) multiplies the OLD average (rho = 0.99 keeps 99 % of "
             "it), the new grad**2 gets (1 - rho)."),
            ((theta - lr * grad / (s_right + eps), s_right),
             "divide by the square ROOT of s: np.sqrt(s) + eps. s is in units of g**2; its root brings it "
             "back to the units of g, so that the step is about lr in size."),
            ((theta + lr * grad / (np.sqrt(s_right) + eps), s_right),
             "step against the gradient: theta - lr * grad / (...), with a minus."),
            ((theta - grad / (np.sqrt(s_right) + eps), s_right),
             "multiply the step by the learning rate lr."),
            ((s_right, theta_right),
             "return the pair in the order (theta, s): return theta_new, s_new."),
            (_right(theta, grad, s, lr, rho, eps),
             "your function reads its arguments as (theta, grad, s, ...), the gradient second; the checker calls "
             "rmsprop_step(theta, s, grad, lr, rho, eps), the running average second."),
        ]


# ---------- calling the learner's function ----------

def _fmt(values) -> str:
    values = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{v:.7g}" for v in values[:6])
    return f"[{shown}{', ...' if values.size > 6 else ''}]"


def _call(student_fn: Callable, theta, s, grad, lr, rho, eps) -> tuple[np.ndarray, np.ndarray, bool]:
    """Call the learner's function on fresh copies; read two float arrays shaped like theta (and float32?)."""
    shape = np.shape(theta)
    result = student_fn(np.array(theta, dtype=float), np.array(s, dtype=float), np.array(grad, dtype=float),
                        lr, rho, eps)
    expect(result is not None, expected="the pair (theta_new, s_new)", got="None",
           hint="end the function with `return theta, s`; printing is not returning.")
    result = unstacked(result, 2, shape)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           expected="the pair (theta_new, s_new)",
           got=(f"one array of shape {np.shape(result)}" if isinstance(result, np.ndarray)
                else f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")),
           hint="return both the new parameters and the new average: `return theta, s` "
                "(the caller needs s for the next step).")
    arrays, low = [], False
    for name, value in zip(("theta_new", "s_new"), result):
        array, part_low = as_array(value, name, shape=shape,
                                   hint="work elementwise (grad**2, np.sqrt(s), ...): every parameter has its own "
                                        "average; do not sum or average over the parameters.")
        arrays.append(array)
        low = low or part_low
    return arrays[0], arrays[1], low


def _expect_step(student_fn: Callable, theta, s, grad, lr, rho, eps, expected=None) -> None:
    """Compare one call with the right answer (``expected`` when given by hand) and name the mistake."""
    theta, s, grad = (np.asarray(a, dtype=float) for a in (theta, s, grad))
    theta_right, s_right = _right(theta, s, grad, lr, rho, eps) if expected is None else expected
    got_theta, got_s, low = _call(student_fn, theta, s, grad, lr, rho, eps)
    _close = lambda a, b: close(a, b, low)  # noqa: E731
    if _close(got_theta, theta_right) and _close(got_s, s_right):
        return
    hint = next((text for (theta_m, s_m), text in _mistakes(theta, s, grad, lr, rho, eps)
                 if _close(got_theta, theta_m) and _close(got_s, s_m)), None)
    hint = hint or order_hint(student_fn, ("theta", "s", "grad", "lr", "rho", "eps"),
                              "rmsprop_step(theta, s, grad, lr, rho, eps)",
                              {"params": "theta", "parameters": "theta", "grads": "grad", "g": "grad",
                               "learning_rate": "lr", "alpha": "rho", "beta": "rho", "decay": "rho", "epsilon": "eps",
                               "square_avg": "s", "v": "s", "cache": "s"}) or None
    if hint is None:
        if not (np.all(np.isfinite(got_theta)) and np.all(np.isfinite(got_s))):
            hint = ("your result contains nan or inf: s must stay >= 0 (average grad**2, not grad) and the "
                    "step divides by np.sqrt(s) + eps, never by s or sqrt(s) alone.")
        elif _close(got_s, s_right):
            hint = ("s is right; the step is not: theta = theta - lr * grad / (np.sqrt(s) + eps), with the "
                    "new s, eps outside the root, and the lr and eps you are given (not fixed numbers).")
        else:
            hint = ("s_new differs from the expected average and matches none of the usual slips; work this case "
                    "out by hand: " + GENERIC_HINT)
    which = "theta_new" if _close(got_s, s_right) else "s_new"
    expected_text = f"theta_new = {_fmt(theta_right)}, s_new = {_fmt(s_right)}"
    got_text = f"theta_new = {_fmt(got_theta)}, s_new = {_fmt(got_s)}  ({which} differs)"
    expect(False, expected=expected_text, got=got_text, hint=hint)


# ---------- the cases ----------

def _case_first_step(student_fn) -> None:
    # s starts at 0, rho = 0.9 (Hinton's and Keras' value), lr = 0.1, eps = 1e-8:
    # s_new = 0.1·g² = [0.1·0.25, 0.1·16] = [0.025, 1.6]
    # step  = 0.1·g/(√s_new + eps) = 0.1·g/(|g|·√0.1 + 1e-8) ≈ 0.1·sign(g)/√0.1 = ±0.316228
    theta, s, grad = [1.0, -2.0], [0.0, 0.0], [0.5, -4.0]
    s_new = np.array([0.025, 1.6])
    theta_new = np.array([1.0 - 0.1 * 0.5 / (np.sqrt(0.025) + 1e-8), -2.0 + 0.1 * 4.0 / (np.sqrt(1.6) + 1e-8)])
    _expect_step(student_fn, theta, s, grad, lr=0.1, rho=0.9, eps=1e-8, expected=(theta_new, s_new))


def _case_running_average(student_fn) -> None:
    # rho = 0.99 (torch), lr = 0.01, eps = 1e-8, an average already under way; a zero gradient
    # leaves theta alone and only lets s decay:
    # s_new = 0.99·[1, 0.04, 0] + 0.01·[4, 0, 0.09] = [1.03, 0.0396, 0.0009]
    # theta_new = 0.5 − 0.01·[2/√1.03, 0, −0.3/0.03] = [0.5 − 0.0197066, 0.5, 0.6]
    theta, s, grad = [0.5, 0.5, 0.5], [1.0, 0.04, 0.0], [2.0, 0.0, -0.3]
    s_new = np.array([1.03, 0.0396, 0.0009])
    theta_new = np.array([0.5 - 0.01 * 2.0 / (np.sqrt(1.03) + 1e-8), 0.5, 0.5 + 0.01 * 0.3 / (0.03 + 1e-8)])
    _expect_step(student_fn, theta, s, grad, lr=0.01, rho=0.99, eps=1e-8, expected=(theta_new, s_new))


def _case_tiny_gradient(student_fn) -> None:
    # g = ±1e-6 from s = 0, rho = 0.99, eps = 1e-7: s_new = 0.01·1e-12 = 1e-14, √s_new = 1e-7 = eps,
    # so the torch step is lr·1e-6/(1e-7 + 1e-7) = 0.01·5 = 0.05; eps inside the root would give
    # lr·1e-6/√(1e-14 + 1e-7) ≈ 3.2e-5, about 1,600 times smaller.
    theta, s, grad = [0.0, 0.0], [0.0, 0.0], [1e-6, -1e-6]
    s_new = np.array([1e-14, 1e-14])
    theta_new = np.array([-0.05, 0.05])
    _expect_step(student_fn, theta, s, grad, lr=0.01, rho=0.99, eps=1e-7, expected=(theta_new, s_new))


def _case_matches_nnopt(student_fn) -> None:
    # Eight steps on f(θ) = ½ Σ c·(θ − 1)², gradient c·(θ − 1), a (2, 3) array of parameters whose
    # curvatures c span four orders of magnitude; compared with nnopt.optim.RMSprop (torch's numbers).
    curvature = np.array([[1e-2, 1e-1, 1.0], [10.0, 100.0, 3.0]])
    start = np.array([[3.0, -2.0, 0.5], [1.5, -0.5, 4.0]])
    lr, rho, eps = 0.05, 0.99, 1e-8
    reference = Parameter(start.copy())
    optimizer = RMSprop([reference], lr=lr, alpha=rho, eps=eps)  # torch calls the decay alpha
    theta, s = start.copy(), np.zeros_like(start)
    for step in range(1, 9):
        grad = curvature * (theta - 1.0)
        reference.grad[...] = curvature * (reference.value - 1.0)
        optimizer.step()
        theta_before, s_before = theta, s
        theta, s, low = _call(student_fn, theta, s, grad, lr, rho, eps)
        _close = lambda a, b, low=low: close(a, b, low)  # noqa: E731
        s_reference = optimizer.state[reference]["square_avg"]
        if not (_close(theta, reference.value) and _close(s, s_reference)):
            hint = next((text for (theta_m, s_m), text in _mistakes(theta_before, s_before, grad, lr, rho, eps)
                         if _close(theta, theta_m) and _close(s, s_m)),
                        GENERIC_HINT + " Feed the returned theta and s into the next call.")
            expect(False,
                   expected=f"after step {step}: theta = {_fmt(reference.value)}, s = {_fmt(s_reference)}",
                   got=f"after step {step}: theta = {_fmt(theta)}, s = {_fmt(s)}",
                   hint=hint)


def _case_alpha_zero(student_fn) -> None:
    # rho = 0 forgets everything: s = g², and the step is lr·g/(|g| + eps) ≈ lr·sign(g).
    theta, s, grad = [0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [3.0, -0.02, 400.0]
    s_new = np.array([9.0, 4e-4, 1.6e5])
    theta_new = -0.1 * np.array([3.0 / (3.0 + 1e-8), -0.02 / (0.02 + 1e-8), 400.0 / (400.0 + 1e-8)])
    _expect_step(student_fn, theta, s, grad, lr=0.1, rho=0.0, eps=1e-8, expected=(theta_new, s_new))


CHECKS = (
    Check("by hand: first step from s = 0 (rho=0.9, lr=0.1): theta moves by ±0.316, s = [0.025, 1.6]",
          _case_first_step),
    Check("by hand: s already under way (rho=0.99, lr=0.01), one gradient is 0", _case_running_average),
    Check("by hand: a tiny gradient ±1e-6 (eps=1e-7): theta moves by ∓0.05", _case_tiny_gradient),
    Check("by hand: rho=0 keeps only the newest g², the step is about lr·sign(g)", _case_alpha_zero),
    Check("8 steps on a (2, 3) array: same theta and s as nnopt.optim.RMSprop", _case_matches_nnopt),
)


def check_rmsprop_step(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``rmsprop_step(theta, s, grad, lr, rho, eps) -> (theta, s)`` on 5 cases.

    Put it last in a notebook cell (or ``print`` it) to see "✓ rmsprop_step: passed 5/5", or the
    first failing case with the expected and returned arrays and a hint that names the mistake
    when it is a usual one (eps inside the root, no (1 − rho), grad instead of grad², the old s
    in the step, ...). ``.passed`` is True when every case passed. Wrong answers and errors are
    reported, never raised.
    """
    return run_checks("rmsprop_step", student_fn, CHECKS, checker="check_rmsprop_step", time_limit=time_limit)
