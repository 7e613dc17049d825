"""``refconv info`` and :mod:`refconv.info`: what refconv runs on, checked against the
libraries themselves."""

from __future__ import annotations

import ctypes
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

import refconv
from refconv import info
from refconv.cli import main


@pytest.fixture(scope="module")
def facts():
    return info.collect()


def test_versions_are_the_installed_ones(facts):
    assert facts["refconv"] == refconv.__version__
    for name in info.PACKAGES:
        assert facts["versions"][name] == importlib.metadata.version(name)
    assert facts["versions"]["python"].startswith(".".join(map(str, sys.version_info[:3])))
    assert facts["machine"]["cpu_count"] == os.cpu_count()


def test_numba_facts_are_numbas(facts):
    nb = facts["numba"]
    assert nb["threading_layer"] == numba.threading_layer()  # the pool was started
    assert nb["threads"] == numba.get_num_threads()
    assert nb["forked_children_run_serial"] == (nb["openmp_vendor"] == "GNU")
    assert nb["this_process_runs_serial"] is False
    assert Path(nb["cache_dir"]).is_absolute()


def test_the_gemm_is_named_by_library_and_symbol_or_is_the_fallback(facts):
    for dtype, gemm in facts["blas"]["gemm"].items():
        if gemm["address"] is None:
            assert gemm["calls"] == "np.dot fallback" and facts["blas"]["fallback"] is True
            continue
        assert gemm["calls"] == "NumPy's OpenBLAS"
        if sys.platform.startswith("linux"):  # dladdr names the library and the symbol
            assert "openblas" in Path(gemm["library"]).name.lower()
            assert (
                gemm["symbol"]
                == {"float32": "scipy_cblas_sgemm64_", "float64": "scipy_cblas_dgemm64_"}[dtype]
            )


def test_the_text_says_what_the_json_says(facts):
    text = info.report(facts)
    nb = facts["numba"]
    assert text.startswith(f"refconv {refconv.__version__}\n")
    assert f"threading layer: {nb['threading_layer']}" in text
    assert f"threads: {nb['threads']} (" in text
    assert nb["cache_dir"] in text and nb["thread_count_functions"] in text
    assert ("runs each kernel's serial twin" in text) == nb["forked_children_run_serial"]


def test_the_np_dot_fallback_is_said_plainly(monkeypatch):
    monkeypatch.setattr(info, "gemm_address", lambda dtype: 0)
    facts = info.collect(start=False)
    assert facts["blas"]["fallback"] is True
    assert all(g["address"] is None for g in facts["blas"]["gemm"].values())
    text = info.report(facts)
    lines = [line for line in text.splitlines() if "np.dot FALLBACK" in line]
    assert [line.split(":")[0].strip() for line in lines] == ["float32", "float64"]
    assert "was not found in this process" in lines[0] and " at 0x" not in text


def test_symbol_at_names_a_c_library_function():
    if not sys.platform.startswith("linux"):
        pytest.skip("dladdr answers differ by platform")
    libc = ctypes.CDLL(None)
    address = ctypes.cast(libc.qsort, ctypes.c_void_p).value  # not an IFUNC (strlen is)
    library, symbol = info.symbol_at(address)
    assert symbol == "qsort" and "libc" in Path(library).name


def test_the_cache_dir_follows_numba_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    where, why = info.cache_dir()
    assert Path(where).is_relative_to(tmp_path) and why == "NUMBA_CACHE_DIR"


def test_who_chose_the_layer(monkeypatch):
    monkeypatch.delenv("NUMBA_THREADING_LAYER", raising=False)
    monkeypatch.setattr(numba.config, "THREADING_LAYER", "default")
    assert info.layer_choice().startswith("Numba's choice: the first of ")
    monkeypatch.setattr(numba.config, "THREADING_LAYER", "workqueue")
    assert info.layer_choice() == "the user's numba.config.THREADING_LAYER = 'workqueue'"
    monkeypatch.setenv("NUMBA_THREADING_LAYER", "workqueue")
    assert info.layer_choice() == "the user's NUMBA_THREADING_LAYER=workqueue"


def test_refconv_info_prints_the_report(capsys):
    assert main(["info"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("refconv ") and "threading layer: " in text and "BLAS" in text


def test_refconv_info_json_is_collect(capsys, facts):
    assert main(["info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(facts)
    assert data["numba"]["threading_layer"] == facts["numba"]["threading_layer"]
    assert data["blas"]["gemm"] == facts["blas"]["gemm"]


def test_the_users_threading_layer_is_the_one_used():
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue", "NUMBA_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "refconv", "info", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    nb = json.loads(result.stdout)["numba"]
    assert nb["threading_layer"] == "workqueue" and nb["forked_children_run_serial"] is False
    assert nb["threading_layer_chosen_by"] == "the user's NUMBA_THREADING_LAYER=workqueue"
    assert nb["threads"] == 1 and "NUMBA_NUM_THREADS=1" in nb["threads_chosen_by"]
