"""Smoke tests for the scripts quoted in docs/algorithms.md: they run, and print the numbers the
page shows. Each check reads a real value out of the output, so a change in refconv, scipy or the
scripts that moves a number makes the test fail (and the page needs updating)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def run_script(name: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
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
    return run_script("im2col_memory.py")


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
def test_big_case_numbers(memory_output: str) -> None:
    assert "6,538,189,952 bytes = 6.54 GB" in memory_output
    assert "268,435,456 // 3,201,856 = 83" in memory_output
    assert "265,754,048 bytes = 253.4 MiB, reused for 25 bands (the last one 50 rows)" in (
        memory_output
    )
    assert "(8, 392) @ (392, 83*2042 = 169,486)" in memory_output


def test_measured_peaks_match_predictions(memory_output: str) -> None:
    rows = re.findall(
        r"^\s+(reference|direct|im2col)\s+(\w+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)$",
        memory_output,
        re.MULTILINE,
    )
    assert len(rows) == 8
    for method, mode, _budget, predicted, measured in rows:
        predicted_bytes = int(predicted.replace(",", ""))
        measured_bytes = int(measured.replace(",", ""))
        # tracemalloc also sees small temporaries (views, the bias vector): allow 16 KiB
        assert predicted_bytes <= measured_bytes <= predicted_bytes + 16 * 2**10, (method, mode)
