"""Plain-text tables of a :func:`refconv.bench.run_benchmark` result.

>>> format_seconds(0.000_123_4), format_seconds(0.0456), format_seconds(2.5)
('123 µs', '45.6 ms', '2.50 s')
"""

from __future__ import annotations

from typing import Any


def format_seconds(seconds: float | None) -> str:
    """A duration with three significant digits in µs, ms or s (``-`` for None)."""
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.2f} s"


def table_lines(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """A plain-text table: the header, a rule, the rows, one line each.

    Columns are padded to their widest cell; the columns whose index is in ``right`` are
    right-aligned (numbers), the others left-aligned.

    >>> for line in table_lines(["case", "time"], [["a", "1 ms"], ["bb", "20 ms"]], {1}):
    ...     print(line)
    case   time
    ----  -----
    a      1 ms
    bb    20 ms
    """
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def busy_warning(load: float, cpu_count: int | None, threads: int) -> str | None:
    """A warning when the load average left fewer than ``threads`` CPUs free, else None.

    >>> busy_warning(0.3, 2, 2) is None
    True
    >>> busy_warning(1.2, 2, 2)[:30]
    'WARNING: the machine was busy '
    """
    if load <= (cpu_count or 1) - threads + 0.5:
        return None
    return (
        f"WARNING: the machine was busy (load average up to {load:.1f} on {cpu_count} "
        f"CPUs) while {threads} thread(s) were wanted: other processes took cores, so "
        "these times are unreliable"
    )


def _verdict(row: dict[str, Any], key: str = "passed") -> str:
    if row.get(key) is None:
        return "n/a"
    return "pass" if row[key] else "MISS"


def _bar(bar: float | None) -> str:
    return "-" if bar is None else f"≤{bar:g}"


def format_results(result: dict[str, Any]) -> str:
    """The main table: one line per case and batch size.

    With ONNX Runtime among the peers, its bar and verdict are a second pair of columns
    (``ORT bar``, ``ORT verdict``) after PyTorch's.
    """
    peers = result["meta"]["peers"]
    others = [peer for peer in peers if peer != "refconv"]
    ort_bars = ["ORT bar", "ORT verdict"] if "ort" in peers else []
    header = [
        "case",
        "N",
        *peers,
        *(f"ref/{p}" for p in others),
        "bar",
        "verdict",
        *ort_bars,
        "GFLOP/s",
        "FLOP/B",
        "bound",
        "% roof",
    ]
    rows = []
    for row in result["results"]:
        stats = row["peers"]
        ref = stats.get("refconv")
        rows.append(
            [
                row["title"],
                str(row["batch"]),
                *(format_seconds(stats[p]["median_s"]) if p in stats else "-" for p in peers),
                *(f"{row['ratio'][p]:.3g}" if p in row["ratio"] else "-" for p in others),
                _bar(row["bar"]),
                _verdict(row),
                *([_bar(row.get("ort_bar")), _verdict(row, "ort_passed")] if ort_bars else []),
                "-" if ref is None else f"{ref['gflops']:.3g}",
                f"{row['intensity']:.3g}",
                row["bound"],
                f"{row['roof_pct']:.0f}%" if "roof_pct" in row else "-",
            ]
        )
    right = set(range(1, len(header))) - {len(header) - 2}  # "bound" reads left-aligned
    return "\n".join(table_lines(header, rows, right))


def format_cold_start(rows: list[dict[str, Any]]) -> str:
    """First call in a fresh process, empty vs warm Numba cache, against a steady call."""
    header = [
        "kernel family",
        "first call, empty cache",
        "first call, warm cache",
        "steady call",
        "process (empty / warm)",
    ]
    body = [
        [
            r["title"],
            format_seconds(r["cold_first_s"]),
            format_seconds(r["warm_first_s"]),
            format_seconds(r["steady_s"]),
            f"{format_seconds(r['cold_process_s'])} / {format_seconds(r['warm_process_s'])}",
        ]
        for r in rows
    ]
    return "\n".join(table_lines(header, body, {1, 2, 3, 4}))


def format_report(result: dict[str, Any]) -> str:
    """Header (machine roofs and settings), the main table, the cold-start table, a summary."""
    meta, peaks = result["meta"], result["peaks"]
    rounds = meta["rounds"]
    lines = [
        f"refconv bench: {meta['threads']} thread(s) per process, one process per peer; "
        f"median of {meta['repeats']} timed calls in {rounds} round(s) after "
        f"{meta['warmup']} warm-up call(s) (SciPy: fewer, bounded)",
        f"roofs measured in this run: float32 GEMM {peaks['sgemm_gflops']:.1f} GFLOP/s "
        f"(n={peaks.get('sgemm_n', '?')}), triad {peaks['bandwidth_gbs']:.1f} GB/s; "
        f"load average at the end {', '.join(f'{x:.2f}' for x in meta['load_average'])}",
        "ratios are refconv time / peer time (lower is better for refconv); bars apply to "
        "ref/torch; % roof = GFLOP/s / min(GEMM peak, FLOP/B x bandwidth)",
        "",
        format_results(result),
    ]
    ort_line = ort_header(meta)
    if ort_line:
        lines[3:3] = [ort_line]
    warning = busy_warning(
        max(meta.get("load_before", 0.0), meta["load_average"][0]),
        meta["cpu_count"],
        meta["threads"],
    )
    if warning:
        lines.insert(3, warning)
    if result.get("cold_start"):
        lines += ["", format_cold_start(result["cold_start"])]
    checked = [row for row in result["results"] if row["passed"] is not None]
    missed = [row for row in checked if not row["passed"]]
    lines.append("")
    if checked:
        lines.append(
            f"bars: {len(checked) - len(missed)} of {len(checked)} met"
            + (
                ": missed " + ", ".join(f"{r['case']} N={r['batch']}" for r in missed)
                if missed
                else ""
            )
        )
    else:
        lines.append("bars: not checked (they compare with PyTorch, which did not run)")
    ort_checked = [row for row in result["results"] if row.get("ort_passed") is not None]
    if ort_checked:
        ort_missed = [row for row in ort_checked if not row["ort_passed"]]
        lines.append(
            f"ORT bars: {len(ort_checked) - len(ort_missed)} of {len(ort_checked)} met"
            + (
                ": missed "
                + ", ".join(
                    f"{r['case']} N={r['batch']} ({r['ratio']['ort']:.2f})" for r in ort_missed
                )
                if ort_missed
                else ""
            )
        )
    return "\n".join(lines)


def ort_header(meta: dict[str, Any]) -> str | None:
    """The line saying how ONNX Runtime ran (None when it did not), from its worker's info."""
    if "ort" not in meta.get("peers", []):
        return None
    info = meta.get("processes", {}).get("ort", {})
    settings = info.get("ort", {})
    return (
        f"ONNX Runtime {info.get('onnxruntime', '?')} (CPU provider): graph optimisations "
        f"{settings.get('graph_optimization_level', 'ORT_ENABLE_ALL')} (ORT's default), "
        f"intra_op_num_threads {settings.get('intra_op_num_threads', meta['threads'])}, "
        f"inter_op_num_threads 1, sequential, session.intra_op.allow_spinning "
        f"{settings.get('session.intra_op.allow_spinning', '?')}; ORT bar applies to ref/ort"
    )
