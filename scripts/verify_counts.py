"""Re-derive every count printed in the five articles and the MobileNet v1 paper.

Prints each number with its counting convention and tolerance and exits with status 1 if any
number does not reproduce (errata are reproduced too: they pass when the contradiction holds).
The checks live in :mod:`refconv.published`; ``refconv count`` prints the same report.

Usage: ``python scripts/verify_counts.py``
"""

from __future__ import annotations

import sys

from refconv import published


def main() -> int:
    return 1 if published.run() else 0


if __name__ == "__main__":
    sys.exit(main())
