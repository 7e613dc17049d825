"""Pooling layers: max, average and global average pooling.

The arguments are checked by :func:`refconv.counting.pool2d_arguments` and
:func:`refconv.counting.pool2d_output_size`, the functions the closed-form costs and the
counted loops use, so the three accept the same geometries and refuse the others with the
same message. The forward pass reduces windows views of the padded input; the backward pass
sends each output's gradient back to the pixels of its window, one kernel tap at a time.

>>> import numpy as np
>>> MaxPool2d(2, stride=1)(np.arange(9.0).reshape(1, 3, 3))[0]
array([[4., 5.],
       [7., 8.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import arguments, counting
from ..counting.opcount import IntOrPair
from .module import Module, check_grad_output, forward_first


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


def _padded(x: np.ndarray, geometry: PoolGeometry, fill: float) -> np.ndarray:
    (ph, pw) = geometry.padding
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, constant_values=fill)  # (..., H + 2ph, W + 2pw)


def _windows(xp: np.ndarray, geometry: PoolGeometry) -> np.ndarray:
    """Every window of the padded input, as a view: ``(..., H_out, W_out, kH, kW)``."""
    (kh, kw), (sh, sw), _, (dh, dw) = geometry[:4]
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(xp, span, axis=(-2, -1))  # (..., Ho', Wo', span_h, span_w)
    return windows[..., ::sh, ::sw, ::dh, ::dw]


def _pool(
    x: np.ndarray,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    fill: float,
    reduce: Callable[..., np.ndarray],
    op: str,
) -> np.ndarray:
    """Pooling over the last two axes of ``(N, C, H, W)`` or ``(C, H, W)`` by windows views,
    the padding filled with ``fill`` and each window reduced by ``reduce`` (``np.max``, ...)."""
    x = arguments.as_float_array(x, "x")
    geometry = pool_geometry(x, kernel_size, stride, padding, dilation, op)
    windows = _windows(_padded(x, geometry, fill), geometry)
    return reduce(windows, axis=(-2, -1)).astype(x.dtype, copy=False)


def _scatter_taps(
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


def _as_given(value: IntOrPair | list[int]) -> IntOrPair:
    """A pooling argument as PyTorch stores it: as passed (a list, checked to be a pair by
    then, becomes a tuple)."""
    if isinstance(value, list):
        h, w = value
        return h, w
    return value


class MaxPool2d(Module):
    """Max pooling, as ``torch.nn.MaxPool2d`` (floor mode; ``stride`` defaults to the kernel).

    ``padding`` (filled with ``-inf``) is at most ``kernel_size // 2`` on each axis, as in
    PyTorch; see :func:`refconv.counting.pool2d_arguments`. The arguments are stored as given.

    Backward: each output's gradient goes to the pixel that held its window's maximum (the
    first one in row-major order when several tie, and the last NaN when there are NaNs, as
    PyTorch's CPU kernel); a pixel that is the maximum of several windows collects all their
    gradients. Forward keeps a reference to ``x``; backward finds the arg-max again.

    >>> import numpy as np
    >>> pool = MaxPool2d(2)
    >>> pool(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool.backward(np.ones((1, 2, 2)))[0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    >>> MaxPool2d(3, stride=2, padding=1)
    MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1)
    """

    _saved: np.ndarray | None = None  # the last forward's input

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> None:
        super().__init__()
        counting.pool2d_arguments(kernel_size, stride, padding, dilation, "MaxPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)
        self.dilation = _as_given(dilation)

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = _pool(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            -np.inf,
            np.max,
            "MaxPool2d",
        )
        self._saved = arguments.as_float_array(x, "x")
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = forward_first(self, self._saved)
        geometry = pool_geometry(
            x, self.kernel_size, self.stride, self.padding, self.dilation, "MaxPool2d"
        )
        g = check_grad_output(self, grad_output, (*x.shape[:-2], *geometry.out_size))
        self._saved = None
        windows = _windows(_padded(x, geometry, -np.inf), geometry)  # (..., Ho, Wo, kH, kW)
        kh, kw = geometry.kernel
        # Which tap held each window's maximum: PyTorch's loop over the window, row by row,
        # run for every window at once; a tap takes over only if strictly larger (so the first
        # of equal values wins) or NaN (the forward pass's NaN came from it).
        best = windows[..., 0, 0]  # (..., Ho, Wo)
        first_max = np.zeros(best.shape, dtype=np.intp)
        for tap in range(1, kh * kw):
            value = windows[..., tap // kw, tap % kw]
            takes_over = (value > best) | np.isnan(value)
            best = np.where(takes_over, value, best)
            first_max[takes_over] = tap
        dtype = arguments.result_dtype(x, g)
        g = g.astype(dtype, copy=False)
        return _scatter_taps(
            lambda i, j: np.where(first_max == i * kw + j, g, 0), x.shape, dtype, geometry
        )

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.max_pool2d_cost(
            input_shape, self.kernel_size, self.stride, self.padding, self.dilation
        )

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.max_pool2d_counted(
            np.asarray(x, dtype=np.float64),
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}"
        )


class AvgPool2d(Module):
    """Average pooling, as ``torch.nn.AvgPool2d`` (padded zeros included in the mean).

    ``padding`` is at most ``kernel_size // 2`` on each axis, as in PyTorch; see
    :func:`refconv.counting.pool2d_arguments`. The arguments are stored as given.

    Backward: each output's gradient, divided by ``kH * kW`` (the padded zeros count, as
    PyTorch's default ``count_include_pad=True``), goes to every pixel of its window. Forward
    keeps the input's shape and dtype only.

    >>> import numpy as np
    >>> pool = AvgPool2d(2)
    >>> pool(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> pool.backward(np.ones((1, 2, 2)))[0, 0]
    array([0.25, 0.25, 0.25, 0.25])
    """

    _saved: np.ndarray | None = None  # a zero-strided stand-in with the input's shape and dtype

    def __init__(
        self, kernel_size: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
    ) -> None:
        super().__init__()
        counting.pool2d_arguments(kernel_size, stride, padding, 1, "AvgPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = _pool(x, self.kernel_size, self.stride, self.padding, 1, 0.0, np.mean, "AvgPool2d")
        self._saved = np.broadcast_to(np.zeros((), dtype=y.dtype), np.shape(x))  # no memory
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        x = forward_first(self, self._saved)
        geometry = pool_geometry(x, self.kernel_size, self.stride, self.padding, 1, "AvgPool2d")
        g = check_grad_output(self, grad_output, (*x.shape[:-2], *geometry.out_size))
        self._saved = None
        kh, kw = geometry.kernel
        dtype = arguments.result_dtype(x, g)
        share = g.astype(dtype, copy=False) / (kh * kw)
        return _scatter_taps(lambda i, j: share, x.shape, dtype, geometry)

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.avg_pool2d_cost(input_shape, self.kernel_size, self.stride, self.padding)

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.avg_pool2d_counted(
            np.asarray(x, dtype=np.float64), self.kernel_size, self.stride, self.padding
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class GlobalAvgPool2d(Module):
    """Mean over the spatial axes, keeping them as 1x1 (Keras ``GlobalAveragePooling2D`` with
    ``keepdims=True``, PyTorch ``AdaptiveAvgPool2d(1)``); works at any input resolution.

    Backward: ``dL/dx = dL/dy / (H * W)`` at every pixel. Forward keeps the input's shape.

    >>> import numpy as np
    >>> GlobalAvgPool2d()(np.ones((2, 3, 7, 7))).shape
    (2, 3, 1, 1)
    """

    _saved: tuple[int, ...] | None = None  # the last forward's input shape

    def __init__(self) -> None:
        super().__init__()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        y: np.ndarray = x.mean(axis=(-2, -1), keepdims=True)  # (N, C, 1, 1) or (C, 1, 1)
        self._saved = x.shape
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        shape = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, (*shape[:-2], 1, 1))
        self._saved = None
        h, w = shape[-2:]
        grad_x: np.ndarray = np.broadcast_to(g / (h * w), shape).copy()  # (..., H, W)
        return grad_x

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.global_avg_pool2d_cost(input_shape)

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.global_avg_pool2d_counted(np.asarray(x, dtype=np.float64))
