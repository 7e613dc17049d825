"""Performance figures: a roofline, theoretical vs measured speed-ups, and scaling.

The figures are drawn from measurements made by :func:`refconv.bench.run_benchmark`:

* from a saved JSON when one is named (``REFCONV_PERF_JSON``, or :func:`use_data`): either
  what :func:`collect` returns, or the output of ``refconv bench --json PATH``;
* otherwise from a quick measurement (refconv only, no PyTorch needed, well under a minute),
  made once per process and saved as ``performance.json`` beside the figures, so that a later
  run can reuse it with ``REFCONV_PERF_JSON=DIR/performance.json``.

Each figure function takes the output folder and returns the PNG paths it wrote;
:data:`FIGURES` maps a figure's name to its function.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ..bench import Case, multiplications, run_benchmark
from .style import new_figure, save

DATA_ENV = "REFCONV_PERF_JSON"
DATA_FILE = "performance.json"

FAMILY_STYLE = {  # colour and marker of each convolution family, in every figure
    "standard": ("tab:blue", "o"),
    "depthwise": ("tab:orange", "s"),
    "pointwise": ("tab:green", "^"),
    "separable": ("tab:red", "D"),
    "spatial": ("tab:purple", "v"),
}

_data: dict[str, Any] | None = None
_data_path: Path | None = None


def sweep_cases() -> tuple[list[Case], list[Case]]:
    """The shapes of the quick measurement: (all of them, those also run on one thread).

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


def collect(quick: bool = True) -> dict[str, Any]:
    """Measure refconv on :func:`sweep_cases` with 2 threads, and a subset with 1 thread.

    Returns ``{"threads": {"2": result, "1": result}}``, each ``result`` as returned by
    :func:`refconv.bench.run_benchmark`.
    """
    everything, subset = sweep_cases()

    def say(line: str) -> None:
        print(f"performance figures: {line}", file=sys.stderr, flush=True)

    runs = {}
    for threads, cases in ((2, everything), (1, subset)):
        runs[str(threads)] = run_benchmark(
            cases,
            batches=(1,),
            peers=("refconv",),
            repeats=3 if quick else 10,
            rounds=1 if quick else 3,
            threads=threads,
            warmup=2,
            settle_s=0.02,
            quick_peaks=quick,
            cold_start=False,
            progress=say,
        )
    return {"threads": runs}


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


def data_for(out_dir: Path) -> dict[str, Any]:
    """The measurements the figures use (see the module docstring for where they come from)."""
    global _data
    if _data is None:
        path = _data_path or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)
        if path is not None:
            _data = load(path)
        else:
            _data = collect(quick=True)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / DATA_FILE).write_text(json.dumps(_data, indent=1) + "\n")
    return _data


def _most_threads(data: dict[str, Any]) -> dict[str, Any]:
    return data["threads"][max(data["threads"], key=int)]


def _stamp(run: dict[str, Any]) -> str:
    """The footer of a measured figure: when, on how many threads, median of how many."""
    meta = run["meta"]
    return f"{meta['date']}, {meta['threads']} thread(s), median of {meta['repeats']}"


def roofline(out_dir: Path) -> list[Path]:
    """Achieved GFLOP/s against arithmetic intensity, under the measured roofs."""
    run = _most_threads(data_for(out_dir))
    peak, bandwidth = run["peaks"]["sgemm_gflops"], run["peaks"]["bandwidth_gbs"]
    fig, ax = new_figure(7.0, 4.8)
    intensities = [row["intensity"] for row in run["results"]]
    x = np.geomspace(
        min([*intensities, 0.1]) / 2, max([*intensities, peak / bandwidth]) * 4, 200
    )  # FLOP/B
    ax.plot(x, np.minimum(peak, x * bandwidth), color="black", lw=1.5)
    ax.annotate(
        f"float32 GEMM {peak:.0f} GFLOP/s", (x[-1], peak), ha="right", va="bottom", fontsize=8
    )
    ax.annotate(
        f"triad {bandwidth:.1f} GB/s",
        (x[0] * 1.5, x[0] * 1.5 * bandwidth),
        rotation=25,
        fontsize=8,
        va="bottom",
    )
    seen = set()
    for row in run["results"]:
        colour, marker = FAMILY_STYLE[row["family"]]
        for peer, filled in (("refconv", True), ("torch", False)):
            if peer not in row["peers"]:
                continue
            label = f"{row['family']} ({peer})"
            ax.scatter(
                row["intensity"],
                row["peers"][peer]["gflops"],
                marker=marker,
                s=40,
                color=colour if filled else "none",
                edgecolors=colour,
                label=None if label in seen else label,
                zorder=3,
            )
            seen.add(label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOPs per byte of minimum traffic)")
    ax.set_ylabel("achieved GFLOP/s")
    ax.set_title(
        "Roofline: depthwise sits under the memory roof, GEMM-like convs under compute", fontsize=10
    )
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    return [save(fig, out_dir / "performance_roofline.png", footer=_stamp(run))]


def _speedup_groups(run: dict[str, Any]) -> list[tuple[str, dict[str, dict[str, Any]]]]:
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


def separable_speedup(out_dir: Path) -> list[Path]:
    """Multiplication ratio (theory) against time ratio (measured), per shape and variant."""
    run = _most_threads(data_for(out_dir))
    groups = _speedup_groups(run)
    fig, ax = new_figure(8.0, 4.6)
    width = 0.2
    for offset, (family, label) in enumerate(
        (("separable", "depthwise-separable"), ("spatial", "spatially separable"))
    ):
        colour = FAMILY_STYLE[family][0]
        for i, (_, members) in enumerate(groups):
            if family not in members:
                continue
            standard, variant = members["standard"], members[family]
            theory = standard["multiplications"] / variant["multiplications"]
            measured = (
                standard["peers"]["refconv"]["median_s"] / variant["peers"]["refconv"]["median_s"]
            )
            x = i + (2 * offset - 1.5) * width
            ax.bar(
                x,
                theory,
                width,
                color=colour,
                alpha=0.35,
                label=f"{label}: multiplications" if i == 0 else None,
            )
            ax.bar(
                x + width,
                measured,
                width,
                color=colour,
                label=f"{label}: measured time" if i == 0 else None,
            )
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(groups)), [name for name, _ in groups], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("speed-up over the standard convolution")
    ax.set_title("Theoretical (multiplication ratio) vs measured speed-up, refconv", fontsize=10)
    ax.legend(fontsize=7)
    return [save(fig, out_dir / "performance_separable_speedup.png", footer=_stamp(run))]


def scaling(out_dir: Path) -> list[Path]:
    """Time against H·W for the image-size sweep, and time on 1 vs 2 threads."""
    data = data_for(out_dir)
    run = _most_threads(data)
    fig, (left, right) = new_figure(10.0, 4.4, ncols=2)
    series: dict[tuple, dict[int, float]] = defaultdict(dict)  # shape -> {H·W: seconds}
    for row in run["results"]:
        s = row["spec"]
        key = (row["family"], s["c_in"], s["c_out"], s["kernel"], s["stride"], row["batch"])
        seconds = row["peers"]["refconv"]["median_s"]
        pixels = s["size"] ** 2  # a shape measured twice keeps its faster median
        series[key][pixels] = min(seconds, series[key].get(pixels, seconds))
    for (family, c, o, k, _, n), points in sorted(series.items()):
        if len(points) < 3:
            continue
        pixels, seconds = zip(*sorted(points.items()), strict=True)
        colour, marker = FAMILY_STYLE[family]
        left.plot(
            pixels,
            np.array(seconds) * 1e3,
            marker=marker,
            color=colour,
            label=f"{family} {c}->{o} k{k}" + (f" N={n}" if n > 1 else ""),
        )
        ideal = np.array(pixels) / pixels[-1] * seconds[-1] * 1e3  # linear in H·W
        left.plot(pixels, ideal, color=colour, ls=":", lw=0.8)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("H·W (pixels)")
    left.set_ylabel("median time (ms)")
    left.set_title("time vs image size (dotted: proportional to H·W)", fontsize=10)
    left.legend(fontsize=7)
    counts = sorted(data["threads"], key=int)
    if len(counts) < 2:
        right.text(
            0.5, 0.5, f"only {counts[0]} thread(s) measured", ha="center", transform=right.transAxes
        )
    else:
        by_thread = {t: {r["case"]: r for r in data["threads"][t]["results"]} for t in counts}
        names = [name for name in by_thread[counts[0]] if name in by_thread[counts[-1]]]
        y = np.arange(len(names))[::-1]  # first case on top
        for j, t in enumerate(counts):
            times = [by_thread[t][name]["peers"]["refconv"]["median_s"] * 1e3 for name in names]
            right.barh(y - (j - 0.5) * 0.4, times, 0.4, label=f"{t} thread(s)")
        right.set_yticks(y, [by_thread[counts[0]][n]["title"] for n in names], fontsize=9)
        right.set_xlabel("median time (ms)")
        right.set_title("threads (numba.set_num_threads and BLAS)", fontsize=10)
        right.legend(fontsize=8)
    return [save(fig, out_dir / "performance_scaling.png", footer=_stamp(run))]


def speedup_table(out_dir: Path) -> list[tuple[str, str, float, float]]:
    """The numbers behind :func:`separable_speedup`: (shape, variant, theory, measured)."""
    run = _most_threads(data_for(out_dir))
    rows: list[tuple[str, str, float, float]] = []
    for name, members in _speedup_groups(run):
        for family in ("separable", "spatial"):
            if family in members:
                standard, variant = members["standard"], members[family]
                rows.append(
                    (
                        name.replace("\n", " "),
                        family,
                        multiplications(Case(**standard["spec"]), standard["batch"])
                        / multiplications(Case(**variant["spec"]), variant["batch"]),
                        standard["peers"]["refconv"]["median_s"]
                        / variant["peers"]["refconv"]["median_s"],
                    )
                )
    return rows


FIGURES = {
    "performance_roofline": roofline,
    "performance_separable_speedup": separable_speedup,
    "performance_scaling": scaling,
}
