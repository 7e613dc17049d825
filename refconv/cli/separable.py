"""``refconv separable KERNEL``: is a kernel separable, what are its factors, what does it save?

KERNEL is a filter of :mod:`refconv.filters` (``sobel``, ``sobel_y``, ``laplacian4``, ``log``...,
``--list`` shows them) or a literal matrix such as ``"[[1,2],[2,4]]"``. The report gives the
rank, the singular values, the factors (exact integers for an integer kernel), and the exact
multiplication counts of the full kernel and of the separable (or rank-r) passes on an image
(``--image HxW``, "same" and "valid" padding). ``--json`` prints the same as JSON.
"""

from __future__ import annotations

import argparse
import ast
import math
from typing import TypedDict

import numpy as np

from ..separability import (
    FilteringCost,
    SeparabilityResult,
    analyze,
    as_kernel,
    filtering_cost,
    filters,
)
from .options import COUNT_MAX, dims, fail, integer, shown, to_json

DEFAULT_IMAGE = (256, 256)
#: Largest --size of a named filter: a 1025x1025 float64 kernel is 8 MiB and its SVD takes
#: about a second; 100000 would need 74 GiB.
MAX_SIZE = 1025
BASE_NAMES = (
    "sobel",
    "scharr",
    "prewitt",
    "box",
    "binomial",
    "gaussian",
    "impulse",
    "laplacian",
    "log",
    "dog",
)

DESCRIPTION = f"""\
Is a kernel separable, what are its factors, what does it save?

KERNEL is a filter of the zoo (sobel, sobel_y, laplacian4, log, ...; --list shows them all)
or a literal matrix such as "[[1,2],[2,4]]". The report gives the rank, the singular values,
the factors (exact integers for an integer kernel), and the exact multiplication counts of
the full kernel and of the separable (or rank-r) passes on an image (--image HxW, "same" and
"valid" padding).

Limits: --size from 1 to {MAX_SIZE} (odd for most filters); --image sides up to 2**62.
--json prints the same as JSON on stdout. A usage error is one line on stderr, exit status 2."""


def _sigma(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive, finite number; got {shown(text)}")
    return value


def _tol(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value < 1):
        raise argparse.ArgumentTypeError(
            f"expected a number with 0 <= tol < 1 (relative: rank 1 when sigma_2 <= tol * "
            f"sigma_1); got {shown(text)}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``separable`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "separable",
        help="SVD separability of a kernel: rank, factors, multiplication savings",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "kernel",
        nargs="?",
        metavar="KERNEL",
        help="a filter name (see --list), e.g. sobel, or a matrix, e.g. '[[1,2],[2,4]]'",
    )
    parser.add_argument(
        "--list", action="store_true", help="list the filter zoo (with --json: as JSON) and exit"
    )
    parser.add_argument(
        "--size",
        type=integer(1, MAX_SIZE),
        metavar="K",
        help=f"filter size, 1 to {MAX_SIZE} (sobel, box, binomial, gaussian, impulse, log, dog)",
    )
    parser.add_argument(
        "--axis", choices=("x", "y"), help="derivative axis (sobel, scharr, prewitt)"
    )
    parser.add_argument(
        "--order",
        type=integer(0, MAX_SIZE - 1),
        metavar="N",
        help="derivative order, below --size (sobel)",
    )
    parser.add_argument(
        "--sigma", type=_sigma, metavar="S", help="Gaussian sigma, > 0 (gaussian, log, dog)"
    )
    parser.add_argument("--neighbours", type=int, choices=(4, 8), help="laplacian: 4 or 8")
    parser.add_argument(
        "--tol",
        type=_tol,
        help="relative tolerance, 0 <= tol < 1: rank 1 when "
        "sigma_2 <= tol * sigma_1 (default max(kH, kW) * eps)",
    )
    parser.add_argument(
        "--image",
        default=DEFAULT_IMAGE,
        metavar="HxW",
        type=dims("HW", (COUNT_MAX, COUNT_MAX), "256x256"),
        help="image size for the exact counts (default 256x256)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run, prog=parser.prog)
    return parser


# --------------------------------------------------------------------------- parsing


def _parse_kernel(args: argparse.Namespace) -> tuple[str, np.ndarray]:
    """(a label, the kernel) from the positional argument and the filter options.

    Errors are ``ValueError``/``TypeError`` whose text names the options involved.
    """
    text = args.kernel.strip()
    options = {
        k: getattr(args, k)
        for k in ("size", "axis", "order", "sigma", "neighbours")
        if getattr(args, k) is not None
    }
    if text.startswith("["):
        if options:
            verb = "applies" if len(options) == 1 else "apply"
            raise ValueError(
                f"--{', --'.join(options)} {verb} only to named filters, not to a literal matrix"
            )
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise ValueError(
                f"could not read the matrix {shown(text)}; write it as nested lists, "
                f"e.g. '[[1,2],[2,4]]'"
            ) from None
        kernel = as_kernel(value)
        if max(kernel.shape) > MAX_SIZE:
            raise ValueError(
                f"the matrix is {kernel.shape[0]}x{kernel.shape[1]}; at most "
                f"{MAX_SIZE} rows and columns"
            )
        return "matrix", kernel
    name = text.lower()
    given = " ".join(f"--{k} {v}" for k, v in options.items())
    if name in ("sobel", "scharr", "prewitt") and "axis" not in options:
        options["axis"] = "x"
    label = name + "".join(f" {k}={v}" for k, v in options.items())
    try:
        kernel = filters.make(name, **options)
    except (ValueError, TypeError) as exc:
        if not given:  # an unknown name: the message says so and lists the names
            raise
        raise ValueError(f"{name} {given}: {exc}") from None
    return label, kernel


# --------------------------------------------------------------------------- output


def _cost_dict(cost: FilteringCost) -> dict[str, object]:
    return {
        "padding": cost.padding,
        "rank": cost.rank,
        "intermediate_shape": list(cost.intermediate_shape),
        "output_shape": list(cost.output_shape),
        "full": cost.full,
        "column_pass": cost.column_pass,
        "row_pass": cost.row_pass,
        "separable": cost.separable,
        "full_per_pixel": cost.full_per_pixel,
        "separable_per_pixel": cost.separable_per_pixel,
        "break_even_rank": cost.break_even_rank,
    }


def _number(value: float) -> str:
    return f"{value:.6g}"


def _vector(values: np.ndarray) -> str:
    if values.dtype.kind == "i":
        return "[" + ", ".join(str(int(v)) for v in values) + "]"
    return "[" + ", ".join(_number(float(v)) for v in values) + "]"


def report(
    label: str, kernel: np.ndarray, result: SeparabilityResult, costs: list[FilteringCost]
) -> dict[str, object]:
    """Everything the command prints, as plain JSON-able data."""
    return {
        "kernel": label,
        "shape": list(kernel.shape),
        "dtype": str(np.asarray(kernel).dtype),
        "values": np.asarray(kernel).tolist(),
        "rank": result.rank,
        "singular_values": [float(s) for s in result.singular_values],
        "sigma2_over_sigma1": result.ratio,
        "tol": result.tol,
        "is_separable": result.is_separable,
        "column": result.column.tolist(),
        "row": result.row.tolist(),
        "rank1_error": result.error,
        "costs": [_cost_dict(c) for c in costs],
    }


def _text(
    label: str, kernel: np.ndarray, result: SeparabilityResult, costs: list[FilteringCost]
) -> str:
    kh, kw = kernel.shape
    lines = [f"kernel: {label}, {kh}x{kw}, {np.asarray(kernel).dtype}"]
    lines += [
        "  " + line
        for line in np.array2string(np.asarray(kernel), precision=4, max_line_width=96).splitlines()
    ]
    lines.append("singular values: " + ", ".join(_number(s) for s in result.singular_values))
    lines.append(
        f"rank: {result.rank}  (sigma_2 / sigma_1 = {result.ratio:.3g}; rank 1 when "
        f"<= tol = {result.tol:.3g})"
    )
    if result.is_separable:
        exact = "exactly" if result.error == 0 else f"to {result.error:.3g} (Frobenius)"
        lines += [
            "separable: yes",
            f"  column ({kh}x1): {_vector(result.column)}",
            f"  row    (1x{kw}): {_vector(result.row)}",
            f"  np.outer(column, row) == kernel {exact}",
        ]
    else:
        lines += [
            f"separable: no; as a sum of {result.rank} separable terms: low_rank(kernel, "
            f"{result.rank})",
            f"  best rank-1 approximation: column {_vector(result.column)}, row "
            f"{_vector(result.row)}, error {result.error:.3g} (Frobenius)",
        ]
    one = kh + kw
    lines.append(
        f"multiplications per output pixel (same padding): full {kh}*{kw} = {kh * kw}, "
        f"separable {kh}+{kw} = {one}; r separable terms cost r*{one}, less than the "
        f"full kernel while r < {kh * kw / one:.4g}"
    )
    h, w = costs[0].image_shape
    lines.append(f"exact counts on a {h}x{w} image (stride 1):")
    header = (
        f"  {'padding':<8}{'output':>10}{'full':>14}{'column pass':>14}{'row pass':>12}"
        f"{'separable':>14}{'per pixel':>12}{'saving':>9}"
    )
    lines.append(header)
    for c in costs:
        saving = 1 - c.separable / c.full
        per_pixel = f"{c.separable_per_pixel:.4g}"
        out = f"{c.output_shape[0]}x{c.output_shape[1]}"
        lines.append(
            f"  {c.padding:<8}{out:>10}{c.full:>14,}{c.column_pass:>14,}"
            f"{c.row_pass:>12,}{c.separable:>14,}{per_pixel:>12}{saving:>9.1%}"
        )
    return "\n".join(lines)


class ZooRow(TypedDict):
    """One kernel of the filter zoo, as ``--list`` shows it."""

    name: str
    shape: list[int]  # [kH, kW]
    dtype: str
    rank: int


def zoo() -> list[ZooRow]:
    """The filter zoo: name, shape, dtype and rank of each kernel (``--list --json``)."""
    rows: list[ZooRow] = []
    for name in filters.ZOO:
        k = filters.make(name)
        rows.append(
            {"name": name, "shape": list(k.shape), "dtype": str(k.dtype), "rank": analyze(k).rank}
        )
    return rows


def _zoo_listing(rows: list[ZooRow]) -> str:
    lines = [f"{'name':<12}{'shape':>7}  {'dtype':<8}{'rank':>5}"]
    for row in rows:
        kh, kw = row["shape"]
        lines.append(f"{row['name']:<12}{kh:>4}x{kw:<2}  {row['dtype']:<8}{row['rank']:>5}")
    lines.append(
        "base names (with --size/--axis/--order/--sigma/--neighbours): " + ", ".join(BASE_NAMES)
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``refconv separable``; return the exit status (0 ok, 2 bad input)."""
    if args.list:
        rows = zoo()
        if args.json:
            print(to_json({"zoo": rows, "base_names": list(BASE_NAMES)}))
        else:
            print(_zoo_listing(rows))
        return 0
    if not args.kernel or not args.kernel.strip():
        return fail(
            args, "give a KERNEL (a filter name or a matrix such as '[[1,2],[2,4]]'), or --list"
        )
    image = args.image
    try:
        label, kernel = _parse_kernel(args)
        result = analyze(kernel, args.tol)
        rank = max(result.rank, 1)
        costs = [
            filtering_cost(image, kernel.shape, padding, rank=rank)
            for padding in ("same", "valid")
            if padding == "same" or (kernel.shape[0] <= image[0] and kernel.shape[1] <= image[1])
        ]
    except (ValueError, TypeError) as exc:
        return fail(args, str(exc))
    if args.json:
        print(to_json(report(label, kernel, result, costs)))
    else:
        print(_text(label, kernel, result, costs))
    return 0
