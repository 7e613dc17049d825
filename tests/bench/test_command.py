"""``refconv bench`` / ``scripts/bench.py``: options, the case list, errors, a tiny JSON run."""

from __future__ import annotations

import argparse
import json

import pytest

from refconv.bench.runner import torch_available
from refconv.cli import bench as bench_command


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


@pytest.mark.bench
def test_cli_json(tmp_path, capsys):
    path = tmp_path / "out.json"
    code = bench_command.main(
        [
            "--quick",
            "--cases",
            "seed_separable",
            "--peers",
            "refconv",
            "--repeats",
            "1",
            "--rounds",
            "1",
            "--json",
            str(path),
        ]
    )
    assert code == 0
    result = json.loads(path.read_text())
    assert result["results"][0]["multiplications"] == 53_952
    assert "TDS 12²x3 dw5x5+pw ->256" in capsys.readouterr().out  # the table, too


@pytest.mark.skipif(torch_available(), reason="checks the message shown without PyTorch")
def test_check_needs_torch(capsys):
    assert bench_command.main(["--check", "--cases", "seed_separable"]) == 2
    assert "PyTorch" in capsys.readouterr().err


def test_a_peer_asked_for_but_not_installed_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr("refconv.bench.ort.ort_available", lambda: False)
    assert bench_command.main(["--peers", "refconv", "ort", "--cases", "seed_separable"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--peers ort: needs onnxruntime and onnx" in err
    assert bench_command.main(["--scaling", "--peers", "ort"]) == 2
    assert "--peers ort" in capsys.readouterr().err


def test_list_shows_both_bars(capsys):
    assert bench_command.main(["--list"]) == 0
    assert "bar ≤0.7, ORT bar ≤1.1" in capsys.readouterr().out
    assert bench_command.main(["--list", "--json"]) == 0
    cases = json.loads(capsys.readouterr().out)
    assert {case["ort_bar"] for case in cases} == {1.1}
