"""``refconv bench --scaling``: the thread counts, the series, the table (made-up runs, nothing
timed), and one tiny real run (marked ``bench``)."""

from __future__ import annotations

import argparse
import json

import pytest

from refconv.bench.scaling import (
    SCALING_CASES,
    default_thread_counts,
    format_scaling,
    run_scaling,
    scaling_cases,
    series,
)
from refconv.cli import bench as bench_command

from .test_cases import TINY


def made_up_runs() -> dict:
    """Two thread counts; refconv halves its time on two threads, ORT gains a quarter."""
    times = {1: {"refconv": 2e-3, "ort": 1e-3}, 2: {"refconv": 1e-3, "ort": 0.75e-3}}

    def run(count: int) -> dict:
        row = {
            "case": "dw_64",
            "title": "depthwise 3x3 C=64 56² p1",
            "batch": 8,
            "peers": {peer: {"median_s": s} for peer, s in times[count].items()},
        }
        return {"results": [row], "meta": {"threads": count}}

    meta = {"cpu_count": 2, "load_average": 0.2, "threads": [1, 2]}
    return {"meta": meta, "threads": {"2": run(2), "1": run(1)}}


def test_default_thread_counts_double_up_to_the_cpus():
    assert default_thread_counts(1) == [1]
    assert default_thread_counts(2) == [1, 2]
    assert default_thread_counts(6) == [1, 2, 4, 6]
    assert default_thread_counts(16) == [1, 2, 4, 8, 16]


def test_the_representative_cases_are_table_cases():
    assert [case.name for case in scaling_cases()] == list(SCALING_CASES)
    assert [case.name for case in scaling_cases(["dw_64"])] == ["dw_64"]


def test_series_orders_thread_counts_as_numbers():
    found = series(made_up_runs())
    assert [(e["peer"], e["threads"], e["median_s"]) for e in found] == [
        ("refconv", [1, 2], [2e-3, 1e-3]),
        ("ort", [1, 2], [1e-3, 0.75e-3]),
    ]
    json.dumps(found)


def test_the_table_gives_speed_ups_and_ratios_at_each_count():
    text = format_scaling(made_up_runs())
    lines = text.splitlines()
    assert lines[0].startswith("refconv bench --scaling: threads 1, 2")
    assert "WARNING" not in text
    header = lines[2].split()
    assert header[:5] == ["case", "N", "peer", "T=1", "T=2"]
    refconv, ort = lines[4], lines[5]
    assert refconv.split()[-5:-2] == ["1", "ms", "2.00x"] and " 2 ms " in refconv
    assert ort.split()[-3:] == ["1.33x", "2", "1.33"]  # 2/1.5 faster; ref/ort 2 then 1.33


def test_the_table_warns_on_a_busy_machine():
    runs = made_up_runs()
    runs["meta"]["load_average"] = 2.5
    assert "WARNING: the machine was busy" in format_scaling(runs)


def test_cli_parses_scaling():
    parser = argparse.ArgumentParser()
    bench_command.register(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["bench", "--scaling"]).scaling == []
    assert parser.parse_args(["bench", "--scaling", "1", "4"]).scaling == [1, 4]
    assert parser.parse_args(["bench"]).scaling is None


def test_cli_scaling_refuses_check_and_unknown_cases(capsys):
    assert bench_command.main(["--scaling", "--check"]) == 2
    assert "--check" in capsys.readouterr().err
    assert bench_command.main(["--scaling", "--cases", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


@pytest.mark.bench
def test_run_scaling_tiny():
    data = run_scaling(
        [TINY[2]],
        threads=[1, 2],
        batches=[1],
        peers=["refconv"],
        repeats=1,
        rounds=1,
        settle_s=0.0,
        min_turn_s=0.0,
    )
    assert sorted(data["threads"]) == ["1", "2"] and data["meta"]["threads"] == [1, 2]
    assert [run["meta"]["threads"] for run in data["threads"].values()] == [1, 2]
    (entry,) = series(data)
    assert entry["threads"] == [1, 2] and all(s > 0 for s in entry["median_s"])
    assert "tiny depthwise" in format_scaling(data)
