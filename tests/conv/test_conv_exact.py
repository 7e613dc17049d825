"""Small cases worked out by hand, checked exactly, and exact identities between the functions.

Every value here is a small integer (or a power of two), so every sum is exact in float32 and
float64 whatever order a method adds in: equality, not closeness, is the right check.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import refconv.kernels
from refconv import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def as_image(rows):
    """A (1, 1, H, W) float64 array from nested lists."""
    return np.array(rows, dtype=np.float64)[None, None]


def small_ints(rng, shape):
    """Integers in [-4, 4] as float64: every sum a test makes of them is exact."""
    return rng.integers(-4, 5, size=shape).astype(np.float64)


# --- hand-worked cases ---------------------------------------------------------------------


def test_valid_2x2(method):
    # x[i, j] = 4i + j;  y[i, j] = x[i, j] + 2 x[i, j+1] + 3 x[i+1, j] + 4 x[i+1, j+1]
    #                              = 10 (4i + j) + 2 + 12 + 20 = 40 i + 10 j + 34
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = as_image([[1, 2], [3, 4]])
    expected = as_image([[34, 44, 54], [74, 84, 94], [114, 124, 134]])
    assert_array_equal(conv2d(x, w, method=method), expected)


def test_stride_2_padding_1_box_filter(method):
    # 3x3 box sums of the zero-padded 4x4 ramp, at rows/cols -1 and 1 of the input:
    # y[0,0] = 0+1+4+5, y[0,1] = 1+2+3+5+6+7, y[1,0] = 4+5+8+9+12+13, y[1,1] = 5+6+7+9+...+15
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    expected = as_image([[10, 24], [51, 90]])
    assert_array_equal(
        conv2d(x, np.ones((1, 1, 3, 3)), stride=2, padding=1, method=method), expected
    )


def test_dilation_2(method):
    # x[i, j] = 5i + j;  y = x[i, j] + 10 x[i, j+2] + 100 x[i+2, j] + 1000 x[i+2, j+2]
    #                     = 1111 (5i + j) + 20 + 1000 + 12000
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    w = as_image([[1, 10], [100, 1000]])
    expected = as_image([[13020, 14131, 15242], [18575, 19686, 20797], [24130, 25241, 26352]])
    assert_array_equal(conv2d(x, w, dilation=2, method=method), expected)


def test_channels_and_bias(method):
    # input channel 0 is all 1, channel 1 all 2.
    # o = 0: a 2x2 box on channel 0 (4), + 0.5;  o = 1: x0[i, j] + x1[i+1, j+1] (1 + 2), - 1
    x = np.stack([np.ones((3, 3)), np.full((3, 3), 2.0)])[None]  # (1, 2, 3, 3)
    w = np.zeros((2, 2, 2, 2))
    w[0, 0] = 1.0
    w[1, 0, 0, 0] = 1.0
    w[1, 1, 1, 1] = 1.0
    y = conv2d(x, w, bias=[0.5, -1.0], method=method)
    assert_array_equal(y, [[[[4.5, 4.5], [4.5, 4.5]], [[2.0, 2.0], [2.0, 2.0]]]])


def test_groups_see_only_their_channels(method):
    # channels hold 1, 2, 3, 4; group 0 (channels 0, 1) -> 1*1 + 10*2,
    # group 1 (channels 2, 3) -> 100*3 + 1000*4
    x = np.arange(1.0, 5.0)[None, :, None, None] * np.ones((1, 4, 2, 2))
    w = np.array([[1.0, 10.0], [100.0, 1000.0]])[:, :, None, None]  # (2, 2, 1, 1)
    y = conv2d(x, w, groups=2, method=method)
    assert_array_equal(y[0, :, 0, 0], [21.0, 4300.0])
    assert_array_equal(y, np.broadcast_to(y[:, :, :1, :1], y.shape))


def test_unbatched_input_gives_unbatched_output(method):
    x = np.arange(16.0).reshape(1, 4, 4)
    w = as_image([[1, 2], [3, 4]])
    y = conv2d(x, w, method=method)
    assert y.shape == (1, 3, 3)
    assert_array_equal(y, conv2d(x[None], w, method=method)[0])


# --- impulses: power-of-two weights make every tap identifiable ----------------------------


def test_impulse_gives_the_flipped_kernel(method):
    # Cross-correlation of an impulse at (2, 2) reads the kernel backwards:
    # y[i, j] = w[2 - i, 2 - j].
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0
    w = (2.0 ** np.arange(9)).reshape(1, 1, 3, 3)  # [[1, 2, 4], [8, 16, 32], [64, 128, 256]]
    expected = as_image([[256, 128, 64], [32, 16, 8], [4, 2, 1]])
    assert_array_equal(conv2d(x, w, method=method), expected)


@pytest.mark.parametrize("stride", [1, (2, 3)])
@pytest.mark.parametrize("dilation", [1, (2, 1)])
@pytest.mark.parametrize("padding", [0, ((2, 0), (1, 3))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_impulses_everywhere(method, stride, dilation, padding, dtype):
    # Two channels, two output channels, a 2x3 kernel: all 24 weights are distinct powers of
    # two, so a sum of them is readable in binary and any wrong tap, channel or offset shows.
    # Image b of the batch holds one impulse, at channel ci, row r, column c; it reaches
    # y[b, o, i, j] through the tap (p, q) with i*sh + p*dh - top = r, j*sw + q*dw - left = c.
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    (top, bottom), (left, right) = (
        ((padding, padding),) * 2 if isinstance(padding, int) else padding
    )
    w = (2.0 ** np.arange(24)).reshape(2, 2, 2, 3).astype(dtype)
    height, width = 5, 6
    h_out = (height + top + bottom - dh * (2 - 1) - 1) // sh + 1
    w_out = (width + left + right - dw * (3 - 1) - 1) // sw + 1
    impulses = list(itertools.product(range(2), range(height), range(width)))
    x = np.zeros((len(impulses), 2, height, width), dtype=dtype)
    expected = np.zeros((len(impulses), 2, h_out, w_out), dtype=dtype)
    for b, (ci, r, c) in enumerate(impulses):
        x[b, ci, r, c] = 1.0
        for o, p, q in itertools.product(range(2), range(2), range(3)):
            i, i_rest = divmod(r + top - p * dh, sh)
            j, j_rest = divmod(c + left - q * dw, sw)
            if i_rest == 0 and j_rest == 0 and 0 <= i < h_out and 0 <= j < w_out:
                expected[b, o, i, j] += w[o, ci, p, q]
    y = conv2d(x, w, stride=stride, padding=padding, dilation=dilation, method=method)
    assert y.dtype == dtype
    assert_array_equal(y, expected)


# --- padding modes: a 1x1 identity kernel with padding returns the padded input itself ------

X3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
PADDED_BY_1 = {
    "zeros": [[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 7, 8, 9, 0], [0, 0, 0, 0, 0]],
    # mirror about the edge pixel, which is not repeated
    "reflect": [
        [5, 4, 5, 6, 5],
        [2, 1, 2, 3, 2],
        [5, 4, 5, 6, 5],
        [8, 7, 8, 9, 8],
        [5, 4, 5, 6, 5],
    ],
    # the nearest edge pixel
    "replicate": [
        [1, 1, 2, 3, 3],
        [1, 1, 2, 3, 3],
        [4, 4, 5, 6, 6],
        [7, 7, 8, 9, 9],
        [7, 7, 8, 9, 9],
    ],
    # wrap around: row -1 is row 2, column -1 is column 2
    "circular": [
        [9, 7, 8, 9, 7],
        [3, 1, 2, 3, 1],
        [6, 4, 5, 6, 4],
        [9, 7, 8, 9, 7],
        [3, 1, 2, 3, 1],
    ],
}
# one row [1, 2, 3, 4] padded with 2 on the left and 1 on the right
ROW_PADDED_2_1 = {
    "zeros": [0, 0, 1, 2, 3, 4, 0],
    "reflect": [3, 2, 1, 2, 3, 4, 3],
    "replicate": [1, 1, 1, 2, 3, 4, 4],
    "circular": [3, 4, 1, 2, 3, 4, 1],
}


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_padding_mode_values(method, mode):
    identity = np.ones((1, 1, 1, 1))
    y = conv2d(as_image(X3), identity, padding=1, padding_mode=mode, method=method)
    assert_array_equal(y, as_image(PADDED_BY_1[mode]))


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_padding_mode_values_asymmetric(method, mode):
    identity = np.ones((1, 1, 1, 1))
    y = conv2d(
        as_image([[1, 2, 3, 4]]),
        identity,
        padding=((0, 0), (2, 1)),
        padding_mode=mode,
        method=method,
    )
    assert_array_equal(y, as_image([ROW_PADDED_2_1[mode]]))


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_padding_mode_with_a_real_kernel(method, mode):
    # [1, 10] on the row [1, 2, 3, 4] padded as in ROW_PADDED_2_1: p[j] + 10 p[j + 1]
    padded = np.array(ROW_PADDED_2_1[mode], dtype=np.float64)
    expected = padded[:-1] + 10 * padded[1:]
    y = conv2d(
        as_image([[1, 2, 3, 4]]),
        as_image([[1, 10]]),
        padding=((0, 0), (2, 1)),
        padding_mode=mode,
        method=method,
    )
    assert_array_equal(y, as_image([expected]))


# --- "same": ceil(size / stride) outputs, the odd padded pixel at the bottom / right --------


@pytest.mark.parametrize(
    ("row", "kernel", "stride", "expected"),
    [
        # odd kernel, pads (1, 1)
        ([1, 2, 3, 4, 5], [1, 1, 1], 1, [3, 6, 9, 12, 9]),
        # even kernel 2: pads (0, 1), y[j] = x[j] + 10 x[j+1]
        ([1, 2, 3, 4, 5], [1, 10], 1, [21, 32, 43, 54, 5]),
        # even kernel 4: pads (1, 2), y[j] = x[j-1] + 10 x[j] + 100 x[j+1] + 1000 x[j+2]
        ([1, 2, 3, 4, 5], [1, 10, 100, 1000], 1, [3210, 4321, 5432, 543, 54]),
        # stride 2, W = 5: ceil(5/2) = 3 outputs, (3-1)*2 + 3 - 5 = 2 padded pixels: (1, 1)
        ([1, 2, 3, 4, 5], [1, 1, 1], 2, [3, 9, 9]),
        # stride 2, W = 6: 3 outputs, (3-1)*2 + 3 - 6 = 1 padded pixel, on the right: (0, 1)
        ([1, 2, 3, 4, 5, 6], [1, 1, 1], 2, [6, 12, 11]),
        # stride 2, even kernel: (3-1)*2 + 2 - 5 = 1 padded pixel, on the right
        ([1, 2, 3, 4, 5], [1, 10], 2, [21, 43, 5]),
        # stride larger than the kernel: no padding needed, 2 outputs
        ([1, 2, 3, 4, 5, 6], [1, 10], 3, [21, 54]),
    ],
)
def test_same_padding_by_hand(method, row, kernel, stride, expected):
    y = conv2d(
        as_image([row]), as_image([kernel]), stride=(1, stride), padding="same", method=method
    )
    assert_array_equal(y, as_image([expected]))
    # the same along the other axis
    y_t = conv2d(
        as_image([row]).transpose(0, 1, 3, 2),
        as_image([kernel]).transpose(0, 1, 3, 2),
        stride=(stride, 1),
        padding="same",
        method=method,
    )
    assert_array_equal(y_t, as_image([expected]).transpose(0, 1, 3, 2))


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "dilation", "pads"),
    [
        ((7, 6), (4, 3), (2, 3), (1, 1), ((1, 2), (0, 0))),  # 4 x 2 outputs
        ((5, 5), (3, 3), (1, 1), (2, 2), ((2, 2), (2, 2))),  # dilated span 5
        ((6, 5), (2, 2), (1, 1), (3, 1), ((1, 2), (0, 1))),  # dilated span 4, 2
        ((1, 1), (3, 3), (2, 2), (1, 1), ((1, 1), (1, 1))),  # one pixel
        ((9, 8), (1, 1), (4, 3), (1, 1), ((0, 0), (0, 0))),  # strided 1x1: never pads
    ],
)
def test_same_equals_its_explicit_pads(method, size, kernel, stride, dilation, pads):
    rng = np.random.default_rng(0)
    x = small_ints(rng, (2, 2, *size))
    w = small_ints(rng, (3, 2, *kernel))
    y = conv2d(x, w, stride=stride, padding="same", dilation=dilation, method=method)
    ceil_h, ceil_w = -(-size[0] // stride[0]), -(-size[1] // stride[1])
    assert y.shape == (2, 3, ceil_h, ceil_w)
    assert_array_equal(
        y, conv2d(x, w, stride=stride, padding=pads, dilation=dilation, method=method)
    )


def test_valid_is_zero_padding(method):
    rng = np.random.default_rng(1)
    x, w = small_ints(rng, (1, 2, 5, 6)), small_ints(rng, (2, 2, 3, 2))
    assert_array_equal(
        conv2d(x, w, padding="valid", method=method), conv2d(x, w, padding=0, method=method)
    )


# --- depthwise: output channel c * M + m is input channel c through weight[c * M + m] -------


def test_depthwise_multiplier_channel_order(method):
    # channels hold 1 and 10, M = 2, 1x1 weights 1, 2, 3, 4:
    # outputs (c=0,m=0) 1*1, (0,1) 1*2, (1,0) 10*3, (1,1) 10*4
    x = np.stack([np.ones((2, 2)), np.full((2, 2), 10.0)])[None]  # (1, 2, 2, 2)
    w = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1, 1)
    y = depthwise_conv2d(x, w, method=method)
    assert_array_equal(y[0, :, 0, 0], [1.0, 2.0, 30.0, 40.0])


def test_depthwise_multiplier_with_bias_and_kernel(method):
    # 2x2 box sums of constant channels (4 * value), times weight scale, + bias
    x = np.stack([np.full((3, 3), v) for v in (1.0, 2.0, 3.0)])  # unbatched (3, 3, 3)
    w = np.stack([np.full((1, 2, 2), s) for s in (1.0, 10.0) * 3])  # M = 2, scales 1, 10
    bias = np.arange(6.0)
    y = depthwise_conv2d(x, w, bias=bias, method=method)
    expected = [
        4 * 1 * 1 + 0,
        4 * 1 * 10 + 1,
        4 * 2 * 1 + 2,
        4 * 2 * 10 + 3,
        4 * 3 * 1 + 4,
        4 * 3 * 10 + 5,
    ]
    assert y.shape == (6, 2, 2)
    assert_array_equal(y[:, 1, 0], expected)


# --- identities ----------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_pointwise_is_einsum(method, groups):
    # a 1x1 convolution is a matrix product over channels at every pixel
    rng = np.random.default_rng(2)
    x = small_ints(rng, (2, 4, 3, 5))
    w = small_ints(rng, (8, 4 // groups, 1, 1))
    bias = small_ints(rng, (8,))
    expected = (
        np.concatenate(
            [
                np.einsum("oc,nchw->nohw", w_g[:, :, 0, 0], x_g)
                for w_g, x_g in zip(np.split(w, groups), np.split(x, groups, axis=1), strict=True)
            ],
            axis=1,
        )
        + bias[:, None, None]
    )
    assert_array_equal(pointwise_conv2d(x, w, bias, groups=groups, method=method), expected)
    assert_array_equal(conv2d(x, w, bias, groups=groups, method=method), expected)


PADDINGS = [0, 2, (1, 2), ((0, 2), (1, 0)), "valid", "same"]
STRIDE_DILATION = [(1, 1), (2, 1), ((1, 2), (2, 1)), ((3, 2), (1, 2))]


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", PADDING_MODES)
@pytest.mark.parametrize(("stride", "dilation"), STRIDE_DILATION)
def test_rank_one_kernel_is_column_then_row(method, padding, mode, stride, dilation):
    rng = np.random.default_rng(3)
    x = small_ints(rng, (2, 1, 7, 8))
    column, row = small_ints(rng, 3), small_ints(rng, 2)
    kwargs = dict(
        stride=stride, padding=padding, dilation=dilation, padding_mode=mode, method=method
    )
    full = conv2d(x, np.outer(column, row)[None, None], **kwargs)
    separated = spatial_separable_conv2d(
        x, column.reshape(1, 1, 3, 1), row.reshape(1, 1, 1, 2), **kwargs
    )
    assert_array_equal(separated, full)


@pytest.mark.parametrize("padding", [1, "same"])
@pytest.mark.parametrize("mode", PADDING_MODES)
def test_spatial_separable_per_channel_and_mixing(method, padding, mode):
    rng = np.random.default_rng(4)
    x = small_ints(rng, (1, 3, 6, 5))
    kwargs = dict(padding=padding, padding_mode=mode, method=method)
    # per channel with multiplier 2 (groups = C_in): output c*2 + m uses column[c] x row[c*2+m]
    column, row = small_ints(rng, (3, 1, 3, 1)), small_ints(rng, (6, 1, 1, 3))
    kernels = np.stack([np.outer(column[o // 2, 0, :, 0], row[o, 0, 0]) for o in range(6)])
    assert_array_equal(
        spatial_separable_conv2d(x, column, row, groups=3, **kwargs),
        depthwise_conv2d(x, kernels[:, None], **kwargs),
    )
    # channel mixing (groups = 1) through R = 2 intermediate channels: a rank-2 sum of kernels
    column, row = small_ints(rng, (2, 3, 3, 1)), small_ints(rng, (4, 2, 1, 3))
    weight = np.einsum("rch,orw->ochw", column[..., 0], row[:, :, 0])  # (4, 3, 3, 3)
    bias = small_ints(rng, (4,))
    assert_array_equal(
        spatial_separable_conv2d(x, column, row, bias, **kwargs), conv2d(x, weight, bias, **kwargs)
    )


@pytest.mark.parametrize("multiplier", [1, 3])
def test_depthwise_is_conv2d_with_groups_equal_channels(method, multiplier):
    rng = np.random.default_rng(5)
    x = small_ints(rng, (2, 4, 6, 6))
    w = small_ints(rng, (4 * multiplier, 1, 3, 2))
    bias = small_ints(rng, (4 * multiplier,))
    kwargs = dict(
        stride=(2, 1), padding="same", dilation=(1, 2), padding_mode="reflect", method=method
    )
    assert_array_equal(
        depthwise_conv2d(x, w, bias, **kwargs), conv2d(x, w, bias, groups=4, **kwargs)
    )


def test_depthwise_is_per_channel_conv2d(method):
    # the same, built channel by channel: channel c through each of its M kernels
    rng = np.random.default_rng(6)
    x = small_ints(rng, (1, 3, 5, 5))
    w = small_ints(rng, (6, 1, 2, 2))
    y = depthwise_conv2d(x, w, padding=1, method=method)
    for o in range(6):
        single = conv2d(x[:, o // 2 : o // 2 + 1], w[o : o + 1], padding=1, method=method)
        assert_array_equal(y[:, o : o + 1], single)


@pytest.mark.parametrize("multiplier", [1, 2])
def test_separable_is_depthwise_then_pointwise(method, multiplier):
    rng = np.random.default_rng(7)
    x = small_ints(rng, (2, 3, 7, 6))
    dw = small_ints(rng, (3 * multiplier, 1, 3, 3))
    pw = small_ints(rng, (5, 3 * multiplier, 1, 1))
    bias = small_ints(rng, (5,))
    kwargs = dict(stride=2, padding="same", dilation=1, padding_mode="replicate")
    y = separable_conv2d(x, dw, pw, bias, method=method, **kwargs)
    mid = depthwise_conv2d(x, dw, method=method, **kwargs)
    assert_array_equal(y, pointwise_conv2d(mid, pw, bias, method=method))
    # and as one standard convolution with the combined kernel pw[o, c*M+m] * dw[c*M+m]
    combined = (
        np.einsum("ok,khw->okhw", pw[:, :, 0, 0], dw[:, 0])
        .reshape(5, 3, multiplier, 3, 3)
        .sum(axis=2)
    )  # (C_out, C_in, kH, kW)
    assert_array_equal(y, conv2d(x, combined, bias, method=method, **kwargs))


# --- the 3x3 depthwise kernel: flat runs, rows of zeros, borders one by one -----------------


@settings(deadline=None, max_examples=150)
@given(
    n=st.sampled_from([1, 2]),
    channels=st.sampled_from([1, 2, 3, 20]),
    multiplier=st.integers(1, 2),
    height=st.integers(1, 9),
    width=st.integers(1, 11),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 2)),
    padding=st.one_of(
        st.integers(0, 2),
        st.just("same"),
        st.tuples(
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
            st.tuples(st.integers(0, 3), st.integers(0, 2)),
        ),
    ),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_depthwise_3x3_matches_the_spec_exactly(
    n, channels, multiplier, height, width, stride, padding, dtype, seed
):
    # The direct method runs 3x3 depthwise convolutions with their own kernel: "same" planes
    # as one flat run with the wrapped border columns redone, other shapes row by row with
    # rows of zeros for the padding; 1 or 2 channels split each plane into bands of rows.
    if padding == "same" and stride != (1, 1):
        padding = 1  # "same" needs stride 1 (as in PyTorch)
    pads = ((1, 1), (1, 1)) if padding == "same" else padding
    if isinstance(pads, int):
        pads = ((pads, pads), (pads, pads))
    assume(height + sum(pads[0]) >= 3 and width + sum(pads[1]) >= 3)
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (n, channels, height, width)).astype(dtype)
    w = small_ints(rng, (channels * multiplier, 1, 3, 3)).astype(dtype)
    bias = small_ints(rng, (channels * multiplier,)).astype(dtype)
    kwargs = dict(stride=stride, padding=padding)
    y = depthwise_conv2d(x, w, bias, method="direct", **kwargs)
    assert_array_equal(y, depthwise_conv2d(x, w, bias, method="reference", **kwargs))


@settings(deadline=None, max_examples=100)
@given(
    n=st.sampled_from([1, 2]),
    channels=st.sampled_from([1, 2, 3]),
    multiplier=st.integers(1, 2),
    height=st.integers(1, 9),
    width=st.integers(1, 21),
    row_stride=st.integers(1, 3),
    pads=st.tuples(
        st.tuples(st.integers(0, 2), st.integers(0, 2)),
        st.tuples(st.integers(0, 4), st.integers(0, 3)),
    ),
    threads=st.sampled_from([1, 2, 3, 8]),
    budget=st.sampled_from([64, 2**28]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_depthwise_3x3_stride_2_split_rows(
    n, channels, multiplier, height, width, row_stride, pads, threads, budget, dtype, seed
):
    # Column stride 2: the input rows are split into even and odd columns first, one tile of
    # split rows per thread and band. Here every width takes that kernel (the threshold is
    # lowered), even or odd widths and left paddings (pairs of columns start on either side of
    # the padding), bands of one row (a 64-byte workspace) and plans for more threads than
    # the pool has.
    assume(height + sum(pads[0]) >= 3 and width + sum(pads[1]) >= 3)
    rng = np.random.default_rng(seed)
    x = small_ints(rng, (n, channels, height, width)).astype(dtype)
    w = small_ints(rng, (channels * multiplier, 1, 3, 3)).astype(dtype)
    bias = small_ints(rng, (channels * multiplier,)).astype(dtype)
    kwargs = dict(stride=(row_stride, 2), padding=pads)
    desired = depthwise_conv2d(x, w, bias, method="reference", **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(refconv.kernels.depthwise, "SPLIT_MIN_OUTPUTS", 1)
        patch.setattr(refconv.kernels.direct, "thread_plan", lambda work: threads)
        patch.setattr(refconv.kernels.workspace, "WORKSPACE_BYTES", budget)
        y = depthwise_conv2d(x, w, bias, method="direct", **kwargs)
    assert_array_equal(y, desired)


@pytest.mark.parametrize(("width", "split"), [(13, False), (15, True), (112, True)])
def test_depthwise_3x3_stride_2_kernel_choice(monkeypatch, width, split):
    # Output rows of 7 (13 columns, stride 2, padding 1) are computed straight from the
    # input; from 8 on, from split rows.
    depthwise = refconv.kernels.depthwise
    calls = []

    def spy(*args):
        calls.append(args[-1].shape)
        return original(*args)

    original = depthwise.depthwise3x3_s2
    monkeypatch.setattr(depthwise, "depthwise3x3_s2", spy)
    rng = np.random.default_rng(width)
    x = small_ints(rng, (1, 2, 5, width)).astype(np.float32)
    w = small_ints(rng, (2, 1, 3, 3)).astype(np.float32)
    y = depthwise_conv2d(x, w, stride=2, padding=1, method="direct")
    assert_array_equal(y, depthwise_conv2d(x, w, stride=2, padding=1, method="reference"))
    assert calls == ([(1, 2, 3, (width + 1) // 2)] if split else [])


@pytest.mark.parametrize("shape", [(1, 1, 5, 6), (1, 1, 40, 3), (2, 3, 3, 4)])
def test_depthwise_3x3_non_finite_borders(shape):
    # Inf and NaN in the first and last columns: the flat run reads them for the neighbouring
    # row's wrapped outputs, which are then computed again; they must not leak.
    rng = np.random.default_rng(9)
    x = rng.standard_normal(shape)
    x[..., 1, 0] = np.inf
    x[..., 2, -1] = np.nan
    x[..., -1, -1] = -np.inf
    w = rng.uniform(0.5, 1.5, size=(shape[1], 1, 3, 3))
    y = depthwise_conv2d(x, w, padding=1, method="direct")
    desired = depthwise_conv2d(x, w, padding=1, method="reference")
    assert_array_equal(np.isnan(y), np.isnan(desired))
    assert_array_equal(np.isposinf(y), np.isposinf(desired))
    assert_array_equal(np.isneginf(y), np.isneginf(desired))
    finite = np.isfinite(desired)
    np.testing.assert_allclose(y[finite], desired[finite], rtol=1e-12)


# --- the TDS example: 12x12x3, a 5x5 kernel, 256 output channels --------------------------


def test_seed_example_shapes(method):
    # A 12x12x3 image, 5x5 kernels, no padding, stride 1: 12 - 5 + 1 = 8, so 8x8x256
    # (channels first here: (1, 256, 8, 8)).
    rng = np.random.default_rng(8)
    x = small_ints(rng, (1, 3, 12, 12))
    standard = conv2d(x, small_ints(rng, (256, 3, 5, 5)), method=method)
    assert standard.shape == (1, 256, 8, 8)
    dw, pw = small_ints(rng, (3, 1, 5, 5)), small_ints(rng, (256, 3, 1, 1))
    mid = depthwise_conv2d(x, dw, method=method)
    assert mid.shape == (1, 3, 8, 8)  # 12x12x3 -> 8x8x3
    y = separable_conv2d(x, dw, pw, method=method)
    assert y.shape == (1, 256, 8, 8)  # -> 8x8x256
    assert_array_equal(y, pointwise_conv2d(mid, pw, method=method))
    # depth multiplier 2: the depthwise step gives 8x8x6
    assert depthwise_conv2d(x, np.ones((6, 1, 5, 5)), method=method).shape == (1, 6, 8, 8)
