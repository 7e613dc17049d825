"""The kernels: one spec and two fast implementations of the same grouped convolution.

All three take ``(x, weight, bias, stride, pads, dilation, groups, out)`` with validated,
C-contiguous arrays of one float dtype, ``pads`` the zero padding still to apply, and write
``out`` (N, C_out, H_out, W_out):

* :func:`~refconv.kernels.spec.conv2d_spec` -- the definition, loop by loop (read this first);
* :func:`~refconv.kernels.direct.conv2d_direct` -- Numba loops, parallel over output rows;
* :func:`~refconv.kernels.im2col.conv2d_im2col` -- Numba im2col in bounded chunks, then GEMM;
* :func:`~refconv.kernels.winograd.conv2d_winograd` -- Winograd F(2x2, 3x3): 3x3 kernels with
  stride 1 and dilation 1 only, 16 multiplications per 2x2 outputs instead of 36.
"""

from __future__ import annotations

import numpy as np

from ..padding import pad
from .direct import conv2d_direct
from .im2col import conv2d_im2col
from .spec import conv2d_spec
from .winograd import conv2d_winograd

KERNELS = {"reference": conv2d_spec, "direct": conv2d_direct, "im2col": conv2d_im2col,
           "winograd": conv2d_winograd}
# for "auto" to pick Winograd: input and output channels per group, output pixels per image
WINOGRAD_MIN_CHANNELS = 32
WINOGRAD_MIN_PIXELS = 28 * 28


def winograd_fits(w_shape, stride, dilation) -> bool:
    """Whether ``method="winograd"`` can compute this convolution: a 3x3 kernel, stride 1,
    dilation 1."""
    return tuple(w_shape[2:]) == (3, 3) and tuple(stride) == (1, 1) and tuple(dilation) == (1, 1)


def choose_method(x_shape, w_shape, stride, pads, dilation, groups) -> str:
    """The fastest method for a shape, by rules that ``scripts/choose_method.py`` checks.

    * one input channel per group (depthwise) -> ``direct``: im2col would run one skinny
      GEMM per channel;
    * a 3x3 kernel, stride 1, dilation 1, with :data:`WINOGRAD_MIN_CHANNELS` or more input
      and output channels per group and :data:`WINOGRAD_MIN_PIXELS` or more output pixels
      per image -> ``winograd``: 16 multiplications per 2x2 outputs instead of 36. With
      fewer channels the transforms cost more than the multiplications saved (16 -> 16
      channels: slower than im2col); with fewer tiles the GEMMs are too thin and the
      kernel transform, whose cost grows with C_in * C_out, no longer pays for itself
      (256 -> 256 channels at 14x14: 2x slower);
    * a reduction (``Cg*kH*kW``) of 8 or more and 8 or more output channels per group ->
      ``im2col``: the GEMM is wide enough for BLAS to beat the loops;
    * anything thinner -> ``direct`` (e.g. 2 channels per group: direct was 1.8x faster).
    """
    c_group, k_h, k_w = w_shape[1], w_shape[2], w_shape[3]
    o_group = w_shape[0] // groups
    if c_group == 1:
        return "direct"
    if (winograd_fits(w_shape, stride, dilation)
            and min(c_group, o_group) >= WINOGRAD_MIN_CHANNELS
            and _out_pixels(x_shape, k_h, k_w, pads) >= WINOGRAD_MIN_PIXELS):
        return "winograd"
    if c_group * k_h * k_w >= 8 and o_group >= 8:
        return "im2col"
    return "direct"


def _out_pixels(x_shape, k_h, k_w, pads) -> int:
    """Output pixels per image of a stride-1, dilation-1 convolution."""
    (top, bottom), (left, right) = pads
    return max(0, x_shape[2] + top + bottom - k_h + 1) * max(0, x_shape[3] + left + right - k_w + 1)


def run_conv2d(x, weight, bias, stride, pads, dilation, groups, out, method="auto"):
    """Dispatch to the kernel named by ``method`` (``"auto"`` picks one).

    Inf and NaN propagate as in NumPy and SciPy: ``inf * 0`` is NaN, silently (the
    convolution reports no floating-point warnings, like ``scipy.signal.correlate2d``).
    """
    if method == "auto":
        method = choose_method(x.shape, weight.shape, stride, pads, dilation, groups)
    elif method == "winograd" and not winograd_fits(weight.shape, stride, dilation):
        raise ValueError(
            "method='winograd' computes 3x3 kernels with stride 1 and dilation 1 only; got a "
            f"{weight.shape[2]}x{weight.shape[3]} kernel, stride {tuple(stride)}, dilation "
            f"{tuple(dilation)} (use method='auto', 'im2col' or 'direct')"
        )
    if method == "direct" and pads != ((0, 0), (0, 0)) and not np.isfinite(weight).all():
        # The direct loops skip the products of a weight with padded zeros; with an Inf or
        # NaN weight those products are NaN, so pad explicitly and let them happen.
        x = pad(x, pads, "zeros")
        pads = ((0, 0), (0, 0))
    if method == "reference":  # NumPy arithmetic; the compiled kernels raise no warnings
        with np.errstate(invalid="ignore", over="ignore"):
            return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)
    return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)


__all__ = ["KERNELS", "WINOGRAD_MIN_CHANNELS", "WINOGRAD_MIN_PIXELS", "choose_method",
           "conv2d_direct", "conv2d_im2col", "conv2d_spec", "conv2d_winograd", "run_conv2d",
           "winograd_fits"]
