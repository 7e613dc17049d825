"""``method="auto"`` beside the timed methods (refconv.bench.choose, scripts/choose_method.py).

The judging and the table are checked on made-up times; the timing itself runs as a benchmark
(``-m bench``), on two small shapes.
"""

from __future__ import annotations

import pytest

from refconv.arguments import conv_geometry
from refconv.bench.choose import AUTO_METHODS, SHAPES, format_rows, judge, time_methods
from refconv.kernels import choose_method


def test_auto_picks_direct_or_im2col_on_every_shape():
    picks = {}
    for label, x_shape, w_shape, padding, groups in SHAPES:
        geo = conv_geometry(x_shape, w_shape, 1, padding, 1, groups, "zeros")
        picks[label] = choose_method(x_shape, w_shape, geo.stride, geo.pads, geo.dilation, groups)
    assert set(picks.values()) == set(AUTO_METHODS)  # never winograd
    assert picks["depthwise 3x3, 64 ch, 56^2"] == "direct"  # one channel per group
    assert picks["grouped 3x3, 2 ch/group"] == "direct"  # Og = 2 < 8
    assert picks["standard 3x3, 64 -> 64, 56^2"] == "im2col"  # 3x3 with 64 channels


def test_judge():
    row = judge("a", {"direct": 1e-3, "im2col": 2e-3}, "im2col")
    assert row["fastest"] == "direct" and row["auto_missed"]
    assert row["winograd_speedup"] is None  # winograd did not apply
    row = judge("b", {"direct": 3e-3, "im2col": 2e-3, "winograd": 1e-3}, "im2col")
    assert row["fastest"] == "im2col" and not row["auto_missed"]
    assert row["winograd_speedup"] == pytest.approx(2.0)


def test_format_rows():
    rows = [
        judge("three by three", {"direct": 3e-3, "im2col": 2e-3, "winograd": 1e-3}, "im2col"),
        judge("one by one", {"direct": 1e-3, "im2col": 2e-3}, "im2col"),
    ]
    text = format_rows(rows).splitlines()
    assert text[1].split() == [
        "three",
        "by",
        "three",
        "3.000ms",
        "2.000ms",
        "1.000ms",
        "im2col",
        "im2col",
    ]
    assert text[2].split()[3:] == [
        "1.000ms",
        "2.000ms",
        "-",
        "direct",
        "im2col",
        "<-",
        "auto",
        "picked",
        "the",
        "slower",
        "one",
    ]
    assert text[3] == "auto picked the faster of direct and im2col in 1 of 2 shapes"
    assert text[4] == (
        "winograd (which auto never picks) was faster than auto's pick in 1 of "
        "2 shapes, up to 2.00x"
    )


@pytest.mark.bench
def test_time_methods_on_small_shapes():
    shapes = [
        ("tiny 3x3", (1, 8, 12, 12), (8, 8, 3, 3), 1, 1),
        ("tiny 1x1", (1, 8, 6, 6), (4, 8, 1, 1), 0, 1),
    ]
    rows = time_methods(shapes, repeats=1)
    assert [row["label"] for row in rows] == ["tiny 3x3", "tiny 1x1"]
    assert set(rows[0]["times"]) == {"direct", "im2col", "winograd"}
    assert set(rows[1]["times"]) == {"direct", "im2col"}  # winograd: 3x3 only
    assert all(t > 0 for row in rows for t in row["times"].values())
    assert "auto picked the faster" in format_rows(rows)
