"""What each convolution method allocates, worked out from refconv's own rules, then measured.

Extra memory beyond the output ``(N, C_out, H_out, W_out)``:

* the padded copy ``(N, C_in, H + top + bottom, W + left + right)``: a non-zero ``padding_mode``
  with non-zero pads makes one for every method, before the kernel runs; the spec then copies its
  input once more through ``np.pad`` (zero pads, even when they are all 0); ``direct`` and
  ``im2col`` make no zero-padded copy -- zero padding is implicit in their loops;
* the im2col workspace: the columns ``(Cg*kH*kW, H_out*W_out)`` of one image and one group can
  dwarf the input, so each task builds them for one band of output rows only, in its thread's row
  of a workspace, and multiplies them into a second workspace row of GEMM products. Per thread
  and output row that is ``(K + Og) * W_out`` values; the bands are sized so that all threads
  together fit ``WORKSPACE_BYTES`` (``rows_per_band``), cut so every thread gets
  ``IM2COL_TASKS_PER_THREAD`` tasks, and widened to ``MIN_BAND_PIXELS`` output pixels;
* a 1x1 convolution with stride 1 and no padding needs no columns: they *are* the input;
* the depthwise direct kernel's tiles: one per thread, the zero-padded input rows of one band
  (a 3x3 kernel with column stride 1 reads the input directly and needs none; with column
  stride 2, two per thread, the even and the odd columns of those rows).

Workspaces are kept between calls (``refconv.kernels._workspace``), so a second call with the
same shapes allocates nothing new. The last section runs refconv under ``tracemalloc`` (NumPy
reports its allocations to it), first calls after ``release_workspace()``, and compares the peak
with the prediction.

The numbers depend on the thread count (``numba.get_num_threads()``, which ``NUMBA_NUM_THREADS``
sets); the script prints the one it assumed.

Run: ``python scripts/im2col_memory.py``
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np

import refconv
import refconv.kernels._workspace as workspace_module
from refconv.arguments import conv_geometry
from refconv.kernels import choose_method
from refconv.kernels._numba import PARALLEL_MIN_WORK
from refconv.kernels._workspace import WORKSPACE_BYTES, release_workspace
from refconv.kernels.direct import depthwise_plan, depthwise_tile_bytes
from refconv.kernels.im2col import (
    IM2COL_TASKS_PER_THREAD,
    MIN_BAND_PIXELS,
    band_plan,
    rows_per_band,
)


@contextmanager
def _budget(nbytes: int) -> Iterator[None]:
    """Run with ``WORKSPACE_BYTES`` set to ``nbytes`` (the kernels read it at call time)."""
    saved = workspace_module.WORKSPACE_BYTES
    workspace_module.WORKSPACE_BYTES = nbytes
    try:
        yield
    finally:
        workspace_module.WORKSPACE_BYTES = saved


def human(nbytes: int) -> str:
    """Binary units: KiB, MiB, GiB."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes} B"


@dataclass
class Case:
    name: str
    x_shape: tuple[int, int, int, int]
    w_shape: tuple[int, int, int, int]
    stride: int = 1
    padding: object = 0
    groups: int = 1
    padding_mode: str = "zeros"
    dtype: type = np.float32


@dataclass
class Plan:
    """Every size that matters for one case, in bytes (``itemsize`` included)."""

    threads: int
    k: int  # Cg*kH*kW, the rows of the columns matrix
    o_group: int  # Og, the rows of one group's GEMM product
    out_hw: tuple[int, int]
    output: int
    padded_copy: int
    columns_one: int  # one image, one group, built whole
    columns_all: int  # every image and group, built whole
    identity: bool  # 1x1, stride 1, no padding: no columns at all
    per_image: int  # bands wanted per image and group
    band_fit: int  # rows_per_band(...): rows within the budget
    band: int  # output rows per band, after the MIN_BAND_PIXELS floor
    bands: int
    columns_ws: int  # threads * K * band * W_out * itemsize
    product_ws: int  # threads * Og * band * W_out * itemsize
    workspace: int  # columns_ws + product_ws
    depthwise: bool
    tile_band: int  # depthwise direct: output rows per task
    tile_ws: int  # the depthwise direct kernel's tiles, all threads, bytes
    spec_extra: int
    direct_extra: int
    im2col_extra: int
    auto: str


def plan(case: Case, budget: int = WORKSPACE_BYTES) -> Plan:
    """The sizes ``conv2d_im2col`` and ``conv2d_direct`` would allocate, by their own rules."""
    n, c_in, height, width = case.x_shape
    c_out, c_group, k_h, k_w = case.w_shape
    item = np.dtype(case.dtype).itemsize
    threads = numba.get_num_threads()
    geo = conv_geometry(
        case.x_shape, case.w_shape, case.stride, case.padding, 1, case.groups, case.padding_mode
    )
    h_out, w_out = geo.out_size
    (top, bottom), (left, right) = geo.pads

    k = c_group * k_h * k_w
    o_group = c_out // case.groups
    output = n * c_out * h_out * w_out * item
    padded_copy = n * c_in * (height + top + bottom) * (width + left + right) * item
    mode_copy = padded_copy if case.padding_mode != "zeros" and not geo.unpadded else 0
    # after a padding_mode copy the kernels are given zero pads
    kernel_unpadded = geo.unpadded or mode_copy > 0
    identity = (k_h, k_w) == (1, 1) and geo.stride == (1, 1) and kernel_unpadded
    columns_one = k * h_out * w_out * item
    # conv2d_im2col and conv2d_direct, by the kernels' own planning functions
    work = n * c_out * h_out * w_out * k
    threads = 1 if work < PARALLEL_MIN_WORK else threads  # small calls run on one thread
    per_image = -(-IM2COL_TASKS_PER_THREAD * threads // (n * case.groups))
    band_fit = rows_per_band(k + o_group, w_out, h_out, item, budget // threads, per_image)
    with _budget(budget):
        band, cols_size, product_size = band_plan(n, case.groups, k, o_group, h_out, w_out,
                                                  item, threads)
    columns_ws = 0 if identity else threads * cols_size * item
    product_ws = 0 if identity else threads * product_size * item
    # conv2d_direct: depthwise gets per-thread tiles (not the 3x3 kernel that reads the input
    # directly), everything else writes only the output
    depthwise = c_group == 1 and case.groups == c_in
    depthwise_args = ((n, c_out, h_out, w_out), case.w_shape, geo.stride, geo.dilation, item,
                      threads)
    _, tile_band, _ = depthwise_plan(*depthwise_args)
    tile_ws = depthwise_tile_bytes(*depthwise_args) if depthwise else 0
    auto = choose_method(case.x_shape, case.w_shape, geo.stride, geo.pads, geo.dilation, geo.groups)
    return Plan(
        threads=threads,
        k=k,
        o_group=o_group,
        out_hw=(h_out, w_out),
        output=output,
        padded_copy=padded_copy,
        columns_one=columns_one,
        columns_all=columns_one * n * case.groups,
        identity=identity,
        per_image=per_image,
        band_fit=band_fit,
        band=band,
        bands=math.ceil(h_out / band),
        columns_ws=columns_ws,
        product_ws=product_ws,
        workspace=columns_ws + product_ws,
        depthwise=depthwise,
        tile_band=tile_band,
        tile_ws=tile_ws,
        spec_extra=mode_copy + padded_copy,
        direct_extra=mode_copy + tile_ws,
        im2col_extra=mode_copy + columns_ws + product_ws,
        auto=auto,
    )


CASES = [
    Case("seed: 12x12x3, 5x5x256, float64", (1, 3, 12, 12), (256, 3, 5, 5), dtype=np.float64),
    Case("ResNet conv1 7x7/2", (1, 3, 224, 224), (64, 3, 7, 7), stride=2, padding=3),
    Case("VGG 3x3, 64 -> 64", (1, 64, 224, 224), (64, 64, 3, 3), padding=1),
    Case("MobileNet depthwise 3x3", (1, 32, 112, 112), (32, 1, 3, 3), padding=1, groups=32),
    Case("MobileNet pointwise 1x1", (1, 32, 112, 112), (64, 32, 1, 1)),
    Case("2048^2, 8 -> 8, 7x7", (1, 8, 2048, 2048), (8, 8, 7, 7)),
    Case("2048^2, 8 -> 8, 7x7, float64", (1, 8, 2048, 2048), (8, 8, 7, 7), dtype=np.float64),
    Case(
        "2048^2, 7x7 'same' reflect",
        (1, 8, 2048, 2048),
        (8, 8, 7, 7),
        padding="same",
        padding_mode="reflect",
    ),
    Case("MobileNet depthwise 3x3/2", (1, 64, 112, 112), (64, 1, 3, 3), stride=2, padding=1,
         groups=64),
]


def section_table() -> None:
    threads = numba.get_num_threads()
    print(
        f"== 1. extra memory per method (budget WORKSPACE_BYTES = {WORKSPACE_BYTES:,} bytes "
        f"= {human(WORKSPACE_BYTES)}, threads = {threads})"
    )
    print("   columns whole: (Cg*kH*kW) x (H_out*W_out) for all N images and groups at once")
    print(
        "   band: output rows per task; im2col workspace = threads * (K + Og) * band * W_out "
        "* itemsize"
    )
    print("   direct: the depthwise tiles, threads * tile_rows * tile_w * itemsize (none for 3x3 "
          "with column stride 1)")
    print(
        f"   {'case':31} {'K':>4} {'Og':>4} {'out':>11} {'output':>9} {'columns whole':>13} "
        f"{'band':>9} {'workspace':>10} | {'spec':>9} {'direct':>9} {'im2col':>9}  auto"
    )
    for case in CASES:
        p = plan(case)
        out = f"{p.out_hw[0]}x{p.out_hw[1]}"
        whole = "none (1x1)" if p.identity else human(p.columns_all)
        band = "-" if p.identity else f"{p.band} x{p.bands}"
        print(
            f"   {case.name:31} {p.k:>4} {p.o_group:>4} {out:>11} {human(p.output):>9} "
            f"{whole:>13} {band:>9} {human(p.workspace):>10} | {human(p.spec_extra):>9} "
            f"{human(p.direct_extra):>9} {human(p.im2col_extra):>9}  {p.auto}"
        )
    print("   (band 'R xB': R output rows per band, B bands per image and group)")
    print()


def section_big_case() -> None:
    case = CASES[5]
    p = plan(case)
    n, c_in, height, width = case.x_shape
    c_out, c_group, k_h, k_w = case.w_shape
    h_out, w_out = p.out_hw
    t = p.threads
    budget = WORKSPACE_BYTES // t
    row = (p.k + p.o_group) * w_out * 4
    split = -(-h_out // p.per_image)
    floor = min(h_out, -(-MIN_BAND_PIXELS // w_out))
    tasks = n * case.groups * p.bands
    print(
        f"== 2. the {case.x_shape} float32 input, {k_h}x{k_w} kernel, no padding, step by step "
        f"(threads = {t})"
    )
    print(
        f"   input                {case.x_shape}: {n * c_in * height * width * 4:,} bytes "
        f"= {human(n * c_in * height * width * 4)}"
    )
    print(
        f"   output               {(n, c_out, h_out, w_out)}: {p.output:,} bytes "
        f"= {human(p.output)}"
    )
    print(
        f"   columns, whole       ({c_group}*{k_h}*{k_w}, {h_out}*{w_out}) = ({p.k}, "
        f"{h_out * w_out}): {p.columns_one:,} bytes = {p.columns_one / 1e9:.2f} GB "
        f"= {human(p.columns_one)}"
    )
    print(f"   budget per thread    {WORKSPACE_BYTES:,} // {t} = {budget:,} bytes")
    print(
        f"   one output row       (K + Og) * W_out * 4 = ({p.k} + {p.o_group}) * {w_out} * 4 "
        f"= {row:,} bytes (columns and GEMM product)"
    )
    print(
        f"   bands wanted         ceil(IM2COL_TASKS_PER_THREAD * threads / (N * groups)) "
        f"= ceil({IM2COL_TASKS_PER_THREAD} * {t} / {n * case.groups}) = {p.per_image}"
    )
    print(
        f"   rows per band        rows_per_band({p.k + p.o_group}, {w_out}, {h_out}, 4, "
        f"{budget}, {p.per_image}) = min({budget:,} // {row:,} = {budget // row}, "
        f"ceil({h_out} / {p.per_image}) = {split}) = {p.band_fit}"
    )
    print(
        f"   at least             ceil(MIN_BAND_PIXELS / W_out) = ceil({MIN_BAND_PIXELS} / "
        f"{w_out}) = {floor} rows if the budget allows -> band = {p.band} rows"
    )
    print(
        f"   tasks                {n} image * {case.groups} group * {p.bands} bands = {tasks} "
        f"(the last band {h_out - (p.bands - 1) * p.band} rows)"
    )
    print(
        f"   columns workspace    {t} * {p.k} * {p.band} * {w_out} * 4 = {p.columns_ws:,} bytes "
        f"= {human(p.columns_ws)}"
    )
    print(
        f"   product workspace    {t} * {p.o_group} * {p.band} * {w_out} * 4 = "
        f"{p.product_ws:,} bytes = {human(p.product_ws)}"
    )
    print(
        f"   workspace, total     {p.workspace:,} bytes = {human(p.workspace)}, kept for the "
        f"next call"
    )
    print(
        f"   GEMM per task        ({p.o_group}, {p.k}) @ ({p.k}, {p.band}*{w_out} = "
        f"{p.band * w_out:,}) -> ({p.o_group}, {p.band * w_out:,})"
    )
    print(
        f"   columns / input      {p.columns_one / (n * c_in * height * width * 4):.1f}x "
        f"(each pixel is copied once per tap, {k_h}*{k_w} = {k_h * k_w} taps)"
    )
    print(f"   columns / workspace  {p.columns_one / p.workspace:.1f}x less memory")
    print()


def traced_peak(run, *args, **kwargs) -> int:
    """Peak bytes allocated while ``run`` executes (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        run(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(call: str, *args, **kwargs) -> int:
    """Peak of a ``"first"`` call (after ``release_workspace()``) or of one ``"again"``."""
    refconv.conv2d(*args, **kwargs)  # compile outside the measurement
    release_workspace()
    if call == "again":
        refconv.conv2d(*args, **kwargs)  # allocates the workspaces the measured call reuses
    return traced_peak(refconv.conv2d, *args, **kwargs)


def section_measured() -> None:
    x = np.random.default_rng(0).standard_normal((1, 4, 64, 64))  # float64
    w = np.random.default_rng(1).standard_normal((4, 4, 5, 5))
    w_dw = np.random.default_rng(2).standard_normal((8, 1, 5, 5))
    w_dw3 = np.random.default_rng(3).standard_normal((8, 1, 3, 3))
    print(
        f"== 3. measured with tracemalloc (threads = {numba.get_num_threads()}): x (1, 4, 64, 64) "
        "float64, padding=2, w (4, 4, 5, 5) 'full' or (8, 1, 5, 5) 'depthwise' (groups=4), "
        "or (8, 1, 3, 3) 'dw3x3/2' (groups=4, stride 2)"
    )
    print(
        f"   {'weight':9} {'method':9} {'padding_mode':12} {'call':5} {'budget':>11} "
        f"{'band':>4} {'predicted':>10} {'measured peak':>14}  (predicted = output + extra)"
    )
    full = ("full", w, 1, 1)
    depthwise = ("depthwise", w_dw, 4, 1)
    strided = ("dw3x3/2", w_dw3, 4, 2)  # column stride 2: the split-row tiles
    rows = [
        (full, "reference", "zeros", "first", WORKSPACE_BYTES),
        (full, "reference", "reflect", "first", WORKSPACE_BYTES),
        (full, "direct", "zeros", "first", WORKSPACE_BYTES),
        (full, "direct", "reflect", "first", WORKSPACE_BYTES),
        (full, "im2col", "zeros", "first", WORKSPACE_BYTES),
        (full, "im2col", "reflect", "first", WORKSPACE_BYTES),
        (full, "im2col", "zeros", "first", 2**20),
        (full, "im2col", "zeros", "first", 1),
        (full, "im2col", "zeros", "again", WORKSPACE_BYTES),
        (depthwise, "direct", "zeros", "first", WORKSPACE_BYTES),
        (depthwise, "direct", "zeros", "again", WORKSPACE_BYTES),
        (depthwise, "im2col", "zeros", "first", WORKSPACE_BYTES),
        (strided, "direct", "zeros", "first", WORKSPACE_BYTES),
        (strided, "direct", "zeros", "again", WORKSPACE_BYTES),
    ]
    saved = workspace_module.WORKSPACE_BYTES
    try:
        for (label, weight, groups, stride), method, mode, call, budget in rows:
            case = Case(
                "",
                x.shape,
                weight.shape,
                stride=stride,
                padding=2,
                groups=groups,
                padding_mode=mode,
                dtype=np.float64,
            )
            p = plan(case, budget)
            extra = {"reference": p.spec_extra, "direct": p.direct_extra, "im2col": p.im2col_extra}
            # a call that finds its workspaces allocates only the output (and any padded copy)
            kept = {"reference": 0, "direct": p.tile_ws, "im2col": p.workspace}
            predicted = p.output + extra[method] - (kept[method] if call == "again" else 0)
            if method == "im2col":
                band = p.band
            elif method == "direct" and p.depthwise:
                band = p.tile_band
            else:
                band = "-"
            workspace_module.WORKSPACE_BYTES = budget
            peak = measure(call, x, weight, stride=stride, padding=2, groups=groups,
                           padding_mode=mode, method=method)
            print(
                f"   {label:9} {method:9} {mode:12} {call:5} {budget:>11,} {band:>4} "
                f"{predicted:>10,} {peak:>14,}"
            )
    finally:
        workspace_module.WORKSPACE_BYTES = saved
        release_workspace()
    print("   (band: output rows per task, im2col bands or depthwise tiles; bands are at least")
    print(
        f"   ceil(MIN_BAND_PIXELS / W_out) = ceil({MIN_BAND_PIXELS} / 64) = "
        f"{-(-MIN_BAND_PIXELS // 64)} rows when the budget allows, and never less than one row)"
    )


def main() -> None:
    section_table()
    section_big_case()
    section_measured()


if __name__ == "__main__":
    main()
