"""Fused separable blocks and the Python around a small call, measured.

Three tables (``python -m refconv.bench.fused``; ``docs/performance.md`` quotes them):

* ``--traffic``: the memory traffic a fused block saves, by formula -- the two-call
  composition writes its ``(N, C_mid, H_out, W_mid)`` intermediate and reads it back, a fused
  kernel keeps it in cache one band at a time -- beside the least traffic of the block run
  pass by pass (:func:`refconv.bench.cases.min_bytes`). Instant, and the same on every machine.
* ``--blocks``: the blocks through the public API (``method="auto"``: fused) against the
  same block as two public calls, one per step (``auto`` for each, the composition
  ``separable_conv2d`` ran before it was fused), timed in the same process, interleaved.
* ``--overhead``: the TDS-sized calls (0.02-0.1 ms) through the public API against their
  kernels alone, with the arrays and the plan made once: the difference is what the Python
  layer costs (checks, plans, allocation, launch).

Every time is the min and median of many calls, in rounds that take turns, after warm-up
(:func:`refconv.bench.timing.time_calls`); ``ratio`` is a row's median over the first row's,
from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import refconv
from refconv.arguments import spatial_passes
from refconv.kernels import fused

from . import internals
from .cases import BYTES_PER_ELEMENT, CASES_BY_NAME, Case, min_bytes
from .peers import make_inputs, refconv_call
from .processes import busy_cpu_seconds, own_cpu_seconds
from .timing import time_calls
from .traps import format_tables
from .traps.common import with_ratios

BLOCKS = ("sep_64_128", "seed_separable", "spatial_64_64")  # the blocks the docs quote


# -- traffic, by formula ----------------------------------------------------------------------


def intermediate_shape(case: Case, batch: int) -> tuple[int, int, int, int]:
    """``(N, C_mid, H_out, W_mid)``: the first step's output, which the second step reads.

    >>> intermediate_shape(CASES_BY_NAME["seed_separable"], 1)
    (1, 3, 8, 8)
    >>> intermediate_shape(CASES_BY_NAME["spatial_64_64"], 8)   # K x 1 keeps the width
    (8, 64, 56, 56)
    """
    _, c_mid, _, _, _, _, _, h_out, w_mid = case.stages()[0]
    return batch, c_mid, h_out, w_mid


def saved_bytes(case: Case, batch: int) -> int:
    """Bytes a fused block does not move: the intermediate written once and read once.

    >>> saved_bytes(CASES_BY_NAME["sep_64_128"], 1)       # 2 x 64 x 56 x 56 x 4
    1605632
    >>> saved_bytes(CASES_BY_NAME["seed_separable"], 1)   # 2 x 3 x 8 x 8 x 4
    1536
    """
    return 2 * BYTES_PER_ELEMENT * int(np.prod(intermediate_shape(case, batch)))


def traffic_rows(
    names: Sequence[str] = BLOCKS, batches: Sequence[int] = (1, 8)
) -> list[dict[str, Any]]:
    """One row per block and batch: the intermediate, the bytes saved, the least traffic of
    the two calls and of the fused block, and the share saved."""
    rows = []
    for name in names:
        case = CASES_BY_NAME[name]
        for batch in batches:
            saved, total = saved_bytes(case, batch), min_bytes(case, batch)
            rows.append(
                {
                    "name": f"{case.title}, N={batch}",
                    "intermediate": "x".join(map(str, intermediate_shape(case, batch))),
                    "saved_bytes": saved,
                    "two_calls_bytes": total,
                    "fused_bytes": total - saved,
                    "saved_share": f"{saved / total:.0%}",
                }
            )
    return rows


def format_traffic(rows: list[dict[str, Any]]) -> str:
    """The traffic table as text: bytes, with thousands separators.

    >>> print(format_traffic(traffic_rows(["seed_separable"], [1])))
    block                          intermediate  saved  two calls   fused  share
    TDS 12²x3 dw5x5+pw ->256, N=1       1x3x8x8  1,536     72,172  70,636     2%
    """
    header = ("intermediate", "saved", "two calls", "fused", "share")
    values = [
        (
            row["intermediate"],
            f"{row['saved_bytes']:,}",
            f"{row['two_calls_bytes']:,}",
            f"{row['fused_bytes']:,}",
            row["saved_share"],
        )
        for row in rows
    ]
    name_width = max(len("block"), *(len(row["name"]) for row in rows))
    widths = [max(len(h), *(len(v[i]) for v in values)) for i, h in enumerate(header)]
    lines = [
        f"{'block':{name_width}}  "
        + "  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True))
    ]
    for row, cells in zip(rows, values, strict=True):
        line = "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        lines.append(f"{row['name']:{name_width}}  {line}")
    return "\n".join(lines)


# -- timing, interleaved ----------------------------------------------------------------------


def interleaved(
    calls: dict[str, Callable[[], Any]], rounds: int, turn_s: float
) -> list[dict[str, Any]]:
    """Time every call in ``rounds`` rounds, taking turns: in each round each call is warmed up
    (0.02 s) and then timed for ``turn_s`` seconds. Rows with min, median, calls and ratio."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            taken, _ = time_calls(call, repeats=3, warmup=1, warm_s=0.02, min_s=turn_s)
            times[name] += taken
    rows = [
        {
            "name": name,
            "min_s": min(taken),
            "median_s": statistics.median(taken),
            "calls": len(taken),
        }
        for name, taken in times.items()
    ]
    return with_ratios(rows)


def two_calls(case: Case, a: dict[str, np.ndarray]) -> Callable[[], Any]:
    """The block as two public calls, one per step (``method="auto"`` each)."""
    s, p = case.stride, case.padding
    if case.family == "separable":
        return lambda: refconv.pointwise_conv2d(
            refconv.depthwise_conv2d(a["x"], a["depthwise_weight"], stride=s, padding=p),
            a["pointwise_weight"],
        )
    x, column, row = a["x"], a["column_weight"], a["row_weight"]
    (s1, p1, d1), (s2, p2, d2) = spatial_passes(
        x.shape, (column.shape[2], row.shape[3]), s, p, 1, "zeros"
    )
    return lambda: refconv.conv2d(
        refconv.conv2d(x, column, stride=s1, padding=p1, dilation=d1),
        row,
        stride=s2,
        padding=p2,
        dilation=d2,
    )


def block_rows(
    names: Sequence[str] = BLOCKS,
    batches: Sequence[int] = (1, 8),
    rounds: int = 5,
    turn_s: float = 0.1,
) -> list[list[dict[str, Any]]]:
    """One table per block and batch: fused (the public call) against the two calls."""
    tables = []
    for name in names:
        case = CASES_BY_NAME[name]
        for batch in batches:
            arrays = make_inputs(case, batch)
            fused_call, composed = refconv_call(case, arrays), two_calls(case, arrays)
            np.testing.assert_allclose(fused_call(), composed(), rtol=1e-4, atol=1e-3)
            label = f"{case.title}, N={batch}"
            rows = interleaved(
                {f"{label}: two calls": composed, f"{label}: fused": fused_call}, rounds, turn_s
            )
            for row in rows:
                row["saved_bytes"] = saved_bytes(case, batch) if "fused" in row["name"] else 0
            tables.append(rows)
    return tables


# -- the Python around a small call -----------------------------------------------------------


def overhead_rows(rounds: int = 5, turn_s: float = 0.1) -> list[list[dict[str, Any]]]:
    """The TDS example's separable block and standard convolution, and a tiny direct
    convolution: the public call against its kernel alone (arrays, plan and workspaces made
    once, launched as the public call launches it)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 12, 12), dtype=np.float32)
    dw = rng.standard_normal((3, 1, 5, 5), dtype=np.float32)
    pw = rng.standard_normal((256, 3, 1, 1), dtype=np.float32)
    out = np.empty((1, 256, 8, 8), dtype=np.float32)
    none = ((0, 0), (0, 0))
    refconv.separable_conv2d(x, dw, pw)  # loads the kernels (and Numba's threading layer)
    kernel = fused.separable_call(x, dw, pw, None, (1, 1), none, (1, 1), out, False)
    separable = interleaved(
        {
            "TDS dw5x5+pw 3->256: refconv.separable_conv2d": lambda: refconv.separable_conv2d(
                x, dw, pw
            ),
            "  as two calls: depthwise_conv2d, pointwise_conv2d": lambda: refconv.pointwise_conv2d(
                refconv.depthwise_conv2d(x, dw), pw
            ),
            "  fused kernel, arrays ready (conv2d_separable_fused)": lambda: (
                fused.conv2d_separable_fused(x, dw, pw, None, (1, 1), none, (1, 1), out, False)
            ),
            "  its compiled kernel alone (planned once)": lambda: fused.run_fused(kernel),
        },
        rounds,
        turn_s,
    )
    w = rng.standard_normal((256, 3, 5, 5), dtype=np.float32)
    tiny_x, tiny_w = rng.standard_normal((1, 1, 4, 4)), rng.standard_normal((1, 1, 2, 2))
    tiny_out = np.empty((1, 1, 3, 3))
    standard = interleaved(
        {
            "tiny 4x4 * 2x2: refconv.conv2d(method='direct')": lambda: refconv.conv2d(
                tiny_x, tiny_w, method="direct"
            ),
            "  its kernel entry, arrays ready (conv2d_direct)": lambda: internals.conv2d_direct(
                tiny_x, tiny_w, None, (1, 1), none, (1, 1), 1, tiny_out
            ),
            "TDS 5x5 3->256: refconv.conv2d": lambda: refconv.conv2d(x, w),
        },
        rounds,
        turn_s,
    )
    return [separable, standard]


# -- the command ------------------------------------------------------------------------------


def measure(parts: Sequence[str], quick: bool = False) -> dict[str, Any]:
    """The tables of ``parts`` (``traffic``, ``blocks``, ``overhead``), with the settings and
    versions they were measured on, as :func:`refconv.bench.traps.format_tables` prints."""
    import numba

    rounds, turn_s = (2, 0.03) if quick else (6, 0.1)
    started = time.perf_counter()
    busy, own = busy_cpu_seconds(), own_cpu_seconds()
    tables: dict[str, Any] = {}
    if "traffic" in parts:
        tables["traffic"] = {
            "title": "the intermediate a fused block keeps in cache (float32, bytes)",
            "tables": [traffic_rows()],
        }
    if "blocks" in parts:
        tables["blocks"] = {
            "title": "fused blocks against the two calls (public API, method='auto')",
            "tables": block_rows(rounds=rounds, turn_s=turn_s),
        }
    if "overhead" in parts:
        tables["overhead"] = {
            "title": "the Python around a small call: public call against its kernel alone",
            "tables": overhead_rows(rounds=rounds, turn_s=turn_s),
        }
    seconds = time.perf_counter() - started
    others = None
    busy_end = busy_cpu_seconds()
    if busy is not None and busy_end is not None:
        others = max(0.0, (busy_end - busy) - (own_cpu_seconds() - own)) / seconds
    meta = {
        "threads": numba.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "other_cpus_busy": others,
        "seconds": seconds,
    }
    return {"meta": meta, "traps": tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--traffic", action="store_true", help="the traffic table (instant)")
    parser.add_argument("--blocks", action="store_true", help="fused against two calls")
    parser.add_argument("--overhead", action="store_true", help="public call against kernel")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    parts = [p for p in ("traffic", "blocks", "overhead") if getattr(args, p)]
    if parts == ["traffic"] and not args.json:  # no timing: the same on every machine
        print(format_traffic(traffic_rows()))
        return 0
    result = measure(parts or ["traffic", "blocks", "overhead"], args.quick)
    print(json.dumps(result, indent=1) if args.json else format_tables(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
