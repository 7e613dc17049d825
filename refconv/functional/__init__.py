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

The definition of every one of them is :func:`refconv.kernels.reference.conv2d_reference`:
loops over outputs, windows and taps, as ``method="reference"`` runs them. Each function here
checks its arguments (:mod:`refconv.arguments`), converts the arrays, and hands them to
:func:`~refconv.functional.compute.convolve`, which applies the padding mode and runs the
kernel ``method`` names.
"""

from .conv import conv2d, depthwise_conv2d, pointwise_conv2d
from .separable import separable_conv2d, spatial_separable_conv2d

__all__ = [
    "conv2d",
    "depthwise_conv2d",
    "pointwise_conv2d",
    "separable_conv2d",
    "spatial_separable_conv2d",
]
