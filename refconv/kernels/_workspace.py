"""Buffers kept between kernel calls, one set per calling thread.

A fresh large allocation costs a page fault per 4 KiB page on first touch: for the im2col
columns of a 64-channel 56x56 3x3 convolution that was a fifth of the whole call. So the
kernels' scratch buffers (im2col columns and GEMM products, depthwise tiles) are kept and
reused. They never exceed the workspace budget; :func:`release_workspace` frees them.
"""

from __future__ import annotations

import threading

import numpy as np

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
