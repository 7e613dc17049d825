"""What each convolution method allocates, worked out from refconv's own rules, then measured.

Three kinds of extra memory (beyond the output ``(N, C_out, H_out, W_out)``):

* the padded copy ``(N, C_in, H + top + bottom, W + left + right)``: a non-zero ``padding_mode``
  with non-zero pads makes one for every method, before the kernel runs; the spec then copies its
  input once more through ``np.pad`` (zero pads, even when they are all 0); ``direct`` and
  ``im2col`` make no zero-padded copy -- zero padding is implicit in their loops;
* the im2col columns ``(Cg*kH*kW, H_out*W_out)`` for one image and one group: built whole they can
  dwarf the input, so refconv builds them for a band of output rows at a time, as many rows as fit
  ``WORKSPACE_BYTES`` (``rows_per_band``), and reuses one buffer for every band, group and image;
* a 1x1 convolution with stride 1 and no padding needs no columns: they *are* the input.

The last section runs refconv under ``tracemalloc`` (NumPy reports its allocations to it) and
compares the peak with the prediction, with the default budget and with a tiny one.

Run: ``python scripts/im2col_memory.py``
"""

from __future__ import annotations

import math
import tracemalloc
from dataclasses import dataclass

import numpy as np

import refconv
import refconv.kernels.im2col as im2col_module
from refconv._args import conv_geometry
from refconv.kernels import choose_method
from refconv.kernels.im2col import WORKSPACE_BYTES, rows_per_band


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

    k: int  # Cg*kH*kW, the rows of the columns matrix
    out_hw: tuple[int, int]
    output: int
    padded_copy: int
    columns_one: int  # one image, one group, built whole
    columns_all: int  # every image and group, built whole
    identity: bool  # 1x1, stride 1, no padding: no columns at all
    band: int  # output rows per band
    bands: int
    workspace: int
    spec_extra: int
    direct_extra: int
    im2col_extra: int
    auto: str


def plan(case: Case, budget: int = WORKSPACE_BYTES) -> Plan:
    n, c_in, height, width = case.x_shape
    c_out, c_group, k_h, k_w = case.w_shape
    item = np.dtype(case.dtype).itemsize
    geo = conv_geometry(
        case.x_shape, case.w_shape, case.stride, case.padding, 1, case.groups, case.padding_mode
    )
    h_out, w_out = geo.out_size
    (top, bottom), (left, right) = geo.pads
    k = c_group * k_h * k_w
    output = n * c_out * h_out * w_out * item
    padded_copy = n * c_in * (height + top + bottom) * (width + left + right) * item
    mode_copy = padded_copy if case.padding_mode != "zeros" and not geo.zero_padded else 0
    identity = (k_h, k_w) == (1, 1) and geo.stride == (1, 1) and geo.zero_padded
    columns_one = k * h_out * w_out * item
    band = rows_per_band(k, w_out, h_out, item, budget)
    workspace = 0 if identity else k * band * w_out * item
    auto = choose_method(case.x_shape, case.w_shape, geo.stride, geo.pads, geo.dilation, geo.groups)
    return Plan(
        k=k,
        out_hw=(h_out, w_out),
        output=output,
        padded_copy=padded_copy,
        columns_one=columns_one,
        columns_all=columns_one * n * case.groups,
        identity=identity,
        band=band,
        bands=math.ceil(h_out / band),
        workspace=workspace,
        spec_extra=mode_copy + padded_copy,
        direct_extra=mode_copy,
        im2col_extra=mode_copy + workspace,
        auto=auto,
    )


CASES = [
    Case("seed: 12x12x3, 5x5, 256 filters", (1, 3, 12, 12), (256, 3, 5, 5), dtype=np.float64),
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
]


def section_table() -> None:
    print(
        f"== 1. extra memory per method (budget WORKSPACE_BYTES = {WORKSPACE_BYTES:,} bytes "
        f"= {human(WORKSPACE_BYTES)})"
    )
    print("   columns whole: (Cg*kH*kW) x (H_out*W_out) for all N images and groups at once")
    print(
        "   band: output rows of columns built at a time; workspace = K * band * W_out * itemsize"
    )
    print(
        f"   {'case':31} {'K':>4} {'out':>11} {'output':>9} {'columns whole':>13} "
        f"{'band':>10} {'workspace':>10} | {'spec':>9} {'direct':>9} {'im2col':>9}  auto"
    )
    for case in CASES:
        p = plan(case)
        out = f"{p.out_hw[0]}x{p.out_hw[1]}"
        whole = "none (1x1)" if p.identity else human(p.columns_all)
        band = "-" if p.identity else f"{p.band} x{p.bands}"
        print(
            f"   {case.name:31} {p.k:>4} {out:>11} {human(p.output):>9} {whole:>13} "
            f"{band:>10} {human(p.workspace):>10} | {human(p.spec_extra):>9} "
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
    print(f"== 2. the {case.x_shape} float32 input, {k_h}x{k_w} kernel, no padding, step by step")
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
    per_row = p.k * w_out * 4
    print(f"   one output row       {p.k} * {w_out} * 4 = {per_row:,} bytes")
    print(
        f"   rows per band        rows_per_band(K={p.k}, W_out={w_out}, H_out={h_out}, "
        f"itemsize=4, budget={WORKSPACE_BYTES}) = {WORKSPACE_BYTES:,} // {per_row:,} "
        f"= {p.band}"
    )
    print(
        f"   workspace            {p.k} * {p.band} * {w_out} * 4 = {p.workspace:,} bytes "
        f"= {human(p.workspace)}, reused for {p.bands} bands (the last one "
        f"{h_out - (p.bands - 1) * p.band} rows)"
    )
    print(
        f"   GEMM per band        ({c_out}, {p.k}) @ ({p.k}, {p.band}*{w_out} = "
        f"{p.band * w_out:,}) -> ({c_out}, {p.band * w_out:,})"
    )
    print(
        f"   columns / input      {p.columns_one / (n * c_in * height * width * 4):.1f}x "
        f"(each pixel is copied once per tap, {k_h}*{k_w} = {k_h * k_w} taps)"
    )
    print(f"   columns / workspace  {p.columns_one / p.workspace:.1f}x less memory")
    print()


def measure(run, *args, **kwargs) -> tuple[int, np.ndarray]:
    """Peak bytes allocated while ``run`` executes (NumPy reports to tracemalloc)."""
    run(*args, **kwargs)  # warm up: JIT compilation happens outside the measurement
    tracemalloc.start()
    y = run(*args, **kwargs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, y


def section_measured() -> None:
    x = np.random.default_rng(0).standard_normal((1, 4, 64, 64))  # float64
    w = np.random.default_rng(1).standard_normal((4, 4, 5, 5))
    print("== 3. measured with tracemalloc: x (1, 4, 64, 64) float64, w (4, 4, 5, 5), padding=2")
    print(
        f"   {'method':9} {'padding_mode':12} {'budget':>10} {'predicted':>10} "
        f"{'measured peak':>14}  (predicted = output + extra)"
    )
    rows = [
        ("reference", "zeros", WORKSPACE_BYTES),
        ("reference", "reflect", WORKSPACE_BYTES),
        ("direct", "zeros", WORKSPACE_BYTES),
        ("direct", "reflect", WORKSPACE_BYTES),
        ("im2col", "zeros", WORKSPACE_BYTES),
        ("im2col", "reflect", WORKSPACE_BYTES),
        ("im2col", "zeros", 128 * 2**10),
        ("im2col", "zeros", 1),
    ]
    saved = im2col_module.WORKSPACE_BYTES
    try:
        for method, mode, budget in rows:
            case = Case("", x.shape, w.shape, padding=2, padding_mode=mode, dtype=np.float64)
            p = plan(case, budget)
            extra = {"reference": p.spec_extra, "direct": p.direct_extra, "im2col": p.im2col_extra}[
                method
            ]
            im2col_module.WORKSPACE_BYTES = budget
            peak, _ = measure(refconv.conv2d, x, w, padding=2, padding_mode=mode, method=method)
            print(f"   {method:9} {mode:12} {budget:>10,} {p.output + extra:>10,} {peak:>14,}")
    finally:
        im2col_module.WORKSPACE_BYTES = saved
    print("   (a budget smaller than one row still gets one row: rows_per_band is at least 1)")


def main() -> None:
    section_table()
    section_big_case()
    section_measured()


if __name__ == "__main__":
    main()
