"""refconv.explain.separability_tables: the tables docs/separability.md quotes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from refconv.explain import separability_tables as tables

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "separability_table.py"


def test_zoo_rows() -> None:
    rows = {row.name: row for row in tables.zoo_rows()}
    assert list(rows)[:2] == ["sobel_x", "sobel_y"]
    sobel = rows["sobel_x"]
    assert (sobel.shape, sobel.rank, sobel.dtype) == ((3, 3), 1, np.dtype(np.int64))
    assert sobel.column.tolist() == [1, 2, 1] and sobel.row.tolist() == [-1, 0, 1]
    assert rows["scharr_x"].column.tolist() == [3, 10, 3]
    for name in ("laplacian4", "laplacian8", "log", "dog"):
        assert rows[name].rank == 2 and rows[name].column is None and rows[name].row is None


def test_zoo_table() -> None:
    lines = tables.zoo_table(tables.zoo_rows()).splitlines()
    assert lines[0] == "| name | shape | dtype | rank | σ₂/σ₁ | column | row |"
    assert "| scharr_x | 3x3 | int64 | 1 | 5.4e-17 | `[3, 10, 3]` | `[-1, 0, 1]` |" in lines
    assert (
        "| gaussian | 5x5 | float64 | 1 | 3.2e-17 | `[0.071, 0.244, 0.370, 0.244, 0.071]` | "
        "`[0.071, 0.244, 0.370, 0.244, 0.071]` |"
    ) in lines
    assert (
        "| laplacian4 | 3x3 | int64 | 2 | 0.1 | not separable: 2 terms | not separable: 2 terms |"
    ) in lines


def test_count_rows_and_table() -> None:
    rows = tables.count_rows()
    assert len(rows) == 18
    k, size, padding, cost = rows[1]
    assert (k, size, padding) == (3, 12, "valid")
    # 10 x 10 outputs of 9 taps; the column pass 10 x 12 of 3, the row pass 10 x 10 of 3
    assert (cost.full, cost.column_pass, cost.row_pass, cost.separable) == (900, 360, 300, 660)
    lines = tables.count_table(rows).splitlines()
    assert "| 3 | 12x12 | valid | 900 | 360 | 300 | 660 | 6.6 |" in lines
    assert "| 3 | 224x224 | valid | 443,556 | 149,184 | 147,852 | 297,036 | 6.027 |" in lines


def test_layer_rows_and_table() -> None:
    rows = tables.layer_rows()
    assert [r.rank for r in rows] == list(tables.LAYER_RANKS)
    assert all(r.full == 115_605_504 for r in rows)  # 64 * 64 * 9 * 56 * 56
    assert rows[3].multiplications == 77_070_336  # R = 64: 2 * 64 * 64 * 3 * 56 * 56
    errors = [r.relative_error for r in rows]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 1e-12  # R = 192 is exact
    lines = tables.layer_table(rows).splitlines()
    assert lines[0] == (
        "weight (C_out, C_in, kH, kW) = (64, 64, 3, 3), standard normal (seed 0); "
        "input (64, 56, 56), 'same' padding"
    )
    assert "| 8 | 0.926 | 9,633,792 | 0.083 |" in lines
    assert lines[-1] == "| full 3x3 conv | 0 | 115,605,504 | 1 |"


def test_script_prints_the_counts_table() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "counts"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == tables.count_table(tables.count_rows()) + "\n"
