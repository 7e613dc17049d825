"""ONNX Runtime as a benchmark peer: the models it runs, its settings, its outputs equal
refconv's (small shapes; skipped without onnxruntime and onnx), and the ORT bars in the report.

Nothing is timed here but in the tests marked ``bench``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from refconv.bench import ort
from refconv.bench.cases import CASES, CASES_BY_NAME, Case
from refconv.bench.peers import PEER_CALLS, make_inputs
from refconv.bench.report import format_report, format_results
from refconv.bench.runner import PEERS, default_peers, run_benchmark, summarise

from .test_cases import TINY

HAS_ORT = ort.ort_available()
needs_ort = pytest.mark.skipif(not HAS_ORT, reason="onnxruntime and onnx are not installed")
PEAKS = {"sgemm_gflops": 50.0, "bandwidth_gbs": 10.0, "sgemm_n": 1024}  # made-up roofs


# -- the graphs, as plain data (no onnx needed) ------------------------------------------------


def test_every_family_is_one_or_two_conv_nodes():
    ops = {case.family: [n["op"] for n in ort.graph_nodes(case)] for case in TINY}
    assert ops == {
        "standard": ["Conv"],
        "depthwise": ["Conv"],
        "pointwise": ["Conv"],
        "separable": ["Conv", "Conv"],
        "spatial": ["Conv", "Conv"],
    }


def test_depthwise_nodes_have_one_group_per_channel():
    dw = CASES_BY_NAME["dw_s2_128"]
    (node,) = ort.graph_nodes(dw)
    assert node["attributes"] == {
        "kernel_shape": [3, 3],
        "strides": [2, 2],
        "pads": [1, 1, 1, 1],
        "group": 128,
    }
    first, second = ort.graph_nodes(CASES_BY_NAME["sep_64_128"])
    assert first["attributes"]["group"] == 64 and first["output"] == second["inputs"][0] == "mid"
    assert second["attributes"] == {
        "kernel_shape": [1, 1],
        "strides": [1, 1],
        "pads": [0, 0, 0, 0],
        "group": 1,
    }


def test_spatial_block_strides_and_pads_its_own_axis_in_each_pass():
    case = TINY[-1]  # 5x1 then 1x5, stride 2, padding 2
    column, row = ort.graph_nodes(case)
    assert column["attributes"]["kernel_shape"] == [5, 1] and row["attributes"]["kernel_shape"] == [
        1,
        5,
    ]
    assert column["attributes"]["strides"] == [2, 1] and row["attributes"]["strides"] == [1, 2]
    assert column["attributes"]["pads"] == [2, 0, 2, 0] and row["attributes"]["pads"] == [
        0,
        2,
        0,
        2,
    ]
    assert column["inputs"] == ["x", "column_weight"] and row["inputs"] == ["mid", "row_weight"]


def test_a_family_without_a_model_is_refused():
    with pytest.raises(ValueError, match="no ONNX model"):
        ort.graph_nodes(Case("t", "t", "training", 2, 2, 4))


def test_the_ort_bar_is_1_1_for_every_case_of_the_table_only():
    assert {ort.ort_bar_of(case) for case in CASES} == {1.1}
    assert ort.ort_bar_of(TINY[0]) is None
    assert ort.ort_bar_of(replace(CASES_BY_NAME["dw_64"], size=8)) is None  # not the table's


def test_ort_is_a_peer_and_default_only_when_installed(monkeypatch):
    assert PEERS == ("refconv", "torch", "ort", "scipy") and "ort" in PEER_CALLS
    monkeypatch.setattr("refconv.bench.runner.ort_available", lambda: False)
    assert "ort" not in default_peers()
    monkeypatch.setattr("refconv.bench.runner.ort_available", lambda: True)
    assert "ort" in default_peers()


# -- the models and the sessions ----------------------------------------------------------------


@needs_ort
@pytest.mark.parametrize("case", TINY, ids=[case.name for case in TINY])
def test_the_model_is_valid_onnx_with_the_same_weights(case):
    import onnx
    from onnx import numpy_helper

    arrays = make_inputs(case, batch=2)
    model = onnx.load_from_string(ort.build_model(case, arrays))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == ort.OPSET and model.ir_version == ort.IR_VERSION
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    assert set(weights) == set(arrays) - {"x"}
    for name, weight in weights.items():
        np.testing.assert_array_equal(weight, arrays[name])
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == list(arrays["x"].shape)
    dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    assert dims == [2, case.c_out, case.out_size(), case.out_size()]


@needs_ort
@pytest.mark.parametrize("case", TINY, ids=[case.name for case in TINY])
def test_ort_output_equals_refconvs(case):
    arrays = make_inputs(case, batch=2)
    expected = np.asarray(PEER_CALLS["refconv"](case, arrays)())
    got = PEER_CALLS["ort"](case, arrays)()
    assert got.dtype == np.float32
    assert got.shape == expected.shape == (2, case.c_out, case.out_size(), case.out_size())
    # float32 sums of at most 3*5*5 + 3*5 products of N(0, 1) numbers in different orders
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@needs_ort
@pytest.mark.parametrize("name", ["seed_standard", "seed_separable"])
def test_ort_output_equals_refconvs_on_the_tds_cases(name):
    case = CASES_BY_NAME[name]  # 12x12x3: small enough for a test, at N = 1 and 8
    for batch in (1, 8):
        arrays = make_inputs(case, batch)
        expected = np.asarray(PEER_CALLS["refconv"](case, arrays)())
        np.testing.assert_allclose(
            PEER_CALLS["ort"](case, arrays)(), expected, rtol=1e-4, atol=1e-4
        )


@needs_ort
def test_session_settings():
    import onnxruntime

    options = ort.session_options(3)
    assert options.intra_op_num_threads == 3 and options.inter_op_num_threads == 1
    assert options.graph_optimization_level == onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.execution_mode == onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "1"
    assert ort.settings(3)["intra_op_num_threads"] == 3
    json.dumps(ort.settings(3))


@needs_ort
def test_sessions_take_the_process_thread_count(monkeypatch):
    monkeypatch.setattr(ort, "_threads", 1)
    ort.set_num_threads(2)
    assert ort.num_threads() == 2
    case = TINY[0]
    session = ort.open_session(case, make_inputs(case, 1))
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert session.get_session_options().intra_op_num_threads == 2


# -- the ORT bars in the report (made-up times) --------------------------------------------------


def made_up(case: Case, ort_ratio: float) -> dict:
    """A one-row run_benchmark result: refconv 1 ms, torch 2 ms, ORT 1 / ort_ratio ms."""
    seconds = {"refconv": [1e-3], "torch": [2e-3], "ort": [1e-3 / ort_ratio]}
    row = summarise(case, 1, seconds, dict.fromkeys(seconds, 0.5), PEAKS)
    meta = {
        "threads": 2,
        "repeats": 1,
        "rounds": 1,
        "warmup": 2,
        "peers": ["refconv", "torch", "ort"],
        "load_average": [0.1, 0.1, 0.1],
        "load_before": 0.1,
        "cpu_count": 4,
        "processes": {
            "ort": {"peer": "ort", "onnxruntime": "9.9.9", "ort": ort.settings(2)},
        },
    }
    return {"meta": meta, "peaks": PEAKS, "results": [row], "cold_start": []}


def test_summarise_checks_the_ort_bar():
    case = CASES_BY_NAME["seed_separable"]
    met = made_up(case, ort_ratio=1.05)["results"][0]
    assert met["ort_bar"] == 1.1 and met["ort_passed"] is True
    assert met["ratio"]["ort"] == pytest.approx(1.05)
    missed = made_up(case, ort_ratio=1.2)["results"][0]
    assert missed["ort_passed"] is False and missed["passed"] is True  # torch bar 1.0: 0.5
    tiny = summarise(TINY[0], 1, {"refconv": [1e-3], "ort": [1e-3]}, {}, PEAKS)
    assert tiny["ort_bar"] is None and tiny["ort_passed"] is None


def test_report_shows_ort_bars_as_a_second_column_and_says_how_ort_ran():
    text = format_report(made_up(CASES_BY_NAME["seed_separable"], ort_ratio=1.2))
    header = format_results(made_up(CASES_BY_NAME["seed_separable"], 1.2)).splitlines()[0].split()
    assert header[:7] == ["case", "N", "refconv", "torch", "ort", "ref/torch", "ref/ort"]
    assert header[7:13] == ["bar", "verdict", "ORT", "bar", "ORT", "verdict"]
    assert "ONNX Runtime 9.9.9 (CPU provider): graph optimisations ORT_ENABLE_ALL" in text
    assert "intra_op_num_threads 2, inter_op_num_threads 1" in text
    assert "session.intra_op.allow_spinning 1" in text
    assert "bars: 1 of 1 met" in text
    assert "ORT bars: 0 of 1 met: missed seed_separable N=1 (1.20)" in text


def test_report_without_ort_has_no_ort_columns():
    result = made_up(CASES_BY_NAME["seed_separable"], 1.0)
    result["meta"]["peers"] = ["refconv", "torch"]
    row = result["results"][0]
    row["peers"].pop("ort"), row["ratio"].pop("ort")
    row["ort_passed"] = None
    text = format_report(result)
    assert "ORT" not in text and "ONNX Runtime" not in text


# -- end to end (starts processes, times calls) -------------------------------------------------


@needs_ort
@pytest.mark.bench
def test_run_benchmark_with_ort():
    result = run_benchmark(
        [CASES_BY_NAME["seed_separable"], TINY[3]],
        batches=[1],
        peers=["refconv", "ort"],
        repeats=1,
        rounds=1,
        settle_s=0.0,
        min_turn_s=0.0,
        peaks=PEAKS,
        cold_start=False,
    )
    info = result["meta"]["processes"]["ort"]
    assert info["ort"]["intra_op_num_threads"] == 2 and info["onnxruntime"]
    seed, tiny = result["results"]
    assert seed["ort_bar"] == 1.1 and seed["ort_passed"] in (True, False)
    assert tiny["ort_passed"] is None and tiny["peers"]["ort"]["n"] == 1
    assert "ORT bars: " in format_report(result)


# -- where ORT's time goes (refconv.bench.ort_profile) -------------------------------------------


def test_profile_table_gives_node_shares_of_model_run():
    from refconv.bench.ort_profile import format_profile

    answer = {
        "title": "dw 3x3 + pw",
        "batch": 8,
        "seconds": {
            "ort run": 1.1e-3,
            "  ReorderInput (ReorderInput)": 0.25e-3,
            "  Conv (y_nchwc)": 0.5e-3,
            "ort model_run": 1e-3,
            "refconv": 1.2e-3,
            "  depthwise pass": 0.3e-3,
            "  GEMM alone, pass 2: (128 x 64) @ (64 x 3136)": 0.4e-3,
        },
    }
    lines = format_profile(answer).splitlines()
    assert lines[0] == "dw 3x3 + pw, N=8"
    assert lines[4].split()[-1] == "25%" and lines[5].split()[-1] == "50%"
    # refconv's pass and OpenBLAS's product: no share of ORT's run
    assert lines[8].split()[-2:] == ["300", "µs"] and lines[9].split()[-2:] == ["400", "µs"]


@needs_ort
@pytest.mark.bench
def test_profile_in_process():
    from refconv.bench.ort_profile import profile_in_process

    answer = profile_in_process(CASES_BY_NAME["seed_separable"], 1, threads=1)
    seconds = answer["seconds"]
    assert {"ort run", "ort model_run", "refconv", "  depthwise pass"} <= set(seconds)
    assert any("Conv" in name for name in seconds) and all(s > 0 for s in seconds.values())
    # the pointwise pass's product alone; the depthwise pass is no GEMM
    assert [name for name in seconds if "GEMM" in name] == [
        "  GEMM alone, pass 2: (256 x 3) @ (3 x 64)"
    ]
