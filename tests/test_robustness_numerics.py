"""Numerics that must not leak: test functions far out (inf with the right sign, never a NaN
made by overflow, no warnings), trajectories that diverge (stop at step N, keep the finite
path, say so), explorers at extreme argument values (a figure with the note, no OverflowError
from matplotlib) and gradient_check on ReLU networks whose inputs sit on a kink."""
import contextlib
import math
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnopt.experiments.saddles import Cliff  # noqa: E402
from nnopt.landscapes import (  # noqa: E402
    FUNCTIONS, Beale, DivergenceWarning, MonkeySaddle, Peaks, Plateau, Quadratic, Rosenbrock, Saddle,
    TrajectoryDiverged, get_function, make_factory, race, trajectory,
)
from nnopt.nn import Dense, LeakyReLU, MeanSquaredError, ReLU, Sequential, gradient_check, mlp  # noqa: E402
from nnopt.plots import plot_contours, plot_loss_curves  # noqa: E402
from nnopt.widgets.adam import plot_adam_explorer  # noqa: E402
from nnopt.widgets.explorers import (  # noqa: E402
    plot_ewa_explorer, plot_lr_explorer, plot_momentum_explorer, plot_race_explorer,
)
from nnopt.widgets.minibatch import plot_minibatch_explorer  # noqa: E402
from nnopt.widgets.saddles import plot_saddle_explorer  # noqa: E402

BIG = np.finfo(np.float64).max  # 1.797...e308


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@contextlib.contextmanager
def strict():
    """Every warning is an error inside the block (not only RuntimeWarnings from nnopt)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def figure_text(fig) -> str:
    """Every text a learner sees: suptitle, titles, legends, free texts."""
    fig.canvas.draw()  # where matplotlib would overflow
    parts = [text.get_text() for text in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    for legend in fig.legends:
        parts += [text.get_text() for text in legend.get_texts()]
    for ax in fig.axes:
        parts.append(ax.get_title())
        if ax.get_legend() is not None:
            parts += [text.get_text() for text in ax.get_legend().get_texts()]
    return "\n".join(parts)


# ====================================================================== test functions far out
FUNCTIONS_FAR_OUT = [cls() for cls in FUNCTIONS.values()] + [Quadratic(condition_number=10, rotation=30), Cliff()]
FAR = (1e200, -1e200, 1e308, -1e308, BIG, -BIG)
POINTS = [(x, y) for x in FAR + (0.0, 1.0) for y in FAR + (0.0, 1.0) if abs(x) > 2 or abs(y) > 2]


@pytest.mark.parametrize("function", FUNCTIONS_FAR_OUT, ids=lambda f: f.name + ("_turned" if
                         getattr(f, "rotation", 0) else ""))
@pytest.mark.parametrize("point", POINTS, ids=lambda p: f"({p[0]:.0e},{p[1]:.0e})")
def test_far_out_nothing_is_nan_and_nothing_warns(function, point):
    with strict():
        value = function.value(point)
        gradient = function.grad(point)
        hessian = function.hessian(point) if not isinstance(function, Cliff) else np.zeros((2, 2))
    assert not np.isnan(value) and not np.any(np.isnan(gradient)) and not np.any(np.isnan(hessian))
    if function.name in ("quadratic", "rosenbrock", "beale", "himmelblau", "peaks", "cliff"):
        assert value >= 0 or function.name == "peaks"  # bounded below: a huge value is +inf, never -inf
        assert value > -3  # peaks: its lowest value is -1.79


def test_far_out_all_points_at_once_match_one_by_one():
    points = np.array(POINTS)
    for function in FUNCTIONS_FAR_OUT:
        with strict():
            together = function.value(points)
            one_by_one = np.array([function.value(p) for p in points])
            grads = function.grad(points)
        np.testing.assert_array_equal(together, one_by_one)
        assert grads.shape == (len(points), 2) and not np.isnan(grads).any()


@pytest.mark.parametrize("x, y, expected", [
    (1e200, 1e200, 0.0), (1e200, -1e200, 0.0), (1e308, -1e308, 0.0), (BIG, BIG, 0.0),  # x² - y² = 0 exactly
    (1e200, 0.0, math.inf), (1e200, 1e100, math.inf), (0.0, 1e200, -math.inf), (1e100, -1e200, -math.inf),
])
def test_saddle_far_out_is_exact_or_signed_inf(x, y, expected):
    assert Saddle().value((x, y)) == expected


@pytest.mark.parametrize("x, y, expected_value, expected_grad", [
    # f = x³ - 3xy², ∇f = (3(x² - y²), -6xy): at x = y = 1e200, f = -2e600 and ∂f/∂x = 0 exactly
    (1e200, 1e200, -math.inf, (0.0, -math.inf)),
    (-1e200, 1e200, math.inf, (0.0, math.inf)),
    (1e200, 0.0, math.inf, (math.inf, -0.0)),
    (0.0, 1e200, 0.0, (-math.inf, -0.0)),
])
def test_monkey_saddle_far_out(x, y, expected_value, expected_grad):
    assert MonkeySaddle().value((x, y)) == expected_value
    np.testing.assert_array_equal(MonkeySaddle().grad((x, y)), expected_grad)


@pytest.mark.parametrize("y", [1e200, -1e200, 1e308, BIG])
def test_beale_is_flat_along_x_zero_however_far(y):
    # On x = 0 every term is its constant: f = 1.5² + 2.25² + 2.625² = 14.203125 (a 0·inf NaN before).
    assert Beale().value((0.0, y)) == 14.203125
    # ∂f/∂x = 2 Σ cᵢ (yⁱ - 1) overflows to +inf (y³ dominates; sign of y³)
    assert Beale().grad((0.0, y))[0] == (math.inf if y > 0 else -math.inf)


def test_beale_huge_y_tiny_x_is_the_true_finite_value():
    # x = 1e-300, y = 1e150: t₃ = 2.625 - x + x y³ ≈ 1e150, so f ≈ t₃² = 1e300, not inf.
    assert Beale().value((1e-300, 1e150)) == pytest.approx(1e300, rel=1e-12)


@pytest.mark.parametrize("x, y, gx, gy", [
    # ∂f/∂x = -2(1 - x) - 400 x (y - x²) ≈ 400 x³, ∂f/∂y = 200 (y - x²) ≈ -200 x²
    (1e200, 1e200, math.inf, -math.inf), (-1e200, 0.0, -math.inf, -math.inf), (1e200, -1e308, math.inf, -math.inf),
])
def test_rosenbrock_gradient_far_out_has_the_right_sign(x, y, gx, gy):
    assert Rosenbrock().value((x, y)) == math.inf
    np.testing.assert_array_equal(Rosenbrock().grad((x, y)), (gx, gy))


def test_plateau_and_peaks_far_out_are_finite_where_the_math_is():
    assert Plateau().value((1e200, 0.0)) == 1.0  # tanh² → 1, y = 0
    np.testing.assert_array_equal(Plateau().grad((1e308, 0.0)), (0.0, 0.0))
    # The Gaussians vanish: the Hessian is the bowl's 2c I = 0.12 I (0·inf NaNs before).
    np.testing.assert_allclose(Peaks().hessian((1e200, 0.0)), [[0.12, 0.0], [0.0, 0.12]], rtol=0, atol=0)


def test_finite_values_are_untouched():
    X, Y = np.meshgrid(np.linspace(-3, 3, 41), np.linspace(-3, 3, 41))
    for function in FUNCTIONS_FAR_OUT[:-1]:
        np.testing.assert_array_equal(function(X, Y), function._value(X, Y))


# ====================================================================== trajectories that diverge
SQUARE = Quadratic(condition_number=1, largest_eigenvalue=2)  # f = x² + y², ∇f = (2x, 2y) exactly


def test_x_squared_with_lr_one_and_a_half_overflows_at_step_1024():
    # x_{t+1} = x_t - 1.5 · 2 x_t = -2 x_t, so x_t = (-2)ᵗ exactly; 2 x_1023 = 2¹⁰²⁴ overflows: no step 1024.
    run = trajectory(make_factory("SGD", lr=1.5), SQUARE, x0=(1.0, 0.0), steps=5000, bound=BIG,
                     on_divergence="ignore")
    assert run.diverged and run.diverged_at == 1024 and len(run.path) == 1024
    assert run.path[-1, 0] == -(2.0 ** 1023) and np.all(np.isfinite(run.path))
    np.testing.assert_array_equal(run.path[:11, 0], (-2.0) ** np.arange(11))
    assert "diverged on quadratic at step 1024" in run.divergence and "lr=1.5" in run.divergence
    assert "gradient at step 1023 is not finite" in run.divergence


@pytest.mark.parametrize("c, step", [(1.0, 20), (3.0, 19), (0.5, 21), (1e5, 4), (1e-3, 30), (-1.0, 20)])
def test_x_squared_leaves_the_bound_at_the_hand_derived_step(c, step):
    # |x_t| = 2ᵗ |c| first exceeds 1e6 at t = step (2¹⁹ = 524288, 2²⁰ = 1048576, 3·2¹⁸ = 786432, ...)
    with pytest.warns(DivergenceWarning, match=f"at step {step}: .*Lower the learning rate \\(lr=1.5\\)"):
        run = trajectory(make_factory("SGD", lr=1.5), SQUARE, x0=(c, 0.0), steps=100)
    assert run.diverged_at == step and len(run.path) == step
    assert abs(run.path[-1, 0]) <= 1e6 < 2 * abs(run.path[-1, 0])


def test_a_converging_run_is_exactly_what_it_was():
    # lr = 0.25: x_{t+1} = x_t - 0.5 x_t = x_t / 2, exact in binary.
    run = trajectory(make_factory("SGD", lr=0.25), SQUARE, x0=(1.0, -4.0), steps=30)
    assert not run.diverged and run.diverged_at is None and run.divergence is None
    np.testing.assert_array_equal(run.path, np.outer(0.5 ** np.arange(31), [1.0, -4.0]))


def test_divergence_modes_keep_the_finite_path():
    factory = make_factory("SGD", lr=1.5)
    with pytest.raises(TrajectoryDiverged, match="at step 20") as caught:
        trajectory(factory, SQUARE, x0=(1.0, 0.0), steps=100, on_divergence="raise")
    assert len(caught.value.result.path) == 20 and caught.value.result.divergence == str(caught.value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = trajectory(factory, SQUARE, x0=(1.0, 0.0), steps=100, on_divergence="ignore")
    assert quiet.diverged_at == 20 and "diverged" in quiet.divergence


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("start", [(1e200, 1e200), (-1e308, 0.0), (0.0, BIG), (2e6, 0.0)])
def test_a_start_outside_the_bound_is_diverged_at_step_0(name, start):
    with strict():
        run = trajectory(make_factory("Adam", lr=0.1), name, x0=start, steps=10, on_divergence="ignore")
    assert run.diverged_at == 0 and run.path.shape == (1, 2) and tuple(run.path[0]) == start
    assert not np.isnan(run.losses).any() and not np.isnan(run.grad_norms).any()
    assert "at step 0" in run.divergence and "Start inside the window" in run.divergence


def test_a_gradient_that_overflows_inside_a_huge_bound_stops_the_run():
    # Step 1 from (1e100, 0): g ≈ (4e302, -2e202), θ₁ ≈ (-4e299, 2e199); at θ₁ the x³ of ∂f/∂x overflows.
    with strict():
        run = trajectory(make_factory("SGD", lr=1e-3), Rosenbrock(), x0=(1e100, 0.0), steps=10, bound=1e300,
                         on_divergence="ignore")
    assert run.diverged_at == 2 and len(run.path) == 2
    assert run.path[1, 0] == pytest.approx(-4e299, rel=1e-12) and run.path[1, 1] == pytest.approx(2e199, rel=1e-12)
    assert "the gradient at step 1 is not finite (-inf, -inf)" in run.divergence  # 400x³ and -200x², x < 0
    assert run.grad_norms[-1] == math.inf and run.grad_norms[0] == pytest.approx(4e302, rel=1e-12)


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop", "Momentum"])
def test_infinite_gradient_noise_is_divergence_not_a_crash(optimizer):
    with strict():
        run = trajectory(make_factory(optimizer, lr=1e-3), "rosenbrock", steps=50, grad_noise=1e308, seed=0,
                         on_divergence="ignore")
    # noise of 1e308 · N(0, 1): a draw above 1.8 overflows the gradient, a smaller one throws θ out of the bound
    assert run.diverged and np.all(np.isfinite(run.path)) and "or the gradient noise (grad_noise=1e+308)" in run.divergence


def test_a_race_keeps_the_runs_that_did_not_diverge():
    runs = race({"slow": make_factory("SGD", lr=0.25), "wild": make_factory("SGD", lr=1.5)}, SQUARE, x0=(1.0, 0.0),
                steps=40, on_divergence="ignore")
    assert not runs["slow"].diverged and len(runs["slow"].path) == 41
    assert runs["wild"].diverged_at == 20


def test_plots_draw_the_finite_part_and_say_where_it_stopped():
    run = trajectory(make_factory("SGD", lr=1.5), SQUARE, x0=(1.0, 0.0), steps=100, on_divergence="ignore")
    assert "(diverged at step 20)" in figure_text(plot_contours(SQUARE, run, grid=20))
    assert "(diverged at step 20)" in figure_text(plot_loss_curves({"GD": run}, logy=True))
    far = trajectory(make_factory("SGD", lr=0.1), "rosenbrock", x0=(1e308, 1e308), steps=5, on_divergence="ignore")
    assert "(diverged at step 0)" in figure_text(plot_contours("rosenbrock", far, grid=20))
    figure_text(plot_loss_curves({"far": far}, logy=True))


# ====================================================================== explorers at extreme values
@pytest.mark.parametrize("lr, step", [(1e6, 9), (1e300, 1), (1e100, 1)])
def test_lr_explorer_parabola_huge_lr(lr, step):
    # x_t = 4 (1 - lr)ᵗ; the run stops when ½ x² passes 1e100: lr = 1e6 at t = 9 (4·10⁵⁴ > 1.4e50 > 4·10⁴⁸)
    with strict():
        text = figure_text(plot_lr_explorer(lr=lr))
    assert f"diverged at step {step}" in text and "lower the learning rate" in text


@pytest.mark.parametrize("x0", [1e200, -1e200, 1e308, -BIG])
@pytest.mark.parametrize("curvature", [1.0, 1e-300])
def test_lr_explorer_parabola_far_start(x0, curvature):
    with strict():
        text = figure_text(plot_lr_explorer(lr=0.3, x0=x0, curvature=curvature))
    assert "diverged at step 0" in text and "start closer" in text


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "monkey_saddle",
                                      "peaks", "plateau"])
@pytest.mark.parametrize("lr", [1e6, 1e300])
def test_lr_explorer_landscape_huge_lr(function, lr):
    with strict():
        text = figure_text(plot_lr_explorer(lr=lr, function=function))
    assert f"GD (lr={lr:g}) diverged at step" in text


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "saddle", "peaks"])
@pytest.mark.parametrize("x0", [(1e200, 1e200), (BIG, -BIG)])
def test_lr_explorer_landscape_far_start(function, x0):
    with strict():
        text = figure_text(plot_lr_explorer(lr=0.1, function=function, x0=x0))
    assert "diverged at step 0: start closer" in text


@pytest.mark.parametrize("lr, beta, condition_number", [(0.01, 0.0, 1.0), (4.0, 0.99, 100.0), (4.0, 0.0, 1.0),
                                                      (1e6, 0.0, 100.0), (1e6, 0.99, 1.0)])
@pytest.mark.parametrize("form", ["pytorch", "ewa"])
def test_momentum_explorer_at_the_slider_edges_and_beyond(lr, beta, condition_number, form):
    with strict():
        text = figure_text(plot_momentum_explorer(beta=beta, lr=lr, condition_number=condition_number, form=form,
                                                  steps=40))
    if lr == 1e6:  # one step multiplies the start (|θ₀| ≈ 8.5) by about 1e6: out of the bound at once
        assert "GD (lr=1e+06) diverged at step 1" in text


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "beale", "himmelblau", "saddle", "monkey_saddle",
                                      "peaks", "plateau"])
def test_race_explorer_extremes(function):
    with strict():
        assert "diverged at step" in figure_text(plot_race_explorer(function, lr=1e6, steps=20))
        assert "diverged at step 0" in figure_text(plot_race_explorer(function, x0=(1e200, -1e200), steps=20))
        assert "diverged at step" in figure_text(plot_race_explorer(function, steps=20, grad_noise=1e308))


@pytest.mark.parametrize("function", ["quadratic", "rosenbrock", "beale"])
@pytest.mark.parametrize("lr, eps, beta1", [(1.0, 1e-10, 0.99), (1.0, 10.0, 0.0), (1e300, 1e-10, 0.9),
                                             (1e6, 1e300, 0.99)])
def test_adam_explorer_extremes(function, lr, eps, beta1):
    with strict():
        text = figure_text(plot_adam_explorer(beta1=beta1, beta2=0.9, eps=eps, lr=lr, function=function, steps=50))
    if lr == 1e300:
        assert "diverged at step 1" in text


@pytest.mark.parametrize("y0, lr, optimizer", [(0.0, 1e-3, "SGD"), (1e-12, 0.4, "Momentum"), (0.5, 1.0, "Adam")])
@pytest.mark.parametrize("cliff_lr, max_norm", [(0.05, 0.1), (2.0, 20.0), (1e300, 20.0), (1e300, 0.1)])
def test_saddle_explorer_extremes(y0, lr, optimizer, cliff_lr, max_norm):
    with strict():
        text = figure_text(plot_saddle_explorer(y0=y0, lr=lr, noise=0.05, optimizer=optimizer, max_norm=max_norm,
                                                cliff_lr=cliff_lr))
    if cliff_lr == 1e300:  # the unclipped step is 1e300 · |∇f| : gone in step 1
        assert f"On the cliff: GD α = 1e+300 diverged at step 1; GD α = 1e+300 clipped at norm {max_norm:.3g}" in text


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.995, 0.999999])
@pytest.mark.parametrize("bias_correction", [True, False])
def test_ewa_explorer_at_the_edges(beta, bias_correction):
    with strict():
        figure_text(plot_ewa_explorer(beta=beta, bias_correction=bias_correction))


@pytest.mark.parametrize("batch_size", [1, "m"])
@pytest.mark.parametrize("lr", [1.5, 1e6, 1e300])
def test_minibatch_explorer_extremes(batch_size, lr):
    with strict():
        text = figure_text(plot_minibatch_explorer(batch_size=batch_size, lr=lr, steps=50))
    if lr >= 1e6:
        assert "diverged" in text and "try a smaller α" in text


BAD_LRS = [0.0, -1.0, math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("lr", BAD_LRS)
@pytest.mark.parametrize("explorer", [
    lambda lr: plot_lr_explorer(lr=lr), lambda lr: plot_lr_explorer(lr=lr, function="rosenbrock"),
    lambda lr: plot_momentum_explorer(lr=lr), lambda lr: plot_race_explorer("quadratic", lr=lr),
    lambda lr: plot_saddle_explorer(lr=lr), lambda lr: plot_saddle_explorer(cliff_lr=lr),
    lambda lr: plot_minibatch_explorer(lr=lr),
], ids=["lr-parabola", "lr-rosenbrock", "momentum", "race", "saddle", "cliff", "minibatch"])
def test_outside_the_domain_is_still_a_clear_value_error(explorer, lr):
    with pytest.raises(ValueError, match="lr must be"):
        explorer(lr)


@pytest.mark.parametrize("beta", [1.0, 1.5, -0.1, math.nan])
def test_beta_outside_zero_one_is_still_a_clear_value_error(beta):
    with pytest.raises(ValueError, match="beta must be a number in \\[0, 1\\)"):
        plot_momentum_explorer(beta=beta)
    with pytest.raises(ValueError, match="beta must be a number in \\[0, 1\\)"):
        plot_ewa_explorer(beta=beta)
    with pytest.raises(ValueError, match="beta1"):
        plot_adam_explorer(beta1=beta)


def test_ewa_explorer_refuses_a_series_too_large_to_draw():
    with pytest.raises(ValueError, match="too large to draw .* rescale it"):
        plot_ewa_explorer(series=[1e308, -1e308, 1e308])


# ====================================================================== gradient_check on kinks
def tiny(activation, first=None):
    """x -> Dense(W=1, b=0) -> activation -> Dense(W=1, b=0), mean squared error."""
    return Sequential([first or Dense.from_weights([[1.0]], [0.0]), activation, Dense.from_weights([[1.0]], [0.0])],
                      MeanSquaredError())


def test_relu_on_its_kink_is_reported_as_a_kink_not_failed():
    # x = 0, y = 1: out = relu(b₁) and L = (out - 1)². The slope in b₁ is -2 from the right, 0 from the left:
    # the central difference is their mean, -1 (+ eps/2); backprop takes ReLU'(0) = 0.
    result = gradient_check(tiny(ReLU()), [[0.0]], [[1.0]])
    assert result.numerical["dense1.b"][0] == pytest.approx(-1.0, abs=1e-6) and result.backprop["dense1.b"][0] == 0
    assert result.errors["dense1.b"] == pytest.approx(1.0)
    assert result.passed and result.kinks == {"dense1.b": 1} and result.kink_layers == ("ReLU in layer 2 (relu1)",)
    text = str(result)
    assert "FAILED" not in text and "check this layer's backward" not in text
    assert "sits on a kink of ReLU in layer 2 (relu1): finite differences are not valid there" in text
    assert "add small noise" in text


def test_leaky_relu_on_its_kink():
    # slopes -2 (right) and -0.02 (left, slope 0.01): central -1.01, backprop -0.02
    result = gradient_check(tiny(LeakyReLU(0.01)), [[0.0]], [[1.0]])
    assert result.numerical["dense1.b"][0] == pytest.approx(-1.01, abs=1e-6)
    assert result.backprop["dense1.b"][0] == pytest.approx(-0.02, abs=1e-15)
    assert result.passed and result.kink_layers == ("LeakyReLU in layer 2 (leakyrelu1)",)


@pytest.mark.parametrize("sizes", [[4, 5, 3], [4, 6, 6, 3], [3, 8, 8, 8, 2]])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("zero_rows", [3, 8])
def test_mlp_with_zero_inputs_and_zero_biases_is_not_failed(sizes, seed, zero_rows):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((8, sizes[0]))
    X[:zero_rows] = 0.0  # rows of zeros: every first-layer unit has pre-activation exactly 0 there
    y = rng.integers(0, sizes[-1], 8)
    result = gradient_check(mlp(sizes, seed=seed), X, y, tolerance=1e-8)
    assert result.passed, str(result)
    assert "FAILED" not in str(result)
    if result.kinks:
        assert "sits on a kink of ReLU in layer 2 (relu1)" in str(result)


class ReLUWithoutMask(ReLU):
    """A broken ReLU: backward passes every gradient through, as if ReLU'(z) = 1 everywhere."""

    def backward(self, grad_out):
        super().backward(grad_out)
        return grad_out


def test_a_wrong_backward_is_still_failed_even_with_some_inputs_on_the_kink():
    # x = (0, 1, -1), y = 2: out = relu(x) = (0, 1, 0), dL/dout = 2(out - y)/3 = (-4/3, -2/3, -4/3).
    # dL/dW₁ = Σ dL/dout · [z > 0] · x = -2/3; without the mask Σ dL/dout · x = -2/3 + 4/3 = 2/3:
    # relative error |-2/3 - 2/3| / (2/3 + 2/3) = 1. W₁'s probes move no unit across 0 (z = 0·W₁ stays 0).
    X, y = [[0.0], [1.0], [-1.0]], [[2.0], [2.0], [2.0]]
    result = gradient_check(tiny(ReLUWithoutMask()), X, y)
    assert result.numerical["dense1.W"][0] == pytest.approx(-2 / 3, abs=1e-8)
    assert result.backprop["dense1.W"][0] == pytest.approx(2 / 3, abs=1e-15)
    assert result.errors["dense1.W"] == pytest.approx(1.0, abs=1e-8)
    assert not result.passed and "dense1.W" not in result.kinks
    assert result.kinks == {"dense1.b": 1}  # b₁ moves x = 0's unit across the kink: left out, and said so
    text = str(result)
    assert text.startswith("Gradient check FAILED") and "check this layer's backward" in text
    # the correct ReLU on the same data passes away from the kink
    assert gradient_check(tiny(ReLU()), X, y).passed


def test_a_passing_check_prints_exactly_as_before():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    result = gradient_check(mlp([4, 5, 3], seed=0), X, y)
    assert result.passed and result.kinks == {} and result.kink_layers == ()
    assert str(result).startswith("Gradient check PASSED: max relative error") and "kink" not in str(result)


@pytest.mark.parametrize("value, words", [
    (np.ones(2, dtype=np.float16), "float16 is too coarse"),
    (np.array([1.0 + 2.0j, 0.5]), "got complex values"),
])
def test_a_parameter_refuses_dtypes_the_optimizers_cannot_step(value, words):
    from nnopt.parameter import Parameter

    with pytest.raises(TypeError, match=words):
        Parameter(value, name="w")
    assert Parameter([1, 2]).dtype == np.float64 and Parameter(np.ones(2, np.float32)).dtype == np.float32


@pytest.mark.parametrize("xlim, error, words", [
    ((-1e150, 1e150), ValueError, "too wide to draw"),
    ((float("nan"), 1.0), ValueError, "two finite numbers"),
    ((2.0, -2.0), ValueError, "low < high"),
    ("wide", TypeError, "pair of numbers"),
])
def test_plot_contours_names_a_window_it_cannot_draw(xlim, error, words):
    from nnopt.landscapes import Quadratic
    from nnopt.plots import plot_contours

    with pytest.raises(error, match=words):
        plot_contours(Quadratic(condition_number=10), xlim=xlim)
    plt.close("all")
