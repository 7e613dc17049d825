"""The backward steps every gradient function shares: one validated convolution at a time.

The forward pass (:func:`refconv.functional.compute.convolve`) turns ``x`` into the array its
kernel reads, ``x'`` (padding mode applied, far-away pads reduced:
:func:`refconv.padding.read_only_what_is_used`), then runs the kernel with the zero padding
still to apply. The backward pass retraces those steps:

* :func:`input_gradient` -- the gradient of ``x'`` by the input-gradient kernel ``method``
  names, then back through the padding (:func:`.scatter.scatter`, only where ``x'`` is not
  ``x`` itself);
* :func:`weight_gradient` -- ``x'`` as the forward pass built it, then the weight-gradient
  kernel.

The kernels (``INPUT_KERNELS``, ``WEIGHT_KERNELS``) share one signature per direction, as the
forward kernels do; ``"auto"`` picks between direct and im2col by the forward pass's rule
(:func:`refconv.kernels.choose_method`), im2col also for thin reductions
(:func:`choose_gradient_method`), and runs stride-1 depthwise input gradients as the forward
depthwise convolution they are (:func:`depthwise_as_correlation`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..arguments import ConvGeometry, Pads, Pair
from ..functional.compute import contiguous
from ..kernels import choose_method, new_output, run_conv2d
from ..padding import pad, read_only_what_is_used
from .direct import conv2d_input_direct, conv2d_weight_direct
from .im2col import conv2d_input_im2col, conv2d_weight_im2col
from .reference import conv2d_input_reference, conv2d_weight_reference
from .scatter import scatter, scatter_reference, source_map

GradKernel = Callable[[np.ndarray, np.ndarray, Pair, Pads, Pair, int, np.ndarray], np.ndarray]

# (grad_output, weight, stride, pads, dilation, groups, out: the gradient of x')
INPUT_KERNELS: dict[str, GradKernel] = {
    "reference": conv2d_input_reference,
    "direct": conv2d_input_direct,
    "im2col": conv2d_input_im2col,
}
# (x', grad_output, stride, pads, dilation, groups, out: the gradient of the weight)
WEIGHT_KERNELS: dict[str, GradKernel] = {
    "reference": conv2d_weight_reference,
    "direct": conv2d_weight_direct,
    "im2col": conv2d_weight_im2col,
}


def choose_gradient_method(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
) -> str:
    """``"auto"``'s method for both gradients: the forward pass's (:func:`choose_method`),
    except that a thin reduction -- 2 or more channels per group, but ``Cg*kH*kW`` under 8,
    e.g. a 1x1 kernel on 3 input channels -- with 8 or more output channels per group runs
    im2col too. The forward GEMM
    reduces over ``Cg*kH*kW``, which starves it there; the weight gradient's reduces over
    every pixel of the batch and the input gradient's over the output channels. Measured on
    one thread, 64 images of 32x32, 1x1 kernels (direct -> im2col, weight and input
    gradient): 4 -> 32 channels 4.8 -> 3.0 and 1.6 -> 0.65 ms, 7 -> 32 9.8 -> 2.4 and
    3.9 -> 0.9 ms, 2 -> 32 2.4 -> 2.0 and 0.79 -> 0.48 ms; with one channel per group the
    loops stay (1 -> 32: 1.3 ms against im2col's 1.9).
    """
    method = choose_method(x_shape, w_shape, stride, pads, dilation, groups)
    if method == "direct" and w_shape[1] > 1 and w_shape[0] // groups >= 8:
        return "im2col"
    return method


def run_conv2d_input(
    grad_output: np.ndarray,
    weight: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    method: str = "auto",
) -> np.ndarray:
    """Run the input-gradient kernel ``method`` names on validated, contiguous arrays."""
    if method == "auto":
        flipped = depthwise_as_correlation(weight, stride, pads, dilation, groups, out.shape)
        if flipped is not None:
            weight_flipped, pads_flipped = flipped
            return run_conv2d(
                grad_output, weight_flipped, None, (1, 1), pads_flipped, dilation, groups, out
            )
        method = choose_gradient_method(out.shape, weight.shape, stride, pads, dilation, groups)
    with np.errstate(invalid="ignore", over="ignore"):  # NumPy's reference: no warnings
        return INPUT_KERNELS[method](grad_output, weight, stride, pads, dilation, groups, out)


def depthwise_as_correlation(
    weight: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    x_shape: tuple[int, ...],
) -> tuple[np.ndarray, Pads] | None:
    """The input gradient of a stride-1 depthwise convolution as a forward one, when it is.

    With stride 1, the input pixel ``h`` was read by output row ``h + top - p*dh`` through
    tap ``p``, so ``dL/dx`` is the correlation of the output gradient with the kernel turned
    by 180 degrees, padded by ``(kH-1)*dh - top`` above and ``(kH-1)*dh - bottom`` below (and
    likewise along W): a depthwise convolution that the forward pass's kernels run 3-5x faster
    than the gradient's gather loops (64 images, 32 channels of 16x16: 1.1 ms against 4.9 ms
    on one thread). Returns ``(turned weight, pads)``, or ``None`` unless the convolution is
    depthwise with one channel out per channel in, stride 1, pads within the window and
    finite weights (the forward kernels skip padded zeros; a turned Inf would meet zeros that
    the gradient does not have).
    """
    c_out, c_group, k_h, k_w = weight.shape
    if stride != (1, 1) or c_group != 1 or c_out != groups or x_shape[1] != groups:
        return None
    (top, bottom), (left, right) = pads
    reach_h, reach_w = (k_h - 1) * dilation[0], (k_w - 1) * dilation[1]
    turned = ((reach_h - top, reach_h - bottom), (reach_w - left, reach_w - right))
    if min(*turned[0], *turned[1]) < 0 or not np.isfinite(weight).all():
        return None
    return np.ascontiguousarray(weight[:, :, ::-1, ::-1]), turned  # (C, 1, kH, kW), turned


def run_conv2d_weight(
    x: np.ndarray,
    grad_output: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
    method: str = "auto",
) -> np.ndarray:
    """Run the weight-gradient kernel ``method`` names on validated, contiguous arrays."""
    if method == "auto":
        method = choose_gradient_method(x.shape, out.shape, stride, pads, dilation, groups)
    if method == "direct" and pads != ((0, 0), (0, 0)) and not np.isfinite(grad_output).all():
        # The direct loops skip the products of padded zeros with the output gradient; with
        # an Inf or NaN gradient those products are NaN, so pad and let them happen.
        x, pads = pad(x, pads, "zeros"), ((0, 0), (0, 0))
    with np.errstate(invalid="ignore", over="ignore"):
        return WEIGHT_KERNELS[method](x, grad_output, stride, pads, dilation, groups, out)


def input_gradient(
    grad_output: np.ndarray,
    weight: np.ndarray,
    x_shape: tuple[int, int, int, int],
    geometry: ConvGeometry,
    padding_mode: str,
    dtype: np.dtype,
    method: str,
) -> np.ndarray:
    """The gradient of ``x`` (``x_shape``, 4-D) of one validated convolution, given the
    gradient of its output ``grad_output`` (N, C_out, H_out, W_out)."""
    grad_output = contiguous(grad_output, dtype)
    weight = contiguous(weight, dtype)
    n, c, h, w = x_shape
    if n == 0:
        return np.zeros(x_shape, dtype)
    kernel_size = (weight.shape[2], weight.shape[3])
    source, padded, stride, pads, dilation = source_map((h, w), kernel_size, geometry, padding_mode)
    grad_padded = new_output((n, c, *padded), dtype)  # (N, C_in, H', W'): the gradient of x'
    run_conv2d_input(
        grad_output, weight, stride, pads, dilation, geometry.groups, grad_padded, method
    )
    if source is None:  # x' is x
        return grad_padded
    grad_x = new_output(x_shape, dtype)
    if method == "reference":
        return scatter_reference(grad_padded, source, grad_x)
    return scatter(grad_padded, source, grad_x)


def weight_gradient(
    x: np.ndarray,
    grad_output: np.ndarray,
    w_shape: tuple[int, int, int, int],
    geometry: ConvGeometry,
    padding_mode: str,
    dtype: np.dtype,
    method: str,
) -> np.ndarray:
    """The gradient of the weight (``w_shape``) of one validated convolution of the 4-D
    ``x``, given the gradient of its output ``grad_output`` (N, C_out, H_out, W_out)."""
    x = contiguous(x, dtype)
    grad_output = contiguous(grad_output, dtype)
    out = new_output(w_shape, dtype)
    if x.shape[0] == 0:
        out[...] = 0.0
        return out
    # x' exactly as the forward pass built it
    x, stride, pads, dilation = read_only_what_is_used(
        x,
        (w_shape[2], w_shape[3]),
        geometry.stride,
        geometry.pads,
        geometry.dilation,
        geometry.out_size,
        padding_mode,
    )
    return run_conv2d_weight(x, grad_output, stride, pads, dilation, geometry.groups, out, method)
