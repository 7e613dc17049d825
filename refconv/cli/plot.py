"""``refconv plot --out DIR``: write every figure refconv makes into DIR; print their paths.

:func:`script` is the same for one topic, as ``scripts/plot_counts.py`` and
``scripts/plot_separability.py`` run it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ..plotting import TOPICS, write_all  # matplotlib is imported when a figure is drawn
from .options import Parser, check_output_dir, fail, path, to_json

DESCRIPTION = """\
Write every figure refconv makes (PNG) into a folder, created if needed, and print the path
of each file written, one a line (--json: a JSON list of the paths).

The performance topic measures refconv on this machine unless REFCONV_PERF_JSON names a
saved 'refconv bench --json PATH' result. A usage error is one line on stderr, exit status 2."""


def run(args: argparse.Namespace) -> int:
    """Run ``refconv plot``; return the exit status (0 written, 2 bad folder)."""
    problem = check_output_dir(args.out)
    if problem:
        return fail(args, f"{args.out_option} {args.out!r}: cannot write figures there ({problem})")
    topics = tuple(dict.fromkeys(args.topic)) if args.topic else TOPICS
    paths = [str(p) for p in write_all(args.out, topics)]
    print(to_json(paths) if args.json else "\n".join(paths))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plot`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser(
        "plot",
        help="write every figure into a folder",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        type=path,
        help="folder for the PNG files (created if needed)",
    )
    parser.add_argument(
        "--topic",
        action="append",
        choices=TOPICS,
        help="only this topic (repeatable); default: all",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the paths written as a JSON list"
    )
    parser.set_defaults(func=run, prog=parser.prog, out_option="--out")


def script(topic: str, default_out: str, argv: Sequence[str] | None = None) -> int:
    """``python scripts/plot_<topic>.py [OUT_DIR] [--json]``: one topic's figures.

    The same as ``refconv plot --topic TOPIC --out OUT_DIR``, with the folder optional
    (``default_out``); returns the exit status.
    """
    parser = Parser(
        description=f"Write the {topic} figures (PNG) into a folder, created if "
        f"needed, and print the path of each file written."
    )
    parser.add_argument(
        "out",
        nargs="?",
        default=default_out,
        metavar="OUT_DIR",
        type=path,
        help=f"folder for the PNG files (default {default_out})",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the paths written as a JSON list"
    )
    args = parser.parse_args(argv)
    args.topic, args.prog, args.out_option = [topic], parser.prog, "OUT_DIR"
    return run(args)
