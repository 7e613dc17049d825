"""Regression tests for figures that misled or could not be read (the learner's path, item 7).

Each test draws one figure, keeps the Figure that ``save`` receives, and checks the fault is
gone: the footer of the measured figures overlapped the x-label of the scaling plot; the
edges figure's colour bar wrote "1e-16" into the next panel; the spectra legend said "(7x)"
for a 7x7 kernel; the percentages ran to 125; the rank-2 residual of the low-rank figure was
drawn on the rank-1 scale, blank; the TDS counts were stacked on a log axis, where 4,800 of
53,952 looks like a third; MobileNet's layer names were 8-point text turned on their side.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from refconv.plotting import counting, performance, separability
from refconv.plotting import style as plotting_style

PERF_JSON = Path(__file__).with_name("performance_small.json")


def drawn(module: object, function: Callable[[Path], list[Path]], tmp_path: Path) -> Figure:
    """Run a figure function; return the Figure it saved, laid out and drawn."""
    kept: list[Figure] = []
    original = module.save  # type: ignore[attr-defined]

    def keep(fig: Figure, path: Path, *args: object, **kwargs: object) -> Path:
        kept.append(fig)
        return original(fig, path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "save", keep)
        function(tmp_path)
    (fig,) = kept
    FigureCanvasAgg(fig).draw()
    return fig


@pytest.fixture
def measured(request: pytest.FixtureRequest) -> None:
    performance.use_data(PERF_JSON)
    request.addfinalizer(lambda: performance.use_data(None))


@pytest.mark.usefixtures("measured")
@pytest.mark.parametrize("function", [performance.scaling, performance.roofline])
def test_the_footer_sits_below_every_label(function: Callable, tmp_path: Path) -> None:
    fig = drawn(performance, function, tmp_path)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (footer,) = [t for t in fig.texts if t.get_text().startswith("measured ")]
    assert "thread" in footer.get_text() and "load average" in footer.get_text()
    boxes = [t.get_window_extent(renderer) for t in fig.texts]  # the footer and the caption
    for box in boxes:
        for ax in fig.axes:
            label = ax.xaxis.label.get_window_extent(renderer)
            assert box.y1 <= label.y0, "the footer or the caption overlaps an x-label"
            for tick in ax.get_xticklabels():
                if tick.get_text():
                    assert not box.overlaps(tick.get_window_extent(renderer))
    if len(boxes) == 2:  # the caption stands above the footer, clear of it
        assert not boxes[0].overlaps(boxes[1])


@pytest.mark.usefixtures("measured")
def test_the_threads_panel_labels_are_level_and_readable(tmp_path: Path) -> None:
    right = drawn(performance, performance.scaling, tmp_path).axes[1]
    labels = [t for t in right.get_yticklabels() if t.get_text()]
    assert "tiny standard" in [t.get_text() for t in labels]  # the cases name the rows
    assert all(t.get_rotation() == 0 and t.get_fontsize() >= 8 for t in labels)


def test_the_edges_colour_bar_has_no_offset_text(tmp_path: Path) -> None:
    fig = drawn(separability, separability.edges, tmp_path)
    bar = fig.axes[-1]
    assert bar.yaxis.get_offset_text().get_text() == ""
    assert "ε" in bar.get_ylabel() and "ε" in fig.axes[3].get_title()


def test_the_spectra_legend_says_k_by_k(tmp_path: Path) -> None:
    fig = drawn(separability, separability.spectra, tmp_path)
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert "sobel7_x (7×7)" in labels and "laplacian8 (3×3)" in labels
    assert not any(label.endswith("x)") for label in labels)


def test_the_rank_2_residual_has_its_own_scale(tmp_path: Path) -> None:
    fig = drawn(separability, separability.low_rank_figure, tmp_path)
    rank1, rank2 = fig.axes[4], fig.axes[5]
    for ax in (rank1, rank2):
        (image,) = ax.get_images()
        data = np.asarray(image.get_array())
        _, high = image.get_clim()
        assert high == pytest.approx(np.abs(data).max())  # the residual fills its colours
    assert rank2.get_images()[0].get_clim()[1] < 1e-14 < rank1.get_images()[0].get_clim()[1]
    assert "rounding noise" in rank2.get_xlabel()


def test_percentages_end_at_100(tmp_path: Path) -> None:
    fig = drawn(counting, counting.mobilenet_types, tmp_path)
    for ax in fig.axes:
        assert ax.get_xlim() == (0.0, 100.0)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        inside = ax.get_window_extent(renderer)
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert inside.x0 <= box.x0 and box.x1 <= inside.x1, text.get_text()


def test_the_tds_counts_are_drawn_to_scale(tmp_path: Path) -> None:
    ax = drawn(counting, counting.tds_example, tmp_path).axes[0]
    assert ax.get_xscale() == "linear" and ax.get_xlim()[0] == 0
    widths = sorted(round(p.get_width()) for p in ax.patches)
    assert 4_800 in widths and 53_952 in widths and 1_228_800 in widths
    assert any("21,340,160" in t.get_text() and "off the axis" in t.get_text() for t in ax.texts)


def test_mobilenet_layer_names_are_level_and_readable(tmp_path: Path) -> None:
    left = drawn(counting, counting.mobilenet_layers, tmp_path).axes[0]
    labels = [t for t in left.get_yticklabels() if t.get_text()]
    assert len(labels) == 28 and labels[0].get_text() in ("conv1", "fc")
    assert all(t.get_rotation() == 0 and t.get_fontsize() >= 9 for t in labels)


def test_save_keeps_room_for_a_footer(tmp_path: Path) -> None:
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_xlabel("x")
    plotting_style.save(fig, tmp_path / "f.png", footer="a footer")
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    (footer,) = fig.texts
    assert footer.get_window_extent(renderer).y1 <= ax.xaxis.label.get_window_extent(renderer).y0
