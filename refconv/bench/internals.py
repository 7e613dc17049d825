"""The pieces of :mod:`refconv.kernels` that the measurements reach for, gathered in one place.

The traps (:mod:`refconv.bench.traps`) and the memory accounting (:mod:`refconv.bench.memory`)
measure the kernels' design choices -- how a call is planned, which BLAS it calls, what it
keeps between calls -- so they need the kernels' planning functions and settings, not only the
public convolution. Every such name is imported here and nowhere else in :mod:`refconv.bench`,
so that when the kernels move, this is the one file to follow them.

Settings the measurements change for a while (and restore) are reached through their modules:
``WORKSPACE_BYTES`` (:data:`workspace_settings`), ``SPLIT_MIN_OUTPUTS``
(:data:`depthwise_settings`) and the BLAS pinning seen by im2col (:data:`im2col_settings`).
"""

from __future__ import annotations

from refconv.kernels import depthwise, im2col
from refconv.kernels import workspace as workspace_module
from refconv.kernels.blas import gemm_address, single_threaded_blas
from refconv.kernels.depthwise import depthwise_plan, depthwise_tile_bytes
from refconv.kernels.direct import conv2d_direct
from refconv.kernels.gemm import matmul
from refconv.kernels.im2col import (
    IM2COL_TASKS_PER_THREAD,
    MIN_BAND_PIXELS,
    band_plan,
    channel_chunk,
    rows_per_band,
)
from refconv.kernels.im2col import im2col_gemm as im2col_gemm_kernel
from refconv.kernels.runtime import PARALLEL_MIN_WORK, launch, num_threads, thread_plan
from refconv.kernels.taps3x3 import taps3x3
from refconv.kernels.workspace import WORKSPACE_BYTES, release_workspace, workspace

workspace_settings = workspace_module  # WORKSPACE_BYTES, read by the planners at call time
depthwise_settings = depthwise  # SPLIT_MIN_OUTPUTS, read by depthwise_plan at call time
im2col_settings = im2col  # single_threaded_blas, as conv2d_im2col calls it

__all__ = [
    "IM2COL_TASKS_PER_THREAD",
    "MIN_BAND_PIXELS",
    "PARALLEL_MIN_WORK",
    "WORKSPACE_BYTES",
    "band_plan",
    "channel_chunk",
    "conv2d_direct",
    "depthwise_plan",
    "depthwise_settings",
    "depthwise_tile_bytes",
    "gemm_address",
    "im2col_gemm_kernel",
    "im2col_settings",
    "launch",
    "matmul",
    "num_threads",
    "release_workspace",
    "rows_per_band",
    "single_threaded_blas",
    "taps3x3",
    "thread_plan",
    "workspace",
    "workspace_settings",
]
