"""``refconv demo``: the TDS example, computed every way refconv knows, checked against scipy.

A 12x12 RGB image, a 5x5 kernel, 256 output channels, no padding, stride 1 (the example of the
TDS introduction, ``refconv.sources.SOURCES["tds"]``): the standard convolution beside its
depthwise and pointwise halves, with output shapes, exact multiplication counts, and the
largest difference of every method from a scipy.signal oracle. What a student reads fits in
100 columns and writes shapes HxWxC, as the articles and ``--input`` do; the JSON keeps
refconv's (C, H, W). With ``--figures`` the figures are written too (their timing's steps on
stderr only with ``--verbose``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import counting, published
from .. import functional as F
from ..arguments import METHODS
from ..published.report import check_json, check_lines, wrapped
from ..separability import analyze, filters, separate
from ..sources import SOURCES
from .count import (
    comparison_table,
    formula_lines,
    hwc,
    per_channel_rows,
    row_json,
)
from .options import check_output_dir, fail, path, to_json

TDS = SOURCES["tds"]

DESCRIPTION = f"""\
The TDS example: a 12x12x3 image, 5x5 kernels, 256 output channels, no padding, stride 1
(the worked example of {TDS.short}), computed by every refconv method and checked
against scipy.signal. It prints the standard convolution beside its depthwise and
pointwise halves with shapes (H x W x C, as the articles write them) and exact
multiplication counts, each method's largest difference from scipy, the same shape in
every family (spatially separable both as the articles build it and per channel), the
totals of refconv count, and one separable and one non-separable filter.

--figures DIR also writes every figure; the performance figures time refconv's kernels
first (about half a minute, on one thread; the machine's load is written on them).
--verbose prints the steps of that timing and the numbers behind its figures on stderr.

Exit status 1 when a method is off by more than 1e-9 or a published number does not match.
--json prints everything as JSON on stdout. A usage error is one line on stderr, exit status 2."""

EXAMPLE_IMAGE = (3, 12, 12)  # (C_in, H, W)
EXAMPLE_SHAPE = (1, *EXAMPLE_IMAGE)  # (N, C_in, H, W)
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
    rows of ``refconv count --input 12x12x3 --kernel 5 --out 256 --json``, and
    ``comparison_per_channel`` its ``per_channel_rows``); ``verification``:
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
        "comparison_per_channel": [
            row_json(r) for r in per_channel_rows(EXAMPLE_IMAGE, EXAMPLE_KERNEL, EXAMPLE_OUT)
        ],
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


def _example_lines(results: dict[str, Any]) -> list[str]:
    """The three convolutions of the example: shapes (HxWxC), kernels and multiplications."""
    header = ("convolution", "input", "kernels", "output", "multiplications")
    rows = [header]
    for name, r in results.items():
        c_out, c_in, kh, kw = r["weight"]  # refconv's (C_out, C_in, kH, kW)
        kernels = f"{c_out} of {kh}x{kw}x{c_in}"
        rows.append((name, hwc(r["input"]), kernels, hwc(r["output"]), f"{r['multiplications']:,}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  ".join(
            [
                *(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=False)),
                row[-1].rjust(widths[-1]),
            ]
        )
        for row in rows
    ]


def _checked_lines(results: dict[str, Any]) -> list[str]:
    """Each method's largest difference from scipy, convolution by convolution."""
    lines = [
        "Numbers checked: the largest |refconv - scipy.signal.correlate2d| of each method",
        f"{'convolution':<11}" + "".join(f" {m:>10}" for m in DEMO_METHODS),
    ]
    for name, r in results.items():
        errors = r["max_abs_error_vs_scipy"]
        lines.append(f"{name:<11}" + "".join(f" {errors[m]:>10.1e}" for m in DEMO_METHODS))
    lines.append(
        "(float64 rounding of sums of up to 75 products; above 1e-9 the demo fails, exit status 1)"
    )
    return lines


def _errata_lines(verification: dict[str, Any]) -> list[str]:
    """The totals of ``refconv count`` and its first three errata."""
    errata = verification["errata_checks"]
    lines = [
        "The numbers printed in the articles and the MobileNet paper (refconv count prints each "
        "one):",
        f"{verification['checked']} numbers checked, {verification['errata']} errata reproduced, "
        f"{verification['mismatches']} mismatches. The first errata:",
    ]
    for check in errata[:3]:
        fields = {k: v for k, v in check.items() if k != "verdict"}
        lines += check_lines(published.Check(**fields))
    if len(errata) > 3:
        lines.append(f"  ... and {len(errata) - 3} more errata: refconv count")
    return lines


def _print(data: dict[str, Any]) -> None:
    results = data["convolutions"]
    std, sep = data["standard_multiplications"], data["separable_multiplications"]
    rows = counting.compare_convolutions(EXAMPLE_IMAGE, EXAMPLE_KERNEL, EXAMPLE_OUT)
    per_channel = per_channel_rows(EXAMPLE_IMAGE, EXAMPLE_KERNEL, EXAMPLE_OUT)
    sobel = data["separability"]["sobel_x"]
    blocks = [
        [
            "The TDS example: a 12x12x3 image, 5x5 kernels, 256 output channels, no padding, "
            "stride 1.",
            "Shapes are H x W x C, as the articles and --input write them (refconv's arrays are",
            "NCHW: the image is x.shape == (1, 3, 12, 12), the standard kernels (256, 3, 5, 5)).",
        ],
        _example_lines(results),
        [
            f"standard: {std:,} multiplications; depthwise + pointwise: "
            f"{results['depthwise']['multiplications']:,} + "
            f"{results['pointwise']['multiplications']:,} = {sep:,} ({std / sep:.1f}x fewer)",
            *formula_lines(EXAMPLE_OUT, EXAMPLE_KERNEL),
        ],
        _checked_lines(results),
        [
            "The same shape in every family (refconv count --input 12x12x3 --kernel 5 --out 256):",
            comparison_table(rows, per_channel, EXAMPLE_KERNEL),
        ],
        _errata_lines(data["verification"]),
        wrapped(
            f"Spatial separability (refconv separable sobel): Sobel-x {sobel['kernel']} "
            f"= column {sobel['column']} x row {sobel['row']}; a 3x3 Laplacian has rank "
            f"{data['separability']['laplacian4']['rank']} and does not split."
        ),
        NEXT_STEPS,
    ]
    print("\n\n".join("\n".join(block) for block in blocks))


NEXT_STEPS = [
    "Where to go next:",
    "  docs/concepts.md                    each family in plain words, with pictures (中文:",
    "                                      docs/zh-CN/concepts.md)",
    "  refconv explain depthwise           one family worked by hand on this example",
    "  refconv animate --family separable  a GIF of the computation, with refconv's numbers",
    "  refconv train                       the notebook's two networks trained, standard vs",
    "                                      separable (about a minute)",
    "  docs/errata.md                      what the articles get wrong, with the commands",
]


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
        data.update(_figures(Path(args.figures), args.verbose, args.json))
    if args.json:
        print(to_json(data))
    return 0 if data["ok"] else 1


def _figures(out: Path, verbose: bool, quiet: bool) -> dict[str, Any]:
    """Write every figure into ``out``; what ``--json`` adds: the files, the timings' summary.

    The performance figures time refconv first (about half a minute); ``verbose`` prints the
    steps of that measurement and the numbers behind its figures on stderr.
    """
    from ..plotting import performance, write_all

    def say(line: str) -> None:
        print(f"performance figures: {line}", file=sys.stderr, flush=True)

    measured = performance.data_for(out, progress=say if verbose else None)
    summary = performance.summary_lines(measured)
    if verbose:
        for line in summary:
            say(line)
    paths = write_all(out)
    if not quiet:
        print(f"\nwrote {len(paths)} figures to {out}")
        timed, _, load = summary[0].partition(", load average")  # the load on a line
        print("\n".join(wrapped(f"The performance figures: {timed}" + ("," if load else "."))))
        if load:
            print("\n".join(wrapped(f"load average{load}.")))
    return {"figures": [str(p) for p in paths], "performance": summary}


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
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="with --figures, print the steps of the timing and its numbers on stderr",
    )
    parser.set_defaults(func=run, prog=parser.prog)
