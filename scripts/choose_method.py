"""Time ``method="direct"``, ``"im2col"`` and ``"winograd"`` and show what ``"auto"`` picks.

``auto`` chooses between direct and im2col (never Winograd, whose error bound is weaker; see
``refconv.kernels.choose_method``); each row times the methods on one shape (median of repeated
calls after warm-up, float32; Winograd where it applies, for comparison) and marks the rows
where ``auto`` did not pick the faster of direct and im2col. The grid and the timing:
:mod:`refconv.bench.choose`.

Run: ``python scripts/choose_method.py [--repeats R]``
"""

from __future__ import annotations

import argparse

from refconv.bench.choose import format_rows, time_methods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    print(format_rows(time_methods(repeats=args.repeats)))


if __name__ == "__main__":
    main()
