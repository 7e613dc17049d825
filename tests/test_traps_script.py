"""scripts/traps.py measures the performance traps quoted in docs/performance.md.

The whole script takes about a minute even with ``--quick``, so these tests call its measuring
functions directly on tiny shapes, and check the structure of what they return: every trap
has tables, every row a name and positive, finite times. They assert nothing about speed
(the numbers belong in the docs, with the command that printed them).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "traps.py"

TINY = {"repeats": 3, "pool_repeats": 5, "axpy_n": 64, "axpy_reps": 2, "plane": 32,
        "fresh_mib": 1, "conv_size": 8, "channels": 4, "row_width": 12, "rows": 4,
        "row_reps": 2, "s2_shapes": [[1, 2, 16, 16], [2, 3, 9, 14]]}


@pytest.fixture(scope="module")
def traps() -> Any:
    spec = importlib.util.spec_from_file_location("traps_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_trap(trap: dict[str, Any], tables: int) -> None:
    """A trap's result: a title and ``tables`` non-empty tables of well-formed rows."""
    assert trap["title"]
    assert len(trap["tables"]) == tables
    for rows in trap["tables"]:
        assert len(rows) >= 2
        if "ratio" in rows[0]:
            assert rows[0]["ratio"] == 1.0  # the baseline row
        for row in rows:
            assert row["name"]
            times = {k: v for k, v in row.items() if k.endswith("_s")}
            assert times, row
            for key, value in times.items():
                assert math.isfinite(value) and value > 0, (key, row)
            if "min_s" in row:
                assert row["min_s"] <= row["median_s"]
                assert math.isfinite(row["ratio"]) and row["ratio"] > 0
    json.dumps(trap)  # JSON-ready, as --json prints it


def test_pools(traps: Any) -> None:
    check_trap(traps.trap_pools(TINY, threads=2), tables=3)


def test_wraparound(traps: Any) -> None:
    trap = traps.trap_wraparound(TINY, threads=2)
    check_trap(trap, tables=1)
    assert all(row["ns_per_element"] > 0 for row in trap["tables"][0])


def test_planes(traps: Any) -> None:
    check_trap(traps.trap_planes(TINY, threads=2), tables=2)


def test_weights(traps: Any) -> None:
    trap = traps.trap_weights(TINY, threads=2)  # also checks both loops compute the same rows
    check_trap(trap, tables=1)
    assert [row["name"].split(", ")[-1] for row in trap["tables"][0]] == [
        "weights as nine numbers", "weights read from the array"]
    assert all(row["ns_per_output"] > 0 for row in trap["tables"][0])


def test_blas(traps: Any) -> None:
    trap = traps.trap_blas(TINY, threads=2)  # the child also checks matmul against a @ b
    rows = trap["tables"][0]
    assert rows[0]["name"].startswith("np.dot in Numba")
    if len(rows) == 2:  # NumPy ships its OpenBLAS here
        assert rows[1]["name"].startswith("matmul: NumPy's OpenBLAS")
    for row in rows:
        assert 0 < row["min_s"] <= row["median_s"] and row["gflops"] > 0


def test_overhead(traps: Any) -> None:
    trap = traps.trap_overhead(TINY, threads=2)  # the child also checks the kernel's output
    check_trap(trap, tables=2)
    assert trap["tables"][0][0]["name"].startswith("refconv.conv2d")


def test_strided(traps: Any) -> None:
    trap = traps.trap_strided(TINY, threads=2)  # the child also checks both give one result
    check_trap(trap, tables=2)
    assert [row["name"].split(", ")[-1] for row in trap["tables"][1]] == [
        "split into even and odd columns first", "straight from the input rows"]
    assert trap["tables"][1][0]["name"].startswith("2x3x9x14 -> 5x7")
    assert all(row["ns_per_output"] > 0 for rows in trap["tables"] for row in rows)


def test_allocations(traps: Any) -> None:
    check_trap(traps.trap_allocations(TINY, threads=2), tables=4)


@pytest.mark.slow
def test_compile(traps: Any) -> None:
    trap = traps.trap_compile(TINY, threads=2)
    check_trap(trap, tables=1)
    assert [row["name"].split(",")[0] for row in trap["tables"][0]] == list(traps.METHODS)


def test_format_tables(traps: Any) -> None:
    result = traps.run_traps(TINY, threads=2, names=("wraparound",))
    text = traps.format_tables(result)
    assert "b. wrap-around checks" in text
    assert "uint64 offsets" in text and "int64 offsets" in text
    assert result["meta"]["threads"] == 2
