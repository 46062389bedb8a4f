r"""Checker for the exercise "write one momentum step" (notebook 3).

The learner writes ``momentum_step(theta, v, grad, lr, beta)`` for the course's (EWA) form of
momentum, the update :class:`nnopt.optim.Momentum` runs::

    v_new     = beta * v + (1 - beta) * grad      # average the gradients
    theta_new = theta - lr * v_new                # step along the average (the NEW v)

and returns ``(theta_new, v_new)`` as new arrays, leaving the arrays passed in unchanged (a
pure function: easy to test and to call in a loop). The checker compares with values worked
out by hand, with plain gradient descent for ``beta = 0`` and with ``nnopt.optim.Momentum``
over several steps. A wrong answer is matched against the usual slips (the ``(1 - beta)``
forgotten, θ moved with the old v, a sign error, β and 1 - β swapped, the pair returned in
the wrong order, the inputs changed in place) so the hint can name the slip.
"""
from __future__ import annotations

import numpy as np

from ..optim.momentum import Momentum
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, expect, run_checks

__all__ = ["check_momentum_step", "reference_momentum_step"]


def reference_momentum_step(theta, v, grad, lr, beta):
    """The answer: one step of the course's momentum, as new arrays ``(theta_new, v_new)``."""
    v_new = beta * v + (1 - beta) * grad
    theta_new = theta - lr * v_new
    return theta_new, v_new


def _usual_slips(theta, v, grad, lr, beta) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """``(theta, v, hint)`` of each common wrong answer, for this case."""
    right_theta, right_v = reference_momentum_step(theta, v, grad, lr, beta)
    no_damping_v = beta * v + grad
    swapped_v = (1 - beta) * v + beta * grad
    return [
        (theta - lr * no_damping_v, no_damping_v,
         "you forgot the (1 - beta) in front of grad: v = beta * v + (1 - beta) * grad. Without it "
         "v is PyTorch's momentum buffer, which grows to grad / (1 - beta) on a constant gradient "
         "instead of averaging to grad."),
        (theta - lr * v, right_v,
         "v is right but theta moved with the OLD velocity: compute v_new first, then "
         "theta_new = theta - lr * v_new."),
        (theta + lr * right_v, right_v,
         "v is right but theta went uphill: the step is theta - lr * v_new (minus: v averages "
         "the gradients, and we descend)."),
        (theta + lr * right_v, -right_v,
         "theta went the wrong way and v has the wrong sign: the course's v averages +grad "
         "(v = beta * v + (1 - beta) * grad) and the step subtracts it: theta - lr * v_new."),
        (right_theta, -right_v,
         "theta is right but v has the opposite sign: that is the Keras convention (v holds the "
         "step, theta + v). Here v is the average of the gradients themselves: "
         "v = beta * v + (1 - beta) * grad, and theta_new = theta - lr * v_new."),
        (theta - lr * swapped_v, swapped_v,
         "beta and 1 - beta are swapped: the OLD velocity keeps the large weight beta, the new "
         "gradient gets 1 - beta: v = beta * v + (1 - beta) * grad."),
        (right_v, right_theta,
         "the two results are in the wrong order: return theta_new, v_new (theta first)."),
        (theta - lr * lr * (1 - beta) * grad - lr * beta * v, beta * v + lr * (1 - beta) * grad,
         "the learning rate is applied twice: v = beta * v + (1 - beta) * grad has no lr in it; "
         "lr appears once, in theta_new = theta - lr * v_new."),
    ]


def _as_pair(result, shape) -> tuple[np.ndarray, np.ndarray]:
    """The learner's return value as two float arrays of ``shape`` (a Mismatch explains otherwise)."""
    expect(result is not None,
           expected="a pair (theta_new, v_new)", got="None",
           hint="end the function with `return theta_new, v_new` (a function without return gives None).")
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           expected="a pair (theta_new, v_new)",
           got=f"{type(result).__name__}" + (f" of length {len(result)}" if hasattr(result, "__len__") else ""),
           hint="return both arrays: `return theta_new, v_new`.")
    theta_new, v_new = (np.asarray(part, dtype=np.float64) for part in result)
    for name, value in (("theta_new", theta_new), ("v_new", v_new)):
        expect(value.shape == shape, expected=f"{name} of shape {shape}, like theta",
               got=f"{name} of shape {value.shape}",
               hint="work with whole arrays (v = beta * v + ...), without indexing or summing.")
    return theta_new, v_new


def _call(student_fn, theta, v, grad, lr, beta) -> tuple[np.ndarray, np.ndarray]:
    """Call the learner on copies (so one call cannot spoil the next) and read the pair."""
    return _as_pair(student_fn(theta.copy(), v.copy(), grad.copy(), lr, beta), theta.shape)


def _fmt(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array, dtype=np.float64), separator=", ",
                           formatter={"float_kind": lambda x: f"{x:.6g}"})


def _expect_step(student_fn, theta, v, grad, lr, beta, right_theta=None, right_v=None) -> None:
    """The learner's one step equals ``(right_theta, right_v)`` (by default the reference's);
    otherwise the hint names the slip the answer matches, if any."""
    got_theta, got_v = _call(student_fn, theta, v, grad, lr, beta)
    if right_theta is None:
        right_theta, right_v = reference_momentum_step(theta, v, grad, lr, beta)
    if _close(got_theta, right_theta) and _close(got_v, right_v):
        return
    hint = next((slip_hint for slip_theta, slip_v, slip_hint in _usual_slips(theta, v, grad, lr, beta)
                 if _close(got_theta, slip_theta) and _close(got_v, slip_v)), None)
    if hint is None:
        wrong = "theta_new" if _close(got_v, right_v) else "v_new"
        hint = (f"{wrong} is off. The step is v_new = beta * v + (1 - beta) * grad, then "
                "theta_new = theta - lr * v_new.")
    expect(False, expected=f"theta_new = {_fmt(right_theta)}, v_new = {_fmt(right_v)}",
           got=f"theta_new = {_fmt(got_theta)}, v_new = {_fmt(got_v)}", hint=hint)


def _close(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


# The hand-worked cases (lr = 0.1, beta = 0.9, so 1 - beta = 0.1):
_THETA = np.array([1.0, -2.0])
_GRAD = np.array([2.0, 4.0])


def _case_from_rest(student_fn) -> None:
    # v = 0.9*0 + 0.1*[2, 4] = [0.2, 0.4];  theta = [1, -2] - 0.1*[0.2, 0.4] = [0.98, -2.04]
    _expect_step(student_fn, _THETA, np.zeros(2), _GRAD, 0.1, 0.9,
                 right_theta=np.array([0.98, -2.04]), right_v=np.array([0.2, 0.4]))


def _case_moving(student_fn) -> None:
    # v = 0.9*[0.5, -1] + 0.1*[2, 4] = [0.65, -0.5];  theta = [1, -2] - 0.1*[0.65, -0.5] = [0.935, -1.95]
    _expect_step(student_fn, _THETA, np.array([0.5, -1.0]), _GRAD, 0.1, 0.9,
                 right_theta=np.array([0.935, -1.95]), right_v=np.array([0.65, -0.5]))


def _case_beta_zero(student_fn) -> None:
    # beta = 0: v_new = grad and theta_new = theta - lr * grad = [3, 1] - 0.5*[1, -2] = [2.5, 2]
    theta, v, grad = np.array([3.0, 1.0]), np.array([7.0, -7.0]), np.array([1.0, -2.0])
    got_theta, got_v = _call(student_fn, theta, v, grad, 0.5, 0.0)
    expect(np.allclose(got_theta, [2.5, 2.0]) and np.allclose(got_v, grad),
           expected="plain gradient descent: theta_new = [2.5, 2.0], v_new = grad = [1.0, -2.0]",
           got=f"theta_new = {_fmt(got_theta)}, v_new = {_fmt(got_v)}",
           hint="with beta = 0 the old velocity must be forgotten entirely: v_new = grad, "
                "theta_new = theta - lr * grad.")


def _case_inputs_unchanged(student_fn) -> None:
    theta, v, grad = _THETA.copy(), np.array([0.5, -1.0]), _GRAD.copy()
    student_fn(theta, v, grad, 0.1, 0.9)
    changed = [name for name, now, before in (("theta", theta, _THETA), ("v", v, [0.5, -1.0]), ("grad", grad, _GRAD))
               if not np.array_equal(now, before)]
    expect(not changed, expected="theta, v and grad unchanged after the call",
           got=f"{', '.join(changed)} changed in place",
           hint="build new arrays (v_new = beta * v + (1 - beta) * grad) instead of updating the "
                "old ones (v *= beta, theta -= ...): the caller's arrays must not change.")


def _case_matches_nnopt(student_fn) -> None:
    # Five steps on the bowl f = ½ Σ c θ² (gradient c θ), against nnopt.optim.Momentum.
    curvature = np.array([[1.0, 0.1], [0.5, 0.02], [2.0, 0.3]])
    start = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.25]])
    lr, beta = 0.3, 0.8
    param = Parameter(start.copy())
    optimizer = Momentum([param], lr=lr, beta=beta)
    theta, v = start.copy(), np.zeros_like(start)
    for step in range(1, 6):
        param.grad[...] = curvature * param.value
        optimizer.step()
        grad = curvature * theta
        if step == 1:
            _expect_step(student_fn, theta, v, grad, lr, beta)
        theta, v = _call(student_fn, theta, v, grad, lr, beta)
        expect(_close(theta, param.value),
               expected=f"after step {step}: theta = {_fmt(param.value)}",
               got=f"after step {step}: theta = {_fmt(theta)}",
               hint="pass the v your function returned into the next call; it must be the "
                    "average v_new = beta * v + (1 - beta) * grad.")


CHECKS = (
    Check("one step from rest (v = 0; lr = 0.1, beta = 0.9), worked by hand", _case_from_rest),
    Check("one step while moving (v = [0.5, -1]), worked by hand", _case_moving),
    Check("beta = 0 is plain gradient descent", _case_beta_zero),
    Check("theta, v and grad are left unchanged (new arrays returned)", _case_inputs_unchanged),
    Check("five steps on a bowl, 3x2 array, match nnopt.optim.Momentum", _case_matches_nnopt),
)


def check_momentum_step(student_fn) -> ExerciseResult:
    """Check a learner's ``momentum_step(theta, v, grad, lr, beta) -> (theta_new, v_new)``.

    Five cases: two steps worked by hand, β = 0 (plain gradient descent), the inputs left
    unchanged, and five steps against :class:`nnopt.optim.Momentum`. Shows "✓ momentum step:
    passed 5/5", or the first failing case with what was expected, what came back and a hint
    naming the slip. Wrong answers and errors are reported, never raised.
    """
    return run_checks("momentum step", student_fn, CHECKS)
