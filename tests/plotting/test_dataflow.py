"""refconv.plotting.dataflow: the data-flow diagrams draw what refconv's trace finds.

The diagram's data (which cells are filled, which grids are linked) is compared with the
structure of each family, worked out here from its definition: a standard filter reads a
5x5 window of every channel, a grouped one its group's channels, a depthwise output channel
``c*M + m`` input channel ``c`` only, a pointwise output one pixel of each channel.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refconv.plotting import dataflow
from refconv.plotting.dataflow import Diagram, Grid

WINDOW = {(r, c) for r in range(5) for c in range(5)}  # the 5x5 window of y[., 0, 0]


def _column(diagram: Diagram, k: int) -> dict[str, Grid]:
    return {grid.label: grid for grid in diagram.columns[k][1]}


def _sources(diagram: Diagram, target: Grid) -> set[str]:
    """The grids whose lines reach ``target`` through one kernel slice."""
    kernels = {id(start) for start, _, end, _, _ in diagram.links if end is target}
    return {start.label for start, _, end, _, _ in diagram.links if id(end) in kernels}


@pytest.fixture(scope="module")
def diagrams() -> dict[str, Diagram]:
    return {family: dataflow.diagram(family)[1] for family in dataflow.FAMILIES}


def test_standard_every_channel_through_one_filter(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["standard"]
    inputs, kernels, outputs = _column(d, 0), _column(d, 1), _column(d, 2)
    assert list(inputs) == ["x[0]", "x[1]", "x[2]"]
    assert all(grid.cells == WINDOW for grid in inputs.values())
    assert list(kernels) == ["w[0, 0]", "w[0, 1]", "w[0, 2]"]
    assert all(len(grid.cells) == 25 for grid in kernels.values())
    assert list(outputs) == ["y[0]"] and outputs["y[0]"].cells == {(0, 0)}
    assert outputs["y[0]"].depth == 2  # 255 more channels behind
    assert _sources(d, outputs["y[0]"]) == set(inputs)
    assert "1,228,800 multiplications" in d.caption and "75 pixels" in d.caption


def test_grouped_each_half_reads_its_own_channels(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["grouped"]
    outputs = _column(d, 2)
    assert set(outputs) == {"y[0]", "y[128]"}
    assert _sources(d, outputs["y[0]"]) == {"x[0]", "x[1]"}
    assert _sources(d, outputs["y[128]"]) == {"x[2]", "x[3]"}
    assert "819,200" in d.caption and "1,638,400" in d.caption


def test_depthwise_channels_never_mix(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["depthwise"]
    outputs = _column(d, 2)
    assert list(outputs) == [f"y[{o}]" for o in range(6)]
    for o in range(6):
        assert _sources(d, outputs[f"y[{o}]"]) == {f"x[{o // 2}]"}
        assert outputs[f"y[{o}]"].color == _column(d, 0)[f"x[{o // 2}]"].color
    assert "9,600" in d.caption and "4,800" in d.caption


def test_pointwise_reads_one_pixel_of_every_channel(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["pointwise"]
    inputs = _column(d, 0)
    assert all(grid.cells == {(0, 0)} for grid in inputs.values())
    assert all((g.rows, g.cols) == (1, 1) for g in _column(d, 1).values())
    assert "49,152" in d.caption


def test_separable_three_windows_then_three_values(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["separable"]
    assert [title.split("\n")[0] for title, _ in d.columns] == [
        "input x",
        "depthwise 5x5",
        "then t",
        "pointwise 1x1",
        "output y",
    ]
    middle = _column(d, 2)
    assert all(grid.cells == {(0, 0)} for grid in middle.values())
    for c in range(3):
        assert _sources(d, middle[f"t[{c}]"]) == {f"x[{c}]"}
    assert _sources(d, _column(d, 4)["y[0]"]) == set(middle)
    assert "4,800 + 49,152 = 53,952" in d.caption and "1,228,800" in d.caption


def test_spatial_reads_a_5x5x3_window_through_15_values(diagrams: dict[str, Diagram]) -> None:
    d = diagrams["spatial"]
    assert all(grid.cells == WINDOW for grid in _column(d, 0).values())
    middle = _column(d, 2)
    assert all(grid.cells == {(0, c) for c in range(5)} for grid in middle.values())
    assert len(_column(d, 1)) == 9  # column[r, c]: 3 x 3 slices of 5x1
    assert "250,080" in d.caption


def test_every_figure_is_written(tmp_path: Path) -> None:
    for name, write in dataflow.FIGURES.items():
        (path,) = write(tmp_path)
        assert path.name == f"{name}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
