"""Performance figures: a roofline, theoretical vs measured speed-ups, and scaling.

The numbers come from :mod:`refconv.plotting.performance_data` (measured on one thread by the
benchmark's rules, rounds giving each bar its spread, the machine's load written on every
figure; or read from a saved JSON). Each figure function takes the output folder and returns
the PNG paths it wrote; :data:`FIGURES` maps a figure's name to its function.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ..bench import Case, multiplications
from .performance_data import (
    DATA_ENV,
    DATA_FILE,
    VARIANTS,
    busy,
    collect,
    data_for,
    footer,
    load,
    main_run,
    ratio_spread,
    speedup_groups,
    spread,
    summary_lines,
    sweep_cases,
    use_data,
)
from .style import new_figure, save

FAMILY_STYLE = {  # colour and marker of each convolution family, in every figure
    "standard": ("tab:blue", "o"),
    "depthwise": ("tab:orange", "s"),
    "pointwise": ("tab:green", "^"),
    "separable": ("tab:red", "D"),
    "spatial": ("tab:purple", "v"),
}

# -- the figures ---------------------------------------------------------------------------

#: Why a point can sit above a roof, written under the roofline.
ROOFLINE_NOTE = (
    "Effective GFLOP/s: a case's FLOPs by the standard count (2 per multiply-add of the "
    "definition) over its median time. A point above a roof is possible: the memory roof is "
    "main-memory bandwidth (a STREAM triad on {mib} MiB), and a case whose arrays fit in the "
    "cache reads them faster; a kernel that does fewer multiplications than it is credited "
    "with (Winograd F(2x2, 3x3): 16 instead of 36 per 2x2 outputs, used only when asked for "
    "with method='winograd', not here) could pass either roof."
)


def _roof(x: float, peaks: dict[str, Any]) -> float:
    return float(min(peaks["sgemm_gflops"], x * peaks["bandwidth_gbs"]))


def roofline(out_dir: Path) -> list[Path]:
    """Effective GFLOP/s against arithmetic intensity, under the measured roofs."""
    run = main_run(data_for(out_dir))
    peaks = run["peaks"]
    peak, bandwidth = peaks["sgemm_gflops"], peaks["bandwidth_gbs"]
    fig, ax = new_figure(8.0, 5.6)
    intensities = [row["intensity"] for row in run["results"]]
    x = np.geomspace(
        min([*intensities, 0.1]) / 2, max([*intensities, peak / bandwidth]) * 20, 200
    )  # FLOP/B; the right end holds the compute roof's label, clear of the points
    ax.plot(x, np.minimum(peak, x * bandwidth), color="black", lw=1.5)
    ax.annotate(
        f"compute roof: float32 GEMM {peak:.0f} GFLOP/s",
        (x[-1], peak),
        ha="right",
        va="bottom",
        fontsize=8,
    )
    ax.annotate(
        f"memory roof: triad {bandwidth:.1f} GB/s",
        (x[0] * 1.5, x[0] * 1.5 * bandwidth),
        rotation=25,
        fontsize=8,
        va="bottom",
    )
    seen, above = set(), 0
    for row in run["results"]:
        colour, marker = FAMILY_STYLE[row["family"]]
        median, low, high = spread(row)
        gflops = row["flops"] / median / 1e9
        errors = [[gflops - row["flops"] / high / 1e9], [row["flops"] / low / 1e9 - gflops]]
        label = None if row["family"] in seen else row["family"]
        seen.add(row["family"])
        ax.errorbar(row["intensity"], gflops, yerr=errors, color=colour, lw=1, capsize=2, zorder=2)
        ax.scatter(
            row["intensity"], gflops, marker=marker, s=40, color=colour, label=label, zorder=3
        )
        if gflops > _roof(row["intensity"], peaks):
            above += 1
            ax.scatter(
                row["intensity"], gflops, s=180, facecolors="none", edgecolors="black", zorder=4
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOPs per byte of the least memory traffic)")
    ax.set_ylabel("effective GFLOP/s (median, refconv)")
    ax.set_title(
        "Roofline: depthwise sits under the memory roof, GEMM-like convs under compute",
        fontsize=10,
    )
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    note = ROOFLINE_NOTE.format(mib=peaks.get("triad_mib", "?"))
    if busy(run["meta"]):
        note += (
            " On a busy machine the roofs come out low too: their calls are long, and other "
            "programs interrupt them."
        )
    if above:
        note += f" Here {above} point(s) sit above the roof (ringed)."
    return [save(fig, out_dir / "performance_roofline.png", caption=note, **footer(run))]


def separable_speedup(out_dir: Path) -> list[Path]:
    """Multiplication ratio (theory) against time ratio (measured), per shape and variant."""
    run = main_run(data_for(out_dir))
    groups = speedup_groups(run)
    fig, ax = new_figure(8.0, 4.8)
    width = 0.2
    for offset, (family, label) in enumerate(VARIANTS):
        colour = FAMILY_STYLE[family][0]
        for i, (_, members) in enumerate(groups):
            if family not in members:
                continue
            standard, variant = members["standard"], members[family]
            theory = standard["multiplications"] / variant["multiplications"]
            measured, low, high = ratio_spread(standard, variant)
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
                yerr=[[measured - low], [high - measured]],
                capsize=2,
                color=colour,
                label=f"{label}: measured time" if i == 0 else None,
            )
            for where, value in ((x, theory), (x + width, high)):
                shown = theory if where == x else measured
                ax.annotate(f"{shown:.1f}×", (where, value), ha="center", va="bottom", fontsize=7)
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(groups)), [name for name, _ in groups], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("speed-up over the standard convolution")
    ax.set_title("Theoretical (multiplication ratio) vs measured speed-up, refconv", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_ylim(top=ax.get_ylim()[1] * 2)  # room for the labels and the legend
    return [save(fig, out_dir / "performance_separable_speedup.png", **footer(run))]


def _milliseconds(rows: list[dict[str, Any]]) -> np.ndarray:
    """``(median, lowest, highest)`` of each row (:func:`spread`), in ms: shape (3, rows)."""
    return np.array([spread(row) for row in rows]).T * 1e3


def scaling(out_dir: Path) -> list[Path]:
    """Time against H·W for the image-size sweep, and time on one vs two threads."""
    data = data_for(out_dir)
    run = main_run(data)
    fig, (left, right) = new_figure(10.0, 4.6, ncols=2)
    series: dict[tuple, dict[int, dict[str, Any]]] = defaultdict(dict)  # shape -> {H·W: row}
    for row in run["results"]:
        s = row["spec"]
        key = (row["family"], s["c_in"], s["c_out"], s["kernel"], s["stride"], row["batch"])
        pixels = s["size"] ** 2  # a shape measured twice keeps its faster median
        if pixels not in series[key] or spread(row)[0] < spread(series[key][pixels])[0]:
            series[key][pixels] = row
    for (family, c, o, k, _, n), points in sorted(series.items()):
        if len(points) < 3:
            continue
        pixels = sorted(points)
        median, low, high = _milliseconds([points[p] for p in pixels])
        colour, marker = FAMILY_STYLE[family]
        left.errorbar(
            pixels,
            median,
            yerr=[median - low, high - median],
            marker=marker,
            color=colour,
            capsize=2,
            label=f"{family} {c}->{o} k{k}" + (f" N={n}" if n > 1 else ""),
        )
        ideal = np.array(pixels) / pixels[-1] * median[-1]  # linear in H·W
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
        names = [name for name in by_thread[counts[-1]] if name in by_thread[counts[0]]]
        y = np.arange(len(names))[::-1]  # first case on top
        for j, t in enumerate(counts):
            rows = [by_thread[t][name] for name in names]
            median, low, high = _milliseconds(rows)
            plural = "s" if int(t) != 1 else ""
            bars = right.barh(
                y - (j - 0.5) * 0.4,
                median,
                0.4,
                xerr=[median - low, high - median],
                capsize=2,
                label=f"{t} thread{plural}"
                + (" (busy machine)" if busy(data["threads"][t]["meta"]) else ""),
            )
            right.bar_label(bars, [f"{m:.3g} ms" for m in median], padding=3, fontsize=7)
        right.set_xscale("log")  # one thread's 0.1 ms beside a busy machine's 20 ms
        right.set_yticks(y, [by_thread[counts[0]][n]["title"] for n in names], fontsize=9)
        right.set_xlabel("median time (ms, log scale)")
        lowest = min(spread(r)[1] for t in counts for r in by_thread[t].values()) * 1e3
        right.set_xlim(lowest / 3, right.get_xlim()[1] * 4)  # room for the labels
        right.set_title("threads (numba.set_num_threads and BLAS)", fontsize=10)
        right.legend(fontsize=8)
    note = (
        "Two threads halve a call's time at best, and only while a second core is free: on a "
        "busy machine a two-thread call waits for the other core, a scheduler time slice "
        "(milliseconds)."
    )
    return [save(fig, out_dir / "performance_scaling.png", caption=note, **footer(run))]


def speedup_table(out_dir: Path) -> list[tuple[str, str, float, float]]:
    """The numbers behind :func:`separable_speedup`: (shape, variant, theory, measured)."""
    run = main_run(data_for(out_dir))
    rows: list[tuple[str, str, float, float]] = []
    for name, members in speedup_groups(run):
        for family, _ in VARIANTS:
            if family in members:
                standard, variant = members["standard"], members[family]
                rows.append(
                    (
                        name.replace("\n", " "),
                        family,
                        multiplications(Case(**standard["spec"]), standard["batch"])
                        / multiplications(Case(**variant["spec"]), variant["batch"]),
                        ratio_spread(standard, variant)[0],
                    )
                )
    return rows


FIGURES = {
    "performance_roofline": roofline,
    "performance_separable_speedup": separable_speedup,
    "performance_scaling": scaling,
}

__all__ = [
    "DATA_ENV",
    "DATA_FILE",
    "FAMILY_STYLE",
    "FIGURES",
    "collect",
    "data_for",
    "load",
    "roofline",
    "scaling",
    "separable_speedup",
    "speedup_table",
    "summary_lines",
    "sweep_cases",
    "use_data",
]
