"""Operation counting: every op counted twice, by a closed form and by doing it.

Each op has two counts, side by side in one module, so they cannot drift apart:

* a **closed form** (``conv2d_cost``, ...): multiplications, additions, comparisons and
  parameters worked out from the shapes alone, as an :class:`OpCount`;
* a **counted loop** (``conv2d_counted``, ...): plain Python that performs every product and
  sum one at a time and tallies them in a :class:`Tally`. It returns the output too, so a test
  can check that the loop really computed the op (it must equal the layer's forward pass)
  and that its tally equals the closed form. Use the loops on small inputs only.

Both are *exact* for the computation as written in the reference kernels
(``refconv.kernels.reference``); the tests check that they agree for every op and every
stride, dilation, padding, group and depth-multiplier setting. A "multiply-accumulate" (MAC,
the MobileNet paper's "Mult-Add") is one product added into a running sum, so ``MACs =
multiplications`` and ``FLOPs = 2 * MACs`` in the common convention; the exact additions are a
little fewer than the MACs (one fewer per output, without bias).

Two counting modes
------------------
``effective=False`` (default)
    Every product the definition writes down, including products with padded zeros. This is
    what a dense kernel (im2col + GEMM, cuDNN) performs and what every FLOP counter reports.
``effective=True``
    Products whose input pixel is a *zero padding* pixel are skipped (they are known to be
    0): what a careful direct loop performs. An output pixel whose window holds ``P`` real
    products then costs ``P`` multiplications and ``P - 1`` additions (``+1`` for the bias;
    a window with no real pixel costs only its bias addition). Padding with
    ``padding_mode`` other than ``"zeros"`` (reflect, replicate, circular) produces real
    values, so for those modes the effective count equals the exact one.

Modules
-------
=================  ===========================================================================
``opcount``        :class:`OpCount` (a closed form's answer) and :class:`Tally` (a loop's)
``conv``           standard, grouped, depthwise and pointwise convolution
``separable``      depthwise-separable and spatially separable convolution, pass by pass
``pooling``        max, average and global average pooling, and their argument check
``basic``          BatchNorm (inference), ReLU, Linear, Flatten / Dropout
``summary``        :func:`summary`: a model's per-layer table, with the counters' conventions
``compare``        standard vs separable for one shape; the TDS headline; ``1/N + 1/K^2``
=================  ===========================================================================

The layers of :mod:`refconv.nn` call these functions for their ``cost`` and ``counted``
methods; this package knows nothing of the layers.

Examples
--------
The TDS introduction's example: 12x12x3 input, 5x5 kernels, 256 output channels, no padding.

>>> from refconv import counting
>>> standard = counting.conv2d_cost((3, 12, 12), 256, 5, bias=False)
>>> separable = counting.separable_conv2d_cost((3, 12, 12), 256, 5, bias=False)
>>> standard.multiplications, separable.multiplications
(1228800, 53952)
"""

from .basic import (
    batch_norm2d_cost,
    batch_norm2d_counted,
    linear_cost,
    linear_counted,
    relu_cost,
    relu_counted,
    reshape_cost,
)
from .compare import ComparisonRow, compare_convolutions, reduction_formula, tds_headline
from .conv import conv2d_cost, conv2d_counted, depthwise_conv2d_cost, pointwise_conv2d_cost
from .opcount import OpCount, Shape, Tally, feature_map_shape, numel
from .pooling import (
    avg_pool2d_cost,
    avg_pool2d_counted,
    global_avg_pool2d_cost,
    global_avg_pool2d_counted,
    max_pool2d_cost,
    max_pool2d_counted,
    pool2d_arguments,
    pool2d_output_size,
)
from .separable import (
    separable_conv2d_cost,
    separable_conv2d_counted,
    spatial_separable_conv2d_cost,
    spatial_separable_conv2d_counted,
)
from .summary import (
    MAC_CONVENTIONS,
    PARAM_CONVENTIONS,
    Summary,
    SummaryRow,
    check_input_shape,
    counter_macs,
    leaf_costs,
    summary,
)

__all__ = [
    "MAC_CONVENTIONS",
    "PARAM_CONVENTIONS",
    "ComparisonRow",
    "OpCount",
    "Shape",
    "Summary",
    "SummaryRow",
    "Tally",
    "avg_pool2d_cost",
    "avg_pool2d_counted",
    "batch_norm2d_cost",
    "batch_norm2d_counted",
    "check_input_shape",
    "compare_convolutions",
    "conv2d_cost",
    "conv2d_counted",
    "counter_macs",
    "depthwise_conv2d_cost",
    "feature_map_shape",
    "global_avg_pool2d_cost",
    "global_avg_pool2d_counted",
    "leaf_costs",
    "linear_cost",
    "linear_counted",
    "max_pool2d_cost",
    "max_pool2d_counted",
    "numel",
    "pointwise_conv2d_cost",
    "pool2d_arguments",
    "pool2d_output_size",
    "reduction_formula",
    "relu_cost",
    "relu_counted",
    "reshape_cost",
    "separable_conv2d_cost",
    "separable_conv2d_counted",
    "spatial_separable_conv2d_cost",
    "spatial_separable_conv2d_counted",
    "summary",
    "tds_headline",
]
