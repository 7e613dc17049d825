"""The direct weight gradient's flat runs (:func:`refconv.grad.direct.weight_taps` with stride 1
and output rows as long as the input's): each tap's sum runs over whole bands of the plane,
so a run also multiplies pixels across the image's left and right edges, into accumulators
of output columns that tap never reads; those accumulators are left out of the sum.

So they must not leak: an Inf or NaN at an image's edge (which a run reads for the wrong
column) must reach exactly the weight gradients the reference gives it, for every padding
that keeps rows as long as the input's (symmetric, asymmetric, dilated, even kernels) and
with bands shorter than the image. Small integers keep every sum exact: results *equal*.
"""

from __future__ import annotations

import numpy as np
import pytest

from refconv import grad
from refconv.grad import direct


@pytest.mark.parametrize(
    ("kernel", "pads", "dilation"),
    [
        ((3, 3), ((1, 1), (1, 1)), (1, 1)),  # "same", the CIFAR models' layers
        ((3, 3), ((0, 2), (2, 0)), (1, 1)),  # lopsided: still W_out == W
        ((4, 2), ((2, 1), (1, 0)), (1, 1)),  # even kernels
        ((3, 3), ((2, 2), (2, 2)), (2, 2)),  # dilated
        ((1, 1), ((0, 0), (0, 0)), (1, 1)),
    ],
)
@pytest.mark.parametrize("groups", [1, 4])
@pytest.mark.parametrize("edge", [None, np.inf, np.nan])
@pytest.mark.parametrize("band", [None, 8])  # 8 accumulators a tap: bands of one or two rows
def test_runs_equal_the_reference(kernel, pads, dilation, groups, edge, band, monkeypatch):
    if band is not None:
        monkeypatch.setattr(direct, "TAP_SUMS", band * kernel[0] * kernel[1])
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, (2, 4, 6, 5)).astype(np.float64)
    if edge is not None:  # at the left and right edges: what a run reads across the border
        x[0, 1, 2, 0] = edge
        x[1, 3, 4, 4] = edge
    (top, bottom), (left, right) = pads
    h_out = 6 + top + bottom - dilation[0] * (kernel[0] - 1)
    w_out = 5 + left + right - dilation[1] * (kernel[1] - 1)
    assert w_out == 5  # the flat case
    g = rng.integers(-3, 4, (2, 8, h_out, w_out)).astype(np.float64)
    w_shape = (8, 4 // groups, *kernel)
    kwargs = {"padding": pads, "dilation": dilation, "groups": groups}
    fast = grad.conv2d_weight(x, w_shape, g, method="direct", **kwargs)
    spec = grad.conv2d_weight(x, w_shape, g, method="reference", **kwargs)
    np.testing.assert_array_equal(fast, spec)  # NaN where NaN
