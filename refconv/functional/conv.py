"""Standard, grouped, depthwise and pointwise convolution: one convolution each.

Deep-learning convolution, i.e. cross-correlation (the kernel is not flipped), on NCHW inputs
and OIHW weights, with PyTorch's argument names and meanings. The definition, loop by loop:
:func:`refconv.kernels.reference.conv2d_reference`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .. import arguments
from .compute import (
    ConvPlan,
    IntPair,
    PaddingArg,
    check_depthwise_weight,
    prepare,
    run_conv,
)
from .plans import PlanCache

# Winograd F(2x2, 3x3) computes 3x3 kernels only: pointwise refuses it, saying why
_WINOGRAD_POINTWISE = {
    "winograd": "Winograd F(2x2, 3x3) computes 3x3 kernels; a pointwise kernel is 1x1"
}


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
        ``"reference"``: the readable reference loops, the definition
        (:func:`refconv.kernels.reference.conv2d_reference`); ``"direct"``: Numba loops;
        ``"im2col"``: Numba im2col in bounded-memory chunks + GEMM; ``"winograd"``: Winograd
        F(2x2, 3x3), 3x3 kernels with stride 1 and dilation 1 only (2.25x fewer
        multiplications, and a weaker error bound: see ``docs/reliability.md``); ``"auto"``:
        the fastest of ``"direct"`` and ``"im2col"`` for the shape (never Winograd, whose
        rounding error one large input can make arbitrarily worse).

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
    options = (stride, padding, dilation, groups, padding_mode, method)
    return _run(_CONV_PLANS, (x, weight, bias), options)


def _run(
    cache: PlanCache[ConvPlan], arrays: tuple[Any, Any, Any], options: tuple[Any, ...]
) -> np.ndarray:
    """Plan a call (from ``cache``, or built afresh when it cannot be cached), compute it."""
    plan = cache.get(arrays, options)
    if plan is None:  # arrays to convert or arguments to check in full: no cached plan
        plan = cache.build(list(arrays), options)
        call = plan.call
        return run_conv(plan, call.x, call.weights[0], call.bias)
    # the arrays are ndarrays (the cache took them): converted and checked when it was built
    x, weight, bias = arrays
    xa = cast(np.ndarray, x)
    return run_conv(plan, xa[np.newaxis] if plan.call.unbatched else xa, weight, bias)


def _conv_plan(arrays: list[Any], options: tuple[Any, ...]) -> ConvPlan:
    """Check a call of :func:`conv2d` and plan it (``arrays``: x, weight, bias; ``options``:
    stride, padding, dilation, groups, padding mode, method)."""
    x, weight, bias = arrays
    stride, padding, dilation, groups, padding_mode, method = options
    call = prepare(x, [(weight, "weight")], bias, method, padding_mode)
    xa, (wa,), ba = call.x, call.weights, call.bias
    arguments.check_weight(wa)
    geometry = arguments.conv_geometry(
        xa.shape, wa.shape, stride, padding, dilation, groups, call.padding_mode
    )
    arguments.check_bias(ba, wa.shape[0])
    return ConvPlan(call, geometry)


_CONV_PLANS = PlanCache(_conv_plan)


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
    options = (stride, padding, dilation, padding_mode, method)
    return _run(_DEPTHWISE_PLANS, (x, weight, bias), options)


def _depthwise_plan(arrays: list[Any], options: tuple[Any, ...]) -> ConvPlan:
    """Check a call of :func:`depthwise_conv2d` and plan it."""
    x, weight, bias = arrays
    stride, padding, dilation, padding_mode, method = options
    call = prepare(x, [(weight, "weight")], bias, method, padding_mode)
    xa, (wa,), ba = call.x, call.weights, call.bias
    c_in = xa.shape[1]
    check_depthwise_weight(wa, xa.shape, "weight", "weight for a depthwise convolution")
    geometry = arguments.conv_geometry(
        xa.shape, wa.shape, stride, padding, dilation, c_in, call.padding_mode
    )
    arguments.check_bias(ba, wa.shape[0])
    return ConvPlan(call, geometry)


_DEPTHWISE_PLANS = PlanCache(_depthwise_plan)


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
    return _run(_POINTWISE_PLANS, (x, weight, bias), (groups, method))


def _pointwise_plan(arrays: list[Any], options: tuple[Any, ...]) -> ConvPlan:
    """Check a call of :func:`pointwise_conv2d` and plan it."""
    x, weight, bias = arrays
    groups, method = options
    call = prepare(x, [(weight, "weight")], bias, method, refused=_WINOGRAD_POINTWISE)
    xa, (wa,), ba = call.x, call.weights, call.bias
    arguments.check_weight(wa, layout="(C_out, C_in // groups, 1, 1)")
    if wa.shape[2:] != (1, 1):
        raise ValueError(
            f"weight for a pointwise convolution must have shape (C_out, C_in // groups, 1, 1); "
            f"got {wa.shape}. A 2-D matrix w of shape (C_out, C_in) becomes "
            f"w[:, :, None, None]."
        )
    geometry = arguments.conv_geometry(xa.shape, wa.shape, 1, 0, 1, groups, "zeros")
    arguments.check_bias(ba, wa.shape[0])
    return ConvPlan(call, geometry)


_POINTWISE_PLANS = PlanCache(_pointwise_plan)
