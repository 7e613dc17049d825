"""The gradients by direct loops, compiled by Numba: the reference's sums, gathered.

The reference scatters each output's gradient through its window; windows overlap, so two
threads scattering at once would add into the same pixel. These kernels gather instead: each
task computes values that no other task writes.

**Input gradient** (:func:`input_rows`), parallel over input rows ``(n, c, h)``. Row ``h``
of ``x`` was read through tap ``p`` by the output row ``i`` with ``i*sh + p*dh - top == h``
(if that ``i`` is a whole number inside the output); along that row, output column ``j``
read input column ``j*sw + q*dw - left`` through tap ``q``. So::

    for every input row (n, c, h)                          <- prange: rows never overlap
        row = 0
        for each tap p whose output row i exists, each tap q, each output channel o of c's group:
            row[j*sw + q*dw - left] += w[o, c, p, q] * G[n, o, i, j]    (for the j inside)

**Weight gradient** (:func:`weight_taps`), parallel over ``(o, c)`` pairs: task ``(o, c)``
owns ``dw[o, c]`` (kH x kW numbers), each the dot product of the output gradient plane
``G[:, o]`` with the input pixels its tap read. A dot product is a reduction, which LLVM
will not vectorise without reordering the sum (refconv allows no reordering). So each tap
keeps one float64 partial sum *per output pixel* of a band of output rows -- ``(kH, kW,
band, W_out)`` accumulators in a per-thread workspace, at most :data:`TAP_SUMS` of them --
and the inner loop is an element-wise multiply-add along a row of ``G``, which vectorises;
the accumulators are summed once, at the end::

    for every pair (o, c)                                   <- prange: dw[o, c] is its own
        acc[p, q, :, :] = 0                                  (kH, kW, band, W_out), float64
        for every band of rows [i0, i0 + band), image n, tap (p, q), row i whose input is inside:
            acc[p, q, i - i0, j] += x[n, c, i*sh + p*dh - top, j*sw + q*dw - left] * G[n, o, i, j]
        dw[o, c, p, q] = sum acc[p, q]

One accumulator per pixel rather than per column: consecutive rows add into different
accumulators, so the adds of one row need not wait for the last row's. One per column made
the 3x3 depthwise weight gradient of 64 images of 32 channels of 16x16 1.3-1.4x slower
(4.2 against 3.0 ms of CPU time on one thread, the median of 31 calls).

**Flat runs.** With stride 1 and output rows as long as the input's (``"same"`` padding),
output pixel ``k`` (flat in its plane) read input pixel ``k + shift`` through a tap, one
``shift`` per tap, so the rows of a band are one run per (image, tap) instead of one loop a
row -- 16-pixel rows made those loops cost more than their multiply-adds. Across the
image's left and right edges a run multiplies pixels that tap never reads (the next row's
first ones); they land in accumulators of output columns outside the tap's ``[lo, hi)``,
which the final sum leaves out, so even an Inf there touches nothing. Runs are clipped so
that they never read outside the plane. The 3x3 depthwise weight gradient of 64 images of
32 channels of 16x16: 3.1 -> 1.5-1.7 ms of CPU time on one thread (medians of 31 calls).

(float64 also for float32 input: a weight gradient sums ``N * H_out * W_out`` products, far
more than a forward output does, and is rounded to float32 once.)

Zero padding is never materialised: only the output columns whose input column lies inside
the image are visited (:func:`refconv.kernels.rows.inside`), as in the forward kernels.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ..arguments import Pads, Pair
from ..kernels.rows import fill, inside
from ..kernels.runtime import INLINE_JIT, kernel, launch, thread_plan
from ..kernels.workspace import workspace
from .rows import multiply_add, scatter_axpy

# float64 partial sums a thread keeps for the weight gradient (128 KiB): a band of output rows
# per tap (a whole 16x16 plane for 3x3 kernels), or one row per tap if a row is longer
TAP_SUMS = 1 << 14


@INLINE_JIT
def tap_columns(
    k_w: int, sw: int, pl: int, dw: int, width: int, w_out: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each kernel column ``q``, the output columns ``[lo[q], hi[q])`` whose input column
    ``j*sw + q*dw - pl`` lies inside the image: the same for every row, so worked out once
    per call (two integer divisions each, which in the row loops cost more than a short row:
    3x3 depthwise gradients of 16-pixel rows ran 1.5x slower)."""
    lo = np.empty(k_w, dtype=np.int64)
    hi = np.empty(k_w, dtype=np.int64)
    for q in range(k_w):
        lo[q], hi[q] = inside(q * dw - pl, sw, width, w_out)
    return lo, hi


@kernel
def input_rows(
    g: np.ndarray,
    w: np.ndarray,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = out.shape
    c_out, c_group, k_h, k_w = w.shape
    h_out, w_out = g.shape[2], g.shape[3]
    o_group = c_out // groups
    col_lo, col_hi = tap_columns(k_w, sw, pl, dw, width, w_out)
    gf = g.reshape(-1)  # flat views, made once
    of = out.reshape(-1)
    for t in prange(n_batch * c_in * height):  # t is the input row (n, c, h)
        h = t % height
        c = (t // height) % c_in
        n = t // (height * c_in)
        group = c // c_group
        cg = c - group * c_group  # c's place in its group: the weight's second axis
        row = t * width  # flat index of out[n, c, h, 0]
        fill(of, row, width, 0.0)
        for p in range(k_h):
            reach = h + pt - p * dh  # = i * sh for the output row i that read row h via tap p
            if reach < 0 or reach % sh != 0 or reach // sh >= h_out:
                continue
            i = reach // sh
            for q in range(k_w):
                offset = q * dw - pl  # input column of output column 0 for this tap
                lo, hi = col_lo[q], col_hi[q]
                if hi <= lo:
                    continue
                for o in range(group * o_group, (group + 1) * o_group):
                    src = ((n * c_out + o) * h_out + i) * w_out + lo  # G[n, o, i, lo]
                    dst = row + lo * sw + offset  # out[n, c, h, lo*sw + offset]
                    scatter_axpy(of, dst, sw, gf, src, hi - lo, w[o, cg, p, q])
    return out


@kernel
def weight_taps(
    x: np.ndarray,
    g: np.ndarray,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    groups: int,
    band: int,
    sums_ws: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_out, c_group, k_h, k_w = out.shape
    h_out, w_out = g.shape[2], g.shape[3]
    o_group = c_out // groups
    col_lo, col_hi = tap_columns(k_w, sw, pl, dw, width, w_out)
    taps = k_h * k_w
    lanes = band * w_out  # accumulators of one tap
    # stride 1 and rows as long as x's: output pixel k read x's pixel k + shift, one shift a tap
    flat = sh == 1 and sw == 1 and w_out == width
    xf = x.reshape(-1)
    gf = g.reshape(-1)
    for t in prange(c_out * c_group):  # t is the pair (o, c): out[o, c] is this task's alone
        c = t % c_group
        o = t // c_group
        ci = (o // o_group) * c_group + c  # the input channel
        sums = sums_ws[numba.get_thread_id()]  # (kH*kW*band*W_out,): this thread's sums
        fill(sums, 0, taps * lanes, 0.0)
        for i0 in range(0, h_out, band):  # a band of output rows
            i1 = min(h_out, i0 + band)
            for n in range(n_batch):
                plane_g = (n * c_out + o) * h_out * w_out  # G[n, o, 0, 0]
                plane_x = (n * c_in + ci) * height * width  # x[n, ci, 0, 0]
                for p in range(k_h):
                    if flat:  # the band's rows whose input row is inside, as one run a tap
                        first = max(i0, pt - p * dh)
                        last = min(i1, height + pt - p * dh)
                        for q in range(k_w):
                            shift = (p * dh - pt) * width + q * dw - pl  # x's pixel - G's
                            k0 = max(first * w_out, -shift)  # reads stay in x's plane
                            k1 = min(last * w_out, height * width - shift)
                            if k1 > k0:
                                acc = (p * k_w + q) * lanes + k0 - i0 * w_out
                                src = plane_x + k0 + shift
                                multiply_add(sums, acc, xf, src, 1, gf, plane_g + k0, k1 - k0)
                        continue
                    for q in range(k_w):
                        offset = q * dw - pl
                        lo, hi = col_lo[q], col_hi[q]
                        if hi <= lo:
                            continue
                        for i in range(i0, i1):
                            ih = i * sh + p * dh - pt
                            if ih < 0 or ih >= height:
                                continue
                            grad = ((n * c_out + o) * h_out + i) * w_out  # G[n, o, i, 0]
                            row = ((n * c_in + ci) * height + ih) * width  # x[n, ci, ih, 0]
                            acc = (p * k_w + q) * lanes + (i - i0) * w_out + lo  # acc[p, q, i, lo]
                            src = row + lo * sw + offset
                            multiply_add(sums, acc, xf, src, sw, gf, grad + lo, hi - lo)
        for pq in range(taps):  # each tap's partial sums, summed once: its own columns only
            lo, hi = col_lo[pq % k_w], col_hi[pq % k_w]
            total = 0.0
            for r in range(band):
                for j in range(lo, hi):
                    total += sums[pq * lanes + r * w_out + j]
            out[o, c, pq // k_w, pq % k_w] = total
    return out


def conv2d_input_direct(
    grad_output: np.ndarray,
    weight: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """The input gradient by direct loops; same signature as
    :func:`~.reference.conv2d_input_reference`."""
    (top, _), (left, _) = pads
    threads = thread_plan(grad_output.size * weight[0].size)  # multiply-adds
    launch(
        input_rows,
        threads,
        grad_output,
        weight,
        stride[0],
        stride[1],
        top,
        left,
        dilation[0],
        dilation[1],
        groups,
        out,
    )
    return out


def conv2d_weight_direct(
    x: np.ndarray,
    grad_output: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """The weight gradient by direct loops; same signature as
    :func:`~.reference.conv2d_weight_reference`."""
    (top, _), (left, _) = pads
    threads = thread_plan(grad_output.size * out[0].size)  # multiply-adds
    _, _, k_h, k_w = out.shape
    h_out, w_out = grad_output.shape[2], grad_output.shape[3]
    band = max(1, min(h_out, TAP_SUMS // (k_h * k_w * w_out)))  # output rows a band
    size = k_h * k_w * band * w_out  # (kH, kW, band, W_out) partial sums a thread
    sums = workspace("grad tap sums", (threads, size), np.dtype(np.float64))
    launch(
        weight_taps,
        threads,
        x,
        grad_output,
        stride[0],
        stride[1],
        top,
        left,
        dilation[0],
        dilation[1],
        groups,
        band,
        sums,
        out,
    )
    return out
