"""Buffers kept between kernel calls, one set per calling thread and dtype.

The kernels' scratch buffers (im2col columns and GEMM products, depthwise tiles) are kept and
reused rather than allocated on every call. A fresh memory mapping costs a page fault per
4 KiB page on first touch; glibc's allocator usually hands a freed block back without one,
but not for blocks above its mapping threshold (32 MiB at most), nor on a process's first
calls: with fresh mappings forced, reuse made an im2col convolution 1.6x faster
(``python scripts/traps.py --traps allocations``). Each kernel sizes what it asks for by
``WORKSPACE_BYTES`` (256 MiB by default); buffers only grow, and :func:`release_workspace`
frees them.
"""

from __future__ import annotations

import threading

import numpy as np

WORKSPACE_BYTES = 256 * 2**20  # what one kernel call may ask for, all threads together

_cache = threading.local()


def workspace(name: str, shape: tuple[int, int], dtype: np.dtype) -> np.ndarray:
    """A ``shape`` view of a buffer named ``name`` that is kept, and grown, between calls."""
    buffers = _cache.__dict__.setdefault("buffers", {})
    key = (name, np.dtype(dtype).str)
    size = shape[0] * shape[1]
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=dtype)
        buffers[key] = buffer
    return buffer[:size].reshape(shape)


def release_workspace() -> None:
    """Free the buffers kept by :func:`workspace` for the calling thread."""
    _cache.__dict__.pop("buffers", None)
