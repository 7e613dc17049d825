"""Depthwise 3x3 kernels: the nine taps of a 3x3 kernel fused in one pass, straight from
the input.

A depthwise convolution (one input channel per group) reads each input plane once per
output channel; with a 3x3 kernel the work per output is nine multiply-adds, so the cost is
in the loads. These kernels keep them few and unit-stride:

* :func:`depthwise3x3` (column stride 1 or 2, dilation 1): the nine taps of a row of outputs
  in one pass (:func:`taps3x3`). With "same" padding and stride 1 the rows of a plane are one
  flat run, and only the first and last columns, which wrap around into the neighbouring rows,
  are computed again one by one; otherwise row by row, a padded row read from a row of zeros.
* :func:`depthwise3x3_s2` (column stride 2, output rows of at least
  :data:`~.depthwise.SPLIT_MIN_OUTPUTS`): the input rows are first split into their even and
  odd columns (:func:`~.rows.split_rows`), so that every tap becomes a unit-stride load.

Both are parallel over bands of output rows (not only channels, so a single-channel image
keeps every core busy); :mod:`.depthwise` plans the bands and picks the kernel.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange, uint64

from .rows import band, inside, split_rows
from .runtime import INLINE_JIT, kernel


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
def _taps3x3_split(
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


@kernel
def depthwise3x3(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    rows_per_task: int,
    zeros: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_out = w.shape[0]
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    j_lo, j_hi = inside(-pl, sw, width - 2, w_out)  # columns whose 3 taps are all inside
    # "same" 3x3: the output plane has the input's shape and row length
    flat = (
        sh == 1
        and sw == 1
        and pt == 1
        and pl == 1
        and h_out == height
        and w_out == width
        and height >= 3
        and width >= 3
    )
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = band(t, blocks, rows_per_task, h_out, c_out, multiplier)
        plane = (n * c_in + c) * height * width  # flat index of x[n, c, 0, 0]
        plane_out = (n * c_out + o) * h_out * w_out  # flat index of out[n, o, 0, 0]
        kernel = w[o, 0]  # (3, 3); the border points read it, the fused loops take numbers
        bias = b[o]
        k00, k01, k02 = kernel[0, 0], kernel[0, 1], kernel[0, 2]
        k10, k11, k12 = kernel[1, 0], kernel[1, 1], kernel[1, 2]
        k20, k21, k22 = kernel[2, 0], kernel[2, 1], kernel[2, 2]
        if flat:
            # Rows 1 .. H-2 as one run over the flat plane: output f reads input
            # f - W - 1 + p*W + q. Only columns 0 and W-1 read wrong values (they wrap around
            # into the neighbouring row), so they are computed again, one by one, below; the
            # first and last rows, which read a row of padding, come after them.
            f_lo = max(i0 * width, width + 1)
            f_hi = min(i1 * width, (height - 1) * width - 1)
            if f_hi > f_lo:
                src = plane + f_lo - width - 1
                taps3x3(
                    of,
                    plane_out + f_lo,
                    xf,
                    src,
                    xf,
                    src + width,
                    xf,
                    src + 2 * width,
                    f_hi - f_lo,
                    k00,
                    k01,
                    k02,
                    k10,
                    k11,
                    k12,
                    k20,
                    k21,
                    k22,
                    bias,
                    1,
                )
            for i in range(max(i0, 1), min(i1, height - 1)):
                inside_edges3x3(
                    of,
                    plane_out + i * width,
                    xf,
                    plane + (i - 1) * width,
                    width,
                    kernel,
                    bias,
                )
            # the first and last rows: two input rows, the third is padding
            if i0 == 0:
                taps2x3(
                    of,
                    plane_out + 1,
                    xf,
                    plane,
                    plane + width,
                    width - 2,
                    k10,
                    k11,
                    k12,
                    k20,
                    k21,
                    k22,
                    bias,
                )
            if i1 == height:
                a = plane + (height - 2) * width
                taps2x3(
                    of,
                    plane_out + (height - 1) * width + 1,
                    xf,
                    a,
                    a + width,
                    width - 2,
                    k00,
                    k01,
                    k02,
                    k10,
                    k11,
                    k12,
                    bias,
                )
        for i in range(i0, i1):
            ih = i * sh - pt  # input row of tap row 0
            row = plane_out + i * w_out
            if flat and 0 < i < height - 1:
                continue  # done above
            if not flat and j_hi > j_lo:
                column = j_lo * sw - pl
                s0, o0 = row_source(xf, zeros, plane, ih, height, width, column)
                s1, o1 = row_source(xf, zeros, plane, ih + 1, height, width, column)
                s2, o2 = row_source(xf, zeros, plane, ih + 2, height, width, column)
                taps3x3(
                    of,
                    row + j_lo,
                    s0,
                    o0,
                    s1,
                    o1,
                    s2,
                    o2,
                    j_hi - j_lo,
                    k00,
                    k01,
                    k02,
                    k10,
                    k11,
                    k12,
                    k20,
                    k21,
                    k22,
                    bias,
                    sw,
                )
            # the border columns, one by one ("same" planes: the corners of rows 0 and H-1)
            for j in range(min(j_lo, w_out)):
                of[uint64(row + j)] = point3x3(
                    xf, plane, height, width, ih, j * sw - pl, kernel, bias
                )
            for j in range(max(j_hi, j_lo), w_out):
                of[uint64(row + j)] = point3x3(
                    xf, plane, height, width, ih, j * sw - pl, kernel, bias
                )
    return out


@kernel
def depthwise3x3_s2(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    sh: int,
    pt: int,
    pl: int,
    rows_per_task: int,
    evens: np.ndarray,
    odds: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_out = w.shape[0]
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    half = w_out + 1  # values per split row: output j reads even values j, j + 1 and odd j
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = band(t, blocks, rows_per_task, h_out, c_out, multiplier)
        thread = numba.get_thread_id()
        even = evens[thread]  # this thread's own (tile_rows, half) buffers, flat
        odd = odds[thread]
        split_rows(
            even,
            odd,
            (i1 - 1 - i0) * sh + 3,
            half,
            xf,
            (n * c_in + c) * height * width,
            height,
            width,
            i0 * sh - pt,
            pl,
        )
        kernel = w[o, 0]
        bias = b[o]
        k00, k01, k02 = kernel[0, 0], kernel[0, 1], kernel[0, 2]
        k10, k11, k12 = kernel[1, 0], kernel[1, 1], kernel[1, 2]
        k20, k21, k22 = kernel[2, 0], kernel[2, 1], kernel[2, 2]
        for i in range(i0, i1):
            r = (i - i0) * sh * half  # split-row index of tap row 0
            _taps3x3_split(
                of,
                ((n * c_out + o) * h_out + i) * w_out,
                even,
                odd,
                r,
                r + half,
                r + 2 * half,
                w_out,
                k00,
                k01,
                k02,
                k10,
                k11,
                k12,
                k20,
                k21,
                k22,
                bias,
            )
    return out
