"""How refconv times a call: the one timing loop every measurement in :mod:`refconv.bench` uses.

A single call of a fast kernel is too short and too noisy to mean anything, and the first
calls of a round are slower than the steady state (the first compiles or loads Numba's cache;
after a pause the thread pools sleep, the caches are cold and the cores have clocked down).
So :func:`time_calls` makes untimed warm-up calls first, then times calls one by one with
``time.perf_counter``, and :func:`summary` reports the median (robust to the odd slow call)
and the minimum (the least disturbed call).

>>> clock = FakeClock()
>>> def work():
...     clock.advance(0.25)          # each call "takes" a quarter of a second
>>> times, first = time_calls(work, repeats=3, warmup=1, clock=clock)
>>> times, first
([0.25, 0.25, 0.25], 0.25)
>>> summary(times)
{'min_s': 0.25, 'median_s': 0.25, 'calls': 3}
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

MAX_CALLS = 1000  # timed calls of one time_calls, at most
MAX_WARMUP_CALLS = 100  # warm-up calls at most, unless warmup asks for more

Clock = Callable[[], float]


class FakeClock:
    """A clock that moves only when told to: for tests and examples of the timing rules."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


def time_calls(
    fn: Callable[[], Any],
    repeats: int,
    warmup: int,
    budget_s: float = float("inf"),
    warm_s: float = 0.1,
    min_s: float = 0.0,
    before: Callable[[], Any] | None = None,
    max_calls: int = MAX_CALLS,
    clock: Clock = time.perf_counter,
) -> tuple[list[float], float | None]:
    """``warmup`` untimed calls, then up to ``repeats`` timed ones within ``budget_s`` seconds.

    Parameters
    ----------
    fn : callable
        The call to time, without arguments.
    repeats : int
        Timed calls wanted (at least one is always made).
    warmup : int
        Untimed calls first. With ``warmup > 0`` they go on until ``warm_s`` seconds have
        passed (at most :data:`MAX_WARMUP_CALLS` calls): after a pause, thread pools sleep,
        caches are cold and the cores have clocked down (a 0.12 ms depthwise call took 0.18 ms
        two seconds after a large GEMM), so the first calls of a round are slower than the
        steady state -- for every peer alike.
    budget_s : float
        Stop timing once this many seconds have gone by since the first timed call.
    warm_s : float
        The least duration of the warm-up (see ``warmup``).
    min_s : float
        With ``min_s > 0`` the timed calls go on past ``repeats`` until they have taken
        ``min_s`` seconds together (at most ``max_calls`` calls), so that a case of
        microseconds gets a median of many calls rather than of a handful.
    before : callable, optional
        Called, untimed, before every call (warm-up and timed): what the timed call should
        follow, e.g. a refconv call before a matmul that competes with its threads.
    max_calls : int
        Timed calls at most.
    clock : callable
        Seconds as a float; ``time.perf_counter`` (tests pass a :class:`FakeClock`).

    Returns
    -------
    times : list of float
        The duration of each timed call, in seconds (at least one).
    first : float or None
        The duration of the first warm-up call (it compiles or loads Numba's cache), or
        ``None`` without warm-up.
    """
    first = None
    warm_start = clock()
    i = 0
    while i < warmup or (warmup and i < MAX_WARMUP_CALLS and clock() - warm_start < warm_s):
        if before is not None:
            before()
        t0 = clock()
        fn()
        if i == 0:
            first = clock() - t0
        i += 1
    times: list[float] = []
    timed = 0.0  # the sum of the timed calls (the loop's own time is not counted)
    start = clock()
    while len(times) < max_calls:
        if before is not None:
            before()
        t0 = clock()
        fn()
        t1 = clock()
        times.append(t1 - t0)
        timed += t1 - t0
        if t1 - start > budget_s or (len(times) >= repeats and timed >= min_s):
            break
    return times, first


def summary(times: list[float]) -> dict[str, float]:
    """``{"min_s", "median_s", "calls"}`` of a list of durations in seconds."""
    return {"min_s": min(times), "median_s": statistics.median(times), "calls": len(times)}


def measure(
    fn: Callable[[], Any],
    repeats: int,
    warmup: int = 2,
    warm_s: float = 0.1,
    before: Callable[[], Any] | None = None,
) -> dict[str, float]:
    """:func:`summary` of ``repeats`` timed calls after at least 0.1 s of warm-up calls.

    The usual way to time one variant of a measurement: ``measure(fn, 30)["median_s"]``.
    """
    times, _ = time_calls(fn, repeats, warmup=warmup, warm_s=warm_s, before=before)
    return summary(times)
