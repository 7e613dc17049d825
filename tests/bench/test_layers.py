"""Numba's threading layers (refconv.bench.layers, scripts/threading_layers.py).

The parts that decide (where pip's libtbb is, each process's environment, the table) are
checked directly; the layers themselves load, fork and run four Python threads in a slow test
that times nothing; timing a case on a layer is a benchmark (``-m bench``).
"""

from __future__ import annotations

import sys

import pytest

from refconv.bench.cases import Case
from refconv.bench.layers import (
    LAYERS,
    format_layers,
    layer_env,
    measure_layer,
    measure_layers,
    tbb_library_folder,
)

TINY = Case("t_std", "tiny standard", "standard", 3, 4, 9, 3, 1, 1)


@pytest.fixture
def venv(tmp_path, monkeypatch):
    """A fake ``sys.prefix`` whose lib folder holds pip's libtbb; no LD_LIBRARY_PATH."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libtbb.so.12").write_bytes(b"")
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    return tmp_path / "lib"


def test_tbb_library_folder(venv, monkeypatch):
    assert tbb_library_folder() == str(venv)
    monkeypatch.setenv("LD_LIBRARY_PATH", f"/somewhere:{venv}")
    assert tbb_library_folder() is None  # already on the path
    monkeypatch.delenv("LD_LIBRARY_PATH")
    (venv / "libtbb.so.12").unlink()
    assert tbb_library_folder() is None  # no pip tbb here


def test_layer_env(monkeypatch):
    monkeypatch.setenv("LD_LIBRARY_PATH", "/before")
    env = layer_env("tbb", 3, "/venv/lib")
    assert env["NUMBA_THREADING_LAYER"] == "tbb"
    assert env["NUMBA_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "3"
    assert env["LD_LIBRARY_PATH"] == "/venv/lib:/before"
    assert layer_env("omp", 1)["LD_LIBRARY_PATH"] == "/before"


def test_unknown_layer():
    with pytest.raises(ValueError, match="nope"):
        measure_layers(["omp", "nope"])


def test_format_layers():
    result = {
        "threads": 2,
        "repeats": 5,
        "cpu_count": 8,
        "load": 0.0,
        "cases": [{"name": "t", "title": "tiny"}],
        "layers": [
            {"layer": "omp", "loaded": False, "error": "ValueError: no OpenMP"},
            {
                "layer": "tbb",
                "loaded": True,
                "threads": 2,
                "times": {"t": 2e-3},
                "fork": "ok",
                "python_threads": "ok",
                "library_folder": "/venv/lib",
            },
            {
                "layer": "workqueue",
                "loaded": True,
                "threads": 2,
                "times": {"t": 3e-3},
                "fork": "hung (child killed after 5 s)",
                "python_threads": "ok",
            },
        ],
    }
    text = format_layers(result)
    row = next(line for line in text.splitlines() if line.startswith("tiny"))
    assert row.split() == ["tiny", "-", "2", "ms", "3", "ms", "(1.50x)"]
    assert "hung (child killed after 5 s)" in text
    assert "omp: cannot load (ValueError: no OpenMP)" in text
    assert "tbb: loaded, 2 thread(s); only with LD_LIBRARY_PATH=/venv/lib" in text
    assert "WARNING" not in text


@pytest.mark.slow
def test_every_layer_loads_or_says_why_and_survives_fork_and_threads():
    result = measure_layers(LAYERS, cases=(), threads=2, repeats=1, timeout_s=60)
    found = {layer["layer"]: layer for layer in result["layers"]}
    assert list(found) == list(LAYERS)
    assert found["workqueue"]["loaded"]  # Numba's own: always there
    for layer in found.values():
        if layer["loaded"]:
            assert (layer["fork"], layer["python_threads"]) == ("ok", "ok"), layer
        else:
            assert layer["error"], layer
    assert "fork() after refconv ran" in format_layers(result)


@pytest.mark.bench
def test_a_case_timed_on_workqueue():
    found = measure_layer("workqueue", cases=(TINY,), threads=2, repeats=1, timeout_s=60)
    assert found["loaded"] and found["times"]["t_std"] > 0
