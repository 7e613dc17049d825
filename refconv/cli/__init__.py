"""The ``refconv`` command line: ``refconv demo | count | separable | plot | bench | info``.

Each subcommand lives in a module of its own in this package (:mod:`.demo`, :mod:`.count`,
:mod:`.separable`, :mod:`.plot`, :mod:`.bench`, :mod:`.info`) and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to the function that runs it
(returning the process exit code). What every command line shares -- the one-line usage
errors, the argparse ``type=`` checkers, ``--json`` output -- is in :mod:`.options`.

A user error never shows a traceback: it is one line on stderr, ``refconv count: error: ...``,
naming the option, what was given and what is expected, and the exit status is 2. The options
are checked where they are read (argparse ``type=`` functions) or at the start of each command;
a ``ValueError``, ``TypeError``, ``MemoryError`` or ``OSError`` that a library call still raises
is reported the same way. Anything else is a bug in refconv and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .. import __version__
from .options import Parser, error_line

SUBCOMMANDS = (
    "demo",
    "count",
    "separable",
    "explain",
    "plot",
    "animate",
    "train",
    "bench",
    "info",
)

#: What a command may raise from the user's input (after its own checks), reported as one line.
USER_ERRORS = (ValueError, TypeError, MemoryError, OSError)

DESCRIPTION = """\
Reference convolutions: standard, depthwise, pointwise, separable; exact multiplication
counts; SVD separability; figures; benchmarks; what refconv runs on.

Every command takes --help. Commands that print results take --json and then print JSON
on stdout. A usage error is one line on stderr and exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The ``refconv`` parser with every subcommand registered."""
    parser = Parser(
        prog="refconv",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"refconv {__version__}",
        help="print the version and exit",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="one of these; refconv COMMAND --help tells more"
    )
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``refconv`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    The status is returned, never raised: 0 success, 1 a check failed (``count``, ``demo``,
    ``bench --check``), 2 a usage error (then one line on stderr).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # e.g. `refconv count | head`: the reader left, nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except USER_ERRORS as exc:
        prog = getattr(args, "prog", f"refconv {args.command}")
        print(f"{prog}: error: {error_line(exc)}", file=sys.stderr)
        return 2
