"""Depthwise convolution (one input channel per group): plans, the general kernel, dispatch.

Output channel ``o`` reads input channel ``o // M`` (``M`` the depth multiplier, Keras'
order) through its own ``kH x kW`` kernel. The work per output is only ``kH * kW``
multiply-adds, so these kernels are bound by memory traffic, and each task is a band of
output rows of one plane -- parallel over bands, not only channels, so that a
single-channel image still keeps every core busy (:func:`rows_per_task`).

Three kernels, picked by :func:`depthwise_plan`:

* ``"3x3"`` and ``"split"``: 3x3 kernels with dilation 1 (:mod:`.depthwise3x3`);
* ``"tiles"`` (:func:`depthwise_tiles`), any other kernel: each task first copies the input
  rows of its band into a small zero-bordered tile (one per thread, reused between calls), so
  that border pixels take the same vectorised path as the rest.

Other padding modes (reflect, replicate, circular) are applied by the caller beforehand.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange, uint64

from ..arguments import Pads, Pair
from . import workspace as workspace_settings
from .depthwise3x3 import depthwise3x3, depthwise3x3_s2
from .rows import axpy, band, fill
from .runtime import INLINE_JIT, kernel, launch
from .workspace import workspace

# Output rows at least this wide get the split-column 3x3 stride-2 kernel; narrower ones are
# computed straight from the input: a row of 7 is shorter than one vector of 8 floats, and
# splitting costs more than it saves (``python scripts/traps.py --traps strided`` times both
# at 7, 8 and 56 outputs a row).
SPLIT_MIN_OUTPUTS = 8


@INLINE_JIT
def load_tile(
    tile: np.ndarray,
    rows: int,
    tile_w: int,
    xf: np.ndarray,
    plane: int,
    height: int,
    width: int,
    ih0: int,
    pl: int,
) -> None:
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
def depthwise_tiles(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    rows_per_task: int,
    tiles: np.ndarray,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_out, _, k_h, k_w = w.shape
    h_out, w_out = out.shape[2], out.shape[3]
    multiplier = c_out // c_in
    xf = x.reshape(-1)
    of = out.reshape(-1)
    tile_w = (w_out - 1) * sw + (k_w - 1) * dw + 1  # padded input columns one row reads
    blocks = (h_out + rows_per_task - 1) // rows_per_task
    for t in prange(n_batch * c_out * blocks):  # t is a band of rows of plane (n, o)
        n, o, c, i0, i1 = band(t, blocks, rows_per_task, h_out, c_out, multiplier)
        # the zero-padded input rows this band reads, copied once: (tile_rows, tile_w)
        tile_rows = (i1 - 1 - i0) * sh + (k_h - 1) * dh + 1
        tile = tiles[numba.get_thread_id()]  # this thread's own (rows, tile_w) buffer, flat
        load_tile(
            tile,
            tile_rows,
            tile_w,
            xf,
            (n * c_in + c) * height * width,
            height,
            width,
            i0 * sh - pt,
            pl,
        )
        kernel = w[o, 0]  # (kH, kW)
        bias = b[o]
        for i in range(i0, i1):
            row = ((n * c_out + o) * h_out + i) * w_out  # flat index of out[n, o, i, 0]
            src = (i - i0) * sh * tile_w  # tile index of tap (0, 0) for output column 0
            fill(of, row, w_out, bias)
            for p in range(k_h):
                for q in range(k_w):
                    axpy(of, row, tile, src + p * dh * tile_w + q * dw, w_out, kernel[p, q], sw)
    return out


def rows_per_task(n_planes: int, h_out: int, threads: int) -> int:
    """Split each output plane into bands so that every thread gets several tasks.

    ``prange`` over ``N * C`` planes alone leaves cores idle for single-channel inputs.
    """
    target = 8 * threads
    if n_planes >= target:
        return h_out
    return max(1, -(-h_out * n_planes // target))


def tile_plan(
    out_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    dilation: Pair,
    itemsize: int,
    threads: int,
    split: bool = False,
) -> tuple[int, int, int]:
    """How the depthwise kernels cut the work: ``(rows, tile_rows, tile_w)``.

    ``rows`` output rows per task (enough tasks for every thread, see :func:`rows_per_task`),
    each task reading a zero-padded tile of ``tile_rows x tile_w`` input values; the tiles of
    all ``threads`` fit ``WORKSPACE_BYTES`` unless a single row does not. ``split``: the tile
    is kept as even and odd columns (:func:`split_rows`), ``W_out + 1`` values each a row.
    """
    k_h, k_w = w_shape[2], w_shape[3]
    tile_w = (out_shape[3] - 1) * stride[1] + (k_w - 1) * dilation[1] + 1
    row_values = 2 * (out_shape[3] + 1) if split else tile_w
    budget = workspace_settings.WORKSPACE_BYTES // (threads * row_values * itemsize)  # tile rows
    fit = budget - (k_h - 1) * dilation[0]
    rows = max(
        1, min(rows_per_task(out_shape[0] * out_shape[1], out_shape[2], threads), fit // stride[0])
    )
    tile_rows = (rows - 1) * stride[0] + (k_h - 1) * dilation[0] + 1
    return rows, tile_rows, tile_w


# tiles per thread each depthwise kernel keeps (see depthwise_plan)
DEPTHWISE_TILES = {"3x3": 0, "split": 2, "tiles": 1}


def depthwise_plan(
    out_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    dilation: Pair,
    itemsize: int,
    threads: int,
) -> tuple[str, int, int]:
    """How :func:`conv2d_direct` runs a depthwise convolution: ``(kind, rows, values)``.

    ``kind`` is ``"3x3"`` (:func:`depthwise3x3`, straight from the input, no tiles),
    ``"split"`` (:func:`depthwise3x3_s2`, an even-column and an odd-column tile per thread)
    or ``"tiles"`` (:func:`depthwise_tiles`, one zero-padded tile per thread); ``rows`` the
    output rows per task; ``values`` the size of each of a thread's tiles
    (:data:`DEPTHWISE_TILES` says how many it keeps).
    """
    three = tuple(w_shape[2:]) == (3, 3) and tuple(dilation) == (1, 1)
    if three and stride[1] == 2 and out_shape[3] >= SPLIT_MIN_OUTPUTS:
        rows, tile_rows, _ = tile_plan(
            out_shape, w_shape, stride, dilation, itemsize, threads, split=True
        )
        return "split", rows, tile_rows * (out_shape[3] + 1)
    if three and stride[1] <= 2:
        return "3x3", rows_per_task(out_shape[0] * out_shape[1], out_shape[2], threads), 0
    rows, tile_rows, tile_w = tile_plan(out_shape, w_shape, stride, dilation, itemsize, threads)
    return "tiles", rows, tile_rows * tile_w


def depthwise_tile_bytes(
    out_shape: tuple[int, ...],
    w_shape: tuple[int, ...],
    stride: Pair,
    dilation: Pair,
    itemsize: int,
    threads: int,
) -> int:
    """The tiles :func:`conv2d_direct` keeps for a depthwise convolution, all threads, bytes."""
    kind, _, values = depthwise_plan(out_shape, w_shape, stride, dilation, itemsize, threads)
    return DEPTHWISE_TILES[kind] * threads * values * itemsize


def conv2d_depthwise(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    out: np.ndarray,
    threads: int,
) -> np.ndarray:
    """Depthwise 2-D cross-correlation: ``x`` (N, C, H, W), ``weight`` (C * M, 1, kH, kW),
    ``bias`` (C * M,) (zeros when there is none), ``out`` (N, C * M, H_out, W_out), on
    ``threads`` threads. Called by :func:`.direct.conv2d_direct` for ``groups == C_in``."""
    (top, _), (left, _) = pads
    kind, rows, values = depthwise_plan(
        out.shape, weight.shape, stride, dilation, out.itemsize, threads
    )
    if kind == "split":
        evens = workspace("even columns", (threads, values), out.dtype)
        odds = workspace("odd columns", (threads, values), out.dtype)
        return launch(
            depthwise3x3_s2, threads, x, weight, bias, stride[0], top, left, rows, evens, odds, out
        )
    if kind == "3x3":
        zeros = np.zeros(x.shape[3], dtype=out.dtype)  # the input row of padding
        return launch(
            depthwise3x3,
            threads,
            x,
            weight,
            bias,
            stride[0],
            stride[1],
            top,
            left,
            rows,
            zeros,
            out,
        )
    tiles = workspace("tile", (threads, values), out.dtype)
    return launch(
        depthwise_tiles,
        threads,
        x,
        weight,
        bias,
        stride[0],
        stride[1],
        top,
        left,
        dilation[0],
        dilation[1],
        rows,
        tiles,
        out,
    )
