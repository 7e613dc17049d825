"""Max pooling's Numba kernels against their NumPy spec (:mod:`refconv.nn.ops.max_pool`).

The two must agree *exactly*: the maximum, the tap that held it (PyTorch's rule: strictly
larger takes over, so ties go to the first pixel; a NaN takes over, so the last NaN wins) and
the gradient sent back (added tap by tap in the spec's order, so even a pixel that collects
three gradients rounds the same way). Inputs: random, tie-heavy (a few small integers), with
NaN and +-inf, all ``-inf``, signed zeros; every stride, padding and dilation the layer
accepts, batched and unbatched, float32 and float64. Every kernel call runs inside
:func:`refconv.kernels.workspace.guarded` (a write outside its output fails the test), and CI
runs this file again with ``NUMBA_BOUNDSCHECK=1``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from refconv import nn
from refconv.kernels.workspace import guarded
from refconv.nn.ops.max_pool import (
    max_pool2d_backward,
    max_pool2d_backward_reference,
    max_pool2d_forward,
    max_pool2d_forward_reference,
)
from refconv.nn.ops.windows import pool_geometry

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
KINDS = ("random", "ties", "nan", "inf", "all_minus_inf", "signed_zeros")


def _values(rng, kind, shape, dtype):
    """An input of one of the :data:`KINDS`."""
    if kind == "random":
        x = rng.standard_normal(shape)
    elif kind == "ties":  # three values: most windows hold several copies of their maximum
        x = rng.integers(-1, 2, shape).astype(np.float64)
    elif kind == "nan":  # ties and NaNs: which NaN is the arg-max matters
        x = rng.integers(-1, 2, shape).astype(np.float64)
        x[rng.random(shape) < 0.2] = np.nan
    elif kind == "inf":
        x = rng.choice([-np.inf, np.inf, 0.0, 1.0], shape)
    elif kind == "all_minus_inf":  # the padding's own value: padded tap 0 keeps the gradient
        x = np.full(shape, -np.inf)
    else:
        x = rng.choice([-0.0, 0.0], shape)
    return x.astype(dtype)


def _check(x, geometry, g):
    with guarded() as guard:
        y, taps = max_pool2d_forward(x, geometry)
        grad = max_pool2d_backward(g, taps, geometry, x.shape)
        guard.check()
    y_ref, taps_ref = max_pool2d_forward_reference(x, geometry)
    np.testing.assert_array_equal(y, y_ref)  # NaN where NaN
    assert y.dtype == x.dtype and y.shape == y_ref.shape
    np.testing.assert_array_equal(taps, taps_ref)
    grad_ref = max_pool2d_backward_reference(g, taps_ref, geometry, x.shape)
    assert grad.dtype == grad_ref.dtype and grad.shape == x.shape
    np.testing.assert_array_equal(grad.view(np.uint8), grad_ref.view(np.uint8))  # bit for bit


@st.composite
def pool_case(draw):
    """A max pooling geometry the layer accepts, an input of some kind, an output gradient."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.sampled_from([1, 1, 2, 3, 5])), draw(st.sampled_from([1, 1, 2, 3, 5])))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = (draw(st.integers(1, 11)), draw(st.integers(1, 11)))
    lead = draw(st.sampled_from([(2, 3), (1, 1), (3,)]))  # (N, C) or unbatched (C,)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    kind = draw(st.sampled_from(KINDS))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = _values(rng, kind, (*lead, *size), dtype)
    try:
        geometry = pool_geometry(x, kernel, stride, padding, dilation, "MaxPool2d")
    except ValueError:  # a window larger than the padded input
        assume(False)
    g = rng.standard_normal((*lead, *geometry.out_size)).astype(dtype)
    return x, geometry, g


@SETTINGS
@given(pool_case())
def test_kernels_match_the_spec_exactly(case):
    x, geometry, g = case
    before = x.copy()
    _check(x, geometry, g)
    np.testing.assert_array_equal(x, before)  # the input is not written


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},  # the CIFAR models' pooling
        {"kernel_size": 3, "stride": 1, "padding": 1},  # every pixel in up to 9 windows
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1)},
    ],
)
def test_kernels_match_the_spec_on_a_large_batch(kind, options):
    """Shapes large enough for the kernels to run on the whole thread pool."""
    rng = np.random.default_rng(1)
    x = _values(rng, kind, (8, 16, 20, 18), np.float32)
    o = {"stride": None, "padding": 0, "dilation": 1, **options}
    geometry = pool_geometry(x, o["kernel_size"], o["stride"], o["padding"], o["dilation"], "")
    _check(x, geometry, rng.standard_normal((8, 16, *geometry.out_size)).astype(np.float32))


def test_hand_worked_ties_and_nans():
    """Window by window: ties go to the first pixel, NaN to the last NaN."""
    x = np.array([[[2.0, 2.0, np.nan, 1.0], [2.0, 1.0, np.nan, 5.0]]])  # (C, H, W) = (1, 2, 4)
    geometry = pool_geometry(x, 2, 1, 0, 1, "MaxPool2d")
    y, taps = max_pool2d_forward(x, geometry)
    np.testing.assert_array_equal(y, [[[2.0, np.nan, np.nan]]])
    np.testing.assert_array_equal(taps, [[[0, 3, 2]]])  # taps: 0 1 / 2 3 in each window
    grad = max_pool2d_backward(np.array([[[1.0, 10.0, 100.0]]]), taps, geometry, x.shape)
    # windows 2 and 3 both chose the NaN at row 1, column 2: it collects 10 + 100
    np.testing.assert_array_equal(grad, [[[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 110.0, 0.0]]])


def test_a_minus_inf_window_keeps_its_padded_first_tap():
    """``-inf`` pixels never beat the ``-inf`` padding: tap 0 (padding) stays the arg-max and
    its gradient is dropped, in the spec and the kernel alike."""
    x = np.full((1, 1, 2), -np.inf)
    geometry = pool_geometry(x, (1, 2), (1, 2), (0, 1), 1, "MaxPool2d")  # pad x0 | x1 pad
    y, taps = max_pool2d_forward(x, geometry)
    np.testing.assert_array_equal(y, [[[-np.inf, -np.inf]]])
    np.testing.assert_array_equal(taps, [[[0, 0]]])
    grad = max_pool2d_backward(np.array([[[1.0, 2.0]]]), taps, geometry, x.shape)
    np.testing.assert_array_equal(grad, [[[0.0, 2.0]]])  # window 0's tap 0 is the padding


def test_the_layer_runs_the_kernels():
    """``nn.MaxPool2d`` forward and backward equal the spec's, and keep taps, not ``x``."""
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, (2, 3, 7, 6)).astype(np.float32)
    pool = nn.MaxPool2d(3, stride=2, padding=1).train()
    y = pool(x)
    geometry = pool_geometry(x, 3, 2, 1, 1, "MaxPool2d")
    y_ref, taps = max_pool2d_forward_reference(x, geometry)
    np.testing.assert_array_equal(y, y_ref)
    g = rng.standard_normal(y.shape)  # float64: the gradient is float64
    grad = pool.backward(g)
    assert grad.dtype == np.float64
    np.testing.assert_array_equal(grad, max_pool2d_backward_reference(g, taps, geometry, x.shape))
