"""Trap d: fresh allocations against reused buffers.

The first touch of every page of a fresh buffer is a page fault; writing into a buffer kept
from the call before costs none. Measured on a plain buffer and on refconv's im2col, with its
kept workspace and with the workspace freed before every call -- under glibc's default
allocator and with every allocation above 128 KiB mapped afresh (``MALLOC_MMAP_THRESHOLD_``),
each in a fresh process: the allocator has a history.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..timing import measure
from .common import in_child, with_ratios

# glibc maps every allocation above this many bytes afresh from the kernel (and unmaps it when
# freed). By default the threshold starts at 128 KiB and rises to the size of each mapped block
# that is freed, up to 32 MiB: after the first call, a freed 8 MiB buffer is reused from the heap
# without new page faults. Fixing the threshold shows what every allocation above 32 MiB costs,
# and what the first calls cost before the threshold has risen.
MMAP_EVERY_TIME = {"MALLOC_MMAP_THRESHOLD_": str(128 * 2**10)}


def child_allocations(repeats: int, fresh_mib: int, size: int, channels: int) -> dict[str, Any]:
    """Fill a fresh buffer vs a kept one; refconv's im2col with and without its workspace."""
    import refconv

    from ..internals import release_workspace

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

    return {
        "kept": measure(lambda: kept.fill(0), repeats),
        "fresh": measure(fresh, repeats),
        "conv": measure(conv, repeats),
        "conv_released": measure(conv_released, repeats),
    }


def trap_allocations(params: dict[str, Any], threads: int) -> dict[str, Any]:
    """Trap d: page faults of fresh buffers (in fresh processes: the allocator has a history)."""
    mib, s, c = params["fresh_mib"], params["conv_size"], params["channels"]
    shape = {"repeats": params["repeats"], "fresh_mib": mib, "size": s, "channels": c}
    tables = []
    for label, env in (("glibc default", None), ("fresh mapping each time", MMAP_EVERY_TIME)):
        got = in_child(child_allocations, shape, threads, env)
        tables.append(
            with_ratios(
                [
                    {
                        "name": f"fill a kept {mib} MiB float32 buffer with 0 ({label})",
                        **got["kept"],
                    },
                    {
                        "name": f"np.empty({mib} MiB float32).fill(0), fresh each call ({label})",
                        **got["fresh"],
                    },
                ]
            )
        )
        tables.append(
            with_ratios(
                [
                    {
                        "name": f"conv 3x3 {c}->{c} {s}² im2col, workspace kept ({label})",
                        **got["conv"],
                    },
                    {
                        "name": f"conv 3x3 {c}->{c} {s}² im2col, release_workspace() first "
                        f"({label})",
                        **got["conv_released"],
                    },
                ]
            )
        )
    return {"title": "d. fresh allocations vs reused buffers", "tables": tables}
