"""The measurements behind the performance figures: what is timed, how, and what it shows.

:func:`collect` times refconv's kernels on the shapes of :func:`sweep_cases` by the
benchmark's rules (:mod:`refconv.bench`): each thread count runs in a worker process of its
own (:class:`refconv.bench.worker.Worker`, its allocator settled), every call is timed by
:func:`refconv.bench.timing.time_calls` after warm-up calls, and a turn lasts long enough to
collect many calls. The cases take turns in rounds (:data:`ROUNDS`), so that a change in the
machine's load touches them all alike; a figure's bar is the median of every call, its error
bar the lowest and highest median of a single round (:func:`spread`, :func:`ratio_spread`).

The machine's roofs (float32 GEMM and a STREAM triad, :mod:`refconv.bench.roofs`) are measured
in the same rounds, in a worker of their own, and the best round sets them.

The figures are timed on **one thread** (:data:`THREADS`). A parallel call ends when its last
thread does, and a thread that must wait for a free core waits a scheduler time slice: on a
busy two-core machine (load average 3.5 per CPU) every two-thread call took 8-24 ms, where one
thread took 0.06-0.3 ms and its medians held still. The threads panel sets two threads
(:data:`MORE_THREADS`) beside one. The machine's load average over its CPUs is sampled before
and after every round and written on every figure (:func:`load_per_cpu`, :func:`stamp`).

Where the figures' numbers come from (:func:`data_for`): a saved JSON when one is named
(``REFCONV_PERF_JSON``, or :func:`use_data`) -- what :func:`collect` returns, or the output of
``refconv bench --json PATH`` (no rounds: no error bars) -- else a quick measurement, made
once per process and saved as ``performance.json`` beside the figures.
:func:`summary_lines` prints the numbers behind every bar.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..bench import Case, summarise
from ..bench.worker import Worker

DATA_ENV = "REFCONV_PERF_JSON"
DATA_FILE = "performance.json"

#: Rounds of the measurement, quick (``refconv plot``, ``refconv demo --figures``) or not
#: (``scripts/plot_performance.py --full``), and the least duration of one case's turn.
ROUNDS = {True: 5, False: 9}
MIN_TURN_S = {True: 0.03, False: 0.1}
#: The figures' thread count, and the one the threads panel sets beside it.
THREADS, MORE_THREADS = 1, 2

Progress = Callable[[str], None]

_data: dict[str, Any] | None = None
_data_path: Path | None = None


def sweep_cases() -> tuple[list[Case], list[Case]]:
    """The shapes of the measurement: (all of them, those the threads panel also runs on two).

    Standard vs depthwise-separable vs spatially separable 3x3 at several channel counts
    (28², C -> C), and a depthwise and a standard convolution over growing images.
    """
    speedup = [
        Case(f"{family}_{c}", f"{family} {c}->{c} 28²", family, c, c, 28, 3, 1, 1)
        for c in (16, 32, 64, 128)
        for family in ("standard", "separable", "spatial")
    ]
    scaling = [
        Case(f"{family}_32_{size}", f"{family} 32 {size}²", family, 32, 32, size, 3, 1, 1)
        for family in ("depthwise", "standard")
        for size in (14, 28, 56, 112)
    ]
    pointwise = [Case("pointwise_32_64", "pointwise 32->64 56²", "pointwise", 32, 64, 56, 1)]
    threads = [case for case in scaling if case.size == 56] + pointwise
    return speedup + scaling + pointwise, threads


def collect(quick: bool = True, progress: Progress | None = None) -> dict[str, Any]:
    """Time :func:`sweep_cases` on one thread, and the threads panel's cases on two.

    Returns ``{"threads": {"1": run, "2": run}, "seconds": s}``, each ``run`` in the form of
    :func:`refconv.bench.run_benchmark`'s result (``meta``, ``peaks``, ``results``); each
    row of ``results`` also holds ``round_medians_s``, the median of each round, and ``meta``
    holds ``load_per_cpu``, the load average over the CPUs, sampled before the first round and
    after each; the one-thread run's ``peaks`` are the best roofs of its rounds (also kept
    round by round, under ``rounds``), and the two-thread run shares them. ``progress`` is
    called with one line of text after each step.
    """
    everything, subset = sweep_cases()
    say = progress or (lambda line: None)
    started = time.perf_counter()
    figures = _timed(everything, THREADS, None, quick, say)
    more = _timed(subset, MORE_THREADS, figures["peaks"], quick, say)
    runs = {str(THREADS): figures, str(MORE_THREADS): more}
    return {"threads": runs, "seconds": time.perf_counter() - started}


#: The roofs' sizes (quick or not), as :func:`refconv.bench.measure_peaks` takes them.
ROOF_SIZES = {True: {"n": 1024, "mib": 256}, False: {"n": 2048, "mib": 512}}


def _timed(
    cases: list[Case],
    threads: int,
    peaks: dict[str, Any] | None,
    quick: bool,
    say: Progress,
) -> dict[str, Any]:
    """One thread count's run: every case once per round, in a worker process of its own.

    Without ``peaks``, the machine's roofs are measured too, in a worker of their own, a few
    calls in each round (:mod:`refconv.bench.roofs`: float32 GEMM, STREAM triad): the best of
    all rounds, so that a busy moment does not set them.
    """
    rounds, min_turn_s = ROUNDS[quick], MIN_TURN_S[quick]
    sizes = ROOF_SIZES[quick]
    cpus = os.cpu_count() or 1
    loads = [os.getloadavg()[0] / cpus]
    started = time.perf_counter()
    turns: dict[str, list[list[float]]] = {case.name: [] for case in cases}
    first: dict[str, float | None] = {}
    roofs: dict[str, list[float]] = {"sgemm_gflops": [], "bandwidth_gbs": []}
    with contextlib.ExitStack() as stack:
        worker = stack.enter_context(Worker("refconv", threads))
        roofer = None if peaks else stack.enter_context(Worker("peaks", threads))
        for r in range(rounds):
            for case in cases:
                answer = worker.ask(
                    op="time",
                    case=asdict(case),
                    batch=1,
                    repeats=3,
                    warmup=2 if r == 0 else 1,  # the first compiles or loads Numba's cache
                    min_s=min_turn_s,
                )
                turns[case.name].append(answer["times"])
                first.setdefault(case.name, answer["first_s"])
            if roofer is not None:
                gemm = roofer.ask(op="sgemm", n=sizes["n"], repeats=2)
                triad = roofer.ask(op="bandwidth", mib=sizes["mib"], repeats=2)
                roofs["sgemm_gflops"].append(gemm["gflops"])
                roofs["bandwidth_gbs"].append(triad["gbs"])
            loads.append(os.getloadavg()[0] / cpus)
            say(
                f"{threads} thread(s), round {r + 1}/{rounds}: {len(cases)} cases timed, "
                f"load average {loads[-1]:.1f} per CPU"
            )
    if peaks is None:
        peaks = {
            "sgemm_gflops": max(roofs["sgemm_gflops"]),
            "sgemm_n": sizes["n"],
            "bandwidth_gbs": max(roofs["bandwidth_gbs"]),
            "triad_mib": sizes["mib"],
            "rounds": roofs,
        }
        say(
            f"roofs, best of {rounds} rounds: float32 GEMM {peaks['sgemm_gflops']:.1f} GFLOP/s, "
            f"triad {peaks['bandwidth_gbs']:.1f} GB/s"
        )
    results = []
    for case in cases:
        times = [t for turn in turns[case.name] for t in turn]
        row = summarise(case, 1, {"refconv": times}, {"refconv": first[case.name]}, peaks)
        row["round_medians_s"] = [statistics.median(turn) for turn in turns[case.name]]
        results.append(row)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "threads": threads,
        "rounds": rounds,
        "repeats": min(row["peers"]["refconv"]["n"] for row in results),
        "warmup": 2,
        "min_turn_s": min_turn_s,
        "batches": [1],
        "peers": ["refconv"],
        "cpu_count": cpus,
        "load_per_cpu": loads,
        "load_average": list(os.getloadavg()),
        "seconds": time.perf_counter() - started,
    }
    return {"meta": meta, "peaks": peaks, "results": results}


def load(path: str | Path) -> dict[str, Any]:
    """Read a saved :func:`collect` result, or a ``refconv bench --json`` output."""
    data = json.loads(Path(path).read_text())
    if "results" in data:  # one benchmark run
        return {"threads": {str(data["meta"]["threads"]): data}}
    return data


def use_data(path: str | Path | None) -> None:
    """Draw the next figures from this JSON file (None: measure quickly instead)."""
    global _data, _data_path
    _data, _data_path = None, None if path is None else Path(path)


def data_for(out_dir: Path, progress: Progress | None = None) -> dict[str, Any]:
    """The measurements the figures use (see the module docstring for where they come from).

    A measurement made here is saved as ``out_dir/performance.json``; ``progress`` hears of
    its steps.
    """
    global _data
    if _data is None:
        path = _data_path or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)
        if path is not None:
            _data = load(path)
        else:
            _data = collect(quick=True, progress=progress)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / DATA_FILE).write_text(json.dumps(_data, indent=1) + "\n")
    return _data


# -- what the figures show -----------------------------------------------------------------


def main_run(data: dict[str, Any]) -> dict[str, Any]:
    """The run the figures are drawn from: the one with the most cases (fewest threads on a tie)."""
    key = max(data["threads"], key=lambda t: (len(data["threads"][t]["results"]), -int(t)))
    return data["threads"][key]


def _median(row: dict[str, Any]) -> float:
    return float(row["peers"]["refconv"]["median_s"])


def spread(row: dict[str, Any]) -> tuple[float, float, float]:
    """``(median, lowest, highest)`` seconds of a row: the median of every call, and the
    lowest and highest median of one round (the median twice when no rounds were kept)."""
    median = _median(row)
    rounds = [*row.get("round_medians_s", []), median]
    return median, min(rounds), max(rounds)


def ratio_spread(
    numerator: dict[str, Any], denominator: dict[str, Any]
) -> tuple[float, float, float]:
    """``(ratio, lowest, highest)`` of two rows' times: medians, and round by round."""
    ratio = _median(numerator) / _median(denominator)
    a, b = numerator.get("round_medians_s"), denominator.get("round_medians_s")
    per_round = [x / y for x, y in zip(a, b, strict=True)] if a and b and len(a) == len(b) else []
    return ratio, min([*per_round, ratio]), max([*per_round, ratio])


def load_per_cpu(meta: dict[str, Any]) -> tuple[float, float] | None:
    """The lowest and highest load average over the CPUs seen while measuring, if recorded."""
    if meta.get("load_per_cpu"):
        return min(meta["load_per_cpu"]), max(meta["load_per_cpu"])
    if meta.get("load_average") and meta.get("cpu_count"):  # a refconv bench run: two samples
        samples = [meta.get("load_before", meta["load_average"][0]), meta["load_average"][0]]
        return min(samples) / meta["cpu_count"], max(samples) / meta["cpu_count"]
    return None


def busy(meta: dict[str, Any]) -> bool:
    """Whether more threads wanted to run than there were CPUs (load average above 1 per CPU)."""
    seen = load_per_cpu(meta)
    return seen is not None and seen[1] > 1.0


def stamp(run: dict[str, Any]) -> str:
    """The footer of a measured figure: when, how, and how busy the machine was."""
    meta = run["meta"]
    threads = f"{meta['threads']} thread" + ("s" if meta["threads"] != 1 else "")
    calls = [row["peers"]["refconv"]["n"] for row in run["results"]]
    if any(row.get("round_medians_s") for row in run["results"]):
        how = (
            f"{meta['rounds']} rounds of {min(calls)}-{max(calls)} calls per case; "
            "error bars: the lowest and highest round's median"
        )
    else:
        how = f"median of {min(calls)}-{max(calls)} calls per case (no rounds kept: no error bars)"
    text = f"measured {meta['date']} on {threads}, {how}"
    seen = load_per_cpu(meta)
    if seen is not None:
        low, high = seen
        cpus = meta.get("cpu_count", "?")
        text += f"\nload average {low:.1f}-{high:.1f} per CPU ({cpus} CPUs)"
        if high > 1.0:
            text += ": a busy machine, so these times are slower and noisier than on an idle one"
    return text


def footer(run: dict[str, Any]) -> dict[str, Any]:
    """``save``'s footer arguments: the stamp, red on a busy machine."""
    return {"footer": stamp(run), "footer_color": "tab:red" if busy(run["meta"]) else "gray"}


def speedup_groups(run: dict[str, Any]) -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Results grouped by shape, keeping groups with a standard case and a separable one."""
    groups: dict[tuple, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in run["results"]:
        s = row["spec"]
        key = (s["c_in"], s["c_out"], s["size"], s["kernel"], s["stride"], row["batch"])
        groups[key][row["family"]] = row
    found = [
        (f"{c}->{o}\n{size}² k{k}" + (f" N={n}" if n > 1 else ""), members)
        for (c, o, size, k, _, n), members in sorted(groups.items())
        if "standard" in members and {"separable", "spatial"} & set(members)
    ]
    return found


VARIANTS = (("separable", "depthwise-separable"), ("spatial", "spatially separable"))


def headline(data: dict[str, Any]) -> str:
    """One sentence on the measurement: what was timed, how, when, and the machine's load."""
    run = main_run(data)
    meta = run["meta"]
    threads = f"{meta['threads']} thread" + ("s" if meta["threads"] != 1 else "")
    rounds = meta.get("rounds", 1)
    seconds = data.get("seconds", 0.0)  # the whole measurement, roofs included
    text = (
        f"{len(run['results'])} cases timed on {threads} in {rounds} round"
        f"{'s' if rounds != 1 else ''} at {meta['date']}"
        + (f" ({seconds:.0f} s)" if seconds else "")
    )
    seen = load_per_cpu(meta)
    if seen is not None:
        text += f", load average {seen[0]:.1f}-{seen[1]:.1f} per CPU"
        text += " (a busy machine)" if busy(meta) else ""
    return text


def summary_lines(data: dict[str, Any]) -> list[str]:
    """The numbers behind every bar and point: each median with its lowest and highest round."""
    run = main_run(data)
    lines = [
        headline(data),
        "speed-up over standard: multiplications, then measured median [lowest, highest round]",
    ]
    for name, members in speedup_groups(run):
        for family, label in VARIANTS:
            if family in members:
                standard, variant = members["standard"], members[family]
                theory = standard["multiplications"] / variant["multiplications"]
                ratio, low, high = ratio_spread(standard, variant)
                lines.append(
                    f"  {name.replace(chr(10), ' '):<16} {label:<20} {theory:5.2f}x   "
                    f"{ratio:6.2f}x [{low:.2f}, {high:.2f}]"
                )
    lines.append("time in ms: median [lowest, highest round], effective GFLOP/s at the median")
    for t in sorted(data["threads"], key=int):
        for row in data["threads"][t]["results"]:
            median, low, high = (v * 1e3 for v in spread(row))
            lines.append(
                f"  {t} thread(s) {row['title']:<24} {median:8.3f} [{low:.3f}, {high:.3f}]  "
                f"{row['flops'] / median / 1e6:6.2f} GFLOP/s"
            )
    return lines
