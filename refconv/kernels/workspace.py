"""Buffers kept between kernel calls, one set per calling thread and dtype; guard regions.

The kernels' scratch buffers (im2col columns and GEMM products, depthwise tiles) are kept and
reused rather than allocated on every call. A fresh memory mapping costs a page fault per
4 KiB page on first touch; glibc's allocator usually hands a freed block back without one,
but not for blocks above its mapping threshold (32 MiB at most), nor on a process's first
calls: with fresh mappings forced, reuse made an im2col convolution 1.6x faster
(``python scripts/traps.py --traps allocations``). Each kernel sizes what it asks for by
``WORKSPACE_BYTES`` (256 MiB by default); buffers only grow, and :func:`release_workspace`
frees them.

**Guard regions** (for tests): inside ``with guarded() as guard:``, every workspace and every
output array (:func:`new_output`) is surrounded by :data:`GUARD_VALUES` sentinel values --
before the buffer, and after every row of a per-thread workspace -- and ``guard.check()``
raises if a kernel wrote to any of them. A kernel that writes one value past its buffer
would otherwise corrupt whatever the allocator put there, silently or fatally.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

WORKSPACE_BYTES = 256 * 2**20  # what one kernel call may ask for, all threads together

GUARD_VALUES = 1024  # sentinel values on each side of a guarded buffer (and after each row)
# quiet NaNs with payloads no arithmetic produces: a store of any computed value changes the
# sentinel; the other fills the buffer proper, so reading a value never written gives NaN
_SENTINEL = {4: np.uint32(0x7FC0BEEF), 8: np.uint64(0x7FF8DEADBEEF0BAD)}
_UNWRITTEN = {4: np.uint32(0x7FC0DEAD), 8: np.uint64(0x7FF8DEADDEADDEAD)}

_cache = threading.local()
_guards: list[_Guarded] = []  # the active guard, if any (a list: tests may nest)


def workspace(name: str, shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
    """A ``shape`` view of a buffer named ``name`` that is kept, and grown, between calls.

    ``shape[0]`` is the number of threads: row ``t`` (``view[t]``) belongs to thread ``t``.
    """
    if _guards:
        return _guards[-1].buffer(f"workspace {name!r}", shape, dtype, rows=True)
    buffers = _cache.__dict__.setdefault("buffers", {})
    key = (name, np.dtype(dtype).str)
    size = math.prod(shape)
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=dtype)
        buffers[key] = buffer
    return buffer[:size].reshape(shape)


def new_output(shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
    """A new C-contiguous array for a kernel's output (guarded inside :func:`guarded`).

    Raises a ``MemoryError`` that names the shape and the size when it cannot be had.
    """
    if _guards:
        return _guards[-1].buffer("output", shape, dtype, rows=False)
    try:
        return np.empty(shape, dtype=dtype)
    except MemoryError:
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        raise MemoryError(
            f"the output of shape {tuple(shape)} ({np.dtype(dtype).name}) needs "
            f"{size / 2**30:,.1f} GiB, more than this machine can allocate"
        ) from None


def release_workspace() -> None:
    """Free the buffers kept by :func:`workspace` for the calling thread."""
    _cache.__dict__.pop("buffers", None)


class _Guarded:
    """The buffers handed out inside one :func:`guarded` block, with their sentinels."""

    def __init__(self) -> None:
        self._buffers: list[tuple[str, np.ndarray, np.ndarray]] = []  # name, flat, sentinel mask

    def buffer(
        self, name: str, shape: tuple[int, ...], dtype_like: npt.DTypeLike, rows: bool
    ) -> np.ndarray:
        dtype = np.dtype(dtype_like)
        g = GUARD_VALUES
        if rows:  # every row gets its own trailing guard: (..., last + g), after g leading
            inner = (*shape[:-1], shape[-1] + g)
        else:
            inner = tuple(shape)
        size = int(np.prod(inner))
        flat = np.empty(g + size + g, dtype=dtype)
        sentinel = np.ones(flat.size, dtype=bool)  # where the sentinel must stay
        view = flat[g : g + size].reshape(inner)
        usable = view[..., : shape[-1]] if rows else view
        sentinel[g : g + size].reshape(inner)[..., : shape[-1]] = False
        bits = flat.view(np.uint32 if dtype.itemsize == 4 else np.uint64)
        bits[sentinel] = _SENTINEL[dtype.itemsize]
        bits[~sentinel] = _UNWRITTEN[dtype.itemsize]
        self._buffers.append((name, flat, sentinel))
        # rows: the whole padded array (C-contiguous, the kernels' usual type); a row's
        # values past shape[-1] are its guard. Outputs: exactly the shape asked for.
        return view if rows else usable

    def check(self) -> None:
        """Raise ``AssertionError`` naming the first buffer whose sentinels were written."""
        for name, flat, sentinel in self._buffers:
            bits = flat.view(np.uint32 if flat.itemsize == 4 else np.uint64)
            hit = np.flatnonzero(sentinel & (bits != _SENTINEL[flat.itemsize]))
            if hit.size:
                raise AssertionError(
                    f"{name}: {hit.size} guard value(s) overwritten, first at flat index "
                    f"{hit[0]} of {flat.size} (the buffer proper starts at {GUARD_VALUES})"
                )

    def reset(self) -> None:
        """Forget the buffers handed out so far (after a :meth:`check`)."""
        self._buffers.clear()


@contextlib.contextmanager
def guarded() -> Iterator[_Guarded]:
    """Hand out guarded workspaces and outputs inside the block; check them on the way out.

    Workspaces then come from fresh guarded buffers on every call (nothing is kept), so
    every call is checked on buffers of exactly the size it asked for.
    """
    guard = _Guarded()
    _guards.append(guard)
    try:
        yield guard
    finally:
        _guards.remove(guard)
    guard.check()
