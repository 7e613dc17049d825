"""The performance traps refconv's kernels were designed around, measured on this machine.

Each trap is one claim made in ``refconv/kernels`` and ``docs/performance.md``, put to the test
(``python scripts/traps.py``):

a. two thread pools on the same cores; c. ``prange`` over N*C planes alone
   (:mod:`.threads`);
b. wrap-around checks on signed indices; f. weights reloaded on every row; i. loads two values
   apart (:mod:`.loops`);
d. fresh allocations against reused buffers (:mod:`.allocations`);
e. the first-call compile; g. which BLAS; h. the Python around a 0.1 ms call (:mod:`.calls`).

Every measurement whose outcome depends on environment variables or on a process's history
runs in a fresh process of its own. Times are the min and median of many calls, after untimed
warm-up calls (:func:`refconv.bench.timing.measure`); the ratio is median over the baseline's
median, both measured in the same run.

A trap is a function ``trap(params, threads) -> {"title", "tables"}``; :data:`TRAPS` names
them, :func:`run_traps` runs some, :func:`format_tables` prints what they found.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..processes import busy_cpu_seconds, own_cpu_seconds
from .allocations import trap_allocations
from .calls import trap_blas, trap_compile, trap_overhead
from .loops import trap_strided, trap_weights, trap_wraparound
from .threads import trap_planes, trap_pools

# The workloads, full and --quick; tests pass smaller ones to the functions directly.
FULL = {
    "repeats": 100,
    "pool_repeats": 400,
    "axpy_n": 4096,
    "axpy_reps": 2000,
    "plane": 1024,
    "fresh_mib": 8,
    "conv_size": 56,
    "channels": 64,
    "row_width": 28,
    "rows": 28,
    "row_reps": 200,
    "s2_shapes": [[1, 128, 112, 112], [1, 512, 16, 16], [1, 512, 14, 14]],
}
QUICK = {
    "repeats": 15,
    "pool_repeats": 60,
    "axpy_n": 4096,
    "axpy_reps": 500,
    "plane": 1024,
    "fresh_mib": 8,
    "conv_size": 56,
    "channels": 64,
    "row_width": 28,
    "rows": 28,
    "row_reps": 50,
    "s2_shapes": [[1, 128, 112, 112], [1, 512, 16, 16], [1, 512, 14, 14]],
}

Trap = Callable[[dict[str, Any], int], dict[str, Any]]

TRAPS: dict[str, Trap] = {
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


def run_traps(
    params: dict[str, Any], threads: int = 2, names: tuple[str, ...] = tuple(TRAPS)
) -> dict[str, Any]:
    """Every trap's tables (JSON-ready), with the settings and versions they were measured on.

    Parameters
    ----------
    params : dict
        The workload sizes, as :data:`FULL` or :data:`QUICK`.
    threads : int
        Threads per pool in the measuring processes.
    names : tuple of str
        Which traps (keys of :data:`TRAPS`), in this order.

    Returns
    -------
    dict
        ``meta`` (threads, CPUs, versions, ``other_cpus_busy``: CPUs kept busy by other
        processes on average, or None where ``/proc/stat`` is missing) and ``traps``.
    """
    import numba

    started = time.perf_counter()
    busy, own = busy_cpu_seconds(), own_cpu_seconds()
    traps = {name: TRAPS[name](params, threads) for name in names}
    seconds = time.perf_counter() - started
    others = None  # CPUs kept busy by other processes, on average over the run
    busy_end = busy_cpu_seconds()  # None, like busy, where /proc/stat cannot be read
    if busy is not None and busy_end is not None:
        others = max(0.0, (busy_end - busy) - (own_cpu_seconds() - own)) / seconds
    meta = {
        "threads": threads,
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "params": params,
        "other_cpus_busy": others,
        "seconds": seconds,
    }
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
    lines = [
        f"{meta['threads']} thread(s) per pool, {meta['cpu_count']} CPUs, "
        f"NumPy {meta['numpy']}, Numba {meta['numba']}, {meta['seconds']:.0f} s"
    ]
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


__all__ = ["FULL", "QUICK", "TRAPS", "format_tables", "run_traps"]
