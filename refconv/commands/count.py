"""``refconv count``: verify every published count, or compare convolutions for one shape.

* ``refconv count`` re-derives every figure of the seed articles and the MobileNet v1 paper
  (:mod:`refconv.verification`) and exits with status 1 on any mismatch;
* ``refconv count --input 12x12x3 --kernel 5 --out 256`` prints multiplications, additions and
  parameters of a standard convolution, depthwise + pointwise, and spatially separable
  ``K x 1`` + ``1 x K`` for that shape (``--json`` for machine-readable output).
"""

from __future__ import annotations

import argparse
import json

from .. import cost, verification


def _shape(text: str) -> tuple[int, int, int]:
    """``"12x12x3"`` (H x W x C, the seeds' order) -> ``(C, H, W)``."""
    try:
        h, w, c = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--input must look like HxWxC, e.g. 12x12x3; got {text!r}"
        ) from None
    return c, h, w


def _padding(text: str) -> int | str:
    if text.lower() in ("same", "valid"):
        return text.lower()
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--padding must be an int, 'same' or 'valid'; got {text!r}"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "count",
        help="verify the published counts, or compare convolution costs for one shape",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--input", type=_shape, metavar="HxWxC",
                        help="input shape, e.g. 12x12x3 (without it: run the verification)")
    parser.add_argument("--kernel", type=int, default=3, help="kernel size K (default 3)")
    parser.add_argument("--out", type=int, default=64, help="output channels N (default 64)")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--padding", type=_padding, default=0, help="int, 'same' or 'valid'")
    parser.add_argument("--dilation", type=int, default=1)
    parser.add_argument("--multiplier", type=int, default=1, help="depth multiplier")
    parser.add_argument("--intermediate", type=int, default=None,
                        help="channels between the K x 1 and 1 x K passes (default --out)")
    parser.add_argument("--bias", action="store_true", help="count biases (default: none)")
    parser.add_argument("--effective", action="store_true",
                        help="skip products with zero padding")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def comparison_table(rows: list[cost.ComparisonRow]) -> str:
    """The rows of :func:`refconv.cost.compare_convolutions` as an aligned text table."""
    standard = rows[0].cost
    header = ("op", "output (C,H,W)", "multiplications", "additions", "params", "x standard")
    body = [(r.name, str(r.cost.output_shape), f"{r.cost.multiplications:,}",
             f"{r.cost.additions:,}", f"{r.cost.params:,}",
             f"{r.cost.multiplications / standard.multiplications:.4f}") for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join([line[0].ljust(widths[0]), line[1].ljust(widths[1])]
                       + [line[i].rjust(widths[i]) for i in range(2, len(line))])
             for line in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.input is None:
        return 1 if verification.run() else 0
    rows = cost.compare_convolutions(args.input, args.kernel, args.out, args.stride, args.padding,
                                     args.dilation, args.multiplier, args.intermediate,
                                     args.bias, args.effective)
    formula = cost.reduction_formula(args.out, args.kernel)
    if args.json:
        print(json.dumps({
            "input_chw": list(args.input),
            "rows": [{"name": r.name, "output_shape": list(r.cost.output_shape),
                      "multiplications": r.cost.multiplications, "additions": r.cost.additions,
                      "params": r.cost.params} for r in rows],
            "formula_1_over_N_plus_1_over_K2": formula,
        }, indent=2))
        return 0
    c, h, w = args.input
    print(f"input {h}x{w}x{c}, kernel {args.kernel}x{args.kernel}, {args.out} outputs, "
          f"stride {args.stride}, padding {args.padding!r}, dilation {args.dilation}, "
          f"depth multiplier {args.multiplier}, bias {'yes' if args.bias else 'no'}"
          f"{', effective (padded zeros skipped)' if args.effective else ''}")
    print(comparison_table(rows))
    print(f"1/N + 1/K^2 = {formula:.4f} (depthwise + pointwise over standard, multiplications)")
    return 0
