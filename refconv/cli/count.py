"""``refconv count``: verify every published count, or compare convolutions for one shape.

* ``refconv count`` re-derives every number printed in the five articles
  (:mod:`refconv.sources`) and the MobileNet v1 paper (:mod:`refconv.published`) and exits with
  status 1 on any mismatch;
* ``refconv count --input 12x12x3 --kernel 5 --out 256`` prints multiplications, additions and
  parameters of a standard convolution, depthwise + pointwise, and spatially separable
  ``K x 1`` + ``1 x K`` for that shape, both as the articles build it (each pass mixes the
  channels) and per channel followed by a pointwise step.

Every line fits in :data:`WIDTH` (100) columns; shapes are written ``HxWxC``, as ``--input``.

``--json`` prints either as JSON (:func:`verification_json`, :func:`comparison_json`).
"""

from __future__ import annotations

import argparse
from typing import Any

from .. import counting
from ..published.report import (
    kept,
    print_all,
    verification_json,
    wrapped,
)
from .options import COUNT_MAX, SPATIAL_MAX, dims, fail, integer, shown, to_json

#: --effective counts the taps of each output row and column one by one (refconv.counting): at
#: most this many (H_out * K + W_out * K), about a second.
EFFECTIVE_BUDGET = 2_000_000

DESCRIPTION = f"""\
Without --input: re-derive every number printed in the five articles refconv checks and the
MobileNet v1 paper, print each with its verdict (ok, ERRATUM, info, MISMATCH), and exit with
status 1 on any mismatch.

With --input HxWxC: print the multiplications, additions and parameters of a standard
convolution, depthwise + pointwise, and spatially separable Kx1 + 1xK for that shape (as the
articles build it, each pass mixing the channels, and per channel followed by a pointwise
step); output shapes are HxWxC too, e.g.
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
        "verify the published numbers)",
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


def hwc(shape: tuple[int, ...] | list[int]) -> str:
    """refconv's ``(C, H, W)`` written as the articles and ``--input`` write it: ``HxWxC``.

    >>> hwc((256, 8, 8))
    '8x8x256'
    """
    c, h, w = shape
    return f"{h}x{w}x{c}"


def per_channel_rows(
    input_shape: tuple[int, int, int],
    kernel_size: int,
    out_channels: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    bias: bool = False,
    effective: bool = False,
) -> list[counting.ComparisonRow]:
    """The spatially separable convolution done per channel, then a pointwise step.

    ``K x 1`` then ``1 x K`` on each channel alone (``groups = C``, C channels between the
    passes, as a separable filter such as Sobel is applied to an image), then a 1x1
    convolution mixes the channels into ``out_channels``. This is the form that is cheaper
    than depthwise + pointwise; the rows of :func:`refconv.counting.compare_convolutions` are
    the articles' form, whose passes both mix channels. A bias, if any, is added once, by
    the pointwise step.

    >>> [(r.name, r.multiplications) for r in per_channel_rows((3, 12, 12), 5, 256)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('per channel 5x1', 1440), ('per channel 1x5', 960), ('pointwise', 49152),
     ('per channel 5x1 + 1x5 + pointwise', 51552)]
    """
    c, k = input_shape[0], kernel_size
    spatial = counting.spatial_separable_conv2d_cost(
        input_shape, c, k, c, stride, padding, dilation, c, False, effective=effective
    )
    mixing = counting.pointwise_conv2d_cost(spatial.output_shape, out_channels, bias)
    total = spatial + mixing
    return [
        counting.ComparisonRow(f"per channel {k}x1", spatial.parts[0][1]),
        counting.ComparisonRow(f"per channel 1x{k}", spatial.parts[1][1]),
        counting.ComparisonRow("pointwise", mixing),
        counting.ComparisonRow(f"per channel {k}x1 + 1x{k} + pointwise", total),
    ]


def comparison_table(
    rows: list[counting.ComparisonRow],
    per_channel: list[counting.ComparisonRow],
    kernel: int,
    intermediate: int | None = None,
) -> str:
    """The rows of :func:`refconv.counting.compare_convolutions` as an aligned text table.

    ``per_channel`` (:func:`per_channel_rows`) follows the articles' spatially separable
    rows, so that the two forms stand side by side; ``kernel`` is K and ``intermediate`` R,
    the channels between the passes of the articles' form (default: the output channels).
    Output shapes are written ``HxWxC``, as ``--input``; every line fits :data:`WIDTH`.
    """
    c_in = per_channel[0].cost.output_shape[0]  # the per-channel pass keeps the channels
    c_out = rows[0].cost.output_shape[0]
    r = c_out if intermediate is None else intermediate
    k = kernel
    entries: list[tuple[str, counting.OpCount | None]] = [
        *((row.name, row.cost) for row in rows[:4]),
        (
            f"spatially separable as in the articles: both passes mix channels, {r} between them",
            None,
        ),
        (f"  {k}x1, {c_in} -> {r}", rows[4].cost),
        (f"  1x{k}, {r} -> {c_out}", rows[5].cost),
        (f"  {k}x1 + 1x{k}", rows[6].cost),
        (
            f"spatially separable per channel ({c_in} -> {c_in} -> {c_in}), then a pointwise "
            "step mixes the channels;",
            None,
        ),
        (
            f"the same as depthwise + pointwise when each {k}x{k} kernel is a column times a row",
            None,
        ),
        (f"  {k}x1, per channel", per_channel[0].cost),
        (f"  1x{k}, per channel", per_channel[1].cost),
        (f"  pointwise {c_in} -> {c_out}", per_channel[2].cost),
        (f"  {k}x1 + 1x{k} + pointwise", per_channel[3].cost),
    ]
    standard = rows[0].cost.multiplications
    header = ("op", "output", "multiplications", "additions", "params", "x standard")
    cells = {
        name: (
            name,
            hwc(cost.output_shape),
            f"{cost.multiplications:,}",
            f"{cost.additions:,}",
            f"{cost.params:,}",
            f"{cost.multiplications / standard:.4f}",
        )
        for name, cost in entries
        if cost is not None
    }
    table = [header, *cells.values()]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            + [row[i].rjust(widths[i]) for i in range(2, len(row))]
        )

    lines = [line(header), "-" * len(line(header))]
    for name, cost in entries:
        lines += wrapped(name) if cost is None else [line(cells[name])]
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


def comparison_json(
    args: argparse.Namespace,
    rows: list[counting.ComparisonRow],
    per_channel: list[counting.ComparisonRow],
) -> dict[str, Any]:
    """``refconv count --input ... --json``: the options, the rows, the MobileNet ratio.

    ``rows``: :func:`refconv.counting.compare_convolutions`; ``per_channel_rows``:
    :func:`per_channel_rows`. ``output_shape`` is refconv's ``(C, H, W)``; ``input_hwc``
    repeats ``--input`` as given.
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
        "per_channel_rows": [row_json(r) for r in per_channel],
        "formula_1_over_N_plus_1_over_K2": counting.reduction_formula(args.out, args.kernel),
    }


def formula_lines(out_channels: int, kernel: int, multiplier: int = 1) -> list[str]:
    """MobileNet's ``1/N + 1/K^2`` for these numbers, and the one letter the sources disagree on.

    >>> print("\\n".join(formula_lines(256, 5)))
    depthwise + pointwise over standard: 1/N + 1/K^2 = 0.0439 (1/256 + 1/5^2; N outputs, K kernel)
    M is the input channels in the efficient-convolution article, the depth multiplier in refconv
    """
    value = counting.reduction_formula(out_channels, kernel)
    numbers = f"1/{out_channels} + 1/{kernel}^2"
    if multiplier == 1:
        text = f"1/N + 1/K^2 = {value:.4f} ({numbers}; N outputs, K kernel)"
    else:
        text = (
            f"M (1/N + 1/K^2) = {multiplier * value:.4f} ({multiplier} ({numbers}); "
            "M depth multiplier, N outputs, K kernel)"
        )
    return [
        *wrapped(f"depthwise + pointwise over standard: {text}"),
        "M is the input channels in the efficient-convolution article, the depth multiplier in "
        "refconv",
    ]


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
                f"refconv count verifies the published numbers)",
            )
        if args.json:
            report = verification_json()
            print(to_json(report))
            return 0 if report["ok"] else 1
        return 1 if print_all() else 0
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
    per_channel = per_channel_rows(
        args.shape,
        args.kernel,
        args.out,
        args.stride,
        args.padding,
        args.dilation,
        args.bias,
        args.effective,
    )
    if args.json:
        print(to_json(comparison_json(args, rows, per_channel)))
        return 0
    print(
        "\n".join(
            wrapped(
                f"input {h}x{w}x{c} (H x W x C), kernel {args.kernel}x{args.kernel}, "
                f"{args.out} outputs, stride {args.stride}, padding {args.padding!r}, "
                f"dilation {args.dilation}, {kept(f'depth multiplier {args.multiplier}')}, "
                f"bias {'yes' if args.bias else 'no'}"
                f"{', effective (padded zeros skipped)' if args.effective else ''}"
            )
        )
    )
    print(comparison_table(rows, per_channel, args.kernel, args.intermediate))
    print("\n".join(formula_lines(args.out, args.kernel, args.multiplier)))
    return 0
