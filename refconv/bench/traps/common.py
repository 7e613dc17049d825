"""What every trap shares: a fresh process per measurement, and rows with ratios.

A trap's result is ``{"title": ..., "tables": [rows, ...]}``; each row a dict with a ``name``
and numbers (``min_s``, ``median_s``, ``calls`` from :func:`refconv.bench.timing.measure`,
and the trap's own), and ``ratio``: its median over the first row's.

>>> with_ratios([{"name": "a", "median_s": 2.0}, {"name": "b", "median_s": 3.0}])
[{'name': 'a', 'median_s': 2.0, 'ratio': 1.0}, {'name': 'b', 'median_s': 3.0, 'ratio': 1.5}]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..processes import pool_env, run_in_process


def with_ratios(rows: list[dict[str, Any]], baseline: int = 0) -> list[dict[str, Any]]:
    """Add ``ratio`` = median / the baseline row's median to every row."""
    base = rows[baseline]["median_s"]
    return [{**row, "ratio": row["median_s"] / base} for row in rows]


def in_child(
    function: Callable[..., dict[str, Any]],
    params: dict[str, Any],
    threads: int,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``function(**params)`` in a fresh process with ``threads`` threads per pool.

    The child starts with OpenMP's default wait policy (``OMP_WAIT_POLICY`` removed) unless
    ``extra_env`` sets it; ``extra_env`` is applied last.
    """
    env = pool_env(threads, extra_env, drop=("OMP_WAIT_POLICY",))
    return run_in_process(function, params, env)
