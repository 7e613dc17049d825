"""Time ``method="direct"``, ``"im2col"`` and ``"winograd"`` and show what ``"auto"`` picks.

``auto`` follows the rule in ``refconv.kernels.choose_method``; this script checks it on a grid
of shapes on the machine it runs on: each row times the fast methods (median of repeated
calls after warm-up, float32; Winograd only where it applies: 3x3, stride 1, dilation 1) and
marks the rows where ``auto`` did not pick the fastest one.

Run: ``python scripts/choose_method.py [--repeats R]``
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np

import refconv
from refconv.arguments import conv_geometry
from refconv.kernels import choose_method, winograd_fits

# (label, x shape (N, C, H, W), weight shape (C_out, C_in // groups, kH, kW), padding, groups)
SHAPES = [
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
    ("standard 5x5, seed 3 -> 256", (1, 3, 12, 12), (256, 3, 5, 5), 0, 1),
    ("pointwise 1x1, 3 -> 256", (1, 3, 8, 8), (256, 3, 1, 1), 0, 1),
    ("pointwise 1x1, 64 -> 128", (1, 64, 56, 56), (128, 64, 1, 1), 0, 1),
    ("3x1, 64 -> 64, 56^2", (1, 64, 56, 56), (64, 64, 3, 1), (1, 0), 1),
    ("single-channel 3x3, 512^2", (1, 1, 512, 512), (1, 1, 3, 3), 1, 1),
]


def median_time(function, repeats: int) -> float:
    """Median seconds of ``repeats`` calls after 0.1 s of warm-up calls."""
    start = time.perf_counter()
    while time.perf_counter() - start < 0.1:
        function()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'shape':36} {'direct':>10} {'im2col':>10} {'winograd':>10}  fastest   auto")
    misses = 0
    for label, x_shape, w_shape, padding, groups in SHAPES:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32)
        geometry = conv_geometry(x_shape, w_shape, 1, padding, 1, groups, "zeros")
        methods = ["direct", "im2col"]
        if winograd_fits(w_shape, geometry.stride, geometry.dilation):
            methods.append("winograd")
        times = {method: median_time(partial(refconv.conv2d, x, w, padding=padding,
                                              groups=groups, method=method), args.repeats)
                 for method in methods}
        auto = choose_method(x_shape, w_shape, geometry.stride, geometry.pads,
                             geometry.dilation, groups)
        faster = min(times, key=times.get)
        mark = "" if auto == faster else "  <- auto picked the slower one"
        misses += auto != faster
        cells = " ".join(f"{times[m] * 1e3:8.3f}ms" if m in times else f"{'-':>10}"
                         for m in ("direct", "im2col", "winograd"))
        print(f"{label:36} {cells}  {faster:8}  {auto}{mark}")
    print(f"auto picked the fastest method in {len(SHAPES) - misses} of {len(SHAPES)} shapes")


if __name__ == "__main__":
    main()
