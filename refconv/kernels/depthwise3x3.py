"""Depthwise 3x3 kernels: the nine taps of a 3x3 kernel fused in one pass, straight from
the input.

A depthwise convolution (one input channel per group) reads each input plane once per
output channel; with a 3x3 kernel the work per output is nine multiply-adds, so the cost is
in the loads. These kernels keep them few and unit-stride:

* :func:`depthwise3x3` (column stride 1 or 2, dilation 1): the nine taps of a row of outputs
  in one pass (:func:`.taps3x3.taps3x3`; the row steps are in :mod:`.taps3x3`). With "same"
  padding and stride 1 the rows of a plane are one flat run, and only the first and last
  columns, which wrap around into the neighbouring rows, are computed again one by one;
  otherwise row by row, a padded row read from a row of zeros.
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
from .runtime import kernel
from .taps3x3 import inside_edges3x3, point3x3, row_source, taps2x3, taps3x3, taps3x3_split


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
            taps3x3_split(
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
