"""Direct convolution: the spec's loops, compiled by Numba and run in parallel.

The loop nest is reordered so the innermost loop runs along one output row, with a unit (or
small constant) stride in memory, which LLVM vectorises::

    for every output row (n, o, i)               <- prange: rows never overlap
        row = bias[o]
        for each kernel tap (p, q) and input channel c of the group:
            row[j] += w[o, c, p, q] * x[n, c, i*sh + p*dh - top, j*sw + q*dw - left]

Three habits make these loops fast, each worth a factor of two or more
(``python scripts/traps.py`` measures them):

* **Zero padding is never materialised.** For each tap, the output columns whose input column
  lies inside the image are worked out once (:func:`_inside`); only those are visited.
* **Hot loops index flat arrays with unsigned offsets.** A signed index ``a[k + offset]``
  makes Numba emit a wrap-around check (``if idx < 0: idx += len``) that stops LLVM from
  vectorising; an ``uint64`` index cannot be negative, so the check disappears. Views made
  inside a loop (``row = out[n, o, i]``) cost two atomic reference-count updates each, so
  the kernels take one flat view of each array up front and compute offsets instead.
* **Depthwise convolutions get their own kernels**, parallel over bands of output rows (not
  only channels, so a single-channel image keeps every core busy). A 3x3 kernel with
  dilation 1 and column stride 1 or 2 (:func:`_depthwise3x3`) applies its nine taps in one
  pass (:func:`_taps3x3`) straight from the input: with "same" padding and stride 1 the rows
  of a plane are one flat run, and only the first and last columns, which wrap around into the
  neighbouring rows, are computed again one by one; otherwise row by row, a padded row read
  from a row of zeros. With column stride 2 and output rows of at least
  :data:`SPLIT_MIN_OUTPUTS` (:func:`_depthwise3x3_s2`), the input rows are first split into
  their even and odd columns (:func:`_split_rows`), so that every tap becomes a unit-stride
  load. Any other kernel (:func:`_depthwise_direct`) first copies the input
  rows of its band into a small zero-bordered tile (one per thread, reused between calls), so
  that border pixels take the same vectorised path as the rest.

Other padding modes (reflect, replicate, circular) are applied by the caller beforehand.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange, uint64

from . import _workspace
from ._numba import INLINE_JIT, kernel, launch, thread_plan
from ._workspace import workspace

# Output rows at least this wide get the split-column 3x3 stride-2 kernel; narrower ones are
# computed straight from the input: a row of 7 is shorter than one vector of 8 floats, and
# splitting costs more than it saves (``python scripts/traps.py --traps strided`` times both
# at 7, 8 and 56 outputs a row).
SPLIT_MIN_OUTPUTS = 8


@INLINE_JIT
def _inside(offset, stride, size, n_out):
    """Output positions ``j`` in ``[lo, hi)`` with ``0 <= j*stride + offset < size``."""
    lo = 0 if offset >= 0 else min(n_out, (-offset + stride - 1) // stride)
    last = size - 1 - offset
    hi = 0 if last < 0 else min(n_out, last // stride + 1)
    return lo, max(lo, hi)


@INLINE_JIT
def _axpy(dst, d0, src, s0, count, weight, stride):
    """``dst[d0 + k] += weight * src[s0 + k * stride]`` for ``k < count`` (flat arrays)."""
    d = uint64(d0)
    s = uint64(s0)
    if stride == 1:
        for k in range(count):
            u = uint64(k)
            dst[d + u] += weight * src[s + u]
    elif stride == 2:
        for k in range(count):
            u = uint64(k)
            dst[d + u] += weight * src[s + uint64(2) * u]
    else:
        step = uint64(stride)
        for k in range(count):
            u = uint64(k)
            dst[d + u] += weight * src[s + step * u]


@INLINE_JIT
def _copy(dst, d0, src, s0, lo, hi, stride):
    """Zeros into ``dst[d0 : d0 + lo]``, then ``dst[d0 + j] = src[s0 + (j - lo) * stride]``
    for ``lo <= j < hi`` (flat arrays): one row of im2col columns."""
    d = uint64(d0)
    for j in range(lo):
        dst[d + uint64(j)] = 0.0
    d += uint64(lo)
    s = uint64(s0)
    if stride == 1:
        for k in range(hi - lo):
            dst[d + uint64(k)] = src[s + uint64(k)]
    else:
        step = uint64(stride)
        for k in range(hi - lo):
            dst[d + uint64(k)] = src[s + step * uint64(k)]


@INLINE_JIT
def _fill(dst, d0, count, value):
    d = uint64(d0)
    for k in range(count):
        dst[d + uint64(k)] = value


@kernel
def _conv2d_direct(x, w, b, sh, sw, pt, pl, dh, dw, groups, out):
    n_batch, c_in, height, width = x.shape
    c_out, c_group, k_h, k_w = w.shape
    h_out, w_out = out.shape[2], out.shape[3]
    o_group = c_out // groups
    xf = x.reshape(-1)  # flat views, made once (see the module docstring)
    of = out.reshape(-1)
    for t in prange(n_batch * c_out * h_out):  # t is the output row (n, o, i)
        i = t % h_out
        o = (t // h_out) % c_out
        n = t // (h_out * c_out)
        c0 = (o // o_group) * c_group  # first input channel of o's group
        row = t * w_out  # flat index of out[n, o, i, 0]
        _fill(of, row, w_out, b[o])
        for p in range(k_h):
            ih = i * sh + p * dh - pt
            if ih < 0 or ih >= height:
                continue
            for q in range(k_w):
                offset = q * dw - pl  # input column of output column 0 for this tap
                lo, hi = _inside(offset, sw, width, w_out)
                if hi <= lo:
                    continue
                for c in range(c_group):
                    src = ((n * c_in + c0 + c) * height + ih) * width + lo * sw + offset
                    _axpy(of, row + lo, xf, src, hi - lo, w[o, c, p, q], sw)
    return out


@INLINE_JIT
def _taps3x3(dst, d0, s0, o0, s1, o1, s2, o2, count, k00, k01, k02, k10, k11, k12, k20, k21,
             k22, bias, stride):
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
def _taps3x3_split(dst, d0, even, odd, o0, o1, o2, count, k00, k01, k02, k10, k11, k12, k20,
                   k21, k22, bias):
    """``count`` outputs of the 3x3 kernel ``kpq`` with column stride 2, from split rows.

    Output ``j`` reads padded columns ``2j``, ``2j + 1`` and ``2j + 2`` of each input row, that
    is values ``j`` and ``j + 1`` of the row's even columns and value ``j`` of its odd ones
    (see :func:`_split_rows`): three unit-stride loads per row, where the unsplit row needs
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
def _taps2x3(dst, d0, src, o1, o2, count, k0, k1, k2, m0, m1, m2, bias):
    """``dst[d0 + j] = bias + sum_q k_q*src[o1 + j + q] + m_q*src[o2 + j + q]``: a row of a
    "same" 3x3 output whose third input row is padding (the first or last row of a plane).

    ``_taps3x3`` with a row of zeros gives the same values, bit for bit, but also loads and
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
def _point3x3(xf, plane, height, width, ih0, iw0, kernel, bias):
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
def _row_source(xf, zeros, plane, ih, height, width, column):
    """The (array, offset) of input value ``x[ih, column]``: a row outside the image reads the
    zero row instead."""
    if 0 <= ih < height:
        return xf, plane + ih * width + column
    return zeros, column


@INLINE_JIT
def _band(t, blocks, rows_per_task, h_out, c_out, multiplier):
    """Task ``t`` of a depthwise kernel: output rows ``[i0, i1)`` of plane ``(n, o)``, which
    reads input channel ``c`` (Keras order: output channel ``c * M + m`` reads channel ``c``)."""
    block = t % blocks
    o = (t // blocks) % c_out
    n = t // (blocks * c_out)
    i0 = block * rows_per_task
    return n, o, o // multiplier, i0, min(h_out, i0 + rows_per_task)


@kernel
def _depthwise3x3(x, w, b, sh, sw, pt, pl, rows_per_task, zeros, out):
    n_batch, c_in, height, width = x.shape
    c_out = w.shape[0]
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    j_lo, j_hi = _inside(-pl, sw, width - 2, w_out)  # columns whose 3 taps are all inside
    # "same" 3x3: the output plane has the input's shape and row length
    flat = (sh == 1 and sw == 1 and pt == 1 and pl == 1 and h_out == height
            and w_out == width and height >= 3 and width >= 3)
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = _band(t, blocks, rows_per_task, h_out, c_out, multiplier)
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
                _taps3x3(of, plane_out + f_lo, xf, src, xf, src + width, xf, src + 2 * width,
                         f_hi - f_lo, k00, k01, k02, k10, k11, k12, k20, k21, k22, bias, 1)
            wu, one, two = uint64(width), uint64(1), uint64(2)
            for i in range(max(i0, 1), min(i1, height - 1)):
                # unsigned indices: a signed one costs a wrap-around test per load, which made
                # these 2 x 6 taps per row cost as much as the 26 vectorised outputs beside them
                row = uint64(plane_out + i * width)
                a = uint64(plane + (i - 1) * width)  # x[i - 1, 0]: column 0 reads columns 0, 1
                of[row] = bias + ((k01 * xf[a] + k02 * xf[a + one])
                                  + (k11 * xf[a + wu] + k12 * xf[a + wu + one])
                                  + (k21 * xf[a + two * wu] + k22 * xf[a + two * wu + one]))
                e = a + wu - two  # x[i - 1, W - 2]: column W - 1 reads W - 2 and W - 1
                of[row + wu - one] = bias + (
                    (k00 * xf[e] + k01 * xf[e + one])
                    + (k10 * xf[e + wu] + k11 * xf[e + wu + one])
                    + (k20 * xf[e + two * wu] + k21 * xf[e + two * wu + one]))
            # the first and last rows: two input rows, the third is padding
            if i0 == 0:
                _taps2x3(of, plane_out + 1, xf, plane, plane + width, width - 2, k10, k11, k12,
                         k20, k21, k22, bias)
            if i1 == height:
                a = plane + (height - 2) * width
                _taps2x3(of, plane_out + (height - 1) * width + 1, xf, a, a + width, width - 2,
                         k00, k01, k02, k10, k11, k12, bias)
        for i in range(i0, i1):
            ih = i * sh - pt  # input row of tap row 0
            row = plane_out + i * w_out
            if flat and 0 < i < height - 1:
                continue  # done above
            if not flat and j_hi > j_lo:
                column = j_lo * sw - pl
                s0, o0 = _row_source(xf, zeros, plane, ih, height, width, column)
                s1, o1 = _row_source(xf, zeros, plane, ih + 1, height, width, column)
                s2, o2 = _row_source(xf, zeros, plane, ih + 2, height, width, column)
                _taps3x3(of, row + j_lo, s0, o0, s1, o1, s2, o2, j_hi - j_lo, k00, k01, k02,
                         k10, k11, k12, k20, k21, k22, bias, sw)
            # the border columns, one by one ("same" planes: the corners of rows 0 and H-1)
            for j in range(min(j_lo, w_out)):
                of[uint64(row + j)] = _point3x3(xf, plane, height, width, ih, j * sw - pl,
                                                kernel, bias)
            for j in range(max(j_hi, j_lo), w_out):
                of[uint64(row + j)] = _point3x3(xf, plane, height, width, ih, j * sw - pl,
                                                kernel, bias)
    return out


@INLINE_JIT
def _split_rows(even, odd, rows, half, xf, plane, height, width, ih0, pl):
    """Input rows ``ih0 + r`` (``0 <= r < rows``) of one plane, zero-padded on the left by
    ``pl`` columns and split by column parity: row ``r`` of ``even`` (rows of ``half`` values)
    holds padded columns 0, 2, 4, ..., row ``r`` of ``odd`` padded columns 1, 3, 5, ...; zeros
    wherever the row or the column is padding.

    ``even`` and ``odd`` are two arrays, not two halves of one: with one array and a run-time
    offset between the halves, LLVM could not prove the two stores independent and left the
    loop scalar.
    """
    k_lo = min(half, (pl + 1) // 2)  # pairs k (padded columns 2k, 2k + 1) in [k_lo, k_hi)
    k_hi = max(k_lo, min(half, (width + pl) // 2))  # ... are inside the row on both sides
    end = width + pl  # padded columns [pl, end) hold the input row
    for r in range(rows):
        ih = ih0 + r
        base = uint64(r * half)
        if ih < 0 or ih >= height:
            for k in range(half):
                even[base + uint64(k)] = 0.0
                odd[base + uint64(k)] = 0.0
            continue
        src = plane + ih * width - pl  # flat index of padded column 0 (no load reads it)
        for k in range(k_lo):  # 2k < pl: padding; 2k + 1 is input column 0 when it is pl
            even[base + uint64(k)] = 0.0
            odd[base + uint64(k)] = xf[uint64(src + 2 * k + 1)] if 2 * k + 1 == pl else 0.0
        s = uint64(src + 2 * k_lo)
        e = base + uint64(k_lo)
        two, one = uint64(2), uint64(1)
        for k in range(k_hi - k_lo):  # the bulk: a load pair, a shuffle, two stores
            u = uint64(k)
            even[e + u] = xf[s + two * u]
            odd[e + u] = xf[s + two * u + one]
        for k in range(k_hi, half):
            c = 2 * k
            even[base + uint64(k)] = xf[uint64(src + c)] if c < end else 0.0
            odd[base + uint64(k)] = xf[uint64(src + c + 1)] if c + 1 < end else 0.0


@kernel
def _depthwise3x3_s2(x, w, b, sh, pt, pl, rows_per_task, evens, odds, out):
    n_batch, c_in, height, width = x.shape
    c_out = w.shape[0]
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    half = w_out + 1  # values per split row: output j reads even values j, j + 1 and odd j
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = _band(t, blocks, rows_per_task, h_out, c_out, multiplier)
        thread = numba.get_thread_id()
        even = evens[thread]  # this thread's own (tile_rows, half) buffers, flat
        odd = odds[thread]
        _split_rows(even, odd, (i1 - 1 - i0) * sh + 3, half, xf,
                    (n * c_in + c) * height * width, height, width, i0 * sh - pt, pl)
        kernel = w[o, 0]
        bias = b[o]
        k00, k01, k02 = kernel[0, 0], kernel[0, 1], kernel[0, 2]
        k10, k11, k12 = kernel[1, 0], kernel[1, 1], kernel[1, 2]
        k20, k21, k22 = kernel[2, 0], kernel[2, 1], kernel[2, 2]
        for i in range(i0, i1):
            r = (i - i0) * sh * half  # split-row index of tap row 0
            _taps3x3_split(of, ((n * c_out + o) * h_out + i) * w_out, even, odd, r, r + half,
                           r + 2 * half, w_out, k00, k01, k02, k10, k11, k12, k20, k21, k22,
                           bias)
    return out


@INLINE_JIT
def _load_tile(tile, rows, tile_w, xf, plane, height, width, ih0, pl):
    """Copy input rows ``ih0 .. ih0 + rows - 1`` of one plane into ``tile`` (rows, tile_w),
    shifted right by ``pl`` columns, with zeros wherever the row or column is padding."""
    col_lo = min(pl, tile_w)  # tile columns [col_lo, col_hi) hold input columns from 0
    col_hi = max(col_lo, min(tile_w, width + pl))
    for r in range(rows):
        ih = ih0 + r
        base = uint64(r * tile_w)
        if 0 <= ih < height:
            src = uint64(plane + ih * width + col_lo - pl)
            for k in range(col_lo):
                tile[base + uint64(k)] = 0.0
            for k in range(col_hi - col_lo):
                tile[base + uint64(col_lo + k)] = xf[src + uint64(k)]
            for k in range(col_hi, tile_w):
                tile[base + uint64(k)] = 0.0
        else:
            for k in range(tile_w):
                tile[base + uint64(k)] = 0.0


@kernel
def _depthwise_direct(x, w, b, sh, sw, pt, pl, dh, dw, rows_per_task, tiles, out):
    n_batch, c_in, height, width = x.shape
    c_out, _, k_h, k_w = w.shape
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    tile_w = (w_out - 1) * sw + (k_w - 1) * dw + 1  # padded input columns one row reads
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = _band(t, blocks, rows_per_task, h_out, c_out, multiplier)
        # the zero-padded input rows this band reads, copied once: (tile_rows, tile_w)
        tile_rows = (i1 - 1 - i0) * sh + (k_h - 1) * dh + 1
        tile = tiles[numba.get_thread_id()]  # this thread's own (rows, tile_w) buffer, flat
        _load_tile(tile, tile_rows, tile_w, xf, (n * c_in + c) * height * width, height,
                   width, i0 * sh - pt, pl)
        kernel = w[o, 0]  # (kH, kW)
        bias = b[o]
        for i in range(i0, i1):
            row = ((n * c_out + o) * h_out + i) * w_out  # flat index of out[n, o, i, 0]
            src = (i - i0) * sh * tile_w  # tile index of tap (0, 0) for output column 0
            _fill(of, row, w_out, bias)
            for p in range(k_h):
                for q in range(k_w):
                    _axpy(of, row, tile, src + p * dh * tile_w + q * dw, w_out, kernel[p, q],
                          sw)
    return out


def _rows_per_task(n_planes: int, h_out: int, threads: int) -> int:
    """Split each output plane into bands so that every thread gets several tasks.

    ``prange`` over ``N * C`` planes alone leaves cores idle for single-channel inputs.
    """
    target = 8 * threads
    if n_planes >= target:
        return h_out
    return max(1, -(-h_out * n_planes // target))


def tile_plan(out_shape, w_shape, stride, dilation, itemsize: int, threads: int,
              split: bool = False) -> tuple[int, int, int]:
    """How the depthwise kernels cut the work: ``(rows, tile_rows, tile_w)``.

    ``rows`` output rows per task (enough tasks for every thread, see :func:`_rows_per_task`),
    each task reading a zero-padded tile of ``tile_rows x tile_w`` input values; the tiles of
    all ``threads`` fit ``WORKSPACE_BYTES`` unless a single row does not. ``split``: the tile
    is kept as even and odd columns (:func:`_split_rows`), ``W_out + 1`` values each a row.
    """
    k_h, k_w = w_shape[2], w_shape[3]
    tile_w = (out_shape[3] - 1) * stride[1] + (k_w - 1) * dilation[1] + 1
    row_values = 2 * (out_shape[3] + 1) if split else tile_w
    budget = _workspace.WORKSPACE_BYTES // (threads * row_values * itemsize)  # tile rows
    fit = budget - (k_h - 1) * dilation[0]
    rows = max(1, min(_rows_per_task(out_shape[0] * out_shape[1], out_shape[2], threads),
                      fit // stride[0]))
    tile_rows = (rows - 1) * stride[0] + (k_h - 1) * dilation[0] + 1
    return rows, tile_rows, tile_w


# tiles per thread each depthwise kernel keeps (see depthwise_plan)
DEPTHWISE_TILES = {"3x3": 0, "split": 2, "tiles": 1}


def depthwise_plan(out_shape, w_shape, stride, dilation, itemsize: int,
                   threads: int) -> tuple[str, int, int]:
    """How :func:`conv2d_direct` runs a depthwise convolution: ``(kind, rows, values)``.

    ``kind`` is ``"3x3"`` (:func:`_depthwise3x3`, straight from the input, no tiles),
    ``"split"`` (:func:`_depthwise3x3_s2`, an even-column and an odd-column tile per thread)
    or ``"tiles"`` (:func:`_depthwise_direct`, one zero-padded tile per thread); ``rows`` the
    output rows per task; ``values`` the size of each of a thread's tiles
    (:data:`DEPTHWISE_TILES` says how many it keeps).
    """
    three = tuple(w_shape[2:]) == (3, 3) and tuple(dilation) == (1, 1)
    if three and stride[1] == 2 and out_shape[3] >= SPLIT_MIN_OUTPUTS:
        rows, tile_rows, _ = tile_plan(out_shape, w_shape, stride, dilation, itemsize, threads,
                                       split=True)
        return "split", rows, tile_rows * (out_shape[3] + 1)
    if three and stride[1] <= 2:
        return "3x3", _rows_per_task(out_shape[0] * out_shape[1], out_shape[2], threads), 0
    rows, tile_rows, tile_w = tile_plan(out_shape, w_shape, stride, dilation, itemsize, threads)
    return "tiles", rows, tile_rows * tile_w


def depthwise_tile_bytes(out_shape, w_shape, stride, dilation, itemsize: int,
                         threads: int) -> int:
    """The tiles :func:`conv2d_direct` keeps for a depthwise convolution, all threads, bytes."""
    kind, _, values = depthwise_plan(out_shape, w_shape, stride, dilation, itemsize, threads)
    return DEPTHWISE_TILES[kind] * threads * values * itemsize


def conv2d_direct(x, weight, bias, stride, pads, dilation, groups, out):
    """Grouped 2-D cross-correlation by direct loops; same signature as ``conv2d_spec``.

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in // groups, kH, kW), ``bias`` (C_out,) or
    None, ``out`` (N, C_out, H_out, W_out), all C-contiguous and of one float dtype.
    """
    b = np.zeros(weight.shape[0], dtype=out.dtype) if bias is None else bias
    (top, _), (left, _) = pads
    work = out.size * weight[0].size  # multiply-adds
    threads = thread_plan(work)
    if weight.shape[1] == 1 and groups == x.shape[1]:
        kind, rows, values = depthwise_plan(out.shape, weight.shape, stride, dilation,
                                            out.itemsize, threads)
        if kind == "split":
            evens = workspace("even columns", (threads, values), out.dtype)
            odds = workspace("odd columns", (threads, values), out.dtype)
            return launch(_depthwise3x3_s2, threads, x, weight, b, stride[0], top, left, rows,
                          evens, odds, out)
        if kind == "3x3":
            zeros = np.zeros(x.shape[3], dtype=out.dtype)  # the input row of padding
            return launch(_depthwise3x3, threads, x, weight, b, stride[0], stride[1], top,
                          left, rows, zeros, out)
        tiles = workspace("tile", (threads, values), out.dtype)
        return launch(_depthwise_direct, threads, x, weight, b, stride[0], stride[1], top,
                      left, dilation[0], dilation[1], rows, tiles, out)
    if weight.shape[2:] == (1, 1) and stride == (1, 1) and pads == ((0, 0), (0, 0)):
        # 1x1: each output plane is a sum of whole input planes, so treat a plane as one
        # long row -- one task and one vectorised loop per plane, not per short row
        n, c_in, h, w = x.shape
        plane_out = out.reshape(n, out.shape[1], 1, h * w)
        launch(_conv2d_direct, threads, x.reshape(n, c_in, 1, h * w), weight, b, 1, 1, 0, 0,
               1, 1, groups, plane_out)
        return out
    return launch(_conv2d_direct, threads, x, weight, b, stride[0], stride[1], top, left,
                  dilation[0], dilation[1], groups, out)
