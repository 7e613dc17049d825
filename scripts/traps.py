"""Measure, on this machine, the performance traps refconv's kernels were designed around.

The traps and how each is measured: :mod:`refconv.bench.traps` (``docs/performance.md`` quotes
the numbers). About a minute; ``--quick``: fewer repeats.

Run: ``python scripts/traps.py [--quick] [--json] [--threads 2] [--traps NAME ...]``
"""

from __future__ import annotations

import argparse
import json
import sys

from refconv.bench.traps import FULL, QUICK, TRAPS, format_tables, run_traps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (under a minute)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--threads", type=int, default=2, help="threads per pool (default 2)")
    parser.add_argument(
        "--traps",
        nargs="+",
        choices=list(TRAPS),
        default=list(TRAPS),
        help="measure only these traps",
    )
    args = parser.parse_args(argv)
    result = run_traps(QUICK if args.quick else FULL, args.threads, tuple(args.traps))
    print(json.dumps(result, indent=1) if args.json else format_tables(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
