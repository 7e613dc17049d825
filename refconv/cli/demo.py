"""``refconv demo``: the TDS example, computed every way refconv knows, checked against scipy.

A 12x12 RGB image, a 5x5 kernel, 256 output channels, no padding, stride 1 (the example of the
TDS introduction, ``refconv.sources.SOURCES["tds"]``): the standard convolution beside its
depthwise and pointwise halves, with output shapes, exact multiplication counts, and the
largest difference of every method from a scipy.signal oracle.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import counting, published
from .. import functional as F
from ..arguments import METHODS
from ..separability import analyze, filters, separate
from ..sources import SOURCES
from .count import check_json, comparison_table, row_json
from .options import check_output_dir, fail, path, to_json

TDS = SOURCES["tds"]

DESCRIPTION = f"""\
The TDS example: a 12x12 RGB image, a 5x5 kernel, 256 output channels, no padding, stride 1
(the worked example of {TDS.short}), computed by every refconv method and checked
against scipy.signal. It prints the standard convolution beside its depthwise and
pointwise halves with shapes, exact multiplication counts and each method's largest
difference from scipy; then the same shape in every family, the totals of refconv count, and
one separable and one non-separable filter.

Exit status 1 when a method is off by more than 1e-9 or a published figure does not match.
--json prints everything as JSON on stdout. A usage error is one line on stderr, exit status 2."""

EXAMPLE_SHAPE = (1, 3, 12, 12)  # (N, C_in, H, W)
EXAMPLE_KERNEL = 5
EXAMPLE_OUT = 256
# every method that can compute a 5x5 kernel: Winograd F(2x2, 3x3) is for 3x3 kernels only
DEMO_METHODS = tuple(m for m in METHODS if m != "winograd")


def _oracle(x: np.ndarray, weight: np.ndarray, groups: int) -> np.ndarray:
    """scipy.signal.correlate2d, channel by channel: y[o] = sum_c correlate2d(x[c], w[o, c])."""
    from scipy import signal  # 1.5 s to import: not for every `refconv` command line

    c_out, c_group = weight.shape[:2]
    o_group = c_out // groups
    rows = []
    for o in range(c_out):
        c0 = (o // o_group) * c_group
        rows.append(
            sum(
                signal.correlate2d(x[0, c0 + c], weight[o, c], mode="valid") for c in range(c_group)
            )
        )
    return np.stack(rows)[None]


def tds_example(seed: int = 0) -> dict:
    """Run the TDS example; return shapes, counts and each method's error vs scipy.

    ``seed`` seeds the random image and weights.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(EXAMPLE_SHAPE)
    c_in, k = EXAMPLE_SHAPE[1], EXAMPLE_KERNEL
    image, mid = EXAMPLE_SHAPE[1:], (c_in, 8, 8)  # the depthwise output feeds the pointwise step
    # name: (function, weight, groups, closed-form cost)
    cases: dict[str, tuple[Callable[..., np.ndarray], np.ndarray, int, counting.OpCount]] = {
        "standard": (
            F.conv2d,
            rng.standard_normal((EXAMPLE_OUT, c_in, k, k)),
            1,
            counting.conv2d_cost(image, EXAMPLE_OUT, k, bias=False),
        ),
        "depthwise": (
            F.depthwise_conv2d,
            rng.standard_normal((c_in, 1, k, k)),
            c_in,
            counting.depthwise_conv2d_cost(image, k, bias=False),
        ),
        "pointwise": (
            F.pointwise_conv2d,
            rng.standard_normal((EXAMPLE_OUT, c_in, 1, 1)),
            1,
            counting.pointwise_conv2d_cost(mid, EXAMPLE_OUT, bias=False),
        ),
    }
    results = {}
    previous = x
    for name, (function, weight, groups, op) in cases.items():
        source = previous if name == "pointwise" else x  # pointwise reads the depthwise output
        expected = _oracle(source, weight, groups)
        previous = expected
        errors = {
            m: float(np.max(np.abs(function(source, weight, method=m) - expected)))
            for m in DEMO_METHODS
        }
        results[name] = {
            "input": list(source.shape[1:]),
            "weight": list(weight.shape),
            "output": list(expected.shape[1:]),
            "multiplications": op.multiplications,
            "max_abs_error_vs_scipy": errors,
        }
    return results


def report(seed: int = 0) -> dict[str, Any]:
    """Everything ``refconv demo`` shows, as JSON-ready data (what ``--json`` prints).

    ``example``: the TDS example's shape in HxWxC order; ``convolutions``: :func:`tds_example`
    (shapes in refconv's (C, H, W) order); ``comparison``: the same shape in every family (the
    rows of ``refconv count --input 12x12x3 --kernel 5 --out 256 --json``); ``verification``:
    the totals of ``refconv count`` and its errata; ``separability``: Sobel-x splits, the
    4-neighbour Laplacian does not; ``ok``: every method within 1e-9 of scipy and no mismatch.
    """
    convolutions = tds_example(seed)
    mults = {name: r["multiplications"] for name, r in convolutions.items()}
    separable = mults["depthwise"] + mults["pointwise"]
    checks = published.all_checks()
    errata = [check_json(c) for c in checks if c.tolerance == "erratum"]
    mismatches = sum(not c.ok for c in checks)
    sobel, laplacian = filters.make("sobel"), filters.make("laplacian4")
    column, row = separate(sobel)
    worst = max(max(r["max_abs_error_vs_scipy"].values()) for r in convolutions.values())
    return {
        "example": {
            "input_hwc": [EXAMPLE_SHAPE[2], EXAMPLE_SHAPE[3], EXAMPLE_SHAPE[1]],
            "kernel": EXAMPLE_KERNEL,
            "out_channels": EXAMPLE_OUT,
            "padding": "valid",
            "stride": 1,
            "methods": list(DEMO_METHODS),
        },
        "convolutions": convolutions,
        "standard_multiplications": mults["standard"],
        "separable_multiplications": separable,
        "times_fewer": round(mults["standard"] / separable, 2),
        "largest_error_vs_scipy": worst,
        "comparison": [row_json(r) for r in counting.compare_convolutions()],
        "verification": {
            "checked": len(checks),
            "errata": len(errata),
            "mismatches": mismatches,
            "errata_checks": errata,
        },
        "separability": {
            "sobel_x": {
                "kernel": sobel.tolist(),
                "rank": analyze(sobel).rank,
                "column": column.tolist(),
                "row": row.tolist(),
            },
            "laplacian4": {"kernel": laplacian.tolist(), "rank": analyze(laplacian).rank},
        },
        "ok": worst < 1e-9 and not mismatches,
    }


def _print(data: dict[str, Any]) -> None:
    results = data["convolutions"]
    print("The TDS example: 12x12x3 image, 5x5 kernel, 256 output channels, valid, stride 1")
    print("(shapes are (C, H, W); weights (C_out, C_in/groups, kH, kW); cross-correlation)\n")
    header = f"{'convolution':<11} {'input':>11} {'weight':>16} {'output':>12} {'mults':>11}"
    header += "".join(f" {m:>10}" for m in DEMO_METHODS)
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        line = (
            f"{name:<11} {'x'.join(map(str, r['input'])):>11} "
            f"{'x'.join(map(str, r['weight'])):>16} {'x'.join(map(str, r['output'])):>12} "
            f"{r['multiplications']:>11,}"
        )
        line += "".join(f" {r['max_abs_error_vs_scipy'][m]:>10.1e}" for m in DEMO_METHODS)
        print(line)
    std, sep = data["standard_multiplications"], data["separable_multiplications"]
    print(
        f"\nstandard: {std:,} multiplications; depthwise + pointwise: "
        f"{results['depthwise']['multiplications']:,} + "
        f"{results['pointwise']['multiplications']:,} = {sep:,} ({std / sep:.1f}x fewer)"
    )
    print("last columns: largest |refconv - scipy.signal.correlate2d| for each method")
    print("\nThe same shape in every family (refconv count --input 12x12x3 --kernel 5 --out 256):")
    print(comparison_table(counting.compare_convolutions()))
    checked = data["verification"]
    errata = checked["errata_checks"]
    print(
        f"\nThe articles' and the MobileNet paper's figures (refconv count prints each one): "
        f"{checked['checked']} checked, {checked['errata']} errata reproduced, "
        f"{checked['mismatches']} mismatches."
    )
    for check in errata[:3]:
        print(published.Check(**{k: v for k, v in check.items() if k != "verdict"}).line())
    if len(errata) > 3:
        print(f"  ... and {len(errata) - 3} more errata: refconv count")
    sobel = data["separability"]["sobel_x"]
    print(
        f"\nSpatial separability (refconv separable sobel): Sobel-x {sobel['kernel']} = "
        f"column {sobel['column']} x row {sobel['row']}; a 3x3 Laplacian has rank "
        f"{data['separability']['laplacian4']['rank']} and does not split."
    )


def run(args: argparse.Namespace) -> int:
    """Run ``refconv demo``; return the exit status (0 ok, 1 a method or count is off, 2 usage)."""
    if args.figures:  # before the work: a bad folder should not cost the whole report
        problem = check_output_dir(args.figures)
        if problem:
            return fail(args, f"--figures {args.figures!r}: cannot write figures there ({problem})")
    data = report()
    if not args.json:
        _print(data)
    if args.figures:
        from ..plotting import write_all

        paths = write_all(args.figures)
        data["figures"] = [str(p) for p in paths]
        if not args.json:
            print(f"\nwrote {len(paths)} figures to {args.figures}")
    if args.json:
        print(to_json(data))
    return 0 if data["ok"] else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "demo",
        help="the TDS example computed every way, checked against scipy",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON instead of text (with --figures, the files written "
        "are listed under 'figures')",
    )
    parser.add_argument(
        "--figures",
        metavar="DIR",
        type=path,
        help="also write every figure into DIR (created if needed; checked before the work starts)",
    )
    parser.set_defaults(func=run, prog=parser.prog)
