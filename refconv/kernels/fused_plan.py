"""How a fused block is cut: bands of output rows, chunks of output channels, threads.

A fused kernel (:mod:`.fused`) runs one task per (image, band of output rows, chunk of output
channels); each task keeps its band's intermediate -- and its tile or columns -- in its
thread's workspaces. The plan of a call is a pure function of its shapes and of the settings
(:data:`FUSED_BAND_BYTES`, ``WORKSPACE_BYTES``, the thread count), so it is worked out once per
shape and cached: :func:`separable_plan`, :func:`spatial_plan`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ..arguments import Pair
from .im2col import IM2COL_TASKS_PER_THREAD, MIN_BAND_PIXELS, channel_chunk

# What one thread's band keeps (intermediate, tile, columns): small enough to stay in the
# core's cache between the two steps. On this machine (2 MiB of L2 a core) 512 KiB was
# the fastest of 128 KiB to 4 MiB for 5x5 depthwise + pointwise at 28x28 and 56x56, the
# spatial pair alike from 256 KiB to 1 MiB; larger bands only make fewer, wider GEMMs.
FUSED_BAND_BYTES = 512 * 2**10


def fused_band(
    blocks: int,
    h_out: int,
    w_out: int,
    row_bytes: int,
    threads: int,
    gemm: bool,
    workspace_bytes: int,
    band_bytes: int = FUSED_BAND_BYTES,
) -> int:
    """Output rows per band of a fused kernel.

    ``blocks`` independent (image, group) blocks share the ``threads``; a band row keeps
    ``row_bytes`` in its thread's workspaces. As many rows as keep a band within
    ``band_bytes`` (:data:`FUSED_BAND_BYTES`: the cache), cut further so that every thread
    gets ``IM2COL_TASKS_PER_THREAD`` bands when the blocks are few; with a GEMM at least
    ``MIN_BAND_PIXELS`` columns (if the image has them); always at least one row, and never
    more than ``workspace_bytes`` (``WORKSPACE_BYTES``) across the threads unless one row is.

    >>> fused_band(1, 56, 56, 64 * 56 * 4, 2, True, 2**28)   # dw 3x3 + pw 64->128, 56x56
    14
    >>> fused_band(1, 8, 8, 3 * 8 * 4, 1, False, 2**28)      # the TDS example: one band
    8
    """
    per_image = 1 if threads == 1 else -(-IM2COL_TASKS_PER_THREAD * threads // blocks)
    fit = max(1, workspace_bytes // threads // max(1, row_bytes))
    band = min(h_out, max(1, band_bytes // max(1, row_bytes)), -(-h_out // per_image))
    if gemm:  # GEMMs not too thin
        band = max(band, min(h_out, -(-MIN_BAND_PIXELS // w_out)))
    return max(1, min(band, fit))


class SeparablePlan(NamedTuple):
    """How :func:`conv2d_separable_fused` cuts a call: ``band`` output rows per task,
    ``chunk`` output channels per task, on ``threads`` threads, each with a tile of
    ``tile_values`` and an intermediate of ``mid_values``; ``zeros``: a row of padding (3x3
    read straight from the input) and the bias of a call without one, read only."""

    threads: int
    band: int
    chunk: int
    tile_values: int
    mid_values: int
    zeros: np.ndarray
    bias_zeros: np.ndarray


@functools.lru_cache(maxsize=256)
def separable_plan(
    x_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    stride: Pair,
    dilation: Pair,
    dtype: np.dtype,
    gemm: bool,
    straight: bool,
    threads: int,
    workspace_bytes: int,
    band_bytes: int,
) -> SeparablePlan:
    """The :class:`SeparablePlan` of a call: a pure function of its shapes and settings,
    cached (the settings are arguments, so that a changed ``WORKSPACE_BYTES`` or
    :data:`FUSED_BAND_BYTES` makes a new plan)."""
    _, _, _, width = x_shape
    c_mid, _, k_h, k_w = w_shape
    n_batch, c_out, h_out, w_out = out_shape
    (sh, sw), (dh, dw) = stride, dilation
    itemsize = dtype.itemsize
    tile_w = 0 if straight else (w_out - 1) * sw + (k_w - 1) * dw + 1  # padded columns a row reads
    row_bytes = (c_mid * w_out + (sh + 1) * tile_w) * itemsize  # intermediate and tile, per row
    band = fused_band(n_batch, h_out, w_out, row_bytes, threads, gemm, workspace_bytes, band_bytes)
    tile_rows = 0 if straight else (band - 1) * sh + (k_h - 1) * dh + 1
    if not straight and sh == sw == 1:
        tile_rows += band  # and the band's flat run, tile_w a row (see depthwise_band)
    tasks = n_batch * -(-h_out // band)
    chunk = channel_chunk(tasks, c_out, threads)
    if tasks == 1 and chunk == c_out:
        threads = 1  # one task: nothing to share out
    # shared by every call with this plan, and only ever read (writeable all the same: a
    # read-only array is another Numba type, and another compilation of the kernel)
    zeros = np.zeros(width if straight else 0, dtype=dtype)
    bias_zeros = np.zeros(c_out, dtype=dtype)
    return SeparablePlan(
        threads, band, chunk, tile_rows * tile_w, c_mid * band * w_out, zeros, bias_zeros
    )


class SpatialPlan(NamedTuple):
    """How :func:`conv2d_spatial_fused` cuts a call: as :class:`SeparablePlan`, with a
    thread's columns of each pass (``cols1_values``, ``cols2_values``) and intermediate."""

    threads: int
    band: int
    chunk: int
    cols1_values: int
    mid_values: int
    cols2_values: int
    bias_zeros: np.ndarray


@functools.lru_cache(maxsize=256)
def spatial_plan(
    x_shape: tuple[int, ...],
    column_shape: tuple[int, ...],
    row_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    groups: int,
    dtype: np.dtype,
    gemm1: bool,
    gemm2: bool,
    threads: int,
    workspace_bytes: int,
    band_bytes: int,
) -> SpatialPlan:
    """The :class:`SpatialPlan` of a call, cached as :func:`separable_plan` is."""
    width = x_shape[3]
    _, c_group, k_h, _ = column_shape
    c_out, r_group, _, k_w = row_shape
    n_batch, _, h_out, w_out = out_shape
    o_group = c_out // groups
    k1, k2 = c_group * k_h, r_group * k_w  # the two reductions
    row_values = r_group * width + (k1 * width if gemm1 else 0) + (k2 * w_out if gemm2 else 0)
    band = fused_band(
        n_batch * groups,
        h_out,
        w_out,
        row_values * dtype.itemsize,
        threads,
        gemm1 or gemm2,
        workspace_bytes,
        band_bytes,
    )
    tasks = n_batch * groups * -(-h_out // band)
    chunk = channel_chunk(tasks, o_group, threads)
    if tasks == 1 and chunk == o_group:
        threads = 1  # one task: nothing to share out
    bias_zeros = np.zeros(c_out, dtype=dtype)  # shared by every call, only ever read
    return SpatialPlan(
        threads,
        band,
        chunk,
        k1 * band * width if gemm1 else 0,
        r_group * band * width,
        k2 * band * w_out if gemm2 else 0,
        bias_zeros,
    )
