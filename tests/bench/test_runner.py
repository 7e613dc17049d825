"""The benchmark harness end to end: real worker processes, tiny shapes, one repeat.

Those that start processes and time calls are benchmarks: opt-in with ``-m bench``. They assert
on the structure of what was measured, never on durations.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from refconv.bench.cases import multiplications
from refconv.bench.report import format_report
from refconv.bench.runner import (
    measure_cold_start,
    measure_peaks,
    run_benchmark,
    torch_available,
)

from .test_cases import TINY

PEAKS = {"sgemm_gflops": 50.0, "bandwidth_gbs": 10.0}  # made-up roofs for the smoke runs


@pytest.fixture(scope="module")
def smoke_result():
    scaling = [replace(TINY[2], name=f"t_dw_{size}", size=size) for size in (6, 10)]
    peers = ["refconv", "scipy", *(["torch"] if torch_available() else [])]
    return run_benchmark(
        [TINY[0], TINY[2], TINY[5], TINY[6], *scaling],
        batches=[1],
        peers=peers,
        repeats=1,
        rounds=1,
        settle_s=0.0,
        min_turn_s=0.0,
        peaks=PEAKS,
        cold_start=False,
    )


@pytest.mark.bench
def test_run_benchmark_fields(smoke_result):
    result = json.loads(json.dumps(smoke_result))  # it is plain JSON
    assert set(result) == {"meta", "peaks", "results", "cold_start"}
    assert result["meta"]["threads"] == 2
    assert len(result["results"]) == 6
    row = result["results"][0]
    assert row["multiplications"] == multiplications(TINY[0])
    assert set(row["peers"]) == set(result["meta"]["peers"])
    stats = row["peers"]["refconv"]
    assert stats["n"] == 1 and stats["median_s"] > 0 and stats["first_s"] > 0
    assert {info["peer"] for info in result["meta"]["processes"].values()} == set(row["peers"])


@pytest.mark.bench
def test_report_lists_every_case(smoke_result):
    text = format_report(smoke_result)
    for case in ("tiny standard", "tiny depthwise", "tiny separable", "tiny spatial"):
        assert case in text


def test_unknown_peer_is_refused_before_any_process_starts():
    with pytest.raises(ValueError, match="nope"):
        run_benchmark([TINY[0]], peers=["refconv", "nope"], peaks=PEAKS, cold_start=False)


@pytest.mark.bench
def test_peaks_are_measured():
    peaks = measure_peaks(threads=1, quick=True)
    assert peaks["sgemm_gflops"] > 0 and peaks["bandwidth_gbs"] > 0


@pytest.mark.bench
def test_cold_start_rows():
    # A 1x1 convolution compiles nothing (it is one matrix product): the plumbing, quickly.
    rows = measure_cold_start([TINY[4]], threads=1)
    assert len(rows) == 1
    for field in ("cold_first_s", "warm_first_s", "steady_s", "cold_process_s", "warm_process_s"):
        assert rows[0][field] > 0
