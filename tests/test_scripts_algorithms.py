"""Smoke tests for the scripts quoted in docs/algorithms.md: they run, and print the numbers the
page shows. Each check reads a real value out of the output, so a change in refconv, scipy or the
scripts that moves a number makes the test fail (and the page needs updating)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def run_script(name: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def correlation_output() -> str:
    return run_script("correlation_vs_convolution.py")


@pytest.fixture(scope="module")
def padding_output() -> str:
    return run_script("padding_conventions.py")


@pytest.fixture(scope="module")
def memory_output() -> str:
    # the workspace sizes depend on the thread count: the page shows them for two threads
    return run_script("im2col_memory.py", NUMBA_NUM_THREADS="2")


def line_starting(output: str, prefix: str) -> str:
    """The one line of ``output`` that starts with ``prefix`` (leading spaces ignored)."""
    found = [line for line in output.splitlines() if line.strip().startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


# ---- correlation_vs_convolution.py --------------------------------------------------------
def test_worked_example_sums(correlation_output: str) -> None:
    assert "1*1 + 2*2 + 4*3 + 5*4 = 37" in correlation_output
    assert "1*4 + 2*3 + 4*2 + 5*1 = 23" in correlation_output


def test_correlation_equals_convolution_with_flipped_kernel(correlation_output: str) -> None:
    blocks = correlation_output.split("scipy.signal.convolve2d(x, w) =")
    assert "[[37 47]\n     [67 77]]" in blocks[0]  # correlate2d
    assert "[[23 33]\n     [53 63]]" in blocks[1]  # convolve2d, kernel not flipped
    assert line_starting(correlation_output, "correlate2d(x, w) ==").endswith("True")
    assert line_starting(correlation_output, "refconv.conv2d(x, w) == correlate2d").endswith("True")
    assert line_starting(correlation_output, "refconv.conv2d(x, w) == convolve2d").endswith("False")


def test_same_mode_breaks_the_identity_for_even_kernels_only(correlation_output: str) -> None:
    rows = dict(
        ((m.group(1), m.group(2)), m.group(3))
        for m in re.finditer(
            r"^(valid|full|same)\s+(\d)\s+(True|False)$", correlation_output, re.MULTILINE
        )
    )
    assert rows == {
        ("valid", "2"): "True",
        ("valid", "3"): "True",
        ("full", "2"): "True",
        ("full", "3"): "True",
        ("same", "2"): "False",
        ("same", "3"): "True",
    }


# ---- padding_conventions.py ---------------------------------------------------------------
def test_pad_table(padding_output: str) -> None:
    table = padding_output.split("== 2.")[0]
    rows = [line for line in table.splitlines() if re.match(r"^\s*\d+\s+\d+\s+\d+\s+\d+\s", line)]
    assert len(rows) == 11
    assert all(row.endswith("= SAME_UPPER") for row in rows)  # refconv 'same' == SAME_UPPER
    resnet = line_starting(padding_output, "224  7  2  1")
    # PyTorch int padding 3, SAME_UPPER (2, 3), SAME_LOWER (3, 2), all giving 112 rows
    assert re.findall(r"\((\d+), (\d+)\) -> (\d+)", resnet) == [
        ("3", "3", "112"),
        ("2", "3", "112"),
        ("3", "2", "112"),
    ]
    even = line_starting(padding_output, "7  4  1  1")
    assert re.findall(r"\((\d+), (\d+)\) -> (\d+)", even) == [
        ("1", "1", "6"),
        ("1", "2", "7"),
        ("1", "2", "7"),
        ("2", "1", "7"),
    ]


def test_scipy_same_offsets(padding_output: str) -> None:
    table = padding_output.split("== 2.")[1].split("with origin=-1")[0]
    cells = {
        int(m.group(1)): re.findall(r"\((\d),(\d)\) (\w+)", m.group(2))
        for m in re.finditer(r"^\s*(\d)\s+(\(.*)$", table, re.MULTILINE)
    }
    assert sorted(cells) == [1, 2, 3, 4, 5, 6]
    # columns: correlate2d, convolve2d, correlate, convolve, ndimage.correlate, ndimage.convolve
    assert [c[2] for c in cells[2]] == ["UPPER", "LOWER", "LOWER", "LOWER", "LOWER", "UPPER"]
    assert [c[:2] for c in cells[4]][:2] == [("1", "2"), ("2", "1")]
    assert {c[2] for c in cells[3]} == {"both"}


def test_ndimage_modes(padding_output: str) -> None:
    assert re.search(
        r"mode='reflect'\s+b a \| a b c d \| d c\s+no PyTorch equivalent", padding_output
    )
    assert re.search(
        r"mode='mirror'\s+c b \| a b c d \| c b\s+= padding_mode='reflect'", padding_output
    )
    assert re.search(
        r"mode='nearest'\s+a a \| a b c d \| d d\s+= padding_mode='replicate'", padding_output
    )
    assert re.search(
        r"mode='wrap'\s+c d \| a b c d \| a b\s+= padding_mode='circular'", padding_output
    )
    assert line_starting(padding_output, "ndimage 'mirror'   vs refconv").endswith("True")
    assert line_starting(padding_output, "ndimage 'reflect'  vs refconv").endswith("False")


def test_torch_agrees_when_installed(padding_output: str) -> None:
    pytest.importorskip("torch")
    section = padding_output.split("== 4.")[1]
    checks = [line for line in section.splitlines() if "== refconv" in line]
    assert len(checks) == 7
    assert all(re.search(r": True\b", line) for line in checks), checks
    assert "is not supported for strided convolutions" in section


# ---- im2col_memory.py ---------------------------------------------------------------------
def table_row(output: str, name: str) -> str:
    """The cells after the case name in section 1 of im2col_memory.py, one space apart."""
    return " ".join(line_starting(output, name).strip().removeprefix(name).split())


def test_table_rows(memory_output: str) -> None:
    assert "threads = 2)" in line_starting(memory_output, "== 1.")
    # K, Og, out, output, columns whole, band, workspace | spec, direct, im2col, auto
    assert table_row(memory_output, "2048^2, 8 -> 8, 7x7 ") == (
        "392 8 2042x2042 127.3 MiB 6.1 GiB 41 x50 255.5 MiB | 128.0 MiB 0 B 255.5 MiB im2col"
    )
    # the seed's 8x8 output is one band, so the GEMM writes into the output and needs no
    # product buffer: 2 threads * 75 * 8 * 8 * 8 bytes = 75 KiB of columns
    assert table_row(memory_output, "seed: 12x12x3, 5x5x256, float64") == (
        "75 256 8x8 128.0 KiB 37.5 KiB 8 x1 75.0 KiB | 3.4 KiB 0 B 75.0 KiB im2col"
    )
    # depthwise 3x3, column stride 1: direct reads the input directly, no tiles; auto picks
    # direct; im2col's bands are whole planes: 2 threads * 9 * 112 * 112 float32 columns
    assert table_row(memory_output, "MobileNet depthwise 3x3 ") == (
        "9 1 112x112 1.5 MiB 13.8 MiB 112 x1 882.0 KiB | 1.6 MiB 0 B 882.0 KiB direct"
    )
    # column stride 2: two split-row tiles per thread, 2 * 2 threads * 113 rows * 57 float32
    assert table_row(memory_output, "MobileNet depthwise 3x3/2") == (
        "9 1 56x56 784.0 KiB 6.9 MiB 56 x1 220.5 KiB | 3.2 MiB 100.6 KiB 220.5 KiB direct"
    )
    # 1x1, stride 1, no padding: the columns are the input, no workspace at all
    assert table_row(memory_output, "MobileNet pointwise 1x1") == (
        "32 64 112x112 3.1 MiB none (1x1) - 0 B | 1.5 MiB 0 B 0 B im2col"
    )


def test_big_case_numbers(memory_output: str) -> None:
    assert "6,538,189,952 bytes = 6.54 GB" in memory_output
    assert "268,435,456 // 2 = 134,217,728 bytes" in memory_output
    assert "(392 + 8) * 2042 * 4 = 3,267,200 bytes" in memory_output
    assert "= ceil(2 * 2 / 1) = 4" in memory_output
    assert "min(134,217,728 // 3,267,200 = 41, ceil(2042 / 4) = 511) = 41" in memory_output
    assert "ceil(256 / 2042) = 1 rows if the budget allows -> band = 41 rows" in memory_output
    assert "50 bands = 50 (the last band 33 rows)" in memory_output
    assert "2 * 392 * 41 * 2042 * 4 = 262,552,192 bytes" in memory_output
    assert "2 * 8 * 41 * 2042 * 4 = 5,358,208 bytes" in memory_output
    assert "267,910,400 bytes = 255.5 MiB" in memory_output
    assert 267_910_400 <= 256 * 2**20  # columns and products of both threads fit the budget
    assert "(8, 392) @ (392, 41*2042 = 83,722) -> (8, 83,722)" in memory_output


def measured_rows(memory_output: str) -> list[tuple[str, ...]]:
    return re.findall(
        r"^\s+(full|depthwise|dw3x3/2)\s+(reference|direct|im2col)\s+(\w+)\s+(first|again)\s+([\d,]+)"
        r"\s+(\d+|-)\s+([\d,]+)\s+([\d,]+)$",
        memory_output,
        re.MULTILINE,
    )


def test_predictions(memory_output: str) -> None:
    # (weight, method, padding_mode, call, budget, band) -> predicted bytes, worked by hand:
    # output 4*64*64*8 = 131,072 (full) or 8*64*64*8 = 262,144 (depthwise);
    # im2col workspace 2 threads * (K + Og) * band * 64 * 8 with K + Og = 100 + 4, or
    # 2 threads * K * 64 * 64 * 8 when a band is the whole plane (no product buffer);
    # depthwise tiles 2 threads * (32 + 4) rows * 68 * 8; the spec's zero-padded copy 4*68*68*8;
    # the stride-2 3x3 output is 8*33*33*8 = 69,696, too small a call for a second thread:
    # one thread's even and odd tiles, 2 * (32*2 + 3) rows * (33 + 1) * 8.
    predicted = {row[:6]: int(row[6].replace(",", "")) for row in measured_rows(memory_output)}
    budget = "268,435,456"
    assert predicted == {
        ("full", "reference", "zeros", "first", budget, "-"): 131_072 + 147_968,
        ("full", "reference", "reflect", "first", budget, "-"): 131_072 + 2 * 147_968,
        ("full", "direct", "zeros", "first", budget, "-"): 131_072,
        ("full", "direct", "reflect", "first", budget, "-"): 131_072 + 147_968,
        ("full", "im2col", "zeros", "first", budget, "16"): 131_072 + 2 * 104 * 16 * 64 * 8,
        ("full", "im2col", "reflect", "first", budget, "16"): (
            131_072 + 147_968 + 2 * 104 * 16 * 64 * 8
        ),
        ("full", "im2col", "zeros", "first", "1,048,576", "9"): 131_072 + 2 * 104 * 9 * 64 * 8,
        # a budget smaller than one row still gets one row
        ("full", "im2col", "zeros", "first", "1", "1"): 131_072 + 2 * 104 * 1 * 64 * 8,
        ("full", "im2col", "zeros", "again", budget, "16"): 131_072,
        ("depthwise", "direct", "zeros", "first", budget, "32"): 262_144 + 2 * 36 * 68 * 8,
        ("depthwise", "direct", "zeros", "again", budget, "32"): 262_144,
        # one band per plane: columns only, the GEMM writes into the output
        ("depthwise", "im2col", "zeros", "first", budget, "64"): 262_144 + 2 * 25 * 64 * 64 * 8,
        ("dw3x3/2", "direct", "zeros", "first", budget, "33"): 69_696 + 2 * 67 * 34 * 8,
        ("dw3x3/2", "direct", "zeros", "again", budget, "33"): 69_696,
    }


def test_measured_peaks_match_predictions(memory_output: str) -> None:
    rows = measured_rows(memory_output)
    assert len(rows) == 14
    for *key, predicted, measured in rows:
        predicted_bytes = int(predicted.replace(",", ""))
        measured_bytes = int(measured.replace(",", ""))
        # tracemalloc also sees small temporaries (views, the bias vector): allow 16 KiB, less
        # than the smallest workspace predicted here (the depthwise tiles, 39,168 bytes), so a
        # workspace missed by the prediction, or not reused on the second call, shows
        assert predicted_bytes <= measured_bytes <= predicted_bytes + 16 * 2**10, key
