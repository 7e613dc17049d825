"""Standard vs depthwise-separable vs spatially separable: the comparison the articles make.

:func:`compare_convolutions` counts the three ways of computing one layer, step by step;
:func:`tds_headline` is the TDS introduction's headline (12x12x3 input, 5x5 kernels, 256
outputs); :func:`reduction_formula` is MobileNet's ``1/N + 1/K^2``, the ratio the
depthwise-separable layer's multiplications are of the standard one's.

>>> rows = compare_convolutions()
>>> rows[0].multiplications // rows[3].multiplications        # about 22.8x fewer
22
>>> round(1 / reduction_formula(256, 5), 2)
22.78
"""

from __future__ import annotations

from dataclasses import dataclass

from .conv import conv2d_cost
from .opcount import OpCount, Shape
from .separable import separable_conv2d_cost, spatial_separable_conv2d_cost


@dataclass(frozen=True)
class ComparisonRow:
    """One line of :func:`compare_convolutions`: a name and the cost of that step."""

    name: str
    cost: OpCount

    @property
    def multiplications(self) -> int:
        """The step's multiplications (``cost.multiplications``)."""
        return self.cost.multiplications


def compare_convolutions(
    input_shape: Shape = (3, 12, 12),
    kernel_size: int = 5,
    out_channels: int = 256,
    stride: int = 1,
    padding: object = 0,
    dilation: int = 1,
    depth_multiplier: int = 1,
    intermediate_channels: int | None = None,
    bias: bool = False,
    effective: bool = False,
) -> list[ComparisonRow]:
    """Standard vs depthwise + pointwise vs spatially separable, for one shape.

    The defaults are the TDS introduction's example (12x12x3 input, 5x5 kernels, 256 outputs,
    no padding, no bias). Rows: ``standard``, ``depthwise``, ``pointwise``,
    ``depthwise + pointwise``, ``spatial K x 1``, ``spatial 1 x K``, ``spatial K x 1 + 1 x K``
    (C_in -> R -> C_out, with ``R = intermediate_channels``, default ``out_channels`` as in
    the articles' blocks).

    Examples
    --------
    >>> for row in compare_convolutions():
    ...     print(f"{row.name:24} {row.multiplications:>10,}")
    standard                  1,228,800
    depthwise                     4,800
    pointwise                    49,152
    depthwise + pointwise        53,952
    spatial 5x1                 368,640
    spatial 1x5              20,971,520
    spatial 5x1 + 1x5        21,340,160
    """
    standard = conv2d_cost(
        input_shape,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        1,
        bias,
        effective=effective,
    )
    separable = separable_conv2d_cost(
        input_shape,
        out_channels,
        kernel_size,
        depth_multiplier,
        stride,
        padding,
        dilation,
        bias,
        effective=effective,
    )
    spatial = spatial_separable_conv2d_cost(
        input_shape,
        out_channels,
        kernel_size,
        intermediate_channels,
        stride,
        padding,
        dilation,
        1,
        bias,
        effective=effective,
    )
    k = kernel_size
    return [
        ComparisonRow("standard", standard),
        ComparisonRow("depthwise", separable.parts[0][1]),
        ComparisonRow("pointwise", separable.parts[1][1]),
        ComparisonRow("depthwise + pointwise", separable),
        ComparisonRow(f"spatial {k}x1", spatial.parts[0][1]),
        ComparisonRow(f"spatial 1x{k}", spatial.parts[1][1]),
        ComparisonRow(f"spatial {k}x1 + 1x{k}", spatial),
    ]


def tds_headline() -> list[tuple[str, int]]:
    """The TDS introduction's headline: multiplications for 12x12x3, 5x5 kernels, 256 outputs.

    Returns ``[(name, multiplications), ...]`` for ``standard``, ``depthwise``, ``pointwise``
    and ``depthwise + pointwise`` (the article prints 1,228,800; 4,800; 49,152; 53,952).

    Examples
    --------
    >>> tds_headline()[3]
    ('depthwise + pointwise', 53952)
    >>> [count for _, count in tds_headline()]
    [1228800, 4800, 49152, 53952]
    """
    return [(row.name, row.multiplications) for row in compare_convolutions()[:4]]


def reduction_formula(out_channels: int, kernel_size: int) -> float:
    """The MobileNet ratio ``1/N + 1/K^2`` (depthwise-separable over standard multiplications).

    Exact for the multiplications of equal-geometry convolutions without bias (the output
    pixel count cancels); additions and biases shift it slightly.

    >>> round(reduction_formula(128, 3), 5)
    0.11892
    """
    return 1.0 / out_channels + 1.0 / kernel_size**2
