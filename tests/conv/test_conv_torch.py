"""Optional: refconv against PyTorch's ``torch.nn.functional.conv2d`` and ``F.pad``.

Skipped when torch is not installed; the scipy suite stands on its own. refconv follows
PyTorch's semantics (cross-correlation, NCHW / OIHW, ``groups``, ``padding_mode``), so the
results must agree up to rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from refconv import (
    conv2d,
    depthwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from refconv.testing import assert_conv_close

torch = pytest.importorskip("torch")
F = torch.nn.functional

METHODS = ("reference", "direct", "im2col", "auto")
TORCH_PAD_MODE = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def torch_conv2d(
    x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"
):
    """F.conv2d in float64; explicit (or non-zero-mode) padding through F.pad first."""
    t = torch.from_numpy(np.asarray(x, dtype=np.float64))
    w = torch.from_numpy(np.asarray(weight, dtype=np.float64))
    b = None if bias is None else torch.from_numpy(np.asarray(bias, dtype=np.float64))
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        (top, bottom), (left, right) = padding
    elif isinstance(padding, str):
        return F.conv2d(t, w, b, stride, padding, dilation, groups).numpy()
    else:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        top, bottom, left, right = ph, ph, pw, pw
    mode = "constant" if padding_mode == "zeros" else TORCH_PAD_MODE[padding_mode]
    if t.ndim == 3:  # F.pad's non-constant modes want a batch axis
        return torch_conv2d(x[None], weight, bias, stride, padding, dilation, groups, padding_mode)[
            0
        ]
    t = F.pad(t, (left, right, top, bottom), mode=mode)
    return F.conv2d(t, w, b, stride, 0, dilation, groups).numpy()


def random(shape, dtype, rng):
    return rng.standard_normal(shape).astype(dtype)


CASES = [
    # (x shape, weight shape, groups, stride, padding, dilation)
    ((2, 3, 9, 8), (4, 3, 3, 3), 1, 1, 1, 1),
    ((1, 4, 10, 7), (6, 2, 2, 3), 2, (2, 1), (1, 2), (1, 2)),
    ((3, 4, 8, 8), (8, 1, 3, 3), 4, 2, ((0, 2), (1, 1)), 1),
    ((2, 6, 7, 9), (3, 2, 4, 2), 3, (1, 3), 2, (2, 1)),
    ((3, 11, 11), (5, 3, 5, 5), 1, 3, 0, 1),  # unbatched
    ((1, 2, 6, 6), (2, 2, 1, 1), 1, 2, 1, 1),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_matches_torch(case, mode, dtype):
    x_shape, w_shape, groups, stride, padding, dilation = case
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x, w, b = (
        random(x_shape, dtype, rng),
        random(w_shape, dtype, rng),
        random(w_shape[0], dtype, rng),
    )
    kwargs = dict(
        stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode
    )
    desired = torch_conv2d(x, w, b, **kwargs)
    scale = torch_conv2d(np.abs(x), np.abs(w), np.abs(b), **kwargs)
    for method in METHODS:
        y = conv2d(x, w, b, method=method, **kwargs)
        assert y.dtype == dtype
        assert_conv_close(
            y, desired, reduction=math.prod(w_shape[1:]), scale=scale, err_msg=f"method={method!r}"
        )


# torch notes that it copies the input for an even kernel; the note is torch's, not refconv's
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
@pytest.mark.parametrize(
    ("kernel", "dilation"), [((3, 3), 1), ((2, 2), 1), ((4, 3), 1), ((2, 3), (2, 1)), ((1, 4), 3)]
)
def test_same_padding_matches_torch(method, kernel, dilation):
    # torch's padding="same" (stride 1 only) puts the odd pixel at the bottom / right, as does
    # refconv's
    rng = np.random.default_rng(1)
    x, w = random((2, 2, 7, 8), np.float64, rng), random((3, 2, *kernel), np.float64, rng)
    desired = torch_conv2d(x, w, padding="same", dilation=dilation)
    y = conv2d(x, w, padding="same", dilation=dilation, method=method)
    k = 2 * kernel[0] * kernel[1]
    assert_conv_close(y, desired, reduction=k, scale=k * np.abs(x).max() * np.abs(w).max())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [((1, 1), (1, 1)), ((0, 2), (2, 1)), ((3, 0), (0, 3))])
def test_padding_modes_match_torch_pad(method, mode, pads):
    # a 1x1 identity kernel returns the padded input: F.pad's values exactly
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    (top, bottom), (left, right) = pads
    desired = F.pad(torch.from_numpy(x), (left, right, top, bottom), mode=mode).numpy()
    y = conv2d(x, np.ones((1, 1, 1, 1)), padding=pads, padding_mode=mode, method=method)
    np.testing.assert_array_equal(y, desired)


@pytest.mark.parametrize("multiplier", [1, 2, 3])
def test_depthwise_and_separable_match_torch(method, multiplier):
    rng = np.random.default_rng(2)
    x = random((2, 3, 9, 9), np.float32, rng)
    dw = random((3 * multiplier, 1, 3, 3), np.float32, rng)
    pw = random((5, 3 * multiplier, 1, 1), np.float32, rng)
    b = random(5, np.float32, rng)
    kwargs = dict(stride=2, padding=1, padding_mode="reflect")
    mid = torch_conv2d(x, dw, groups=3, **kwargs)  # torch's channel order: c * M + m
    assert_conv_close(
        depthwise_conv2d(x, dw, method=method, **kwargs),
        mid,
        reduction=9,
        scale=9 * np.abs(x).max() * np.abs(dw).max(),
    )
    desired = torch_conv2d(mid, pw, b)
    k = 9 * 3 * multiplier
    assert_conv_close(
        separable_conv2d(x, dw, pw, b, method=method, **kwargs),
        desired,
        reduction=9 + 3 * multiplier,
        scale=k * np.abs(x).max() * np.abs(dw).max() * np.abs(pw).max() + np.abs(b).max(),
    )


def test_pytorch_comparison_spatial_block_fails_in_both(method):
    # SpatiallySeparableConv2d(3, 8, 3): a (3,1) conv with groups=3, then a (1,3) conv from 3 to
    # 8 channels with groups=3. 8 is not a multiple of 3: torch refuses, and so does refconv.
    x = np.ones((1, 3, 8, 8), dtype=np.float32)
    column, row = np.ones((3, 1, 3, 1), np.float32), np.ones((8, 1, 1, 3), np.float32)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        torch.nn.Conv2d(3, 8, kernel_size=(1, 3), groups=3)
    with pytest.raises(ValueError, match="multiple of C_in"):
        spatial_separable_conv2d(x, column, row, groups=3, padding=1, method=method)
    # torch's way out, and refconv's: per channel 3 -> 3 (or 3 * M), then mix channels
    row3 = np.ones((3, 1, 1, 3), np.float32)
    t = torch.from_numpy(x)
    t = F.conv2d(t, torch.from_numpy(column), padding=(1, 0), groups=3)
    t = F.conv2d(t, torch.from_numpy(row3), padding=(0, 1), groups=3)
    y = spatial_separable_conv2d(x, column, row3, groups=3, padding=1, method=method)
    np.testing.assert_array_equal(y, t.numpy())
