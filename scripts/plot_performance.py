"""Write the performance figures (roofline, separable speed-ups, scaling).

Usage: ``python scripts/plot_performance.py --out DIR [--json PATH] [--full]``

Without ``--json``, refconv is measured first (quickly, or with ``--full`` more carefully) and
the measurements are saved as ``DIR/performance.json``. ``--json`` takes that file or the
output of ``refconv bench --json PATH``.
"""

import argparse
import json
import sys
from pathlib import Path

from refconv.plotting import performance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    parser.add_argument("--json", type=Path, help="draw from these saved measurements")
    parser.add_argument("--full", action="store_true", help="measure with more repeats")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.json is None and args.full:
        path = args.out / performance.DATA_FILE
        path.write_text(json.dumps(performance.collect(quick=False), indent=1))
        args.json = path
    performance.use_data(args.json)
    for function in performance.FIGURES.values():
        for written in function(args.out):
            print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
