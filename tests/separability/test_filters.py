"""The filter zoo: values worked by hand (exact integers), documented ranks, argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from refconv import filters
from refconv.separability import analyze


def test_sobel_3_5_7_as_opencv():
    assert_array_equal(filters.sobel(3), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert_array_equal(
        filters.sobel(5)[:3], [[-1, -2, 0, 2, 1], [-4, -8, 0, 8, 4], [-6, -12, 0, 12, 6]]
    )
    assert_array_equal(filters.sobel(7)[3], 20 * np.array([-1, -4, -5, 0, 5, 4, 1]))
    for size in (3, 5, 7):
        assert filters.sobel(size).dtype == np.int64
        assert_array_equal(filters.sobel(size, "y"), filters.sobel(size).T)
        assert filters.sobel(size).sum() == 0


def test_derivative_taps():
    assert_array_equal(filters.derivative_taps(3, 0), [1, 2, 1])
    assert_array_equal(filters.derivative_taps(5, 1), [-1, -2, 0, 2, 1])
    assert_array_equal(filters.derivative_taps(5, 2), [1, 0, -2, 0, 1])
    assert_array_equal(filters.derivative_taps(7, 2), [1, 2, -1, -4, -1, 2, 1])
    assert_array_equal(filters.binomial_taps(7), [1, 6, 15, 20, 15, 6, 1])


def test_small_filters_by_hand():
    assert_array_equal(filters.scharr("y"), [[-3, -10, -3], [0, 0, 0], [3, 10, 3]])
    assert_array_equal(filters.prewitt(), [[-1, 0, 1]] * 3)
    assert_array_equal(filters.laplacian(4), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    assert_array_equal(filters.laplacian(8), np.ones((3, 3)) - 9 * filters.impulse(3))
    assert filters.box(5).sum() == 25
    assert filters.binomial(5).sum() == 4**4


def test_gaussian_log_dog():
    g = filters.gaussian_taps(5)  # OpenCV's default sigma for size 5: 0.3 * (2 - 1) + 0.8
    x = np.arange(5) - 2
    expected = np.exp(-(x**2) / (2 * 1.1**2))
    assert_allclose(g, expected / expected.sum(), rtol=1e-14)
    assert_allclose(filters.gaussian(7, 1.5).sum(), 1.0, rtol=1e-14)
    sigma = 1.4
    k = filters.log(9, sigma)
    centre = filters.gaussian(9, sigma)[4, 4] * (-2 / sigma**2)  # (0 + 0 - 2 s^2) / s^4 * G
    assert_allclose(k[4, 4], centre, rtol=1e-14)
    assert_allclose(k, k.T, rtol=1e-14)
    assert abs(filters.dog(9).sum()) < 1e-14


@pytest.mark.parametrize("name", list(filters.ZOO))
def test_zoo_rank_is_documented(name):
    kernel = filters.make(name)
    rank = filters.ZOO[name][2]
    assert analyze(kernel).rank == rank
    assert np.linalg.matrix_rank(kernel.astype(float)) == rank
    integer = name not in ("gaussian", "log", "dog")
    assert (kernel.dtype == np.int64) is integer


@pytest.mark.parametrize(("size", "sigma"), [(5, 1.0), (11, 2.0), (15, 3.0)])
def test_log_is_rank_2_and_zero_mean_log_rank_3(size, sigma):
    k = filters.log(size, sigma)
    assert analyze(k).rank == 2
    assert analyze(k - k.mean()).rank == 3  # the docstring's claim: a constant adds a term


def test_make_options():
    assert_array_equal(filters.make("sobel_x", size=5), filters.sobel(5))
    assert_array_equal(filters.make("SOBEL", axis="y"), filters.sobel(3, "y"))
    with pytest.raises(ValueError, match="unknown filter 'nope'; expected one of: binomial"):
        filters.make("nope")
    with pytest.raises(ValueError, match="filter 'box' does not take axis; it accepts: size"):
        filters.make("box", axis="x")


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: filters.sobel(4),
            ValueError,
            r"size must be an odd int >= 1 and <= 4097 "
            r"\(MAX_SIZE\); got 4",
        ),
        (lambda: filters.sobel(3, order=3), ValueError, r"order must satisfy 0 <= order < size"),
        (lambda: filters.sobel(3, "z"), ValueError, "axis must be 'x'"),
        (lambda: filters.box(2.5), TypeError, r"size must be an int; got 2\.5"),
        (lambda: filters.laplacian(6), ValueError, "neighbours must be 4 or 8; got 6"),
        (lambda: filters.gaussian(5, -1.0), ValueError, "sigma must be a positive"),
        (lambda: filters.dog(9, 1.0, ratio=1), ValueError, "ratio must be > 0 and != 1"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- exact integer taps
# Regression: the taps were built with np.convolve in int64 and wrapped around silently:
# make("binomial", size=37).min() was -9.15e18, make("sobel", size=69) had negative smoothing
# taps, and refconv.separate then called it rank 8.


def _pascal(n):
    return [math.comb(n - 1, k) for k in range(n)]


def _derivative(n, order):
    taps = _pascal(n - order)
    for _ in range(order):
        taps = [a - b for a, b in zip([0, *taps], [*taps, 0], strict=True)]
    return taps


def test_binomial_taps_exact_to_67_refused_from_68():
    taps = filters.binomial_taps(67)  # C(66, 33) = 7.2e18 < 2**63 - 1
    assert taps.dtype == np.int64 and taps.tolist() == _pascal(67)
    with pytest.raises(
        ValueError,
        match=r"size=68 is too large for binomial_taps.*int64.*"
        r"the largest size that fits is 67",
    ):
        filters.binomial_taps(68)  # C(67, 33) = 1.4e19


def test_binomial_exact_to_35_refused_from_36():
    kernel = filters.binomial(35)  # C(34, 17)**2 = 5.4e18
    assert kernel.dtype == np.int64
    assert kernel.tolist() == [[a * b for b in _pascal(35)] for a in _pascal(35)]
    for size in (36, 37):
        with pytest.raises(
            ValueError,
            match=rf"size={size} is too large for binomial.*largest "
            r"size that fits is 35",
        ):
            filters.make("binomial", size=size)


@pytest.mark.parametrize(("order", "largest"), [(1, 37), (2, 37), (3, 39), (7, 41)])
def test_sobel_exact_up_to_the_int64_limit(order, largest):
    for size in range(order + 1 + order % 2, largest + 1, 2):
        kernel = filters.sobel(size, order=order)
        expected = [[a * b for b in _derivative(size, order)] for a in _pascal(size)]
        assert kernel.dtype == np.int64 and kernel.tolist() == expected, size
    with pytest.raises(
        ValueError,
        match=rf"size={largest + 2} is too large for sobel with "
        rf"order={order}.*largest size that fits is {largest}",
    ):
        filters.sobel(largest + 2, order=order)


def test_biggest_sobel_still_separates_exactly():
    kernel = filters.sobel(37)
    result = analyze(kernel)
    assert result.rank == 1 and result.error == 0.0
    assert result.column.tolist() == _pascal(37)
    assert result.row.tolist() == _derivative(37, 1)
    with pytest.raises(ValueError, match=r"size=69 is too large for sobel.*fits is 37"):
        filters.make("sobel", size=69)


def test_derivative_taps_limits():
    assert filters.derivative_taps(71).tolist() == _derivative(71, 1)
    with pytest.raises(ValueError, match=r"size=73 .*largest size that fits is 71"):
        filters.derivative_taps(73)
    # refused at once from the bound 2**((n-1)/2) / n, without 4000 rounds of differences
    with pytest.raises(ValueError, match=r"size=4097 .*order=4000.*no size fits"):
        filters.derivative_taps(4097, order=4000)


def test_size_limit_and_dtypes():
    assert filters.gaussian_taps(filters.MAX_SIZE).shape == (4097,)
    for call in (
        lambda: filters.box(4098),
        lambda: filters.gaussian_taps(4098),
        lambda: filters.gaussian(4098),
        lambda: filters.log(4099),
        lambda: filters.dog(4099),
        lambda: filters.impulse(10**30),
    ):
        with pytest.raises(ValueError, match=r"size must be an (odd )?int >= 1 and <= 4097"):
            call()
    for name in ("sobel", "scharr", "prewitt", "box", "binomial", "impulse", "laplacian"):
        assert filters.make(name).dtype == np.int64


# --------------------------------------------------------------------------- sampled extremes


@pytest.mark.parametrize("sigma", [1e-300, 5e-324, 1e-3])
def test_gaussian_tends_to_the_impulse(sigma):
    # was all NaN for 1e-300: s**2 underflowed to 0 and 0 / 0 = NaN at the centre
    assert_array_equal(filters.gaussian(5, sigma), filters.impulse(5))
    assert_array_equal(filters.gaussian_taps(4, sigma), [0, 0.5, 0.5, 0])


def test_gaussian_huge_sigma_is_the_box():
    assert_array_equal(filters.gaussian_taps(5, 1e300), np.full(5, 0.2))
    assert_allclose(filters.gaussian(4, 1e300), np.full((4, 4), 1 / 16), rtol=1e-15)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 64), exponent=st.floats(-323, 307))
def test_gaussian_taps_never_nan(size, exponent):
    taps = filters.gaussian_taps(size, 10.0**exponent)
    assert np.isfinite(taps).all() and (taps >= 0).all()
    assert_allclose(taps.sum(), 1.0, rtol=1e-12)
    assert_array_equal(taps, taps[::-1])
    assert taps[(size - 1) // 2] == taps.max()


@pytest.mark.parametrize("sigma", [float("inf"), float("nan"), -1.0, 0.0, 10**400])
def test_sigma_must_be_positive_and_finite(sigma):
    for function in (filters.gaussian, filters.gaussian_taps, filters.log, filters.dog):
        with pytest.raises(ValueError, match="sigma must be a positive, finite number"):
            function(5, sigma)


def test_log_tiny_sigma_limit():
    k = filters.log(5, filters.LOG_MIN_SIGMA)  # centre -2 / sigma**2, everything else 0
    assert_allclose(k[2, 2], -2e300, rtol=1e-14)
    assert np.count_nonzero(k) == 1
    with pytest.raises(ValueError, match=r"sigma must be >= 1e-150 .*for log.*got 9\.9e-151"):
        filters.log(5, 9.9e-151)


@settings(max_examples=40, deadline=None)
@given(size=st.sampled_from([1, 3, 5, 9, 15]), exponent=st.floats(-150, 307))
def test_log_and_dog_never_nan(size, exponent):
    sigma = 10.0**exponent
    assume(sigma >= filters.LOG_MIN_SIGMA)
    assert np.isfinite(filters.log(size, sigma)).all()
    assert np.isfinite(filters.dog(size, sigma, ratio=1.6)).all()


def test_dog_ratio_limits():
    assert_array_equal(filters.dog(5, 1e-300), np.zeros((5, 5)))  # impulse - impulse
    with pytest.raises(ValueError, match=r"ratio \* sigma .*whose product is inf"):
        filters.dog(5, 1e300, ratio=1e10)
    with pytest.raises(ValueError, match=r"ratio \* sigma .*whose product is 0\.0"):
        filters.dog(5, 1e-300, ratio=1e-30)
    for ratio in (float("inf"), float("nan"), 0.0):
        with pytest.raises(ValueError, match="ratio must be a positive, finite number"):
            filters.dog(5, 1.0, ratio=ratio)


def test_laplacian_neighbours_must_be_an_int():
    with pytest.raises(TypeError, match=r"neighbours must be the int 4 or 8; got 4\.0"):
        filters.laplacian(4.0)
