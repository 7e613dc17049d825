"""``spatial_separable_conv2d``: a ``K x 1`` pass, then a ``1 x K`` pass.

A 2-D kernel that is a column times a row, ``np.outer(column, row)``, can be applied in two
1-D passes: first the ``kH x 1`` column down each column of the image, then the ``1 x kW`` row
along each row. The result is the ``conv2d`` with the full kernel, for ``kH + kW``
multiplications per pixel instead of ``kH * kW``. Each pass takes the stride, padding and
dilation of the axis it filters: ``stride=(sh, sw)`` becomes ``(sh, 1)`` then ``(1, sw)``.

With several channels there are two forms:

* per channel (``groups=C_in``): column ``(C_in, 1, kH, 1)``, row ``(C_in * M, 1, 1, kW)``;
  output channel ``c * M + m`` is channel ``c`` filtered by ``np.outer(column[c],
  row[c * M + m])``, a depthwise convolution with rank-1 kernels;
* channel-mixing (``groups=1``): column ``(R, C_in, kH, 1)``, row ``(C_out, R, 1, kW)``; the
  pair is one ``conv2d`` whose kernels ``W[o, c] = sum over r of np.outer(column[r, c],
  row[o, r])`` are sums of ``R`` rank-1 kernels, no longer rank 1.

A worked example, the Sobel kernel ``np.outer([1, 2, 1], [-1, 0, 1])`` on a ``(1, 3, 3)``
image:

>>> import numpy as np
>>> from refconv import spatial_separable_conv2d
>>> x = np.arange(9).reshape(1, 3, 3)  # (C_in, H, W)
>>> column, row = np.array([1, 2, 1]).reshape(1, 1, 3, 1), np.array([-1, 0, 1]).reshape(1, 1, 1, 3)
>>> spatial_separable_conv2d(x, column, row)  # (1, 1, 1): 4 * 2 (right - left columns)
array([[[8.]]])

:func:`example` prints the passes, the split of stride/padding/dilation, and a grid of
cases checked against ``conv2d`` (section 5 of docs/families.md).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ...functional import conv2d, spatial_separable_conv2d
from ..correlation import scipy_correlate_valid as corr
from ..page import Array, Check, Item, Text, header

__all__ = ["DILATIONS", "KERNELS", "MODES", "PADDINGS", "STRIDES", "example", "grid_cases"]

PADDINGS: list[Any] = [0, 1, 2, (1, 2), ((2, 0), (1, 3)), "valid", "same"]
MODES = ["zeros", "reflect", "replicate", "circular"]
STRIDES: list[Any] = [1, 2, (2, 1), (1, 3)]
DILATIONS: list[Any] = [1, 2, (2, 1)]
KERNELS = [(3, 3), (2, 4)]


def grid_cases(x: np.ndarray, rng: np.random.Generator, groups: int, mult: int) -> tuple[int, int]:
    """Compare ``spatial_separable_conv2d`` with ``conv2d`` over the grid of settings.

    Every combination of :data:`KERNELS`, :data:`PADDINGS`, :data:`MODES`, :data:`STRIDES` and
    :data:`DILATIONS` (672 in all), with random integer factors drawn from ``rng``.

    Parameters
    ----------
    x : ndarray, shape (C_in, H, W)
    rng : numpy.random.Generator
    groups : int
        1 for one channel in and one out (``x`` must then have one channel), ``C_in`` for the
        per-channel form.
    mult : int
        ``M``, the output channels per input channel of the per-channel form.

    Returns
    -------
    cases, equal : int
        How many settings were tried, and in how many the two outputs were equal (same shape,
        same values).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> grid_cases(rng.integers(-5, 6, size=(1, 9, 10)), rng, groups=1, mult=1)
    (672, 672)
    """
    c_in = x.shape[0]
    cases = equal = 0
    for (k_h, k_w), padding, mode, stride, dilation in itertools.product(
        KERNELS, PADDINGS, MODES, STRIDES, DILATIONS
    ):
        if groups == 1:  # one channel in, one out
            col = rng.integers(-3, 4, size=(1, 1, k_h, 1))
            row = rng.integers(-3, 4, size=(1, 1, 1, k_w))
            full = np.outer(col.ravel(), row.ravel())[None, None]  # (1, 1, kH, kW)
        else:  # per channel: column (C_in, 1, kH, 1), row (C_in * M, 1, 1, kW)
            col = rng.integers(-3, 4, size=(c_in, 1, k_h, 1))
            row = rng.integers(-3, 4, size=(c_in * mult, 1, 1, k_w))
            full = np.stack(
                [np.outer(col[j // mult].ravel(), row[j].ravel())[None] for j in range(c_in * mult)]
            )  # (C_in * M, 1, kH, kW)
        args = {
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
            "padding_mode": mode,
            "groups": groups,
        }
        sep = spatial_separable_conv2d(x, col, row, **args)
        ref = conv2d(x, full, **args)
        cases += 1
        equal += int(sep.shape == ref.shape and np.array_equal(sep, ref))
    return cases, equal


def example() -> list[Item]:
    """Section 5: the two passes by hand, the split of the arguments, the grid, both forms.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        In print order: the two passes on a 5x5 image, the split of stride, padding and
        dilation, the grid counts, and the channel-mixing form with its kernels' ranks.

    Examples
    --------
    >>> from refconv.explain.page import array, failed
    >>> items = example()
    >>> array(items, "after the 1x3 pass (row [-1, 0, 1])")[0].tolist(), failed(items)
    ([-6.0, -6.0, 1.0], [])
    """
    items = header("5. spatial_separable_conv2d: K x 1, then 1 x K")
    x = np.arange(25).reshape(1, 5, 5) % 7  # (C_in, H, W) = (1, 5, 5)
    col = np.array([1, 2, 1])
    row = np.array([-1, 0, 1])
    mid = conv2d(x, col.reshape(1, 1, 3, 1))  # the K x 1 pass: (1, 3, 5)
    y = spatial_separable_conv2d(x, col.reshape(1, 1, 3, 1), row.reshape(1, 1, 1, 3))  # (1, 3, 3)
    items += [
        Array("x[0]", x[0]),
        Array("np.outer(column, row)", np.outer(col, row)),
        Array("after the 3x1 pass (column [1, 2, 1])", mid[0]),
        Array("after the 1x3 pass (row [-1, 0, 1])", y[0]),
        Array("correlate2d(x[0], np.outer(column, row))", corr(x[0], np.outer(col, row))),
        Text(f"shapes: x {x.shape} -> {mid.shape} -> {y.shape}"),
    ]

    # each pass takes the stride, padding and dilation of the axis it filters
    xs = x[None].astype(np.float64)  # (N, C_in, H, W) = (1, 1, 5, 5)
    s, p, d = (2, 3), ((2, 0), (1, 3)), (2, 1)
    first = conv2d(
        xs, col.reshape(1, 1, 3, 1), stride=(s[0], 1), padding=(p[0], (0, 0)), dilation=(d[0], 1)
    )
    second = conv2d(
        first, row.reshape(1, 1, 1, 3), stride=(1, s[1]), padding=((0, 0), p[1]), dilation=(1, d[1])
    )
    one = spatial_separable_conv2d(
        xs, col.reshape(1, 1, 3, 1), row.reshape(1, 1, 1, 3), stride=s, padding=p, dilation=d
    )
    full = conv2d(xs, np.outer(col, row)[None, None], stride=s, padding=p, dilation=d)
    items += [
        Text(f"split of stride={s}, padding={p}, dilation={d}:"),
        Text(
            f"  3x1 pass: stride ({s[0]}, 1), padding ({p[0]}, (0, 0)), dilation ({d[0]}, 1) "
            f"-> {first.shape}"
        ),
        Text(
            f"  1x3 pass: stride (1, {s[1]}), padding ((0, 0), {p[1]}), dilation (1, {d[1]}) "
            f"-> {second.shape}"
        ),
        Text(f"  conv2d with the 3x3 kernel -> {full.shape}"),
        Check(
            "two conv2d passes == spatial_separable_conv2d == conv2d(outer)",
            np.array_equal(second, one) and np.array_equal(one, full),
        ),
    ]

    rng = np.random.default_rng(5)
    items.append(
        Text(
            f"grid: {len(KERNELS)} kernels x {len(PADDINGS)} paddings x "
            f"{len(MODES)} modes x {len(STRIDES)} strides x {len(DILATIONS)} dilations"
        )
    )
    cases, equal = grid_cases(rng.integers(-5, 6, size=(1, 9, 10)), rng, groups=1, mult=1)
    items.append(Text(f"one channel: {equal} of {cases} cases equal conv2d(np.outer(column, row))"))
    cases, equal = grid_cases(rng.integers(-5, 6, size=(3, 9, 10)), rng, groups=3, mult=2)
    items.append(
        Text(
            f"per channel (groups=C_in=3, M=2): {equal} of {cases} cases equal conv2d "
            f"with W[c*M+m] = np.outer(column[c], row[c*M+m])"
        )
    )

    xm = rng.integers(-3, 4, size=(3, 8, 8))  # C_in = 3
    cm = rng.integers(-2, 3, size=(4, 3, 3, 1))  # (R, C_in, kH, 1): 3 -> 4 channels
    rm = rng.integers(-2, 3, size=(5, 4, 1, 3))  # (C_out, R, 1, kW): 4 -> 5 channels
    ym = spatial_separable_conv2d(xm, cm, rm, padding=1)  # (5, 8, 8)
    wm = np.einsum("rcp,orq->ocpq", cm[..., 0], rm[:, :, 0])  # (C_out, C_in, kH, kW)
    ranks = sorted({int(np.linalg.matrix_rank(wm[o, c])) for o in range(5) for c in range(3)})
    items += [
        Text(
            f"channel-mixing (groups=1): x {xm.shape}, column {cm.shape}, row {rm.shape} "
            f"-> y {ym.shape}"
        ),
        Check(
            "channel-mixing == conv2d with W[o, c] = sum_r np.outer(column[r, c], row[o, r])",
            np.array_equal(ym, conv2d(xm, wm, padding=1)),
        ),
        Text(f"ranks of those 3x3 kernels W[o, c]: {ranks} (at most R = 4, not 1)"),
    ]
    return items
