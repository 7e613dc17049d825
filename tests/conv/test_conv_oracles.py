"""refconv against scipy's own 2-D filters, one channel at a time.

What each scipy function computes, for an image ``x`` and a kernel ``w`` of size ``k``:

* ``scipy.signal.correlate2d(x, w, mode)`` is cross-correlation, like refconv:
  ``y[i, j] = sum_pq x[i + p, j + q] * w[p, q]`` over the zero-padded (``boundary='fill'``) or
  wrapped (``boundary='wrap'``) image. ``'valid'`` is ``padding=0``; ``'full'`` pads ``k - 1``
  on both sides; ``'same'`` keeps the centre of ``'full'`` and pads ``(k - 1) // 2`` before,
  ``k // 2`` after: for an even kernel the extra pixel is at the end, exactly refconv's
  ``padding="same"`` (TensorFlow / ONNX ``SAME_UPPER``).
* ``scipy.signal.convolve2d(x, w[::-1, ::-1], mode)`` is the same cross-correlation for
  ``'valid'`` and ``'full'``, but its ``'same'`` pads ``k // 2`` before and ``(k - 1) // 2``
  after: for an even kernel the extra pixel is at the *start* (``SAME_LOWER``), one pixel off
  refconv's ``"same"``. For odd kernels the two agree.
* ``scipy.ndimage.correlate(x, w, mode, origin)`` centres the kernel on ``k // 2 + origin``,
  so an even kernel needs ``origin=-1`` to match ``"same"``; its modes ``'constant'`` (cval 0),
  ``'mirror'``, ``'nearest'`` and ``'wrap'`` are refconv's ``zeros``, ``reflect``,
  ``replicate`` and ``circular`` (ndimage's own ``'reflect'`` repeats the edge pixel and has no
  PyTorch counterpart).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, signal

from refconv import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from refconv.testing import assert_conv_close

KERNEL_SIZES = [(3, 3), (2, 2), (4, 3), (1, 5), (2, 1)]
DTYPES = [np.float32, np.float64]
NDIMAGE_MODE = {
    "zeros": "constant",
    "reflect": "mirror",
    "replicate": "nearest",
    "circular": "wrap",
}


def random(shape, dtype, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def bound(terms, *arrays):
    """``terms`` times the largest product of one element of each array: >= sum |products|."""
    return terms * np.prod([np.abs(a).max() for a in arrays])


def check(actual, desired, reduction, *arrays, dtype, scale=None):
    """``actual`` is ``dtype`` and matches ``desired`` up to rounding in sums of ``reduction``
    products of elements of ``arrays`` (``scale`` overrides the bound for chained steps)."""
    assert actual.dtype == dtype
    if scale is None:
        scale = bound(reduction, *arrays)
    assert_conv_close(actual, desired, reduction=reduction, scale=scale)


def to_4d(image):
    return image[np.newaxis, np.newaxis]


@pytest.mark.parametrize("kernel", KERNEL_SIZES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_correlate2d_valid_full_same(method, kernel, dtype):
    x, w = random((7, 8), dtype, 0), random(kernel, dtype, 1)
    k_h, k_w = kernel
    n = k_h * k_w
    expected_valid = signal.correlate2d(x.astype(np.float64), w.astype(np.float64), "valid")
    expected_full = signal.correlate2d(x.astype(np.float64), w.astype(np.float64), "full")
    expected_same = signal.correlate2d(x.astype(np.float64), w.astype(np.float64), "same")
    y = conv2d(to_4d(x), to_4d(w), method=method)[0, 0]
    check(y, expected_valid, n, x, w, dtype=dtype)
    y = conv2d(to_4d(x), to_4d(w), padding=(k_h - 1, k_w - 1), method=method)[0, 0]
    check(y, expected_full, n, x, w, dtype=dtype)
    y = conv2d(to_4d(x), to_4d(w), padding="same", method=method)[0, 0]
    check(y, expected_same, n, x, w, dtype=dtype)


@pytest.mark.parametrize("kernel", KERNEL_SIZES)
def test_convolve2d_with_flipped_kernel(method, kernel):
    x, w = random((6, 7), np.float64, 2), random(kernel, np.float64, 3)
    k_h, k_w = kernel
    flipped = w[::-1, ::-1]
    n = k_h * k_w
    check(
        conv2d(to_4d(x), to_4d(w), method=method)[0, 0],
        signal.convolve2d(x, flipped, "valid"),
        n,
        x,
        w,
        dtype=np.float64,
    )
    # convolve2d's 'same' is SAME_LOWER: k // 2 before, (k - 1) // 2 after
    lower = ((k_h // 2, (k_h - 1) // 2), (k_w // 2, (k_w - 1) // 2))
    check(
        conv2d(to_4d(x), to_4d(w), padding=lower, method=method)[0, 0],
        signal.convolve2d(x, flipped, "same"),
        n,
        x,
        w,
        dtype=np.float64,
    )
    # ... which is refconv's "same" only when the kernel is odd
    same = conv2d(to_4d(x), to_4d(w), padding="same", method=method)[0, 0]
    if k_h % 2 and k_w % 2:
        check(same, signal.convolve2d(x, flipped, "same"), n, x, w, dtype=np.float64)
    else:
        assert not np.allclose(same, signal.convolve2d(x, flipped, "same"))


@pytest.mark.parametrize("kernel", KERNEL_SIZES)
def test_signal_wrap_boundary_is_circular(method, kernel):
    x, w = random((5, 6), np.float64, 4), random(kernel, np.float64, 5)
    n = kernel[0] * kernel[1]
    y = conv2d(to_4d(x), to_4d(w), padding="same", padding_mode="circular", method=method)
    check(y[0, 0], signal.correlate2d(x, w, "same", boundary="wrap"), n, x, w, dtype=np.float64)


@pytest.mark.parametrize("kernel", KERNEL_SIZES)
@pytest.mark.parametrize("mode", list(NDIMAGE_MODE))
@pytest.mark.parametrize("dtype", DTYPES)
def test_ndimage_correlate_every_mode(method, kernel, mode, dtype):
    x, w = random((6, 7), dtype, 6), random(kernel, dtype, 7)
    origin = tuple(-1 if k % 2 == 0 else 0 for k in kernel)  # SAME_UPPER for even kernels
    expected = ndimage.correlate(
        x.astype(np.float64), w.astype(np.float64), mode=NDIMAGE_MODE[mode], origin=origin
    )
    y = conv2d(to_4d(x), to_4d(w), padding="same", padding_mode=mode, method=method)[0, 0]
    check(y, expected, kernel[0] * kernel[1], x, w, dtype=dtype)


@pytest.mark.parametrize(
    ("stride", "dilation"), [((2, 3), (1, 1)), ((1, 1), (2, 3)), ((3, 2), (2, 2))]
)
@pytest.mark.parametrize("mode", list(NDIMAGE_MODE))
def test_stride_and_dilation_from_ndimage(method, stride, dilation, mode):
    # A dilated kernel is the kernel with dilation - 1 zeros between taps; a strided output
    # keeps every stride-th pixel of the stride-1 output. The image is padded first (numpy.pad
    # in the mode's meaning), then ndimage correlates with the kernel's centre moved to its
    # first tap (origin = -(span // 2)), so output pixel i starts at padded pixel i.
    x, w = random((9, 10), np.float64, 8), random((3, 2), np.float64, 9)
    dh, dw = dilation
    dilated = np.zeros((2 * dh + 1, dw + 1))  # (span_h, span_w)
    dilated[::dh, ::dw] = w
    span_h, span_w = dilated.shape
    pads = ((2, 1), (0, 2))
    padded = np.pad(
        x,
        pads,
        mode={"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[
            mode
        ],
    )
    correlated = ndimage.correlate(
        padded, dilated, mode="constant", origin=(-(span_h // 2), -(span_w // 2))
    )
    h_out = (padded.shape[0] - span_h) // stride[0] + 1
    w_out = (padded.shape[1] - span_w) // stride[1] + 1
    expected = correlated[
        : (h_out - 1) * stride[0] + 1 : stride[0], : (w_out - 1) * stride[1] + 1 : stride[1]
    ]
    y = conv2d(
        to_4d(x),
        to_4d(w),
        stride=stride,
        padding=pads,
        dilation=dilation,
        padding_mode=mode,
        method=method,
    )[0, 0]
    assert y.shape == (h_out, w_out)
    check(y, expected, 6, x, w, dtype=np.float64)


@pytest.mark.parametrize("groups", [1, 2, 4])
@pytest.mark.parametrize("dtype", DTYPES)
def test_multichannel_grouped_channel_by_channel(method, groups, dtype):
    # y[n, o] = bias[o] + sum, over the channels c of o's group, of correlate2d(x[n, c], w[o, .])
    c_in, c_out = 4, 8
    cg, og = c_in // groups, c_out // groups
    x = random((2, c_in, 6, 5), dtype, 10)
    w = random((c_out, cg, 3, 2), dtype, 11)
    bias = random((c_out,), dtype, 12)
    x64, w64 = x.astype(np.float64), w.astype(np.float64)
    expected = np.zeros((2, c_out, 6, 5))
    for n in range(2):
        for o in range(c_out):
            g = o // og
            expected[n, o] = bias[o]
            for c in range(cg):
                expected[n, o] += signal.correlate2d(x64[n, g * cg + c], w64[o, c], "same")
    y = conv2d(x, w, bias, padding="same", groups=groups, method=method)
    scale = bound(cg * 6, x, w) + np.abs(bias).max()
    check(y, expected, cg * 6, dtype=dtype, scale=scale)
    # and unbatched
    check(
        conv2d(x[1], w, bias, padding="same", groups=groups, method=method),
        expected[1],
        cg * 6,
        dtype=dtype,
        scale=scale,
    )


@pytest.mark.parametrize("multiplier", [1, 3])
@pytest.mark.parametrize("mode", list(NDIMAGE_MODE))
def test_depthwise_channel_by_channel(method, multiplier, mode):
    x = random((2, 3, 7, 6), np.float64, 13)
    w = random((3 * multiplier, 1, 3, 3), np.float64, 14)
    expected = np.stack(
        [
            np.stack(
                [
                    ndimage.correlate(x[n, o // multiplier], w[o, 0], mode=NDIMAGE_MODE[mode])
                    for o in range(3 * multiplier)
                ]
            )
            for n in range(2)
        ]
    )
    y = depthwise_conv2d(x, w, padding="same", padding_mode=mode, method=method)
    check(y, expected, 9, x, w, dtype=np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_separable_channel_by_channel(method, dtype):
    x = random((1, 3, 8, 8), dtype, 15)
    dw = random((6, 1, 3, 3), dtype, 16)
    pw = random((4, 6, 1, 1), dtype, 17)
    bias = random((4,), dtype, 18)
    x64 = x.astype(np.float64)
    mid = np.stack(
        [signal.correlate2d(x64[0, o // 2], dw[o, 0].astype(np.float64), "valid") for o in range(6)]
    )  # (6, 6, 6)
    expected = np.einsum("om,mhw->ohw", pw[:, :, 0, 0].astype(np.float64), mid)
    expected += bias[:, None, None]
    y = separable_conv2d(x, dw, pw, bias, method=method)
    # two steps: sums of 9 products, then sums of 6 of those: 54 terms |x dw pw| in all
    scale = bound(9 * 6, x, dw, pw) + np.abs(bias).max()
    check(y[0], expected, 9 + 6, dtype=dtype, scale=scale)
    check(
        pointwise_conv2d(depthwise_conv2d(x, dw, method=method), pw, bias, method=method)[0],
        expected,
        9 + 6,
        dtype=dtype,
        scale=scale,
    )


@pytest.mark.parametrize("mode", list(NDIMAGE_MODE))
def test_spatial_separable_as_two_1d_filters(method, mode):
    # scipy.ndimage.correlate1d along axis 0 with the column, then along axis 1 with the row
    x = random((1, 1, 7, 9), np.float64, 19)
    column, row = random(3, np.float64, 20), random(5, np.float64, 21)
    expected = ndimage.correlate1d(x[0, 0], column, axis=0, mode=NDIMAGE_MODE[mode])
    expected = ndimage.correlate1d(expected, row, axis=1, mode=NDIMAGE_MODE[mode])
    y = spatial_separable_conv2d(
        x,
        column.reshape(1, 1, 3, 1),
        row.reshape(1, 1, 1, 5),
        padding="same",
        padding_mode=mode,
        method=method,
    )
    check(y[0, 0], expected, 3 + 5, dtype=np.float64, scale=bound(3 * 5, x, column, row))
