"""Traps around a call: the first-call compile (e), which BLAS (g), the Python around it (h).

e. The first call of each method in a process with an empty ``NUMBA_CACHE_DIR``, then in a
   second process with that cache warm.
g. One im2col-sized GEMM on one thread inside a Numba function: Numba's ``np.dot`` (the
   OpenBLAS SciPy ships) against NumPy's OpenBLAS called by address (refconv's ``matmul``).
h. The TDS example's standard convolution (0.1 ms) through ``refconv.conv2d`` and as its
   compiled kernel alone: the difference is what argument checks, planning and thread-count
   calls cost; and ``numba.get_num_threads()`` against the C function refconv calls instead.

Each measurement runs in a fresh process (:func:`.common.in_child`).
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

import numpy as np

from ..timing import measure
from .common import in_child, with_ratios

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
        found[name] = {"first_s": first, "steady_s": measure(calls[name], 5)["median_s"]}
    return found


def trap_compile(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap e: first calls with an empty Numba cache, then with that cache warm."""
    with tempfile.TemporaryDirectory(prefix="refconv-traps-cache-") as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = in_child(child_first_calls, {}, threads, env)
        warm = in_child(child_first_calls, {}, threads, env)
    rows = [
        {
            "name": f"{name}, float32",
            "cold_first_s": cold[name]["first_s"],
            "warm_first_s": warm[name]["first_s"],
            "steady_s": warm[name]["steady_s"],
        }
        for name in METHODS
    ]
    return {"title": "e. first-call compile cost (seconds)", "tables": [rows]}


# -- g. which BLAS the kernels call ------------------------------------------------------------


def child_blas(repeats: int, size: int, channels: int) -> dict[str, Any]:
    """A (C, 9C) @ (9C, size²) float32 GEMM -- a 3x3 C->C im2col -- on one thread, from inside a
    Numba function: ``np.dot`` (SciPy's OpenBLAS) and ``matmul`` through NumPy's OpenBLAS."""
    import numba

    from ..internals import gemm_address, matmul, single_threaded_blas

    @numba.njit
    def numba_np_dot(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
        np.dot(a, b, c)

    @numba.njit
    def numba_matmul(gemm: int, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> None:
        matmul(gemm, a, b, c)

    rng = np.random.default_rng(0)
    a = rng.standard_normal((channels, 9 * channels), dtype=np.float32)
    b = rng.standard_normal((9 * channels, size * size), dtype=np.float32)
    c = np.empty((channels, size * size), dtype=np.float32)
    gemm = gemm_address(np.float32)
    numba.set_num_threads(1)
    with single_threaded_blas():
        rows = [
            {
                "name": f"np.dot in Numba (SciPy's OpenBLAS), {channels}x{9 * channels} @ "
                f"{9 * channels}x{size * size}",
                **measure(lambda: numba_np_dot(a, b, c), repeats),
            }
        ]
        if gemm:
            rows.append(
                {
                    "name": "matmul: NumPy's OpenBLAS by address",
                    **measure(lambda: numba_matmul(gemm, a, b, c), repeats),
                }
            )
            np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-3)
    for row in rows:
        row["gflops"] = round(2 * a.shape[0] * a.shape[1] * b.shape[1] / row["min_s"] / 1e9, 1)
    return {"rows": with_ratios(rows)}


def trap_blas(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap g: the same GEMM through SciPy's OpenBLAS and through NumPy's, one thread."""
    answer = in_child(
        child_blas,
        {
            "repeats": max(5, params["repeats"] // 5),
            "size": params["conv_size"],
            "channels": params["channels"],
        },
        1,
    )
    return {
        "title": "g. which BLAS: one GEMM on one thread, from a Numba function",
        "tables": [answer["rows"]],
    }


# -- h. the Python around a small call ------------------------------------------------------


def child_overhead(repeats: int) -> dict[str, Any]:
    """The TDS example's standard convolution, (1, 3, 12, 12) * (256, 3, 5, 5) valid, through
    ``refconv.conv2d`` and as its compiled kernel alone (arguments prepared once, run the way
    ``conv2d`` runs it, BLAS pinned); and Numba's thread-count getter, public and
    as refconv calls it."""
    import numba

    import refconv

    from .. import internals as k

    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 12, 12), dtype=np.float32)
    w = rng.standard_normal((256, 3, 5, 5), dtype=np.float32)
    out = np.empty((1, 256, 8, 8), dtype=np.float32)
    # planned as conv2d_im2col plans it
    threads = k.thread_plan(out.size * 75)
    band, cols_size, product_size = k.band_plan(1, 1, 75, 256, 8, 8, 4, threads)
    chunk = k.channel_chunk(-(-8 // band), 256, threads)
    args = (
        x,
        w.reshape(1, 256, 75),
        np.zeros(256, np.float32),
        False,
        5,
        5,
        1,
        1,
        0,
        0,
        1,
        1,
        band,
        chunk,
        k.workspace("cols", (threads, cols_size), np.float32),
        k.workspace("product", (threads, product_size), np.float32),
        k.gemm_address(np.float32),
        out,
    )

    def kernel() -> None:
        with k.single_threaded_blas():
            k.launch(k.im2col_gemm_kernel, threads, *args)

    calls = [
        {
            "name": "refconv.conv2d, TDS 12x12x3 5x5 -> 256 valid",
            **measure(lambda: refconv.conv2d(x, w), repeats),
        },
        {
            "name": f"its compiled kernel alone ({threads} thread(s), BLAS pinned)",
            **measure(kernel, repeats),
        },
    ]
    np.testing.assert_allclose(out, refconv.conv2d(x, w), rtol=1e-5, atol=1e-5)
    getters = [
        {"name": "numba.get_num_threads()", **measure(numba.get_num_threads, repeats)},
        {"name": "refconv's num_threads() (Numba's C function)", **measure(k.num_threads, repeats)},
    ]
    if k.num_threads() != numba.get_num_threads():
        raise RuntimeError(
            f"refconv's thread count {k.num_threads()} is not Numba's {numba.get_num_threads()}"
        )
    return {"calls": with_ratios(calls), "getters": with_ratios(getters)}


def trap_overhead(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap h: what the Python layer (checks, planning, thread counts) adds to a small call."""
    answer = in_child(child_overhead, {"repeats": params["pool_repeats"]}, threads)
    return {
        "title": "h. the Python around a 0.1 ms call",
        "tables": [answer["calls"], answer["getters"]],
    }
