"""What each family costs on the articles' example: one table, from :mod:`refconv.counting`.

The TDS introduction's headline, 1,228,800 multiplications for the standard convolution
against 4,800 + 49,152 = 53,952 for depthwise + pointwise, beside every other family of
docs/concepts.md on the same 12x12x3 image with 5x5 kernels and 256 outputs (no padding, no
bias: the articles count that way).

>>> [(name, cost.multiplications) for name, cost, _ in rows()][:5]  # doctest: +NORMALIZE_WHITESPACE
[('standard', 1228800), ('depthwise, M = 1 (3 -> 3)', 4800), ('depthwise, M = 2 (3 -> 6)', 9600),
 ('pointwise on 8x8x3', 49152), ('depthwise + pointwise, M = 1', 53952)]
"""

from __future__ import annotations

from ...counting import (
    OpCount,
    conv2d_cost,
    depthwise_conv2d_cost,
    pointwise_conv2d_cost,
    separable_conv2d_cost,
    spatial_separable_conv2d_cost,
)
from ..page import Item, Text, header
from .examples import INPUT, KERNEL, OUTPUTS

__all__ = ["costs", "rows"]


def rows() -> list[tuple[str, OpCount, OpCount]]:
    """``(name, cost, the standard convolution it replaces)`` for every family.

    Every row reads the articles' 12x12x3 input but two: the pointwise step reads the 8x8x3
    depthwise output, as in the TDS introduction; the grouped one reads 4 channels (3 allow
    only groups of 1 or 3) and is compared with the standard convolution of 4 channels.
    """
    standard = conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False)
    standard4 = conv2d_cost((4, 12, 12), OUTPUTS, KERNEL, bias=False)
    return [
        ("standard", standard, standard),
        ("depthwise, M = 1 (3 -> 3)", depthwise_conv2d_cost(INPUT, KERNEL, bias=False), standard),
        (
            "depthwise, M = 2 (3 -> 6)",
            depthwise_conv2d_cost(INPUT, KERNEL, 2, bias=False),
            standard,
        ),
        ("pointwise on 8x8x3", pointwise_conv2d_cost((3, 8, 8), OUTPUTS, bias=False), standard),
        (
            "depthwise + pointwise, M = 1",
            separable_conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False),
            standard,
        ),
        (
            "spatially separable, R = 3",
            spatial_separable_conv2d_cost(INPUT, OUTPUTS, KERNEL, 3, bias=False),
            standard,
        ),
        (
            "spatially separable, R = 256",
            spatial_separable_conv2d_cost(INPUT, OUTPUTS, KERNEL, OUTPUTS, bias=False),
            standard,
        ),
        ("standard, 4 input channels", standard4, standard4),
        (
            "grouped, 4 channels, groups = 2",
            conv2d_cost((4, 12, 12), OUTPUTS, KERNEL, groups=2, bias=False),
            standard4,
        ),
    ]


def costs() -> list[Item]:
    """The table: multiplications, weights, and the fraction of the standard convolution's
    multiplications, one family a line."""
    items = header(
        f"costs: {INPUT[1]}x{INPUT[2]}x{INPUT[0]} input, {KERNEL}x{KERNEL} kernels, "
        f"{OUTPUTS} outputs, no padding, no bias"
    )
    items.append(Text(f"{'family':<36} {'multiplications':>15} {'weights':>10}  of standard"))
    for name, cost, standard in rows():
        fraction = cost.multiplications / standard.multiplications
        items.append(
            Text(f"{name:<36} {cost.multiplications:>15,} {cost.params:>10,}  {fraction:.4f}")
        )
    return items
