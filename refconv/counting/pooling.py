"""Pooling, counted by closed form and by execution, and the one check of its arguments.

Max pooling compares: ``kH*kW - 1`` comparisons per output, no arithmetic. Average pooling
adds: ``kH*kW - 1`` additions and one multiplication by ``1/(kH*kW)`` per output, the padded
zeros included in the sum (PyTorch's ``count_include_pad=True``). Global average pooling is
average pooling with the whole map as its window.

:func:`pool2d_arguments` and :func:`pool2d_output_size` are the only place pooling
arguments are checked: the layers (:class:`refconv.nn.MaxPool2d`, ``AvgPool2d``), the closed
forms and the counted loops all call them, so they accept and refuse the same geometries
with the same message.

Examples
--------
>>> import numpy as np
>>> max_pool2d_cost((1, 4, 4), 2).comparisons
12
>>> y, t = max_pool2d_counted(np.arange(16.0).reshape(1, 4, 4), 2)
>>> y[0], t.comparisons
(array([[ 5.,  7.],
       [13., 15.]]), 12)
"""

from __future__ import annotations

import numpy as np

from .. import arguments
from .opcount import IntOrPair, OpCount, Shape, Tally, feature_map_shape

Window = tuple[tuple[int, int, int], list[float]]  # (output index, the window's values)


def pool2d_arguments(
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    op: str = "MaxPool2d",
) -> tuple[arguments.Pair, arguments.Pair, arguments.Pair, arguments.Pair]:
    """Check pooling arguments as PyTorch does and return them as ``(h, w)`` pairs.

    ``kernel_size``, ``stride`` and ``dilation`` are ints ``>= 1`` or pairs of them (``stride``
    defaults to ``kernel_size``); ``padding`` is an int ``>= 0`` or a pair, at most
    ``kernel_size // 2`` on each axis: a larger pad would let a window lie wholly in the
    padding (``-inf`` for max pooling). PyTorch 2.13 refuses it with "pad should be smaller
    than or equal to half of kernel size" (``pool2d_shape_check`` in ``ATen/native/Pool.h``).

    Examples
    --------
    >>> pool2d_arguments(3, padding=1)
    ((3, 3), (3, 3), (1, 1), (1, 1))
    >>> pool2d_arguments(2, padding=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2d: padding must be at most kernel_size // 2 = (1, 1) on each axis, ...
    """
    k = arguments.pair(kernel_size, "kernel_size", 1)
    s = k if stride is None else arguments.pair(stride, "stride", 1)
    p = arguments.pair(padding, "padding", 0)
    d = arguments.pair(dilation, "dilation", 1)
    half = (k[0] // 2, k[1] // 2)
    if p[0] > half[0] or p[1] > half[1]:
        raise ValueError(
            f"{op}: padding must be at most kernel_size // 2 = {half} on each axis, as in "
            f"PyTorch (a larger pad lets a window lie wholly in the padding); got "
            f"padding={padding!r} with kernel_size={kernel_size!r}. Use a smaller padding or "
            f"a larger kernel_size."
        )
    return k, s, p, d


def pool2d_output_size(
    input_shape: Shape,
    kernel: arguments.Pair,
    stride: arguments.Pair,
    padding: arguments.Pair,
    dilation: arguments.Pair = (1, 1),
    op: str = "MaxPool2d",
) -> arguments.Pair:
    """``(H_out, W_out)`` of a pooling over the last two axes of ``input_shape`` (floor mode).

    The pairs are those :func:`pool2d_arguments` returns. A window that does not fit the
    padded input is a ``ValueError`` that names the op, its geometry, the input shape and the
    window.

    Examples
    --------
    >>> pool2d_output_size((8, 7, 7), (2, 2), (2, 2), (0, 0))
    (3, 3)
    >>> pool2d_output_size((1, 5, 5), (7, 7), (7, 7), (0, 0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2d(...) on input shape (1, 5, 5): the 7x7 pooling window does not fit ...
    """
    h, w = (int(v) for v in input_shape[-2:])
    h_out = arguments.output_size(h, kernel[0], stride[0], dilation[0], padding[0], padding[0])
    w_out = arguments.output_size(w, kernel[1], stride[1], dilation[1], padding[1], padding[1])
    if h_out < 1 or w_out < 1:
        span = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
        geometry = f"kernel_size={kernel}, stride={stride}, padding={padding}"
        if op == "MaxPool2d":
            geometry += f", dilation={dilation}"
        raise ValueError(
            f"{op}({geometry}) on input shape {tuple(input_shape)}: the {span[0]}x{span[1]} "
            f"pooling window does not fit the padded input {h + 2 * padding[0]}x"
            f"{w + 2 * padding[1]}. Use a smaller kernel_size or dilation, more padding (at "
            f"most kernel_size // 2) or a larger input."
        )
    return h_out, w_out


def _pool_cost(
    input_shape: Shape,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    op: str,
) -> tuple[int, int, arguments.Pair, Shape]:
    """Input elements, output elements, the kernel pair and the output shape of a pooling."""
    k, s, p, d = pool2d_arguments(kernel_size, stride, padding, dilation, op)
    c, h, w = feature_map_shape(input_shape)
    h_out, w_out = pool2d_output_size((c, h, w), k, s, p, d, op)
    return c * h * w, c * h_out * w_out, k, (c, h_out, w_out)


def max_pool2d_cost(
    input_shape: Shape,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> OpCount:
    """Max pooling: ``kH * kW - 1`` comparisons per output element, no arithmetic.

    ``stride`` defaults to ``kernel_size`` (PyTorch and Keras); floor mode output size.

    >>> c = max_pool2d_cost((32, 32, 32), 2)
    >>> c.output_shape, c.comparisons
    ((32, 16, 16), 24576)
    """
    inputs, out, k, shape = _pool_cost(
        input_shape, kernel_size, stride, padding, dilation, "MaxPool2d"
    )
    return OpCount(
        0,
        0,
        0,
        shape,
        comparisons=out * (k[0] * k[1] - 1),
        kind="maxpool",
        input_numel=inputs,
        output_numel=out,
    )


def avg_pool2d_cost(
    input_shape: Shape,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> OpCount:
    """Average pooling: ``kH * kW - 1`` additions and 1 multiplication (by ``1/(kH*kW)``) per
    output element; padded zeros are included (PyTorch's ``count_include_pad=True``).

    >>> c = avg_pool2d_cost((1024, 7, 7), 7)
    >>> c.output_shape, c.additions, c.multiplications
    ((1024, 1, 1), 49152, 1024)
    """
    inputs, out, k, shape = _pool_cost(input_shape, kernel_size, stride, padding, 1, "AvgPool2d")
    return OpCount(
        out, out * (k[0] * k[1] - 1), 0, shape, kind="avgpool", input_numel=inputs, output_numel=out
    )


def global_avg_pool2d_cost(input_shape: Shape) -> OpCount:
    """Global average pooling to ``(C, 1, 1)``: ``H*W - 1`` additions and 1 multiplication per
    channel.

    >>> global_avg_pool2d_cost((1024, 7, 7)).additions
    49152
    """
    c, h, w = feature_map_shape(input_shape)
    return OpCount(
        c,
        c * (h * w - 1),
        0,
        (c, 1, 1),
        kind="globalavgpool",
        input_numel=c * h * w,
        output_numel=c,
    )


def _windows(
    x: np.ndarray,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    fill: float,
    op: str,
) -> tuple[Shape, list[Window]]:
    """The output shape ``(C, H_out, W_out)`` and, for every output element, its index and its
    window's values (a flat list, padding filled with ``fill``)."""
    k, s, p, d = pool2d_arguments(kernel_size, stride, padding, dilation, op)
    if x.ndim != 3:
        raise ValueError(f"{op} counted: x must be unbatched (C, H, W); got shape {x.shape}")
    c_in = x.shape[0]
    h_out, w_out = pool2d_output_size(x.shape, k, s, p, d, op)
    xp = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    windows = [
        (
            (c, i, j),
            [
                xp[c, i * s[0] + a * d[0], j * s[1] + b * d[1]]
                for a in range(k[0])
                for b in range(k[1])
            ],
        )
        for c in range(c_in)
        for i in range(h_out)
        for j in range(w_out)
    ]
    return (c_in, h_out, w_out), windows


def max_pool2d_counted(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> tuple[np.ndarray, Tally]:
    """Max pooling of ``x`` ``(C, H, W)`` (padding with ``-inf``): ``kH*kW - 1`` comparisons per
    output.

    >>> y, t = max_pool2d_counted(np.arange(16.0).reshape(1, 4, 4), 2)
    >>> y[0], t.comparisons
    (array([[ 5.,  7.],
           [13., 15.]]), 12)
    """
    shape, windows = _windows(x, kernel_size, stride, padding, dilation, -np.inf, "MaxPool2d")
    y = np.empty(shape)
    tally = Tally()
    for index, values in windows:
        best = values[0]
        for v in values[1:]:
            tally.comparisons += 1
            if v > best:
                best = v
        y[index] = best
    return y, tally


def avg_pool2d_counted(
    x: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair | None = None, padding: IntOrPair = 0
) -> tuple[np.ndarray, Tally]:
    """Average pooling of ``x`` ``(C, H, W)`` (zeros padded and counted, PyTorch's
    ``count_include_pad=True``): ``kH*kW - 1`` additions and one multiplication by
    ``1 / (kH*kW)`` per output.

    >>> y, t = avg_pool2d_counted(np.arange(16.0).reshape(1, 4, 4), 2)
    >>> y[0], t.additions, t.multiplications
    (array([[ 2.5,  4.5],
           [10.5, 12.5]]), 12, 4)
    """
    shape, windows = _windows(x, kernel_size, stride, padding, 1, 0.0, "AvgPool2d")
    y = np.empty(shape)
    tally = Tally()
    for index, values in windows:
        total = values[0]
        for v in values[1:]:
            total = total + v
            tally.additions += 1
        y[index] = total * (1.0 / len(values))
        tally.multiplications += 1
    return y, tally


def global_avg_pool2d_counted(x: np.ndarray) -> tuple[np.ndarray, Tally]:
    """Mean over each channel of ``x`` ``(C, H, W)``, shape ``(C, 1, 1)``: ``H*W - 1``
    additions, 1 multiplication.

    >>> y, t = global_avg_pool2d_counted(np.ones((2, 3, 3)))
    >>> y.ravel(), t.additions, t.multiplications
    (array([1., 1.]), 16, 2)
    """
    return avg_pool2d_counted(x, x.shape[1:])
