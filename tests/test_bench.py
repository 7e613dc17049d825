"""Smoke tests of the benchmark harness: it runs, its JSON has the fields, its counts are right.

No timing is asserted (a benchmark is a benchmark, not a unit test); every run here uses tiny
shapes and one repeat. PyTorch parts are skipped when PyTorch is not installed.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

import numpy as np
import pytest

from refconv import bench
from refconv._bench_worker import PEER_CALLS, make_inputs
from refconv.bench import CASES_BY_NAME, Case, min_bytes, multiplications
from refconv.bench_report import format_report, format_seconds
from refconv.commands import bench as bench_command

HAS_TORCH = bench.torch_available()

# Tiny shapes of every family (odd kernels, strides 1 and 2, "same" and valid padding).
TINY = [
    Case("t_std", "tiny standard", "standard", 3, 4, 9, 3, 1, 1),
    Case("t_std_s2", "tiny standard s2 valid", "standard", 2, 3, 10, 5, 2, 0),
    Case("t_dw", "tiny depthwise", "depthwise", 4, 4, 8, 3, 1, 1),
    Case("t_dw_s2", "tiny depthwise s2", "depthwise", 3, 3, 9, 3, 2, 1),
    Case("t_pw", "tiny pointwise", "pointwise", 3, 5, 6, 1),
    Case("t_sep", "tiny separable", "separable", 3, 4, 9, 3, 1, 1),
    Case("t_sp", "tiny spatial", "spatial", 3, 4, 9, 3, 1, 1),
    Case("t_sp_s2", "tiny spatial s2", "spatial", 2, 3, 11, 5, 2, 2),
]


# -- counts: exact values worked by hand ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("seed_standard", 8 * 8 * 256 * 3 * 5 * 5),  # 1,228,800: seed 001's headline number
        ("seed_separable", 8 * 8 * 3 * 5 * 5 + 8 * 8 * 3 * 256),  # 4,800 + 49,152 = 53,952
        ("std_64_64", 56 * 56 * 64 * 64 * 9),  # 115,605,504
        ("std_64_128", 56 * 56 * 128 * 64 * 9),
        ("dw_64", 56 * 56 * 64 * 9),  # 1,806,336
        ("dw_256", 28 * 28 * 256 * 9),
        ("dw_s2_128", 56 * 56 * 128 * 9),  # the output is 56², not 112²
        ("pw_64_128", 56 * 56 * 64 * 128),
        ("sep_64_128", 56 * 56 * 64 * 9 + 56 * 56 * 64 * 128),
        ("spatial_64_64", 2 * 56 * 56 * 64 * 64 * 3),  # 3x1 (64 -> 64) then 1x3 (64 -> 64)
    ],
)
def test_multiplications_of_the_table(name, expected):
    assert multiplications(CASES_BY_NAME[name], batch=1) == expected
    assert multiplications(CASES_BY_NAME[name], batch=8) == 8 * expected
    assert bench.flops(CASES_BY_NAME[name], batch=8) == 16 * expected


def test_seed_numbers_as_integers():
    assert multiplications(CASES_BY_NAME["seed_standard"]) == 1_228_800
    assert multiplications(CASES_BY_NAME["seed_separable"]) == 53_952


def test_min_bytes_by_hand():
    # pointwise 3 -> 5 on 6x6: reads 3*36 inputs and 15 weights, writes 5*36 outputs.
    assert min_bytes(TINY[4], batch=1) == 4 * (3 * 36 + 15 + 5 * 36)
    # depthwise 3x3, 4 channels, 8x8, pad 1: 4*64 in, 4*9 weights, 4*64 out.
    assert min_bytes(TINY[2], batch=2) == 4 * (2 * 4 * 64 + 36 + 2 * 4 * 64)
    # separable: the 4x9x9 intermediate is written by the depthwise pass and read back.
    dw, pw = 3 * 81 + 27 + 3 * 81, 3 * 81 + 12 + 4 * 81
    assert min_bytes(TINY[5], batch=1) == 4 * (dw + pw)
    assert bench.intensity(TINY[5]) == pytest.approx(2 * multiplications(TINY[5]) / (4 * (dw + pw)))


def _cost_of(cost, case: Case):
    """The same case counted by :mod:`refconv.cost` (an independent implementation)."""
    shape = (case.c_in, case.size, case.size)
    k, s, p, o = case.kernel, case.stride, case.padding, case.c_out
    if case.family == "standard":
        return cost.conv2d_cost(shape, o, k, s, p, bias=False)
    if case.family == "depthwise":
        return cost.depthwise_conv2d_cost(shape, k, 1, s, p, bias=False)
    if case.family == "pointwise":
        return cost.pointwise_conv2d_cost(shape, o, bias=False)
    if case.family == "separable":
        return cost.separable_conv2d_cost(shape, o, k, 1, s, p, bias=False)
    return cost.spatial_separable_conv2d_cost(shape, o, k, None, s, p, bias=False)


@pytest.mark.parametrize("case", [*bench.CASES, *TINY], ids=lambda case: case.name)
def test_counts_agree_with_refconv_cost(case):
    cost = pytest.importorskip("refconv.cost")
    assert multiplications(case) == _cost_of(cost, case).multiplications


def test_output_sizes():
    assert CASES_BY_NAME["dw_s2_128"].out_size() == 56
    assert CASES_BY_NAME["seed_standard"].out_size() == 8
    assert CASES_BY_NAME["std_64_64"].out_size() == 56


def test_unknown_case_names_are_reported():
    with pytest.raises(ValueError, match="nope"):
        bench.select_cases(["std_64_64", "nope"])


def test_format_seconds():
    assert format_seconds(None) == "-"
    assert format_seconds(2e-6) == "2 µs"
    assert format_seconds(0.25) == "250 ms"


# -- the peers compute the same thing -----------------------------------------------------------


@pytest.mark.parametrize("case", TINY, ids=[case.name for case in TINY])
@pytest.mark.parametrize("peer", ["scipy", "torch"])
def test_peers_agree_with_refconv(case, peer):
    if peer == "torch" and not HAS_TORCH:
        pytest.skip("PyTorch is not installed")
    arrays = make_inputs(case, batch=2)
    expected = np.asarray(PEER_CALLS["refconv"](case, arrays)())
    got = np.asarray(PEER_CALLS[peer](case, arrays)())
    assert got.shape == expected.shape == (2, case.c_out, case.out_size(), case.out_size())
    # float32 sums of at most 3*5*5 + 3*5 products of N(0, 1) numbers, summed in different
    # orders: a few float32 ulps of the sum's magnitude.
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


# -- the harness runs end to end ----------------------------------------------------------------

PEAKS = {"sgemm_gflops": 50.0, "bandwidth_gbs": 10.0}  # made-up roofs for the smoke runs


@pytest.fixture(scope="module")
def smoke_result():
    scaling = [replace(TINY[2], name=f"t_dw_{size}", size=size) for size in (6, 10)]
    peers = ["refconv", "scipy", *(["torch"] if HAS_TORCH else [])]
    return bench.run_benchmark([TINY[0], TINY[2], TINY[5], TINY[6], *scaling], batches=[1],
                               peers=peers, repeats=1, rounds=1, settle_s=0.0,
                               min_turn_s=0.0, peaks=PEAKS, cold_start=False)


def test_time_calls_stopping_rules(monkeypatch):
    from refconv import _bench_worker

    calls = []

    def nap():
        calls.append(1)
        time.sleep(0.002)

    times, first = _bench_worker.time_calls(nap, repeats=3, warmup=0)
    assert len(times) == 3 and first is None
    # min_s: past the repeats until the timed calls have taken that long
    times, _ = _bench_worker.time_calls(nap, repeats=2, warmup=0, min_s=0.03)
    assert len(times) > 2 and sum(times) >= 0.03
    assert sum(times[:-1]) < 0.03  # and stopped at the first call that reached it
    # budget_s wins over repeats and min_s; at least one call is timed
    times, _ = _bench_worker.time_calls(nap, repeats=100, warmup=0, budget_s=0.0, min_s=1.0)
    assert len(times) == 1
    monkeypatch.setattr(_bench_worker, "MAX_CALLS", 5)
    times, _ = _bench_worker.time_calls(nap, repeats=1, warmup=0, min_s=10.0)
    assert len(times) == 5


def test_run_benchmark_fields(smoke_result):
    result = json.loads(json.dumps(smoke_result))  # it is plain JSON
    assert set(result) == {"meta", "peaks", "results", "cold_start"}
    assert result["meta"]["threads"] == 2
    assert len(result["results"]) == 6
    row = result["results"][0]
    for field in ("case", "title", "family", "batch", "spec", "multiplications", "flops",
                  "min_bytes", "intensity", "bound", "roof_gflops", "roof_pct", "peers",
                  "ratio", "bar", "passed"):
        assert field in row, field
    assert row["multiplications"] == multiplications(TINY[0])
    assert row["flops"] == 2 * row["multiplications"]
    assert set(row["peers"]) == set(result["meta"]["peers"])
    stats = row["peers"]["refconv"]
    assert stats["n"] == 1 and stats["median_s"] > 0 and stats["first_s"] > 0
    assert stats["gflops"] == pytest.approx(row["flops"] / stats["median_s"] / 1e9)
    assert row["ratio"]["scipy"] == pytest.approx(stats["median_s"]
                                                  / row["peers"]["scipy"]["median_s"])
    assert row["passed"] is None  # tiny cases have no bar
    # 2 FLOP/B is under the balance point of 50 GFLOP/s over 10 GB/s = 5 FLOP/B.
    depthwise = result["results"][1]
    assert depthwise["intensity"] < 5 and depthwise["bound"] == "memory"
    assert depthwise["roof_gflops"] == pytest.approx(depthwise["intensity"] * 10.0)


def test_report_lists_every_case(smoke_result):
    text = format_report(smoke_result)
    for case in ("tiny standard", "tiny depthwise", "tiny separable", "tiny spatial"):
        assert case in text
    assert "bars:" in text


def test_performance_figures_from_saved_json(smoke_result, tmp_path):
    performance = pytest.importorskip("refconv.plotting.performance")
    saved = tmp_path / "bench.json"
    saved.write_text(json.dumps(smoke_result))
    performance.use_data(saved)
    try:
        written = [path for figure in performance.FIGURES.values()
                   for path in figure(tmp_path)]
    finally:
        performance.use_data(None)
    assert len(written) == 3 and all(path.stat().st_size > 0 for path in written)


def test_peaks_are_measured():
    peaks = bench.measure_peaks(threads=1, quick=True)
    assert peaks["sgemm_gflops"] > 0 and peaks["bandwidth_gbs"] > 0


def test_cold_start_rows():
    # A 1x1 convolution compiles nothing (it is one matrix product): the plumbing, quickly.
    rows = bench.measure_cold_start([TINY[4]], threads=1)
    assert len(rows) == 1
    for field in ("cold_first_s", "warm_first_s", "steady_s", "cold_process_s",
                  "warm_process_s"):
        assert rows[0][field] > 0


# -- the command line ---------------------------------------------------------------------------


def test_register_adds_bench():
    parser = argparse.ArgumentParser()
    bench_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--quick", "--batch", "1", "8", "--threads", "1"])
    assert args.func is bench_command.run
    assert args.batch == [1, 8] and args.threads == 1 and args.quick


def test_cli_list_and_errors(capsys):
    assert bench_command.main(["--list"]) == 0
    assert "seed_standard" in capsys.readouterr().out
    assert bench_command.main(["--cases", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_cli_json(tmp_path, capsys):
    path = tmp_path / "out.json"
    code = bench_command.main(["--quick", "--cases", "seed_separable", "--peers", "refconv",
                               "--repeats", "1", "--rounds", "1", "--json", str(path)])
    assert code == 0
    result = json.loads(path.read_text())
    assert result["results"][0]["multiplications"] == 53_952
    assert "seed" in capsys.readouterr().out


@pytest.mark.skipif(HAS_TORCH, reason="checks the message shown without PyTorch")
def test_check_needs_torch(capsys):
    assert bench_command.main(["--check", "--cases", "seed_separable"]) == 2
    assert "PyTorch" in capsys.readouterr().err
