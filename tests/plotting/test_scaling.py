"""The scaling figure (refconv.plotting.scaling): drawn from fixed numbers, never measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from refconv.plotting import TOPICS, figures, scaling


def runs() -> dict:
    """A made-up ``refconv bench --scaling --json`` output: two cases, N = 1 and 8, 1-4 threads."""

    def run(count: int) -> dict:
        rows = [
            {
                "case": case,
                "title": title,
                "batch": batch,
                "peers": {
                    peer: {"median_s": base * batch / count**share}
                    for peer, base, share in (
                        ("refconv", 1e-3, 0.9),
                        ("torch", 1.5e-3, 0.8),
                        ("ort", 0.8e-3, 0.7),
                    )
                },
            }
            for batch in (1, 8)
            for case, title in (("dw_64", "depthwise"), ("seed_separable", "TDS separable"))
        ]
        return {"results": rows, "meta": {"threads": count}}

    meta = {"date": "2024-01-01 00:00:00", "cpu_count": 4, "threads": [1, 2, 4]}
    return {"meta": meta, "threads": {str(t): run(t) for t in (1, 2, 4)}}


def drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Figure:
    kept: list[Figure] = []
    original = scaling.save

    def keep(fig: Figure, path: Path, *args: object, **kwargs: object) -> Path:
        kept.append(fig)
        return original(fig, path, *args, **kwargs)

    monkeypatch.setattr(scaling, "save", keep)
    (path,) = scaling.thread_scaling(tmp_path)
    assert path.name == "scaling_threads.png" and path.read_bytes()[:4] == b"\x89PNG"
    (fig,) = kept
    FigureCanvasAgg(fig).draw()
    return fig


def test_registered_as_a_topic():
    assert "scaling" in TOPICS and list(figures(("scaling",))) == ["scaling_threads"]


def test_one_panel_per_case_and_batch_one_line_per_peer(tmp_path, monkeypatch):
    saved = tmp_path / "scaling.json"
    saved.write_text(json.dumps(runs()))
    scaling.use_data(saved)
    try:
        fig = drawn(tmp_path, monkeypatch)
    finally:
        scaling.use_data(None)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        "depthwise, N=1",
        "TDS separable, N=1",
        "depthwise, N=8",
        "TDS separable, N=8",
    ]
    for ax in panels:
        solid = [
            line for line in ax.get_lines() if line.get_linestyle() == "-" and line.get_xdata().size
        ]
        assert len(solid) == 3  # refconv, PyTorch, ONNX Runtime
        assert [list(line.get_xdata()) for line in solid] == [[1, 2, 4]] * 3
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    first = panels[0].get_lines()
    assert first[0].get_ydata()[0] == pytest.approx(1.0)  # refconv, 1 thread: 1 ms
    ideal = first[1]  # dotted: time / T from one thread
    assert ideal.get_linestyle() == ":" and list(ideal.get_ydata()) == pytest.approx([1, 0.5, 0.25])
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["refconv", "PyTorch", "ONNX Runtime", "perfect scaling (time / T)"]
    assert any("measured" in t.get_text() and "4 CPUs" in t.get_text() for t in fig.texts)


def test_the_title_legend_and_footer_do_not_overlap_the_panels(tmp_path, monkeypatch):
    monkeypatch.setenv(scaling.DATA_ENV, str(tmp_path / "s.json"))
    (tmp_path / "s.json").write_text(json.dumps(runs()))
    fig = drawn(tmp_path, monkeypatch)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = fig.legends[0].get_window_extent(renderer)
    title = fig._suptitle.get_window_extent(renderer)  # type: ignore[union-attr]
    assert legend.y1 <= title.y0
    for ax in fig.axes:
        if ax.get_visible():
            assert ax.title.get_window_extent(renderer).y1 <= legend.y0
            assert ax.xaxis.label.get_window_extent(renderer).y0 > 0


def test_without_a_named_run_the_stored_one_is_drawn(tmp_path, monkeypatch):
    monkeypatch.delenv(scaling.DATA_ENV, raising=False)
    assert scaling.data() is scaling.STORED
    fig = drawn(tmp_path, monkeypatch)
    assert any("stored run" in t.get_text() for t in fig.texts)


def test_a_saved_series_loads_as_it_is(tmp_path):
    path = tmp_path / "series.json"
    path.write_text(json.dumps(scaling.STORED))
    assert scaling.load(path) == scaling.STORED
