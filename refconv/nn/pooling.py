"""Pooling layers: max, average and global average pooling.

The arguments are checked by :func:`refconv.counting.pool2d_arguments` and
:func:`refconv.counting.pool2d_output_size`, the functions the closed-form costs and the
counted loops use, so the three accept the same geometries and refuse the others with the
same message (:mod:`refconv.nn.ops.windows`). Average pooling reduces windows views of the
padded input and sends each output's gradient back to the pixels of its window, one kernel tap
at a time; max pooling runs the kernels of :mod:`refconv.nn.ops.max_pool`, which do the same
for the arg-max.

>>> import numpy as np
>>> MaxPool2d(2, stride=1)(np.arange(9.0).reshape(1, 3, 3))[0]
array([[4., 5.],
       [7., 8.]])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .. import arguments, counting
from ..counting.opcount import IntOrPair
from .module import Module, check_grad_output, forward_first
from .ops.max_pool import max_pool2d_backward, max_pool2d_forward
from .ops.windows import PoolGeometry, padded, pool_geometry, scatter_taps, windows


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
    views = windows(padded(x, geometry, fill), geometry)  # (..., H_out, W_out, kH, kW)
    return reduce(views, axis=(-2, -1)).astype(x.dtype, copy=False)


class _MaxPoolSaved(NamedTuple):
    """What max pooling's forward pass keeps for backward."""

    taps: np.ndarray  # (..., H_out, W_out): the tap of each window's maximum
    shape: tuple[int, ...]  # the input's
    dtype: np.dtype  # the input's
    geometry: PoolGeometry


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
    gradients. Forward keeps the arg-max's tap per output (one integer each), not ``x``.
    Both passes run Numba kernels; :mod:`refconv.nn.ops.max_pool` has them beside the NumPy
    spec they are tested against.

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

    _saved: _MaxPoolSaved | None = None

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
        x = arguments.as_float_array(x, "x")
        geometry = pool_geometry(
            x, self.kernel_size, self.stride, self.padding, self.dilation, "MaxPool2d"
        )
        y, taps = max_pool2d_forward(x, geometry)  # taps: (..., H_out, W_out)
        self._saved = _MaxPoolSaved(taps, x.shape, x.dtype, geometry)
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        taps, shape, dtype, geometry = forward_first(self, self._saved)
        g = check_grad_output(self, grad_output, taps.shape)
        self._saved = None
        dtype = np.result_type(dtype, g.dtype)  # float32 only if both are
        return max_pool2d_backward(g.astype(dtype, copy=False), taps, geometry, shape)

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
        return scatter_taps(lambda i, j: share, x.shape, dtype, geometry)

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
