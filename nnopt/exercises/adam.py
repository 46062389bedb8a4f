r"""Checker for the exercise "write one Adam step ``adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)``" (notebook 5).

The learner's function takes the parameters ``theta``, the two running averages ``m`` (of the
gradients) and ``v`` (of their squares) *as they were after step t − 1* (zeros before the first
step), the gradient ``grad`` at ``theta``, the step number ``t`` (1 on the first step) and the
hyperparameters, and returns the triple ``(theta_new, m_new, v_new)`` of PyTorch's Adam
(``torch.optim.Adam`` and :class:`nnopt.optim.Adam` without weight decay or AMSGrad):

.. math::

    m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2, \\
    \hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
    \theta_t = \theta_{t-1} - \mathrm{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon}

elementwise, with ε *outside* the square root of the *corrected* ``v̂``, and the *raw*
averages ``m_t``, ``v_t`` returned (the correction is recomputed from ``t`` at every step).
Returning new arrays or updating the inputs in place and returning them are both fine: every
call gets fresh copies. Answers are compared with the course policy (relative 1e-6, float32
answers 1e-4; ``nnopt.exercises.POLICY``).

When an answer is wrong, the checker recomputes the usual mistakes on the same case (no bias
correction, only one of the two corrections, ε inside the root, Keras' "epsilon hat" form, ``t``
off by one, the corrected averages returned as the state, no ``(1 − β)``, ``β₁`` and ``β₂``
swapped, the old averages in the step, the wrong sign, no ``lr``, ``m`` and ``v`` swapped, the step
clipped to ±lr, deeplearning.ai's order with the gradients second) and,
when one of them reproduces the learner's numbers, names it in the hint.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ..optim.adam import Adam
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, as_array, close, expect, order_hint, run_checks, signature_names, unstacked

__all__ = ["check_adam_step"]

NAMES = ("theta_new", "m_new", "v_new")
GENERIC_HINT = ("update the raw averages first, m = beta1 * m + (1 - beta1) * grad and "
                "v = beta2 * v + (1 - beta2) * grad**2; correct copies of them, m_hat = m / (1 - beta1**t) "
                "and v_hat = v / (1 - beta2**t); step theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps); "
                "return theta, m, v (the raw m and v).")

Triple = tuple[np.ndarray, np.ndarray, np.ndarray]


# ---------- the right answer and the usual mistakes, recomputed on each case ----------

def _adam(theta, m, v, grad, t, lr, beta1, beta2, eps, *, correct_m=True, correct_v=True,
          eps_inside=False, eps_hat=False, damp1=True, damp2=True, old_state=False, sign=-1.0,
          use_lr=True, clip_to_lr=False) -> Triple:
    """One Adam step with switches for the usual mistakes; returns the raw ``(theta, m, v)``."""
    m_new = beta1 * m + ((1 - beta1) if damp1 else 1.0) * grad
    v_new = beta2 * v + ((1 - beta2) if damp2 else 1.0) * grad**2
    m_step, v_step = (m, v) if old_state else (m_new, v_new)
    rate = lr if use_lr else 1.0
    if eps_hat:  # Keras / TF: lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε)
        step = rate * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m_step / (np.sqrt(v_step) + eps)
    else:
        m_hat = m_step / (1 - beta1**t) if correct_m else m_step
        v_hat = v_step / (1 - beta2**t) if correct_v else v_step
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        step = rate * m_hat / denominator
    if clip_to_lr:
        step = np.clip(step, -lr, lr)
    return theta + sign * step, m_new, v_new


def _right(theta, m, v, grad, t, lr, beta1, beta2, eps) -> Triple:
    return _adam(theta, m, v, grad, t, lr, beta1, beta2, eps)


def _mistakes(theta, m, v, grad, t, lr, beta1, beta2, eps) -> list[tuple[Triple, str]]:
    """(triple it returns, hint) for each usual mistake, computed on this case."""
    args = (theta, m, v, grad, t, lr, beta1, beta2, eps)
    theta_right, m_right, v_right = _adam(*args)
    m_hat, v_hat = m_right / (1 - beta1**t), v_right / (1 - beta2**t)
    with np.errstate(all="ignore"):
        mistakes = [
            (_adam(*args, correct_m=False, correct_v=False),
             "bias-correct both averages before the step: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t). "
             "Without them the first step is lr·(1 - beta1)/sqrt(1 - beta2) ≈ 3.2·lr instead of about lr."),
            (_adam(*args, correct_v=False),
             "v needs its bias correction too: v_hat = v / (1 - beta2**t). With only m corrected, the first step "
             "divides by sqrt(0.001·g²) and is about 32 times too large (beta2 = 0.999)."),
            (_adam(*args, correct_m=False),
             "m needs its bias correction too: m_hat = m / (1 - beta1**t). With only v corrected, the first step "
             "is (1 - beta1) = 0.1 times too small."),
            (_adam(*args, eps_inside=True),
             "eps belongs outside the square root in the torch form: divide by (np.sqrt(v_hat) + eps), not by "
             "np.sqrt(v_hat + eps). The two agree for ordinary gradients and differ enormously for tiny ones."),
            ((theta - lr * m_hat / np.sqrt(v_hat), m_right, v_right),
             "add eps to the root, inside the brackets of the denominator: lr * m_hat / (np.sqrt(v_hat) + eps). "
             "Without it a tiny or zero gradient gives a far too large step, or 0/0 = nan."),
            (_adam(*args, eps_hat=True),
             "this is Keras' form, lr·sqrt(1 - beta2**t)/(1 - beta1**t)·m/(sqrt(v) + eps), whose eps is added to "
             "the UNcorrected root (the paper's 'epsilon hat'). The torch form adds eps to sqrt(v_hat): "
             "theta - lr * m_hat / (np.sqrt(v_hat) + eps)."),
            (_adam(theta, m, v, grad, t + 1, lr, beta1, beta2, eps),
             "t is off by one: the caller passes the number of the current step (t = 1 on the first step); use "
             "it as it is in 1 - beta**t, do not add 1 to it."),
            ((theta_right, m_hat, v_right),
             "return the RAW average m, not m_hat: the correction is recomputed from t at every step, so a "
             "corrected m fed back in would be corrected again. Keep m_hat in a separate variable."),
            ((theta_right, m_right, v_hat),
             "return the RAW average v, not v_hat: the correction is recomputed from t at every step, so a "
             "corrected v fed back in would be corrected again. Keep v_hat in a separate variable."),
            ((theta_right, m_hat, v_hat),
             "return the RAW averages m and v, not m_hat and v_hat: the corrections are recomputed from t at "
             "every step. Keep the corrected values in separate variables."),
            (_adam(*args, damp1=False),
             "the new gradient enters m with weight (1 - beta1): m = beta1 * m + (1 - beta1) * grad. Adam's m "
             "is an average (the EWA of notebook 2), unlike torch's SGD momentum buffer."),
            (_adam(*args, damp2=False),
             "the new squared gradient enters v with weight (1 - beta2): v = beta2 * v + (1 - beta2) * grad**2."),
            (_adam(theta, m, v, grad, t, lr, beta2, beta1, eps),
             "beta1 and beta2 are swapped: beta1 (0.9) averages the gradients in m, beta2 (0.999) averages "
             "their squares in v."),
            (_adam(*args, old_state=True),
             "update m and v first and use the NEW averages in the step: they already contain the current "
             "gradient. With the old ones the first step (m = v = 0) is 0/eps."),
            (_adam(*args, sign=+1.0),
             "step against the gradient: theta - lr * m_hat / (...), with a minus."),
            (_adam(*args, use_lr=False),
             "multiply the step by the learning rate lr."),
            ((theta_right, v_right, m_right),
             "return the triple in the order (theta, m, v)."),
            (_adam(*args, clip_to_lr=True),
             "the step is capped at lr: Adam's step is about lr only when the gradients are steady. Its bound is "
             "lr * (1 - beta1) / sqrt(1 - beta2) (Kingma & Ba, section 2.1), about 3.2 lr for the defaults: a "
             "rare feature, whose gradient appears after many zero steps, moves by more than lr. Do not clip; "
             "theta - lr * m_hat / (np.sqrt(v_hat) + eps) is the whole step."),
            (_adam(theta, v, grad, m, t, lr, beta1, beta2, eps),
             "your function reads its arguments in deeplearning.ai's order, the gradients second "
             "(update_parameters_with_adam(parameters, grads, v, s, t, ...)); the checker calls "
             "adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps): the two averages second and third, the gradient fourth."),
        ]
    return mistakes


# ---------- calling the learner's function ----------

def _fmt(values) -> str:
    values = np.asarray(values, dtype=float).ravel()
    shown = ", ".join(f"{v:.7g}" for v in values[:6])
    return f"[{shown}{', ...' if values.size > 6 else ''}]"


def _describe(triple: Triple) -> str:
    return ", ".join(f"{name} = {_fmt(value)}" for name, value in zip(NAMES, triple))


def _call(student_fn: Callable, theta, m, v, grad, t, lr, beta1, beta2, eps) -> tuple[Triple, bool]:
    """Call the learner's function on fresh copies; read three float arrays shaped like theta (and float32?)."""
    shape = np.shape(theta)
    result = student_fn(np.array(theta, dtype=float), np.array(m, dtype=float), np.array(v, dtype=float),
                        np.array(grad, dtype=float), t, lr, beta1, beta2, eps)
    expect(result is not None, expected="the triple (theta_new, m_new, v_new)", got="None",
           hint="end the function with `return theta, m, v`; printing is not returning.")
    result = unstacked(result, 3, shape)
    is_sequence = isinstance(result, (tuple, list))
    expect(is_sequence and len(result) == 3,
           expected="the triple (theta_new, m_new, v_new)",
           got=(f"one array of shape {np.shape(result)}" if isinstance(result, np.ndarray)
                else f"{type(result).__name__}" + (f" of length {len(result)}" if is_sequence else "")),
           hint=("deeplearning.ai's update_parameters_with_adam returns five things (parameters, v, s, v_corrected, "
                 "s_corrected); here return only the three the next step needs: `return theta, m, v` (raw m and v)."
                 if is_sequence and len(result) == 5 else
                 "return the new parameters and both new averages: `return theta, m, v` "
                 "(the caller feeds m and v into the next step)."))
    arrays, low = [], False
    for name, value in zip(NAMES, result):
        array, part_low = as_array(value, name, shape=shape,
                                   hint="work elementwise (grad**2, np.sqrt(v_hat), ...): every parameter has its "
                                        "own averages; do not sum or average over the parameters.")
        arrays.append(array)
        low = low or part_low
    return (arrays[0], arrays[1], arrays[2]), low


def _same(got: Triple, expected: Triple, low: bool) -> bool:
    return all(close(a, b, low) for a, b in zip(got, expected))


def _hint_for(got: Triple, case: tuple, right: Triple, low: bool, student_fn=None) -> str:
    """The hint of the usual mistake that reproduces ``got`` on ``case``, else a general one."""
    for triple, text in _mistakes(*case):
        if _same(got, triple, low):
            return text
    if student_fn is not None:
        aliases = {"params": "theta", "parameters": "theta", "grads": "grad", "g": "grad", "s": "v",
                   "learning_rate": "lr", "epsilon": "eps", "step": "t"}
        if "s" in {name.lower() for name in signature_names(student_fn)}:
            aliases["v"] = "m"  # deeplearning.ai's names: v is the first moment, s the second
        hint = order_hint(student_fn, ("theta", "m", "v", "grad", "t", "lr", "beta1", "beta2", "eps"),
                          "adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps)", aliases)
        if hint:
            return hint
    if not all(np.all(np.isfinite(a)) for a in got):
        return ("your result contains nan or inf. On the first step t = 1, so 1 - beta**t is 1 - beta, not 0 "
                "(1 - beta**0 = 0 would divide by zero: do not subtract 1 from t); v must stay >= 0 (average "
                "grad**2, not grad); and eps keeps the division safe only outside the root.")
    theta_ok, m_ok, v_ok = (close(a, b, low) for a, b in zip(got, right))
    if m_ok and v_ok:
        return ("m and v are right; the step is not, and it matches none of the usual slips: "
                "theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps), with m_hat = m / (1 - beta1**t), "
                "v_hat = v / (1 - beta2**t) and eps outside the root.")
    wrong = ", ".join(name for name, ok in zip(NAMES, (theta_ok, m_ok, v_ok)) if not ok)
    return f"{wrong} differ and match none of the usual slips; work this case out by hand: " + GENERIC_HINT


def _expect_step(student_fn: Callable, case: tuple, expected: Triple | None = None) -> None:
    """Compare one call with the right answer (``expected`` when written out by hand) and name the mistake."""
    theta, m, v, grad = (np.asarray(a, dtype=float) for a in case[:4])
    case = (theta, m, v, grad, *case[4:])
    right = _right(*case) if expected is None else tuple(np.asarray(a, dtype=float) for a in expected)
    got, low = _call(student_fn, *case)
    if _same(got, right, low):
        return
    differs = ", ".join(name for name, a, b in zip(NAMES, got, right) if not close(a, b, low))
    expect(False, expected=_describe(right), got=f"{_describe(got)}  ({differs} differ{'s' if ',' not in differs else ''})",
           hint=_hint_for(got, case, right, low, student_fn))


# ---------- the cases ----------

def _case_first_step(student_fn) -> None:
    # t = 1 from m = v = 0, beta1 = 0.9, beta2 = 0.999, lr = 0.1, eps = 1e-8:
    #   m_1 = 0.1·g = [0.05, -0.4, 2e-4]       v_1 = 0.001·g² = [2.5e-4, 1.6e-2, 4e-9]
    #   m̂_1 = m_1/(1 − 0.9) = g               v̂_1 = v_1/(1 − 0.999) = g²
    #   step = lr·m̂/(√v̂ + eps) = lr·g/(|g| + eps) ≈ lr·sign(g) = ±0.1, whatever the size of g
    theta, m, v, grad = [1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.5, -4.0, 2e-3]
    m_new = np.array([0.05, -0.4, 2e-4])
    v_new = np.array([2.5e-4, 1.6e-2, 4e-9])
    theta_new = np.array([1.0 - 0.1 * 0.5 / (0.5 + 1e-8),
                          -2.0 + 0.1 * 4.0 / (4.0 + 1e-8),
                          0.5 - 0.1 * 2e-3 / (2e-3 + 1e-8)])
    _expect_step(student_fn, (theta, m, v, grad, 1, 0.1, 0.9, 0.999, 1e-8), (theta_new, m_new, v_new))


def _case_second_step(student_fn) -> None:
    # Both coordinates had g_1 = 1 (so m_1 = 0.1, v_1 = 0.001); now g_2 = [3, -1], t = 2, lr = 0.01:
    #   m_2 = 0.9·0.1 + 0.1·[3, -1] = [0.39, -0.01]      v_2 = 0.999·0.001 + 0.001·[9, 1] = [0.009999, 0.001999]
    #   1 − 0.9² = 0.19                                   1 − 0.999² = 0.001999
    #   m̂_2 = [0.39, -0.01]/0.19 = [2.05263, -0.0526316] v̂_2 = [0.009999, 0.001999]/0.001999 = [5.002001, 1]
    #   step = 0.01·m̂/(√v̂ + 1e-8) = [0.01·2.05263/2.236515, -0.01·0.0526316] = [0.0091778, -0.00052632]
    # (the flip of the second gradient almost cancels its momentum: a step of only 5 % of lr)
    theta, m, v, grad = [0.0, 0.0], [0.1, 0.1], [0.001, 0.001], [3.0, -1.0]
    m_new = np.array([0.39, -0.01])
    v_new = np.array([0.009999, 0.001999])
    m_hat, v_hat = m_new / 0.19, v_new / 0.001999
    theta_new = -0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    _expect_step(student_fn, (theta, m, v, grad, 2, 0.01, 0.9, 0.999, 1e-8), (theta_new, m_new, v_new))


def _case_tiny_gradient(student_fn) -> None:
    # t = 1, g = [1e-8, -1e-6], eps = 1e-8, lr = 0.1: the step is lr·g/(|g| + eps), so
    #   a gradient as small as eps moves theta by only lr/2:  0.1·1e-8/(1e-8 + 1e-8) = 0.05
    #   and 1e-6 by 0.1·1e-6/(1e-6 + 1e-8) = 0.0990099
    # eps inside the root would give 0.1·1e-8/√(1e-16 + 1e-8) ≈ 1e-5 (5,000 times less), and
    # Keras' eps-hat form 0.1·1e-8/(1e-8 + 1e-8/√0.001) ≈ 0.0031.
    theta, m, v, grad = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1e-8, -1e-6]
    m_new = np.array([1e-9, -1e-7])
    v_new = np.array([1e-19, 1e-15])
    theta_new = np.array([-0.1 * 1e-8 / (1e-8 + 1e-8), 0.1 * 1e-6 / (1e-6 + 1e-8)])
    _expect_step(student_fn, (theta, m, v, grad, 1, 0.1, 0.9, 0.999, 1e-8), (theta_new, m_new, v_new))


def _case_late_step(student_fn) -> None:
    # t = 1000 with averages under way, lr = 0.1: 1 − 0.9^1000 = 1 (to 46 digits), but
    # 1 − 0.999^1000 = 0.632305, so v̂'s correction still scales the step by 1/√0.632 = 1.26.
    #   m = 0.9·[0.2, -0.1] + 0.1·[0.2, 0.3] = [0.2, -0.06]
    #   v = 0.999·[0.04, 0.01] + 0.001·[0.04, 0.09] = [0.04, 0.01008]
    #   step = 0.1·[0.2/√(0.04/0.632305), -0.06/√(0.01008/0.632305)] = [0.079518, -0.047520]
    theta, m, v, grad = [1.0, 1.0], [0.2, -0.1], [0.04, 0.01], [0.2, 0.3]
    m_new = np.array([0.2, -0.06])
    v_new = np.array([0.04, 0.01008])
    correction2 = 1 - 0.999**1000
    theta_new = 1.0 - 0.1 * m_new / (np.sqrt(v_new / correction2) + 1e-8)
    _expect_step(student_fn, (theta, m, v, grad, 1000, 0.1, 0.9, 0.999, 1e-8), (theta_new, m_new, v_new))


def _case_rare_feature(student_fn) -> None:
    # A rare feature: its gradient was 0 for 999 steps (m = v = 0), and at t = 1000 it is g = [1, -0.01].
    #   m = 0.1·g, v = 0.001·g²;  1 − 0.9^1000 = 1, 1 − 0.999^1000 = 0.632305
    #   step = lr·0.1·g / (|g|·√(0.001/0.632305) + eps) = lr·0.1/0.0397688 ≈ 2.5145·lr  (lr = 0.01)
    # larger than lr: Adam's step is bounded by lr·(1 − β1)/√(1 − β2) ≈ 3.16·lr, not by lr.
    theta, m, v, grad = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, -0.01]
    g = np.array(grad)
    m_new, v_new = 0.1 * g, 0.001 * g**2
    correction2 = 1 - 0.999**1000
    theta_new = -0.01 * 0.1 * g / (np.abs(g) * np.sqrt(0.001 / correction2) + 1e-8)
    _expect_step(student_fn, (theta, m, v, grad, 1000, 0.01, 0.9, 0.999, 1e-8), (theta_new, m_new, v_new))


def _case_matches_nnopt(student_fn) -> None:
    # 25 steps on f(θ) = ½ Σ c·(θ − 1)², gradient c·(θ − 1), a (2, 3) array whose curvatures c span
    # four orders of magnitude, with non-default hyperparameters; compared with nnopt.optim.Adam
    # (torch's numbers), the learner's m and v fed back into each next call.
    curvature = np.array([[1e-2, 1e-1, 1.0], [10.0, 100.0, 3.0]])
    start = np.array([[3.0, -2.0, 0.5], [1.5, -0.5, 4.0]])
    lr, beta1, beta2, eps = 0.05, 0.8, 0.99, 1e-6
    reference = Parameter(start.copy())
    optimizer = Adam([reference], lr=lr, betas=(beta1, beta2), eps=eps)
    theta, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t in range(1, 26):
        grad = curvature * (theta - 1.0)
        reference.grad[...] = curvature * (reference.value - 1.0)
        optimizer.step()
        state = optimizer.state[reference]
        expected = (reference.value, state["exp_avg"], state["exp_avg_sq"])
        case = (theta, m, v, grad, t, lr, beta1, beta2, eps)
        (theta, m, v), low = _call(student_fn, *case)
        if not _same((theta, m, v), expected, low):
            hint = _hint_for((theta, m, v), case, _right(*case), low, student_fn)
            if hint.endswith(GENERIC_HINT):
                hint += " Feed the returned theta, m and v into the next call, with t one larger."
            expect(False, expected=f"after step {t}: {_describe(expected)}",
                   got=f"after step {t}: {_describe((theta, m, v))}", hint=hint)


CHECKS = (
    Check("by hand: first step t=1 from m = v = 0: theta moves by lr·g/(|g| + eps) ≈ ±lr", _case_first_step),
    Check("by hand: second step t=2, one gradient flips sign and its step shrinks to 5 % of lr",
          _case_second_step),
    Check("by hand: a gradient as small as eps (1e-8) moves theta by only lr/2", _case_tiny_gradient),
    Check("by hand: at t=1000 the correction of v still scales the step by 1.26", _case_late_step),
    Check("by hand: a rare feature (gradient 0 until t=1000) moves by 2.5·lr, more than lr", _case_rare_feature),
    Check("25 steps on a (2, 3) array: same theta, m and v as nnopt.optim.Adam", _case_matches_nnopt),
)


def check_adam_step(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``adam_step(theta, m, v, grad, t, lr, beta1, beta2, eps) -> (theta, m, v)`` on 6 cases.

    Put it last in a notebook cell (or ``print`` it) to see "✓ adam_step: passed 6/6", or the
    first failing case with the expected and returned arrays and a hint that names the mistake
    when it is a usual one (no bias correction, eps inside the root, t off by one, the corrected
    averages returned as the state, ...). ``.passed`` is True when every case passed. Wrong
    answers and errors are reported, never raised.
    """
    return run_checks("adam_step", student_fn, CHECKS, checker="check_adam_step", time_limit=time_limit)
