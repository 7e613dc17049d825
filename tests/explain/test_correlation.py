"""refconv.explain.correlation: cross-correlation vs convolution, the numbers docs/algorithms.md
quotes, read from the data; the printed text through ``report``; the script once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import signal

from refconv.explain import correlation

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "correlation_vs_convolution.py"


@pytest.fixture(scope="module")
def example() -> correlation.CorrelationExample:
    return correlation.example()


def test_worked_example_sums(example: correlation.CorrelationExample) -> None:
    assert correlation.worked_sum(example.x, example.w, 0, 0) == "1*1 + 2*2 + 4*3 + 5*4 = 37"
    assert correlation.worked_sum(example.x, example.flipped, 0, 0) == "1*4 + 2*3 + 4*2 + 5*1 = 23"


def test_correlation_equals_convolution_with_flipped_kernel(
    example: correlation.CorrelationExample,
) -> None:
    assert example.correlated.tolist() == [[37, 47], [67, 77]]
    assert example.convolved.tolist() == [[23, 33], [53, 63]]  # kernel not flipped
    assert np.array_equal(example.convolved_flipped, example.correlated)
    assert np.array_equal(example.refconv, example.correlated)
    assert not np.array_equal(example.refconv, example.convolved)


def test_same_mode_breaks_the_identity_for_even_kernels_only(
    example: correlation.CorrelationExample,
) -> None:
    assert {(mode, k): same for mode, k, same in example.modes} == {
        ("valid", 2): True,
        ("valid", 3): True,
        ("full", 2): True,
        ("full", 3): True,
        ("same", 2): False,
        ("same", 3): True,
    }


def test_correlate_valid_is_scipy_valid() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-9, 10, size=(6, 7))
    for shape in [(1, 1), (2, 3), (3, 2), (6, 7)]:
        w = rng.integers(-9, 10, size=shape)
        expected = signal.correlate2d(x, w, mode="valid")
        assert np.array_equal(correlation.correlate_valid(x, w), expected)
        assert np.array_equal(correlation.scipy_correlate_valid(x, w), expected)
        assert correlation.scipy_correlate_valid(x, w).dtype == np.float64


def test_report_lines(example: correlation.CorrelationExample) -> None:
    lines = correlation.report(example).splitlines()
    assert "scipy.signal.correlate2d(x, w) =\n    [[37 47]\n     [67 77]]" in "\n".join(lines)
    assert "correlate2d(x, w) == convolve2d(x, w[::-1, ::-1]):  True" in lines
    assert "refconv.conv2d(x, w) == correlate2d(x, w):          True" in lines
    assert "refconv.conv2d(x, w) == convolve2d(x, w):           False" in lines
    assert "same    2  False" in lines


def test_script_prints_the_report(example: correlation.CorrelationExample) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == correlation.report(example) + "\n"
