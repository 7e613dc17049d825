"""Measure, on this machine, the performance traps refconv's kernels were designed around.

Each trap is one claim made in ``refconv/kernels`` and ``docs/performance.md``, put to the test:

a. **Two thread pools on the same cores.** Numba's OpenMP threads keep spinning for a while
   after a parallel call; a NumPy (OpenBLAS) matmul made right then competes with them for the
   cores. Measured with the default OpenMP wait policy and with ``OMP_WAIT_POLICY=PASSIVE``,
   against the same matmul with no refconv call before it. Then refconv's standard
   convolution with BLAS pinned to one thread inside its Numba region (as shipped) and with
   the pinning disabled.
b. **Wrap-around checks.** ``dst[k] += w * src[s + k]`` with signed ``int64`` offsets (Numba
   checks every index for ``< 0``) against ``numba.uint64`` offsets (no check), as ``_axpy``.
c. **``prange`` over N*C planes alone.** A single-channel image gives such a kernel one task;
   refconv's depthwise kernel splits each plane into bands of rows.
d. **Fresh allocations.** First touch of a fresh buffer against writing into a kept one, and
   refconv's im2col with its kept workspace freed before every call.
e. **First-call compile cost.** The first call of each method in a process with an empty
   ``NUMBA_CACHE_DIR``, then in a second process with that cache warm.
f. **Weights reloaded on every row.** A depthwise 3x3 row loop reading its weights from an
   array against the same loop with the nine weights read once, as numbers.
g. **Which BLAS.** One im2col-sized GEMM on one thread inside a Numba function: Numba's
   ``np.dot`` (the OpenBLAS SciPy ships) against NumPy's OpenBLAS called by address
   (refconv's ``matmul``).
h. **The Python around a small call.** The seed's standard convolution (0.1 ms) through
   ``refconv.conv2d`` and as its compiled kernel alone: the difference is what argument
   checks, planning and thread-count calls cost; and ``numba.get_num_threads()`` against the
   C function refconv calls instead.
i. **Loads two values apart.** A depthwise 3x3 convolution with stride 2 computed straight
   from the input rows (each tap a load of every other value) and from the rows split first
   into their even and odd columns (every tap a unit-stride load), as refconv's direct kernel
   does for output rows of at least ``SPLIT_MIN_OUTPUTS``.

Every measurement whose outcome depends on environment variables or on a process's history
runs in a fresh process of its own (this script, re-run with ``--child``). Times are the min
and median of many calls, after untimed warm-up calls (the benchmark's ``time_calls``); the
ratio is median over the baseline's median, both measured in the same run.

Run: ``python scripts/traps.py [--quick] [--json] [--threads 2]``
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np

from refconv._bench_worker import time_calls

# The workloads, full and --quick; tests pass smaller ones to the functions directly.
FULL = {"repeats": 100, "pool_repeats": 400, "axpy_n": 4096, "axpy_reps": 2000, "plane": 1024,
        "fresh_mib": 8, "conv_size": 56, "channels": 64, "row_width": 28, "rows": 28,
        "row_reps": 200, "s2_shapes": [[1, 128, 112, 112], [1, 512, 16, 16], [1, 512, 14, 14]]}
QUICK = {"repeats": 15, "pool_repeats": 60, "axpy_n": 4096, "axpy_reps": 500, "plane": 1024,
         "fresh_mib": 8, "conv_size": 56, "channels": 64, "row_width": 28, "rows": 28,
         "row_reps": 50, "s2_shapes": [[1, 128, 112, 112], [1, 512, 16, 16], [1, 512, 14, 14]]}


def stats(times: list[float]) -> dict[str, float]:
    """Min and median of a list of durations, in seconds."""
    return {"min_s": min(times), "median_s": statistics.median(times), "calls": len(times)}


def timed(fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    """``stats`` of ``repeats`` calls after 0.1 s of untimed warm-up calls."""
    times, _ = time_calls(fn, repeats, warmup=2, warm_s=0.1)
    return stats(times)


def with_ratios(rows: list[dict[str, Any]], baseline: int = 0) -> list[dict[str, Any]]:
    """Add ``ratio`` = median / the baseline row's median to every row."""
    base = rows[baseline]["median_s"]
    return [{**row, "ratio": row["median_s"] / base} for row in rows]


# -- running a measurement in a fresh process -------------------------------------------------


def child_env(threads: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with every thread pool sized to ``threads``."""
    env = dict(os.environ)
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env.pop("OMP_WAIT_POLICY", None)  # the default policy unless a trap sets it
    env.update(extra or {})
    return env


def in_child(name: str, params: dict[str, Any], threads: int,
             extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``CHILDREN[name](**params)`` in a fresh Python process; return its JSON answer."""
    done = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", name, json.dumps(params)],
        env=child_env(threads, extra_env), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {name!r} measurement failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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

    alone = timed(matmul, repeats)  # before refconv has started its pool
    time.sleep(0.3)  # let OpenBLAS's idle threads stop spinning before the next phase
    for _ in range(5):
        depthwise()
    after = []
    for i in range(repeats + 10):
        depthwise()
        t0 = time.perf_counter()
        matmul()
        if i >= 10:  # the first calls are warm-up
            after.append(time.perf_counter() - t0)
    time.sleep(0.3)
    return {"alone": alone, "after": stats(after), "depthwise": timed(depthwise, repeats)}


def child_blas_pinning(repeats: int, size: int, channels: int, pinned: bool) -> dict[str, Any]:
    """refconv's standard 3x3 C->C conv, with ``single_threaded_blas`` as shipped or a no-op."""
    import refconv
    import refconv.kernels.im2col as im2col

    if not pinned:
        im2col.single_threaded_blas = nullcontext  # OpenBLAS keeps its own threads
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, channels, size, size), dtype=np.float32)
    w = rng.standard_normal((channels, channels, 3, 3), dtype=np.float32)
    return timed(lambda: refconv.conv2d(x, w, padding=1, method="im2col"), repeats)


def trap_pools(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap a: the matmul after refconv under both wait policies; BLAS pinned or not."""
    shape = {"repeats": params["pool_repeats"], "size": params["conv_size"],
             "channels": params["channels"]}
    default = in_child("matmul_after_refconv", shape, threads)
    passive = in_child("matmul_after_refconv", shape, threads, {"OMP_WAIT_POLICY": "PASSIVE"})
    c, s = params["channels"], params["conv_size"]
    matmul = f"matmul ({2 * c}x{c} @ {c}x{s * s})"
    rows = with_ratios([
        {"name": f"{matmul} alone", **default["alone"]},
        {"name": f"{matmul} after refconv, default wait policy", **default["after"]},
        {"name": f"{matmul} after refconv, OMP_WAIT_POLICY=PASSIVE", **passive["after"]},
        {"name": f"{matmul} alone, OMP_WAIT_POLICY=PASSIVE", **passive["alone"]},
    ])
    dw = with_ratios([
        {"name": f"depthwise 3x3 C={c} {s}², back to back, default", **default["depthwise"]},
        {"name": f"depthwise 3x3 C={c} {s}², back to back, PASSIVE", **passive["depthwise"]},
    ])
    conv = {"repeats": params["repeats"], "size": s, "channels": c}
    pinning = with_ratios([
        {"name": f"conv 3x3 {c}->{c} {s}² im2col, BLAS pinned to 1 thread",
         **in_child("blas_pinning", {**conv, "pinned": True}, threads)},
        {"name": f"conv 3x3 {c}->{c} {s}² im2col, pinning disabled",
         **in_child("blas_pinning", {**conv, "pinned": False}, threads)},
    ])
    return {"title": "a. two thread pools on the same cores",
            "tables": [rows, dw, pinning]}


# -- b. wrap-around checks --------------------------------------------------------------------


def axpy_kernels() -> tuple[Callable[..., None], Callable[..., None]]:
    """The same loop twice: signed (int64) offsets and unsigned (uint64) offsets."""
    import numba
    from numba import uint64

    @numba.njit(fastmath={"contract"})
    def signed(dst, src, d0, s0, count, w, reps):
        for _ in range(reps):
            for k in range(count):
                dst[d0 + k] += w * src[s0 + k]  # may be negative: checked, wrapped

    @numba.njit(fastmath={"contract"})
    def unsigned(dst, src, d0, s0, count, w, reps):
        d = uint64(d0)
        s = uint64(s0)
        for _ in range(reps):
            for k in range(count):
                u = uint64(k)
                dst[d + u] += w * src[s + u]  # cannot be negative: no check

    return signed, unsigned


def trap_wraparound(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap b: signed vs unsigned offsets in an axpy loop (one thread, this process)."""
    n, reps = params["axpy_n"], params["axpy_reps"]
    signed, unsigned = axpy_kernels()
    rng = np.random.default_rng(0)
    src = rng.standard_normal(n + 16, dtype=np.float32)
    results = {}
    for name, kernel in (("signed", signed), ("unsigned", unsigned)):
        dst = np.zeros(n, dtype=np.float32)
        kernel(dst, src, 0, 3, n, np.float32(0.5), 1)  # compile
        check = np.zeros(n, dtype=np.float32)
        kernel(check, src, 0, 3, n, np.float32(0.5), 2)
        np.testing.assert_allclose(check, src[3:3 + n], rtol=1e-6)
        results[name] = timed(lambda k=kernel, d=dst: k(d, src, 0, 3, n, np.float32(0.5), reps),
                              params["repeats"])
    label = f"dst[d+k] += w*src[s+k], {n} float32 x {reps} passes"
    rows = with_ratios([
        {"name": f"{label}, uint64 offsets", **results["unsigned"]},
        {"name": f"{label}, int64 offsets", **results["signed"]},
    ])
    per_element = 1e9 / (n * reps)
    for row in rows:
        row["ns_per_element"] = row["min_s"] * per_element
    return {"title": "b. wrap-around checks on signed indices", "tables": [rows]}


# -- c. prange over planes alone --------------------------------------------------------------


def planes_kernel() -> Callable[..., None]:
    """A depthwise 3x3, padding 1, stride 1 kernel whose only ``prange`` is over N*C planes."""
    import numba
    from numba import prange

    @numba.njit(parallel=True, fastmath={"contract"})
    def depthwise_by_planes(x, w, out):
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
    np.testing.assert_allclose(out, refconv.depthwise_conv2d(x, w, padding=1), rtol=1e-5,
                               atol=1e-5)
    threads = numba.get_num_threads()
    found: dict[str, Any] = {"threads": threads}
    for n_threads in (threads, 1):
        numba.set_num_threads(n_threads)
        found[f"planes_{n_threads}"] = timed(lambda: by_planes(x, w, out), repeats)
        found[f"refconv_{n_threads}"] = timed(
            lambda: refconv.depthwise_conv2d(x, w, padding=1), repeats)
    numba.set_num_threads(threads)
    return found


def trap_planes(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap c: a single-channel image through a planes-only kernel and through refconv."""
    p = params["plane"]
    got = in_child("planes", {"repeats": params["repeats"], "plane": p}, threads)
    t = got["threads"]
    case = f"depthwise 3x3 on 1x1x{p}x{p}"
    planes = with_ratios([
        {"name": f"{case}, prange over planes, 1 thread", **got["planes_1"]},
        {"name": f"{case}, prange over planes, {t} threads", **got[f"planes_{t}"]},
    ])
    banded = with_ratios([
        {"name": f"{case}, refconv (bands of rows), 1 thread", **got["refconv_1"]},
        {"name": f"{case}, refconv (bands of rows), {t} threads", **got[f"refconv_{t}"]},
    ])
    return {"title": "c. prange over N*C planes alone vs bands of rows",
            "tables": [planes, banded]}


# -- d. fresh allocations ---------------------------------------------------------------------


def child_allocations(repeats: int, fresh_mib: int, size: int, channels: int) -> dict[str, Any]:
    """Fill a fresh buffer vs a kept one; refconv's im2col with and without its workspace."""
    import refconv
    from refconv.kernels._workspace import release_workspace

    n = fresh_mib * 2**20 // 4
    kept = np.ones(n, dtype=np.float32)  # touched once, so its pages are mapped

    def fresh() -> None:
        np.empty(n, dtype=np.float32).fill(0)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, channels, size, size), dtype=np.float32)
    w = rng.standard_normal((channels, channels, 3, 3), dtype=np.float32)

    def conv() -> None:
        refconv.conv2d(x, w, padding=1, method="im2col")

    def conv_released() -> None:
        release_workspace()
        conv()

    return {"kept": timed(lambda: kept.fill(0), repeats), "fresh": timed(fresh, repeats),
            "conv": timed(conv, repeats), "conv_released": timed(conv_released, repeats)}


# glibc maps every allocation above this many bytes afresh from the kernel (and unmaps it when
# freed). By default the threshold starts at 128 KiB and rises to the size of each mapped block
# that is freed, up to 32 MiB: after the first call, a freed 8 MiB buffer is reused from the heap
# without new page faults. Fixing the threshold shows what every allocation above 32 MiB costs,
# and what the first calls cost before the threshold has risen.
MMAP_EVERY_TIME = {"MALLOC_MMAP_THRESHOLD_": str(128 * 2**10)}


def trap_allocations(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap d: page faults of fresh buffers (in fresh processes: the allocator has a history)."""
    mib, s, c = params["fresh_mib"], params["conv_size"], params["channels"]
    shape = {"repeats": params["repeats"], "fresh_mib": mib, "size": s, "channels": c}
    tables = []
    for label, env in (("glibc default", None), ("fresh mapping each time", MMAP_EVERY_TIME)):
        got = in_child("allocations", shape, threads, env)
        tables.append(with_ratios([
            {"name": f"fill a kept {mib} MiB float32 buffer with 0 ({label})", **got["kept"]},
            {"name": f"np.empty({mib} MiB float32).fill(0), fresh each call ({label})",
             **got["fresh"]},
        ]))
        tables.append(with_ratios([
            {"name": f"conv 3x3 {c}->{c} {s}² im2col, workspace kept ({label})", **got["conv"]},
            {"name": f"conv 3x3 {c}->{c} {s}² im2col, release_workspace() first ({label})",
             **got["conv_released"]},
        ]))
    return {"title": "d. fresh allocations vs reused buffers", "tables": tables}


# -- e. first-call compile cost ---------------------------------------------------------------

METHODS = ("direct", "im2col", "depthwise direct")


def child_first_calls() -> dict[str, Any]:
    """Seconds of the first call of each method (float32), then of a steady call."""
    import refconv

    found: dict[str, Any] = {}
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 8, 16, 16), dtype=np.float32)
    w = rng.standard_normal((8, 8, 3, 3), dtype=np.float32)
    wd = rng.standard_normal((8, 1, 3, 3), dtype=np.float32)
    calls = {
        "direct": lambda: refconv.conv2d(x, w, padding=1, method="direct"),
        "im2col": lambda: refconv.conv2d(x, w, padding=1, method="im2col"),
        "depthwise direct": lambda: refconv.depthwise_conv2d(x, wd, padding=1, method="direct"),
    }
    for name in METHODS:
        t0 = time.perf_counter()
        calls[name]()
        first = time.perf_counter() - t0
        found[name] = {"first_s": first, "steady_s": timed(calls[name], 5)["median_s"]}
    return found


def trap_compile(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap e: first calls with an empty Numba cache, then with that cache warm."""
    with tempfile.TemporaryDirectory(prefix="refconv-traps-cache-") as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = in_child("first_calls", {}, threads, env)
        warm = in_child("first_calls", {}, threads, env)
    rows = [{"name": f"{name}, float32", "cold_first_s": cold[name]["first_s"],
             "warm_first_s": warm[name]["first_s"], "steady_s": warm[name]["steady_s"]}
            for name in METHODS]
    return {"title": "e. first-call compile cost (seconds)", "tables": [rows]}


# -- the script -------------------------------------------------------------------------------

CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "matmul_after_refconv": child_matmul_after_refconv,
    "blas_pinning": child_blas_pinning,
    "planes": child_planes,
    "allocations": child_allocations,
    "first_calls": child_first_calls,
}
# -- f. kernel weights reloaded on every row -------------------------------------------------


def weight_kernels() -> tuple[Callable[..., None], Callable[..., None]]:
    """Two 3x3 row loops over a plane: weights as a (3, 3) array, and as nine numbers read once
    (refconv's ``_taps3x3``)."""
    import numba
    from numba import uint64

    from refconv.kernels.direct import _taps3x3

    @numba.njit(fastmath={"contract"})
    def rows_array_weights(dst, src, width, count, rows, k, reps):
        for _ in range(reps):
            for i in range(rows):
                d, r0 = uint64(i * count), uint64(i * width)
                r1, r2 = r0 + uint64(width), r0 + uint64(2 * width)
                for j in range(count):
                    u = uint64(j)
                    dst[d + u] = (
                        (k[0, 0] * src[r0 + u] + k[0, 1] * src[r0 + u + uint64(1)]
                         + k[0, 2] * src[r0 + u + uint64(2)])
                        + (k[1, 0] * src[r1 + u] + k[1, 1] * src[r1 + u + uint64(1)]
                           + k[1, 2] * src[r1 + u + uint64(2)])
                        + (k[2, 0] * src[r2 + u] + k[2, 1] * src[r2 + u + uint64(1)]
                           + k[2, 2] * src[r2 + u + uint64(2)]))

    @numba.njit(fastmath={"contract"})
    def rows_scalar_weights(dst, src, width, count, rows, k, reps):
        k00, k01, k02 = k[0, 0], k[0, 1], k[0, 2]
        k10, k11, k12 = k[1, 0], k[1, 1], k[1, 2]
        k20, k21, k22 = k[2, 0], k[2, 1], k[2, 2]
        zero = k00 - k00
        for _ in range(reps):
            for i in range(rows):
                r0 = i * width
                _taps3x3(dst, i * count, src, r0, src, r0 + width, src, r0 + 2 * width, count,
                         k00, k01, k02, k10, k11, k12, k20, k21, k22, zero, 1)

    return rows_array_weights, rows_scalar_weights


def trap_weights(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap f: a depthwise row loop reading its 3x3 weights from an array on every row."""
    width_out, rows, reps = params["row_width"], params["rows"], params["row_reps"]
    array_kernel, scalar_kernel = weight_kernels()
    rng = np.random.default_rng(0)
    k = rng.standard_normal((3, 3), dtype=np.float32)
    width = width_out + 2
    src = rng.standard_normal((rows + 2) * width + 8, dtype=np.float32)
    results = {}
    expected = None
    for name, kernel in (("array", array_kernel), ("scalars", scalar_kernel)):
        dst = np.zeros(rows * width_out, dtype=np.float32)
        kernel(dst, src, width, width_out, rows, k, 1)  # compile, and check
        expected = dst.copy() if expected is None else expected
        np.testing.assert_allclose(dst, expected, rtol=1e-5, atol=1e-5)
        results[name] = timed(lambda f=kernel, d=dst: f(d, src, width, width_out, rows, k, reps),
                              params["repeats"])
    label = f"3x3 taps, {rows} rows of {width_out} float32 x {reps}"
    rows_out = with_ratios([
        {"name": f"{label}, weights as nine numbers", **results["scalars"]},
        {"name": f"{label}, weights read from the array", **results["array"]},
    ])
    per_output = 1e9 / (rows * width_out * reps)
    for row in rows_out:
        row["ns_per_output"] = row["min_s"] * per_output
    return {"title": "f. weights reloaded on every row", "tables": [rows_out]}


# -- g. which BLAS the kernels call ------------------------------------------------------------


def child_blas(repeats: int, size: int, channels: int) -> dict[str, Any]:
    """A (C, 9C) @ (9C, size²) float32 GEMM -- a 3x3 C->C im2col -- on one thread, from inside a
    Numba function: ``np.dot`` (SciPy's OpenBLAS) and ``matmul`` through NumPy's OpenBLAS."""
    import numba

    from refconv.kernels._blas import gemm_address, single_threaded_blas
    from refconv.kernels._gemm import matmul

    @numba.njit
    def numba_np_dot(a, b, c):
        np.dot(a, b, c)

    @numba.njit
    def numba_matmul(gemm, a, b, c):
        matmul(gemm, a, b, c)

    rng = np.random.default_rng(0)
    a = rng.standard_normal((channels, 9 * channels), dtype=np.float32)
    b = rng.standard_normal((9 * channels, size * size), dtype=np.float32)
    c = np.empty((channels, size * size), dtype=np.float32)
    gemm = gemm_address(np.float32)
    numba.set_num_threads(1)
    with single_threaded_blas():
        rows = [{"name": f"np.dot in Numba (SciPy's OpenBLAS), {channels}x{9 * channels} @ "
                         f"{9 * channels}x{size * size}", **timed(lambda: numba_np_dot(a, b, c),
                                                                  repeats)}]
        if gemm:
            rows.append({"name": "matmul: NumPy's OpenBLAS by address",
                         **timed(lambda: numba_matmul(gemm, a, b, c), repeats)})
            np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-3)
    for row in rows:
        row["gflops"] = round(2 * a.shape[0] * a.shape[1] * b.shape[1] / row["min_s"] / 1e9, 1)
    return {"rows": with_ratios(rows)}


def trap_blas(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap g: the same GEMM through SciPy's OpenBLAS and through NumPy's, one thread."""
    answer = in_child("blas", {"repeats": max(5, params["repeats"] // 5),
                               "size": params["conv_size"], "channels": params["channels"]}, 1)
    return {"title": "g. which BLAS: one GEMM on one thread, from a Numba function",
            "tables": [answer["rows"]]}


CHILDREN["blas"] = child_blas

# -- h. the Python around a small call ------------------------------------------------------


def child_overhead(repeats: int) -> dict[str, Any]:
    """The seed's standard convolution, (1, 3, 12, 12) * (256, 3, 5, 5) valid, through
    ``refconv.conv2d`` and as its compiled kernel alone (arguments prepared once, run the way
    ``conv2d`` runs it, BLAS pinned); and Numba's thread-count getter, public and
    as refconv calls it."""
    import numba

    import refconv
    from refconv.kernels import _numba, im2col
    from refconv.kernels._blas import gemm_address, single_threaded_blas
    from refconv.kernels._workspace import workspace

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 12, 12), dtype=np.float32)
    w = rng.standard_normal((256, 3, 5, 5), dtype=np.float32)
    out = np.empty((1, 256, 8, 8), dtype=np.float32)
    # planned as conv2d_im2col plans it
    threads = _numba.thread_plan(out.size * 75)
    band, cols_size, product_size = im2col.band_plan(1, 1, 75, 256, 8, 8, 4, threads)
    chunk = im2col.channel_chunk(-(-8 // band), 256, threads)
    args = (x, w.reshape(1, 256, 75), np.zeros(256, np.float32), False, 5, 5, 1, 1, 0, 0, 1, 1,
            band, chunk, workspace("cols", (threads, cols_size), np.float32),
            workspace("product", (threads, product_size), np.float32),
            gemm_address(np.float32), out)

    def kernel() -> None:
        with single_threaded_blas():
            _numba.launch(im2col._im2col_gemm, threads, *args)

    calls = [{"name": "refconv.conv2d, seed 12x12x3 5x5 -> 256 valid",
              **timed(lambda: refconv.conv2d(x, w), repeats)},
             {"name": f"its compiled kernel alone ({threads} thread(s), BLAS pinned)",
              **timed(kernel, repeats)}]
    np.testing.assert_allclose(out, refconv.conv2d(x, w), rtol=1e-5, atol=1e-5)
    getters = [{"name": "numba.get_num_threads()",
                **timed(numba.get_num_threads, repeats)},
               {"name": "refconv's num_threads() (Numba's C function)",
                **timed(_numba.num_threads, repeats)}]
    assert _numba.num_threads() == numba.get_num_threads()
    return {"calls": with_ratios(calls), "getters": with_ratios(getters)}


def trap_overhead(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap h: what the Python layer (checks, planning, thread counts) adds to a small call."""
    answer = in_child("overhead", {"repeats": params["pool_repeats"]}, threads)
    return {"title": "h. the Python around a 0.1 ms call", "tables": [answer["calls"],
                                                                     answer["getters"]]}


CHILDREN["overhead"] = child_overhead

# -- i. loads two values apart -----------------------------------------------------------------


def child_strided(repeats: int, shapes: list[list[int]]) -> dict[str, Any]:
    """Depthwise 3x3, stride 2, padding 1 through ``conv2d_direct``, for each (N, C, H, W) in
    ``shapes``: from split rows and straight from the input (``SPLIT_MIN_OUTPUTS`` set to 1,
    then out of reach)."""
    from refconv.kernels import direct

    def depthwise_s2(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        out = np.empty((n, c, (h - 1) // 2 + 1, (w - 1) // 2 + 1), dtype=x.dtype)
        return direct.conv2d_direct(x, weight, None, (2, 2), ((1, 1), (1, 1)), (1, 1), c, out)

    rng = np.random.default_rng(0)
    tables = []
    for n, c, h, w in shapes:
        x = rng.standard_normal((n, c, h, w), dtype=np.float32)
        weight = rng.standard_normal((c, 1, 3, 3), dtype=np.float32)
        call = functools.partial(depthwise_s2, x, weight)
        rows, outputs = [], []
        for name, threshold in (("split into even and odd columns first", 1),
                                ("straight from the input rows", 2**62)):
            direct.SPLIT_MIN_OUTPUTS = threshold
            outputs.append(call())
            out_shape = outputs[-1].shape
            rows.append({"name": f"{n}x{c}x{h}x{w} -> {out_shape[2]}x{out_shape[3]}, {name}",
                         **timed(call, repeats)})
        np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-5)
        for row in rows:
            row["ns_per_output"] = row["min_s"] * 1e9 / math.prod(out_shape)
        tables.append(with_ratios(rows))
    return {"tables": tables}


def trap_strided(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap i: stride-2 depthwise rows read straight from the input or split first."""
    answer = in_child("strided", {"repeats": params["repeats"], "shapes": params["s2_shapes"]},
                      threads)
    return {"title": "i. loads two values apart: depthwise 3x3, stride 2, padding 1",
            "tables": answer["tables"]}


CHILDREN["strided"] = child_strided

TRAPS: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "pools": trap_pools,
    "wraparound": trap_wraparound,
    "planes": trap_planes,
    "allocations": trap_allocations,
    "compile": trap_compile,
    "weights": trap_weights,
    "blas": trap_blas,
    "overhead": trap_overhead,
    "strided": trap_strided,
}


def busy_cpu_seconds() -> float | None:
    """CPU seconds all processes have used since boot (Linux ``/proc/stat``), else None."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds used by this process and the children it has waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_traps(params: dict[str, Any], threads: int = 2,
              names: tuple[str, ...] = tuple(TRAPS)) -> dict[str, Any]:
    """Every trap's tables (JSON-ready), with the settings and versions they were measured on."""
    import numba

    started = time.perf_counter()
    busy, own = busy_cpu_seconds(), own_cpu_seconds()
    traps = {name: TRAPS[name](params, threads) for name in names}
    seconds = time.perf_counter() - started
    others = None  # CPUs kept busy by other processes, on average over the run
    if busy is not None:
        others = max(0.0, (busy_cpu_seconds() - busy) - (own_cpu_seconds() - own)) / seconds
    meta = {"threads": threads, "cpu_count": os.cpu_count(), "numpy": np.__version__,
            "numba": numba.__version__, "params": params,
            "other_cpus_busy": others, "seconds": seconds}
    return {"meta": meta, "traps": traps}


def _cell(key: str, value: Any) -> str:
    if key == "ratio":
        return f"{value:.2f}x"
    if key.startswith("ns_per_"):
        return f"{value:.3f} ns"
    if key.endswith("_s"):
        return f"{value * 1e3:.3g} ms" if "first" not in key else f"{value:.3f} s"
    return str(value)


def format_tables(result: dict[str, Any]) -> str:
    """The traps as plain-text tables: one block per trap, one row per variant."""
    meta = result["meta"]
    others = meta["other_cpus_busy"]
    lines = [f"{meta['threads']} thread(s) per pool, {meta['cpu_count']} CPUs, "
             f"NumPy {meta['numpy']}, Numba {meta['numba']}, {meta['seconds']:.0f} s"]
    if others is not None:
        lines[0] += f"; other processes kept {others:.2f} CPUs busy on average"
        if others > 0.1:
            lines.append("warning: other processes competed for the CPUs; the numbers are noisy")
    for trap in result["traps"].values():
        lines += ["", trap["title"]]
        for rows in trap["tables"]:
            keys = [k for k in rows[0] if k not in ("name", "calls")]
            width = max(len(row["name"]) for row in rows)
            lines.append(f"  {'':{width}}  " + "  ".join(f"{k:>14}" for k in keys))
            for row in rows:
                cells = "  ".join(f"{_cell(k, row[k]):>14}" for k in keys)
                lines.append(f"  {row['name']:{width}}  {cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--threads", type=int, default=2, help="threads per pool (default 2)")
    parser.add_argument("--traps", nargs="+", choices=list(TRAPS), default=list(TRAPS),
                        help="measure only these traps")
    parser.add_argument("--child", nargs=2, metavar=("NAME", "PARAMS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, params = args.child
        print(json.dumps(CHILDREN[name](**json.loads(params))))
        return 0
    result = run_traps(QUICK if args.quick else FULL, args.threads, tuple(args.traps))
    print(json.dumps(result, indent=1) if args.json else format_tables(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
