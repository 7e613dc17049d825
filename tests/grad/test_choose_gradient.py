"""Which method ``"auto"`` runs for a gradient
(:func:`refconv.grad.compute.choose_gradient_method`): the forward pass's rule, with im2col
also for thin reductions (2 to 7 channels per group under a small kernel) feeding 8 or more
output channels per group."""

from __future__ import annotations

import pytest

from refconv.grad.compute import choose_gradient_method
from refconv.kernels import choose_method

ONE, NONE = (1, 1), ((0, 0), (0, 0))


@pytest.mark.parametrize(
    ("w_shape", "groups", "expected"),
    [
        ((32, 3, 1, 1), 1, "im2col"),  # the SeparableCNN's first pointwise step (forward: direct)
        ((32, 2, 1, 1), 1, "im2col"),
        ((32, 1, 1, 1), 1, "direct"),  # one channel per group: the loops stay
        ((4, 3, 1, 1), 1, "direct"),  # fewer than 8 output channels
        ((32, 1, 3, 3), 32, "direct"),  # depthwise
        ((64, 32, 3, 3), 1, "im2col"),  # wide: as the forward pass
        ((16, 2, 1, 1), 8, "direct"),  # 2 outputs per group
    ],
)
def test_gradient_method(w_shape, groups, expected):
    x_shape = (2, w_shape[1] * groups, 8, 8)
    assert choose_gradient_method(x_shape, w_shape, ONE, NONE, ONE, groups) == expected


def test_it_differs_from_the_forward_rule_only_for_thin_reductions():
    for c_group in range(1, 10):
        for kernel in ((1, 1), (1, 2), (3, 3)):
            for o_group in (1, 7, 8, 32):
                w_shape = (o_group, c_group, *kernel)
                x_shape = (1, c_group, 8, 8)
                forward = choose_method(x_shape, w_shape, ONE, NONE, ONE, 1)
                ours = choose_gradient_method(x_shape, w_shape, ONE, NONE, ONE, 1)
                thin = c_group > 1 and c_group * kernel[0] * kernel[1] < 8 and o_group >= 8
                assert ours == ("im2col" if thin else forward), w_shape
