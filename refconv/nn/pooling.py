"""Pooling layers: max, average and global average pooling.

The arguments are checked by :func:`refconv.counting.pool2d_arguments` and
:func:`refconv.counting.pool2d_output_size`, the functions the closed-form costs and the
counted loops use, so the three accept the same geometries and refuse the others with the
same message. The forward pass reduces windows views of the padded input.

>>> import numpy as np
>>> MaxPool2d(2, stride=1)(np.arange(9.0).reshape(1, 3, 3))[0]
array([[4., 5.],
       [7., 8.]])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import arguments, counting
from ..counting.opcount import IntOrPair
from .module import Module


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
    kernel, stride, padding, dilation = counting.pool2d_arguments(
        kernel_size, stride, padding, dilation, op
    )
    x = arguments.as_float_array(x, "x")
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{op} expects x of shape (N, C, H, W) or unbatched (C, H, W); got "
            f"{x.ndim}-D array of shape {x.shape}"
        )
    counting.pool2d_output_size(x.shape, kernel, stride, padding, dilation, op)
    widths = [(0, 0)] * (x.ndim - 2) + [(padding[0], padding[0]), (padding[1], padding[1])]
    xp = np.pad(x, widths, constant_values=fill)  # (..., H + 2ph, W + 2pw)
    span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    windows = sliding_window_view(xp, span, axis=(-2, -1))  # (..., Ho', Wo', span_h, span_w)
    windows = windows[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    return reduce(windows, axis=(-2, -1)).astype(x.dtype, copy=False)


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

    >>> import numpy as np
    >>> MaxPool2d(2)(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> MaxPool2d(3, stride=2, padding=1)
    MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1)
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
    ) -> None:
        counting.pool2d_arguments(kernel_size, stride, padding, dilation, "MaxPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)
        self.dilation = _as_given(dilation)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _pool(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            -np.inf,
            np.max,
            "MaxPool2d",
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

    >>> import numpy as np
    >>> AvgPool2d(2)(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    def __init__(
        self, kernel_size: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
    ) -> None:
        counting.pool2d_arguments(kernel_size, stride, padding, 1, "AvgPool2d")
        self.kernel_size = _as_given(kernel_size)
        self.stride = self.kernel_size if stride is None else _as_given(stride)
        self.padding = _as_given(padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _pool(x, self.kernel_size, self.stride, self.padding, 1, 0.0, np.mean, "AvgPool2d")

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

    >>> import numpy as np
    >>> GlobalAvgPool2d()(np.ones((2, 3, 7, 7))).shape
    (2, 3, 1, 1)
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = arguments.as_float_array(x, "x")
        y: np.ndarray = x.mean(axis=(-2, -1), keepdims=True)  # (N, C, 1, 1) or (C, 1, 1)
        return y

    def cost(self, input_shape: tuple[int, ...], effective: bool = False) -> counting.OpCount:
        return counting.global_avg_pool2d_cost(input_shape)

    def counted(self, x: np.ndarray, effective: bool = False) -> tuple[np.ndarray, counting.Tally]:
        return counting.global_avg_pool2d_counted(np.asarray(x, dtype=np.float64))
