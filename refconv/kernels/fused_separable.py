"""Depthwise then pointwise, fused: one Numba kernel, the intermediate one band at a time.

For one image ``n``, a band of output rows ``i0 <= i < i1`` (``P = (i1 - i0) * W_out``
pixels) and a chunk of output channels ``o0 <= o < o1``, a task computes::

    mid = depthwise(x[n], rows i0 .. i1)           # (C*M, P)    this thread's workspace
    out[n, o0:o1, i0:i1] = pw[o0:o1] @ mid + bias   # (o1-o0, P)  straight into the output

so the ``(N, C*M, H_out, W_out)`` intermediate of the two-call composition never exists: each
band of it is written and read back while it is still in the core's cache
(:mod:`.fused_plan` sizes the bands; :func:`refconv.kernels.choose_separable` says when
``method="auto"`` uses this kernel).

The depthwise step of a 3x3 kernel with dilation 1 and column stride 1 or 2 reads the input
where it lies (:func:`rows3x3`): its nine taps in one pass (:func:`.taps3x3.taps3x3`),
with "same" padding and stride 1 the band's inside rows as one flat run, as
:mod:`.depthwise3x3` does. Any other kernel first copies the input rows its band reads into a
zero-bordered tile (:func:`.depthwise.load_tile`), then, with unit strides, runs each tap once
over the whole band (the tile's rows as one flat run, :func:`depthwise_band`), else one
:func:`.rows.axpy` pass per tap and row. The tiles make every product with a padded zero, as
the reference loops do (an Inf weight beside the padding gives NaN there, as in SciPy); the
3x3 path skips them, so :mod:`.fused` gives a call with padding and an Inf or NaN weight to
the tiles.

The pointwise step is a GEMM (:func:`.gemm.matmul`, ``use_gemm``) or, for a few channels
(the TDS example's 3 -> 256), one :func:`.rows.axpy` pass per (output, intermediate) channel
pair over the band: no BLAS call, so no BLAS threads to pin around the launch.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange, uint64

from .depthwise import load_tile
from .gemm import matmul
from .rows import axpy, copy_row, fill, inside
from .runtime import INLINE_JIT, SERIAL_JIT, kernel
from .taps3x3 import inside_edges3x3, point3x3, row_source, taps2x3, taps3x3


@INLINE_JIT
def add_constant(dst: np.ndarray, d0: int, count: int, value: float) -> None:
    """``dst[d0 + k] += value`` for ``k < count`` (a flat array): a bias after a GEMM."""
    d = uint64(d0)
    for k in range(count):
        dst[d + uint64(k)] += value


@INLINE_JIT
def rows3x3(
    mid: np.ndarray,
    d0: int,
    xf: np.ndarray,
    zeros: np.ndarray,
    plane: int,
    height: int,
    width: int,
    kernel: np.ndarray,
    i0: int,
    i1: int,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    w_out: int,
) -> None:
    """Output rows ``[i0, i1)`` of one 3x3 channel (dilation 1, column stride 1 or 2) into the
    flat ``mid`` from ``d0``, read straight from the input.

    "Same" padding with stride 1: the band's inside rows as one flat run, then their first
    and last columns (six taps each, :func:`.taps3x3.inside_edges3x3`) and the plane's
    first and last rows (two input rows, :func:`.taps3x3.taps2x3`). Otherwise row by
    row: the columns whose three taps lie inside the row in one fused pass
    (:func:`.taps3x3.taps3x3`, a padded row read from ``zeros``), the few border columns
    one by one (:func:`.taps3x3.point3x3`), skipping the taps in the padding. The same
    helpers as the depthwise kernel's, with no bias: the pointwise step adds the block's.
    """
    k00, k01, k02 = kernel[0, 0], kernel[0, 1], kernel[0, 2]
    k10, k11, k12 = kernel[1, 0], kernel[1, 1], kernel[1, 2]
    k20, k21, k22 = kernel[2, 0], kernel[2, 1], kernel[2, 2]
    # "same" padding, stride 1: the plane's inside rows as ONE flat run (output f reads input
    # f - W - 1 + p*W + q); only their columns 0 and W - 1 wrap around into the neighbouring
    # rows, and are computed again one by one below (as depthwise3x3 does)
    flat = sh == sw == pt == pl == 1 and w_out == width and height >= 3 and width >= 3
    if flat and min(i1, height - 1) > max(i0, 1):
        f_lo, f_hi = max(i0, 1) * width + 1, min(i1, height - 1) * width - 1
        src = plane + f_lo - width - 1
        taps3x3(
            mid,
            d0 + f_lo - i0 * width,
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
            0.0,
            1,
        )
    j_lo, j_hi = inside(-pl, sw, width - 2, w_out)  # columns whose 3 taps are all inside
    for i in range(i0, i1):
        ih = i * sh - pt  # input row of tap row 0
        row = d0 + (i - i0) * w_out
        if flat and 0 < i < height - 1:  # done above, but for its first and last columns
            inside_edges3x3(mid, row, xf, plane + ih * width, width, kernel, 0.0)
            continue
        if flat:  # the plane's first or last row: two input rows, the third is padding
            top = plane + (0 if i == 0 else (height - 2) * width)  # x[0, 0] or x[H - 2, 0]
            if i == 0:  # taps rows 1 and 2 read input rows 0 and 1
                taps2x3(
                    mid, row + 1, xf, top, top + width, width - 2, k10, k11, k12, k20, k21, k22, 0.0
                )
            else:  # taps rows 0 and 1 read input rows H - 2 and H - 1
                taps2x3(
                    mid, row + 1, xf, top, top + width, width - 2, k00, k01, k02, k10, k11, k12, 0.0
                )
            ih0 = -1 if i == 0 else height - 2
            mid[uint64(row)] = point3x3(xf, plane, height, width, ih0, -1, kernel, 0.0)
            mid[uint64(row + width - 1)] = point3x3(
                xf, plane, height, width, ih0, width - 2, kernel, 0.0
            )
            continue
        if j_hi > j_lo:
            column = j_lo * sw - pl
            s0, o0 = row_source(xf, zeros, plane, ih, height, width, column)
            s1, o1 = row_source(xf, zeros, plane, ih + 1, height, width, column)
            s2, o2 = row_source(xf, zeros, plane, ih + 2, height, width, column)
            taps3x3(
                mid,
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
                0.0,
                sw,
            )
        for j in range(min(j_lo, w_out)):
            mid[uint64(row + j)] = point3x3(xf, plane, height, width, ih, j * sw - pl, kernel, 0.0)
        for j in range(max(j_hi, j_lo), w_out):
            mid[uint64(row + j)] = point3x3(xf, plane, height, width, ih, j * sw - pl, kernel, 0.0)


@SERIAL_JIT
def depthwise_band(
    mid: np.ndarray,
    tile: np.ndarray,
    zeros: np.ndarray,
    xf: np.ndarray,
    plane: int,
    height: int,
    width: int,
    w: np.ndarray,
    c: int,
    multiplier: int,
    i0: int,
    i1: int,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    w_out: int,
    straight: bool,
) -> None:
    """Output rows ``[i0, i1)`` of the depthwise channels that read input channel ``c``
    (``c*M .. c*M + M - 1``, Keras' order), into the flat ``mid``: channel ``o`` of the band
    starts at ``o * (i1 - i0) * w_out``.

    ``plane`` is the flat index of ``x[n, c, 0, 0]``, ``w`` the ``(C*M, 1, kH, kW)`` kernel.
    ``straight``: a 3x3 kernel read straight from the input (:func:`rows3x3`); otherwise the
    band's input rows are copied into a zero-bordered ``tile`` first (with stride 1, the
    ``tile`` holds one channel of the band after them, ``tile_w`` values a row).
    """
    k_h, k_w = w.shape[2], w.shape[3]
    rows = i1 - i0
    size = rows * w_out  # values of one channel of the band
    if straight:
        for m in range(multiplier):
            o = c * multiplier + m
            rows3x3(
                mid,
                o * size,
                xf,
                zeros,
                plane,
                height,
                width,
                w[o, 0],
                i0,
                i1,
                sh,
                sw,
                pt,
                pl,
                w_out,
            )
        return
    tile_w = (w_out - 1) * sw + (k_w - 1) * dw + 1  # padded input columns one row reads
    tile_rows = (rows - 1) * sh + (k_h - 1) * dh + 1
    load_tile(tile, tile_rows, tile_w, xf, plane, height, width, i0 * sh - pt, pl)
    wide = tile_rows * tile_w  # after the tile: one channel of the band, tile_w a row
    span = (rows - 1) * tile_w + w_out  # from output (0, 0) to output (rows - 1, w_out - 1)
    for m in range(multiplier):
        o = c * multiplier + m
        kernel = w[o, 0]  # (kH, kW)
        if sh == 1 and sw == 1:
            # the band as one flat run over the tile's rows: output (r, j) at wide + r*tile_w
            # + j reads tile[r*tile_w + j + p*dh*tile_w + q*dw] -- one pass per tap instead
            # of one per tap and row (rows of 8 outputs were mostly loop overhead); the
            # values at columns j >= w_out of each row are computed and never used
            fill(tile, wide, span, 0.0)
            for p in range(k_h):
                for q in range(k_w):
                    axpy(tile, wide, tile, p * dh * tile_w + q * dw, span, kernel[p, q], 1)
            for r in range(rows):
                copy_row(mid, o * size + r * w_out, tile, wide + r * tile_w, 0, w_out, 1)
            continue
        for r in range(rows):
            dst = o * size + r * w_out
            src = r * sh * tile_w  # tile index of tap (0, 0) for output column 0
            fill(mid, dst, w_out, 0.0)
            for p in range(k_h):
                for q in range(k_w):
                    axpy(mid, dst, tile, src + p * dh * tile_w + q * dw, w_out, kernel[p, q], sw)


@kernel
def separable_bands(
    x: np.ndarray,
    dw_weight: np.ndarray,
    pw2: np.ndarray,
    b: np.ndarray,
    has_bias: bool,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    band: int,
    chunk: int,
    tiles: np.ndarray,
    mids: np.ndarray,
    zeros: np.ndarray,
    straight: bool,
    gemm: int,
    use_gemm: bool,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_mid = dw_weight.shape[0]
    multiplier = c_mid // c_in
    c_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3]
    plane_out = h_out * w_out
    bands = (h_out + band - 1) // band
    chunks = (c_out + chunk - 1) // chunk
    xf = x.reshape(-1)
    of = out.reshape(-1)
    out3 = out.reshape(n_batch, c_out, plane_out)
    for t in prange(n_batch * bands * chunks):  # t = (n, band, chunk): disjoint output blocks
        o0 = (t % chunks) * chunk
        o1 = min(c_out, o0 + chunk)
        i0 = ((t // chunks) % bands) * band
        i1 = min(h_out, i0 + band)
        n = t // (chunks * bands)
        size = (i1 - i0) * w_out  # pixels of the band
        me = 0 if tiles.shape[0] == 1 else numba.get_thread_id()  # its workspaces' row
        tile = tiles[me]
        mid = mids[me]  # (C*M, size), flat
        for c in range(c_in):
            depthwise_band(
                mid,
                tile,
                zeros,
                xf,
                (n * c_in + c) * height * width,
                height,
                width,
                dw_weight,
                c,
                multiplier,
                i0,
                i1,
                sh,
                sw,
                pt,
                pl,
                dh,
                dw,
                w_out,
                straight,
            )
        base = n * c_out * plane_out + i0 * w_out  # flat index of out[n, 0, i0, 0]
        if use_gemm:
            block = out3[n, o0:o1, i0 * w_out : i1 * w_out]  # (o1-o0, size), rows plane apart
            matmul(gemm, pw2[o0:o1], mid[: c_mid * size].reshape(c_mid, size), block)
            if has_bias:
                for o in range(o0, o1):
                    add_constant(of, base + o * plane_out, size, b[o])
        else:
            for o in range(o0, o1):
                dst = base + o * plane_out  # out[n, o, i0:i1, :] is contiguous: size values
                fill(of, dst, size, b[o])
                for k in range(c_mid):
                    axpy(of, dst, mid, k * size, size, pw2[o, k], 1)
    return out
