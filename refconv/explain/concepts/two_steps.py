"""The two-step families of docs/concepts.md on the articles' example: depthwise-separable
(depthwise, then pointwise) and spatially separable (``5x1``, then ``1x5``).

Each computes one output value by hand through its intermediate array and checks it against
refconv's function; the counts are those of :mod:`refconv.counting`, step by step. The
pixels the value reads come from :func:`.trace.trace`, which follows it back through both
steps.

>>> from refconv.explain.page import failed, text
>>> items = separable()
>>> text(items, "multiplications: 4,800")
'multiplications: 4,800 (depthwise) + 49,152 (pointwise) = 53,952'
>>> failed(items)
[]
"""

from __future__ import annotations

import numpy as np

from ...counting import (
    conv2d_cost,
    reduction_formula,
    separable_conv2d_cost,
    spatial_separable_conv2d_cost,
)
from ...functional import conv2d, depthwise_conv2d, separable_conv2d, spatial_separable_conv2d
from ..page import Array, Check, Item, Text, header
from .examples import (
    INPUT,
    KERNEL,
    OUTPUTS,
    by_hand,
    example_input,
    example_weight,
    products,
    read_summary,
)
from .trace import family_steps, trace

__all__ = ["separable", "spatial"]


def separable() -> list[Item]:
    """Depthwise-separable (Keras ``SeparableConv2D``): 5x5 per channel, then 1x1 over channels."""
    items = header("depthwise-separable convolution: refconv.separable_conv2d")
    x = example_input()
    dw = example_weight((3, 1, KERNEL, KERNEL))  # (C_in * M, 1, 5, 5), M = 1
    pw = example_weight((OUTPUTS, 3, 1, 1), seed=2)  # (256, 3, 1, 1)
    t = depthwise_conv2d(x, dw)  # (3, 8, 8)
    y = separable_conv2d(x, dw, pw)  # (256, 8, 8)
    first, second = trace(family_steps("separable", INPUT, KERNEL, OUTPUTS), (0, 0, 0))
    column, row = t[:, 0, 0].astype(int).tolist(), pw[0, :, 0, 0].tolist()
    hand = int(np.dot(column, row))
    cost = separable_conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False)
    (_, depthwise), (_, pointwise) = cost.parts
    standard = conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False).multiplications
    items += [
        Text(f"x {x.shape} -> depthwise dw {dw.shape} -> t {t.shape}"),
        Text(f"  -> pointwise pw {pw.shape} -> y {y.shape}"),
        Text(f"traced: y[0, 0, 0] reads {read_summary(second)} of t"),
        Text(f"  which read {read_summary(first)} of x"),
        Text("step 1, depthwise: t[c, 0, 0] for each channel"),
        *[line for c in range(3) for line in by_hand(x, dw, c, [c], "dw")],
        Text(f"step 2, pointwise: y[0, 0, 0] = {products(column, row)} = {hand}"),
        Text(f"refconv.separable_conv2d(x, dw, pw)[0, 0, 0] = {int(y[0, 0, 0])}"),
        Check("by hand == refconv", hand == y[0, 0, 0]),
        Text(
            f"multiplications: {depthwise.multiplications:,} (depthwise) + "
            f"{pointwise.multiplications:,} (pointwise) = {cost.multiplications:,}"
        ),
        Text(
            f"standard convolution: {standard:,}, {standard / cost.multiplications:.2f} times "
            f"as many"
        ),
        Text(
            f"ratio {cost.multiplications / standard:.4f} = 1/N + 1/K^2 = 1/{OUTPUTS} + "
            f"1/{KERNEL * KERNEL} = {reduction_formula(OUTPUTS, KERNEL):.4f}"
        ),
        Check(
            "ratio == 1/N + 1/K^2 exactly (input channels cancel)",
            cost.multiplications * OUTPUTS * KERNEL**2 == standard * (KERNEL**2 + OUTPUTS),
        ),
    ]
    return items


def spatial() -> list[Item]:
    """Spatially separable: a 5x1 convolution, then a 1x5 one (rank-1 kernels)."""
    items = header("spatially separable convolution: refconv.spatial_separable_conv2d")
    column = np.array([1, 4, 6, 4, 1])  # smooth down the columns
    row = np.array([-1, -2, 0, 2, 1])  # differentiate along the rows
    x = example_input()
    one = spatial_separable_conv2d(x[0:1], column.reshape(1, 1, 5, 1), row.reshape(1, 1, 1, 5))
    outer = np.outer(column, row)  # (5, 5), rank 1
    one_cost = spatial_separable_conv2d_cost((1, 12, 12), 1, KERNEL, bias=False)
    one_full = conv2d_cost((1, 12, 12), 1, KERNEL, bias=False).multiplications
    items += [
        Text("one channel: a 5x5 kernel that is a column times a row"),
        Text(f"column = {column.tolist()}, row = {row.tolist()}"),
        Array("np.outer(column, row)", outer),
        Check(
            "5x1 pass then 1x5 pass == conv2d with np.outer(column, row)",
            np.array_equal(one, conv2d(x[0:1], outer[None, None])),
        ),
        Text(f"per output value: {KERNEL} + {KERNEL} multiplications instead of {KERNEL**2};"),
        Text(
            f"over one 12x12 channel: {one_cost.parts[0][1].multiplications:,} (5x1, "
            f"{shown(one_cost.parts[0][1].output_shape)} values) + "
            f"{one_cost.parts[1][1].multiplications:,} (1x5) = {one_cost.multiplications:,} "
            f"instead of {one_full:,}"
        ),
        Text(
            f"({one_cost.multiplications / 64:g} per output value, not {2 * KERNEL}: the 5x1 "
            f"pass runs on all 12 columns, the output has 8)"
        ),
    ]

    r = 3  # channels between the passes
    cw = example_weight((r, 3, KERNEL, 1))  # (R, C_in, 5, 1)
    rw = example_weight((OUTPUTS, r, 1, KERNEL), seed=2)  # (256, R, 1, 5)
    t = conv2d(x, cw)  # (R, 8, 12)
    y = spatial_separable_conv2d(x, cw, rw)  # (256, 8, 8)
    first, second = trace(
        family_steps("spatial", INPUT, KERNEL, OUTPUTS, intermediate=r), (0, 0, 0)
    )
    hand = int(np.sum(t[:, 0, 0:KERNEL] * rw[0, :, 0, :]))
    items += [
        Text(""),
        Text(f"channel-mixing, on the articles' example with R = {r} channels between the passes:"),
        Text(f"x {x.shape} -> 5x1 column {cw.shape} -> t {t.shape}"),
        Text(f"  -> 1x5 row {rw.shape} -> y {y.shape}"),
        Text(f"traced: y[0, 0, 0] reads {read_summary(second)} of t"),
        Text(f"  which read {read_summary(first)} of x"),
        Text(f"y[0, 0, 0] by hand = sum(t[:, 0, 0:5] * row[0, :, 0, :]) = {hand}"),
        Text(f"refconv.spatial_separable_conv2d(x, column, row)[0, 0, 0] = {int(y[0, 0, 0])}"),
        Check("by hand == refconv", hand == y[0, 0, 0]),
    ]
    for channels in (r, OUTPUTS):
        cost = spatial_separable_conv2d_cost(INPUT, OUTPUTS, KERNEL, channels, bias=False)
        (_, col), (_, rw_cost) = cost.parts
        items.append(
            Text(
                f"multiplications, R = {channels}: {col.multiplications:,} (5x1) + "
                f"{rw_cost.multiplications:,} (1x5) = {cost.multiplications:,}"
            )
        )
    standard = conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False).multiplications
    items.append(
        Text(
            f"R = {OUTPUTS} (the separable-block note's Keras block, R = C_out) costs more "
            f"than the standard"
        )
    )
    items.append(Text(f"  convolution, {standard:,}"))
    return items


def shown(shape: tuple[int, ...]) -> str:
    """``(1, 8, 12)`` as ``8x12``: the spatial part of a (C, H, W) shape."""
    return "x".join(map(str, shape[1:]))
