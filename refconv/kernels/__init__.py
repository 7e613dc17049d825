"""The kernels: one spec and two fast implementations of the same grouped convolution.

All three take ``(x, weight, bias, stride, pads, dilation, groups, out)`` with validated,
C-contiguous arrays of one float dtype, ``pads`` the zero padding still to apply, and write
``out`` (N, C_out, H_out, W_out):

* :func:`~refconv.kernels.spec.conv2d_spec` -- the definition, loop by loop (read this first);
* :func:`~refconv.kernels.direct.conv2d_direct` -- Numba loops, parallel over output rows;
* :func:`~refconv.kernels.im2col.conv2d_im2col` -- Numba im2col in bounded chunks, then GEMM.
"""

from __future__ import annotations

import numpy as np

from ..padding import pad
from .direct import conv2d_direct
from .im2col import conv2d_im2col
from .spec import conv2d_spec

KERNELS = {"reference": conv2d_spec, "direct": conv2d_direct, "im2col": conv2d_im2col}


def choose_method(x_shape, w_shape, stride, pads, dilation, groups) -> str:
    """The fastest method for a shape, by rules that ``scripts/choose_method.py`` checks.

    * one input channel per group (depthwise) -> ``direct``: im2col would run one skinny
      GEMM per channel;
    * a reduction (``Cg*kH*kW``) of 8 or more and 8 or more output channels per group ->
      ``im2col``: the GEMM is wide enough for BLAS to beat the loops;
    * anything thinner -> ``direct`` (e.g. 2 channels per group: direct was 1.8x faster).
    """
    c_group, k_h, k_w = w_shape[1], w_shape[2], w_shape[3]
    o_group = w_shape[0] // groups
    if c_group == 1:
        return "direct"
    if c_group * k_h * k_w >= 8 and o_group >= 8:
        return "im2col"
    return "direct"


def run_conv2d(x, weight, bias, stride, pads, dilation, groups, out, method="auto"):
    """Dispatch to the kernel named by ``method`` (``"auto"`` picks one).

    Inf and NaN propagate as in NumPy and SciPy: ``inf * 0`` is NaN, silently (the
    convolution reports no floating-point warnings, like ``scipy.signal.correlate2d``).
    """
    if method == "auto":
        method = choose_method(x.shape, weight.shape, stride, pads, dilation, groups)
    if method == "direct" and pads != ((0, 0), (0, 0)) and not np.isfinite(weight).all():
        # The direct loops skip the products of a weight with padded zeros; with an Inf or
        # NaN weight those products are NaN, so pad explicitly and let them happen.
        x = pad(x, pads, "zeros")
        pads = ((0, 0), (0, 0))
    if method == "reference":  # NumPy arithmetic; the compiled kernels raise no warnings
        with np.errstate(invalid="ignore", over="ignore"):
            return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)
    return KERNELS[method](x, weight, bias, stride, pads, dilation, groups, out)


__all__ = ["KERNELS", "choose_method", "conv2d_direct", "conv2d_im2col", "conv2d_spec",
           "run_conv2d"]
