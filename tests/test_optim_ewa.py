"""The exponentially weighted average: the series object, the in-place kernels, bias correction."""
import numpy as np
import pytest

from nnopt.optim import EWA, bias_correction, ewa_series, ewa_update_, ewa_update_sq_


def test_ewa_scalar_first_values_by_hand():
    avg = EWA(beta=0.9)
    assert avg.update(10.0) == pytest.approx(0.1 * 10.0)                  # 0.9·0 + 0.1·10 = 1
    assert avg.update(20.0) == pytest.approx(0.9 * 1.0 + 0.1 * 20.0)      # 2.9
    assert avg.update(0.0) == pytest.approx(0.9 * 2.9)                    # 2.61
    assert avg.t == 3
    # bias correction divides by the weights' sum 1 − 0.9³ = 0.271
    assert avg.corrected == pytest.approx(2.61 / (1 - 0.9**3))


def test_ewa_bias_corrected_is_exact_on_a_constant_series():
    avg = EWA(beta=0.98, bias_correction=True)
    values = [avg.update(5.0) for _ in range(4)]
    np.testing.assert_allclose(values, 5.0, rtol=1e-14)   # v_t = 5(1 − β^t), corrected: 5
    raw = EWA(beta=0.98)
    assert raw.update(5.0) == pytest.approx(5.0 * 0.02)   # uncorrected starts near 0


def test_ewa_on_arrays_is_elementwise_and_returns_copies():
    avg = EWA(beta=0.5)
    first = avg.update(np.array([2.0, -4.0]))
    second = avg.update(np.array([4.0, 0.0]))
    np.testing.assert_allclose(first, [1.0, -2.0])                       # 0.5·x
    np.testing.assert_allclose(second, [0.5 * 1.0 + 0.5 * 4.0, 0.5 * -2.0])  # [2.5, -1]
    assert first is not second and first[0] == 1.0                      # history not overwritten
    np.testing.assert_allclose(avg.corrected, np.array([2.5, -1.0]) / 0.75)
    listed = EWA(beta=0.5)
    np.testing.assert_allclose(listed.update([2.0, -4.0]), [1.0, -2.0])   # a list works like an array


def test_ewa_errors():
    with pytest.raises(ValueError, match=r"beta=1\.0.*\[0, 1\)"):
        EWA(beta=1.0)
    with pytest.raises(ValueError, match="beta"):
        EWA(beta=-0.1)
    with pytest.raises(ValueError, match="before the first update"):
        EWA(0.9).corrected
    avg = EWA(0.9)
    with pytest.raises(ValueError, match="non-finite"):
        avg.update(float("nan"))
    with pytest.raises(ValueError, match="non-finite"):
        avg.update(np.array([1.0, np.inf]))
    avg.update(np.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        avg.update(np.zeros(3))


def test_ewa_reset():
    avg = EWA(0.9)
    avg.update(3.0)
    avg.reset()
    assert avg.t == 0 and avg.value == 0.0
    assert avg.update(1.0) == pytest.approx(0.1)


def test_ewa_series_matches_the_recursion_and_corrects_bias():
    x = np.array([10.0, 12.0, 8.0, 11.0])
    beta = 0.8
    expected = []
    v = 0.0
    for value in x:
        v = beta * v + (1 - beta) * value
        expected.append(v)
    np.testing.assert_allclose(ewa_series(x, beta), expected, rtol=1e-14)
    corrected = np.array(expected) / (1 - beta ** np.arange(1, 5))
    np.testing.assert_allclose(ewa_series(x, beta, bias_correction=True), corrected, rtol=1e-14)
    assert ewa_series(x, beta, bias_correction=True)[0] == pytest.approx(10.0)  # first value exact


def test_ewa_series_two_columns_and_errors():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(ewa_series(x, 0.5), [[0.5, 1.0], [0.5 * 0.5 + 1.5, 0.5 * 1.0 + 2.0]])
    with pytest.raises(ValueError, match=r"index \(1,\)"):
        ewa_series([1.0, np.nan, 2.0], 0.9)
    with pytest.raises(ValueError, match="scalar"):
        ewa_series(3.0, 0.9)


def test_ewa_averages_about_one_over_one_minus_beta_values():
    # after 1/(1 − β) = 10 steps of a unit step input, the weights sum to 1 − 0.9^10 ≈ 0.65
    assert ewa_series(np.ones(10), 0.9)[-1] == pytest.approx(1 - 0.9**10)


def test_in_place_kernels():
    average = np.array([1.0, 2.0])
    scratch = np.empty(2)
    out = ewa_update_(average, np.array([3.0, -2.0]), 0.75, scratch=scratch)
    assert out is average
    np.testing.assert_allclose(average, [0.75 * 1 + 0.25 * 3, 0.75 * 2 + 0.25 * -2])  # [1.5, 1.0]
    ewa_update_(average, np.array([1.5, 1.0]), 0.5)             # without scratch: same formula
    np.testing.assert_allclose(average, [1.5, 1.0])
    squares = np.array([1.0, 0.0])
    ewa_update_sq_(squares, np.array([2.0, -3.0]), 0.9, scratch=scratch)
    np.testing.assert_allclose(squares, [0.9 * 1 + 0.1 * 4, 0.1 * 9])   # [1.3, 0.9]
    ewa_update_sq_(squares, np.array([0.0, 0.0]), 0.5)
    np.testing.assert_allclose(squares, [0.65, 0.45])


def test_in_place_kernels_keep_float32():
    average = np.ones(3, dtype=np.float32)
    ewa_update_(average, np.full(3, 2.0, dtype=np.float32), 0.9, scratch=np.empty(3, np.float32))
    ewa_update_sq_(average, np.full(3, 2.0, dtype=np.float32), 0.9)
    assert average.dtype == np.float32


def test_bias_correction():
    assert bias_correction(0.9, 1) == pytest.approx(0.1)
    assert bias_correction(0.999, 2) == pytest.approx(1 - 0.999**2)
    assert bias_correction(0.9, 0) == 0.0
