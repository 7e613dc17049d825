"""scripts/families.py prints the numbers docs/families.md quotes: check real values in its output.

The script runs twice: as it is (with PyTorch when installed) and with ``torch`` made
unimportable, so the page's no-PyTorch path is exercised too. Every check reads a value the page
shows, so a change in refconv or scipy that moves a number makes a test fail.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "families.py"
HAS_TORCH = importlib.util.find_spec("torch") is not None

# an import hook that refuses ``torch`` (setting ``sys.modules["torch"] = None`` instead would
# trip scipy, which looks torch up in ``sys.modules`` to recognise tensors)
WITHOUT_TORCH = f"""
import runpy, sys

class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is hidden for this test")

sys.meta_path.insert(0, NoTorch())
runpy.run_path({str(SCRIPT)!r}, run_name="__main__")
"""


def run(args: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def output() -> str:
    return run([str(SCRIPT)])


@pytest.fixture(scope="module")
def output_without_torch() -> str:
    return run(["-c", WITHOUT_TORCH])


def line_starting(output: str, prefix: str) -> str:
    """The one line of ``output`` that starts with ``prefix``."""
    found = [line for line in output.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


def block_after(output: str, name: str) -> str:
    """The indented array printed under ``name =``, as one string."""
    lines = output.splitlines()
    start = lines.index(f"{name} =") + 1
    block = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    return "\n".join(block)


def test_every_check_holds(output: str) -> None:
    checks = [line for line in output.splitlines() if line.endswith((": True", ": False"))]
    own = [line for line in checks if not line.startswith("[torch]")]
    assert len(own) >= 16  # the checks that need no PyTorch; more follow when it is installed
    assert [line for line in checks if line.endswith(": False")] == []


def test_conv2d_worked_example(output: str) -> None:
    assert block_after(output, "correlate2d(x[0], w[0, 0])") == "[[-4 -4]\n[-4 -4]]"
    assert block_after(output, "correlate2d(x[1], w[0, 1])") == "[[2 3]\n[3 2]]"
    assert block_after(output, "refconv.conv2d(x, w)[0]") == "[[-2 -1]\n[-1 -2]]"
    assert "grouped: x (4, 4, 4), w (6, 2, 3, 3), groups=2 -> y (6, 2, 2)" in output
    assert "  output channel 3: group 1, reads input channels 2 and 3" in output
    assert "Keras Conv2D kernel (3, 3, 4, 5) -> kernel.transpose(3, 2, 0, 1) (5, 4, 3, 3)" in output


def test_depth_multiplier_channel_order(output: str) -> None:
    rows = re.findall(r"^\s+(\d)  (\d)  (\d)\s+(\d+)  (\d+)$", output, re.MULTILINE)
    assert rows == [
        ("0", "0", "0", "1", "4"),
        ("1", "0", "1", "2", "8"),
        ("2", "1", "0", "11", "4400"),
        ("3", "1", "1", "12", "4800"),
    ]
    assert line_starting(output, "right reshape").endswith("= [4, 8, 4400, 4800]")
    assert line_starting(output, "wrong reshape").endswith(
        "kernel values [1, 11, 2, 12], y[:, 0, 0] = [4, 44, 800, 4800]"
    )


def test_pointwise_and_linear(output: str) -> None:
    assert block_after(output, "W @ x[:, 0, 0]") == "[-8 12]"
    assert block_after(output, "y[:, 0, 0]") == "[-8 12]"
    assert block_after(output, "y[1]") == "[[12 15]\n[18 21]]"
    assert line_starting(output, "Linear:") == (
        "Linear: W @ v + b = [8, 26], pointwise_conv2d(v as a (3, 1, 1) image) = [8, 26]"
    )


def test_separable(output: str) -> None:
    assert "pointwise_kernel (1, 1, 4, 3) -> pointwise_kernel.transpose(3, 2, 0, 1) " \
           "(3, 4, 1, 1)" in output
    section = output.split("== 4.")[1].split("== 5.")[0]
    assert block_after(section, "y[0]") == "[[  9   5]\n[ 17 -17]]"
    assert block_after(section, "y[2]") == "[[-3 16]\n[24  8]]"
    assert "stride=2, padding=1: depthwise (2, 4, 4) -> (4, 2, 2), pointwise -> (3, 2, 2)" in output


def test_spatial_separable(output: str) -> None:
    assert block_after(output, "after the 3x1 pass (column [1, 2, 1])").startswith(
        "[[13 17  7 11  8]"
    )
    expected = "[[-6 -6  1]\n[ 1  1 -6]\n[ 1  8  1]]"
    assert block_after(output, "after the 1x3 pass (row [-1, 0, 1])") == expected
    assert block_after(output, "correlate2d(x[0], np.outer(column, row))") == expected
    assert "3x1 pass: stride (2, 1), padding ((2, 0), (0, 0)), dilation (2, 1) -> (1, 1, 2, 5)" \
        in output
    assert "conv2d with the 3x3 kernel -> (1, 1, 2, 3)" in output
    assert line_starting(output, "one channel:").startswith("one channel: 672 of 672 cases")
    assert line_starting(output, "per channel (groups").startswith(
        "per channel (groups=C_in=3, M=2): 672 of 672 cases"
    )
    assert "(4, 3, 3, 1), row (5, 4, 1, 3) -> y (5, 8, 8)" in output
    assert "ranks of those 3x3 kernels W[o, c]: [2, 3]" in output


def test_seed_003(output: str) -> None:
    error = line_starting(output, "refconv.spatial_separable_conv2d: ValueError:")
    assert "row_weight.shape=(8, 1, 1, 3) (C_out=8)" in error
    assert "needs C_out to be a multiple of C_in" in error
    assert "pointwise_conv2d" in error
    layer_error = line_starting(output, "refconv.nn.SpatialSeparableConv2d: ValueError:")
    assert "got out_channels=8" in layer_error
    assert "3 -> 8 needs out_channels a multiple of in_channels" in layer_error
    assert "PointwiseConv2d" in layer_error
    rows = re.findall(r"^\s*(\d)\s+(\d)\s+(\d)\s+(\d+) x (\d+)\s+(\d+) x (\d+)$", output,
                      re.MULTILINE)
    assert rows == [
        ("3", "1", "0", "30", "30", "32", "32"),
        ("5", "2", "1", "30", "30", "32", "32"),
        ("7", "3", "1", "28", "28", "32", "32"),
    ]
    assert "refconv: (1, 3, 32, 32) -> (1, 3, 16, 16)" in output
    assert "PointwiseConv2d(3, 8): weight (8, 3, 1, 1); -> (1, 8, 32, 32)" in output
    assert "groups=3) -> (1, 6, 32, 32)" in output
    assert block_after(output, "spatial_separable_conv2d(x)[0]") == (
        "[[-3  2  2]\n[-3 -3  2]\n[ 2 -3 -3]]"
    )
    assert "K = 4, padding='same', per channel: (1, 3, 32, 32) -> (1, 3, 32, 32)" in output


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
def test_torch_lines(output: str) -> None:
    torch_lines = [line for line in output.splitlines() if line.startswith("[torch]")]
    assert len(torch_lines) == 8
    assert "[torch] seed 003's class: ValueError: out_channels must be divisible by groups" \
        in torch_lines
    assert "[torch] seed 003's class (out_channels=3, padding=1): (1, 3, 30, 30)" in torch_lines
    assert line_starting(output, "[torch] with padding=(padding, 0)").endswith("(1, 3, 32, 32)")
    assert all(line.endswith(("True", ")")) for line in torch_lines
               if "ValueError" not in line)


def test_without_torch(output_without_torch: str, output: str) -> None:
    assert output_without_torch.splitlines()[0].endswith("torch not installed")
    assert "[torch]" not in output_without_torch
    # everything else is the same output
    rest = [line for line in output.splitlines()[1:] if not line.startswith("[torch]")]
    assert output_without_torch.splitlines()[1:] == rest
