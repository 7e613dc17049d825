"""Does ``method="auto"`` pick the faster kernel? The methods timed on a grid of shapes.

``auto`` follows :func:`refconv.kernels.choose_method`: it picks ``direct`` or ``im2col`` by the
weight shape alone, and never ``winograd`` (whose rounding error is bounded by its transformed
tiles, not by ``sum |w| |x|``). This module times each method that applies to a shape (float32,
median of repeated calls after warm-up, :func:`refconv.bench.timing.measure`) -- Winograd too,
where it applies (3x3, stride 1, dilation 1), for comparison -- and marks the rows where
``auto`` did not pick the faster of ``direct`` and ``im2col``
(``python scripts/choose_method.py``).

>>> row = judge("example", {"direct": 2e-3, "im2col": 1e-3, "winograd": 0.5e-3}, "im2col")
>>> row["fastest"], row["auto_missed"], round(row["winograd_speedup"], 2)
('im2col', False, 2.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

import refconv
from refconv.arguments import conv_geometry
from refconv.kernels import choose_method, winograd_fits

from .timing import measure

AUTO_METHODS = ("direct", "im2col")  # what auto chooses from
METHODS = (*AUTO_METHODS, "winograd")  # what is timed, where it applies

# (label, x shape (N, C, H, W), weight shape (C_out, C_in // groups, kH, kW), padding, groups)
Shape = tuple[str, tuple[int, int, int, int], tuple[int, int, int, int], Any, int]
SHAPES: list[Shape] = [
    ("depthwise 3x3, 64 ch, 56^2", (1, 64, 56, 56), (64, 1, 3, 3), 1, 64),
    ("depthwise 5x5, 32 ch, 56^2", (1, 32, 56, 56), (32, 1, 5, 5), 2, 32),
    ("grouped 3x3, 2 ch/group", (1, 64, 56, 56), (64, 2, 3, 3), 1, 32),
    ("grouped 3x3, 8 ch/group", (1, 64, 56, 56), (64, 8, 3, 3), 1, 8),
    ("standard 3x3, 3 -> 32, 112^2", (1, 3, 112, 112), (32, 3, 3, 3), 1, 1),
    ("standard 3x3, 8 -> 8, 56^2", (1, 8, 56, 56), (8, 8, 3, 3), 1, 1),
    ("standard 3x3, 16 -> 16, 56^2", (1, 16, 56, 56), (16, 16, 3, 3), 1, 1),
    ("standard 3x3, 32 -> 32, 56^2", (1, 32, 56, 56), (32, 32, 3, 3), 1, 1),
    ("standard 3x3, 64 -> 64, 56^2", (1, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ("standard 3x3, 64 -> 128, 56^2, N=8", (8, 64, 56, 56), (128, 64, 3, 3), 1, 1),
    ("standard 3x3, 128 -> 128, 28^2", (1, 128, 28, 28), (128, 128, 3, 3), 1, 1),
    ("standard 3x3, 256 -> 256, 14^2", (1, 256, 14, 14), (256, 256, 3, 3), 1, 1),
    ("grouped 3x3, 16 ch/group", (1, 64, 56, 56), (64, 16, 3, 3), 1, 4),
    ("grouped 3x3, 32 ch/group", (1, 64, 56, 56), (64, 32, 3, 3), 1, 2),
    ("standard 5x5, TDS 3 -> 256", (1, 3, 12, 12), (256, 3, 5, 5), 0, 1),
    ("pointwise 1x1, 3 -> 256", (1, 3, 8, 8), (256, 3, 1, 1), 0, 1),
    ("pointwise 1x1, 64 -> 128", (1, 64, 56, 56), (128, 64, 1, 1), 0, 1),
    ("3x1, 64 -> 64, 56^2", (1, 64, 56, 56), (64, 64, 3, 1), (1, 0), 1),
    ("single-channel 3x3, 512^2", (1, 1, 512, 512), (1, 1, 3, 3), 1, 1),
]


def judge(label: str, times: dict[str, float], auto: str) -> dict[str, Any]:
    """One row: the times, ``auto``'s pick, the faster of direct and im2col, and Winograd's
    speed-up over ``auto``'s pick (None where Winograd does not apply)."""
    fastest = min(AUTO_METHODS, key=lambda method: times[method])
    winograd = times.get("winograd")
    return {
        "label": label,
        "times": times,
        "auto": auto,
        "fastest": fastest,
        "auto_missed": auto != fastest,
        "winograd_speedup": None if winograd is None else times[auto] / winograd,
    }


def time_methods(shapes: Sequence[Shape] = SHAPES, repeats: int = 30) -> list[dict[str, Any]]:
    """Each shape's methods timed (median seconds of ``repeats`` calls), judged by :func:`judge`."""
    rng = np.random.default_rng(0)
    rows = []
    for label, x_shape, w_shape, padding, groups in shapes:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32)
        geometry = conv_geometry(x_shape, w_shape, 1, padding, 1, groups, "zeros")
        methods = list(AUTO_METHODS)
        if winograd_fits(w_shape, geometry.stride, geometry.dilation):
            methods.append("winograd")
        times = {
            method: measure(
                partial(refconv.conv2d, x, w, padding=padding, groups=groups, method=method),
                repeats,
                warmup=1,
            )["median_s"]
            for method in methods
        }
        auto = choose_method(
            x_shape, w_shape, geometry.stride, geometry.pads, geometry.dilation, groups
        )
        rows.append(judge(label, times, auto))
    return rows


def format_rows(rows: list[dict[str, Any]]) -> str:
    """The table: times in ms, the faster of direct and im2col, auto's pick, misses marked;
    then how often auto was right and where Winograd would have been faster."""
    lines = [f"{'shape':36} {'direct':>10} {'im2col':>10} {'winograd':>10}  fastest   auto"]
    for row in rows:
        cells = " ".join(
            f"{row['times'][m] * 1e3:8.3f}ms" if m in row["times"] else f"{'-':>10}"
            for m in METHODS
        )
        mark = "  <- auto picked the slower one" if row["auto_missed"] else ""
        lines.append(f"{row['label']:36} {cells}  {row['fastest']:8}  {row['auto']}{mark}")
    right = sum(not row["auto_missed"] for row in rows)
    lines.append(f"auto picked the faster of direct and im2col in {right} of {len(rows)} shapes")
    faster = [row for row in rows if (row["winograd_speedup"] or 0) > 1]
    if faster:
        best = max(row["winograd_speedup"] for row in faster)
        lines.append(
            f"winograd (which auto never picks) was faster than auto's pick in "
            f"{len(faster)} of {len(rows)} shapes, up to {best:.2f}x"
        )
    return "\n".join(lines)
