"""Traps inside the inner loops: wrap-around checks (b), weights reloaded (f), strided loads (i).

b. ``dst[k] += w * src[s + k]`` with signed ``int64`` offsets (Numba checks every index for
   ``< 0``, to wrap it around) against ``numba.uint64`` offsets (no check), as refconv's row
   loops write them.
f. A depthwise 3x3 row loop reading its weights from an array on every row against the same
   loop with the nine weights read once, as numbers (refconv's ``taps3x3``).
i. A depthwise 3x3 convolution with stride 2 computed straight from the input rows (each tap a
   load of every other value) and from the rows split first into their even and odd columns
   (every tap a unit-stride load), as refconv's direct kernel does for output rows of at least
   ``SPLIT_MIN_OUTPUTS``.

The kernels of b and f are measurement kernels: each pair computes the same thing two ways,
and :func:`axpy_kernels`, :func:`weight_kernels` are tested to agree. b and f run in this
process on one thread; i in a fresh process.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..timing import measure
from .common import in_child, with_ratios

# -- b. wrap-around checks --------------------------------------------------------------------


def axpy_kernels() -> tuple[Callable[..., None], Callable[..., None]]:
    """The same loop twice: signed (int64) offsets and unsigned (uint64) offsets.

    ``kernel(dst, src, d0, s0, count, w, reps)`` adds ``w * src[s0:s0 + count]`` to
    ``dst[d0:d0 + count]``, ``reps`` times.
    """
    import numba
    from numba import uint64

    @numba.njit(fastmath={"contract"})
    def signed(
        dst: np.ndarray, src: np.ndarray, d0: int, s0: int, count: int, w: float, reps: int
    ) -> None:
        for _ in range(reps):
            for k in range(count):
                dst[d0 + k] += w * src[s0 + k]  # may be negative: checked, wrapped

    @numba.njit(fastmath={"contract"})
    def unsigned(
        dst: np.ndarray, src: np.ndarray, d0: int, s0: int, count: int, w: float, reps: int
    ) -> None:
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
        np.testing.assert_allclose(check, src[3 : 3 + n], rtol=1e-6)
        results[name] = measure(
            functools.partial(kernel, dst, src, 0, 3, n, np.float32(0.5), reps), params["repeats"]
        )
    label = f"dst[d+k] += w*src[s+k], {n} float32 x {reps} passes"
    rows = with_ratios(
        [
            {"name": f"{label}, uint64 offsets", **results["unsigned"]},
            {"name": f"{label}, int64 offsets", **results["signed"]},
        ]
    )
    per_element = 1e9 / (n * reps)
    for row in rows:
        row["ns_per_element"] = row["min_s"] * per_element
    return {"title": "b. wrap-around checks on signed indices", "tables": [rows]}


# -- f. kernel weights reloaded on every row -------------------------------------------------


def weight_kernels() -> tuple[Callable[..., None], Callable[..., None]]:
    """Two 3x3 row loops over a plane: weights as a (3, 3) array, and as nine numbers read once
    (refconv's ``taps3x3``).

    ``kernel(dst, src, width, count, rows, k, reps)``: ``rows`` output rows of ``count``
    values into ``dst`` (flat), from the flat input rows of ``width`` values in ``src``.
    """
    import numba
    from numba import uint64

    from ..internals import taps3x3

    @numba.njit(fastmath={"contract"})
    def rows_array_weights(
        dst: np.ndarray,
        src: np.ndarray,
        width: int,
        count: int,
        rows: int,
        k: np.ndarray,
        reps: int,
    ) -> None:
        for _ in range(reps):
            for i in range(rows):
                d, r0 = uint64(i * count), uint64(i * width)
                r1, r2 = r0 + uint64(width), r0 + uint64(2 * width)
                for j in range(count):
                    u = uint64(j)
                    dst[d + u] = (
                        (
                            k[0, 0] * src[r0 + u]
                            + k[0, 1] * src[r0 + u + uint64(1)]
                            + k[0, 2] * src[r0 + u + uint64(2)]
                        )
                        + (
                            k[1, 0] * src[r1 + u]
                            + k[1, 1] * src[r1 + u + uint64(1)]
                            + k[1, 2] * src[r1 + u + uint64(2)]
                        )
                        + (
                            k[2, 0] * src[r2 + u]
                            + k[2, 1] * src[r2 + u + uint64(1)]
                            + k[2, 2] * src[r2 + u + uint64(2)]
                        )
                    )

    @numba.njit(fastmath={"contract"})
    def rows_scalar_weights(
        dst: np.ndarray,
        src: np.ndarray,
        width: int,
        count: int,
        rows: int,
        k: np.ndarray,
        reps: int,
    ) -> None:
        k00, k01, k02 = k[0, 0], k[0, 1], k[0, 2]
        k10, k11, k12 = k[1, 0], k[1, 1], k[1, 2]
        k20, k21, k22 = k[2, 0], k[2, 1], k[2, 2]
        zero = k00 - k00
        for _ in range(reps):
            for i in range(rows):
                r0 = i * width
                taps3x3(
                    dst,
                    i * count,
                    src,
                    r0,
                    src,
                    r0 + width,
                    src,
                    r0 + 2 * width,
                    count,
                    k00,
                    k01,
                    k02,
                    k10,
                    k11,
                    k12,
                    k20,
                    k21,
                    k22,
                    zero,
                    1,
                )

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
        results[name] = measure(
            functools.partial(kernel, dst, src, width, width_out, rows, k, reps), params["repeats"]
        )
    label = f"3x3 taps, {rows} rows of {width_out} float32 x {reps}"
    rows_out = with_ratios(
        [
            {"name": f"{label}, weights as nine numbers", **results["scalars"]},
            {"name": f"{label}, weights read from the array", **results["array"]},
        ]
    )
    per_output = 1e9 / (rows * width_out * reps)
    for row in rows_out:
        row["ns_per_output"] = row["min_s"] * per_output
    return {"title": "f. weights reloaded on every row", "tables": [rows_out]}


# -- i. loads two values apart -----------------------------------------------------------------


def child_strided(repeats: int, shapes: list[list[int]]) -> dict[str, Any]:
    """Depthwise 3x3, stride 2, padding 1 through ``conv2d_direct``, for each (N, C, H, W) in
    ``shapes``: from split rows and straight from the input (``SPLIT_MIN_OUTPUTS`` set to 1,
    then out of reach)."""
    from ..internals import conv2d_direct, depthwise_settings

    def depthwise_s2(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        n, c, h, w = x.shape
        out = np.empty((n, c, (h - 1) // 2 + 1, (w - 1) // 2 + 1), dtype=x.dtype)
        return conv2d_direct(x, weight, None, (2, 2), ((1, 1), (1, 1)), (1, 1), c, out)

    rng = np.random.default_rng(0)
    tables = []
    for n, c, h, w in shapes:
        x = rng.standard_normal((n, c, h, w), dtype=np.float32)
        weight = rng.standard_normal((c, 1, 3, 3), dtype=np.float32)
        call = functools.partial(depthwise_s2, x, weight)
        rows: list[dict[str, Any]] = []
        outputs = []
        for name, threshold in (
            ("split into even and odd columns first", 1),
            ("straight from the input rows", 2**62),
        ):
            depthwise_settings.SPLIT_MIN_OUTPUTS = threshold
            outputs.append(call())
            out_shape = outputs[-1].shape
            rows.append(
                {
                    "name": f"{n}x{c}x{h}x{w} -> {out_shape[2]}x{out_shape[3]}, {name}",
                    **measure(call, repeats),
                }
            )
        np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-5, atol=1e-5)
        for row in rows:
            row["ns_per_output"] = row["min_s"] * 1e9 / math.prod(out_shape)
        tables.append(with_ratios(rows))
    return {"tables": tables}


def trap_strided(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap i: stride-2 depthwise rows read straight from the input or split first."""
    answer = in_child(
        child_strided, {"repeats": params["repeats"], "shapes": params["s2_shapes"]}, threads
    )
    return {
        "title": "i. loads two values apart: depthwise 3x3, stride 2, padding 1",
        "tables": answer["tables"],
    }
