"""Benchmark refconv against PyTorch (CPU) and SciPy; the same as ``refconv bench``.

Usage: ``python scripts/bench.py [--quick] [--cases NAME ...] [--batch 1 8] [--json PATH]``
(``--help`` lists every option).
"""

import sys

from refconv.cli.bench import main

if __name__ == "__main__":
    sys.exit(main())
