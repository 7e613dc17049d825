"""The worked examples of docs/concepts.md, one function per family, on the articles' example.

Every function computes on the TDS introduction's example -- a 12x12x3 image, 5x5 kernels,
256 output channels, no padding -- filled with small integers, so that a reader can redo one
output value by hand: it shows the window the value reads, the sums of products, refconv's
answer, and the multiplication count of the whole layer from :mod:`refconv.counting`. Which
pixels and weights the value reads is not written by hand either: :func:`.trace.trace` finds
them by running refconv's ``conv2d`` (see :mod:`.trace`).

>>> from refconv.explain.page import failed, text
>>> items = standard()
>>> text(items, "multiplications:")
'multiplications: 75 per output value x 16,384 output values (256 x 8 x 8) = 1,228,800'
>>> failed(items)
[]
"""

from __future__ import annotations

import numpy as np

from ...counting import (
    conv2d_cost,
    depthwise_conv2d_cost,
    pointwise_conv2d_cost,
)
from ...functional import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
)
from ..page import Array, Check, Item, Text, header
from .trace import Tap, family_steps, trace

__all__ = [
    "INPUT",
    "KERNEL",
    "OUTPUTS",
    "by_hand",
    "count",
    "depthwise",
    "example_input",
    "example_weight",
    "grouped",
    "pointwise",
    "products",
    "read_summary",
    "span",
    "standard",
]

#: The articles' example: input (C, H, W), kernel size, output channels.
INPUT, KERNEL, OUTPUTS = (3, 12, 12), 5, 256


def example_input(channels: int = 3) -> np.ndarray:
    """The 12x12 image with ``channels`` channels of integers 0..3 (seed 0): (C, 12, 12)."""
    return np.random.default_rng(0).integers(0, 4, size=(channels, 12, 12))


def example_weight(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    """A weight of integers -1, 0 and 1, of any shape (seed ``seed``)."""
    return np.random.default_rng(seed).integers(-1, 2, size=shape)


def span(values: list[int]) -> str:
    """``0..4`` for a run of integers, ``0, 2`` otherwise."""
    unique = sorted(set(values))
    if len(unique) > 2 and unique == list(range(unique[0], unique[-1] + 1)):
        return f"{unique[0]}..{unique[-1]}"
    return ", ".join(map(str, unique))


def read_summary(taps: list[Tap]) -> str:
    """What a traced value reads, in words: how many pixels, which channels, rows, columns.

    >>> from refconv.explain.concepts.trace import Tap
    >>> read_summary([Tap(0, 1, 2, (0, 0, 0, 0), False), Tap(1, 1, 3, (0, 1, 0, 1), False)])
    '2 pixels: channels 0, 1; rows 1; columns 2, 3'
    """
    real = [t for t in taps if not t.padding]
    pixels = len({(t.channel, t.row, t.col) for t in real})
    channels = span([t.channel for t in real])
    plural = "s" if len({t.channel for t in real}) > 1 else ""
    return (
        f"{pixels} pixels: channel{plural} {channels}; "
        f"rows {span([t.row for t in real])}; columns {span([t.col for t in real])}"
    )


def count(per_value: int, shape: tuple[int, ...], total: int, source: str) -> list[Item]:
    """The layer's multiplications two ways: per value times values, and ``source``'s
    closed form (``total``), with a check that they agree."""
    values = int(np.prod(shape))
    dims = " x ".join(map(str, shape))
    return [
        Text(
            f"multiplications: {per_value} per output value x {values:,} output values "
            f"({dims}) = {per_value * values:,}"
        ),
        Check(f"refconv.counting.{source} gives {total:,} too", per_value * values == total),
    ]


def by_hand(
    x: np.ndarray, w: np.ndarray, o: int, channels: list[int], name: str = "w"
) -> list[Item]:
    """Channel by channel, ``sum(x[c, 0:kH, 0:kW] * w[o, k])`` for the ``k``-th channel ``c``
    that filter ``o`` of ``w`` (C_out, Cg, kH, kW) sees: the parts of ``y[o, 0, 0]``
    (``name``: what the lines call ``w``)."""
    k_h, k_w = w.shape[2:]
    items: list[Item] = []
    for k, c in enumerate(channels):
        part = int(np.sum(x[c, 0:k_h, 0:k_w] * w[o, k]))
        items.append(Text(f"  sum(x[{c}, 0:{k_h}, 0:{k_w}] * {name}[{o}, {k}]) = {part}"))
    return items


def products(left: list[int], right: list[int]) -> str:
    """``2*1 + (-7)*(-1) + 3*(-1)``: a dot product written out."""

    def shown(v: int) -> str:
        return f"({v})" if v < 0 else str(v)

    return " + ".join(f"{shown(a)}*{shown(b)}" for a, b in zip(left, right, strict=True))


def standard() -> list[Item]:
    """Standard convolution: every output value reads a 5x5 window of *every* channel."""
    items = header("standard convolution: refconv.conv2d")
    x = example_input()  # (3, 12, 12)
    w = example_weight((OUTPUTS, 3, KERNEL, KERNEL))  # (256, 3, 5, 5)
    y = conv2d(x, w)  # (256, 8, 8)
    (taps,) = trace(family_steps("standard", INPUT, KERNEL, OUTPUTS), (0, 0, 0))
    hand = int(np.sum(x[:, 0:5, 0:5] * w[0]))
    items += [
        Text(f"x {x.shape} integers 0..3, w {w.shape} integers -1..1 -> y {y.shape}"),
        Text(f"traced: y[0, 0, 0] reads {read_summary(taps)}"),
        Text(f"  and {len(taps)} weights: the whole filter w[0], {w[0].shape}"),
        Array("x[0, 0:5, 0:5]", x[0, 0:5, 0:5]),
        Array("w[0, 0]", w[0, 0]),
        Text("y[0, 0, 0] by hand, one channel at a time:"),
        *by_hand(x, w, 0, [0, 1, 2]),
        Text(f"  total = {hand}"),
        Text(f"refconv.conv2d(x, w)[0, 0, 0] = {int(y[0, 0, 0])}"),
        Check("by hand == refconv", hand == y[0, 0, 0]),
        *count(
            len(taps),
            y.shape,
            conv2d_cost(INPUT, OUTPUTS, KERNEL, bias=False).multiplications,
            "conv2d_cost",
        ),
    ]
    return items


def grouped() -> list[Item]:
    """Grouped convolution: the channels split into groups that never meet."""
    items = header("grouped convolution: refconv.conv2d(..., groups=2)")
    x = example_input(4)  # (4, 12, 12): 3 channels allow groups of 1 or 3 only
    w = example_weight((OUTPUTS, 2, KERNEL, KERNEL))  # (256, 4 // 2, 5, 5)
    y = conv2d(x, w, groups=2)  # (256, 8, 8)
    steps = family_steps("grouped", (4, 12, 12), KERNEL, OUTPUTS, groups=2)
    first, last = trace(steps, (0, 0, 0))[0], trace(steps, (128, 0, 0))[0]
    hand = [int(np.sum(x[0:2, 0:5, 0:5] * w[0])), int(np.sum(x[2:4, 0:5, 0:5] * w[128]))]
    standard4 = conv2d_cost((4, 12, 12), OUTPUTS, KERNEL, bias=False).multiplications
    items += [
        Text("with 3 channels, groups can be 1 (standard) or 3 (depthwise), and 256 outputs"),
        Text("are not a multiple of 3: this example takes a 4th channel, x (4, 12, 12)"),
        Text(f"x {x.shape}, w {w.shape}, groups=2 -> y {y.shape}"),
        Text("outputs 0..127 form group 0, which sees channels 0, 1; outputs 128..255 see 2, 3"),
        Text(f"traced: y[0, 0, 0] reads {read_summary(first)}"),
        Text(f"traced: y[128, 0, 0] reads {read_summary(last)}"),
        Text(f"y[0, 0, 0] by hand = sum(x[0:2, 0:5, 0:5] * w[0]) = {hand[0]}"),
        Text(f"y[128, 0, 0] by hand = sum(x[2:4, 0:5, 0:5] * w[128]) = {hand[1]}"),
        Text(
            f"refconv.conv2d(x, w, groups=2)[[0, 128], 0, 0] = "
            f"{y[[0, 128], 0, 0].astype(int).tolist()}"
        ),
        Check("by hand == refconv", hand == y[[0, 128], 0, 0].tolist()),
        *count(
            len(first),
            y.shape,
            conv2d_cost((4, 12, 12), OUTPUTS, KERNEL, groups=2, bias=False).multiplications,
            "conv2d_cost",
        ),
        Text(f"the same layer with groups=1: {standard4:,}; groups=2 halves it"),
    ]
    return items


def depthwise() -> list[Item]:
    """Depthwise convolution: one 5x5 kernel per channel (``M`` with a depth multiplier)."""
    items = header("depthwise convolution: refconv.depthwise_conv2d")
    x = example_input()
    w = example_weight((3, 1, KERNEL, KERNEL))  # (C_in * M, 1, 5, 5), M = 1
    y = depthwise_conv2d(x, w)  # (3, 8, 8)
    items.append(Text(f"x {x.shape}, w {w.shape} (one 5x5 kernel per channel) -> y {y.shape}"))
    for c in range(3):
        (taps,) = trace(family_steps("depthwise", INPUT, KERNEL, 3), (c, 0, 0))
        items.append(Text(f"traced: y[{c}, 0, 0] reads {read_summary(taps)}"))
        items += by_hand(x, w, c, [c])
    items += [
        Text(f"refconv.depthwise_conv2d(x, w)[:, 0, 0] = {y[:, 0, 0].astype(int).tolist()}"),
        Check(
            "by hand == refconv",
            [np.sum(x[c, 0:5, 0:5] * w[c, 0]) for c in range(3)] == y[:, 0, 0].tolist(),
        ),
    ]
    cost = depthwise_conv2d_cost(INPUT, KERNEL, bias=False).multiplications
    items += count(KERNEL * KERNEL, y.shape, cost, "depthwise_conv2d_cost")

    w2 = example_weight((6, 1, KERNEL, KERNEL))  # depth multiplier M = 2
    y2 = depthwise_conv2d(x, w2)  # (6, 8, 8)
    steps = family_steps("depthwise", INPUT, KERNEL, 6, multiplier=2)
    reads = [trace(steps, (o, 0, 0))[0][0].channel for o in range(6)]
    items += [
        Text(""),
        Text(f"depth multiplier M = 2: w2 {w2.shape} -> y2 {y2.shape}"),
        Text("output channel c*M + m reads input channel c (Keras' order)"),
        Text(f"channel read by y2[0..5, 0, 0]: {reads}"),
        Check(
            "y2[c*2 + m] == depthwise_conv2d(x[c], w2[c*2 + m])",
            all(
                np.array_equal(
                    y2[c * 2 + m], depthwise_conv2d(x[c : c + 1], w2[c * 2 + m][None])[0]
                )
                for c in range(3)
                for m in range(2)
            ),
        ),
        *count(
            KERNEL * KERNEL,
            y2.shape,
            depthwise_conv2d_cost(INPUT, KERNEL, 2, bias=False).multiplications,
            "depthwise_conv2d_cost",
        ),
    ]
    return items


def pointwise() -> list[Item]:
    """Pointwise (1x1) convolution: at each pixel, a weighted sum over the channels."""
    items = header("pointwise convolution: refconv.pointwise_conv2d")
    x = example_input()
    t = depthwise_conv2d(x, example_weight((3, 1, KERNEL, KERNEL)))  # (3, 8, 8): as above
    w = example_weight((OUTPUTS, 3, 1, 1), seed=2)  # (256, 3, 1, 1)
    y = pointwise_conv2d(t, w)  # (256, 8, 8)
    (taps,) = trace(family_steps("pointwise", (3, 8, 8), 1, OUTPUTS), (0, 0, 0))
    column, row = t[:, 0, 0].astype(int).tolist(), w[0, :, 0, 0].tolist()
    hand = int(np.dot(column, row))
    items += [
        Text("the TDS introduction's second step: the 8x8x3 depthwise output t (above) -> 256"),
        Text(f"t {t.shape}, w {w.shape} -> y {y.shape}"),
        Text(f"traced: y[0, 0, 0] reads {read_summary(taps)}"),
        Text(f"t[:, 0, 0] = {column}"),
        Text(f"w[0, :, 0, 0] = {row}"),
        Text(f"y[0, 0, 0] by hand = {products(column, row)} = {hand}"),
        Text(f"refconv.pointwise_conv2d(t, w)[0, 0, 0] = {int(y[0, 0, 0])}"),
        Check("by hand == refconv", hand == y[0, 0, 0]),
        Check(
            "pointwise == a matrix product at every pixel: einsum('oc,chw->ohw')",
            np.array_equal(y, np.einsum("oc,chw->ohw", w[:, :, 0, 0], t)),
        ),
        *count(
            3,
            y.shape,
            pointwise_conv2d_cost((3, 8, 8), OUTPUTS, bias=False).multiplications,
            "pointwise_conv2d_cost",
        ),
    ]
    return items
