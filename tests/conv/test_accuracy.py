"""Accuracy is a promise: every method meets its stated error bound on adversarial inputs.

The bounds (``docs/reliability.md``), against the exact result:

* ``reference``, ``direct``, ``im2col`` and ``auto``: ``(K + 1) * (eps * S + eta)``, with
  ``K = C_in // groups * kH * kW`` terms per output, ``S = sum |w| |x| + |bias|`` and ``eta``
  the smallest subnormal (:func:`refconv.testing.tolerance`);
* ``winograd``: ``(C_in // groups + 16) * eps * W`` with ``W`` the magnitude of the
  transformed tiles (:func:`refconv.kernels.winograd.error_magnitude`), which one large
  value can make far larger than ``S`` -- hence ``auto`` never picks it.

The exact result: inputs are float32 numbers (also in the float64 tests), so every product
is exact in float64, and the sums are taken in ``np.longdouble`` (64-bit significands on
x86; the reference's own error is then far below the bounds tested).

The inputs are chosen to break things, not to be typical: a spike beside small values,
kernels with zero taps, an identity kernel beside a spike (the case that made ``auto`` lose
accuracy when it picked Winograd), magnitudes spread over 60 binades, exact cancellation,
values near the overflow threshold, subnormals.
"""

from __future__ import annotations

import numpy as np
import pytest

from refconv import conv2d, depthwise_conv2d
from refconv.accuracy import adversarial_cases, exact_conv2d, worst_ratios
from refconv.kernels import winograd
from refconv.testing import tolerance

METHODS = ("reference", "direct", "im2col", "auto")


CASES = adversarial_cases()


def _f32(a):
    """Values representable in float32 (products of two are exact in float64)."""
    return np.asarray(a, np.float32).astype(np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("method", METHODS)
def test_every_method_meets_the_sum_bound(method, case, dtype):
    x, w = CASES[case]
    bias = np.linspace(-1, 1, w.shape[0])
    exact = exact_conv2d(x, w, bias)
    scale = exact_conv2d(np.abs(x), np.abs(w), np.abs(bias)).astype(np.float64)
    y = conv2d(x.astype(dtype), w.astype(dtype), bias.astype(dtype), padding=1, method=method)
    error = np.abs(y.astype(np.longdouble) - exact).astype(np.float64)
    bound = tolerance(dtype, 32 * 9, scale)
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert (error <= bound).all(), (
        f"{method} on {case!r}: error {error[worst]:.3g} > bound {bound[worst]:.3g} at {worst}"
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
def test_winograd_meets_its_own_bound(case, dtype):
    x, w = CASES[case]
    exact = exact_conv2d(x, w)
    magnitude = winograd.error_magnitude(x, w, ((1, 1), (1, 1)), 1)
    y = conv2d(x.astype(dtype), w.astype(dtype), padding=1, method="winograd")
    if not np.isfinite(y).all():  # im2col's answer after a fallback: its own bound holds
        pytest.fail(f"{case}: Winograd produced non-finite values")
    error = np.abs(y.astype(np.longdouble) - exact).astype(np.float64)
    eps = np.finfo(dtype).eps
    eta = np.finfo(dtype).smallest_subnormal
    bound = (32 + 16) * (eps * magnitude + eta)
    assert (error <= bound).all(), case


def test_winograd_is_worse_than_the_sum_bound_beside_a_spike():
    # The reason auto does not pick Winograd, as numbers: beside the spike the identity
    # kernel must return the pixel (about 0.75), and float32 Winograd loses it entirely.
    x, w = CASES["identity beside a spike"]
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    wino = conv2d(x32, w32, padding=1, method="winograd")
    exact = exact_conv2d(x, w)
    beside = (0, 0, 6, 7)
    assert abs(exact[beside] - x[0, 0, 6, 7]) == 0
    assert abs(wino[beside] - exact[beside]) > 0.5  # garbage of the spike's rounding
    assert conv2d(x32, w32, padding=1)[beside] == np.float32(x[0, 0, 6, 7])  # auto: exact
    magnitude = winograd.error_magnitude(x, w, ((1, 1), (1, 1)), 1)
    assert magnitude[beside] > 1e7 * np.abs(x[0, 0, 6, 7])  # W >> sum |w| |x| there


def test_auto_keeps_the_bound_where_it_used_to_pick_winograd():
    # 32 -> 32 channels, 28x28 outputs: the shape on which auto ran Winograd. A float32
    # spike of 1e8 beside values near 1: every output within the sum bound.
    rng = np.random.default_rng(5)
    x = _f32(rng.uniform(0.5, 1.0, (1, 32, 28, 28)))
    x[0, 3, 10, 10] = 1e8
    w = np.zeros((32, 32, 3, 3))
    w[np.arange(32), np.arange(32), 1, 1] = 1.0
    y = conv2d(x.astype(np.float32), w.astype(np.float32), padding=1)
    np.testing.assert_array_equal(y, x.astype(np.float32))  # the identity, exactly


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_depthwise_meets_the_sum_bound_beside_a_spike(method, dtype):
    rng = np.random.default_rng(9)
    x = _f32(rng.uniform(-1, 1, (1, 4, 16, 16)))
    x[0, :, 7, 7] = 3e37 if dtype == np.float32 else 1e30
    w = _f32(rng.uniform(-1, 1, (8, 1, 3, 3)))
    w[:, :, :, 1] = 0.0
    y = depthwise_conv2d(x.astype(dtype), w.astype(dtype), padding=1, method=method)
    exact = exact_conv2d(x, w, groups=4)
    scale = exact_conv2d(np.abs(x), np.abs(w), groups=4).astype(np.float64)
    error = np.abs(y.astype(np.longdouble) - exact).astype(np.float64)
    assert (error <= tolerance(dtype, 9, scale)).all()


@pytest.mark.parametrize("method", [*METHODS, "winograd"])
def test_inf_and_nan_propagate_as_in_scipy(method, oracle):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 32, 8, 8)).astype(np.float32)
    w = rng.standard_normal((32, 32, 3, 3)).astype(np.float32)
    x[0, 1, 2, 2], x[0, 2, 5, 5], w[4, 3, 1, 1] = np.inf, np.nan, -np.inf
    y = conv2d(x, w, padding=1, method=method)
    desired = oracle(x, w, padding=1)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(desired))
    np.testing.assert_array_equal(np.isinf(y), np.isinf(desired))
    both = np.isinf(y)
    np.testing.assert_array_equal(np.sign(y[both]), np.sign(desired[both]))


@pytest.mark.parametrize("case", list(CASES))
def test_worst_ratios_say_which_bound_holds(case):
    # the numbers docs/reliability.md prints: every method but Winograd within the sum
    # bound; Winograd within its own bound (and past the sum bound beside the spike)
    x, w = CASES[case]
    for method in ("reference", "direct", "im2col", "auto"):
        assert worst_ratios(method, x, w)[0] <= 1.0, method
    sum_ratio, own_ratio = worst_ratios("winograd", x, w)
    assert own_ratio <= 1.0
    if case == "identity beside a spike":
        assert sum_ratio > 1e3
