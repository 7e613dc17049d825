"""Backward passes: the gradients of every convolution refconv computes.

PyTorch's names and argument order (``torch.nn.grad``): ``*_input`` functions take the
input's shape, ``*_weight`` functions the weight's shape, both the gradient of the output
``grad_output = dL/dy``. For a forward call ``y = conv2d(x, w, b, ...)``::

    dL/dx = conv2d_input(x.shape, w, grad_output, ...)     same stride, padding, ... as forward
    dL/dw = conv2d_weight(x, w.shape, grad_output, ...)
    dL/db = conv2d_bias(grad_output)                       grad_output summed over N, H, W

=================================  =======================================================
function                           gradient of
=================================  =======================================================
``conv2d_input`` / ``_weight``     :func:`refconv.conv2d` (standard, grouped)
``conv2d_bias``                    any family's bias
``depthwise_conv2d_input`` /       :func:`refconv.depthwise_conv2d`, weight
``_weight``                        ``(C_in * M, 1, kH, kW)``
``pointwise_conv2d_input`` /       :func:`refconv.pointwise_conv2d`
``_weight``
``separable_conv2d_input`` /       :func:`refconv.separable_conv2d`; ``_weights`` returns
``_weights``                       the gradients of x, both weights and the bias
``spatial_separable_conv2d_input``  :func:`refconv.spatial_separable_conv2d`; likewise
/ ``_weights``
=================================  =======================================================

The identities behind them (``docs/gradients-notes.md`` derives each, with shapes):

* the input gradient of a stride-1 convolution is a *full* convolution of ``grad_output``
  with the kernel flipped in both directions (in and out channels swapped); a stride in the
  forward pass becomes a dilation of ``grad_output`` (its rows spread ``stride`` apart);
* the weight gradient is a correlation of the (padded) input with ``grad_output``; for a
  depthwise layer, one channel at a time;
* a two-step block's gradients are the chain of its two steps' gradients;
* the bias gradient is ``grad_output`` summed over N, H and W;
* padding modes other than zeros copy input pixels into the border; the gradients of the
  copies are added back onto the pixels they copied (:mod:`.scatter`).

Methods, as in the forward pass: ``"reference"`` (the readable loops of :mod:`.reference`),
``"direct"`` (Numba loops, :mod:`.direct`), ``"im2col"`` (GEMM + col2im, :mod:`.im2col`) and
``"auto"`` (direct or im2col by the forward pass's rule). :func:`.worked.worked_example`
prints a small example worked through, step by step.
"""

from .conv import (
    conv2d_bias,
    conv2d_input,
    conv2d_weight,
    depthwise_conv2d_input,
    depthwise_conv2d_weight,
    pointwise_conv2d_input,
    pointwise_conv2d_weight,
)
from .separable import (
    SeparableGradients,
    SpatialSeparableGradients,
    separable_conv2d_input,
    separable_conv2d_weights,
    spatial_separable_conv2d_input,
    spatial_separable_conv2d_weights,
)

__all__ = [
    "SeparableGradients",
    "SpatialSeparableGradients",
    "conv2d_bias",
    "conv2d_input",
    "conv2d_weight",
    "depthwise_conv2d_input",
    "depthwise_conv2d_weight",
    "pointwise_conv2d_input",
    "pointwise_conv2d_weight",
    "separable_conv2d_input",
    "separable_conv2d_weights",
    "spatial_separable_conv2d_input",
    "spatial_separable_conv2d_weights",
]
