"""A pooling call's geometry, and its windows as NumPy sees them: the spec's building blocks.

:func:`pool_geometry` checks the arguments (by :func:`refconv.counting.pool2d_arguments` and
:func:`refconv.counting.pool2d_output_size`, the functions the closed-form costs and the
counted loops use, so all three accept the same geometries and refuse the others with the
same message). :func:`windows` is every window of the padded input as a view, and
:func:`scatter_taps` sends a gradient back through the windows one kernel tap at a time: the
readable forms the pooling layers' specs are written in.

>>> import numpy as np
>>> x = np.arange(9.0).reshape(1, 3, 3)
>>> g = pool_geometry(x, 2, 1, 0, 1, "MaxPool2d")
>>> g.out_size, windows(padded(x, g, -np.inf), g).shape     # (C, H_out, W_out, kH, kW)
((2, 2), (1, 2, 2, 2, 2))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ... import counting


class PoolGeometry(NamedTuple):
    """A pooling call's arguments as ``(h, w)`` pairs, and the input's and output's size."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    size: tuple[int, int]  # (H, W) of the input
    out_size: tuple[int, int]  # (H_out, W_out)


def pool_geometry(
    x: np.ndarray, kernel_size: object, stride: object, padding: object, dilation: object, op: str
) -> PoolGeometry:
    """Check a pooling call (the counting module's checks and messages) and return its
    geometry; ``x`` is ``(N, C, H, W)`` or ``(C, H, W)``."""
    kernel, stride, padding, dilation = counting.pool2d_arguments(
        kernel_size, stride, padding, dilation, op
    )
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{op} expects x of shape (N, C, H, W) or unbatched (C, H, W); got "
            f"{x.ndim}-D array of shape {x.shape}"
        )
    counting.pool2d_output_size(x.shape, kernel, stride, padding, dilation, op)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    h, w = x.shape[-2:]
    out = ((h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1)
    return PoolGeometry((kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), out)


def padded(x: np.ndarray, geometry: PoolGeometry, fill: float) -> np.ndarray:
    """``x`` with ``geometry.padding`` pixels of ``fill`` around each plane."""
    (ph, pw) = geometry.padding
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, constant_values=fill)  # (..., H + 2ph, W + 2pw)


def windows(xp: np.ndarray, geometry: PoolGeometry) -> np.ndarray:
    """Every window of the padded input, as a view: ``(..., H_out, W_out, kH, kW)``."""
    (kh, kw), (sh, sw), _, (dh, dw) = geometry[:4]
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    views = sliding_window_view(xp, span, axis=(-2, -1))  # (..., Ho', Wo', span_h, span_w)
    return views[..., ::sh, ::sw, ::dh, ::dw]


def scatter_taps(
    shares: Callable[[int, int], np.ndarray],
    shape: tuple[int, ...],
    dtype: np.dtype,
    geometry: PoolGeometry,
) -> np.ndarray:
    """The input gradient of a pooling layer, tap by tap: ``shares(i, j)`` is the gradient
    each output sends to the pixel under tap ``(i, j)`` of its window (``(..., H_out, W_out)``);
    the pixels under one tap lie ``stride`` apart, so one strided slice takes them all. The
    padding's share is dropped at the end."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (h, w), (ho, wo) = geometry
    grad_padded = np.zeros((*shape[:-2], h + 2 * ph, w + 2 * pw), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + sh * (ho - 1) + 1, sh)  # H_out rows, stride apart
            cols = slice(j * dw, j * dw + sw * (wo - 1) + 1, sw)
            grad_padded[..., rows, cols] += shares(i, j)
    return np.ascontiguousarray(grad_padded[..., ph : ph + h, pw : pw + w])  # (..., H, W)
