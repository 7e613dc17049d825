"""The tables of ``python scripts/im2col_memory.py``: what each method allocates, and why.

Three sections, each a function returning text:

1. :func:`format_table` -- extra memory per method for :data:`~.memory.MEMORY_CASES`;
2. :func:`format_big_case` -- the im2col plan of a 2048x2048 image worked step by step;
3. :func:`format_measured` -- predicted bytes beside the ``tracemalloc`` peaks of real calls.

The numbers come from :mod:`refconv.bench.memory`; ``threads`` is Numba's thread count they
assume (this process's by default).
"""

from __future__ import annotations

from typing import Any

import numba

from .internals import IM2COL_TASKS_PER_THREAD, MIN_BAND_PIXELS, WORKSPACE_BYTES
from .memory import BIG_CASE, MEMORY_CASES, human, measure_rows, plan


def format_table(threads: int | None = None) -> str:
    """Section 1: one row per case -- sizes, the im2col band and workspace, each method's extra."""
    threads = numba.get_num_threads() if threads is None else threads
    lines = [
        f"== 1. extra memory per method (budget WORKSPACE_BYTES = {WORKSPACE_BYTES:,} bytes "
        f"= {human(WORKSPACE_BYTES)}, threads = {threads})",
        "   columns whole: (Cg*kH*kW) x (H_out*W_out) for all N images and groups at once",
        "   band: output rows per task; im2col workspace = threads * (K + Og) * band * W_out "
        "* itemsize",
        "   direct: the depthwise tiles, threads * tile_rows * tile_w * itemsize (none for 3x3 "
        "with column stride 1)",
        f"   {'case':31} {'K':>4} {'Og':>4} {'out':>11} {'output':>9} {'columns whole':>13} "
        f"{'band':>9} {'workspace':>10} | {'reference':>9} {'direct':>9} {'im2col':>9}  auto",
    ]
    for case in MEMORY_CASES:
        p = plan(case, threads=threads)
        out = f"{p.out_hw[0]}x{p.out_hw[1]}"
        whole = "none (1x1)" if p.identity else human(p.columns_all)
        band = "-" if p.identity else f"{p.band} x{p.bands}"
        lines.append(
            f"   {case.name:31} {p.k:>4} {p.o_group:>4} {out:>11} {human(p.output):>9} "
            f"{whole:>13} {band:>9} {human(p.workspace):>10} | {human(p.spec_extra):>9} "
            f"{human(p.direct_extra):>9} {human(p.im2col_extra):>9}  {p.auto}"
        )
    lines.append("   (band 'R xB': R output rows per band, B bands per image and group)")
    return "\n".join(lines) + "\n"


def format_big_case(threads: int | None = None) -> str:
    """Section 2: the im2col plan of the 2048x2048, 7x7 case, every number derived."""
    case = BIG_CASE
    p = plan(case, threads=threads)
    n, c_in, height, width = case.x_shape
    c_out, c_group, k_h, k_w = case.w_shape
    h_out, w_out = p.out_hw
    t = p.threads
    budget = WORKSPACE_BYTES // t
    row = (p.k + p.o_group) * w_out * 4
    split = -(-h_out // p.per_image)
    floor = min(h_out, -(-MIN_BAND_PIXELS // w_out))
    tasks = n * case.groups * p.bands
    input_bytes = n * c_in * height * width * 4
    return (
        "\n".join(
            [
                f"== 2. the {case.x_shape} float32 input, {k_h}x{k_w} kernel, no padding, "
                f"step by step (threads = {t})",
                f"   input                {case.x_shape}: {input_bytes:,} bytes = "
                f"{human(input_bytes)}",
                f"   output               {(n, c_out, h_out, w_out)}: {p.output:,} bytes "
                f"= {human(p.output)}",
                f"   columns, whole       ({c_group}*{k_h}*{k_w}, {h_out}*{w_out}) = ({p.k}, "
                f"{h_out * w_out}): {p.columns_one:,} bytes = {p.columns_one / 1e9:.2f} GB "
                f"= {human(p.columns_one)}",
                f"   budget per thread    {WORKSPACE_BYTES:,} // {t} = {budget:,} bytes",
                f"   one output row       (K + Og) * W_out * 4 = ({p.k} + {p.o_group}) * {w_out} "
                f"* 4 = {row:,} bytes (columns and GEMM product)",
                f"   bands wanted         ceil(IM2COL_TASKS_PER_THREAD * threads / (N * groups)) "
                f"= ceil({IM2COL_TASKS_PER_THREAD} * {t} / {n * case.groups}) = {p.per_image}",
                f"   rows per band        rows_per_band({p.k + p.o_group}, {w_out}, {h_out}, 4, "
                f"{budget}, {p.per_image}) = min({budget:,} // {row:,} = {budget // row}, "
                f"ceil({h_out} / {p.per_image}) = {split}) = {p.band_fit}",
                f"   at least             ceil(MIN_BAND_PIXELS / W_out) = ceil({MIN_BAND_PIXELS} / "
                f"{w_out}) = {floor} rows if the budget allows -> band = {p.band} rows",
                f"   tasks                {n} image * {case.groups} group * {p.bands} bands = "
                f"{tasks} (the last band {h_out - (p.bands - 1) * p.band} rows)",
                f"   columns workspace    {t} * {p.k} * {p.band} * {w_out} * 4 = "
                f"{p.columns_ws:,} bytes = {human(p.columns_ws)}",
                f"   product workspace    {t} * {p.o_group} * {p.band} * {w_out} * 4 = "
                f"{p.product_ws:,} bytes = {human(p.product_ws)}",
                f"   workspace, total     {p.workspace:,} bytes = {human(p.workspace)}, kept for "
                f"the next call",
                f"   GEMM per task        ({p.o_group}, {p.k}) @ ({p.k}, {p.band}*{w_out} = "
                f"{p.band * w_out:,}) -> ({p.o_group}, {p.band * w_out:,})",
                f"   columns / input      {p.columns_one / input_bytes:.1f}x "
                f"(each pixel is copied once per tap, {k_h}*{k_w} = {k_h * k_w} taps)",
                f"   columns / workspace  {p.columns_one / p.workspace:.1f}x less memory",
            ]
        )
        + "\n"
    )


def format_measured(rows: list[dict[str, Any]] | None = None) -> str:
    """Section 3: predicted bytes and ``tracemalloc`` peaks (``rows``: :func:`measure_rows`,
    measured here when not given)."""
    rows = measure_rows() if rows is None else rows
    lines = [
        f"== 3. measured with tracemalloc (threads = {numba.get_num_threads()}): x (1, 4, 64, 64) "
        "float64, padding=2, w (4, 4, 5, 5) 'full' or (8, 1, 5, 5) 'depthwise' (groups=4), "
        "or (8, 1, 3, 3) 'dw3x3/2' (groups=4, stride 2)",
        f"   {'weight':9} {'method':9} {'padding_mode':12} {'call':5} {'budget':>11} "
        f"{'band':>4} {'predicted':>10} {'measured peak':>14}  (predicted = output + extra)",
    ]
    for r in rows:
        lines.append(
            f"   {r['weight']:9} {r['method']:9} {r['padding_mode']:12} {r['call']:5} "
            f"{r['budget']:>11,} {r['band']:>4} {r['predicted']:>10,} {r['peak']:>14,}"
        )
    lines += [
        "   (band: output rows per task, im2col bands or depthwise tiles; bands are at least",
        f"   ceil(MIN_BAND_PIXELS / W_out) = ceil({MIN_BAND_PIXELS} / 64) = "
        f"{-(-MIN_BAND_PIXELS // 64)} rows when the budget allows, and never less than one row)",
    ]
    return "\n".join(lines)


def report() -> str:
    """All three sections, as ``python scripts/im2col_memory.py`` prints them."""
    return "\n".join([format_table(), format_big_case(), format_measured()])
