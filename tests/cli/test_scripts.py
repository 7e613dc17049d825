"""The thin scripts behind refconv's figures: each runs, as a subprocess.

What they call is tested where it lives (refconv.cli.plot.script here, the figures in
tests/plotting); the subprocesses only prove the wiring. scripts/verify_counts.py is run by
tests/published/test_published.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from refconv.cli.plot import script
from refconv.plotting import figures

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _run(name: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *argv], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("name", ["plot_counts.py", "plot_separability.py"])
def test_a_plot_script_refuses_a_folder_it_cannot_write_in_one_line(name):
    result = _run(name, "/dev/null/figures")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{name}: error: OUT_DIR '/dev/null/figures': cannot write figures there "
        f"(Not a directory: '/dev/null/figures')"
    ]


def test_the_plot_scripts_function_writes_one_topic(tmp_path, capsys):
    assert script("counting", "figures", [str(tmp_path / "out"), "--json"]) == 0
    paths = json.loads(capsys.readouterr().out)
    assert [Path(p).name for p in paths] == [f"{n}.png" for n in figures(("counting",))]
    assert all(Path(p).stat().st_size > 5000 for p in paths)
