"""The functional API: validate, pad, dispatch to a kernel.

Every function here is deep-learning convolution, i.e. cross-correlation (the kernel is not
flipped), on NCHW inputs and OIHW weights, with PyTorch's argument names and meanings.

========================  =====================================  ===============================
function                  weight shape(s)                        what it is
========================  =====================================  ===============================
``conv2d``                ``(C_out, C_in // groups, kH, kW)``    standard / grouped convolution
``depthwise_conv2d``      ``(C_in * M, 1, kH, kW)``              one kernel per channel, ``M`` =
                                                                 depth multiplier (Keras)
``pointwise_conv2d``      ``(C_out, C_in // groups, 1, 1)``      1x1: mixes channels only
``separable_conv2d``      depthwise ``(C_in * M, 1, kH, kW)``,   Keras ``SeparableConv2D``:
                          pointwise ``(C_out, C_in * M, 1, 1)``  depthwise, then pointwise
``spatial_separable_``    column ``(R, C_in // groups, kH, 1)``, kH x 1, then 1 x kW
``conv2d``                row ``(C_out, R // groups, 1, kW)``
========================  =====================================  ===============================
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import arguments
from .kernels import run_conv2d
from .kernels._workspace import new_output
from .padding import read_only_what_is_used

PaddingArg = int | tuple[int, int] | tuple[tuple[int, int], tuple[int, int]] | str
IntPair = int | tuple[int, int]


# Winograd F(2x2, 3x3) computes 3x3 kernels only: these functions refuse it, saying why
_WINOGRAD_POINTWISE = {"winograd": "Winograd F(2x2, 3x3) computes 3x3 kernels; a pointwise "
                                   "kernel is 1x1"}
_WINOGRAD_SEPARABLE = {"winograd": "the pointwise step is 1x1, which Winograd F(2x2, 3x3) "
                                   "cannot compute; for a 3x3 depthwise step call "
                                   "depthwise_conv2d(..., method='winograd'), then "
                                   "pointwise_conv2d"}
_WINOGRAD_SPATIAL = {"winograd": "its passes are kH x 1 and 1 x kW kernels, and Winograd "
                                 "F(2x2, 3x3) computes 3x3 kernels only"}


def _prepare(
    x: ArrayLike, weights: Sequence[tuple[ArrayLike, str]], bias: ArrayLike | None
) -> tuple[np.ndarray, bool, list[np.ndarray], np.ndarray | None, np.dtype]:
    """Convert to float arrays, check ranks and pick the compute dtype."""
    xa = arguments.as_float_array(x, "x")
    was = [arguments.as_float_array(w, name) for w, name in weights]
    ba = None if bias is None else arguments.as_float_array(bias, "bias")
    xa, unbatched = arguments.check_input(xa)
    dtype = arguments.result_dtype(xa, *was, ba).newbyteorder("=")
    return xa, unbatched, was, ba, dtype


def _contiguous(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Native byte order, C order, writeable (so every call has the same Numba signature).

    Returns ``a`` itself when it already qualifies: the kernels only ever read it.
    """
    out = np.ascontiguousarray(a, dtype=dtype)
    if not out.flags.writeable:
        out = out.copy()
    return out


def _check_depthwise_weight(weight: np.ndarray, x_shape: tuple[int, ...], name: str,
                            what: str) -> None:
    """A depthwise weight is ``(C_in * depth_multiplier, 1, kH, kW)``."""
    layout = "(C_in * depth_multiplier, 1, kH, kW)"
    arguments.check_weight(weight, name, layout)
    c_in = x_shape[1]
    if weight.shape[1] != 1 or weight.shape[0] % c_in:
        raise ValueError(
            f"{what} must have shape {layout} with C_in = {c_in}; got "
            f"{name}.shape={weight.shape}, x.shape={x_shape}"
        )


def _conv(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    geometry: arguments.ConvGeometry,
    padding_mode: str,
    method: str,
    dtype: np.dtype,
) -> np.ndarray:
    """One validated convolution on a 4-D input."""
    x = _contiguous(x, dtype)
    weight = _contiguous(weight, dtype)
    bias = None if bias is None else _contiguous(bias, dtype)
    out = new_output((x.shape[0], weight.shape[0], *geometry.out_size), dtype)
    if x.shape[0] == 0:
        return out
    # other padding modes applied; pads, strides and dilations far beyond the input reduced
    # to the pixels the output reads (memory bounded by the input and the output)
    x, stride, pads, dilation = read_only_what_is_used(
        x, weight.shape[2:], geometry.stride, geometry.pads, geometry.dilation,
        geometry.out_size, padding_mode)
    return run_conv2d(x, weight, bias, stride, pads, dilation, geometry.groups, out, method)


def conv2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """2-D convolution (technically, cross-correlation) with PyTorch's semantics.

    ``y[n, o, i, j] = bias[o] + sum_{c, p, q} xp[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw] *
    weight[o, c, p, q]`` with ``xp`` the padded input, ``g = o // (C_out // groups)`` and
    ``Cg = C_in // groups``.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or unbatched (C_in, H, W)
        float32 stays float32, float64 stays float64; integer and bool input is computed in
        float64. Mixed dtypes follow NumPy promotion.
    weight : array_like, shape (C_out, C_in // groups, kH, kW)
    bias : array_like, shape (C_out,), optional
    stride : int or (int, int), default 1
    padding : int, (ph, pw), ((top, bottom), (left, right)), "valid" or "same", default 0
        ``"same"`` gives an output of ``ceil(H / stride)`` rows (TensorFlow, ONNX
        ``SAME_UPPER``), the odd padded pixel going to the bottom / right.
    dilation : int or (int, int), default 1
        Spacing between kernel taps; 1 is an ordinary convolution.
    groups : int, default 1
        ``groups == C_in`` is a depthwise convolution.
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
    method : {"auto", "reference", "direct", "im2col", "winograd"}, default "auto"
        ``"reference"``: the readable spec loops; ``"direct"``: Numba loops; ``"im2col"``:
        Numba im2col in bounded-memory chunks + GEMM; ``"winograd"``: Winograd F(2x2, 3x3),
        3x3 kernels with stride 1 and dilation 1 only (2.25x fewer multiplications, and a
        weaker error bound: see ``docs/reliability.md``); ``"auto"``: the fastest of
        ``"direct"`` and ``"im2col"`` for the shape (never Winograd, whose rounding error
        one large input can make arbitrarily worse).

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        ``H_out = floor((H + top + bottom - dh*(kH - 1) - 1) / sh) + 1``, likewise ``W_out``.

    Raises
    ------
    ValueError, TypeError
        For inconsistent shapes, bad arguments or unsupported dtypes; the message names the
        argument, what was given and what was expected.

    Examples
    --------
    >>> import numpy as np
    >>> import refconv
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])       # (C_out, C_in, kH, kW) = (1, 1, 2, 2)
    >>> refconv.conv2d(x, w)                               # x[i, j] - x[i + 1, j + 1]
    array([[[[-5., -5., -5.],
             [-5., -5., -5.],
             [-5., -5., -5.]]]])
    >>> refconv.conv2d(np.ones((3, 5, 5)), np.ones((8, 3, 3, 3)), padding="same").shape
    (8, 5, 5)
    """
    method = arguments.choice(method, "method", arguments.METHODS)
    padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    xa, unbatched, (wa,), ba, dtype = _prepare(x, [(weight, "weight")], bias)
    arguments.check_weight(wa)
    geometry = arguments.conv_geometry(xa.shape, wa.shape, stride, padding, dilation, groups,
                                   padding_mode)
    arguments.check_bias(ba, wa.shape[0])
    y = _conv(xa, wa, ba, geometry, padding_mode, method, dtype)
    return y[0] if unbatched else y


def depthwise_conv2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Depthwise convolution: each input channel filtered by its own kernel(s).

    The depth multiplier ``M`` comes from the weight shape: ``weight.shape[0] == C_in * M``.
    Output channel ``c * M + m`` is input channel ``c`` filtered by ``weight[c * M + m, 0]``
    (the channel order of Keras ``DepthwiseConv2D`` and of PyTorch ``groups=C_in``).

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_in * M, 1, kH, kW)
    bias : array_like, shape (C_in * M,), optional
    stride, padding, dilation, padding_mode, method
        As in :func:`conv2d`.

    Returns
    -------
    ndarray, shape (N, C_in * M, H_out, W_out) or (C_in * M, H_out, W_out)

    Examples
    --------
    >>> import numpy as np
    >>> import refconv
    >>> x = np.stack([np.full((3, 3), 1.0), np.full((3, 3), 10.0)])       # (2, 3, 3)
    >>> w = np.stack([np.full((1, 3, 3), v) for v in (1.0, 2.0, 3.0, 4.0)])  # M = 2
    >>> refconv.depthwise_conv2d(x, w)[:, 0, 0]        # channels 0*2+0, 0*2+1, 1*2+0, 1*2+1
    array([  9.,  18., 270., 360.])
    """
    method = arguments.choice(method, "method", arguments.METHODS)
    padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    xa, unbatched, (wa,), ba, dtype = _prepare(x, [(weight, "weight")], bias)
    c_in = xa.shape[1]
    _check_depthwise_weight(wa, xa.shape, "weight", "weight for a depthwise convolution")
    geometry = arguments.conv_geometry(xa.shape, wa.shape, stride, padding, dilation, c_in,
                                   padding_mode)
    arguments.check_bias(ba, wa.shape[0])
    y = _conv(xa, wa, ba, geometry, padding_mode, method, dtype)
    return y[0] if unbatched else y


def pointwise_conv2d(
    x: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    groups: int = 1,
    method: str = "auto",
) -> np.ndarray:
    """Pointwise (1x1) convolution: a matrix product over channels at every pixel.

    ``y[n, :, i, j] = weight[:, :, 0, 0] @ x[n, :, i, j] + bias`` (per group).

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight : array_like, shape (C_out, C_in // groups, 1, 1)
    bias : array_like, shape (C_out,), optional
    groups : int, default 1
    method : {"auto", "reference", "direct", "im2col"}

    Returns
    -------
    ndarray, shape (N, C_out, H, W) or (C_out, H, W)

    Examples
    --------
    >>> import numpy as np
    >>> import refconv
    >>> x = np.arange(8.0).reshape(2, 2, 2)                      # (C_in, H, W) = (2, 2, 2)
    >>> w = np.array([[1.0, 1.0], [1.0, -1.0]])[:, :, None, None]  # sum and difference
    >>> refconv.pointwise_conv2d(x, w)[:, 0, 0]
    array([ 4., -4.])
    """
    method = arguments.choice(method, "method", arguments.METHODS, refused=_WINOGRAD_POINTWISE)
    xa, unbatched, (wa,), ba, dtype = _prepare(x, [(weight, "weight")], bias)
    arguments.check_weight(wa, layout="(C_out, C_in // groups, 1, 1)")
    if wa.shape[2:] != (1, 1):
        raise ValueError(
            f"weight for a pointwise convolution must have shape (C_out, C_in // groups, 1, 1); "
            f"got {wa.shape}. A 2-D matrix w of shape (C_out, C_in) becomes "
            f"w[:, :, None, None]."
        )
    geometry = arguments.conv_geometry(xa.shape, wa.shape, 1, 0, 1, groups, "zeros")
    arguments.check_bias(ba, wa.shape[0])
    y = _conv(xa, wa, ba, geometry, "zeros", method, dtype)
    return y[0] if unbatched else y


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
    The seed example: 12x12x3, 5x5 depthwise, 256 pointwise filters.

    >>> import numpy as np
    >>> import refconv
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((1, 3, 12, 12))
    >>> dw, pw = rng.standard_normal((3, 1, 5, 5)), rng.standard_normal((256, 3, 1, 1))
    >>> refconv.separable_conv2d(x, dw, pw).shape
    (1, 256, 8, 8)
    """
    method = arguments.choice(method, "method", arguments.METHODS, refused=_WINOGRAD_SEPARABLE)
    padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    xa, unbatched, (dwa, pwa), ba, dtype = _prepare(
        x, [(depthwise_weight, "depthwise_weight"), (pointwise_weight, "pointwise_weight")], bias
    )
    c_in = xa.shape[1]
    _check_depthwise_weight(dwa, xa.shape, "depthwise_weight", "depthwise_weight")
    arguments.check_weight(pwa, "pointwise_weight", "(C_out, C_in * depth_multiplier, 1, 1)")
    if pwa.shape[1:] != (dwa.shape[0], 1, 1):
        raise ValueError(
            f"pointwise_weight must have shape (C_out, C_in * depth_multiplier, 1, 1) = "
            f"(C_out, {dwa.shape[0]}, 1, 1); got pointwise_weight.shape={pwa.shape}, "
            f"depthwise_weight.shape={dwa.shape}"
        )
    geometry = arguments.conv_geometry(xa.shape, dwa.shape, stride, padding, dilation, c_in,
                                   padding_mode, w_name="depthwise_weight")
    arguments.check_bias(ba, pwa.shape[0])
    mid = _conv(xa, dwa, None, geometry, padding_mode, method, dtype)  # (N, C_in*M, H_out, W_out)
    pointwise = arguments.ConvGeometry((1, 1), (1, 1), ((0, 0), (0, 0)), 1, geometry.out_size)
    y = _conv(mid, pwa, ba, pointwise, "zeros", method, dtype)  # (N, C_out, H_out, W_out)
    return y[0] if unbatched else y


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

    * channel-mixing (``groups=1``, seed 000's Keras block): ``column_weight (R, C_in, kH, 1)``
      maps ``C_in -> R`` channels, ``row_weight (C_out, R, 1, kW)`` maps ``R -> C_out``;
    * per-channel (``groups=C_in``, what seed 003's class meant): ``column_weight
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
    method = arguments.choice(method, "method", arguments.METHODS, refused=_WINOGRAD_SPATIAL)
    padding_mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    xa, unbatched, (cwa, rwa), ba, dtype = _prepare(
        x, [(column_weight, "column_weight"), (row_weight, "row_weight")], bias
    )
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
    column, row = arguments.spatial_passes(xa.shape, (cwa.shape[2], rwa.shape[3]), stride,
                                           padding, dilation, padding_mode)
    first = arguments.conv_geometry(xa.shape, cwa.shape, *column, g, padding_mode,
                                    w_name="column_weight")
    mid_shape = (xa.shape[0], cwa.shape[0], first.out_size[0], xa.shape[3])
    try:
        second = arguments.conv_geometry(mid_shape, rwa.shape, *row, g, padding_mode,
                                         x_name="the K x 1 output", w_name="row_weight")
    except ValueError as exc:
        raise ValueError(
            f"row_weight does not fit the output of the first (kH x 1) pass: {exc}. With "
            f"groups={g}, C_out = row_weight.shape[0] must be a multiple of groups and "
            f"row_weight.shape[1] must be R // groups with R = column_weight.shape[0] = "
            f"{cwa.shape[0]}; per channel, C_in -> C_out needs C_out to be a multiple of C_in "
            f"(use pointwise_conv2d afterwards to mix channels)."
        ) from None
    arguments.check_bias(ba, rwa.shape[0])
    mid = _conv(xa, cwa, None, first, padding_mode, method, dtype)  # (N, R, H_out, W)
    y = _conv(mid, rwa, ba, second, padding_mode, method, dtype)  # (N, C_out, H_out, W_out)
    return y[0] if unbatched else y
