"""The filter zoo: values worked by hand (exact integers), documented ranks, argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from refconv import filters
from refconv.separability import analyze


def test_sobel_3_5_7_as_opencv():
    assert_array_equal(filters.sobel(3), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert_array_equal(filters.sobel(5)[:3], [[-1, -2, 0, 2, 1],
                                              [-4, -8, 0, 8, 4],
                                              [-6, -12, 0, 12, 6]])
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
        (lambda: filters.sobel(4), ValueError, "size must be an odd int >= 1; got 4"),
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
