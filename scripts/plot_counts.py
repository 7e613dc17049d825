"""Write the operation-counting figures (PNG) into a folder.

Usage: ``python scripts/plot_counts.py [OUT_DIR]`` (default ``figures``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from refconv.plotting import write_all


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("figures")
    for path in write_all(out, topics=("counting",)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
