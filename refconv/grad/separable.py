"""Gradients of the two-step convolutions: depthwise-separable and spatially separable.

Each forward function is two convolutions with an intermediate array between them::

    mid = first(x, w1)       y = second(mid, w2) + bias

so its gradients are the chain rule, step by step, backwards::

    dL/dmid = second_input(mid.shape, w2, G)        dL/dw2 = second_weight(mid, w2.shape, G)
    dL/dx   = first_input(x.shape, w1, dL/dmid)     dL/dw1 = first_weight(x, w1.shape, dL/dmid)
    dL/dbias = G summed over N, H, W

The input gradient needs no ``mid``; the weight gradients need it, so the ``*_weights``
functions run the first step forward again (:func:`refconv.functional.compute.convolve`,
with the forward pass's method and dtype), and return every gradient of the block.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .. import arguments
from ..functional.compute import Call, IntPair, PaddingArg, convolve
from . import checks
from .compute import input_gradient, weight_gradient
from .conv import conv2d_bias


class SeparableGradients(NamedTuple):
    """The gradients of :func:`refconv.separable_conv2d`'s arguments (bias: whether or not
    the forward call had one)."""

    x: np.ndarray
    depthwise_weight: np.ndarray
    pointwise_weight: np.ndarray
    bias: np.ndarray


class SpatialSeparableGradients(NamedTuple):
    """The gradients of :func:`refconv.spatial_separable_conv2d`'s arguments."""

    x: np.ndarray
    column_weight: np.ndarray
    row_weight: np.ndarray
    bias: np.ndarray


def separable_conv2d_input(
    input_shape: tuple[int, ...],
    depthwise_weight: ArrayLike,
    pointwise_weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.separable_conv2d` with respect to its input: the pointwise
    step's input gradient, then the depthwise step's.

    Parameters
    ----------
    input_shape : ``(N, C_in, H, W)`` or ``(C_in, H, W)``
    depthwise_weight : array_like, shape (C_in * M, 1, kH, kW)
    pointwise_weight : array_like, shape (C_out, C_in * M, 1, 1)
    grad_output : array_like, shape (N, C_out, H_out, W_out) or unbatched
    stride, padding, dilation, padding_mode, method
        As in the forward call (stride, padding and dilation belong to the depthwise step).

    Returns
    -------
    ndarray, shape ``input_shape``

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> dw, pw = np.ones((1, 1, 2, 2)), np.full((3, 1, 1, 1), 2.0)
    >>> grad.separable_conv2d_input((1, 3, 3), dw, pw, np.ones((3, 2, 2)))[0]
    array([[ 6., 12.,  6.],
           [12., 24., 12.],
           [ 6., 12.,  6.]])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    dwa = arguments.as_float_array(depthwise_weight, "depthwise_weight")
    pwa = arguments.as_float_array(pointwise_weight, "pointwise_weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape, unbatched = checks.input_shape(input_shape)
    first, second = checks.separable_forward(
        x_shape, dwa.shape, pwa.shape, stride, padding, dilation, mode
    )
    names = {"depthwise_weight": dwa.shape, "pointwise_weight": pwa.shape}
    out_shape = checks.output_shape(x_shape, pwa.shape[0], first)
    what = checks.describe(input_shape, names)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, dwa, pwa)
    mid_shape = checks.output_shape(x_shape, dwa.shape[0], first)
    grad_mid = input_gradient(ga, pwa, mid_shape, second, "zeros", dtype, method)
    dx = input_gradient(grad_mid, dwa, x_shape, first, mode, dtype, method)
    return dx[0] if unbatched else dx


def separable_conv2d_weights(
    x: ArrayLike,
    depthwise_weight: ArrayLike,
    pointwise_weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> SeparableGradients:
    """Every gradient of :func:`refconv.separable_conv2d`: of ``x``, ``depthwise_weight``,
    ``pointwise_weight`` and the bias, by the chain of its two steps.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
    depthwise_weight, pointwise_weight, grad_output, stride, padding, dilation,
    padding_mode, method
        As in :func:`separable_conv2d_input`.

    Returns
    -------
    SeparableGradients
        ``(x, depthwise_weight, pointwise_weight, bias)``, each of its argument's shape
        (``bias``: ``(C_out,)``).

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> x = np.arange(4.0).reshape(1, 2, 2)                  # one channel, 2x2
    >>> dw, pw = np.full((1, 1, 2, 2), 1.0), np.full((2, 1, 1, 1), 3.0)
    >>> g = grad.separable_conv2d_weights(x, dw, pw, np.ones((2, 1, 1)))
    >>> g.pointwise_weight.ravel(), g.depthwise_weight.ravel(), g.bias
    (array([6., 6.]), array([ 0.,  6., 12., 18.]), array([1., 1.]))
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    xa, unbatched = arguments.check_input(arguments.as_float_array(x, "x"))
    dwa = arguments.as_float_array(depthwise_weight, "depthwise_weight")
    pwa = arguments.as_float_array(pointwise_weight, "pointwise_weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape = _shape4(xa)
    first, second = checks.separable_forward(
        x_shape, dwa.shape, pwa.shape, stride, padding, dilation, mode
    )
    names = {"depthwise_weight": dwa.shape, "pointwise_weight": pwa.shape}
    out_shape = checks.output_shape(x_shape, pwa.shape[0], first)
    what = checks.describe(np.shape(x), names)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, xa, dwa, pwa)
    call = Call(xa, [dwa, pwa], None, dtype, method, mode, unbatched)
    mid = convolve(xa, dwa, None, first, call)  # (N, C_in*M, H_out, W_out), as forward
    grad_pw = weight_gradient(mid, ga, _shape4(pwa), second, "zeros", dtype, method)
    grad_mid = input_gradient(ga, pwa, _shape4(mid), second, "zeros", dtype, method)
    grad_dw = weight_gradient(xa, grad_mid, _shape4(dwa), first, mode, dtype, method)
    grad_x = input_gradient(grad_mid, dwa, x_shape, first, mode, dtype, method)
    grad_bias = conv2d_bias(ga).astype(dtype, copy=False)
    return SeparableGradients(grad_x[0] if unbatched else grad_x, grad_dw, grad_pw, grad_bias)


def spatial_separable_conv2d_input(
    input_shape: tuple[int, ...],
    column_weight: ArrayLike,
    row_weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> np.ndarray:
    """Gradient of :func:`refconv.spatial_separable_conv2d` with respect to its input: the
    1 x kW pass's input gradient, then the kH x 1 pass's.

    Parameters
    ----------
    input_shape : ``(N, C_in, H, W)`` or ``(C_in, H, W)``
    column_weight : array_like, shape (R, C_in // groups, kH, 1)
    row_weight : array_like, shape (C_out, R // groups, 1, kW)
    grad_output : array_like, shape (N, C_out, H_out, W_out) or unbatched
    stride, padding, dilation, groups, padding_mode, method
        As in the forward call (those of the equivalent kH x kW convolution).

    Returns
    -------
    ndarray, shape ``input_shape``

    Examples
    --------
    The gradient of Sobel-x as [1, 2, 1] then [-1, 0, 1] is that of the 3x3 kernel:

    >>> import numpy as np
    >>> from refconv import grad
    >>> col = np.array([1.0, 2.0, 1.0]).reshape(1, 1, 3, 1)
    >>> row = np.array([-1.0, 0.0, 1.0]).reshape(1, 1, 1, 3)
    >>> dx = grad.spatial_separable_conv2d_input((1, 3, 3), col, row, np.ones((1, 1, 1)))
    >>> dx[0]
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    cwa = arguments.as_float_array(column_weight, "column_weight")
    rwa = arguments.as_float_array(row_weight, "row_weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape, unbatched = checks.input_shape(input_shape)
    first, second = checks.spatial_forward(
        x_shape, cwa.shape, rwa.shape, stride, padding, dilation, groups, mode
    )
    names = {"column_weight": cwa.shape, "row_weight": rwa.shape}
    out_shape = checks.output_shape(x_shape, rwa.shape[0], second)
    what = checks.describe(input_shape, names)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, cwa, rwa)
    mid_shape = (x_shape[0], cwa.shape[0], first.out_size[0], first.out_size[1])
    grad_mid = input_gradient(ga, rwa, mid_shape, second, mode, dtype, method)
    dx = input_gradient(grad_mid, cwa, x_shape, first, mode, dtype, method)
    return dx[0] if unbatched else dx


def spatial_separable_conv2d_weights(
    x: ArrayLike,
    column_weight: ArrayLike,
    row_weight: ArrayLike,
    grad_output: ArrayLike,
    stride: IntPair = 1,
    padding: PaddingArg = 0,
    dilation: IntPair = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    method: str = "auto",
) -> SpatialSeparableGradients:
    """Every gradient of :func:`refconv.spatial_separable_conv2d`: of ``x``,
    ``column_weight``, ``row_weight`` and the bias, by the chain of its two passes.

    Returns
    -------
    SpatialSeparableGradients
        ``(x, column_weight, row_weight, bias)``, each of its argument's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from refconv import grad
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> col, row = np.ones((1, 1, 3, 1)), np.ones((1, 1, 1, 3))
    >>> g = grad.spatial_separable_conv2d_weights(x, col, row, np.ones((1, 1, 1)))
    >>> g.column_weight.ravel(), g.row_weight.ravel()          # row sums, column sums
    (array([ 3., 12., 21.]), array([ 9., 12., 15.]))
    """
    method, mode = checks.method(method), checks.padding_mode(padding_mode)
    xa, unbatched = arguments.check_input(arguments.as_float_array(x, "x"))
    cwa = arguments.as_float_array(column_weight, "column_weight")
    rwa = arguments.as_float_array(row_weight, "row_weight")
    ga = arguments.as_float_array(grad_output, "grad_output")
    x_shape = _shape4(xa)
    first, second = checks.spatial_forward(
        x_shape, cwa.shape, rwa.shape, stride, padding, dilation, groups, mode
    )
    names = {"column_weight": cwa.shape, "row_weight": rwa.shape}
    out_shape = checks.output_shape(x_shape, rwa.shape[0], second)
    what = checks.describe(np.shape(x), names)
    ga, dtype = checks.grad_output_and_dtype(ga, out_shape, unbatched, what, xa, cwa, rwa)
    call = Call(xa, [cwa, rwa], None, dtype, method, mode, unbatched)
    mid = convolve(xa, cwa, None, first, call)  # (N, R, H_out, W), as forward
    grad_row = weight_gradient(mid, ga, _shape4(rwa), second, mode, dtype, method)
    grad_mid = input_gradient(ga, rwa, _shape4(mid), second, mode, dtype, method)
    grad_col = weight_gradient(xa, grad_mid, _shape4(cwa), first, mode, dtype, method)
    grad_x = input_gradient(grad_mid, cwa, x_shape, first, mode, dtype, method)
    grad_bias = conv2d_bias(ga).astype(dtype, copy=False)
    return SpatialSeparableGradients(
        grad_x[0] if unbatched else grad_x, grad_col, grad_row, grad_bias
    )


def _shape4(a: np.ndarray) -> checks.Shape4:
    n, c, h, w = a.shape
    return n, c, h, w
