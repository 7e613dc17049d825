"""Time against threads: the benchmark run once per thread count, on a few representative cases.

``refconv bench --scaling [T ...]`` runs :func:`run_scaling`: :func:`refconv.bench.run_benchmark`
once per thread count ``T`` (fresh worker processes each time, every pool of every peer sized to
``T``: Numba's, BLAS's, PyTorch's, ONNX Runtime's intra-op pool), on :data:`SCALING_CASES`
unless other cases are named. :func:`series` turns the runs into one line per (case, batch,
peer): the median time at each thread count; :func:`format_scaling` prints them with the
speed-up over one thread and refconv's ratio to each peer at each count;
:mod:`refconv.plotting.scaling` draws them.

>>> default_thread_counts(2), default_thread_counts(12), default_thread_counts(16)
([1, 2], [1, 2, 4, 8, 12], [1, 2, 4, 8, 16])
>>> data = {"threads": {
...     "1": {"results": [{"case": "dw_64", "title": "dw", "batch": 1,
...                        "peers": {"refconv": {"median_s": 2e-4}, "ort": {"median_s": 3e-4}}}]},
...     "2": {"results": [{"case": "dw_64", "title": "dw", "batch": 1,
...                        "peers": {"refconv": {"median_s": 1e-4}, "ort": {"median_s": 2e-4}}}]}}}
>>> [(s["peer"], s["threads"], s["median_s"]) for s in series(data)]
[('refconv', [1, 2], [0.0002, 0.0001]), ('ort', [1, 2], [0.0003, 0.0002])]
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from .cases import CASES_BY_NAME, Case
from .report import busy_warning, format_seconds, table_lines
from .runner import Progress, run_benchmark

#: Representative cases: a GEMM-bound standard layer, a memory-bound depthwise one, a 1x1, the
#: separable block, the 1x3 + 3x1 block, and the TDS example (small: per-call overhead).
SCALING_CASES = (
    "std_64_128",
    "dw_64",
    "pw_64_128",
    "sep_64_128",
    "spatial_64_64",
    "seed_separable",
)
#: The peers of a scaling run unless named: every installed one but SciPy, which has no
#: thread pool to scale (and takes seconds a call on these shapes).
SCALING_PEERS = ("refconv", "torch", "ort")


def default_thread_counts(cpus: int | None = None) -> list[int]:
    """1, 2, 4, ... up to the number of CPUs, and that number itself."""
    cpus = cpus or os.cpu_count() or 1
    counts = [1]
    while counts[-1] * 2 <= cpus:
        counts.append(counts[-1] * 2)
    return counts if counts[-1] == cpus else [*counts, cpus]


def scaling_cases(names: Sequence[str] | None = None) -> list[Case]:
    """The cases of a scaling run (default :data:`SCALING_CASES`)."""
    return [CASES_BY_NAME[name] for name in (names or SCALING_CASES)]


def run_scaling(
    cases: Sequence[Case] | None = None,
    threads: Sequence[int] | None = None,
    batches: Sequence[int] = (1, 8),
    peers: Sequence[str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> dict[str, Any]:
    """:func:`~refconv.bench.run_benchmark` once per thread count; everything as JSON-ready data.

    Parameters
    ----------
    cases : sequence of Case, optional
        Default :func:`scaling_cases`.
    threads : sequence of int, optional
        The thread counts, default :func:`default_thread_counts`.
    batches, peers :
        As for :func:`~refconv.bench.run_benchmark`.
    progress : callable, optional
        Called with one line of text after each step.
    **options :
        Passed on to :func:`~refconv.bench.run_benchmark` (``repeats``, ``rounds``,
        ``min_turn_s``, ...). The cold start is not measured; the roofs are, quickly, per count.

    Returns
    -------
    dict
        ``{"meta": {...}, "threads": {"1": run, "2": run, ...}}``, each ``run`` what
        :func:`~refconv.bench.run_benchmark` returns (the form :mod:`refconv.plotting` reads).
    """
    cases = list(cases or scaling_cases())
    counts = list(threads or default_thread_counts())
    say = progress or (lambda line: None)
    started = time.perf_counter()
    runs: dict[str, Any] = {}
    for count in counts:
        say(f"--- {count} thread(s) ---")
        runs[str(count)] = run_benchmark(
            cases,
            batches=batches,
            peers=peers,
            threads=count,
            quick_peaks=True,
            cold_start=False,
            progress=say,
            **options,
        )
    first = runs[str(counts[0])]["meta"]
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "cpu_count": os.cpu_count(),
        "threads": counts,
        "batches": list(batches),
        "peers": first["peers"],
        "cases": [case.name for case in cases],
        "platform": first["platform"],
        "load_average": max(
            max(run["meta"]["load_before"], run["meta"]["load_average"][0]) for run in runs.values()
        ),
        "seconds": time.perf_counter() - started,
    }
    return {"meta": meta, "threads": runs}


def series(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per (case, batch, peer), in the runs' order: median seconds per thread count.

    Each entry is ``{"case", "title", "batch", "peer", "threads": [T, ...], "median_s": [...]}``
    over the thread counts that measured it, ascending.
    """
    counts = sorted(data["threads"], key=int)
    found: dict[tuple[str, int, str], dict[str, Any]] = {}
    for count in counts:
        for row in data["threads"][count]["results"]:
            for peer, stats in row["peers"].items():
                key = (row["case"], row["batch"], peer)
                entry = found.setdefault(
                    key,
                    {
                        "case": row["case"],
                        "title": row["title"],
                        "batch": row["batch"],
                        "peer": peer,
                        "threads": [],
                        "median_s": [],
                    },
                )
                entry["threads"].append(int(count))
                entry["median_s"].append(stats["median_s"])
    return list(found.values())


def format_scaling(data: dict[str, Any]) -> str:
    """The scaling table: per case, batch and peer, the median time at each thread count, the
    speed-up of the most threads over one, and refconv's time over the peer's at each count."""
    entries = series(data)
    counts = sorted((int(t) for t in data["threads"]), key=int)
    refconv = {(e["case"], e["batch"]): e for e in entries if e["peer"] == "refconv"}
    header = [
        "case",
        "N",
        "peer",
        *(f"T={t}" for t in counts),
        f"speed-up {counts[-1]}/{counts[0]}",
        *(f"ref/peer T={t}" for t in counts),
    ]
    rows = []
    for e in entries:
        times = dict(zip(e["threads"], e["median_s"], strict=True))
        ref = refconv.get((e["case"], e["batch"]))
        ref_times = {} if ref is None else dict(zip(ref["threads"], ref["median_s"], strict=True))
        lo, hi = counts[0], counts[-1]
        rows.append(
            [
                e["title"],
                str(e["batch"]),
                e["peer"],
                *(format_seconds(times.get(t)) for t in counts),
                f"{times[lo] / times[hi]:.2f}x" if lo in times and hi in times else "-",
                *(
                    f"{ref_times[t] / times[t]:.3g}"
                    if e["peer"] != "refconv" and t in times and t in ref_times
                    else "-"
                    for t in counts
                ),
            ]
        )
    meta = data.get("meta", {})
    lines = [
        f"refconv bench --scaling: threads {', '.join(map(str, counts))}; every pool of every "
        "peer sized to T (Numba, BLAS, PyTorch, ONNX Runtime's intra-op pool); one process per "
        "peer and thread count; median times",
    ]
    warning = busy_warning(meta.get("load_average", 0.0), meta.get("cpu_count"), counts[-1])
    if warning:
        lines.append(warning)
    lines += ["", *table_lines(header, rows, set(range(3, len(header))))]
    return "\n".join(lines)
