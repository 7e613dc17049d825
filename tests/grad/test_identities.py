"""Hand-worked gradients (exact) and the identities behind them, one test each.

**The worked example** (``python -m refconv.grad.worked`` prints it). ``x`` is 1..9 in a
3x3 grid, ``w = [[1, 2], [3, 4]]``, ``G = dL/dy = [[1, -1], [2, 0]]``. Output ``(i, j)`` read
``x[i:i+2, j:j+2]``, so it sends ``G[i, j] * w`` back there: ``dL/dx = [[1, 1, -2], [5, 5,
-4], [6, 8, 0]]``. Tap ``(p, q)`` read ``x[p:p+2, q:q+2]``: ``dL/dw[p, q]`` is that block
times ``G``, summed: ``[[7, 9], [13, 15]]``. The bias was added to all four outputs:
``dL/db = 1 - 1 + 2 + 0 = 2``.

**Input gradient of a stride-1 convolution = full convolution with the flipped kernel.**
Gathered per input pixel, the scatter reads ``G`` through the kernel turned by 180 degrees,
over every position where the two overlap at all: ``scipy.signal.convolve2d(G, w, "full")``
(a convolution *is* a correlation with the flipped kernel). With channels, the kernel's in
and out axes swap: ``dL/dx[c] = sum_o full_conv(G[o], w[o, c])``.

**A stride becomes a dilation of the output gradient.** Output ``i`` read its window at row
``i * stride``; put ``G[i]`` there (``stride - 1`` zeros between rows: ``spread``), and the
stride-1 rule applies. Rows past the last window get no gradient at all.

**The weight gradient is a correlation of the input with the output gradient**, ``G`` acting
as the kernel, its taps ``stride`` apart (the forward pass with stride and dilation swapped).
For a depthwise layer nothing mixes: kernel ``c*M + m`` gets the correlation of channel
``c`` with ``G[c*M + m]``, one channel at a time.

**A two-step block's gradient is the chain of its two parts**: the second step's input
gradient is the first step's output gradient (depthwise-separable: pointwise, then
depthwise; spatially separable: 1 x kW, then kH x 1).

**The bias gradient is G summed over N, H and W.**

**Padding modes scatter back.** Reflect padding 2 of ``[1 2 3 4]`` reads ``3 2 | 1 2 3 4 | 3
2``; a 1x3 kernel of ones with ``G = 1`` reads the padded pixels 1, 2, 3, 3, 3, 3, 2, 1
times, and each copy's gradient goes to the pixel it copied: ``[3, 6, 6, 3]``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

import refconv
from refconv import grad
from refconv.grad.worked import (
    input_gradient_by_flipped_kernel,
    spread,
    weight_gradient_by_correlation,
)

GRAD_METHODS = ("reference", "direct", "im2col", "auto")
X = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
W = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
G = np.array([[[[1.0, -1.0], [2.0, 0.0]]]])


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_the_worked_example_by_hand(method):
    dx = grad.conv2d_input(X.shape, W, G, method=method)
    np.testing.assert_array_equal(dx[0, 0], [[1, 1, -2], [5, 5, -4], [6, 8, 0]])
    dw = grad.conv2d_weight(X, W.shape, G, method=method)
    np.testing.assert_array_equal(dw[0, 0], [[7, 9], [13, 15]])
    np.testing.assert_array_equal(grad.conv2d_bias(G), [2.0])


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_stride_one_input_gradient_is_a_full_convolution_with_the_kernel(method):
    # scipy's convolve2d flips the kernel: exactly the input gradient, channels swapped
    rng = np.random.default_rng(1)
    x_shape = (2, 3, 6, 5)
    w = rng.integers(-4, 5, (4, 3, 3, 2)).astype(float)
    g = rng.integers(-4, 5, (2, 4, 4, 4)).astype(float)
    dx = grad.conv2d_input(x_shape, w, g, method=method)
    for n in range(2):
        for c in range(3):
            full = sum(signal.convolve2d(g[n, o], w[o, c], mode="full") for o in range(4))
            np.testing.assert_array_equal(dx[n, c], full)


@st.composite
def zero_padded(draw):
    """A groups=1 convolution with zero padding (explicit, asymmetric), small integers."""
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pads = []
    for axis in (0, 1):
        span = dilation[axis] * (kernel[axis] - 1) + 1
        before, after = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        pads.append((before, max(after, span - size[axis] - before)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-4, 5, (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size))
    w = rng.integers(-4, 5, (draw(st.integers(1, 3)), x.shape[1], *kernel)).astype(float)
    return x.astype(float), w, stride, tuple(pads), dilation


@settings(deadline=None, max_examples=60)
@given(case=zero_padded(), method=st.sampled_from(GRAD_METHODS))
def test_a_stride_becomes_a_dilation_of_the_output_gradient(case, method):
    x, w, stride, pads, dilation = case
    y = refconv.conv2d(x, w, stride=stride, padding=pads, dilation=dilation)
    g = np.random.default_rng(0).integers(-4, 5, y.shape).astype(float)
    dx = grad.conv2d_input(x.shape, w, g, stride, pads, dilation, method=method)
    np.testing.assert_array_equal(
        dx, input_gradient_by_flipped_kernel(x.shape, w, g, stride, pads, dilation)
    )


def test_stride_two_by_hand():
    # G = [[1, 2], [3, 4]] spread 2 apart, then the full convolution with [[1, 2], [3, 4]]:
    # each G value stamps the kernel on its own 2x2 block, nothing overlaps
    x_shape = (1, 1, 4, 4)
    g = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(spread(g, (2, 2))[0, 0], [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    expected = [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]]
    for method in GRAD_METHODS:
        np.testing.assert_array_equal(
            grad.conv2d_input(x_shape, W, g, stride=2, method=method)[0, 0], expected
        )
    # stride 3 on a 5x5 input: rows and columns 2 and 5 are read by no window
    dx = grad.conv2d_input((1, 1, 5, 5), W, g, stride=3)[0, 0]
    np.testing.assert_array_equal(dx[2], 0)
    np.testing.assert_array_equal(dx[:, 2], 0)


@settings(deadline=None, max_examples=60)
@given(case=zero_padded(), method=st.sampled_from(GRAD_METHODS))
def test_the_weight_gradient_is_a_correlation_of_input_and_output_gradient(case, method):
    x, w, stride, pads, dilation = case
    y = refconv.conv2d(x, w, stride=stride, padding=pads, dilation=dilation)
    g = np.random.default_rng(0).integers(-4, 5, y.shape).astype(float)
    dw = grad.conv2d_weight(x, w.shape, g, stride, pads, dilation, method=method)
    np.testing.assert_array_equal(
        dw, weight_gradient_by_correlation(x, g, w.shape[2:], stride, pads, dilation)
    )


@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize("stride", [1, 2])
def test_the_depthwise_weight_gradient_is_a_per_channel_correlation(method, stride):
    rng = np.random.default_rng(2)
    x = rng.integers(-4, 5, (2, 3, 7, 6)).astype(float)
    w_shape, m = (6, 1, 3, 2), 2  # depth multiplier 2
    y = refconv.depthwise_conv2d(x, np.ones(w_shape), stride=stride, padding=1)
    g = rng.integers(-4, 5, y.shape).astype(float)
    dw = grad.depthwise_conv2d_weight(x, w_shape, g, stride=stride, padding=1, method=method)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for c in range(3):
        for k in range(m):
            o = c * m + k  # Keras order: output channel c*M + k reads channel c
            expected = sum(_valid_correlation(xp[n, c], g[n, o], stride, (3, 2)) for n in range(2))
            np.testing.assert_array_equal(dw[o, 0], expected)


def _valid_correlation(plane, g_plane, stride, kernel):
    """``scipy.signal.correlate2d(plane, G spread stride apart, "valid")``, cut to the
    kernel: tap (p, q) is plane[p::stride, q::stride] weighed by G."""
    taps = signal.correlate2d(plane, spread(g_plane[None, None], (stride, stride))[0, 0], "valid")
    return taps[: kernel[0], : kernel[1]]


@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_padding_modes_scatter_back_by_hand(method, mode):
    # [1 2 3 4] padded by 2 each side; a 1x3 kernel of ones reads the 8 padded pixels
    # 1, 2, 3, 3, 3, 3, 2, 1 times; each copy's gradient goes to the pixel it copied
    expected = {
        "zeros": [3, 3, 3, 3],  # the border's gradient goes nowhere
        "reflect": [3, 6, 6, 3],  # 3 2 | 1 2 3 4 | 3 2
        "replicate": [6, 3, 3, 6],  # 1 1 | 1 2 3 4 | 4 4
        "circular": [5, 4, 4, 5],  # 3 4 | 1 2 3 4 | 1 2
    }[mode]
    dx = grad.conv2d_input(
        (1, 1, 1, 4),
        np.ones((1, 1, 1, 3)),
        np.ones((1, 1, 1, 6)),
        padding=((0, 0), (2, 2)),
        padding_mode=mode,
        method=method,
    )
    np.testing.assert_array_equal(dx[0, 0, 0], expected)


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_an_impulse_with_power_of_two_weights_lands_where_it_was_read(method):
    # G = 1 at one output and 0 elsewhere: dL/dx is the kernel, stamped on the window that
    # output read (taps dilation apart); powers of two show any misplaced tap at once
    w = (2.0 ** np.arange(6)).reshape(1, 1, 2, 3)
    g = np.zeros((1, 1, 3, 3))
    g[0, 0, 1, 2] = 1.0
    stride, dilation, pads = (2, 3), (3, 2), ((1, 0), (2, 1))
    dx = grad.conv2d_input((1, 1, 7, 9), w, g, stride, pads, dilation, method=method)
    expected = np.zeros((1 + 7, 2 + 9 + 1))  # the padded plane
    expected[2:6:3, 6:11:2] = w[0, 0]  # window of output (1, 2): rows 2, 5; columns 6, 8, 10
    np.testing.assert_array_equal(dx[0, 0], expected[1:, 2:11])


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_the_separable_gradient_is_the_chain_of_its_parts(method):
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, (2, 3, 6, 5)).astype(float)
    dw, pw = rng.integers(-3, 4, (6, 1, 3, 3)).astype(float), rng.integers(-3, 4, (4, 6, 1, 1))
    kw = dict(stride=2, padding="same", padding_mode="reflect")
    y = refconv.separable_conv2d(x, dw, pw.astype(float), **kw)
    g = rng.integers(-3, 4, y.shape).astype(float)
    got = grad.separable_conv2d_weights(x, dw, pw, g, **kw, method=method)
    kwd = dict(kw, method=method)
    mid = refconv.depthwise_conv2d(x, dw, **kw)  # the first part's output
    grad_mid = grad.pointwise_conv2d_input(mid.shape, pw, g, method=method)  # second part
    np.testing.assert_array_equal(
        got.pointwise_weight, grad.pointwise_conv2d_weight(mid, pw.shape, g)
    )
    np.testing.assert_array_equal(got.x, grad.depthwise_conv2d_input(x.shape, dw, grad_mid, **kwd))
    np.testing.assert_array_equal(
        got.depthwise_weight, grad.depthwise_conv2d_weight(x, dw.shape, grad_mid, **kwd)
    )
    np.testing.assert_array_equal(got.bias, g.sum(axis=(0, 2, 3)))


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_the_spatial_gradient_is_that_of_the_outer_product_kernel(method):
    # per channel, K x 1 then 1 x K is the K x K kernel outer(column, row), for every
    # padding and mode: so are its input gradient, and (by the chain) its weight gradients
    rng = np.random.default_rng(4)
    x = rng.integers(-3, 4, (2, 2, 6, 7)).astype(float)
    col, row = rng.integers(-3, 4, (2, 1, 3, 1)).astype(float), rng.integers(-3, 4, (2, 1, 1, 3))
    kernel = np.einsum("cpa,cab->cpb", col[:, 0], row[:, 0].astype(float))[:, None]  # (2,1,3,3)
    kw = dict(stride=(2, 1), padding=((1, 2), (2, 0)), dilation=(1, 2), padding_mode="circular")
    y = refconv.spatial_separable_conv2d(x, col, row, groups=2, **kw)
    g = rng.integers(-3, 4, y.shape).astype(float)
    dx = grad.spatial_separable_conv2d_input(x.shape, col, row, g, groups=2, **kw, method=method)
    np.testing.assert_array_equal(dx, grad.depthwise_conv2d_input(x.shape, kernel, g, **kw))
    # dL/dcolumn[c, p] = sum_q row[c, q] * dL/dK[c, p, q] (the chain through K = outer)
    dk = grad.depthwise_conv2d_weight(x, kernel.shape, g, **kw)
    got = grad.spatial_separable_conv2d_weights(x, col, row, g, groups=2, **kw, method=method)
    np.testing.assert_array_equal(
        got.column_weight[:, 0, :, 0], np.einsum("cpq,cq->cp", dk[:, 0], row[:, 0, 0])
    )
    np.testing.assert_array_equal(
        got.row_weight[:, 0, 0], np.einsum("cpq,cp->cq", dk[:, 0], col[:, 0, :, 0])
    )


@pytest.mark.parametrize("method", GRAD_METHODS)
def test_pointwise_gradients_are_matrix_products(method):
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, (2, 6, 3, 4)).astype(float)
    w = rng.integers(-3, 4, (4, 3, 1, 1)).astype(float)  # groups=2: (C_out, C_in // 2, 1, 1)
    g = rng.integers(-3, 4, (2, 4, 3, 4)).astype(float)
    dx = grad.pointwise_conv2d_input(x.shape, w, g, groups=2, method=method)
    dw = grad.pointwise_conv2d_weight(x, w.shape, g, groups=2, method=method)
    for k in range(2):  # group k: channels 3k..3k+2 in, 2k..2k+1 out
        wk, gk, xk = w[2 * k : 2 * k + 2, :, 0, 0], g[:, 2 * k : 2 * k + 2], x[:, 3 * k : 3 * k + 3]
        np.testing.assert_array_equal(dx[:, 3 * k : 3 * k + 3], np.einsum("oc,nohw->nchw", wk, gk))
        np.testing.assert_array_equal(
            dw[2 * k : 2 * k + 2, :, 0, 0], np.einsum("nohw,nchw->oc", gk, xk)
        )


def test_the_bias_gradient_is_the_sum_over_n_h_w():
    g = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    db = grad.conv2d_bias(g)
    assert db.dtype == np.float32
    # channel 0: 0..3 and 12..15; channel 1: 4..7 and 16..19; channel 2: 8..11 and 20..23
    np.testing.assert_array_equal(db, [6 + 54, 22 + 70, 38 + 86])
    np.testing.assert_array_equal(grad.conv2d_bias(g[0]), [6, 22, 38])  # unbatched
    np.testing.assert_array_equal(grad.conv2d_bias(np.ones((1, 2, 3, 3), int)), [9.0, 9.0])
