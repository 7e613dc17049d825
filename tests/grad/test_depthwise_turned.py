"""``method="auto"`` runs a stride-1 depthwise input gradient as the forward correlation of
the output gradient with the kernel turned by 180 degrees
(:func:`refconv.grad.compute.depthwise_as_correlation`).

That path must give the reference's gradient for every padding it takes (symmetric,
asymmetric, "same" with an even kernel, dilated), and must be declined where it would
differ: pads beyond the window (a negative turned pad), a depth multiplier above 1, a stride
above 1, and non-finite weights (the forward kernels skip padded zeros; a turned Inf would
meet zeros the gradient does not have). Small integers keep every sum exact, so the results
must be *equal*.
"""

from __future__ import annotations

import numpy as np
import pytest

from refconv import depthwise_conv2d, grad
from refconv.grad.compute import depthwise_as_correlation

X_SHAPE = (3, 4, 9, 8)  # (N, C, H, W)


def _gradients(w, padding, dilation, stride=1, dtype=np.float64):
    """``auto``'s and the reference's input gradients of one depthwise convolution."""
    rng = np.random.default_rng(0)
    c = X_SHAPE[1]
    y = depthwise_conv2d(
        np.zeros(X_SHAPE, dtype), w, stride=stride, padding=padding, dilation=dilation
    )
    g = rng.integers(-3, 4, y.shape).astype(dtype)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": c}
    fast = grad.conv2d_input(X_SHAPE, w, g, method="auto", **kwargs)
    spec = grad.conv2d_input(X_SHAPE, w, g, method="reference", **kwargs)
    return fast, spec


@pytest.mark.parametrize(
    ("kernel", "padding", "dilation"),
    [
        ((3, 3), 1, 1),  # the CIFAR models' separable layers
        ((3, 3), ((0, 2), (2, 1)), 1),
        ((4, 4), "same", 1),  # an even kernel: the extra pixel at the bottom and right
        ((3, 2), ((2, 1), (0, 1)), (2, 1)),
        ((5, 5), 0, 1),
        ((1, 1), 0, 1),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_turned_correlation_is_the_gradient(kernel, padding, dilation, dtype):
    w = np.random.default_rng(1).integers(-3, 4, (X_SHAPE[1], 1, *kernel)).astype(dtype)
    fast, spec = _gradients(w, padding, dilation, dtype=dtype)
    assert fast.dtype == spec.dtype == dtype
    np.testing.assert_array_equal(fast, spec)


def test_which_convolutions_take_the_turned_path():
    w = np.ones((4, 1, 3, 3))
    same = ((1, 1), (1, 1))
    assert depthwise_as_correlation(w, (1, 1), same, (1, 1), 4, X_SHAPE) is not None
    turned_w, pads = depthwise_as_correlation(w, (1, 1), ((0, 2), (1, 1)), (1, 1), 4, X_SHAPE)
    assert pads == ((2, 0), (1, 1)) and turned_w.shape == w.shape
    assert depthwise_as_correlation(w, (2, 1), same, (1, 1), 4, X_SHAPE) is None  # stride
    assert depthwise_as_correlation(w, (1, 1), ((3, 0), (1, 1)), (1, 1), 4, X_SHAPE) is None
    multiplier = np.ones((8, 1, 3, 3))  # depth multiplier 2: two outputs per channel
    assert depthwise_as_correlation(multiplier, (1, 1), same, (1, 1), 4, X_SHAPE) is None
    w[2, 0, 1, 1] = np.inf
    assert depthwise_as_correlation(w, (1, 1), same, (1, 1), 4, X_SHAPE) is None


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_non_finite_weights_keep_the_gradient_loops(bad):
    """An Inf weight at the kernel's corner: the reference multiplies it only with real
    output gradients; a turned correlation would multiply it with padded zeros (NaN)."""
    w = np.random.default_rng(2).integers(-3, 4, (X_SHAPE[1], 1, 3, 3)).astype(np.float64)
    w[1, 0, 0, 0] = bad
    fast, spec = _gradients(w, 1, 1)
    np.testing.assert_array_equal(fast, spec)  # NaN where NaN


@pytest.mark.parametrize(("padding", "stride"), [(((4, 0), (1, 1)), 1), (1, 2)])
def test_declined_geometries_still_match(padding, stride):
    w = np.random.default_rng(3).integers(-3, 4, (X_SHAPE[1], 1, 3, 3)).astype(np.float64)
    fast, spec = _gradients(w, padding, 1, stride=stride)
    np.testing.assert_array_equal(fast, spec)
