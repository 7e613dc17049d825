"""The performance traps (refconv.bench.traps, quoted in docs/performance.md).

The measurement kernels are checked to compute what they claim (no timing). Running a trap
starts processes and times calls, so those tests are benchmarks (``-m bench``), on tiny shapes:
they check the structure of what a trap returns -- every table non-empty, every row a name and
positive, finite times -- and never its speed (the numbers belong in the docs, with the command
that printed them).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from scipy import signal

import refconv
from refconv.bench.traps import FULL, QUICK, TRAPS, format_tables, run_traps
from refconv.bench.traps.allocations import trap_allocations
from refconv.bench.traps.calls import METHODS, trap_blas, trap_compile, trap_overhead
from refconv.bench.traps.loops import (
    axpy_kernels,
    trap_strided,
    trap_weights,
    trap_wraparound,
    weight_kernels,
)
from refconv.bench.traps.threads import planes_kernel, trap_planes, trap_pools

TINY = {
    "repeats": 3,
    "pool_repeats": 5,
    "axpy_n": 64,
    "axpy_reps": 2,
    "plane": 32,
    "fresh_mib": 1,
    "conv_size": 8,
    "channels": 4,
    "row_width": 12,
    "rows": 4,
    "row_reps": 2,
    "s2_shapes": [[1, 2, 16, 16], [2, 3, 9, 14]],
}


# -- the measurement kernels compute what they claim ------------------------------------------


def test_workloads_name_the_same_sizes():
    assert set(TINY) == set(FULL) == set(QUICK)


def test_axpy_kernels_agree():
    rng = np.random.default_rng(0)
    src = rng.standard_normal(40, dtype=np.float32)
    for kernel in axpy_kernels():
        dst = np.ones(32, dtype=np.float32)
        kernel(dst, src, 0, 5, 32, np.float32(0.5), 3)  # dst += 3 * 0.5 * src[5:37]
        np.testing.assert_allclose(dst, 1 + 1.5 * src[5:37], rtol=1e-6)


def test_weight_kernels_compute_3x3_rows():
    rng = np.random.default_rng(1)
    rows, count = 5, 7
    width = count + 2
    image = rng.standard_normal((rows + 2, width), dtype=np.float32)
    k = rng.standard_normal((3, 3), dtype=np.float32)
    expected = signal.correlate2d(image, k, mode="valid")  # (rows, count)
    src = np.concatenate([image.ravel(), np.zeros(8, np.float32)])
    for kernel in weight_kernels():
        dst = np.zeros(rows * count, dtype=np.float32)
        kernel(dst, src, width, count, rows, k, 2)
        np.testing.assert_allclose(dst.reshape(rows, count), expected, rtol=1e-5, atol=1e-5)


def test_planes_kernel_is_a_depthwise_convolution():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 9, 11), dtype=np.float32)
    w = rng.standard_normal((3, 1, 3, 3), dtype=np.float32)
    out = np.empty_like(x)
    planes_kernel()(x, w, out)
    np.testing.assert_allclose(out, refconv.depthwise_conv2d(x, w, padding=1), rtol=1e-5, atol=1e-5)


def test_format_tables():
    rows = [
        {"name": "fast", "min_s": 1e-3, "median_s": 2e-3, "calls": 5, "ratio": 1.0},
        {"name": "slower variant", "min_s": 3e-3, "median_s": 4e-3, "calls": 5, "ratio": 2.0},
    ]
    result = {
        "meta": {
            "threads": 2,
            "cpu_count": 4,
            "numpy": "1",
            "numba": "2",
            "seconds": 3.0,
            "other_cpus_busy": 0.5,
        },
        "traps": {"x": {"title": "x. a trap", "tables": [rows]}},
    }
    text = format_tables(result)
    assert "other processes kept 0.50 CPUs busy" in text and "warning:" in text
    assert "x. a trap" in text
    line = next(line for line in text.splitlines() if "slower variant" in line)
    assert line.split()[2:] == ["3", "ms", "4", "ms", "2.00x"]  # min, median, ratio; no calls


def test_run_traps_when_proc_stat_goes_missing(monkeypatch):
    # /proc/stat read before the traps but not after: "other CPUs busy" is unknown (None),
    # where it once subtracted None from a float
    import refconv.bench.traps as traps

    readings = iter([100.0, None])
    monkeypatch.setattr(traps, "busy_cpu_seconds", lambda: next(readings))
    monkeypatch.setitem(traps.TRAPS, "stub", lambda params, threads: {"title": "t", "tables": []})
    result = run_traps(TINY, threads=1, names=("stub",))
    assert result["meta"]["other_cpus_busy"] is None
    assert result["traps"] == {"stub": {"title": "t", "tables": []}}


# -- the traps, measured on tiny shapes (benchmarks) ------------------------------------------


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


@pytest.mark.bench
def test_pools() -> None:
    check_trap(trap_pools(TINY, threads=2), tables=3)


@pytest.mark.bench
def test_wraparound() -> None:
    trap = trap_wraparound(TINY, threads=2)
    check_trap(trap, tables=1)
    assert all(row["ns_per_element"] > 0 for row in trap["tables"][0])


@pytest.mark.bench
def test_planes() -> None:
    check_trap(trap_planes(TINY, threads=2), tables=2)


@pytest.mark.bench
def test_weights() -> None:
    trap = trap_weights(TINY, threads=2)  # also checks both loops compute the same rows
    check_trap(trap, tables=1)
    assert [row["name"].split(", ")[-1] for row in trap["tables"][0]] == [
        "weights as nine numbers",
        "weights read from the array",
    ]
    assert all(row["ns_per_output"] > 0 for row in trap["tables"][0])


@pytest.mark.bench
def test_blas() -> None:
    trap = trap_blas(TINY, threads=2)  # the child also checks matmul against a @ b
    rows = trap["tables"][0]
    assert rows[0]["name"].startswith("np.dot in Numba")
    if len(rows) == 2:  # NumPy ships its OpenBLAS here
        assert rows[1]["name"].startswith("matmul: NumPy's OpenBLAS")
    for row in rows:
        assert 0 < row["min_s"] <= row["median_s"] and row["gflops"] > 0


@pytest.mark.bench
def test_overhead() -> None:
    trap = trap_overhead(TINY, threads=2)  # the child also checks the kernel's output
    check_trap(trap, tables=2)
    assert trap["tables"][0][0]["name"].startswith("refconv.conv2d")


@pytest.mark.bench
def test_strided() -> None:
    trap = trap_strided(TINY, threads=2)  # the child also checks both give one result
    check_trap(trap, tables=2)
    assert [row["name"].split(", ")[-1] for row in trap["tables"][1]] == [
        "split into even and odd columns first",
        "straight from the input rows",
    ]
    assert trap["tables"][1][0]["name"].startswith("2x3x9x14 -> 5x7")
    assert all(row["ns_per_output"] > 0 for rows in trap["tables"] for row in rows)


@pytest.mark.bench
def test_allocations() -> None:
    check_trap(trap_allocations(TINY, threads=2), tables=4)


@pytest.mark.bench
@pytest.mark.slow
def test_compile() -> None:
    trap = trap_compile(TINY, threads=2)
    check_trap(trap, tables=1)
    assert [row["name"].split(",")[0] for row in trap["tables"][0]] == list(METHODS)


@pytest.mark.bench
def test_run_traps() -> None:
    result = run_traps(TINY, threads=2, names=("wraparound",))
    assert list(result["traps"]) == ["wraparound"] and set(TRAPS) >= set(result["traps"])
    text = format_tables(result)
    assert "b. wrap-around checks" in text
    assert "uint64 offsets" in text and "int64 offsets" in text
    assert result["meta"]["threads"] == 2
