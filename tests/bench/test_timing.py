"""The one timing loop's rules, checked on a fake clock: no test here waits or times anything."""

from __future__ import annotations

import pytest

from refconv.bench.timing import FakeClock, measure, summary, time_calls

STEP = 1 / 512  # a power of two: sums of steps are exact, so the counts below are too


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def stepping(clock: FakeClock, calls: list[str] | None = None, name: str = "fn"):
    """A call that takes STEP seconds on ``clock`` (and notes itself in ``calls``)."""

    def fn() -> None:
        if calls is not None:
            calls.append(name)
        clock.advance(STEP)

    return fn


def test_repeats_without_warmup(clock):
    times, first = time_calls(stepping(clock), repeats=3, warmup=0, clock=clock)
    assert times == [STEP] * 3 and first is None


def test_min_s_goes_past_repeats_and_stops_at_the_first_call_that_reaches_it(clock):
    times, _ = time_calls(stepping(clock), repeats=2, warmup=0, min_s=30 * STEP, clock=clock)
    assert len(times) == 30  # 30 calls of STEP make min_s exactly


def test_budget_wins_over_repeats_and_min_s(clock):
    times, _ = time_calls(
        stepping(clock), repeats=100, warmup=0, budget_s=0.0, min_s=1.0, clock=clock
    )
    assert len(times) == 1  # at least one call is always timed
    times, _ = time_calls(stepping(clock), repeats=100, warmup=0, budget_s=4.5 * STEP, clock=clock)
    assert len(times) == 5  # the fifth call ends past the budget


def test_max_calls(clock):
    times, _ = time_calls(
        stepping(clock), repeats=1, warmup=0, min_s=10.0, max_calls=5, clock=clock
    )
    assert len(times) == 5


def test_warmup_by_count_then_by_time(clock):
    calls: list[str] = []
    fn = stepping(clock, calls)
    _, first = time_calls(fn, repeats=1, warmup=3, warm_s=0.0, clock=clock)
    assert len(calls) == 3 + 1 and first == STEP
    calls.clear()
    time_calls(fn, repeats=1, warmup=1, warm_s=10 * STEP, clock=clock)
    assert len(calls) == 10 + 1  # warm-up calls until warm_s has passed
    calls.clear()
    time_calls(fn, repeats=1, warmup=1, warm_s=1e9, clock=clock)
    assert len(calls) == 100 + 1  # MAX_WARMUP_CALLS at most


def test_before_runs_untimed_before_every_call(clock):
    calls: list[str] = []
    fn = stepping(clock, calls, "fn")

    def before() -> None:
        calls.append("before")
        clock.advance(1.0)  # a long call before: not counted in the times

    times, first = time_calls(fn, repeats=2, warmup=1, warm_s=0.0, before=before, clock=clock)
    assert calls == ["before", "fn"] * 3
    assert times == [STEP, STEP] and first == STEP


def test_summary():
    assert summary([3.0, 1.0, 2.0, 10.0]) == {"min_s": 1.0, "median_s": 2.5, "calls": 4}


def test_measure_makes_the_calls_it_reports():
    calls = []
    result = measure(lambda: calls.append(1), repeats=7, warmup=2, warm_s=0.0)
    assert result["calls"] == 7 and len(calls) == 2 + 7
    assert 0 <= result["min_s"] <= result["median_s"]
