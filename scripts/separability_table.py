"""Print the separability tables used in docs/separability.md (Markdown).

Usage:
    python scripts/separability_table.py          # the filter zoo: rank, sigma_2/sigma_1, factors
    python scripts/separability_table.py counts   # exact multiplications, 2-D vs two passes
    python scripts/separability_table.py layer    # a 3x3 conv layer factored as 3x1 then 1x3

The rows and tables come from :mod:`refconv.explain.separability_tables`.
"""

from __future__ import annotations

import argparse

from refconv.explain import separability_tables as tables

TABLES = {
    "zoo": lambda: tables.zoo_table(tables.zoo_rows()),
    "counts": lambda: tables.count_table(tables.count_rows()),
    "layer": lambda: tables.layer_table(tables.layer_rows()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Separability tables (Markdown).")
    parser.add_argument("table", nargs="?", default="zoo", choices=tuple(TABLES))
    print(TABLES[parser.parse_args().table]())


if __name__ == "__main__":
    main()
