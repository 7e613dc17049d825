"""What each method allocates (refconv.bench.memory), as docs/algorithms.md shows it.

The predictions are pure arithmetic on the kernels' own planning functions, checked here for two
threads against numbers worked by hand; the measurement runs refconv under tracemalloc and must
land on the prediction. A change in the kernels that moves a number makes a test fail (and the
page needs updating).
"""

from __future__ import annotations

import numba
import pytest

from refconv.bench.memory import BIG_CASE, MEMORY_CASES, measure_rows, plan, predictions
from refconv.bench.memory_report import format_big_case, format_measured, format_table

BUDGET = 256 * 2**20  # the kernels' WORKSPACE_BYTES


def line_starting(output: str, prefix: str) -> str:
    """The one line of ``output`` that starts with ``prefix`` (leading spaces ignored)."""
    found = [line for line in output.splitlines() if line.strip().startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def table_row(output: str, name: str) -> str:
    """The cells after the case name in the table, one space apart."""
    return " ".join(line_starting(output, name).strip().removeprefix(name).split())


def test_table_rows() -> None:
    table = format_table(threads=2)
    assert "threads = 2)" in line_starting(table, "== 1.")
    # K, Og, out, output, columns whole, band, workspace | spec, direct, im2col, auto
    assert table_row(table, "2048^2, 8 -> 8, 7x7 ") == (
        "392 8 2042x2042 127.3 MiB 6.1 GiB 41 x50 255.5 MiB | 128.0 MiB 0 B 255.5 MiB im2col"
    )
    # the TDS example's 8x8 output is one band, so the GEMM writes into the output and needs no
    # product buffer: 2 threads * 75 * 8 * 8 * 8 bytes = 75 KiB of columns
    assert table_row(table, "TDS: 12x12x3, 5x5x256, float64") == (
        "75 256 8x8 128.0 KiB 37.5 KiB 8 x1 75.0 KiB | 3.4 KiB 0 B 75.0 KiB im2col"
    )
    # depthwise 3x3, column stride 1: direct reads the input directly, no tiles; auto picks
    # direct; im2col's bands are whole planes: 2 threads * 9 * 112 * 112 float32 columns
    assert table_row(table, "MobileNet depthwise 3x3 ") == (
        "9 1 112x112 1.5 MiB 13.8 MiB 112 x1 882.0 KiB | 1.6 MiB 0 B 882.0 KiB direct"
    )
    # column stride 2: two split-row tiles per thread, 2 * 2 threads * 113 rows * 57 float32
    assert table_row(table, "MobileNet depthwise 3x3/2") == (
        "9 1 56x56 784.0 KiB 6.9 MiB 56 x1 220.5 KiB | 3.2 MiB 100.6 KiB 220.5 KiB direct"
    )
    # 1x1, stride 1, no padding: the columns are the input, no workspace at all
    assert table_row(table, "MobileNet pointwise 1x1") == (
        "32 64 112x112 3.1 MiB none (1x1) - 0 B | 1.5 MiB 0 B 0 B im2col"
    )
    assert len(table.splitlines()) == 5 + len(MEMORY_CASES) + 1


def test_big_case_numbers() -> None:
    text = format_big_case(threads=2)
    assert "6,538,189,952 bytes = 6.54 GB" in text
    assert "268,435,456 // 2 = 134,217,728 bytes" in text
    assert "(392 + 8) * 2042 * 4 = 3,267,200 bytes" in text
    assert "= ceil(2 * 2 / 1) = 4" in text
    assert "min(134,217,728 // 3,267,200 = 41, ceil(2042 / 4) = 511) = 41" in text
    assert "ceil(256 / 2042) = 1 rows if the budget allows -> band = 41 rows" in text
    assert "50 bands = 50 (the last band 33 rows)" in text
    assert "2 * 392 * 41 * 2042 * 4 = 262,552,192 bytes" in text
    assert "2 * 8 * 41 * 2042 * 4 = 5,358,208 bytes" in text
    assert "267,910,400 bytes = 255.5 MiB" in text
    assert 267_910_400 <= BUDGET  # columns and products of both threads fit the budget
    assert "(8, 392) @ (392, 41*2042 = 83,722) -> (8, 83,722)" in text
    assert plan(BIG_CASE, threads=2).workspace == 267_910_400


def test_predictions() -> None:
    # (weight, method, padding_mode, call, budget, band) -> predicted bytes, worked by hand:
    # output 4*64*64*8 = 131,072 (full) or 8*64*64*8 = 262,144 (depthwise);
    # im2col workspace 2 threads * (K + Og) * band * 64 * 8 with K + Og = 100 + 4, or
    # 2 threads * K * 64 * 64 * 8 when a band is the whole plane (no product buffer);
    # depthwise tiles 2 threads * (32 + 4) rows * 68 * 8; the spec's zero-padded copy 4*68*68*8;
    # the stride-2 3x3 output is 8*33*33*8 = 69,696, too small a call for a second thread:
    # one thread's even and odd tiles, 2 * (32*2 + 3) rows * (33 + 1) * 8.
    predicted = {
        (r["weight"], r["method"], r["padding_mode"], r["call"], r["budget"], r["band"]): r[
            "predicted"
        ]
        for r in predictions(threads=2)
    }
    assert predicted == {
        ("full", "reference", "zeros", "first", BUDGET, "-"): 131_072 + 147_968,
        ("full", "reference", "reflect", "first", BUDGET, "-"): 131_072 + 2 * 147_968,
        ("full", "direct", "zeros", "first", BUDGET, "-"): 131_072,
        ("full", "direct", "reflect", "first", BUDGET, "-"): 131_072 + 147_968,
        ("full", "im2col", "zeros", "first", BUDGET, 16): 131_072 + 2 * 104 * 16 * 64 * 8,
        ("full", "im2col", "reflect", "first", BUDGET, 16): (
            131_072 + 147_968 + 2 * 104 * 16 * 64 * 8
        ),
        ("full", "im2col", "zeros", "first", 2**20, 9): 131_072 + 2 * 104 * 9 * 64 * 8,
        # a budget smaller than one row still gets one row
        ("full", "im2col", "zeros", "first", 1, 1): 131_072 + 2 * 104 * 1 * 64 * 8,
        ("full", "im2col", "zeros", "again", BUDGET, 16): 131_072,
        ("depthwise", "direct", "zeros", "first", BUDGET, 32): 262_144 + 2 * 36 * 68 * 8,
        ("depthwise", "direct", "zeros", "again", BUDGET, 32): 262_144,
        # one band per plane: columns only, the GEMM writes into the output
        ("depthwise", "im2col", "zeros", "first", BUDGET, 64): 262_144 + 2 * 25 * 64 * 64 * 8,
        ("dw3x3/2", "direct", "zeros", "first", BUDGET, 33): 69_696 + 2 * 67 * 34 * 8,
        ("dw3x3/2", "direct", "zeros", "again", BUDGET, 33): 69_696,
    }


@pytest.fixture
def two_threads():
    """Numba's thread count for this test: 2 where the pool has them (as the docs show)."""
    before = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield
    numba.set_num_threads(before)


@pytest.mark.slow
def test_measured_peaks_match_predictions(two_threads) -> None:
    rows = measure_rows()
    assert len(rows) == 14
    for row in rows:
        # tracemalloc also sees small temporaries (views, the bias vector): allow 16 KiB, less
        # than the smallest workspace predicted here (the depthwise tiles, 39,168 bytes), so a
        # workspace missed by the prediction, or not reused on the second call, shows
        assert row["predicted"] <= row["peak"] <= row["predicted"] + 16 * 2**10, row
    text = format_measured(rows)
    assert len(line_starting(text, "dw3x3/2   direct    zeros        again").split()) == 8
