"""``refconv animate``: a GIF of one convolution family at work, with refconv's own numbers.

In the spirit of the convolution-arithmetic animations (Dumoulin & Visin): the window moving
over the padded input, each output cell filling with its value, for any geometry; depthwise
kernels one per channel (with a multiplier); pointwise mixing channels; ``K x 1`` then
``1 x K``; im2col assembling its matrix, then the GEMM. The drawing and the frames are in
:mod:`refconv.plotting.animation`; this module reads the options and checks them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..plotting.animation import EXAMPLES, FAMILIES, LIMITS, Geometry, GeometryError
from .options import check_output_dir, check_output_file, fail, integer, path, shown, to_json

DESCRIPTION = f"""\
Write a GIF that shows one convolution family computing, step by step, with the numbers
refconv computes (random integers: inputs 0..3, kernels -1..1, from --seed):

  standard   the window sliding over the input (padding drawn grey), each output cell
             filling with its value; every output channel at once
  grouped    the same with --groups: each output reads its own group's channels
  depthwise  one kernel per channel, --multiplier of them: channels never mix
  pointwise  a 1x1 kernel: at each pixel, a weighted sum over the channels
  separable  depthwise, then pointwise (Keras SeparableConv2D)
  spatial    a Kx1 convolution over every column, then a 1xK one
  im2col     the matrix assembled one column per output pixel, then the GEMM

Frames: one per output pixel of each step (spatial: H_out x W for the Kx1 pass, then
H_out x W_out); im2col: 2 x H_out x W_out. At most {LIMITS["frames"]}, so that a GIF stays small
and quick to make. Options left out take the family's example geometry (refconv animate
--family depthwise: a 5x5 input with 2 channels, 3x3 kernels, multiplier 2).

Prints the path of the GIF (--json: a JSON list of the files written). A usage error is one
line on stderr, exit status 2."""

#: The option that sets each parameter of a Geometry, for the error lines.
OPTIONS = {
    "family": "--family",
    "size": "--input",
    "kernel": "--kernel",
    "stride": "--stride",
    "padding": "--padding",
    "dilation": "--dilation",
    "channels": "--channels",
    "out_channels": "--out-channels",
    "multiplier": "--multiplier",
    "groups": "--groups",
}


def pair(minimum: int, maximum: int, example: str) -> Callable[[str], tuple[int, int]]:
    """An argparse ``type=`` for ``N`` or ``HxW``, each from ``minimum`` to ``maximum``."""

    def parse(text: str) -> tuple[int, int]:
        parts = text.lower().split("x")
        try:
            values = tuple(int(part) for part in parts)
        except ValueError:
            values = ()
        if len(values) == 1:
            values = values * 2
        if len(values) != 2 or not all(minimum <= v <= maximum for v in values):
            raise argparse.ArgumentTypeError(
                f"expected N or HxW, each from {minimum} to {maximum}, e.g. {example}; "
                f"got {shown(text)}"
            )
        return values[0], values[1]

    return parse


def padding(text: str) -> int | tuple[int, int] | str:
    """An argparse ``type=`` for ``--padding``: ``same``, ``valid``, ``P`` or ``PHxPW``."""
    if text.lower() in ("same", "valid"):
        return text.lower()
    try:
        values = pair(0, LIMITS["padding"], "1 or 1x2")(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected same, valid, P or PHxPW, each from 0 to {LIMITS['padding']}; "
            f"got {shown(text)}"
        ) from None
    return values[0] if values[0] == values[1] else values


def geometry(args: argparse.Namespace) -> Geometry:
    """The family's example geometry with every option given replacing its value."""
    given = {
        "size": args.input,
        "kernel": args.kernel,
        "stride": args.stride,
        "padding": args.padding,
        "dilation": args.dilation,
        "channels": args.channels,
        "out_channels": args.out_channels,
        "multiplier": args.multiplier,
        "groups": args.groups,
        "seed": args.seed,
    }
    return replace(EXAMPLES[args.family], **{k: v for k, v in given.items() if v is not None})


def _target(out: str | None, family: str) -> Path:
    """The GIF's path: ``--out`` itself, or ``<family>.gif`` in it when it is a folder."""
    if out is None:
        return Path(f"{family}.gif")
    if out.endswith(os.sep) or Path(out).is_dir():
        return Path(out) / f"{family}.gif"
    return Path(out)


def run(args: argparse.Namespace) -> int:
    """Run ``refconv animate``; return the exit status (0 written, 2 bad options)."""
    from ..plotting.animation import build

    g = geometry(args)
    try:
        anim = build(g)  # checks the geometry first: a GeometryError names the parameter
    except GeometryError as exc:
        option = OPTIONS.get(exc.parameter, f"--{exc.parameter}")
        value = getattr(args, {"size": "input"}.get(exc.parameter, exc.parameter), None)
        given = f" {_text(value)}" if value is not None else f" (the {g.family} example's)"
        return fail(args, f"{option}{given}: {exc.reason}")
    target = _target(args.out, args.family)
    problem = check_output_dir(str(target.parent)) or check_output_file(str(target))
    if problem:
        return fail(args, f"--out {str(target)!r}: cannot write the GIF there ({problem})")
    from ..plotting.animation.render import write_gif  # imports matplotlib

    written = write_gif(anim, target, fps=args.fps)
    print(to_json([str(written)]) if args.json else str(written))
    return 0


def _text(value: object) -> str:
    """An option's value as the user would write it: ``5x5``, ``2``, ``same``."""
    if isinstance(value, tuple):
        return "x".join(map(str, value))
    return str(value)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``animate`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "animate",
        help="a GIF of a convolution at work: sliding window, depthwise, im2col...",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    side, kernel = LIMITS["size"], LIMITS["kernel"]
    parser.add_argument(
        "--family", choices=FAMILIES, default="standard", help="what to show (default standard)"
    )
    parser.add_argument(
        "--input",
        type=pair(1, side, "5x5"),
        metavar="HxW",
        help=f"input height and width, 1 to {side} (default 5x5, pointwise and im2col 4x4)",
    )
    parser.add_argument(
        "--kernel",
        type=pair(1, kernel, "3 or 3x2"),
        metavar="K",
        help=f"kernel size K or KHxKW, 1 to {kernel} (default 3; pointwise: 1)",
    )
    for name, example in (("stride", "2 or 2x1"), ("dilation", "2")):
        parser.add_argument(
            f"--{name}",
            type=pair(1, LIMITS[name], example),
            metavar="S",
            help=f"{name}, N or HxW, 1 to {LIMITS[name]} (default 1)",
        )
    parser.add_argument(
        "--padding",
        type=padding,
        metavar="P",
        help=f"same, valid, P or PHxPW, 0 to {LIMITS['padding']} (default 0)",
    )
    for name, what in (
        ("channels", "input channels"),
        ("out-channels", "output channels (not depthwise: it has channels x multiplier)"),
        ("multiplier", "depth multiplier (depthwise, separable)"),
        ("groups", "groups (grouped, spatial, im2col); must divide both channel counts"),
    ):
        limit = LIMITS[name.replace("-", "_")]
        parser.add_argument(
            f"--{name}",
            type=integer(1, limit),
            metavar="N",
            help=f"{what}, 1 to {limit} (default: the family's example)",
        )
    parser.add_argument(
        "--out",
        type=path,
        metavar="PATH",
        help="the GIF to write, or a folder for FAMILY.gif (default FAMILY.gif here)",
    )
    parser.add_argument(
        "--fps",
        type=integer(1, 30),
        default=2,
        metavar="N",
        help="frames per second, 1 to 30 (default 2)",
    )
    parser.add_argument(
        "--seed",
        type=integer(0, 2**32 - 1),
        metavar="N",
        help="seed of the random integers (default 0)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the files written as a JSON list"
    )
    parser.set_defaults(func=run, prog=parser.prog)
