"""Traps of the thread pools: two pools on the same cores (a), one task per plane (c).

a. Numba's OpenMP threads keep spinning for a while after a parallel call; a NumPy (OpenBLAS)
   matmul made right then competes with them for the cores. Measured with the default OpenMP
   wait policy and with ``OMP_WAIT_POLICY=PASSIVE``, against the same matmul with no refconv
   call before it; then refconv's standard convolution with BLAS pinned to one thread inside
   its Numba region (as shipped) and with the pinning disabled.
c. A kernel whose only ``prange`` runs over the N*C planes gets one task from a
   single-channel image; refconv's depthwise kernel splits each plane into bands of rows.

Each measurement runs in a fresh process (:func:`.common.in_child`): the pools' state is the
process's history.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np

from ..timing import measure, summary, time_calls
from .common import in_child, with_ratios

# -- a. two thread pools ----------------------------------------------------------------------


def child_matmul_after_refconv(repeats: int, size: int, channels: int) -> dict[str, Any]:
    """A (2C, C) @ (C, size²) float32 matmul alone, and right after a parallel depthwise call.

    Also times the depthwise call itself back to back: what the waiting policy costs refconv.
    """
    import refconv

    rng = np.random.default_rng(0)
    a = rng.standard_normal((2 * channels, channels), dtype=np.float32)  # (128, 64)
    b = rng.standard_normal((channels, size * size), dtype=np.float32)  # (64, 3136)
    c = np.empty((2 * channels, size * size), dtype=np.float32)
    x = rng.standard_normal((1, channels, size, size), dtype=np.float32)
    w = rng.standard_normal((channels, 1, 3, 3), dtype=np.float32)

    def matmul() -> None:
        np.matmul(a, b, out=c)

    def depthwise() -> None:
        refconv.depthwise_conv2d(x, w, padding=1)

    alone = measure(matmul, repeats)  # before refconv has started its pool
    time.sleep(0.3)  # let OpenBLAS's idle threads stop spinning before the next phase
    for _ in range(5):
        depthwise()
    # each matmul timed right after a depthwise call; the first ten pairs are warm-up
    after, _ = time_calls(matmul, repeats, warmup=10, warm_s=0.0, before=depthwise)
    time.sleep(0.3)
    return {"alone": alone, "after": summary(after), "depthwise": measure(depthwise, repeats)}


def child_blas_pinning(repeats: int, size: int, channels: int, pinned: bool) -> dict[str, Any]:
    """refconv's standard 3x3 C->C conv, with ``single_threaded_blas`` as shipped or a no-op."""
    import refconv

    from ..internals import im2col_settings

    if not pinned:
        im2col_settings.single_threaded_blas = nullcontext  # OpenBLAS keeps its own threads
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, channels, size, size), dtype=np.float32)
    w = rng.standard_normal((channels, channels, 3, 3), dtype=np.float32)
    return measure(lambda: refconv.conv2d(x, w, padding=1, method="im2col"), repeats)


def trap_pools(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap a: the matmul after refconv under both wait policies; BLAS pinned or not."""
    shape = {
        "repeats": params["pool_repeats"],
        "size": params["conv_size"],
        "channels": params["channels"],
    }
    default = in_child(child_matmul_after_refconv, shape, threads)
    passive = in_child(child_matmul_after_refconv, shape, threads, {"OMP_WAIT_POLICY": "PASSIVE"})
    c, s = params["channels"], params["conv_size"]
    matmul = f"matmul ({2 * c}x{c} @ {c}x{s * s})"
    rows = with_ratios(
        [
            {"name": f"{matmul} alone", **default["alone"]},
            {"name": f"{matmul} after refconv, default wait policy", **default["after"]},
            {"name": f"{matmul} after refconv, OMP_WAIT_POLICY=PASSIVE", **passive["after"]},
            {"name": f"{matmul} alone, OMP_WAIT_POLICY=PASSIVE", **passive["alone"]},
        ]
    )
    dw = with_ratios(
        [
            {"name": f"depthwise 3x3 C={c} {s}², back to back, default", **default["depthwise"]},
            {"name": f"depthwise 3x3 C={c} {s}², back to back, PASSIVE", **passive["depthwise"]},
        ]
    )
    conv = {"repeats": params["repeats"], "size": s, "channels": c}
    pinning = with_ratios(
        [
            {
                "name": f"conv 3x3 {c}->{c} {s}² im2col, BLAS pinned to 1 thread",
                **in_child(child_blas_pinning, {**conv, "pinned": True}, threads),
            },
            {
                "name": f"conv 3x3 {c}->{c} {s}² im2col, pinning disabled",
                **in_child(child_blas_pinning, {**conv, "pinned": False}, threads),
            },
        ]
    )
    return {"title": "a. two thread pools on the same cores", "tables": [rows, dw, pinning]}


# -- c. prange over planes alone --------------------------------------------------------------


def planes_kernel() -> Callable[..., None]:
    """A depthwise 3x3, padding 1, stride 1 kernel whose only ``prange`` is over N*C planes.

    ``x`` (N, C, H, W), ``w`` (C, 1, 3, 3), ``out`` (N, C, H, W), written in place.
    """
    import numba
    from numba import prange

    @numba.njit(parallel=True, fastmath={"contract"})
    def depthwise_by_planes(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
        n_batch, c, h, width = x.shape
        for t in prange(n_batch * c):  # t is the plane (n, c): one task per plane
            plane = x[t // c, t % c]
            dst = out[t // c, t % c]
            k = w[t % c, 0]
            for i in range(h):
                for j in range(width):
                    dst[i, j] = 0.0
                for p in range(3):
                    ih = i + p - 1
                    if ih < 0 or ih >= h:
                        continue
                    for q in range(3):
                        kv = k[p, q]
                        for j in range(max(0, 1 - q), min(width, width + 1 - q)):
                            dst[i, j] += kv * plane[ih, j + q - 1]

    return depthwise_by_planes


def child_planes(repeats: int, plane: int) -> dict[str, Any]:
    """The planes-only kernel and refconv's banded kernel, each on 1 and on all threads."""
    import numba

    import refconv

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, plane, plane), dtype=np.float32)
    w = rng.standard_normal((1, 1, 3, 3), dtype=np.float32)
    out = np.empty_like(x)
    by_planes = planes_kernel()
    by_planes(x, w, out)
    np.testing.assert_allclose(out, refconv.depthwise_conv2d(x, w, padding=1), rtol=1e-5, atol=1e-5)
    threads = numba.get_num_threads()
    found: dict[str, Any] = {"threads": threads}
    for n_threads in (threads, 1):
        numba.set_num_threads(n_threads)
        found[f"planes_{n_threads}"] = measure(lambda: by_planes(x, w, out), repeats)
        found[f"refconv_{n_threads}"] = measure(
            lambda: refconv.depthwise_conv2d(x, w, padding=1), repeats
        )
    numba.set_num_threads(threads)
    return found


def trap_planes(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap c: a single-channel image through a planes-only kernel and through refconv."""
    p = params["plane"]
    got = in_child(child_planes, {"repeats": params["repeats"], "plane": p}, threads)
    t = got["threads"]
    case = f"depthwise 3x3 on 1x1x{p}x{p}"
    planes = with_ratios(
        [
            {"name": f"{case}, prange over planes, 1 thread", **got["planes_1"]},
            {"name": f"{case}, prange over planes, {t} threads", **got[f"planes_{t}"]},
        ]
    )
    banded = with_ratios(
        [
            {"name": f"{case}, refconv (bands of rows), 1 thread", **got["refconv_1"]},
            {"name": f"{case}, refconv (bands of rows), {t} threads", **got[f"refconv_{t}"]},
        ]
    )
    return {"title": "c. prange over N*C planes alone vs bands of rows", "tables": [planes, banded]}
