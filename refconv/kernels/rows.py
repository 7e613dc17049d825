"""The inner loops the kernels share: one row (or one task) at a time.

Every function here is inlined into the kernel that calls it (``INLINE_JIT``): a call per
row cost as much as the row itself. Two habits make these loops fast, each worth a factor of
two or more (``python scripts/traps.py`` measures them):

* **Flat arrays and unsigned offsets.** A signed index ``a[k + offset]`` makes Numba emit a
  wrap-around check (``if idx < 0: idx += len``) that stops LLVM from vectorising; an
  ``uint64`` index cannot be negative, so the check disappears. Views made inside a loop
  (``row = out[n, o, i]``) cost two atomic reference-count updates each, so the kernels take
  one flat view of each array up front and pass offsets.
* **Zero padding is never materialised.** For each tap, the output columns whose input column
  lies inside the image are worked out once (:func:`inside`); only those are visited.
"""

from __future__ import annotations

import numpy as np
from numba import uint64

from .runtime import INLINE_JIT


@INLINE_JIT
def inside(offset: int, stride: int, size: int, n_out: int) -> tuple[int, int]:
    """Output positions ``j`` in ``[lo, hi)`` with ``0 <= j*stride + offset < size``."""
    lo = 0 if offset >= 0 else min(n_out, (-offset + stride - 1) // stride)
    last = size - 1 - offset
    hi = 0 if last < 0 else min(n_out, last // stride + 1)
    return lo, max(lo, hi)


@INLINE_JIT
def axpy(
    dst: np.ndarray, d0: int, src: np.ndarray, s0: int, count: int, weight: float, stride: int
) -> None:
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
def copy_row(
    dst: np.ndarray, d0: int, src: np.ndarray, s0: int, lo: int, hi: int, stride: int
) -> None:
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
def fill(dst: np.ndarray, d0: int, count: int, value: float) -> None:
    d = uint64(d0)
    for k in range(count):
        dst[d + uint64(k)] = value


@INLINE_JIT
def split_rows(
    even: np.ndarray,
    odd: np.ndarray,
    rows: int,
    half: int,
    xf: np.ndarray,
    plane: int,
    height: int,
    width: int,
    ih0: int,
    pl: int,
) -> None:
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


@INLINE_JIT
def band(
    t: int, blocks: int, rows_per_task: int, h_out: int, c_out: int, multiplier: int
) -> tuple[int, int, int, int, int]:
    """Task ``t`` of a depthwise kernel: output rows ``[i0, i1)`` of plane ``(n, o)``, which
    reads input channel ``c`` (Keras order: output channel ``c * M + m`` reads channel ``c``)."""
    block = t % blocks
    o = (t // blocks) % c_out
    n = t // (blocks * c_out)
    i0 = block * rows_per_task
    return n, o, o // multiplier, i0, min(h_out, i0 + rows_per_task)
