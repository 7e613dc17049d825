"""``refconv count``: verify every published count, or compare convolutions for one shape.

* ``refconv count`` re-derives every figure of the five articles (:mod:`refconv.sources`) and
  the MobileNet v1 paper (:mod:`refconv.published`) and exits with status 1 on any mismatch;
* ``refconv count --input 12x12x3 --kernel 5 --out 256`` prints multiplications, additions and
  parameters of a standard convolution, depthwise + pointwise, and spatially separable
  ``K x 1`` + ``1 x K`` for that shape.

``--json`` prints either as JSON (:func:`verification_json`, :func:`comparison_json`).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from .. import counting, published
from .options import COUNT_MAX, SPATIAL_MAX, dims, fail, integer, shown, to_json

#: --effective counts the taps of each output row and column one by one (refconv.counting): at
#: most this many (H_out * K + W_out * K), about a second.
EFFECTIVE_BUDGET = 2_000_000

DESCRIPTION = f"""\
Without --input: re-derive every figure printed in the five articles refconv checks and the
MobileNet v1 paper, print each with its verdict (ok, ERRATUM, info, MISMATCH), and exit with
status 1 on any mismatch.

With --input HxWxC: print the multiplications, additions and parameters of a standard
convolution, depthwise + pointwise, and spatially separable Kx1 + 1xK for that shape, e.g.
  refconv count --input 12x12x3 --kernel 5 --out 256

Limits: H, W, --kernel, --stride and --dilation from 1 to {SPATIAL_MAX}, --padding from 0 to
{SPATIAL_MAX}; channel counts (C, --out, --multiplier, --intermediate) from 1 to 2**62.
--effective counts window by window, so it also needs H_out*K + W_out*K <= {EFFECTIVE_BUDGET:,}.

--json prints the same as JSON on stdout. A usage error is one line on stderr, exit status 2."""

#: The options that only mean something with --input, and their defaults there.
SHAPE_DEFAULTS = {"kernel": 3, "out": 64, "stride": 1, "padding": 0, "dilation": 1, "multiplier": 1}


def _padding(text: str) -> int | str:
    if text.strip().lower() in ("same", "valid"):
        return text.strip().lower()
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= SPATIAL_MAX:
        raise argparse.ArgumentTypeError(
            f"expected an int from 0 to {SPATIAL_MAX}, 'same' or 'valid'; got {shown(text)}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``count`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "count",
        help="verify the published counts, or compare convolution costs for one shape",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    size = integer(1, SPATIAL_MAX)
    channels = integer(1, COUNT_MAX)
    parser.add_argument(
        "--input",
        metavar="HxWxC",
        type=dims("HWC", (SPATIAL_MAX, SPATIAL_MAX, COUNT_MAX), "12x12x3"),
        help="input height x width x channels, e.g. 12x12x3 (without it: "
        "verify the published figures)",
    )
    parser.add_argument("--kernel", type=size, metavar="K", help="kernel size K (default 3)")
    parser.add_argument("--out", type=channels, metavar="N", help="output channels N (default 64)")
    parser.add_argument("--stride", type=size, metavar="S", help="stride (default 1)")
    parser.add_argument(
        "--padding",
        type=_padding,
        metavar="P",
        help="zero padding on every side: an int, 'same' or 'valid' (default 0)",
    )
    parser.add_argument("--dilation", type=size, metavar="D", help="dilation (default 1)")
    parser.add_argument(
        "--multiplier",
        type=channels,
        metavar="M",
        help="depth multiplier of the depthwise step (default 1)",
    )
    parser.add_argument(
        "--intermediate",
        type=channels,
        metavar="R",
        help="channels between the Kx1 and 1xK passes (default --out)",
    )
    parser.add_argument("--bias", action="store_true", help="count biases (default: none)")
    parser.add_argument("--effective", action="store_true", help="skip products with zero padding")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run, prog=parser.prog)


# --------------------------------------------------------------------------- output


def comparison_table(rows: list[counting.ComparisonRow]) -> str:
    """The rows of :func:`refconv.counting.compare_convolutions` as an aligned text table."""
    standard = rows[0].cost
    header = ("op", "output (C,H,W)", "multiplications", "additions", "params", "x standard")
    body = [
        (
            r.name,
            str(r.cost.output_shape),
            f"{r.cost.multiplications:,}",
            f"{r.cost.additions:,}",
            f"{r.cost.params:,}",
            f"{r.cost.multiplications / standard.multiplications:.4f}",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(
            [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
            + [line[i].rjust(widths[i]) for i in range(2, len(line))]
        )
        for line in [header, *body]
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def row_json(row: counting.ComparisonRow) -> dict[str, Any]:
    """One row of :func:`refconv.counting.compare_convolutions` as JSON-ready data."""
    return {
        "name": row.name,
        "output_shape": list(row.cost.output_shape),
        "multiplications": row.cost.multiplications,
        "additions": row.cost.additions,
        "params": row.cost.params,
    }


def comparison_json(args: argparse.Namespace, rows: list[counting.ComparisonRow]) -> dict[str, Any]:
    """``refconv count --input ... --json``: the options, the rows, the MobileNet ratio.

    ``output_shape`` is refconv's ``(C, H, W)``; ``input_hwc`` repeats ``--input`` as given.
    """
    c, h, w = args.shape
    return {
        "input_hwc": [h, w, c],
        "input_chw": [c, h, w],
        "options": {
            "kernel": args.kernel,
            "out": args.out,
            "stride": args.stride,
            "padding": args.padding,
            "dilation": args.dilation,
            "multiplier": args.multiplier,
            "intermediate": args.intermediate,
            "bias": args.bias,
            "effective": args.effective,
        },
        "rows": [row_json(r) for r in rows],
        "formula_1_over_N_plus_1_over_K2": counting.reduction_formula(args.out, args.kernel),
    }


def verdict(check: published.Check) -> str:
    """``ok``, ``erratum``, ``info`` or ``mismatch``: the word ``Check.line()`` shows."""
    if not check.ok:
        return "mismatch"
    return check.tolerance if check.tolerance in ("erratum", "info") else "ok"


def check_json(check: published.Check) -> dict[str, Any]:
    """One :class:`refconv.published.Check` as JSON-ready data, with its verdict."""
    return {**dataclasses.asdict(check), "verdict": verdict(check)}


def verification_json() -> dict[str, Any]:
    """``refconv count --json``: every check, section by section, and the totals.

    ``{"sections": [{"title", "checks": [{"source", "what", "printed", "exact",
    "convention", "tolerance", "ok", "note", "verdict"}, ...]}, ...], "checked", "errata",
    "mismatches", "ok"}``; ``printed`` is the figure as the source prints it, ``exact`` what
    refconv computes.
    """
    sections: list[dict[str, Any]] = [
        {"title": title, "checks": [check_json(c) for c in make()]}
        for title, make in published.SECTIONS.items()
    ]
    checks = [c for section in sections for c in section["checks"]]
    mismatches = sum(c["verdict"] == "mismatch" for c in checks)
    return {
        "sections": sections,
        "checked": len(checks),
        "errata": sum(c["verdict"] == "erratum" for c in checks),
        "mismatches": mismatches,
        "ok": mismatches == 0,
    }


# --------------------------------------------------------------------------- checks


def _check_shape_options(args: argparse.Namespace) -> str | None:
    """Why the options cannot be counted together (``None`` when they can)."""
    c, h, w = args.shape
    if args.padding != "same":  # "same" pads as much as the kernel needs
        pad = 0 if args.padding == "valid" else args.padding
        span = (args.kernel - 1) * args.dilation + 1
        if span > h + 2 * pad or span > w + 2 * pad:
            return (
                f"--kernel {args.kernel} (with --dilation {args.dilation}) spans {span} "
                f"pixels, but --input {h}x{w}x{c} with --padding {args.padding} is only "
                f"{h + 2 * pad}x{w + 2 * pad}; use a smaller --kernel or --dilation, more "
                f"--padding ('same' always fits), or a larger --input"
            )
    if args.effective:
        out = counting.conv2d_cost(
            (1, h, w), 1, args.kernel, args.stride, args.padding, args.dilation, bias=False
        ).output_shape
        work = (out[1] + out[2]) * args.kernel
        if work > EFFECTIVE_BUDGET:
            return (
                f"--effective counts window by window: output {out[1]}x{out[2]} with "
                f"--kernel {args.kernel} is {work:,} tap checks, more than the limit "
                f"{EFFECTIVE_BUDGET:,}; drop --effective or use smaller sizes"
            )
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``refconv count``; return the exit status (0 ok, 1 a mismatch, 2 bad input)."""
    given = [
        f"--{name}" for name in (*SHAPE_DEFAULTS, "intermediate") if getattr(args, name) is not None
    ]
    given += [f"--{name}" for name in ("bias", "effective") if getattr(args, name)]
    if args.input is None:
        if given:
            verb = "needs" if len(given) == 1 else "need"
            return fail(
                args,
                f"{', '.join(given)} {verb} --input HxWxC (without --input, "
                f"refconv count verifies the published figures)",
            )
        if args.json:
            report = verification_json()
            print(to_json(report))
            return 0 if report["ok"] else 1
        return 1 if published.run() else 0
    for name, default in SHAPE_DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    h, w, c = args.input
    args.shape = (c, h, w)  # refconv's order
    problem = _check_shape_options(args)
    if problem:
        return fail(args, problem)
    rows = counting.compare_convolutions(
        args.shape,
        args.kernel,
        args.out,
        args.stride,
        args.padding,
        args.dilation,
        args.multiplier,
        args.intermediate,
        args.bias,
        args.effective,
    )
    if args.json:
        print(to_json(comparison_json(args, rows)))
        return 0
    formula = counting.reduction_formula(args.out, args.kernel)
    print(
        f"input {h}x{w}x{c}, kernel {args.kernel}x{args.kernel}, {args.out} outputs, "
        f"stride {args.stride}, padding {args.padding!r}, dilation {args.dilation}, "
        f"depth multiplier {args.multiplier}, bias {'yes' if args.bias else 'no'}"
        f"{', effective (padded zeros skipped)' if args.effective else ''}"
    )
    print(comparison_table(rows))
    print(f"1/N + 1/K^2 = {formula:.4f} (depthwise + pointwise over standard, multiplications)")
    return 0
