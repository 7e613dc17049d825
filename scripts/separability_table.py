"""Print the separability tables used in docs/separability.md (Markdown).

Usage:
    python scripts/separability_table.py          # the filter zoo: rank, sigma_2/sigma_1, factors
    python scripts/separability_table.py counts   # exact multiplications, 2-D vs two passes
    python scripts/separability_table.py layer    # a 3x3 conv layer factored as 3x1 then 1x3
"""

from __future__ import annotations

import argparse

import numpy as np

from refconv import filters
from refconv.separability import analyze
from refconv.separable_filtering import (
    factorize_conv_weight,
    factorized_layer_multiplications,
    filtering_cost,
)


def _factor(values: np.ndarray) -> str:
    if values.dtype.kind == "i":
        return "[" + ", ".join(str(int(v)) for v in values) + "]"
    return "[" + ", ".join(f"{v:.3f}" for v in values) + "]"


def zoo() -> None:
    print("| name | shape | dtype | rank | σ₂/σ₁ | column | row |")
    print("|---|---|---|---|---|---|---|")
    for name in filters.ZOO:
        kernel = filters.make(name)
        r = analyze(kernel)
        shape = f"{kernel.shape[0]}x{kernel.shape[1]}"
        if r.is_separable:
            column, row = f"`{_factor(r.column)}`", f"`{_factor(r.row)}`"
        else:
            column = row = f"not separable: {r.rank} terms"
        print(f"| {name} | {shape} | {kernel.dtype} | {r.rank} | {r.ratio:.2g} | {column} | "
              f"{row} |")


def counts() -> None:
    print("| K | image | padding | full K*K | column pass | row pass | two passes | per pixel |")
    print("|---|---|---|---|---|---|---|---|")
    for k in (3, 5, 7):
        for size in (12, 32, 224):
            for padding in ("same", "valid"):
                c = filtering_cost((size, size), (k, k), padding)
                print(f"| {k} | {size}x{size} | {padding} | {c.full:,} | {c.column_pass:,} | "
                      f"{c.row_pass:,} | {c.separable:,} | {c.separable_per_pixel:.4g} |")


def layer() -> None:
    c, h, w = 64, 56, 56
    weight = np.random.default_rng(0).standard_normal((c, c, 3, 3))  # an untrained layer
    print(f"weight (C_out, C_in, kH, kW) = {weight.shape}, standard normal (seed 0); input "
          f"({c}, {h}, {w}), 'same' padding")
    print()
    print("| R | relative error | multiplications | vs full |")
    print("|---|---|---|---|")
    for rank in (8, 16, 32, 64, 96, 128, 192):
        f = factorize_conv_weight(weight, rank)
        full, factored = factorized_layer_multiplications((c, h, w), weight.shape, rank, "same")
        print(f"| {rank} | {f.relative_error:.3f} | {factored:,} | {factored / full:.3f} |")
    print(f"| full 3x3 conv | 0 | {full:,} | 1 |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Separability tables (Markdown).")
    parser.add_argument("table", nargs="?", default="zoo", choices=("zoo", "counts", "layer"))
    {"zoo": zoo, "counts": counts, "layer": layer}[parser.parse_args().table]()


if __name__ == "__main__":
    main()
