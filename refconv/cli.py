"""The ``refconv`` command line: ``refconv demo | count | separable | plot | bench``.

Each subcommand lives in its own module under :mod:`refconv.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the function that runs it
(returning the process exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__

SUBCOMMANDS = ("demo", "count", "separable", "plot", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refconv",
        description="Reference convolutions: standard, depthwise, pointwise, separable; exact "
        "multiplication counts; SVD separability; figures; benchmarks.",
    )
    parser.add_argument("--version", action="version", version=f"refconv {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"refconv.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. `refconv count | head`: the reader left, nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
