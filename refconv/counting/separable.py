"""The two separable convolutions, counted by closed form and by execution, pass by pass.

Depthwise-separable (Keras ``SeparableConv2D``): a depthwise ``kH x kW`` pass, then a 1x1
pass, one bias after it. Spatially separable: a ``kH x 1`` pass (``C_in -> R``), then a
``1 x kW`` pass (``R -> C_out``), whose stride, padding and dilation are those of the
equivalent ``kH x kW`` convolution, split between the passes by
:func:`refconv.arguments.spatial_passes` (the same split the functional API uses).

Each cost is the sum of its passes' :func:`~refconv.counting.conv.conv2d_cost` and keeps
them in ``parts``; each counted function runs :func:`~refconv.counting.conv.conv2d_counted`
once per pass.

Examples
--------
>>> c = separable_conv2d_cost((3, 12, 12), 256, 5, bias=False)
>>> c.multiplications, [p.multiplications for _, p in c.parts]
(53952, [4800, 49152])
>>> import numpy as np
>>> y, t = spatial_separable_conv2d_counted(np.ones((1, 12, 12)), np.ones((1, 1, 5, 1)),
...                                         np.ones((1, 1, 1, 5)))
>>> y.shape, t.multiplications                      # 8*12*5 + 8*8*5
((1, 8, 8), 800)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import arguments
from .conv import conv2d_cost, conv2d_counted, depthwise_conv2d_cost, pointwise_conv2d_cost
from .opcount import IntOrPair, OpCount, Shape, Tally, feature_map_shape


def separable_conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: IntOrPair,
    depth_multiplier: int = 1,
    stride: IntOrPair = 1,
    padding: object = 0,
    dilation: IntOrPair = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Depthwise-separable convolution (Keras ``SeparableConv2D``): depthwise, then pointwise.

    One bias, after the pointwise step. ``parts`` holds the two steps' costs.

    Examples
    --------
    >>> c = separable_conv2d_cost((3, 12, 12), 256, 5, bias=False)
    >>> c.multiplications, [p.multiplications for _, p in c.parts]
    (53952, [4800, 49152])
    >>> separable_conv2d_cost((3, 32, 32), 32, 3, padding="same").params  # Keras: 27+96+32
    155
    """
    dw = depthwise_conv2d_cost(
        input_shape,
        kernel_size,
        depth_multiplier,
        stride,
        padding,
        dilation,
        False,
        padding_mode,
        effective,
    )
    pw = pointwise_conv2d_cost(dw.output_shape, out_channels, bias)
    return replace(dw + pw, kind="conv", parts=(("depthwise", dw), ("pointwise", pw)))


def spatial_separable_conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: IntOrPair,
    intermediate_channels: int | None = None,
    stride: IntOrPair = 1,
    padding: object = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Spatially separable convolution: ``kH x 1`` (C_in -> R), then ``1 x kW`` (R -> C_out).

    The geometry is that of :func:`refconv.spatial_separable_conv2d`: the first pass takes the
    vertical part of stride, padding and dilation and keeps the full input width, so its
    output ``(R, H_out, W)`` is *wider* than the final ``(C_out, H_out, W_out)`` unless the
    horizontal padding is "same"-like with stride 1. That is why "2K multiplications per output
    pixel" is an underestimate for valid padding.

    Parameters
    ----------
    input_shape : (C_in, H, W)
    out_channels : int
    kernel_size : int or (kH, kW)
    intermediate_channels : int, optional
        ``R``, the channels between the passes; default ``out_channels`` (the articles'
        blocks).
    stride, padding, dilation, groups, bias, padding_mode, effective
        As in :func:`~refconv.counting.conv.conv2d_cost`; ``padding`` is that of the
        equivalent ``kH x kW`` conv.

    Examples
    --------
    One channel, 12x12, 5x5 valid: 8*12*5 + 8*8*5 = 800 products, not 2*5*64 = 640.

    >>> spatial_separable_conv2d_cost((1, 12, 12), 1, 5, bias=False).multiplications
    800
    >>> same = spatial_separable_conv2d_cost((1, 12, 12), 1, 5, padding="same", bias=False)
    >>> same.multiplications                                   # 2K per output pixel exactly
    1440
    """
    c_in, h, w = feature_map_shape(input_shape)
    c_out = arguments.positive_int(out_channels, "out_channels")
    r = (
        c_out
        if intermediate_channels is None
        else arguments.positive_int(intermediate_channels, "intermediate_channels")
    )
    kernel = arguments.pair(kernel_size, "kernel_size", 1)
    s = arguments.pair(stride, "stride", 1)
    d = arguments.pair(dilation, "dilation", 1)
    mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    column, row = arguments.spatial_passes((1, c_in, h, w), kernel, s, padding, d, mode)
    first = conv2d_cost(input_shape, r, (kernel[0], 1), *column, groups, False, mode, effective)
    second = conv2d_cost(
        first.output_shape, c_out, (1, kernel[1]), *row, groups, bias, mode, effective
    )
    return replace(first + second, kind="conv", parts=(("column", first), ("row", second)))


def separable_conv2d_counted(
    x: np.ndarray,
    depthwise_weight: np.ndarray,
    pointwise_weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    padding_mode: str = "zeros",
    effective: bool = False,
    *,
    in_channels: int | None = None,
) -> tuple[np.ndarray, Tally]:
    """Depthwise then pointwise, as :func:`refconv.separable_conv2d`, counting every operation.

    Parameters
    ----------
    x : ndarray, shape (C_in, H, W)
    depthwise_weight : ndarray, shape (C_in * M, 1, kH, kW)
    pointwise_weight : ndarray, shape (C_out, C_in * M, 1, 1)
    bias : ndarray, shape (C_out,), optional
        Added once, after the pointwise pass.
    stride, padding, dilation, padding_mode, effective
        Of the depthwise pass, as in :func:`~refconv.counting.conv.conv2d_counted`.
    in_channels : int, optional
        The channels the weights were made for (a layer's ``in_channels``); ``x`` with other
        channels is refused. By default ``x``'s channels, the depth multiplier then inferred
        from the weights, as :func:`refconv.separable_conv2d` infers it.

    Returns
    -------
    y : ndarray, shape (C_out, H_out, W_out)
    tally : Tally
        The two passes' tallies added.

    Examples
    --------
    >>> import numpy as np
    >>> y, t = separable_conv2d_counted(np.ones((3, 12, 12)), np.ones((3, 1, 5, 5)),
    ...                                 np.ones((4, 3, 1, 1)))
    >>> y.shape, t.multiplications                  # 3*8*8*25 + 4*8*8*3
    ((4, 8, 8), 5568)
    """
    x = np.asarray(x, dtype=np.float64)
    groups = x.shape[0] if in_channels is None else in_channels  # one group per channel
    mid, first = conv2d_counted(
        x, depthwise_weight, None, stride, padding, dilation, groups, padding_mode, effective
    )
    y, second = conv2d_counted(mid, pointwise_weight, bias)
    return y, first + second


def spatial_separable_conv2d_counted(
    x: np.ndarray,
    column_weight: np.ndarray,
    row_weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> tuple[np.ndarray, Tally]:
    """``kH x 1`` then ``1 x kW``, as :func:`refconv.spatial_separable_conv2d`, counted.

    Parameters
    ----------
    x : ndarray, shape (C_in, H, W)
    column_weight : ndarray, shape (R, C_in // groups, kH, 1)
    row_weight : ndarray, shape (C_out, R // groups, 1, kW)
    bias : ndarray, shape (C_out,), optional
        Added once, after the row pass.
    stride, padding, dilation
        Those of the equivalent ``kH x kW`` convolution, split between the passes by
        :func:`refconv.arguments.spatial_passes`.
    groups, padding_mode, effective
        As in :func:`~refconv.counting.conv.conv2d_counted`, for both passes.

    Returns
    -------
    y : ndarray, shape (C_out, H_out, W_out)
    tally : Tally
        The two passes' tallies added.
    """
    x = np.asarray(x, dtype=np.float64)
    kernel = (np.shape(column_weight)[2], np.shape(row_weight)[3])
    column, row = arguments.spatial_passes(
        (1, *x.shape), kernel, stride, padding, dilation, padding_mode
    )
    mid, first = conv2d_counted(x, column_weight, None, *column, groups, padding_mode, effective)
    y, second = conv2d_counted(mid, row_weight, bias, *row, groups, padding_mode, effective)
    return y, first + second
