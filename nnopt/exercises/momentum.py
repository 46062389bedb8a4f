r"""Checker for the exercise "write one momentum step" (notebook 3).

The learner writes ``momentum_step(theta, v, grad, lr, beta)`` for the course's (EWA) form of
momentum, the update :class:`nnopt.optim.Momentum` runs::

    v_new     = beta * v + (1 - beta) * grad      # average the gradients
    theta_new = theta - lr * v_new                # step along the average (the NEW v)

and returns ``(theta_new, v_new)``. Every call gets fresh copies of the arrays, so updating
them in place and returning them is fine too (the course policy, ``nnopt.exercises.POLICY``). The checker compares with values worked
out by hand, with plain gradient descent for ``beta = 0`` and with ``nnopt.optim.Momentum``
over several steps. A wrong answer is matched against the usual slips (the ``(1 - beta)``
forgotten, θ moved with the old v, a sign error, β and 1 - β swapped, the pair returned in
the wrong order, PyTorch's undamped buffer, Keras' v = βv − lr·g with θ + v, deeplearning.ai's
argument order ``(parameters, grads, v, beta, learning_rate)`` and its dict indexing) so the
hint can name the slip; an answer that matches none says which output differs.
"""
from __future__ import annotations

import numpy as np

from ..optim.momentum import Momentum
from ..parameter import Parameter
from .feedback import Check, ExerciseResult, as_array, close, expect, order_hint, run_checks, unstacked

__all__ = ["check_momentum_step", "reference_momentum_step"]


def reference_momentum_step(theta, v, grad, lr, beta):
    """The answer: one step of the course's momentum, as new arrays ``(theta_new, v_new)``."""
    v_new = beta * v + (1 - beta) * grad
    theta_new = theta - lr * v_new
    return theta_new, v_new


DLAI_CONVENTION = (
    "the checker calls your function as momentum_step(theta, v, grad, lr, beta), in this order, with "
    "single NumPy arrays. deeplearning.ai's update_parameters_with_momentum(parameters, grads, v, beta, "
    "learning_rate) takes dicts and another order; the update itself is the same: "
    "v = beta * v + (1 - beta) * grad, theta = theta - lr * v.")


def _usual_slips(theta, v, grad, lr, beta) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """``(theta, v, hint)`` of each common wrong answer, for this case."""
    right_theta, right_v = reference_momentum_step(theta, v, grad, lr, beta)
    no_damping_v = beta * v + grad
    swapped_v = (1 - beta) * v + beta * grad
    keras_v = beta * v - lr * grad
    dlai_theta, dlai_v = reference_momentum_step(theta, grad, v, beta, lr)  # (theta, grads, v, beta, lr) read as ours
    return [
        (theta - lr * no_damping_v, no_damping_v,
         "you forgot the (1 - beta) in front of grad: v = beta * v + (1 - beta) * grad. Without it "
         "v is PyTorch's momentum buffer (torch.optim.SGD), which grows to grad / (1 - beta) on a constant "
         "gradient instead of averaging to grad."),
        (theta + keras_v, keras_v,
         "that is the Keras/TensorFlow convention, v = beta * v - lr * grad and theta + v (v holds the step). "
         "The course's v is the average of the gradients: v = beta * v + (1 - beta) * grad, "
         "theta_new = theta - lr * v_new."),
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
        (dlai_theta, dlai_v,
         "your function reads its arguments in deeplearning.ai's order (parameters, grads, v, beta, "
         "learning_rate); " + DLAI_CONVENTION),
    ]


def _signature_hint(student_fn) -> str:
    """A hint when the parameters are named in deeplearning.ai's (or another) order."""
    return order_hint(student_fn, ("theta", "v", "grad", "lr", "beta"), "momentum_step(theta, v, grad, lr, beta)",
                      {"parameters": "theta", "params": "theta", "grads": "grad", "g": "grad", "dw": "grad",
                       "learning_rate": "lr", "alpha": "lr", "momentum": "beta", "velocity": "v"})


def explain_error(description: str) -> str | None:
    """A hint for an exception that shows deeplearning.ai's dict-based habit."""
    if "only integers, slices" in description or "KeyError" in description or "string indices" in description:
        return ("your code indexes its arguments like dicts (parameters['W1'], grads['dW1'], as in deeplearning.ai's "
                "update_parameters_with_momentum); here theta, v and grad are single NumPy arrays: "
                "v_new = beta * v + (1 - beta) * grad; theta_new = theta - lr * v_new.")
    return None


def _as_pair(result, shape) -> tuple[np.ndarray, np.ndarray, bool]:
    """The learner's return value as two float arrays of ``shape`` and whether it was float32."""
    expect(result is not None,
           expected="a pair (theta_new, v_new)", got="None",
           hint="end the function with `return theta_new, v_new` (a function without return gives None).")
    result = unstacked(result, 2, shape)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           expected="a pair (theta_new, v_new)",
           got=(f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")),
           hint="return both arrays: `return theta_new, v_new`"
                + (" (deeplearning.ai's version returns dicts; here there are none)."
                   if isinstance(result, dict) else "."))
    arrays, low = [], False
    for name, part in zip(("theta_new", "v_new"), result):
        array, part_low = as_array(part, name, shape=shape,
                                   hint="work with whole arrays (v = beta * v + ...), without indexing or summing.")
        arrays.append(array)
        low = low or part_low
    return arrays[0], arrays[1], low


def _call(student_fn, theta, v, grad, lr, beta) -> tuple[np.ndarray, np.ndarray, bool]:
    """Call the learner on fresh copies (it may change them in place) and read the pair."""
    return _as_pair(student_fn(theta.copy(), v.copy(), grad.copy(), lr, beta), theta.shape)


def _fmt(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array, dtype=np.float64), separator=", ",
                           formatter={"float_kind": lambda x: f"{x:.6g}"})


def _expect_step(student_fn, theta, v, grad, lr, beta, right_theta=None, right_v=None) -> None:
    """The learner's one step equals ``(right_theta, right_v)`` (by default the reference's);
    otherwise the hint names the slip the answer matches, if any."""
    got_theta, got_v, low = _call(student_fn, theta, v, grad, lr, beta)
    if right_theta is None:
        right_theta, right_v = reference_momentum_step(theta, v, grad, lr, beta)
    theta_ok, v_ok = close(got_theta, right_theta, low), close(got_v, right_v, low)
    if theta_ok and v_ok:
        return
    hint = next((slip_hint for slip_theta, slip_v, slip_hint in _usual_slips(theta, v, grad, lr, beta)
                 if close(got_theta, slip_theta, low) and close(got_v, slip_v, low)), None)
    hint = hint or _signature_hint(student_fn)
    if not hint:
        wrong = " and ".join(name for name, ok in (("theta_new", theta_ok), ("v_new", v_ok)) if not ok)
        hint = (f"{wrong} differ{'s' if ' and ' not in wrong else ''} from the expected values and match"
                f"{'es' if ' and ' not in wrong else ''} none of the usual slips; work this case out by hand with "
                "v_new = beta * v + (1 - beta) * grad, then theta_new = theta - lr * v_new.")
    expect(False, expected=f"theta_new = {_fmt(right_theta)}, v_new = {_fmt(right_v)}",
           got=f"theta_new = {_fmt(got_theta)}, v_new = {_fmt(got_v)}", hint=hint)


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
    got_theta, got_v, low = _call(student_fn, theta, v, grad, 0.5, 0.0)
    expect(close(got_theta, [2.5, 2.0], low) and close(got_v, grad, low),
           expected="plain gradient descent: theta_new = [2.5, 2.0], v_new = grad = [1.0, -2.0]",
           got=f"theta_new = {_fmt(got_theta)}, v_new = {_fmt(got_v)}",
           hint="with beta = 0 the old velocity must be forgotten entirely: v_new = grad, "
                "theta_new = theta - lr * grad.")


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
        theta, v, low = _call(student_fn, theta, v, grad, lr, beta)
        expect(close(theta, param.value, low),
               expected=f"after step {step}: theta = {_fmt(param.value)}",
               got=f"after step {step}: theta = {_fmt(theta)}",
               hint="pass the v your function returned into the next call; it must be the "
                    "average v_new = beta * v + (1 - beta) * grad.")


CHECKS = (
    Check("one step from rest (v = 0; lr = 0.1, beta = 0.9), worked by hand", _case_from_rest),
    Check("one step while moving (v = [0.5, -1]), worked by hand", _case_moving),
    Check("beta = 0 is plain gradient descent", _case_beta_zero),
    Check("five steps on a bowl, 3x2 array, match nnopt.optim.Momentum", _case_matches_nnopt),
)


def check_momentum_step(student_fn, *, time_limit: float | None = None) -> ExerciseResult:
    """Check a learner's ``momentum_step(theta, v, grad, lr, beta) -> (theta_new, v_new)``.

    Four cases: two steps worked by hand, β = 0 (plain gradient descent) and five steps against
    :class:`nnopt.optim.Momentum`. Each call gets fresh copies, so updating them in place is
    fine. Shows "✓ momentum step: passed 4/4", or the first failing case with what was expected,
    what came back and a hint naming the slip (PyTorch's undamped buffer, the Keras convention,
    deeplearning.ai's argument order, ...). Wrong answers and errors are reported, never raised.
    """
    return run_checks("momentum step", student_fn, CHECKS, checker="check_momentum_step",
                      time_limit=time_limit, explain_error=explain_error)
