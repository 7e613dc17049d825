"""The benchmark proper: refconv against PyTorch (CPU) and SciPy on the separable story's shapes.

What is measured, and how:

* every peer runs in a process of its own (:mod:`refconv.bench.worker`), and the parent asks
  one process at a time, so the thread pools of Numba (OpenMP), OpenBLAS and PyTorch never
  spin against each other; between two peers it pauses briefly so that the last one's idle
  threads stop spinning before the next one starts;
* the peers take turns in rounds (the order rotates each round), so a slow drift of the
  machine's load touches all of them alike;
* each process first makes untimed warm-up calls (the first one compiles, or loads Numba's
  cache), then times calls (:func:`refconv.bench.timing.time_calls`) -- a turn lasts
  ``min_turn_s`` at least, so short cases collect hundreds of calls; the reported time is the
  median;
* every process starts by allocating and freeing one large block, which puts glibc's
  allocator in a long-running process's state (see
  :func:`refconv.bench.worker.settle_allocator`): otherwise each output of the first cases
  is freshly mapped, and page faults on every call, in whichever peer met no large case yet;
* the machine's roofs are measured in the same run, in a process of their own with the same
  number of threads: float32 GEMM (NumPy's BLAS) for compute, a STREAM triad for memory
  (:mod:`refconv.bench.roofs`);
* the cold start (first call in a fresh process, with an empty and with a warm Numba cache)
  is measured per kernel family in fresh processes.

The cases and their closed-form costs live in :mod:`refconv.bench.cases`; the tables are
written by :mod:`refconv.bench.report`.

A run takes seconds to minutes (it starts processes), so the example is not a doctest::

    from refconv.bench import CASES_BY_NAME, run_benchmark
    from refconv.bench.report import format_report
    result = run_benchmark([CASES_BY_NAME["seed_separable"]], batches=[1], repeats=3,
                           rounds=3, cold_start=False)
    print(format_report(result))
"""

from __future__ import annotations

import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, TypedDict

from .cases import CASES, COLD_CASES, Case, flops, min_bytes, multiplications
from .ort import ort_available, ort_bar_of
from .processes import pool_env, run_in_process
from .roofs import roof
from .worker import Worker, first_call

PEERS = ("refconv", "torch", "ort", "scipy")
Progress = Callable[[str], None]


class PeerStats(TypedDict):
    """One peer's numbers in a row of the report (:func:`summarise`)."""

    median_s: float
    min_s: float
    n: int  # timed calls
    first_s: float | None  # the first warm-up call, where it was timed
    gflops: float  # at the median


def torch_available() -> bool:
    """Whether PyTorch can be imported (without importing it here)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def measure_peaks(threads: int, quick: bool = False) -> dict[str, Any]:
    """The compute roof (float32 GEMM) and memory roof (triad), in a process of their own.

    See :mod:`refconv.bench.roofs`; ``quick`` measures on smaller arrays.
    """
    n, mib, repeats = (1024, 256, 3) if quick else (2048, 512, 5)
    with Worker("peaks", threads) as worker:
        gflops = worker.ask(op="sgemm", n=n, repeats=repeats)["gflops"]
        gbs = worker.ask(op="bandwidth", mib=mib, repeats=repeats)["gbs"]
    return {"sgemm_gflops": gflops, "sgemm_n": n, "bandwidth_gbs": gbs, "triad_mib": mib}


def measure_cold_start(
    cases: Sequence[Case] = COLD_CASES, threads: int = 2, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """First-call time in a fresh process, with an empty and then a warm Numba cache.

    Each case runs twice in fresh processes sharing one new ``NUMBA_CACHE_DIR``: the first
    compiles everything it calls, the second loads it from the cache. ``process_s`` is the
    whole process (interpreter start and imports included).
    """
    rows = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="refconv-numba-cache-") as cache:
            env = pool_env(threads, {"NUMBA_CACHE_DIR": cache})
            row: dict[str, Any] = {"case": case.name, "title": case.title}
            for state in ("cold", "warm"):
                t0 = time.perf_counter()
                answer = run_in_process(first_call, {"case": asdict(case)}, env)
                row[f"{state}_first_s"] = answer["first_s"]
                row[f"{state}_process_s"] = time.perf_counter() - t0
                row["steady_s"] = answer["steady_s"]
        rows.append(row)
        if progress:
            progress(
                f"cold start {case.title}: first call {row['cold_first_s']:.2f} s cold, "
                f"{row['warm_first_s']:.3f} s with a warm cache"
            )
    return rows


# -- the benchmark proper ----------------------------------------------------------------------


def default_peers() -> tuple[str, ...]:
    """refconv, PyTorch and ONNX Runtime when they are installed, and SciPy."""
    installed = {"torch": torch_available(), "ort": ort_available()}
    return tuple(p for p in PEERS if installed.get(p, True))


def _time_case(
    workers: dict[str, Worker],
    case: Case,
    batch: int,
    repeats: int,
    rounds: int,
    warmup: int,
    scipy_rounds: int,
    scipy_budget_s: float,
    settle_s: float,
    min_turn_s: float,
) -> tuple[dict[str, list[float]], dict[str, float | None]]:
    """Timed calls of every peer for one case, the peers taking turns round by round."""
    peers = list(workers)
    per_round = max(1, math.ceil(repeats / rounds))
    samples: dict[str, list[float]] = {peer: [] for peer in peers}
    first: dict[str, float | None] = {}
    for r in range(rounds):
        for peer in peers[r % len(peers) :] + peers[: r % len(peers)]:  # rotate the order
            scipy = peer == "scipy"
            if scipy and r >= scipy_rounds:
                continue
            answer = workers[peer].ask(
                op="time",
                case=asdict(case),
                batch=batch,
                repeats=per_round,
                # SciPy compiles nothing, and a call can take seconds: no warm-up for it.
                warmup=0 if scipy else (warmup if r == 0 else 1),
                budget_s=scipy_budget_s if scipy else 1e9,
                min_s=0.0 if scipy else min_turn_s,
            )
            samples[peer].extend(answer["times"])
            first.setdefault(peer, answer["first_s"])
            time.sleep(settle_s)  # let this peer's idle threads stop spinning
    return samples, first


def summarise(
    case: Case,
    batch: int,
    samples: dict[str, list[float]],
    first: dict[str, float | None],
    peaks: dict[str, Any],
) -> dict[str, Any]:
    """One row of the report: medians, ratios, GFLOP/s, the roof that binds, the bar.

    Parameters
    ----------
    case, batch : Case, int
        What was timed.
    samples : dict
        Each peer's timed durations, in seconds.
    first : dict
        Each peer's first warm-up call, in seconds (or None).
    peaks : dict
        The machine's roofs, ``sgemm_gflops`` and ``bandwidth_gbs``.
    """
    work = flops(case, batch)
    traffic = min_bytes(case, batch)
    peers: dict[str, PeerStats] = {}
    for peer, times in samples.items():
        median = statistics.median(times)
        peers[peer] = {
            "median_s": median,
            "min_s": min(times),
            "n": len(times),
            "first_s": first.get(peer),
            "gflops": work / median / 1e9,
        }
    ai = work / traffic
    bound, roof_gflops = roof(case.family, ai, peaks)
    ratio = {
        peer: peers["refconv"]["median_s"] / stats["median_s"]
        for peer, stats in peers.items()
        if peer != "refconv" and "refconv" in peers
    }
    passed = None
    if case.bar is not None and "torch" in ratio:
        passed = ratio["torch"] <= case.bar
    ort_bar = ort_bar_of(case)
    ort_passed = None if ort_bar is None or "ort" not in ratio else ratio["ort"] <= ort_bar
    row: dict[str, Any] = {
        "case": case.name,
        "title": case.title,
        "family": case.family,
        "batch": batch,
        "spec": asdict(case),
        "input_shape": list(case.array_shapes(batch)["x"]),
        "multiplications": multiplications(case, batch),
        "flops": work,
        "min_bytes": traffic,
        "intensity": ai,
        "bound": bound,
        "roof_gflops": roof_gflops,
        "peers": peers,
        "ratio": ratio,
        "bar": case.bar,
        "passed": passed,
        "ort_bar": ort_bar,  # refconv / ORT, every case of the table (refconv.bench.ort)
        "ort_passed": ort_passed,
    }
    if "refconv" in peers:
        row["roof_pct"] = 100.0 * peers["refconv"]["gflops"] / roof_gflops
    return row


def run_benchmark(
    cases: Sequence[Case] = CASES,
    batches: Sequence[int] = (1, 8),
    peers: Sequence[str] | None = None,
    repeats: int = 10,
    rounds: int = 5,
    threads: int = 2,
    warmup: int = 2,
    scipy_rounds: int = 2,
    scipy_budget_s: float = 0.5,
    settle_s: float = 0.25,
    min_turn_s: float = 0.05,
    quick_peaks: bool = False,
    peaks: dict[str, Any] | None = None,
    cold_start: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the benchmark and return everything it measured as a JSON-ready dict.

    Parameters
    ----------
    cases : sequence of Case
        What to time (default: the whole table, :data:`CASES`).
    batches : sequence of int
        Batch sizes ``N``; every case runs at each.
    peers : sequence of str, optional
        Any of ``"refconv"``, ``"torch"``, ``"ort"``, ``"scipy"``; default :func:`default_peers`.
    repeats : int
        Timed calls per peer and case, spread over the rounds (SciPy is bounded separately).
    min_turn_s : float
        A peer's turn goes on past its share of ``repeats`` until its timed calls have taken
        this long (SciPy excepted), so a case of microseconds is the median of hundreds of
        calls, not of ten.
    rounds : int
        How many times the peers take turns on a case.
    threads : int
        Threads for every pool of every process (Numba, BLAS, PyTorch).
    warmup : int
        Untimed calls before the first round (one before each later round).
    scipy_rounds, scipy_budget_s : int, float
        SciPy takes part in the first ``scipy_rounds`` rounds only, and stops a round's calls
        once ``scipy_budget_s`` seconds have gone by (one call at least).
    settle_s : float
        Pause after each peer's turn, for its idle threads to stop spinning.
    quick_peaks : bool
        Measure the roofs on smaller arrays (faster, a little less exact).
    peaks : dict, optional
        Roofs measured before (``sgemm_gflops``, ``bandwidth_gbs``): reuse them instead of
        measuring again.
    cold_start : bool
        Also run :func:`measure_cold_start`.
    progress : callable, optional
        Called with one line of text after each step.

    Returns
    -------
    dict
        ``meta`` (versions, settings), ``peaks`` (``sgemm_gflops``, ``bandwidth_gbs``),
        ``results`` (one :func:`summarise` row per case and batch) and ``cold_start``.
    """
    import platform

    peers = tuple(peers) if peers else default_peers()
    unknown = sorted(set(peers) - set(PEERS))
    if unknown:
        raise ValueError(f"unknown peer(s) {unknown}; choose from {list(PEERS)}")
    say = progress or (lambda line: None)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    workers = {peer: Worker(peer, threads) for peer in peers}
    results = []
    try:
        infos = {peer: worker.ask(op="info") for peer, worker in workers.items()}
        time.sleep(settle_s)
        if peaks is None:
            say(f"measuring the roofs with {threads} thread(s) ...")
            peaks = measure_peaks(threads, quick_peaks)
        say(f"sgemm {peaks['sgemm_gflops']:.1f} GFLOP/s, triad {peaks['bandwidth_gbs']:.1f} GB/s")
        jobs = [(case, batch) for case in cases for batch in batches]
        for index, (case, batch) in enumerate(jobs, start=1):
            samples, first = _time_case(
                workers,
                case,
                batch,
                repeats,
                rounds,
                warmup,
                scipy_rounds,
                scipy_budget_s,
                settle_s,
                min_turn_s,
            )
            row = summarise(case, batch, samples, first, peaks)
            results.append(row)
            times = ", ".join(f"{p} {s['median_s'] * 1e3:.3g} ms" for p, s in row["peers"].items())
            say(f"[{index}/{len(jobs)}] {case.name} N={batch}: {times}")
    finally:
        for worker in workers.values():
            worker.close()
    cold = measure_cold_start(threads=threads, progress=say) if cold_start else []
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_before": load_before,
        "load_average": list(os.getloadavg()),
        "threads": threads,
        "repeats": repeats,
        "rounds": rounds,
        "warmup": warmup,
        "min_turn_s": min_turn_s,
        "batches": list(batches),
        "peers": list(peers),
        "processes": infos,
        "seconds": time.perf_counter() - started,
    }
    return {"meta": meta, "peaks": peaks, "results": results, "cold_start": cold}
