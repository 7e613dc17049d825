"""The machine's two roofs, measured, and which one bounds a case (the roofline model).

A kernel cannot run faster than the machine computes (the compute roof: float32 GEMM through
NumPy's BLAS, the best a CPU does on dense multiply-adds) nor faster than it moves the bytes
the kernel must read and write (the memory roof: a STREAM triad). A case's arithmetic
intensity -- FLOPs per byte of its least traffic, :func:`refconv.bench.cases.intensity` --
says which roof is lower for it: below the machine's balance point (compute roof over
bandwidth, in FLOP/byte) the bytes bind, above it the arithmetic.

>>> peaks = {"sgemm_gflops": 100.0, "bandwidth_gbs": 20.0}   # balance: 5 FLOP/byte
>>> roof("standard", 30.0, peaks)        # 30 FLOP/B: the GEMM peak binds
('compute', 100.0)
>>> roof("pointwise", 2.0, peaks)        # 2 FLOP/B x 20 GB/s
('memory', 40.0)

Both measurements run in a worker process of their own (:func:`refconv.bench.runner.measure_peaks`)
with the benchmark's thread count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import time_calls


def sgemm_gflops(n: int = 2048, repeats: int = 5) -> float:
    """Best float32 ``n x n @ n x n`` rate of NumPy's BLAS, in GFLOP/s (``2 n^3`` FLOPs)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    times, _ = time_calls(lambda: np.matmul(a, b, out=c), repeats, warmup=1)
    return 2.0 * n**3 / min(times) / 1e9


def _triad_kernel() -> Callable[..., None]:
    from numba import njit, prange

    @njit(parallel=True, cache=True)
    def triad(a: np.ndarray, b: np.ndarray, c: np.ndarray, scalar: float) -> None:
        for i in prange(a.size):
            a[i] = b[i] + scalar * c[i]

    return triad


def bandwidth_gbs(mib: int = 256, repeats: int = 5) -> float:
    """Best STREAM-triad rate ``a = b + s*c`` (Numba, all threads), in GB/s.

    Bytes are counted as STREAM does: 12 per float32 element (two reads, one write), not
    counting the write-allocate read.
    """
    n = mib * 2**20 // 12
    b = np.ones(n, dtype=np.float32)
    c = np.ones(n, dtype=np.float32)
    a = np.ones(n, dtype=np.float32)  # touched, so no page faults in the timed calls
    triad = _triad_kernel()
    times, _ = time_calls(lambda: triad(a, b, c, np.float32(3.0)), repeats, warmup=1)
    return 12.0 * n / min(times) / 1e9


def roof(family: str, intensity: float, peaks: dict[str, Any]) -> tuple[str, float]:
    """Which roof bounds a case, and its height in GFLOP/s.

    Parameters
    ----------
    family : str
        The case's family (:data:`refconv.bench.cases.FAMILIES`).
    intensity : float
        Its FLOPs per byte of least traffic.
    peaks : dict
        ``sgemm_gflops`` and ``bandwidth_gbs``, as measured.

    Returns
    -------
    bound : {"memory", "compute"}
    roof_gflops : float
        ``intensity x bandwidth`` when memory binds, else the GEMM peak.
    """
    balance = peaks["sgemm_gflops"] / peaks["bandwidth_gbs"]  # FLOP/byte where roofs meet
    # Depthwise (about 2 FLOP/B for 3x3) is below any CPU's balance: always judged by bytes,
    # so a noisy roof measurement cannot flip it.
    if family == "depthwise" or intensity < balance:
        return "memory", intensity * peaks["bandwidth_gbs"]
    return "compute", peaks["sgemm_gflops"]
