"""Tests for nnopt.landscapes: formulas against finite differences, critical points, trajectories."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from nnopt.landscapes import (
    FUNCTIONS,
    DivergenceWarning,
    Function2D,
    MonkeySaddle,
    Quadratic,
    Rosenbrock,
    TrajectoryDiverged,
    describe_optimizer,
    find_critical_points,
    get_function,
    make_factory,
    optimizer_family,
    race,
    trajectory,
)
from nnopt.parameter import Parameter

optim = pytest.importorskip("nnopt.optim")
SGD = optim.SGD

# Every registered function with its defaults, plus non-default parameters of the families.
CASES = {name: cls() for name, cls in FUNCTIONS.items()}
CASES["quadratic_rotated"] = Quadratic(condition_number=50, rotation=30)
CASES["rosenbrock_a2"] = Rosenbrock(a=2.0, b=10.0)
NUMERICAL = {"himmelblau", "peaks"}  # critical points found by Newton's method, stored to ~15 digits


def _random_points(function: Function2D, n: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(*function.xlim, n), rng.uniform(*function.ylim, n)])


# -- formulas --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_gradient_matches_central_differences(name):
    f = CASES[name]
    h = 1e-6
    for p in _random_points(f):
        numeric = np.array(
            [(f.value(p + e) - f.value(p - e)) / (2 * h) for e in (np.array([h, 0.0]), np.array([0.0, h]))]
        )
        scale = 1.0 + abs(f.value(p))
        np.testing.assert_allclose(f.grad(p), numeric, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("name", CASES)
def test_hessian_matches_central_differences_of_the_gradient(name):
    f = CASES[name]
    h = 1e-6
    for p in _random_points(f, seed=1):
        columns = [(f.grad(p + e) - f.grad(p - e)) / (2 * h) for e in (np.array([h, 0.0]), np.array([0.0, h]))]
        numeric = np.column_stack(columns)
        scale = 1.0 + np.abs(f.grad(p)).max()
        H = f.hessian(p)
        np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-6 * scale)
        assert H[0, 1] == H[1, 0]


@pytest.mark.parametrize("name", CASES)
def test_point_style_and_grid_style_agree_and_vectorise(name):
    f = CASES[name]
    points = _random_points(f, n=12, seed=2).reshape(3, 4, 2)
    values = f.value(points)
    grads = f.grad(points)
    hessians = f.hessian(points)
    assert values.shape == (3, 4) and grads.shape == (3, 4, 2) and hessians.shape == (3, 4, 2, 2)
    for index in np.ndindex(3, 4):
        assert values[index] == pytest.approx(float(f(*points[index])), rel=1e-13, abs=1e-13)
        np.testing.assert_allclose(grads[index], f.grad(points[index]), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(hessians[index], f.hessian(points[index]), rtol=1e-13, atol=1e-13)
    X, Y, Z = f.grid(7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    assert X[0, 0] == f.xlim[0] and Y[-1, -1] == f.ylim[1]
    gx, gy = f.grad_xy(X[0], 0.5)  # a row of x values against one y: broadcasting
    assert gx.shape == gy.shape == (7,)
    assert all(h.shape == (7,) for h in f.hessian_xy(0.5, Y[:, 0]))
    assert np.all(np.isfinite(Z))


def test_hand_computed_values():
    rosenbrock = get_function("rosenbrock")
    # (1 + 1.2)² + 100 (1 - 1.44)² = 4.84 + 19.36
    assert rosenbrock.value([-1.2, 1.0]) == pytest.approx(24.2, rel=1e-14)
    # ∂x = -2(2.2) - 400(-1.2)(1 - 1.44) = -4.4 - 211.2;  ∂y = 200 (1 - 1.44)
    np.testing.assert_allclose(rosenbrock.grad([-1.2, 1.0]), [-215.6, -88.0], rtol=1e-14)
    # ∂²x = 2 - 400(1 - 1.44) + 800 (1.44) = 2 + 176 + 1152;  ∂x∂y = -400(-1.2);  ∂²y = 200
    np.testing.assert_allclose(rosenbrock.hessian([-1.2, 1.0]), [[1330.0, 480.0], [480.0, 200.0]], rtol=1e-14)
    himmelblau = get_function("himmelblau")
    assert himmelblau(0.0, 0.0) == 170.0  # 11² + 7²
    np.testing.assert_allclose(himmelblau.grad([0.0, 0.0]), [-14.0, -22.0])  # (2·(-7), 2·(-11))
    beale = get_function("beale")
    assert beale.value([0.0, 1.0]) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)  # 14.203125
    # ∂x∂y at (0, 1) = 2(1.5·1 + 2.25·2 + 2.625·3) = 27.75, and both second derivatives vanish
    np.testing.assert_allclose(beale.hessian([0.0, 1.0]), [[0.0, 27.75], [27.75, 0.0]], atol=1e-12)
    monkey = get_function("monkey_saddle")
    assert monkey(1.0, 1.0) == -2.0  # 1 - 3
    np.testing.assert_allclose(monkey.grad([1.0, 1.0]), [0.0, -6.0])
    bowl = get_function("quadratic")  # ½(x²/10 + y²)
    assert bowl(1.0, 1.0) == pytest.approx(0.55)
    np.testing.assert_allclose(bowl.hessian([3.0, -2.0]), [[0.1, 0.0], [0.0, 1.0]])
    plateau = get_function("plateau")  # tanh² x + 0.05 y²
    assert plateau(1.0, 2.0) == pytest.approx(math.tanh(1.0) ** 2 + 0.2)
    assert plateau.grad([1.0, 2.0])[0] == pytest.approx(2 * math.tanh(1.0) / math.cosh(1.0) ** 2)


def test_rotated_quadratic_has_the_stated_eigen_decomposition():
    bowl = Quadratic(condition_number=25, rotation=30, largest_eigenvalue=2.0)
    H = bowl.hessian([0.3, -0.7])
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [2.0 / 25, 2.0], rtol=1e-12)
    v_small = bowl.eigenvectors[:, 0]  # the shallow direction, rotated 30° from the x-axis
    np.testing.assert_allclose(v_small, [math.cos(math.pi / 6), math.sin(math.pi / 6)], rtol=1e-12)
    np.testing.assert_allclose(H @ v_small, (2.0 / 25) * v_small, atol=1e-14)
    assert bowl.ylim == bowl.xlim  # rotated: a square window
    assert bowl.value(bowl.start) == pytest.approx(0.5 * (2.0 / 25 * 64 + 2.0 * 9))  # start = V (-8, 3)


@pytest.mark.parametrize("name", CASES)
def test_stated_critical_points(name):
    f = CASES[name]
    tol = 1e-6 if f.name in NUMERICAL else 1e-8
    for kind, points in f.critical_points().items():
        for p in points:
            assert np.abs(f.grad(p)).max() <= tol, (kind, p)
            eigenvalues = np.linalg.eigvalsh(f.hessian(p))
            if isinstance(f, MonkeySaddle):
                continue  # degenerate, see test_monkey_saddle_is_a_degenerate_saddle
            if kind == "minimum":
                assert np.all(eigenvalues > 0), (p, eigenvalues)
            elif kind == "maximum":
                assert np.all(eigenvalues < 0), (p, eigenvalues)
            else:
                assert eigenvalues[0] < 0 < eigenvalues[1], (p, eigenvalues)
            assert f.classify(p) == kind
    if len(f.minima):
        assert f.minimum_value == pytest.approx(min(f.value(p) for p in f.minima))


def test_exact_minima_and_counts():
    assert get_function("rosenbrock").minima.tolist() == [[1.0, 1.0]]
    assert Rosenbrock(a=2.0).minima.tolist() == [[2.0, 4.0]]
    assert get_function("beale").value([3.0, 0.5]) == 0.0
    himmelblau = get_function("himmelblau")
    assert len(himmelblau.minima) == 4 and len(himmelblau.saddles) == 4 and len(himmelblau.maxima) == 1
    np.testing.assert_allclose(himmelblau.value(himmelblau.minima), 0.0, atol=1e-24)  # four equal minima
    peaks = get_function("peaks")
    assert len(peaks.minima) == 3
    assert peaks.minimum_value == pytest.approx(-1.79268991, abs=1e-8)
    assert np.all(np.diff(peaks.value(peaks.minima)) > 0)  # stored deepest first
    assert get_function("saddle").minimum_value is None


@pytest.mark.parametrize("name", ["beale", "himmelblau", "peaks", "rosenbrock", "plateau", "saddle"])
def test_no_critical_point_in_the_window_is_missing(name):
    f = get_function(name)
    found = find_critical_points(f, n=30)
    assert len(found["degenerate"]) == 0
    for kind, stored in f.critical_points().items():
        assert len(found[kind]) == len(stored), (kind, found[kind])
        for p in found[kind]:
            assert np.min(np.linalg.norm(stored - p, axis=1)) < 1e-8


def test_monkey_saddle_is_a_degenerate_saddle():
    f = get_function("monkey_saddle")
    np.testing.assert_array_equal(f.saddles, [[0.0, 0.0]])
    np.testing.assert_array_equal(f.hessian([0.0, 0.0]), np.zeros((2, 2)))  # the 2nd-order test fails
    assert f.classify([0.0, 0.0]) == "degenerate"
    eps = 1e-3
    assert f(eps, 0.0) > 0 > f(-eps, 0.0)  # ε³ and -ε³: neither a minimum nor a maximum


# -- registry --------------------------------------------------------------------------------
def test_registry_names_parameters_and_errors():
    assert set(FUNCTIONS) == {
        "quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "monkey_saddle", "peaks", "plateau"
    }
    assert get_function("Monkey saddle").name == "monkey_saddle"
    assert get_function("quadratic", condition_number=100).eigenvalues.tolist() == [0.01, 1.0]
    f = get_function("beale")
    assert get_function(f) is f
    with pytest.raises(ValueError, match=r"unknown test function 'bananas'; valid names: quadratic, rosenbrock"):
        get_function("bananas")
    with pytest.raises(TypeError, match="name must be"):
        get_function(3)
    with pytest.raises(TypeError, match="parameters"):
        get_function(f, condition_number=3)
    with pytest.raises(ValueError, match="condition_number must be a finite number >= 1.*got 0.5"):
        Quadratic(condition_number=0.5)
    with pytest.raises(ValueError, match=r"point must have shape \(2,\).*got shape \(3,\)"):
        f.grad([1.0, 2.0, 3.0])
    for name, cls in FUNCTIONS.items():
        g = cls()
        assert g.xlim[0] < g.xlim[1] and g.ylim[0] < g.ylim[1]
        assert g.xlim[0] <= g.start[0] <= g.xlim[1] and g.ylim[0] <= g.start[1] <= g.ylim[1], name
        assert g.formula.startswith("$") and g.name == name


# -- trajectories ----------------------------------------------------------------------------
def test_gradient_descent_matches_the_closed_form_per_eigen_direction():
    bowl = Quadratic(condition_number=20, rotation=35)
    lr, steps = 0.3, 25
    run = trajectory(lambda params: SGD(params, lr=lr), bowl, steps=steps)
    assert run.path.shape == (steps + 1, 2) and not run.diverged
    u = run.path @ bowl.eigenvectors  # eigen-coordinates u_i = v_iᵀ x
    t = np.arange(steps + 1)[:, None]
    expected = (1 - lr * bowl.eigenvalues) ** t * (bowl.start @ bowl.eigenvectors)  # u_t = (1 - ηλ)ᵗ u_0
    np.testing.assert_allclose(u, expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(run.losses, bowl.value(run.path))
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(bowl.grad(run.path), axis=1))
    assert run.label == "SGD (lr=0.3)" and run.family == "SGD" and run.function == "quadratic"


def test_the_factory_gets_one_parameter_of_shape_2():
    seen = []

    def factory(params):
        seen.extend(params)
        return SGD(params, lr=0.1)

    run = trajectory(factory, "rosenbrock", x0=[0.5, 0.5], steps=1)
    (theta,) = seen
    assert isinstance(theta, Parameter) and theta.shape == (2,)
    # one GD step: θ₁ = θ₀ - 0.1 ∇f(θ₀), and θ.value is that point
    np.testing.assert_allclose(run.path[1], [0.5, 0.5] - 0.1 * get_function("rosenbrock").grad([0.5, 0.5]))
    np.testing.assert_array_equal(theta.value, run.path[1])


def test_divergence_truncates_flags_and_warns():
    # y_t = 3 (1 - 2.5)ᵗ = 3 (-1.5)ᵗ first exceeds 1e6 at t = 32 (3·1.5³¹ = 8.1e5, 3·1.5³² = 1.2e6)
    factory = lambda params: SGD(params, lr=2.5)  # noqa: E731
    with pytest.warns(DivergenceWarning, match="diverged on quadratic at step 32"):
        run = trajectory(factory, "quadratic", steps=100)
    assert run.diverged and run.diverged_at == 32 and len(run.path) == 32
    assert np.all(np.abs(run.path) <= 1e6) and np.all(np.isfinite(run.losses))
    with pytest.raises(TrajectoryDiverged) as caught:
        trajectory(factory, "quadratic", steps=100, on_divergence="raise")
    assert caught.value.result.diverged_at == 32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trajectory(factory, "quadratic", steps=100, on_divergence="ignore").diverged


def test_gradient_noise_is_seeded_and_clipping_caps_the_step():
    f = get_function("quadratic")
    run = trajectory(lambda params: SGD(params, lr=0.1), f, steps=3, grad_noise=0.5, seed=7)
    xi = np.random.default_rng(7).standard_normal(2)
    np.testing.assert_allclose(run.path[1], f.start - 0.1 * (f.grad(f.start) + 0.5 * xi), rtol=1e-14)
    again = trajectory(lambda params: SGD(params, lr=0.1), f, steps=3, grad_noise=0.5, seed=7)
    np.testing.assert_array_equal(run.path, again.path)
    other = trajectory(lambda params: SGD(params, lr=0.1), f, steps=3, grad_noise=0.5, seed=8)
    assert not np.allclose(run.path, other.path)
    # ‖∇f(-1.2, 1)‖ = ‖(-215.6, -88)‖ = 232.87 > 1, so the gradient is scaled by 1 / (232.87 + 1e-6)
    # (torch's clip_grad_norm_) and the first step has length 0.01 · 232.87 / (232.87 + 1e-6)
    clipped = trajectory(lambda params: SGD(params, lr=0.01), "rosenbrock", steps=1, clip_norm=1.0)
    norm = np.hypot(215.6, 88.0)
    assert np.linalg.norm(clipped.path[1] - clipped.path[0]) == pytest.approx(0.01 * norm / (norm + 1e-6), rel=1e-12)


def test_a_scheduler_is_stepped_after_every_step():
    class Halving:  # lr_t = lr_0 / 2ᵗ
        def __init__(self, optimizer):
            self.optimizer = optimizer

        def step(self):
            self.optimizer.param_groups[0]["lr"] *= 0.5

    f = Quadratic(condition_number=4)  # λ = (0.25, 1)
    run = trajectory(lambda params: SGD(params, lr=1.0), f, x0=[0.0, 2.0], steps=3, scheduler_factory=Halving)
    # y: 2 · (1 - 1)(1 - 0.5)(1 - 0.25) = 0 after the first step; x stays 0
    np.testing.assert_allclose(run.path[:, 1], [2.0, 0.0, 0.0, 0.0], atol=1e-15)
    run = trajectory(lambda params: SGD(params, lr=1.0), f, x0=[8.0, 0.0], steps=3, scheduler_factory=Halving)
    # x: 8 → 8(1 - 0.25) = 6 → 6(1 - 0.125) = 5.25 → 5.25 (1 - 0.0625) = 4.921875
    np.testing.assert_allclose(run.path[:, 0], [8.0, 6.0, 5.25, 4.921875], rtol=1e-14)


def test_trajectory_rejects_bad_input():
    gd = lambda params: SGD(params, lr=0.1)  # noqa: E731
    with pytest.raises(ValueError, match="steps must be a whole number >= 0, got -1"):
        trajectory(gd, "beale", steps=-1)
    with pytest.raises(ValueError, match="grad_noise must be a finite number >= 0, got -0.1"):
        trajectory(gd, "beale", grad_noise=-0.1)
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\)"):
        trajectory(gd, "beale", x0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="x0 must be one finite point"):
        trajectory(gd, "beale", x0=[np.nan, 2.0])
    with pytest.raises(ValueError, match="on_divergence must be one of"):
        trajectory(gd, "beale", on_divergence="explode")
    with pytest.raises(ValueError, match="clip_norm must be > 0"):
        trajectory(gd, "beale", clip_norm=0)
    with pytest.raises(TypeError, match="optimizer_factory must be a callable"):
        trajectory(0.1, "beale")
    with pytest.raises(TypeError, match="must return an optimizer"):
        trajectory(lambda params: params, "beale")
    with pytest.raises(ValueError, match="unknown test function"):
        trajectory(gd, "bowl")


def test_race_runs_every_optimizer_from_the_same_start_with_the_same_noise():
    factories = {"slow": lambda p: SGD(p, lr=0.01), "fast": lambda p: SGD(p, lr=0.1)}
    runs = race(factories, "quadratic", steps=5, grad_noise=0.1, seed=3)
    assert list(runs) == ["slow", "fast"]
    assert runs["slow"].label == "slow"
    np.testing.assert_array_equal(runs["slow"].path[0], runs["fast"].path[0])
    xi = np.random.default_rng(3).standard_normal(2)  # the same first draw for both runs
    g0 = get_function("quadratic").grad(runs["fast"].path[0]) + 0.1 * xi
    np.testing.assert_allclose(runs["fast"].path[1] - runs["fast"].path[0], -0.1 * g0, rtol=1e-13)
    np.testing.assert_allclose(runs["slow"].path[1] - runs["slow"].path[0], -0.01 * g0, rtol=1e-13)
    with pytest.raises(TypeError, match="non-empty dict"):
        race({}, "quadratic")


def test_names_and_factories_of_optimizers():
    p = [Parameter(np.zeros(2))]
    heavy_ball = SGD(p, lr=0.1, momentum=0.9)
    assert describe_optimizer(heavy_ball) == "SGD (lr=0.1, momentum=0.9)"
    assert optimizer_family(heavy_ball) == "Momentum"
    assert optimizer_family(SGD(p, lr=0.1, momentum=0.9, nesterov=True)) == "Nesterov"
    nesterov = make_factory("nesterov", lr=0.05)(p)
    assert optimizer_family(nesterov) == "Nesterov" and nesterov.param_groups[0]["momentum"] == 0.9
    assert type(make_factory("gd", lr=0.1)(p)).__name__ == "SGD"
    with pytest.raises(ValueError, match="unknown optimizer 'Adamm'; valid names: .*SGD"):
        make_factory("Adamm")
    with pytest.raises(ValueError, match="lr"):
        make_factory("SGD", lr=-1.0)  # checked at once, not in the middle of a race



def test_trajectory_names_factories_that_would_do_nothing():
    import pytest as _pytest

    from nnopt.landscapes import Quadratic, trajectory
    from nnopt.optim import SGD
    from nnopt.parameter import Parameter
    from nnopt.schedules import ReduceLROnPlateau, StepLR

    bowl = Quadratic(condition_number=10)
    stranger = Parameter([0.0, 0.0])
    with _pytest.raises(ValueError, match="the point would never move"):
        trajectory(lambda params: SGD([stranger], lr=0.1), bowl, steps=5)
    other = SGD([stranger], lr=0.1)
    with _pytest.raises(ValueError, match="steps another optimizer"):
        trajectory(lambda params: SGD(params, lr=0.1), bowl, steps=5, scheduler_factory=lambda opt: StepLR(other, 2))
    with _pytest.raises(TypeError, match="pass the function, not a scheduler"):
        trajectory(lambda params: SGD(params, lr=0.1), bowl, steps=5, scheduler_factory=StepLR(other, 2))
    with _pytest.raises(TypeError, match="ReduceLROnPlateau needs a metric"):
        trajectory(lambda params: SGD(params, lr=0.1), bowl, steps=5, scheduler_factory=ReduceLROnPlateau)
    run = trajectory(lambda params: SGD(params, lr=0.1), bowl, steps=5, scheduler_factory=lambda opt: StepLR(opt, 2))
    assert run.path.shape == (6, 2)
