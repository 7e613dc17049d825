"""The inner loops of the gradient kernels: one row at a time, with unsigned offsets.

The forward kernels' row loops (:mod:`refconv.kernels.rows`) read a strided input row and
write a contiguous output row. The backward pass runs the other way: the input gradient
*writes* a strided row of the input (an output column ``j`` lands on input column
``j*sw + offset``), and the weight gradient *reduces* a strided input row against an output
gradient row to one number. Same habits as there: flat arrays, ``uint64`` offsets (no
wrap-around check, so LLVM can vectorise), inlined into the kernel that calls them.
"""

from __future__ import annotations

import numpy as np
from numba import float64, uint64

from ..kernels.runtime import INLINE_JIT


@INLINE_JIT
def scatter_axpy(
    dst: np.ndarray, d0: int, step: int, src: np.ndarray, s0: int, count: int, weight: float
) -> None:
    """``dst[d0 + k*step] += weight * src[s0 + k]`` for ``k < count`` (flat arrays)."""
    d = uint64(d0)
    s = uint64(s0)
    if step == 1:
        for k in range(count):
            u = uint64(k)
            dst[d + u] += weight * src[s + u]
    else:
        st = uint64(step)
        for k in range(count):
            u = uint64(k)
            dst[d + st * u] += weight * src[s + u]


@INLINE_JIT
def scatter_add(dst: np.ndarray, d0: int, step: int, src: np.ndarray, s0: int, count: int) -> None:
    """``dst[d0 + k*step] += src[s0 + k]`` for ``k < count``: one row of col2im."""
    d = uint64(d0)
    s = uint64(s0)
    st = uint64(step)
    for k in range(count):
        u = uint64(k)
        dst[d + st * u] += src[s + u]


@INLINE_JIT
def multiply_add(
    acc: np.ndarray,
    a0: int,
    x: np.ndarray,
    x0: int,
    step: int,
    g: np.ndarray,
    g0: int,
    count: int,
) -> None:
    """``acc[a0 + k] += x[x0 + k*step] * g[g0 + k]`` for ``k < count``, in float64 (``acc``
    is float64): one row of a weight gradient's partial sums, one per output column."""
    a = uint64(a0)
    s = uint64(x0)
    d = uint64(g0)
    if step == 1:
        for k in range(count):
            u = uint64(k)
            acc[a + u] += float64(x[s + u]) * float64(g[d + u])
    else:
        st = uint64(step)
        for k in range(count):
            u = uint64(k)
            acc[a + u] += float64(x[s + st * u]) * float64(g[d + u])
