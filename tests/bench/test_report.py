"""The report of a benchmark, from made-up measurements: summarise's fields, the tables, the
figures drawn from the JSON (no process is started, nothing is timed)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from refconv.bench.cases import CASES_BY_NAME, multiplications
from refconv.bench.report import format_cold_start, format_report, format_seconds
from refconv.bench.roofs import roof
from refconv.bench.runner import summarise
from refconv.plotting import performance

from .test_cases import TINY

PEAKS = {"sgemm_gflops": 50.0, "bandwidth_gbs": 10.0, "sgemm_n": 1024}  # made-up roofs
PEERS = ["refconv", "scipy"]


def made_up_result(cases=(TINY[0], TINY[2], TINY[5], TINY[6]), torch_ratio=None):
    """A run_benchmark result: refconv 1 ms per call, scipy 4 ms, torch 1 / torch_ratio ms."""
    peers = PEERS + (["torch"] if torch_ratio else [])
    seconds = {
        "refconv": [1e-3, 1.2e-3, 0.9e-3],
        "scipy": [4e-3, 4e-3],
        "torch": [1e-3 / (torch_ratio or 1)],
    }
    results = [
        summarise(case, 1, {p: seconds[p] for p in peers}, {p: 0.5 for p in peers}, PEAKS)
        for case in cases
    ]
    meta = {
        "threads": 2,
        "repeats": 3,
        "rounds": 1,
        "warmup": 2,
        "peers": peers,
        "load_average": [0.1, 0.1, 0.1],
        "load_before": 0.1,
        "cpu_count": 4,
        "date": "2024-01-01 00:00:00",
    }
    return {"meta": meta, "peaks": PEAKS, "results": results, "cold_start": []}


def test_format_seconds():
    assert format_seconds(None) == "-"
    assert format_seconds(2e-6) == "2 µs"
    assert format_seconds(0.25) == "250 ms"


def test_summarise_fields():
    row = made_up_result()["results"][0]
    json.dumps(row)  # plain JSON
    assert row["multiplications"] == multiplications(TINY[0])
    assert row["flops"] == 2 * row["multiplications"]
    stats = row["peers"]["refconv"]
    assert stats == {
        "median_s": 1e-3,
        "min_s": 0.9e-3,
        "n": 3,
        "first_s": 0.5,
        "gflops": pytest.approx(row["flops"] / 1e-3 / 1e9),
    }
    assert row["ratio"] == {"scipy": pytest.approx(0.25)}
    assert row["passed"] is None  # tiny cases have no bar
    assert row["roof_pct"] == pytest.approx(100 * stats["gflops"] / row["roof_gflops"])


def test_depthwise_is_judged_by_bytes():
    depthwise = made_up_result()["results"][1]
    # 2 FLOP/B is under the balance point of 50 GFLOP/s over 10 GB/s = 5 FLOP/B.
    assert depthwise["intensity"] < 5 and depthwise["bound"] == "memory"
    assert depthwise["roof_gflops"] == pytest.approx(depthwise["intensity"] * 10.0)


def test_roof():
    assert roof("standard", 6.0, PEAKS) == ("compute", 50.0)
    assert roof("standard", 4.0, PEAKS) == ("memory", 40.0)
    assert roof("depthwise", 100.0, PEAKS) == ("memory", 1000.0)  # always by bytes


def test_bars_against_torch():
    case = replace(CASES_BY_NAME["seed_separable"], size=8)  # bar 1.0
    fast = made_up_result([case], torch_ratio=2.0)["results"][0]  # refconv 2x slower
    slow = made_up_result([case], torch_ratio=0.5)["results"][0]
    assert fast["passed"] is False and slow["passed"] is True
    text = format_report(made_up_result([case], torch_ratio=2.0))
    assert "MISS" in text and "bars: 0 of 1 met: missed seed_separable N=1" in text


def test_report_lists_every_case():
    text = format_report(made_up_result())
    for case in ("tiny standard", "tiny depthwise", "tiny separable", "tiny spatial"):
        assert case in text
    assert "bars: not checked" in text
    assert "WARNING" not in text


def test_report_warns_when_the_machine_was_busy():
    result = made_up_result()
    result["meta"]["load_average"] = [3.9, 3.0, 2.0]  # 4 CPUs, 2 threads wanted
    assert "WARNING: the machine was busy (load average up to 3.9 on 4 CPUs)" in format_report(
        result
    )


def test_cold_start_table():
    rows = [
        {
            "case": "c",
            "title": "standard (im2col)",
            "cold_first_s": 2.5,
            "warm_first_s": 0.02,
            "steady_s": 1e-4,
            "cold_process_s": 4.0,
            "warm_process_s": 1.5,
        }
    ]
    text = format_cold_start(rows)
    assert "standard (im2col)" in text and "2.50 s" in text and "100 µs" in text


def test_performance_figures_from_saved_json(tmp_path):
    scaling = [replace(TINY[2], name=f"t_dw_{size}", size=size) for size in (6, 10)]
    saved = tmp_path / "bench.json"
    saved.write_text(json.dumps(made_up_result((TINY[0], TINY[2], TINY[5], TINY[6], *scaling))))
    performance.use_data(saved)
    try:
        written = [path for figure in performance.FIGURES.values() for path in figure(tmp_path)]
    finally:
        performance.use_data(None)
    assert len(written) == 3 and all(path.stat().st_size > 0 for path in written)
