"""K x 1 then 1 x K, fused: one Numba kernel, the intermediate one band at a time.

For one image ``n``, group ``g``, band of output rows ``r0 <= i < r0 + rows`` and chunk of
the group's output channels ``o0 <= o < o1``, a task computes::

    mid = column pass of x[n, group g], rows r0 ..      # (Rg, rows, W)        workspace
    out[n, g*Og + o0 : g*Og + o1, band] = row pass of mid + bias   # (o1-o0, rows, W_out)

(``Rg = R // groups`` intermediate channels, ``Og = C_out // groups``), so the
``(N, R, H_out, W)`` intermediate of the two-call composition never exists whole
(:mod:`.fused_plan` sizes the bands; :func:`refconv.kernels.choose_spatial` says when
``method="auto"`` uses this kernel).

Each pass is either a GEMM on the band's columns, as im2col computes it (``gemm1``,
``gemm2``)::

    cols1 (Cg*kH, rows*W)      row (c, p): input rows (r0 + r)*sh + p*dh - pt   (zeros: padding)
    mid   (Rg, rows*W)       = w1[g] (Rg, Cg*kH) @ cols1
    cols2 (Rg*kW, rows*W_out)  row (j, q): mid[j, r, i*sw + q*dw - pl]          (zeros: padding)
    out block                = w2[g, o0:o1] (o1-o0, Rg*kW) @ cols2

or direct loops, one :func:`.rows.axpy` pass per tap along a row, for thin passes (a few
channels per group, e.g. the per-channel form ``groups == C_in``). The loops skip the
products with padded zeros, as the direct kernel does; :mod:`.fused` sends a call with
padding and an Inf or NaN weight to the two-call path instead, where those products happen.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from .fused_separable import add_constant
from .gemm import matmul
from .rows import axpy, copy_row, fill, inside
from .runtime import SERIAL_JIT, kernel


@SERIAL_JIT
def column_band(
    cols: np.ndarray,
    xf: np.ndarray,
    plane0: int,
    c_group: int,
    height: int,
    width: int,
    k_h: int,
    sh: int,
    pt: int,
    dh: int,
    r0: int,
    rows: int,
) -> None:
    """``cols`` (Cg*kH, rows*W), flat: row ``(c, p)`` holds input rows ``(r0 + r)*sh + p*dh -
    pt`` of plane ``plane0 + c`` (whole rows: a K x 1 kernel reads every column), zeros for
    rows in the padding."""
    size = rows * width
    for c in range(c_group):
        for p in range(k_h):
            k = c * k_h + p
            for r in range(rows):
                dst = k * size + r * width
                ih = (r0 + r) * sh + p * dh - pt
                if 0 <= ih < height:
                    copy_row(cols, dst, xf, ((plane0 + c) * height + ih) * width, 0, width, 1)
                else:
                    fill(cols, dst, width, 0.0)


@SERIAL_JIT
def row_band(
    cols: np.ndarray,
    mid: np.ndarray,
    r_group: int,
    rows: int,
    width: int,
    k_w: int,
    sw: int,
    pl: int,
    dw: int,
    w_out: int,
) -> None:
    """``cols`` (Rg*kW, rows*W_out), flat: row ``(j, q)`` holds ``mid[j, r, i*sw + q*dw - pl]``
    for every band row ``r`` and output column ``i``, zeros where that column is padding."""
    size = rows * w_out
    for j in range(r_group):
        for q in range(k_w):
            k = j * k_w + q
            offset = q * dw - pl  # mid column of output column 0 for this tap
            lo, hi = inside(offset, sw, width, w_out)
            for r in range(rows):
                dst = k * size + r * w_out
                copy_row(cols, dst, mid, (j * rows + r) * width + lo * sw + offset, lo, hi, sw)
                fill(cols, dst + hi, w_out - hi, 0.0)


@kernel
def spatial_bands(
    x: np.ndarray,
    w1: np.ndarray,
    w2: np.ndarray,
    b: np.ndarray,
    has_bias: bool,
    sh: int,
    pt: int,
    dh: int,
    sw: int,
    pl: int,
    dw: int,
    band: int,
    chunk: int,
    cols1_ws: np.ndarray,
    mid_ws: np.ndarray,
    cols2_ws: np.ndarray,
    gemm: int,
    gemm1: bool,
    gemm2: bool,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    groups, r_group, k1 = w1.shape  # (groups, Rg, Cg*kH)
    o_group, k2 = w2.shape[1], w2.shape[2]  # (groups, Og, Rg*kW)
    c_group = c_in // groups
    k_h, k_w = k1 // c_group, k2 // r_group
    c_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3]
    plane_out = h_out * w_out
    bands = (h_out + band - 1) // band
    chunks = (o_group + chunk - 1) // chunk
    xf = x.reshape(-1)
    of = out.reshape(-1)
    out3 = out.reshape(n_batch, c_out, plane_out)
    for t in prange(n_batch * groups * bands * chunks):  # t = (n, g, band, chunk): disjoint
        o0 = (t % chunks) * chunk
        o1 = min(o_group, o0 + chunk)
        r0 = ((t // chunks) % bands) * band
        rows = min(h_out, r0 + band) - r0
        g = (t // (chunks * bands)) % groups
        n = t // (chunks * bands * groups)
        plane0 = n * c_in + g * c_group  # the group's first input plane
        size_mid, size = rows * width, rows * w_out
        me = 0 if mid_ws.shape[0] == 1 else numba.get_thread_id()  # its workspaces' row
        mid = mid_ws[me]  # (Rg, rows, W), flat
        # the K x 1 pass: the group's Rg intermediate channels, band rows
        if gemm1:
            cols = cols1_ws[me]
            column_band(cols, xf, plane0, c_group, height, width, k_h, sh, pt, dh, r0, rows)
            matmul(
                gemm,
                w1[g],
                cols[: k1 * size_mid].reshape(k1, size_mid),
                mid[: r_group * size_mid].reshape(r_group, size_mid),
            )
        else:
            for j in range(r_group):
                for r in range(rows):
                    dst = (j * rows + r) * width
                    fill(mid, dst, width, 0.0)
                    for c in range(c_group):
                        for p in range(k_h):
                            ih = (r0 + r) * sh + p * dh - pt
                            if 0 <= ih < height:
                                src = ((plane0 + c) * height + ih) * width
                                axpy(mid, dst, xf, src, width, w1[g, j, c * k_h + p], 1)
        # the 1 x K pass: output channels [o0, o1) of group g, straight into out
        first = g * o_group  # output channel of the group's first row
        base = n * c_out * plane_out + r0 * w_out  # flat index of out[n, 0, r0, 0]
        if gemm2:
            cols = cols2_ws[me]
            row_band(cols, mid, r_group, rows, width, k_w, sw, pl, dw, w_out)
            block = out3[n, first + o0 : first + o1, r0 * w_out : r0 * w_out + size]
            matmul(gemm, w2[g, o0:o1], cols[: k2 * size].reshape(k2, size), block)
            if has_bias:
                for o in range(first + o0, first + o1):
                    add_constant(of, base + o * plane_out, size, b[o])
            continue
        for o in range(o0, o1):
            for r in range(rows):
                dst = base + (first + o) * plane_out + r * w_out
                fill(of, dst, w_out, b[first + o])
                for j in range(r_group):
                    for q in range(k_w):
                        offset = q * dw - pl
                        lo, hi = inside(offset, sw, width, w_out)
                        if hi > lo:
                            src = (j * rows + r) * width + lo * sw + offset
                            axpy(of, dst + lo, mid, src, hi - lo, w2[g, o, j * k_w + q], sw)
    return out
