"""The ``refconv`` command line: demo, plot, and the README's own example."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from refconv.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_demo_prints_the_seed_counts_and_agrees_with_scipy(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "1,228,800" in out
    assert "4,800 + 49,152 = 53,952" in out
    assert "256x8x8" in out


def test_demo_json_has_every_method_within_float64_rounding(capsys):
    assert main(["demo", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["standard"]["multiplications"] == 1_228_800
    assert results["depthwise"]["multiplications"] == 4_800
    assert results["pointwise"]["multiplications"] == 49_152
    assert results["pointwise"]["output"] == [256, 8, 8]
    for row in results.values():
        assert set(row["max_abs_error_vs_scipy"]) == {"auto", "reference", "direct", "im2col"}
        # float64 sums of at most 75 products of standard normals: rounding is ~1e-14
        assert max(row["max_abs_error_vs_scipy"].values()) < 1e-12


def test_plot_writes_the_separability_figures(tmp_path, capsys):
    assert main(["plot", "--out", str(tmp_path), "--topic", "separability"]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written, "no figure written"
    assert all((tmp_path / name).stat().st_size > 1000 for name in written)
    assert set(capsys.readouterr().out.split()) == {str(tmp_path / n) for n in written}


def test_python_dash_m_refconv_runs_the_same_cli():
    result = subprocess.run([sys.executable, "-m", "refconv", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("refconv ")


def test_the_readme_python_example_runs_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert namespace["y"].shape == (1, 256, 6, 6)
    assert namespace["dw"].shape == (1, 6, 8, 8)
    assert namespace["sep"].shape == (1, 256, 8, 8)
    np.testing.assert_array_equal(namespace["x"].dtype, np.float32)


@pytest.mark.parametrize("command", ["demo", "plot", "separable"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert command in capsys.readouterr().out
