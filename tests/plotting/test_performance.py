"""The performance figures can be trusted (the "Performance" issue, item 5).

The demo's figures swung 100x between runs on a busy machine (370x and 0.017x for
neighbouring bars of the speed-up chart; roofline points far above the roof, unexplained):
two threads were timed on two busy cores, three calls a case, one round, and the load was
not shown. These tests hold the new rules: the cases take turns in rounds on one thread in a
worker process (a fake one here: no timing in unit tests), every bar carries the lowest and
highest round, the load average over the CPUs is written on every figure (red when the
machine was busy), the roofline says why a point can sit above a roof, and nothing reaches
stderr unless asked for.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from refconv.plotting import performance, performance_data

PERF_JSON = Path(__file__).with_name("performance_small.json")


def drawn(function: Any, tmp_path: Path) -> Figure:
    """Run a performance figure function; return the Figure it saved, drawn."""
    kept: list[Figure] = []
    original = performance.save

    def keep(fig: Figure, path: Path, *args: object, **kwargs: object) -> Path:
        kept.append(fig)
        return original(fig, path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(performance, "save", keep)
        function(tmp_path)
    (fig,) = kept
    FigureCanvasAgg(fig).draw()
    return fig


def saved(data: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Draw the next figures from ``data``."""
    path = tmp_path / "performance.json"
    path.write_text(json.dumps(data))
    performance.use_data(path)
    request.addfinalizer(lambda: performance.use_data(None))


@pytest.fixture
def small() -> dict[str, Any]:
    return json.loads(PERF_JSON.read_text())


def row(median: float, rounds: list[float] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"peers": {"refconv": {"median_s": median}}}
    if rounds is not None:
        found["round_medians_s"] = rounds
    return found


# ---------------------------------------------------------------- the numbers behind a bar


def test_a_bar_spans_its_lowest_and_highest_round():
    assert performance_data.spread(row(2.0, [1.5, 2.0, 3.0])) == (2.0, 1.5, 3.0)
    # the median of every call can lie outside the rounds' medians: the bar still holds it
    assert performance_data.spread(row(2.0, [2.5, 3.0])) == (2.0, 2.0, 3.0)
    assert performance_data.spread(row(2.0)) == (2.0, 2.0, 2.0)  # a bench run: no rounds


def test_a_speed_up_spans_the_ratios_of_the_same_round():
    standard, separable = row(8.0, [6.0, 8.0, 12.0]), row(2.0, [2.0, 2.0, 3.0])
    # rounds: 6/2 = 3, 8/2 = 4, 12/3 = 4 -- a slow round slows both, and cancels
    assert performance_data.ratio_spread(standard, separable) == (4.0, 3.0, 4.0)
    assert performance_data.ratio_spread(row(8.0), row(2.0)) == (4.0, 4.0, 4.0)


def test_the_load_is_per_cpu_from_either_kind_of_run():
    meta = {"load_per_cpu": [0.5, 1.5, 1.0]}
    assert performance_data.load_per_cpu(meta) == (0.5, 1.5)
    assert performance_data.busy(meta)
    bench = {"load_before": 1.0, "load_average": [3.0, 2.0, 1.0], "cpu_count": 4}
    assert performance_data.load_per_cpu(bench) == (0.25, 0.75)
    assert not performance_data.busy(bench)
    assert performance_data.load_per_cpu({}) is None and not performance_data.busy({})


# ---------------------------------------------------------------- the measurement


class FakeWorker:
    """Answers like refconv.bench.worker.Worker, with fixed times: no process, no clock."""

    asked: ClassVar[list[tuple[str, int, int]]] = []
    roofs: ClassVar[int] = 0

    def __init__(self, peer: str, threads: int) -> None:
        self.threads = threads

    def __enter__(self) -> FakeWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def ask(self, **request: Any) -> dict[str, Any]:
        if request["op"] == "sgemm":  # the roofs: better in the last round
            FakeWorker.roofs += 1
            return {"gflops": 40.0 + FakeWorker.roofs}
        if request["op"] == "bandwidth":
            return {"gbs": 10.0}
        name = request["case"]["name"]
        FakeWorker.asked.append((name, self.threads, request["warmup"]))
        return {"times": [1e-3, 2e-3, 3e-3], "first_s": 0.5}


@pytest.fixture
def fake_worker(monkeypatch: pytest.MonkeyPatch) -> type[FakeWorker]:
    FakeWorker.asked, FakeWorker.roofs = [], 0
    monkeypatch.setattr(performance_data, "Worker", FakeWorker)
    return FakeWorker


def test_the_cases_take_turns_round_by_round_on_one_thread(fake_worker, capsys):
    data = performance_data.collect(quick=True)
    everything, subset = performance_data.sweep_cases()
    rounds = performance_data.ROUNDS[True]
    one = [(name, w) for name, t, w in fake_worker.asked if t == 1]
    # every case once per round, in order; the first round warms up more (it compiles)
    assert [name for name, _ in one] == [case.name for case in everything] * rounds
    assert {w for _, w in one[: len(everything)]} == {2} and {
        w for _, w in one[len(everything) :]
    } == {1}
    assert sorted({t for _, t, _ in fake_worker.asked}) == [1, 2]
    assert [r["case"] for r in data["threads"]["2"]["results"]] == [c.name for c in subset]
    first = data["threads"]["1"]["results"][0]
    assert first["round_medians_s"] == [2e-3] * rounds
    assert first["peers"]["refconv"]["n"] == 3 * rounds
    meta = data["threads"]["1"]["meta"]
    assert meta["threads"] == 1 and meta["rounds"] == rounds
    assert len(meta["load_per_cpu"]) == rounds + 1  # before the first round, after each
    peaks = data["threads"]["1"]["peaks"]  # measured round by round, the best round kept
    assert peaks["rounds"]["sgemm_gflops"] == [41.0 + r for r in range(rounds)]
    assert peaks["sgemm_gflops"] == 40.0 + rounds and peaks["bandwidth_gbs"] == 10.0
    assert data["threads"]["2"]["peaks"] is peaks  # the two-thread run shares them
    assert capsys.readouterr() == ("", "")  # silent unless a progress function is given


def test_progress_goes_only_where_it_is_sent(fake_worker, capsys):
    heard: list[str] = []
    performance_data.collect(quick=True, progress=heard.append)
    assert any("round 1/" in line for line in heard) and any("GFLOP/s" in line for line in heard)
    assert capsys.readouterr() == ("", "")


# ---------------------------------------------------------------- the figures


def _footer(fig: Figure) -> Any:
    (footer,) = [t for t in fig.texts if t.get_text().startswith("measured ")]
    return footer


@pytest.mark.parametrize(
    "function", [performance.roofline, performance.separable_speedup, performance.scaling]
)
def test_every_figure_shows_the_load_and_how_it_was_timed(function, small, tmp_path, request):
    saved(small, tmp_path, request)
    footer = _footer(drawn(function, tmp_path))
    text = footer.get_text()
    assert "on 1 thread, 3 rounds of 30-30 calls per case" in text
    assert "error bars: the lowest and highest round's median" in text
    assert "load average 0.4-0.6 per CPU (2 CPUs)" in text and "busy" not in text
    assert footer.get_color() == "gray"


def test_a_busy_machine_is_said_in_red(small, tmp_path, request):
    for run in small["threads"].values():
        run["meta"]["load_per_cpu"] = [3.2, 3.5]
    saved(small, tmp_path, request)
    fig = drawn(performance.separable_speedup, tmp_path)
    footer = _footer(fig)
    assert "load average 3.2-3.5 per CPU" in footer.get_text()
    assert "a busy machine" in footer.get_text() and footer.get_color() == "tab:red"


def test_the_speed_up_bars_carry_the_rounds_spread(small, tmp_path, request):
    one = small["threads"]["1"]["results"]
    by_name = {r["case"]: r for r in one}
    by_name["t_std"]["round_medians_s"] = [4e-5, 5e-5, 9e-5]
    by_name["t_sep"]["round_medians_s"] = [2e-5, 2e-5, 3e-5]
    saved(small, tmp_path, request)
    ax = drawn(performance.separable_speedup, tmp_path).axes[0]
    measured = [c for c in ax.containers if isinstance(c, BarContainer) and c.errorbar]
    tops, bottoms = [], []
    for container in measured:
        (segments,) = container.errorbar.lines[2]
        for (_, y0), (_, y1) in segments.get_segments():
            bottoms.append(y0)
            tops.append(y1)
    ratio = (
        by_name["t_std"]["peers"]["refconv"]["median_s"]
        / by_name["t_sep"]["peers"]["refconv"]["median_s"]
    )
    low, high = min(2.0, 2.5, 3.0, ratio), max(2.0, 2.5, 3.0, ratio)  # 4/2, 5/2, 9/3
    assert any(
        np.isclose(b, low) and np.isclose(t, high) for b, t in zip(bottoms, tops, strict=True)
    )
    assert any(t.get_text() == f"{ratio:.1f}×" for t in ax.texts)  # the bar's value, written


def test_the_roofline_says_why_a_point_sits_above_a_roof(small, tmp_path, request):
    saved(small, tmp_path, request)
    fig = drawn(performance.roofline, tmp_path)
    caption = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Effective GFLOP/s" in caption and "fit in the cache" in caption
    assert "Winograd" in caption and "method='winograd'" in caption
    assert "ringed" not in caption  # no point is above its roof in these numbers
    assert fig.axes[0].get_ylabel().startswith("effective GFLOP/s")
    for run in small["threads"].values():
        run["peaks"]["sgemm_gflops"], run["peaks"]["bandwidth_gbs"] = 0.01, 0.001
    saved(small, tmp_path, request)
    fig = drawn(performance.roofline, tmp_path)
    caption = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Here 7 point(s) sit above the roof (ringed)." in caption


def test_a_bench_run_without_rounds_draws_without_error_bars(small, tmp_path, request):
    run = copy.deepcopy(small["threads"]["1"])
    for result in run["results"]:
        del result["round_medians_s"]
    del run["meta"]["load_per_cpu"]
    run["meta"].update(load_before=0.5, load_average=[0.7, 0.5, 0.5])
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(run))  # the form of refconv bench --json PATH
    performance.use_data(path)
    request.addfinalizer(lambda: performance.use_data(None))
    text = _footer(drawn(performance.separable_speedup, tmp_path)).get_text()
    assert "no rounds kept: no error bars" in text and "load average 0.2-0.3 per CPU" in text


def test_the_summary_gives_each_bar_its_median_and_spread(small):
    lines = performance.summary_lines(small)
    assert lines[0].startswith("7 cases timed on 1 thread in 3 rounds at 2026-01-01 00:00:00")
    assert lines[0].endswith("load average 0.4-0.6 per CPU")
    sep = next(line for line in lines if "depthwise-separable" in line)
    std = small["threads"]["1"]["results"][0]["peers"]["refconv"]["median_s"]
    dws = small["threads"]["1"]["results"][2]["peers"]["refconv"]["median_s"]
    assert f"{std / dws:6.2f}x [" in sep  # rounds 0.9, 1, 1.25 of each: the same ratios
    assert any(line.startswith("  2 thread(s) tiny standard") for line in lines)
