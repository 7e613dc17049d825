"""``refconv bench``: time refconv against PyTorch (CPU) and SciPy, print the table.

``refconv bench --quick`` takes well under a minute; the full run (both batch sizes, more
repeats, the cold-start measurement) takes several minutes. ``--json`` writes everything that
was measured; ``--check`` makes the exit code 1 when refconv misses any of its bars.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import bench
from ..bench_report import format_report

HELP = "time refconv against PyTorch and SciPy (one process per peer)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``refconv bench`` (shared by the subcommand and ``scripts/bench.py``)."""
    parser.add_argument("--quick", action="store_true",
                        help="N=1 only, 3 repeats, smaller roof measurements, no cold start")
    parser.add_argument("--cases", nargs="+", metavar="NAME",
                        help="run only these cases (see --list)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--batch", nargs="+", type=int, metavar="N",
                        help="batch sizes (default: 1 8; with --quick: 1)")
    parser.add_argument("--repeats", type=int, metavar="R",
                        help="timed calls per peer and case (default 10; --quick: 3)")
    parser.add_argument("--rounds", type=int, metavar="K",
                        help="rounds in which the peers take turns (default 5; --quick: 3)")
    parser.add_argument("--threads", type=int, default=2, metavar="T",
                        help="threads of every pool in every process (default 2)")
    parser.add_argument("--peers", nargs="+", choices=bench.PEERS,
                        help="which peers to run (default: all that are installed)")
    parser.add_argument("--no-cold-start", action="store_true",
                        help="skip the cold vs warm Numba cache measurement")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH",
                        help="write the results as JSON to PATH (to stdout without PATH, "
                        "instead of the table)")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if any bar is missed (needs PyTorch)")


def register(subparsers: Any) -> None:
    """Add the ``bench`` subcommand to the ``refconv`` parser."""
    parser = subparsers.add_parser("bench", help=HELP, description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.set_defaults(func=run)


def _list_cases() -> str:
    lines = []
    for case in bench.CASES:
        bar = "-" if case.bar is None else f"≤{case.bar:g}"
        lines.append(f"{case.name:16} {case.title:36} bar {bar}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the benchmark as ``args`` say; print the table (or JSON); return the exit code."""
    if args.list:
        print(_list_cases())
        return 0
    try:
        cases = bench.select_cases(args.cases)
    except ValueError as exc:
        print(f"refconv bench: {exc}", file=sys.stderr)
        return 2
    peers = args.peers or bench.default_peers()
    if args.check and "torch" not in peers:
        print("refconv bench: --check compares with PyTorch, which is not installed (or not "
              "among --peers)", file=sys.stderr)
        return 2
    quick = args.quick
    result = bench.run_benchmark(
        cases,
        batches=args.batch or ((1,) if quick else (1, 8)),
        peers=peers,
        repeats=args.repeats or (3 if quick else 10),
        rounds=args.rounds or (3 if quick else 5),
        threads=args.threads,
        scipy_rounds=1 if quick else 2,
        min_turn_s=0.02 if quick else 0.05,
        quick_peaks=quick,
        cold_start=not (quick or args.no_cold_start),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if args.json == "-":
        print(json.dumps(result, indent=1))
    else:
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
        print(format_report(result))
    missed = [row for row in result["results"] if row["passed"] is False]
    return 1 if args.check and missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/bench.py``: the same options without the ``refconv`` front end."""
    parser = argparse.ArgumentParser(prog="bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))
