"""The separability tables of docs/separability.md, as rows and as Markdown.

Three tables:

* :func:`zoo_rows`: every kernel of the filter zoo (:data:`refconv.filters.ZOO`) with its rank,
  ``sigma_2 / sigma_1`` and, when it is rank 1, its column and row factors;
* :func:`count_rows`: exact multiplications of filtering an image with a ``K x K`` kernel,
  directly and as a ``K x 1`` pass then a ``1 x K`` pass;
* :func:`layer_rows`: a random 64 -> 64 3x3 conv layer replaced by ``R`` channels of
  ``3 x 1`` then ``1 x 3``: the error and the multiplications for several ``R``.

A worked example: the Sobel kernel is a smoothing column times a difference row, and filtering
a 12x12 image with it 'valid' costs 9 multiplications per pixel directly, 6 in two passes:

>>> from refconv import filters
>>> from refconv.separability import analyze, filtering_cost
>>> result = analyze(filters.sobel())
>>> result.rank, result.column, result.row
(1, array([1, 2, 1]), array([-1,  0,  1]))
>>> cost = filtering_cost((12, 12), (3, 3), "valid")
>>> cost.full, cost.separable  # 10 x 10 outputs: 900 = 100 * 9; 12*10*3 + 10*10*3 = 660
(900, 660)

``python scripts/separability_table.py [zoo|counts|layer]`` prints :func:`zoo_table`,
:func:`count_table` or :func:`layer_table`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..separability import (
    FilteringCost,
    analyze,
    factorize_conv_weight,
    factorized_layer_multiplications,
    filtering_cost,
    filters,
)

__all__ = [
    "LAYER_INPUT",
    "LAYER_RANKS",
    "LayerRow",
    "ZooRow",
    "count_rows",
    "count_table",
    "layer_rows",
    "layer_table",
    "zoo_rows",
    "zoo_table",
]


@dataclass(frozen=True)
class ZooRow:
    """One zoo kernel: ``column`` and ``row`` are its factors, ``None`` when rank > 1."""

    name: str
    shape: tuple[int, int]
    dtype: np.dtype
    rank: int
    ratio: float  # sigma_2 / sigma_1
    column: np.ndarray | None
    row: np.ndarray | None


def zoo_rows() -> list[ZooRow]:
    """Analyze every kernel of :data:`refconv.filters.ZOO`, in the zoo's order.

    Examples
    --------
    >>> rows = {row.name: row for row in zoo_rows()}
    >>> rows["laplacian4"].rank, rows["laplacian4"].column is None
    (2, True)
    """
    rows = []
    for name in filters.ZOO:
        kernel = filters.make(name)
        r = analyze(kernel)
        rows.append(
            ZooRow(
                name,
                kernel.shape,
                kernel.dtype,
                r.rank,
                r.ratio,
                r.column if r.is_separable else None,
                r.row if r.is_separable else None,
            )
        )
    return rows


def _factor(values: np.ndarray) -> str:
    """Integers as they are, floats to three decimals: ``[1, 2, 1]``, ``[0.274, 0.452]``."""
    if values.dtype.kind == "i":
        return "[" + ", ".join(str(int(v)) for v in values) + "]"
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


def zoo_table(rows: list[ZooRow]) -> str:
    """The zoo as a Markdown table (``python scripts/separability_table.py``)."""
    lines = [
        "| name | shape | dtype | rank | σ₂/σ₁ | column | row |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        shape = f"{r.shape[0]}x{r.shape[1]}"
        if r.column is not None and r.row is not None:
            column, row = f"`{_factor(r.column)}`", f"`{_factor(r.row)}`"
        else:
            column = row = f"not separable: {r.rank} terms"
        lines.append(
            f"| {r.name} | {shape} | {r.dtype} | {r.rank} | {r.ratio:.2g} | {column} | {row} |"
        )
    return "\n".join(lines)


def count_rows() -> list[tuple[int, int, str, FilteringCost]]:
    """``(K, image size, padding, cost)`` for K in 3, 5, 7, images 12, 32, 224, 'same'/'valid'.

    Examples
    --------
    >>> k, size, padding, cost = count_rows()[0]
    >>> k, size, padding, cost.full, cost.separable  # 144 pixels * 9; 144*3 + 144*3
    (3, 12, 'same', 1296, 864)
    """
    return [
        (k, size, padding, filtering_cost((size, size), (k, k), padding))
        for k in (3, 5, 7)
        for size in (12, 32, 224)
        for padding in ("same", "valid")
    ]


def count_table(rows: list[tuple[int, int, str, FilteringCost]]) -> str:
    """The counts as a Markdown table (``python scripts/separability_table.py counts``)."""
    lines = [
        "| K | image | padding | full K*K | column pass | row pass | two passes | per pixel |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, size, padding, c in rows:
        lines.append(
            f"| {k} | {size}x{size} | {padding} | {c.full:,} | {c.column_pass:,} | "
            f"{c.row_pass:,} | {c.separable:,} | {c.separable_per_pixel:.4g} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class LayerRow:
    """One rank ``R``: the factorization's relative error and multiplications."""

    rank: int
    relative_error: float
    multiplications: int
    full: int  # the 3x3 layer's multiplications


LAYER_INPUT = (64, 56, 56)  # (C, H, W) of the layer's input; the layer maps 64 -> 64 channels
LAYER_RANKS = (8, 16, 32, 64, 96, 128, 192)


def layer_rows(ranks: tuple[int, ...] = LAYER_RANKS) -> list[LayerRow]:
    """Factor a standard-normal ``(64, 64, 3, 3)`` weight (seed 0) at each rank in ``ranks``.

    Examples
    --------
    >>> row = layer_rows((64,))[0]
    >>> row.multiplications / row.full  # 64*3 + 64*3 per pixel instead of 64*9
    0.6666666666666666
    """
    c, h, w = LAYER_INPUT
    weight = np.random.default_rng(0).standard_normal((c, c, 3, 3))  # an untrained layer
    rows = []
    for rank in ranks:
        f = factorize_conv_weight(weight, rank)
        full, factored = factorized_layer_multiplications((c, h, w), weight.shape, rank, "same")
        rows.append(LayerRow(rank, f.relative_error, factored, full))
    return rows


def layer_table(rows: list[LayerRow]) -> str:
    """The ranks as a Markdown table (``python scripts/separability_table.py layer``)."""
    c, h, w = LAYER_INPUT
    lines = [
        f"weight (C_out, C_in, kH, kW) = {(c, c, 3, 3)}, standard normal (seed 0); input "
        f"({c}, {h}, {w}), 'same' padding",
        "",
        "| R | relative error | multiplications | vs full |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.rank} | {r.relative_error:.3f} | {r.multiplications:,} | "
            f"{r.multiplications / r.full:.3f} |"
        )
    lines.append(f"| full 3x3 conv | 0 | {rows[-1].full:,} | 1 |")
    return "\n".join(lines)
