"""Gradients of standard, grouped, depthwise and pointwise convolution, and of the bias.

PyTorch's names and argument order (``torch.nn.grad.conv2d_input``, ``conv2d_weight``): the
input gradient takes the input's *shape*, the weight and ``grad_output``; the weight gradient
takes the input, the weight's *shape* and ``grad_output``. Each checks its arguments as the
forward function does (:mod:`.checks`), then runs :mod:`.compute`. Every function is the
gradient of the deep-learning convolution, i.e. cross-correlation, that
:func:`refconv.conv2d` computes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import arguments
from ..functional.compute import IntPair, PaddingArg
from . import checks
from .compute import input_gradient, weight_gradient

_CONV_LAYOUT = "(C_out, C_in // groups, kH, kW)"


def conv2d_input(
    input_shape: tuple[int, ...],
    weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.conv2d` with respect to its input.

    For ``y = conv2d(x, weight, ...)`` and a loss ``L`` with ``grad_output = dL/dy``, returns
    ``dL/dx``: every output's gradient sent back through the window it read, weighted by the
    kernel (with stride 1, a full convolution of ``grad_output`` with the flipped kernel).

    Parameters
    ----------
    input_shape : tuple of int
        ``x.shape`` of the forward call: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
    weight : array_like, shape (C_out, C_in // groups, kH, kW)
    grad_output : array_like, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        The shape of the forward output (unbatched when ``input_shape`` is).
    stride, padding, dilation, groups, padding_mode
        As in the forward call; reflect, replicate and circular padding send the gradient of
        each border pixel back to the pixel it copied.
    method : {"auto", "reference", "direct", "im2col"}, default "auto"

    Returns
    -------
    ndarray, shape ``input_shape``
        float32 when ``weight`` and ``grad_output`` are, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])        # (1, 1, 2, 2)
    >>> g = np.ones((1, 1, 2, 2))                          # dL/dy for a 3x3 input
    >>> grad.conv2d_input((1, 1, 3, 3), w, g)[0, 0]        # each pixel: the taps that read it
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    wa = arguments.as_float_array(weight, "weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape, unbatched = checks.input_shape(input_shape)
    geometry = checks.conv_forward(x_shape, wa.shape, stride, padding, dilation, groups, mode)
    what = checks.describe(input_shape, {"weight": wa.shape})
    out_shape = checks.output_shape(x_shape, wa.shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, wa)
    dx = input_gradient(ga, wa, x_shape, geometry, mode, dtype, method)
    return dx[0] if unbatched else dx


def conv2d_weight(
    x: ArrayLike,
    weight_shape: tuple[int, ...],
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.conv2d` with respect to its weight.

    ``dL/dw[o, c, p, q]`` is the sum, over every image and output pixel, of the input pixel
    that tap ``(p, q)`` read times that output's gradient: a correlation of the (padded)
    input with ``grad_output``, whose taps lie ``stride`` apart.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        The input of the forward call.
    weight_shape : tuple of int
        ``weight.shape`` of the forward call: ``(C_out, C_in // groups, kH, kW)``.
    grad_output : array_like, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
    stride, padding, dilation, groups, padding_mode, method
        As in :func:`conv2d_input`.

    Returns
    -------
    ndarray, shape ``weight_shape``
        float32 when ``x`` and ``grad_output`` are, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> g = np.ones((1, 1, 2, 2))                          # dL/dy of a 2x2 kernel
    >>> grad.conv2d_weight(x, (1, 1, 2, 2), g)[0, 0]       # each tap: the sum of what it read
    array([[ 8., 12.],
           [20., 24.]])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    xa, unbatched = arguments.check_input(arguments.as_float_array(x, "x"))
    ga = arguments.as_float_array(grad_output, "grad_output")
    w_shape = checks.weight_shape(weight_shape, _CONV_LAYOUT)
    x_shape = _shape4(xa)
    geometry = checks.conv_forward(x_shape, w_shape, stride, padding, dilation, groups, mode)
    what = checks.describe(np.shape(x), {"weight": w_shape})
    out_shape = checks.output_shape(x_shape, w_shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, xa)
    return weight_gradient(xa, ga, w_shape, geometry, mode, dtype, method)


def conv2d_bias(grad_output: ArrayLike) -> np.ndarray:
    """Gradient of a convolution's bias: ``grad_output`` summed over N, H and W.

    The bias ``b[o]`` is added to every output pixel of channel ``o``, so its gradient is the
    sum of their gradients. The same for every family (the separable ones add theirs once,
    after the last step).

    Parameters
    ----------
    grad_output : array_like, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)

    Returns
    -------
    ndarray, shape (C_out,)

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> grad.conv2d_bias(np.arange(8.0).reshape(2, 1, 2, 2))   # 0+1+2+3 + 4+5+6+7
    array([28.])
    """
    ga = arguments.as_float_array(grad_output, "grad_output")
    if ga.ndim not in (3, 4):
        raise ValueError(
            f"grad_output must have shape (N, C_out, H_out, W_out) or unbatched (C_out, H_out, "
            f"W_out); got {ga.ndim}-D array of shape {ga.shape}"
        )
    axes = (0, 2, 3) if ga.ndim == 4 else (1, 2)
    return np.asarray(ga.sum(axis=axes, dtype=ga.dtype.newbyteorder("=")))


def depthwise_conv2d_input(
    input_shape: tuple[int, ...],
    weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.depthwise_conv2d` with respect to its input.

    Input channel ``c`` fed output channels ``c*M .. c*M + M - 1``; its gradient is the sum of
    theirs, each sent back through its own kernel.

    Parameters
    ----------
    input_shape : ``(N, C_in, H, W)`` or ``(C_in, H, W)``
    weight : array_like, shape (C_in * M, 1, kH, kW)
    grad_output : array_like, shape (N, C_in * M, H_out, W_out) or unbatched
    stride, padding, dilation, padding_mode, method
        As in :func:`conv2d_input`.

    Returns
    -------
    ndarray, shape ``input_shape``

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> w = np.stack([np.full((1, 1, 1), v) for v in (1.0, 10.0)])   # M = 2, 1x1 kernels
    >>> grad.depthwise_conv2d_input((1, 2, 2), w, np.ones((2, 2, 2)))[0]
    array([[11., 11.],
           [11., 11.]])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    wa = arguments.as_float_array(weight, "weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape, unbatched = checks.input_shape(input_shape)
    geometry = checks.depthwise_forward(x_shape, wa.shape, stride, padding, dilation, mode)
    what = checks.describe(input_shape, {"weight": wa.shape})
    out_shape = checks.output_shape(x_shape, wa.shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, wa)
    dx = input_gradient(ga, wa, x_shape, geometry, mode, dtype, method)
    return dx[0] if unbatched else dx


def depthwise_conv2d_weight(
    x: ArrayLike,
    weight_shape: tuple[int, ...],
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.depthwise_conv2d` with respect to its weight.

    Kernel ``c*M + m`` saw input channel ``c`` only: its gradient is the correlation of that
    channel with output channel ``c*M + m``'s gradient, summed over the images -- one
    channel at a time, nothing mixed.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    weight_shape : ``(C_in * M, 1, kH, kW)``
    grad_output : array_like, shape (N, C_in * M, H_out, W_out) or unbatched
    stride, padding, dilation, padding_mode, method
        As in :func:`conv2d_input`.

    Returns
    -------
    ndarray, shape ``weight_shape``

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)])   # (2, 2, 2)
    >>> grad.depthwise_conv2d_weight(x, (2, 1, 1, 1), np.ones((2, 2, 2))).ravel()
    array([ 4., 12.])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    xa, unbatched = arguments.check_input(arguments.as_float_array(x, "x"))
    ga = arguments.as_float_array(grad_output, "grad_output")
    layout = "(C_in * depth_multiplier, 1, kH, kW)"
    w_shape = checks.weight_shape(weight_shape, layout)
    x_shape = _shape4(xa)
    geometry = checks.depthwise_forward(x_shape, w_shape, stride, padding, dilation, mode)
    what = checks.describe(np.shape(x), {"weight": w_shape})
    out_shape = checks.output_shape(x_shape, w_shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, xa)
    return weight_gradient(xa, ga, w_shape, geometry, mode, dtype, method)


def pointwise_conv2d_input(
    input_shape: tuple[int, ...],
    weight: ArrayLike,
    grad_output: ArrayLike,
    groups: int = 1,
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.pointwise_conv2d` with respect to its input: at every
    pixel, ``weight[:, :, 0, 0].T @ grad_output[n, :, i, j]`` (per group).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> w = np.array([[1.0, 1.0], [1.0, -1.0]])[:, :, None, None]   # sum and difference
    >>> g = np.array([3.0, 1.0]).reshape(2, 1, 1)                     # dL/d(sum), dL/d(diff)
    >>> grad.pointwise_conv2d_input((2, 1, 1), w, g).ravel()
    array([4., 2.])
    """
    method = checks.method(method)
    wa = arguments.as_float_array(weight, "weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape, unbatched = checks.input_shape(input_shape)
    geometry = checks.pointwise_forward(x_shape, wa.shape, groups)
    what = checks.describe(input_shape, {"weight": wa.shape})
    out_shape = checks.output_shape(x_shape, wa.shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, wa)
    dx = input_gradient(ga, wa, x_shape, geometry, "zeros", dtype, method)
    return dx[0] if unbatched else dx


def pointwise_conv2d_weight(
    x: ArrayLike,
    weight_shape: tuple[int, ...],
    grad_output: ArrayLike,
    groups: int = 1,
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.pointwise_conv2d` with respect to its weight: the sum over
    images and pixels of ``outer(grad_output[n, :, i, j], x[n, :, i, j])`` (per group).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> x = np.array([1.0, 2.0]).reshape(2, 1, 1)
    >>> g = np.array([3.0, 1.0]).reshape(2, 1, 1)
    >>> grad.pointwise_conv2d_weight(x, (2, 2, 1, 1), g)[:, :, 0, 0]
    array([[3., 6.],
           [1., 2.]])
    """
    method = checks.method(method)
    xa, unbatched = arguments.check_input(arguments.as_float_array(x, "x"))
    ga = arguments.as_float_array(grad_output, "grad_output")
    w_shape = checks.weight_shape(weight_shape, "(C_out, C_in // groups, 1, 1)")
    x_shape = _shape4(xa)
    geometry = checks.pointwise_forward(x_shape, w_shape, groups)
    what = checks.describe(np.shape(x), {"weight": w_shape})
    out_shape = checks.output_shape(x_shape, w_shape[0], geometry)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, xa)
    return weight_gradient(xa, ga, w_shape, geometry, "zeros", dtype, method)


def _shape4(x: np.ndarray) -> checks.Shape4:
    n, c, h, w = x.shape
    return n, c, h, w
