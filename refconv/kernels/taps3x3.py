"""The 3x3 row steps of the depthwise kernels: the nine taps of a row of outputs in one pass.

Each function computes outputs of one plane of a 3x3 depthwise convolution, a row (or a
run of rows) at a time, with the nine weights passed as nine numbers and every load
unit-stride where it can be:

* :func:`taps3x3`: ``count`` outputs from three input rows, column stride 1 or 2;
* :func:`taps3x3_split`: the same from rows split into their even and odd columns (stride 2,
  :func:`~.rows.split_rows`), so that every load is unit-stride;
* :func:`taps2x3`: a row with one of its three input rows in the padding (two rows of taps);
* :func:`inside_edges3x3`: the first and last columns of a "same"-padded plane computed as
  one flat run, which wrapped around into the neighbouring rows;
* :func:`point3x3`: one output, every tap checked against the image (edges, odd shapes);
* :func:`row_source`: the (array, offset) of an input row, a row of zeros in the padding.

They are inlined into the kernels that call them (:mod:`.depthwise3x3`, and the fused
depthwise + pointwise block, :mod:`.fused_separable`): as calls, once a row, they cost as
much as the row.
"""

from __future__ import annotations

import numpy as np
from numba import uint64

from .runtime import INLINE_JIT


@INLINE_JIT
def taps3x3(
    dst: np.ndarray,
    d0: int,
    s0: np.ndarray,
    o0: int,
    s1: np.ndarray,
    o1: int,
    s2: np.ndarray,
    o2: int,
    count: int,
    k00: float,
    k01: float,
    k02: float,
    k10: float,
    k11: float,
    k12: float,
    k20: float,
    k21: float,
    k22: float,
    bias: float,
    stride: int,
) -> None:
    """``count`` outputs of the 3x3 kernel ``kpq``, all nine taps fused in one pass.

    ``dst[d0 + j] = bias + sum_q k0q*s0[o0 + j*stride + q] + k1q*s1[o1 + ...] + k2q*s2[o2 + ...]``:
    the three input rows come as (array, offset) pairs, so a row of padding can be an array of
    zeros. The weights come as nine numbers read once per plane: passed as an array, they were
    loaded again for every row (the compiler cannot prove that writing ``dst`` leaves them
    unchanged), which made 28-wide rows 1.35-1.8x slower (``python scripts/traps.py --traps
    weights``).
    """
    d = uint64(d0)
    r0, r1, r2 = uint64(o0), uint64(o1), uint64(o2)
    one, two = uint64(1), uint64(2)
    if stride == 1:
        for j in range(count):
            u = uint64(j)
            # summed as a tree, not a chain: four independent FMA chains instead of nine
            # dependent ones, so the FMA latency no longer sets the pace
            top = k00 * s0[r0 + u] + k01 * s0[r0 + u + one] + k02 * s0[r0 + u + two]
            mid = k10 * s1[r1 + u] + k11 * s1[r1 + u + one] + k12 * s1[r1 + u + two]
            low = k20 * s2[r2 + u] + k21 * s2[r2 + u + one] + k22 * s2[r2 + u + two]
            dst[d + u] = (bias + top) + (mid + low)
    else:  # stride 2
        for j in range(count):
            u = two * uint64(j)
            top = k00 * s0[r0 + u] + k01 * s0[r0 + u + one] + k02 * s0[r0 + u + two]
            mid = k10 * s1[r1 + u] + k11 * s1[r1 + u + one] + k12 * s1[r1 + u + two]
            low = k20 * s2[r2 + u] + k21 * s2[r2 + u + one] + k22 * s2[r2 + u + two]
            dst[d + uint64(j)] = (bias + top) + (mid + low)


@INLINE_JIT
def taps3x3_split(
    dst: np.ndarray,
    d0: int,
    even: np.ndarray,
    odd: np.ndarray,
    o0: int,
    o1: int,
    o2: int,
    count: int,
    k00: float,
    k01: float,
    k02: float,
    k10: float,
    k11: float,
    k12: float,
    k20: float,
    k21: float,
    k22: float,
    bias: float,
) -> None:
    """``count`` outputs of the 3x3 kernel ``kpq`` with column stride 2, from split rows.

    Output ``j`` reads padded columns ``2j``, ``2j + 1`` and ``2j + 2`` of each input row, that
    is values ``j`` and ``j + 1`` of the row's even columns and value ``j`` of its odd ones
    (see :func:`split_rows`): three unit-stride loads per row, where the unsplit row needs
    loads two values apart, which LLVM compiles to shuffles and scalar inserts.
    """
    d = uint64(d0)
    r0, r1, r2 = uint64(o0), uint64(o1), uint64(o2)
    one = uint64(1)
    for j in range(count):
        u = uint64(j)
        top = k00 * even[r0 + u] + k01 * odd[r0 + u] + k02 * even[r0 + u + one]
        mid = k10 * even[r1 + u] + k11 * odd[r1 + u] + k12 * even[r1 + u + one]
        low = k20 * even[r2 + u] + k21 * odd[r2 + u] + k22 * even[r2 + u + one]
        dst[d + u] = (bias + top) + (mid + low)


@INLINE_JIT
def taps2x3(
    dst: np.ndarray,
    d0: int,
    src: np.ndarray,
    o1: int,
    o2: int,
    count: int,
    k0: float,
    k1: float,
    k2: float,
    m0: float,
    m1: float,
    m2: float,
    bias: float,
) -> None:
    """``dst[d0 + j] = bias + sum_q k_q*src[o1 + j + q] + m_q*src[o2 + j + q]``: a row of a
    "same" 3x3 output whose third input row is padding (the first or last row of a plane).

    ``taps3x3`` with a row of zeros gives the same values, bit for bit, but also loads and
    multiplies the zero row; this pass skips that work."""
    d = uint64(d0)
    r1, r2 = uint64(o1), uint64(o2)
    one, two = uint64(1), uint64(2)
    for j in range(count):
        u = uint64(j)
        up = k0 * src[r1 + u] + k1 * src[r1 + u + one] + k2 * src[r1 + u + two]
        down = m0 * src[r2 + u] + m1 * src[r2 + u + one] + m2 * src[r2 + u + two]
        dst[d + u] = bias + (up + down)


@INLINE_JIT
def inside_edges3x3(
    dst: np.ndarray,
    row: int,
    xf: np.ndarray,
    above: int,
    width: int,
    kernel: np.ndarray,
    bias: float,
) -> None:
    """Columns 0 and W - 1 of an inside row of a "same" 3x3 output (stride 1), from its six
    taps inside the image: ``row`` is the flat index of the output row, ``above`` that of the
    input row above it. The flat run over the plane computes every other column; these two
    wrap around into the neighbouring rows there and are written again here.

    Unsigned indices: a signed one costs a wrap-around test per load, which made these 2 x 6
    taps per row cost as much as the 26 vectorised outputs beside them."""
    k00, k01, k02 = kernel[0, 0], kernel[0, 1], kernel[0, 2]
    k10, k11, k12 = kernel[1, 0], kernel[1, 1], kernel[1, 2]
    k20, k21, k22 = kernel[2, 0], kernel[2, 1], kernel[2, 2]
    r, a = uint64(row), uint64(above)  # a: x[i - 1, 0]: column 0 reads columns 0 and 1
    wu, one, two = uint64(width), uint64(1), uint64(2)
    dst[r] = bias + (
        (k01 * xf[a] + k02 * xf[a + one])
        + (k11 * xf[a + wu] + k12 * xf[a + wu + one])
        + (k21 * xf[a + two * wu] + k22 * xf[a + two * wu + one])
    )
    e = a + wu - two  # x[i - 1, W - 2]: column W - 1 reads W - 2 and W - 1
    dst[r + wu - one] = bias + (
        (k00 * xf[e] + k01 * xf[e + one])
        + (k10 * xf[e + wu] + k11 * xf[e + wu + one])
        + (k20 * xf[e + two * wu] + k21 * xf[e + two * wu + one])
    )


@INLINE_JIT
def point3x3(
    xf: np.ndarray,
    plane: int,
    height: int,
    width: int,
    ih0: int,
    iw0: int,
    kernel: np.ndarray,
    bias: float,
) -> float:
    """One output of a 3x3 kernel: ``bias + sum kernel[p, q] * x[ih0 + p, iw0 + q]`` over the
    taps that fall inside the image (``plane``: flat index of the plane's first value). The
    index is unsigned once checked, so no wrap-around test is compiled for the load."""
    acc = bias
    for p in range(3):
        ih = ih0 + p
        if 0 <= ih < height:
            for q in range(3):
                iw = iw0 + q
                if 0 <= iw < width:
                    acc += kernel[p, q] * xf[uint64(plane + ih * width + iw)]
    return acc


@INLINE_JIT
def row_source(
    xf: np.ndarray,
    zeros: np.ndarray,
    plane: int,
    ih: int,
    height: int,
    width: int,
    column: int,
) -> tuple[np.ndarray, int]:
    """The (array, offset) of input value ``x[ih, column]``: a row outside the image reads the
    zero row instead."""
    if 0 <= ih < height:
        return xf, plane + ih * width + column
    return zeros, column
