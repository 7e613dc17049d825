"""Compare Numba's threading layers (omp, tbb, workqueue) on refconv's benchmark shapes.

Each layer runs in a process of its own: whether it loads, the median time of a few cases, and
two safety checks (a fork after refconv ran; 4 Python threads at once). What is measured and
why: :mod:`refconv.bench.layers`.

Run: ``python scripts/threading_layers.py [--threads 2] [--repeats 30] [--layers omp tbb]
[--json]``
"""

from __future__ import annotations

import argparse
import json
import sys

from refconv.bench.layers import LAYERS, format_layers, measure_layers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="threads per pool (default 2)")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per case")
    parser.add_argument("--layers", nargs="+", choices=LAYERS, default=list(LAYERS))
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds each safety check may take (default 60)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    result = measure_layers(
        args.layers, threads=args.threads, repeats=args.repeats, timeout_s=args.timeout
    )
    print(json.dumps(result, indent=1) if args.json else format_layers(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
