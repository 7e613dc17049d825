"""Write the separability figures (PNG) into a folder.

Usage: python scripts/plot_separability.py [OUT_DIR]   (default: docs/figures)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from refconv.plotting import separability


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default="docs/figures", type=Path,
                        help="folder for the PNG files (created if needed)")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for function in separability.FIGURES.values():
        for path in function(args.out_dir):
            print(path)


if __name__ == "__main__":
    main()
