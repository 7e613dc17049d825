"""refconv.explain.padding_conventions: the padding tables docs/algorithms.md quotes.

Each check reads a real value out of the measured data, so a change in refconv, scipy or
PyTorch that moves a number makes a test fail (and the page needs updating); the printed
tables are checked through their formatters, and the script once, as a subprocess.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from refconv.arguments import output_size
from refconv.explain import padding_conventions
from refconv.explain.padding_conventions import boundary_modes, formulas, scipy_same, torch_checks
from refconv.explain.peers import load_torch

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "padding_conventions.py"
TORCH = load_torch()


def line_starting(output: str, prefix: str) -> str:
    """The one line of ``output`` that starts with ``prefix`` (leading spaces ignored)."""
    found = [line for line in output.splitlines() if line.strip().startswith(prefix)]
    assert len(found) == 1, (prefix, found)
    return found[0]


# ---- section 1: the formulas ----------------------------------------------------------------
def test_pad_rows() -> None:
    rows = {(r.size, r.k, r.s, r.d): r for r in formulas.pad_rows()}
    assert len(rows) == 11
    assert all(r.refconv == r.same_upper for r in rows.values())  # refconv 'same' == SAME_UPPER
    assert all(r.output(r.same_upper) == r.promised for r in rows.values())
    resnet = rows[(224, 7, 2, 1)]  # ResNet's stem: 224 -> 112 either way
    assert (resnet.torch_int, resnet.same_upper, resnet.same_lower) == ((3, 3), (2, 3), (3, 2))
    assert {resnet.output(p) for p in (resnet.torch_int, resnet.same_upper)} == {112}
    assert resnet.torch_same is None  # stride 2
    even = rows[(7, 4, 1, 1)]
    assert (even.torch_int, even.torch_same, even.same_upper, even.same_lower) == (
        (1, 1),
        (1, 2),
        (1, 2),
        (2, 1),
    )
    assert even.output(even.torch_int) == 6


def test_same_total_against_the_output_size() -> None:
    """SAME pads exactly what ceil(H / s) outputs need, for every small case."""
    for size in range(1, 12):
        for k in range(1, 6):
            for s in range(1, 4):
                for d in range(1, 3):
                    upper = formulas.same_upper(size, k, s, d)
                    lower = formulas.same_lower(size, k, s, d)
                    assert sum(upper) == sum(lower) == formulas.same_total(size, k, s, d)
                    assert upper[1] - upper[0] in (0, 1) and lower == upper[::-1]
                    assert output_size(size, k, s, d, *upper) == -(-size // s)


def test_pad_table() -> None:
    table = formulas.pad_table(formulas.pad_rows())
    rows = [line for line in table.splitlines() if re.match(r"^\s*\d+\s+\d+\s+\d+\s+\d+\s", line)]
    assert len(rows) == 11
    assert all(row.endswith("= SAME_UPPER") for row in rows)
    resnet = line_starting(table, "224  7  2  1")
    assert re.findall(r"\((\d+), (\d+)\) -> (\d+)", resnet) == [
        ("3", "3", "112"),
        ("2", "3", "112"),
        ("3", "2", "112"),
    ]
    assert "error (stride > 1)" in resnet
    even = line_starting(table, "7  4  1  1")
    assert re.findall(r"\((\d+), (\d+)\) -> (\d+)", even) == [
        ("1", "1", "6"),
        ("1", "2", "7"),
        ("1", "2", "7"),
        ("2", "1", "7"),
    ]


# ---- section 2: scipy's 'same', measured ----------------------------------------------------
@pytest.fixture(scope="module")
def scipy_found() -> scipy_same.ScipySame:
    return scipy_same.measure()


def test_scipy_same_offsets(scipy_found: scipy_same.ScipySame) -> None:
    assert sorted(scipy_found.before) == [1, 2, 3, 4, 5, 6]
    names = list(scipy_same.FUNCTIONS)
    labels = {
        k: [scipy_same.label(scipy_found.before[k][n], k).split()[-1] for n in names]
        for k in scipy_found.before
    }
    # correlate2d, convolve2d, correlate, convolve, ndimage.correlate, ndimage.convolve
    assert labels[2] == ["UPPER", "LOWER", "LOWER", "LOWER", "LOWER", "UPPER"]
    assert [scipy_found.before[4][n] for n in names[:2]] == [1, 2]
    assert set(labels[3]) == {"both"}
    assert scipy_found.origin_minus_one == {2: 0, 4: 1, 6: 2}  # origin=-1 moves the window up
    assert all(scipy_found.refconv_equal.values())


def test_measured_before_finds_no_match() -> None:
    x = np.arange(16.0).reshape(4, 4)
    w = np.ones((2, 2))
    assert scipy_same.measured_before(np.zeros((4, 4)), x, w) is None


def test_scipy_same_table(scipy_found: scipy_same.ScipySame) -> None:
    table = scipy_same.table(scipy_found)
    cells = {
        int(m.group(1)): re.findall(r"\((\d),(\d)\) (\w+)", m.group(2))
        for m in re.finditer(r"^\s*(\d)\s+(\(.*)$", table.split("with origin=-1")[0], re.MULTILINE)
    }
    assert [c[2] for c in cells[2]] == ["UPPER", "LOWER", "LOWER", "LOWER", "LOWER", "UPPER"]
    assert [c[:2] for c in cells[4]][:2] == [("1", "2"), ("2", "1")]


# ---- section 3: boundary modes --------------------------------------------------------------
@pytest.fixture(scope="module")
def modes_found() -> boundary_modes.BoundaryModes:
    return boundary_modes.measure()


def test_ndimage_modes(modes_found: boundary_modes.BoundaryModes) -> None:
    text = {m: boundary_modes.as_text(v, 2) for m, v in modes_found.ndimage.items()}
    assert text == {
        "constant": "0 0 | a b c d | 0 0",
        "reflect": "b a | a b c d | d c",
        "mirror": "c b | a b c d | c b",
        "nearest": "a a | a b c d | d d",
        "wrap": "c d | a b c d | a b",
    }
    assert modes_found.same_as == {
        "constant": "zeros",
        "reflect": None,
        "mirror": "reflect",
        "nearest": "replicate",
        "wrap": "circular",
    }
    assert modes_found.two_d == {
        ("constant", "zeros"): True,
        ("mirror", "reflect"): True,
        ("nearest", "replicate"): True,
        ("wrap", "circular"): True,
        ("reflect", "reflect"): False,
    }
    assert modes_found.reflect_is_symmetric


def test_boundary_modes_table(modes_found: boundary_modes.BoundaryModes) -> None:
    table = boundary_modes.table(modes_found)
    assert re.search(r"mode='reflect'\s+b a \| a b c d \| d c\s+no PyTorch equivalent", table)
    assert re.search(r"mode='mirror'\s+c b \| a b c d \| c b\s+= padding_mode='reflect'", table)
    assert line_starting(table, "ndimage 'mirror'   vs refconv").endswith("True")
    assert line_starting(table, "ndimage 'reflect'  vs refconv").endswith("False")


# ---- section 4: PyTorch ---------------------------------------------------------------------
def test_torch_skipped_without_torch() -> None:
    assert torch_checks.table(None) == (
        "== 4. PyTorch, checked by running it\n   torch is not installed: skipped"
    )


@pytest.mark.skipif(TORCH is None, reason="PyTorch is not installed")
def test_torch_agrees() -> None:
    found = torch_checks.measure(TORCH)
    assert found.same == {3: True, 4: True}
    assert found.modes == dict.fromkeys(boundary_modes.PADDING_MODES, True)
    assert found.padded_same and found.padded_shape == (4, 4)
    assert "is not supported for strided convolutions" in (found.strided_same or "")
    section = torch_checks.table(found)
    assert len([line for line in section.splitlines() if "== refconv" in line]) == 7


# ---- the whole page -------------------------------------------------------------------------
def test_script_prints_the_report() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == padding_conventions.report(TORCH) + "\n"
    assert [line for line in result.stdout.splitlines() if line.startswith("== ")] == [
        "== 1. explicit pads (before, after) -> output size, per axis",
        line_starting(result.stdout, "== 2."),
        "== 3. boundary modes on the row a b c d, extended by 2 on each side, measured",
        "== 4. PyTorch, checked by running it",
    ]
