"""refconv.explain.families computes the numbers docs/families.md quotes: check the real values.

Every check reads a value the page shows, so a change in refconv or scipy that moves a number
makes a test fail. The sections are tested as data (their items), the printed text through
``report``, and ``scripts/families.py`` once, as a subprocess.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from refconv.explain import families
from refconv.explain.families import (
    depthwise,
    depthwise_separable,
    pointwise,
    pytorch_class,
    spatial_separable,
    standard,
)
from refconv.explain.page import Check, Text, array, checks, failed, text
from refconv.explain.peers import load_torch

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "families.py"
TORCH = load_torch()
needs_torch = pytest.mark.skipif(TORCH is None, reason="PyTorch is not installed")


@pytest.fixture(scope="module")
def items() -> list:
    return families.items(TORCH)


@pytest.fixture(scope="module")
def report() -> str:
    return families.report(TORCH)


def test_every_check_holds(items: list) -> None:
    own = [check for check in checks(items) if not check.torch]
    assert len(own) >= 16  # the checks that need no PyTorch; more follow when it is installed
    assert failed(items) == []


def test_conv2d_worked_example() -> None:
    items = standard.example()
    assert array(items, "correlate2d(x[0], w[0, 0])").tolist() == [[-4, -4], [-4, -4]]
    assert array(items, "correlate2d(x[1], w[0, 1])").tolist() == [[2, 3], [3, 2]]
    assert array(items, "refconv.conv2d(x, w)[0]").tolist() == [[-2, -1], [-1, -2]]
    assert text(items, "grouped:") == (
        "grouped: x (4, 4, 4), w (6, 2, 3, 3), groups=2 -> y (6, 2, 2)"
    )
    assert text(items, "  output channel 3") == (
        "  output channel 3: group 1, reads input channels 2 and 3"
    )
    assert text(items, "Keras Conv2D kernel") == (
        "Keras Conv2D kernel (3, 3, 4, 5) -> kernel.transpose(3, 2, 0, 1) (5, 4, 3, 3)"
    )


def test_depth_multiplier_channel_order() -> None:
    items = depthwise.example()
    lines = [item.text for item in items if isinstance(item, Text)]
    table = r"\s+\d  \d  \d\s+\d+  \d+"  # channel, c, m, kernel value, y[channel, 0, 0]
    rows = [tuple(line.split()) for line in lines if re.fullmatch(table, line)]
    assert rows == [
        ("0", "0", "0", "1", "4"),
        ("1", "0", "1", "2", "8"),
        ("2", "1", "0", "11", "4400"),
        ("3", "1", "1", "12", "4800"),
    ]
    assert text(items, "right reshape").endswith("= [4, 8, 4400, 4800]")
    assert text(items, "wrong reshape").endswith(
        "kernel values [1, 11, 2, 12], y[:, 0, 0] = [4, 44, 800, 4800]"
    )


def test_pointwise_and_linear() -> None:
    items = pointwise.example()
    assert array(items, "W @ x[:, 0, 0]").tolist() == [-8, 12]
    assert array(items, "y[:, 0, 0]").tolist() == [-8, 12]
    assert array(items, "y[1]").tolist() == [[12, 15], [18, 21]]
    assert text(items, "Linear:") == (
        "Linear: W @ v + b = [8, 26], pointwise_conv2d(v as a (3, 1, 1) image) = [8, 26]"
    )


def test_separable() -> None:
    items = depthwise_separable.example()
    assert text(items, "pointwise_kernel") == (
        "pointwise_kernel (1, 1, 4, 3) -> pointwise_kernel.transpose(3, 2, 0, 1) (3, 4, 1, 1)"
    )
    assert array(items, "y[0]").tolist() == [[9, 5], [17, -17]]
    assert array(items, "y[2]").tolist() == [[-3, 16], [24, 8]]
    assert text(items, "stride=2") == (
        "stride=2, padding=1: depthwise (2, 4, 4) -> (4, 2, 2), pointwise -> (3, 2, 2)"
    )


def test_spatial_separable() -> None:
    items = spatial_separable.example()
    assert array(items, "after the 3x1 pass (column [1, 2, 1])")[0].tolist() == [13, 17, 7, 11, 8]
    expected = [[-6, -6, 1], [1, 1, -6], [1, 8, 1]]
    assert array(items, "after the 1x3 pass (row [-1, 0, 1])").tolist() == expected
    assert array(items, "correlate2d(x[0], np.outer(column, row))").tolist() == expected
    assert text(items, "  3x1 pass") == (
        "  3x1 pass: stride (2, 1), padding ((2, 0), (0, 0)), dilation (2, 1) -> (1, 1, 2, 5)"
    )
    assert text(items, "  conv2d with the 3x3 kernel") == (
        "  conv2d with the 3x3 kernel -> (1, 1, 2, 3)"
    )
    assert text(items, "one channel:").startswith("one channel: 672 of 672 cases")
    assert text(items, "per channel (groups").startswith(
        "per channel (groups=C_in=3, M=2): 672 of 672 cases"
    )
    assert text(items, "channel-mixing (groups=1)").endswith(
        "(4, 3, 3, 1), row (5, 4, 1, 3) -> y (5, 8, 8)"
    )
    assert text(items, "ranks of") == (
        "ranks of those 3x3 kernels W[o, c]: [2, 3] (at most R = 4, not 1)"
    )


def test_grid_counts_only_equal_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    """grid_cases tries every setting and counts a case only when the outputs are equal."""
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 6, size=(1, 9, 10))
    assert spatial_separable.grid_cases(x, rng, groups=1, mult=1) == (672, 672)
    real = spatial_separable.spatial_separable_conv2d
    monkeypatch.setattr(
        spatial_separable,
        "spatial_separable_conv2d",
        lambda *args, **kwargs: real(*args, **kwargs) + 1.0,
    )
    assert spatial_separable.grid_cases(x, rng, groups=1, mult=1) == (672, 0)


def test_pytorch_class() -> None:
    items = pytorch_class.example()
    assert items[1] == Text("== 6. the PyTorch comparison's SpatiallySeparableConv2d")
    error = text(items, "refconv.spatial_separable_conv2d: ValueError:")
    assert "row_weight.shape=(8, 1, 1, 3) (C_out=8)" in error
    assert "needs C_out to be a multiple of C_in" in error
    assert "pointwise_conv2d" in error
    layer_error = text(items, "refconv.nn.SpatialSeparableConv2d: ValueError:")
    assert "got out_channels=8" in layer_error
    assert "3 -> 8 needs out_channels a multiple of in_channels" in layer_error
    assert "PointwiseConv2d" in layer_error
    assert text(items, " K  padding") == " K  padding  padding//2  article's output  correct output"
    lines = [item.text for item in items if isinstance(item, Text)]
    rows = [re.findall(r"\d+", line) for line in lines if re.match(r"^ \d  ", line)]
    assert rows == [
        ["3", "1", "0", "30", "30", "32", "32"],
        ["5", "2", "1", "30", "30", "32", "32"],
        ["7", "3", "1", "28", "28", "32", "32"],
    ]
    assert text(items, "refconv: ") == "refconv: (1, 3, 32, 32) -> (1, 3, 16, 16)"
    assert text(items, "PointwiseConv2d(3, 8)") == (
        "PointwiseConv2d(3, 8): weight (8, 3, 1, 1); -> (1, 8, 32, 32)"
    )
    assert text(items, "per channel with M = 2").endswith("groups=3) -> (1, 6, 32, 32)")
    assert array(items, "spatial_separable_conv2d(x)[0]").tolist() == [
        [-3, 2, 2],
        [-3, -3, 2],
        [2, -3, -3],
    ]
    assert text(items, "K = 4") == (
        "K = 4, padding='same', per channel: (1, 3, 32, 32) -> (1, 3, 32, 32)"
    )


@needs_torch
def test_torch_lines(items: list, report: str) -> None:
    torch_items = [item for item in items if getattr(item, "torch", False)]
    assert len(torch_items) == 8
    assert all(item.ok for item in torch_items if isinstance(item, Check))
    assert (
        "[torch] the PyTorch comparison's class: ValueError: out_channels must be divisible "
        "by groups" in report.splitlines()
    )
    assert (
        "[torch] the PyTorch comparison's class (out_channels=3, padding=1): (1, 3, 30, 30)"
        in report.splitlines()
    )
    with_padding = [line for line in report.splitlines() if "with padding=(padding, 0)" in line]
    assert len(with_padding) == 1 and with_padding[0].endswith(" (1, 3, 32, 32)")


def test_without_torch(report: str) -> None:
    plain = families.report(None)
    assert plain.splitlines()[0].endswith("torch not installed")
    assert "[torch]" not in plain
    # everything else is the same output
    rest = [line for line in report.splitlines()[1:] if not line.startswith("[torch]")]
    assert plain.splitlines()[1:] == rest


def test_report_text(report: str) -> None:
    """The printed form of an array and of a check, as docs/families.md quotes them."""
    assert "refconv.conv2d(x, w)[0] =\n    [[-2 -1]\n     [-1 -2]]\n" in report
    assert "\ngrouped conv2d == correlate2d per group: True\n" in report
    assert re.search(r"^== 5\. spatial_separable_conv2d: K x 1, then 1 x K$", report, re.MULTILINE)


def test_script_prints_the_report(report: str) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == report + "\n"
