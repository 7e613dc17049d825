"""Which input pixels and weights an output value reads, found by running refconv itself.

A convolution output ``y[o, i, j]`` is a sum of products ``x[c, row, col] * w[o, c', p, q]``.
Which pixel meets which weight is the whole geometry of the convolution: stride, padding,
dilation and groups decide it. Rather than work it out again by a formula (and risk a second
opinion that disagrees with the kernels), this module *asks refconv*:

1. number every pixel of the padded input ``1, 2, 3, ...`` (the padding too);
2. convolve those numbers with **one-hot kernels**, one per tap ``(c', p, q)`` of a filter:
   the output of kernel ``(c', p, q)`` at ``(i, j)`` is then the number of the pixel that tap
   reads for output ``(i, j)`` -- exactly, as every sum has one non-zero term;
3. decode the numbers back into ``(channel, row, col)``.

The array of step 2 is im2col's matrix (one column per output pixel, one row per tap), built
by refconv's own ``conv2d`` (``method="reference"``, the definition loops, by default). A
padded pixel keeps its number, so a tap that reads padding is known too (it reads a zero).

>>> step = Step.of("standard 5x5", (3, 12, 12), (256, 3, 5, 5))  # the TDS introduction's example
>>> taps = Windows(step).taps(0, 0, 0)
>>> len(taps), taps[0], taps[-1].weight
(75, Tap(channel=0, row=0, col=0, weight=(0, 0, 0, 0), padding=False), (0, 2, 4, 4))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...arguments import Pads, Pair, conv_geometry, pair, spatial_passes
from ...functional import conv2d

__all__ = ["Step", "Tap", "Windows", "family_steps", "trace"]

Shape3 = tuple[int, int, int]  # (C, H, W)
Shape4 = tuple[int, int, int, int]  # (C_out, C_in // groups, kH, kW)


@dataclass(frozen=True)
class Step:
    """One convolution of a family: ``conv2d`` of an input ``(C, H, W)`` with a weight.

    Made by :meth:`of`, which takes what :func:`refconv.conv2d` takes and keeps it the way
    refconv's kernels see it: pairs, and explicit pads ``((top, bottom), (left, right))``.

    >>> Step.of("depthwise 3x3", (2, 5, 5), (4, 1, 3, 3), padding="same", groups=2).output_shape
    (4, 5, 5)
    """

    name: str
    input_shape: Shape3
    weight_shape: Shape4
    stride: Pair
    pads: Pads
    dilation: Pair
    groups: int
    output_shape: Shape3

    @classmethod
    def of(
        cls,
        name: str,
        input_shape: Shape3,
        weight_shape: Shape4,
        stride: object = 1,
        padding: object = 0,
        dilation: object = 1,
        groups: int = 1,
    ) -> Step:
        """A step checked by refconv's own argument checks (their errors if it does not fit)."""
        geometry = conv_geometry(
            (1, *input_shape), weight_shape, stride, padding, dilation, groups, "zeros"
        )
        out = (weight_shape[0], *geometry.out_size)
        return cls(
            name,
            input_shape,
            weight_shape,
            geometry.stride,
            geometry.pads,
            geometry.dilation,
            groups,
            out,
        )

    def run(self, x: np.ndarray, weight: np.ndarray, method: str = "reference") -> np.ndarray:
        """``refconv.conv2d`` of ``x`` (C, H, W) with ``weight``: shape :attr:`output_shape`."""
        return conv2d(
            x,
            weight,
            stride=self.stride,
            padding=self.pads,
            dilation=self.dilation,
            groups=self.groups,
            method=method,
        )


@dataclass(frozen=True)
class Tap:
    """One product of an output's sum: the pixel ``x[channel, row, col]`` times ``w[weight]``.

    ``row`` and ``col`` are in the unpadded input (negative or past the edge for padding);
    ``weight`` is ``(o, c', p, q)``, an index into the ``(C_out, C_in // groups, kH, kW)``
    weight; ``padding`` is true when the pixel is padding, i.e. the product is zero.
    """

    channel: int
    row: int
    col: int
    weight: tuple[int, int, int, int]
    padding: bool


class Windows:
    """Every tap of every output of one :class:`Step`, read off refconv's ``conv2d``.

    Parameters
    ----------
    step : Step
    method : str
        The ``method`` of :func:`refconv.conv2d` that builds the table; the default is the
        definition loops. (Every method gives the same integers.)

    Attributes
    ----------
    channel, row, col : ndarray of int, shape (groups, Cg * kH * kW, H_out, W_out)
        The pixel tap ``(c', p, q)`` (row ``c' * kH * kW + p * kW + q``) of group ``g``
        reads for output ``(i, j)``, in unpadded coordinates.
    """

    def __init__(self, step: Step, method: str = "reference") -> None:
        self.step = step
        c, h, w = step.input_shape
        _, cg, k_h, k_w = step.weight_shape
        (top, bottom), (left, right) = step.pads
        shape = (c, h + top + bottom, w + left + right)
        numbers = 1.0 + np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
        taps = cg * k_h * k_w
        one_hot = np.tile(np.eye(taps), (step.groups, 1)).reshape(-1, cg, k_h, k_w)
        # one output channel per tap and group: (groups * taps, H_out, W_out), im2col's matrix
        read = conv2d(
            numbers,
            one_hot,
            stride=step.stride,
            dilation=step.dilation,
            groups=step.groups,
            method=method,
        )
        flat = np.rint(read).astype(np.int64) - 1  # (groups * taps, H_out, W_out)
        channel, prow, pcol = np.unravel_index(flat, shape)
        out = (step.groups, taps, *read.shape[1:])
        self.channel = channel.reshape(out)
        self.row = (prow - top).reshape(out)
        self.col = (pcol - left).reshape(out)

    def taps(self, o: int, i: int, j: int) -> list[Tap]:
        """The taps of output ``y[o, i, j]``, in the weight's order ``(c', p, q)``."""
        o_total, cg, k_h, k_w = self.step.weight_shape
        _, h, w = self.step.input_shape
        g = o // (o_total // self.step.groups)
        rows = self.row[g, :, i, j].tolist()  # (Cg * kH * kW,)
        cols = self.col[g, :, i, j].tolist()
        channels = self.channel[g, :, i, j].tolist()
        c_local, p, q = np.unravel_index(np.arange(len(rows)), (cg, k_h, k_w))  # (taps,) each
        weights = zip(c_local.tolist(), p.tolist(), q.tolist(), strict=True)
        return [
            Tap(c, r, q, (o, *weight), not (0 <= r < h and 0 <= q < w))
            for c, r, q, weight in zip(channels, rows, cols, weights, strict=True)
        ]


def value(taps: list[Tap], x: np.ndarray, weight: np.ndarray) -> float:
    """The sum of products the taps describe: ``y[o, i, j]`` computed by hand from ``x``
    (C, H, W) and ``weight``; padding taps add zero."""
    return float(sum(x[t.channel, t.row, t.col] * weight[t.weight] for t in taps if not t.padding))


def trace(
    steps: list[Step], output: tuple[int, int, int], method: str = "reference"
) -> list[list[Tap]]:
    """Trace ``y[o, i, j]`` of the last step back through every step.

    Returns one list of taps per step, first step first: the last step's list is the taps of
    ``output``; an earlier step's list holds the taps of every (non-padding) value the next
    step reads, in order, without repeats.

    >>> steps = family_steps("separable", (3, 12, 12), 5, 256)
    >>> [len(level) for level in trace(steps, (0, 0, 0))]  # 3 windows of 25, then 3 products
    [75, 3]
    """
    levels: list[list[Tap]] = []
    wanted = [output]
    for step in reversed(steps):
        windows = Windows(step, method)
        level: list[Tap] = []
        for o, i, j in wanted:
            level.extend(windows.taps(o, i, j))
        levels.insert(0, level)
        wanted = list(dict.fromkeys((t.channel, t.row, t.col) for t in level if not t.padding))
    return levels


FAMILIES = ("standard", "grouped", "depthwise", "pointwise", "separable", "spatial")


def family_steps(
    family: str,
    input_shape: Shape3,
    kernel: int | Pair,
    out_channels: int,
    stride: int | Pair = 1,
    padding: object = 0,
    dilation: int | Pair = 1,
    groups: int = 1,
    multiplier: int = 1,
    intermediate: int | None = None,
) -> list[Step]:
    """The convolutions of one family, as refconv's functions compute it.

    ===============  ==========================================================================
    family           steps
    ===============  ==========================================================================
    ``standard``     ``conv2d``: ``(C_out, C_in, kH, kW)``
    ``grouped``      ``conv2d`` with ``groups``: ``(C_out, C_in // groups, kH, kW)``
    ``depthwise``    ``depthwise_conv2d``: ``(C_in * M, 1, kH, kW)``, ``groups = C_in``
                     (``out_channels`` is ignored: the output has ``C_in * M`` channels)
    ``pointwise``    ``pointwise_conv2d``: ``(C_out, C_in, 1, 1)`` (kernel, stride, padding and
                     dilation are ignored)
    ``separable``    ``separable_conv2d``: the depthwise step, then ``(C_out, C_in * M, 1, 1)``
    ``spatial``      ``spatial_separable_conv2d``: ``(R, C_in // groups, kH, 1)``, then
                     ``(C_out, R // groups, 1, kW)``; ``R = intermediate`` (default
                     ``out_channels``), stride, padding and dilation split as refconv splits
                     them (the vertical half to the first pass)
    ===============  ==========================================================================

    >>> [s.name for s in family_steps("spatial", (3, 12, 12), 5, 256, intermediate=3)]
    ['column 5x1', 'row 1x5']
    """
    c = input_shape[0]
    k_h, k_w = pair(kernel, "kernel", 1)
    size = f"{k_h}x{k_w}"
    if family in ("standard", "grouped"):
        g = groups if family == "grouped" else 1
        shape = (out_channels, c // g, k_h, k_w)
        return [Step.of(f"{family} {size}", input_shape, shape, stride, padding, dilation, g)]
    depthwise = Step.of(
        f"depthwise {size}",
        input_shape,
        (c * multiplier, 1, k_h, k_w),
        stride,
        padding,
        dilation,
        c,
    )
    if family == "depthwise":
        return [depthwise]
    if family == "pointwise":
        return [Step.of("pointwise 1x1", input_shape, (out_channels, c, 1, 1))]
    if family == "separable":
        t = depthwise.output_shape
        return [depthwise, Step.of("pointwise 1x1", t, (out_channels, t[0], 1, 1))]
    if family == "spatial":
        r = out_channels if intermediate is None else intermediate
        (s1, p1, d1), (s2, p2, d2) = spatial_passes(
            (1, *input_shape), (k_h, k_w), stride, padding, dilation, "zeros"
        )
        column = Step.of(
            f"column {k_h}x1", input_shape, (r, c // groups, k_h, 1), s1, p1, d1, groups
        )
        t = column.output_shape
        row = Step.of(f"row 1x{k_w}", t, (out_channels, r // groups, 1, k_w), s2, p2, d2, groups)
        return [column, row]
    raise ValueError(f"family must be one of {', '.join(map(repr, FAMILIES))}; got {family!r}")
