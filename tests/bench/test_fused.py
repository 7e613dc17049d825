"""python -m refconv.bench.fused: the traffic a fused block saves, checked against the arrays
the two-call composition really makes; the timed tables run with -m bench."""

from __future__ import annotations

import math

import numpy as np
import pytest

import refconv
from refconv.arguments import spatial_passes
from refconv.bench import fused
from refconv.bench.cases import BYTES_PER_ELEMENT, CASES_BY_NAME, min_bytes
from refconv.bench.peers import make_inputs


@pytest.mark.parametrize("name", fused.BLOCKS)
@pytest.mark.parametrize("batch", [1, 2])
def test_the_intermediate_is_the_first_calls_output(name, batch):
    case = CASES_BY_NAME[name]
    a = make_inputs(case, batch)
    x, s, p = a["x"], case.stride, case.padding
    if case.family == "separable":  # the intermediate is the depthwise step's output
        mid = refconv.depthwise_conv2d(x, a["depthwise_weight"], stride=s, padding=p)
    else:  # K x 1, then 1 x K: the intermediate is the column pass's output
        column, row = a["column_weight"], a["row_weight"]
        (s1, p1, d1), _ = spatial_passes(x.shape, (column.shape[2], row.shape[3]), s, p, 1, "zeros")
        mid = refconv.conv2d(x, column, stride=s1, padding=p1, dilation=d1)
    assert mid.shape == fused.intermediate_shape(case, batch)
    assert fused.saved_bytes(case, batch) == 2 * mid.nbytes == 2 * BYTES_PER_ELEMENT * mid.size


def test_the_traffic_rows_add_up():
    rows = fused.traffic_rows(fused.BLOCKS, [1, 8])
    assert len(rows) == 2 * len(fused.BLOCKS)
    for row, (name, batch) in zip(
        rows, [(n, b) for n in fused.BLOCKS for b in (1, 8)], strict=True
    ):
        total = min_bytes(CASES_BY_NAME[name], batch)
        assert row["two_calls_bytes"] == total
        assert row["fused_bytes"] == total - row["saved_bytes"]
        assert row["saved_share"] == f"{row['saved_bytes'] / total:.0%}"
    # the intermediate grows with the batch, as the arrays do
    assert rows[1]["saved_bytes"] == 8 * rows[0]["saved_bytes"]


def test_the_traffic_table_is_printed_without_timing(capsys):
    assert fused.main(["--traffic"]) == 0
    out = capsys.readouterr().out
    for row in fused.traffic_rows():
        assert row["name"] in out and f"{row['saved_bytes']:,}" in out


@pytest.mark.bench
def test_the_timed_tables_have_every_block_and_call():
    result = fused.measure(["blocks", "overhead"], quick=True)
    blocks = result["traps"]["blocks"]["tables"]
    assert len(blocks) == 2 * len(fused.BLOCKS)
    for table in blocks:
        assert all(math.isfinite(row["median_s"]) and row["median_s"] > 0 for row in table)
    assert np.isfinite(result["meta"]["seconds"])
