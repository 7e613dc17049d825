"""What each convolution method allocates, worked out from refconv's own rules, then measured.

Extra memory beyond the output ``(N, C_out, H_out, W_out)``:

* the padded copy ``(N, C_in, H + top + bottom, W + left + right)``: a non-zero ``padding_mode``
  with non-zero pads makes one for every method, before the kernel runs; the reference loops
  then copy their input once more through ``np.pad`` (zero pads, even when they are all 0);
  ``direct`` and ``im2col`` make no zero-padded copy -- zero padding is implicit in their loops;
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

Workspaces are kept between calls, so a second call with the same shapes allocates nothing new.
:func:`measure_rows` runs refconv under ``tracemalloc`` (NumPy reports its allocations to it),
first calls after ``release_workspace()``, and puts the peak beside the prediction.

The numbers depend on the thread count (``numba.get_num_threads()``, which
``NUMBA_NUM_THREADS`` sets); :func:`plan` takes it as an argument. The tables:
:mod:`refconv.bench.memory_report` (``python scripts/im2col_memory.py``).

>>> p = plan(MEMORY_CASES[0], threads=2)    # the TDS example in float64
>>> p.k, p.o_group, p.out_hw, p.output, p.auto
(75, 256, (8, 8), 131072, 'im2col')
"""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

import refconv
from refconv.arguments import conv_geometry
from refconv.kernels import choose_method

from . import internals
from .internals import (
    IM2COL_TASKS_PER_THREAD,
    PARALLEL_MIN_WORK,
    band_plan,
    depthwise_plan,
    depthwise_tile_bytes,
    release_workspace,
    rows_per_band,
)


@contextmanager
def workspace_budget(nbytes: int) -> Iterator[None]:
    """Run with the kernels' ``WORKSPACE_BYTES`` set to ``nbytes`` (read at call time)."""
    saved = internals.workspace_settings.WORKSPACE_BYTES
    internals.workspace_settings.WORKSPACE_BYTES = nbytes
    try:
        yield
    finally:
        internals.workspace_settings.WORKSPACE_BYTES = saved


def human(nbytes: int) -> str:
    """Binary units: KiB, MiB, GiB.

    >>> human(1536), human(3 * 2**30), human(12)
    ('1.5 KiB', '3.0 GiB', '12 B')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes} B"


@dataclass
class MemoryCase:
    """One convolution: ``conv2d(x, w, stride=, padding=, groups=, padding_mode=)``."""

    name: str
    x_shape: tuple[int, int, int, int]  # (N, C_in, H, W)
    w_shape: tuple[int, int, int, int]  # (C_out, C_in // groups, kH, kW)
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
    spec_extra: int  # the reference loops
    direct_extra: int
    im2col_extra: int
    auto: str


def plan(case: MemoryCase, budget: int | None = None, threads: int | None = None) -> Plan:
    """The sizes ``conv2d_im2col`` and ``conv2d_direct`` would allocate, by their own rules.

    ``budget`` is ``WORKSPACE_BYTES`` (the kernels' own by default), ``threads`` Numba's thread
    count (``numba.get_num_threads()`` by default).
    """
    budget = internals.workspace_settings.WORKSPACE_BYTES if budget is None else budget
    n, c_in, height, width = case.x_shape
    c_out, c_group, k_h, k_w = case.w_shape
    item = np.dtype(case.dtype).itemsize
    threads = numba.get_num_threads() if threads is None else threads
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
    with workspace_budget(budget):
        band, cols_size, product_size = band_plan(
            n, case.groups, k, o_group, h_out, w_out, item, threads
        )
    columns_ws = 0 if identity else threads * cols_size * item
    product_ws = 0 if identity else threads * product_size * item
    # conv2d_direct: depthwise gets per-thread tiles (not the 3x3 kernel that reads the input
    # directly), everything else writes only the output
    depthwise = c_group == 1 and case.groups == c_in
    depthwise_args = (
        (n, c_out, h_out, w_out),
        case.w_shape,
        geo.stride,
        geo.dilation,
        item,
        threads,
    )
    with workspace_budget(budget):
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


MEMORY_CASES = [
    MemoryCase("TDS: 12x12x3, 5x5x256, float64", (1, 3, 12, 12), (256, 3, 5, 5), dtype=np.float64),
    MemoryCase("ResNet conv1 7x7/2", (1, 3, 224, 224), (64, 3, 7, 7), stride=2, padding=3),
    MemoryCase("VGG 3x3, 64 -> 64", (1, 64, 224, 224), (64, 64, 3, 3), padding=1),
    MemoryCase("MobileNet depthwise 3x3", (1, 32, 112, 112), (32, 1, 3, 3), padding=1, groups=32),
    MemoryCase("MobileNet pointwise 1x1", (1, 32, 112, 112), (64, 32, 1, 1)),
    MemoryCase("2048^2, 8 -> 8, 7x7", (1, 8, 2048, 2048), (8, 8, 7, 7)),
    MemoryCase("2048^2, 8 -> 8, 7x7, float64", (1, 8, 2048, 2048), (8, 8, 7, 7), dtype=np.float64),
    MemoryCase(
        "2048^2, 7x7 'same' reflect",
        (1, 8, 2048, 2048),
        (8, 8, 7, 7),
        padding="same",
        padding_mode="reflect",
    ),
    MemoryCase(
        "MobileNet depthwise 3x3/2",
        (1, 64, 112, 112),
        (64, 1, 3, 3),
        stride=2,
        padding=1,
        groups=64,
    ),
]
BIG_CASE = MEMORY_CASES[5]  # worked step by step by memory_report.format_big_case


def traced_peak(run: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Peak bytes allocated while ``run`` executes (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        run(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure_peak(call: str, *args: Any, **kwargs: Any) -> int:
    """Peak bytes of a ``"first"`` ``conv2d`` call (after ``release_workspace()``) or of one
    ``"again"`` (its workspaces already allocated); ``args``, ``kwargs`` go to ``conv2d``."""
    refconv.conv2d(*args, **kwargs)  # compile outside the measurement
    release_workspace()
    if call == "again":
        refconv.conv2d(*args, **kwargs)  # allocates the workspaces the measured call reuses
    return traced_peak(refconv.conv2d, *args, **kwargs)


# The measured calls: x (1, 4, 64, 64) float64, padding=2, and (label, weight shape, groups,
# stride), method, padding_mode, call ("first" or "again"), WORKSPACE_BYTES.
X_SHAPE = (1, 4, 64, 64)
_FULL = ("full", (4, 4, 5, 5), 1, 1)
_DEPTHWISE = ("depthwise", (8, 1, 5, 5), 4, 1)
_STRIDED = ("dw3x3/2", (8, 1, 3, 3), 4, 2)  # column stride 2: the split-row tiles
_BUDGET = 256 * 2**20  # the kernels' default WORKSPACE_BYTES
MEASURED = [
    (_FULL, "reference", "zeros", "first", _BUDGET),
    (_FULL, "reference", "reflect", "first", _BUDGET),
    (_FULL, "direct", "zeros", "first", _BUDGET),
    (_FULL, "direct", "reflect", "first", _BUDGET),
    (_FULL, "im2col", "zeros", "first", _BUDGET),
    (_FULL, "im2col", "reflect", "first", _BUDGET),
    (_FULL, "im2col", "zeros", "first", 2**20),
    (_FULL, "im2col", "zeros", "first", 1),
    (_FULL, "im2col", "zeros", "again", _BUDGET),
    (_DEPTHWISE, "direct", "zeros", "first", _BUDGET),
    (_DEPTHWISE, "direct", "zeros", "again", _BUDGET),
    (_DEPTHWISE, "im2col", "zeros", "first", _BUDGET),
    (_STRIDED, "direct", "zeros", "first", _BUDGET),
    (_STRIDED, "direct", "zeros", "again", _BUDGET),
]


def predictions(threads: int | None = None) -> list[dict[str, Any]]:
    """The rows of :data:`MEASURED` with the bytes each call should allocate, by :func:`plan`.

    Each row: ``weight`` (its label), ``w_shape``, ``groups``, ``stride``, ``method``,
    ``padding_mode``, ``call``, ``budget``, ``band`` (output rows per task: im2col bands or
    depthwise tiles; ``"-"`` for neither) and ``predicted`` (output + extra, bytes).
    """
    rows = []
    for (label, w_shape, groups, stride), method, mode, call, budget in MEASURED:
        case = MemoryCase(
            "",
            X_SHAPE,
            w_shape,
            stride=stride,
            padding=2,
            groups=groups,
            padding_mode=mode,
            dtype=np.float64,
        )
        p = plan(case, budget, threads)
        extra = {"reference": p.spec_extra, "direct": p.direct_extra, "im2col": p.im2col_extra}
        # a call that finds its workspaces allocates only the output (and any padded copy)
        kept = {"reference": 0, "direct": p.tile_ws, "im2col": p.workspace}
        predicted = p.output + extra[method] - (kept[method] if call == "again" else 0)
        if method == "im2col":
            band: int | str = p.band
        elif method == "direct" and p.depthwise:
            band = p.tile_band
        else:
            band = "-"
        rows.append(
            {
                "weight": label,
                "w_shape": w_shape,
                "groups": groups,
                "stride": stride,
                "method": method,
                "padding_mode": mode,
                "call": call,
                "budget": budget,
                "band": band,
                "predicted": predicted,
            }
        )
    return rows


def measure_rows() -> list[dict[str, Any]]:
    """:func:`predictions` for this process's thread count, each with the measured ``peak``."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(X_SHAPE)  # float64
    rows = predictions()
    try:
        for row in rows:
            weight = np.random.default_rng(1).standard_normal(row["w_shape"])
            with workspace_budget(row["budget"]):
                row["peak"] = measure_peak(
                    row["call"],
                    x,
                    weight,
                    stride=row["stride"],
                    padding=2,
                    groups=row["groups"],
                    padding_mode=row["padding_mode"],
                    method=row["method"],
                )
    finally:
        release_workspace()
    return rows
