"""``refconv plot --out DIR``: write every figure refconv makes into DIR."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from ..plotting import TOPICS, write_all

    topics = tuple(args.topic) if args.topic else TOPICS
    for path in write_all(args.out, topics):
        print(path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("plot", help="write every figure into a folder",
                                   description=__doc__)
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    parser.add_argument("--topic", action="append",
                        choices=("separability", "counting", "performance"),
                        help="only these topics (repeatable); default: all")
    parser.set_defaults(func=run)
