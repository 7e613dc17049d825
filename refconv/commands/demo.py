"""``refconv demo``: the seed example, computed every way refconv knows, checked against scipy.

A 12x12 RGB image, a 5x5 kernel, 256 output channels, no padding, stride 1 (the example of
"A basic introduction to separable convolutions"): the standard convolution beside its
depthwise and pointwise halves, with output shapes, exact multiplication counts, and the
largest difference of every method from a scipy.signal oracle.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from scipy import signal

from .. import cost, filters, verification
from .. import functional as F
from .._args import METHODS
from ..separability import analyze, separate
from .count import comparison_table

SEED_SHAPE = (1, 3, 12, 12)  # (N, C_in, H, W)
SEED_KERNEL = 5
SEED_OUT = 256
# every method that can compute a 5x5 kernel: Winograd F(2x2, 3x3) is for 3x3 kernels only
DEMO_METHODS = tuple(m for m in METHODS if m != "winograd")


def _oracle(x: np.ndarray, weight: np.ndarray, groups: int) -> np.ndarray:
    """scipy.signal.correlate2d, channel by channel: y[o] = sum_c correlate2d(x[c], w[o, c])."""
    c_out, c_group = weight.shape[:2]
    o_group = c_out // groups
    rows = []
    for o in range(c_out):
        c0 = (o // o_group) * c_group
        rows.append(sum(signal.correlate2d(x[0, c0 + c], weight[o, c], mode="valid")
                        for c in range(c_group)))
    return np.stack(rows)[None]


def seed_example(seed: int = 0) -> dict:
    """Run the seed example; return shapes, counts and each method's error vs scipy."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(SEED_SHAPE)
    c_in, k = SEED_SHAPE[1], SEED_KERNEL
    image, mid = SEED_SHAPE[1:], (c_in, 8, 8)  # the depthwise output feeds the pointwise step
    cases = {  # name: (function, weight, groups, closed-form cost)
        "standard": (F.conv2d, rng.standard_normal((SEED_OUT, c_in, k, k)), 1,
                     cost.conv2d_cost(image, SEED_OUT, k, bias=False)),
        "depthwise": (F.depthwise_conv2d, rng.standard_normal((c_in, 1, k, k)), c_in,
                      cost.depthwise_conv2d_cost(image, k, bias=False)),
        "pointwise": (F.pointwise_conv2d, rng.standard_normal((SEED_OUT, c_in, 1, 1)), 1,
                      cost.pointwise_conv2d_cost(mid, SEED_OUT, bias=False)),
    }
    results = {}
    previous = x
    for name, (function, weight, groups, op) in cases.items():
        source = previous if name == "pointwise" else x  # pointwise reads the depthwise output
        expected = _oracle(source, weight, groups)
        previous = expected
        errors = {m: float(np.max(np.abs(function(source, weight, method=m) - expected)))
                  for m in DEMO_METHODS}
        results[name] = {
            "input": list(source.shape[1:]),
            "weight": list(weight.shape),
            "output": list(expected.shape[1:]),
            "multiplications": op.multiplications,
            "max_abs_error_vs_scipy": errors,
        }
    return results


def _print(results: dict) -> None:
    print("Seed example: 12x12x3 image, 5x5 kernel, 256 output channels, valid, stride 1")
    print("(shapes are (C, H, W); weights (C_out, C_in/groups, kH, kW); cross-correlation)\n")
    header = f"{'convolution':<11} {'input':>11} {'weight':>16} {'output':>12} {'mults':>11}"
    header += "".join(f" {m:>10}" for m in DEMO_METHODS)
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        line = (f"{name:<11} {'x'.join(map(str, r['input'])):>11} "
                f"{'x'.join(map(str, r['weight'])):>16} {'x'.join(map(str, r['output'])):>12} "
                f"{r['multiplications']:>11,}")
        line += "".join(f" {r['max_abs_error_vs_scipy'][m]:>10.1e}" for m in DEMO_METHODS)
        print(line)
    std = results["standard"]["multiplications"]
    sep = results["depthwise"]["multiplications"] + results["pointwise"]["multiplications"]
    print(f"\nstandard: {std:,} multiplications; depthwise + pointwise: "
          f"{results['depthwise']['multiplications']:,} + "
          f"{results['pointwise']['multiplications']:,} = {sep:,} ({std / sep:.1f}x fewer)")
    print("last columns: largest |refconv - scipy.signal.correlate2d| for each method")
    print("\nThe same shape in every family (refconv count --input 12x12x3 --kernel 5 --out 256):")
    print(comparison_table(cost.compare_convolutions()))
    checks = verification.all_checks()
    errata = [c for c in checks if c.tolerance == "erratum"]
    failed = [c for c in checks if not c.ok]
    print(f"\nThe seeds' and the MobileNet paper's figures (refconv count prints each one): "
          f"{len(checks)} checked, {len(errata)} errata reproduced, {len(failed)} mismatches.")
    for check in errata[:3]:
        print(check.line())
    if len(errata) > 3:
        print(f"  ... and {len(errata) - 3} more errata: refconv count")
    sobel = filters.make("sobel")
    column, row = separate(sobel)
    print(f"\nSpatial separability (refconv separable sobel): Sobel-x {sobel.tolist()} = "
          f"column {column.tolist()} x row {row.tolist()}; a 3x3 Laplacian has rank "
          f"{analyze(filters.make('laplacian4')).rank} and does not split.")


def run(args: argparse.Namespace) -> int:
    results = seed_example()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print(results)
    if args.figures:
        from ..plotting import write_all

        paths = write_all(args.figures)
        print(f"\nwrote {len(paths)} figures to {args.figures}")
    worst = max(max(r["max_abs_error_vs_scipy"].values()) for r in results.values())
    mismatches = sum(not check.ok for check in verification.all_checks())
    return 0 if worst < 1e-9 and not mismatches else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="the seed example computed every way, checked against scipy",
        description=__doc__,
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--figures", metavar="DIR", help="also write every figure into DIR")
    parser.set_defaults(func=run)
