"""Convolutions in two steps: depthwise-separable (depthwise, then pointwise) and spatially
separable (``kH x 1``, then ``1 x kW``).

The definition of each is two calls of :func:`~refconv.functional.compute.convolve`, with the
intermediate array in between (``method="reference"`` runs exactly that, with the reference
loops); the geometry (stride, padding, dilation) is that of the whole block, split between the
steps as Keras and the articles define it. ``"direct"`` and ``"im2col"`` run one fused
kernel (:mod:`refconv.kernels.fused`): band by band, the intermediate never leaves the
cache; ``"auto"`` runs it where it is the faster of the two
(:func:`refconv.kernels.choose_separable`, :func:`refconv.kernels.choose_spatial`).
"""

from __future__ import annotations

import functools
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .. import arguments
from ..kernels import (
    choose_separable,
    choose_spatial,
    conv2d_separable_fused,
    conv2d_spatial_fused,
)
from .compute import (
    BlockPlan,
    IntPair,
    PaddingArg,
    check_depthwise_weight,
    prepare,
    run_block,
)
from .plans import PlanCache

# Winograd F(2x2, 3x3) computes 3x3 kernels only: these functions refuse it, saying why
_WINOGRAD_SEPARABLE = {
    "winograd": "the pointwise step is 1x1, which Winograd F(2x2, 3x3) "
    "cannot compute; for a 3x3 depthwise step call "
    "depthwise_conv2d(..., method='winograd'), then "
    "pointwise_conv2d"
}
_WINOGRAD_SPATIAL = {
    "winograd": "its passes are kH x 1 and 1 x kW kernels, and Winograd "
    "F(2x2, 3x3) computes 3x3 kernels only"
}


def separable_conv2d(
    x: ArrayLike,
    depthwise_weight: ArrayLike,
    pointwise_weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Depthwise-separable convolution, as Keras ``SeparableConv2D``: depthwise, then pointwise.

    Stride, padding and dilation belong to the depthwise step; the pointwise step is a 1x1
    convolution with stride 1. There is one bias, added after the pointwise step.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    depthwise_weight : array_like, shape (C_in * M, 1, kH, kW)
        ``M`` is the depth multiplier.
    pointwise_weight : array_like, shape (C_out, C_in * M, 1, 1)
    bias : array_like, shape (C_out,), optional
    stride, padding, dilation, padding_mode, method
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)

    Examples
    --------
    The TDS example: 12x12x3, 5x5 depthwise, 256 pointwise filters.

    >>> import numpy as np
    >>> import refconv
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((1, 3, 12, 12))
    >>> dw, pw = rng.standard_normal((3, 1, 5, 5)), rng.standard_normal((256, 3, 1, 1))
    >>> refconv.separable_conv2d(x, dw, pw).shape
    (1, 256, 8, 8)
    """
    arrays = (x, depthwise_weight, pointwise_weight, bias)
    options = (stride, padding, dilation, padding_mode, method)
    plan = _SEPARABLE_PLANS.get(arrays, options)
    if plan is None:  # arrays to convert or arguments to check in full: no cached plan
        plan = _SEPARABLE_PLANS.build(list(arrays), options)
        call = plan.call
        return run_block(plan, call.x, call.weights[0], call.weights[1], call.bias)
    # the arrays are ndarrays (the cache took them): converted and checked when it was built
    xa = cast(np.ndarray, x)
    dwa, pwa = cast(np.ndarray, depthwise_weight), cast(np.ndarray, pointwise_weight)
    ba = cast("np.ndarray | None", bias)
    return run_block(plan, xa[np.newaxis] if plan.call.unbatched else xa, dwa, pwa, ba)


def _separable_plan(arrays: list[Any], options: tuple[Any, ...]) -> BlockPlan:
    """Check a call of :func:`separable_conv2d` and plan it (``arrays``: x, the two weights
    and the bias, in that order; ``options``: stride, padding, dilation, padding mode,
    method)."""
    x, depthwise_weight, pointwise_weight, bias = arrays
    stride, padding, dilation, padding_mode, method = options
    call = prepare(
        x,
        [(depthwise_weight, "depthwise_weight"), (pointwise_weight, "pointwise_weight")],
        bias,
        method,
        padding_mode,
        refused=_WINOGRAD_SEPARABLE,
    )
    xa, (dwa, pwa), ba = call.x, call.weights, call.bias
    c_in = xa.shape[1]
    check_depthwise_weight(dwa, xa.shape, "depthwise_weight", "depthwise_weight")
    arguments.check_weight(pwa, "pointwise_weight", "(C_out, C_in * depth_multiplier, 1, 1)")
    if pwa.shape[1:] != (dwa.shape[0], 1, 1):
        raise ValueError(
            f"pointwise_weight must have shape (C_out, C_in * depth_multiplier, 1, 1) = "
            f"(C_out, {dwa.shape[0]}, 1, 1); got pointwise_weight.shape={pwa.shape}, "
            f"depthwise_weight.shape={dwa.shape}"
        )
    geometry = arguments.conv_geometry(
        xa.shape,
        dwa.shape,
        stride,
        padding,
        dilation,
        c_in,
        call.padding_mode,
        w_name="depthwise_weight",
    )
    arguments.check_bias(ba, pwa.shape[0])
    pointwise = arguments.ConvGeometry((1, 1), (1, 1), ((0, 0), (0, 0)), 1, geometry.out_size)
    mid_shape = (xa.shape[0], dwa.shape[0], *geometry.out_size)  # (N, C*M, H_out, W_out)
    gemm = choose_separable(call.method, mid_shape, dwa.shape, pwa.shape, geometry.dilation)
    run = None if gemm is None else functools.partial(conv2d_separable_fused, gemm=gemm)
    return BlockPlan(call, geometry, pointwise, geometry, dwa.shape[2:], pwa.shape[0], run)


_SEPARABLE_PLANS = PlanCache(_separable_plan)


def spatial_separable_conv2d(
    x: ArrayLike,
    column_weight: ArrayLike,
    row_weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Spatially separable convolution: a kH x 1 convolution, then a 1 x kW convolution.

    With one channel (or ``groups == C_in``), it equals :func:`conv2d` with the kernel
    ``np.outer(column, row)``, for every padding, padding mode, stride and dilation: the
    vertical pass takes the row part of stride, padding and dilation, the horizontal pass the
    column part. In the channel-mixing form it equals :func:`conv2d` with the kernel
    ``W[o, c] = sum_r np.outer(column[r, c], row[o, r])``, a sum of R separable terms
    (``python scripts/families.py`` checks both). Two forms:

    * channel-mixing (``groups=1``, the separable-block note's Keras block):
      ``column_weight (R, C_in, kH, 1)`` maps ``C_in -> R`` channels, ``row_weight (C_out, R,
      1, kW)`` maps ``R -> C_out``;
    * per-channel (``groups=C_in``, what the PyTorch comparison's class meant): ``column_weight
      (C_in, 1, kH, 1)`` and ``row_weight (C_in * M, 1, 1, kW)``. ``C_out`` must then be a
      multiple of ``C_in``; 3 -> 8 channels is impossible per channel (follow with
      :func:`pointwise_conv2d` instead).

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    column_weight : array_like, shape (R, C_in // groups, kH, 1)
    row_weight : array_like, shape (C_out, R // groups, 1, kW)
    bias : array_like, shape (C_out,), optional
        Added once, after the second pass.
    stride, padding, dilation : as in :func:`conv2d`, for the equivalent kH x kW kernel.
    groups : int, default 1
        Used by both passes.
    padding_mode, method : as in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        The same shape as :func:`conv2d` with a kH x kW kernel and the same arguments.

    Examples
    --------
    Sobel-x as [1, 2, 1] (vertical smoothing) then [-1, 0, 1] (horizontal difference):

    >>> import numpy as np
    >>> import refconv
    >>> x = np.tile(np.arange(5.0) ** 2, (5, 1))[None]        # (1, 5, 5), rows 0 1 4 9 16
    >>> col = np.array([1.0, 2.0, 1.0]).reshape(1, 1, 3, 1)
    >>> row = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 1, 3)
    >>> refconv.spatial_separable_conv2d(x, col, row)[0, 0]
    array([16., 32., 48.])
    >>> sobel_x = np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])[None, None]
    >>> refconv.conv2d(x, sobel_x)[0, 0]
    array([16., 32., 48.])
    """
    arrays = (x, column_weight, row_weight, bias)
    options = (stride, padding, dilation, groups, padding_mode, method)
    plan = _SPATIAL_PLANS.get(arrays, options)
    if plan is None:  # arrays to convert or arguments to check in full: no cached plan
        plan = _SPATIAL_PLANS.build(list(arrays), options)
        call = plan.call
        return run_block(plan, call.x, call.weights[0], call.weights[1], call.bias)
    # the arrays are ndarrays (the cache took them): converted and checked when it was built
    xa = cast(np.ndarray, x)
    cwa, rwa = cast(np.ndarray, column_weight), cast(np.ndarray, row_weight)
    ba = cast("np.ndarray | None", bias)
    return run_block(plan, xa[np.newaxis] if plan.call.unbatched else xa, cwa, rwa, ba)


def _spatial_plan(arrays: list[Any], options: tuple[Any, ...]) -> BlockPlan:
    """Check a call of :func:`spatial_separable_conv2d` and plan it (``arrays``: x, the two
    weights and the bias; ``options``: stride, padding, dilation, groups, padding mode,
    method)."""
    x, column_weight, row_weight, bias = arrays
    stride, padding, dilation, groups, padding_mode, method = options
    call = prepare(
        x,
        [(column_weight, "column_weight"), (row_weight, "row_weight")],
        bias,
        method,
        padding_mode,
        refused=_WINOGRAD_SPATIAL,
    )
    xa, (cwa, rwa), ba = call.x, call.weights, call.bias
    arguments.check_weight(cwa, "column_weight", "(R, C_in // groups, kH, 1)")
    arguments.check_weight(rwa, "row_weight", "(C_out, R // groups, 1, kW)")
    if cwa.shape[3] != 1:
        raise ValueError(
            f"column_weight must be a kH x 1 kernel, shape (R, C_in // groups, kH, 1); got "
            f"{cwa.shape}"
        )
    if rwa.shape[2] != 1:
        raise ValueError(
            f"row_weight must be a 1 x kW kernel, shape (C_out, R // groups, 1, kW); got "
            f"{rwa.shape}"
        )
    # The geometry of the equivalent kH x kW convolution decides padding, output size, errors.
    g = arguments.positive_int(groups, "groups")
    column, row = arguments.spatial_passes(
        xa.shape, (cwa.shape[2], rwa.shape[3]), stride, padding, dilation, call.padding_mode
    )
    first = arguments.conv_geometry(
        xa.shape, cwa.shape, *column, g, call.padding_mode, w_name="column_weight"
    )
    mid_shape = (xa.shape[0], cwa.shape[0], first.out_size[0], xa.shape[3])
    try:
        second = arguments.conv_geometry(
            mid_shape,
            rwa.shape,
            *row,
            g,
            call.padding_mode,
            x_name="the K x 1 output",
            w_name="row_weight",
        )
    except ValueError as exc:
        raise ValueError(
            f"row_weight does not fit the output of the first (kH x 1) pass: {exc}. With "
            f"groups={g}, C_out = row_weight.shape[0] must be a multiple of groups and "
            f"row_weight.shape[1] must be R // groups with R = column_weight.shape[0] = "
            f"{cwa.shape[0]}; per channel, C_in -> C_out needs C_out to be a multiple of C_in "
            f"(use pointwise_conv2d afterwards to mix channels)."
        ) from None
    arguments.check_bias(ba, rwa.shape[0])
    # the equivalent kH x kW convolution: the column pass's vertical geometry, the row pass's
    # horizontal one
    block = arguments.ConvGeometry(
        stride=(first.stride[0], second.stride[1]),
        dilation=(first.dilation[0], second.dilation[1]),
        pads=(first.pads[0], second.pads[1]),
        groups=g,
        out_size=(first.out_size[0], second.out_size[1]),
    )
    gemms = choose_spatial(call.method, xa.shape, cwa.shape, mid_shape, rwa.shape, g)
    run = None
    if gemms is not None:
        run = functools.partial(conv2d_spatial_fused, groups=g, gemm1=gemms[0], gemm2=gemms[1])
    kernel = (cwa.shape[2], rwa.shape[3])
    return BlockPlan(call, first, second, block, kernel, rwa.shape[0], run)


_SPATIAL_PLANS = PlanCache(_spatial_plan)
