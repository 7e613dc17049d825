"""The thin scripts over refconv.bench run, as subprocesses: their wiring, not their numbers
(which are tested where they are computed, in the other files here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def run_script(name: str, *argv: str, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *argv],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "name",
    ["bench.py", "traps.py", "choose_method.py", "threading_layers.py", "plot_performance.py"],
)
def test_help(name):
    assert run_script(name, "--help").startswith("usage:")


@pytest.mark.slow
def test_im2col_memory():
    out = run_script("im2col_memory.py", NUMBA_NUM_THREADS="2")
    assert [line.split(".")[0] for line in out.splitlines() if line.startswith("==")] == [
        "== 1",
        "== 2",
        "== 3",
    ]
    assert "threads = 2)" in out


@pytest.mark.bench
def test_traps_quick_json():
    result = json.loads(run_script("traps.py", "--quick", "--json", "--traps", "wraparound"))
    assert list(result["traps"]) == ["wraparound"]


@pytest.mark.bench
def test_threading_layers_json():
    result = json.loads(
        run_script("threading_layers.py", "--layers", "workqueue", "--repeats", "1", "--json")
    )
    assert [layer["layer"] for layer in result["layers"]] == ["workqueue"]
