"""refconv: a reference implementation of the convolutions behind "separable convolution".

Standard, grouped, depthwise (with depth multiplier), pointwise 1x1, depthwise-separable and
spatially separable convolutions on NCHW arrays, each computed by the readable reference loops
(the definition: refconv.kernels.reference) or by fast Numba kernels (direct loops, im2col +
GEMM, Winograd F(2x2, 3x3)), all validated against scipy.signal; their backward passes
(refconv.grad), layers that learn (refconv.nn, refconv.optim), exact operation counts
(refconv.counting) and SVD separability (refconv.separability).

All of them are deep-learning convolutions, i.e. cross-correlations: the kernel is not flipped.

>>> import numpy as np
>>> import refconv
>>> x = np.ones((1, 3, 12, 12), dtype=np.float32)
>>> refconv.conv2d(x, np.ones((256, 3, 5, 5), dtype=np.float32)).shape
(1, 256, 8, 8)
"""

from . import counting, grad, models, nn, optim, published, separability
from .counting import summary
from .functional import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from .separability import filters, is_separable, separate

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "conv2d",
    "counting",
    "depthwise_conv2d",
    "filters",
    "grad",
    "is_separable",
    "models",
    "nn",
    "optim",
    "pointwise_conv2d",
    "published",
    "separability",
    "separable_conv2d",
    "separate",
    "spatial_separable_conv2d",
    "summary",
]
