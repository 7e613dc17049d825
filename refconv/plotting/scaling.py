"""Time against threads for refconv, ONNX Runtime and PyTorch: the ``scaling`` topic.

One panel per case and batch size: each peer's median time at each thread count (log-log),
with a dotted line for perfect scaling from that peer's one-thread time (time / T). The data
are what ``refconv bench --scaling --json PATH`` writes (:func:`refconv.bench.scaling.run_scaling`)
or its :func:`~refconv.bench.scaling.series`:

* from that JSON when one is named (``REFCONV_SCALING_JSON``, or :func:`use_data`);
* otherwise from :data:`STORED`, the run quoted in docs/performance.md ("Time against
  threads"): a scaling run times three libraries at several thread counts for minutes, too
  long for ``refconv plot`` to make on its own. The footer says which.

To draw this machine's::

    refconv bench --scaling --json scaling.json
    REFCONV_SCALING_JSON=scaling.json refconv plot --topic scaling --out figures
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..bench.cases import CASES
from ..bench.scaling import series
from .style import new_figure, save

DATA_ENV = "REFCONV_SCALING_JSON"

PEER_STYLE = {  # colour and marker of each peer
    "refconv": ("tab:red", "o"),
    "torch": ("tab:blue", "s"),
    "ort": ("tab:green", "^"),
    "scipy": ("tab:gray", "v"),
}
PEER_LABEL = {"refconv": "refconv", "torch": "PyTorch", "ort": "ONNX Runtime", "scipy": "SciPy"}

#: The scaling run quoted in docs/performance.md, "Time against threads" (median seconds),
#: as ``refconv bench --scaling --json`` wrote it, in scaling_run.json beside this module.
STORED: dict[str, Any] = json.loads(Path(__file__).with_name("scaling_run.json").read_text())

_data_path: Path | None = None


def use_data(path: str | Path | None) -> None:
    """Draw the next figures from this JSON file (None: the environment, else :data:`STORED`)."""
    global _data_path
    _data_path = None if path is None else Path(path)


def load(path: str | Path) -> dict[str, Any]:
    """``{"meta", "series"}`` from a ``refconv bench --scaling --json`` output (or that form)."""
    data = json.loads(Path(path).read_text())
    if "series" in data:
        return data
    meta = {**data.get("meta", {}), "source": str(path)}
    return {"meta": meta, "series": series(data)}


def data() -> dict[str, Any]:
    """The measurements the figure draws (see the module docstring for where they come from)."""
    path = _data_path or (Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else None)
    return STORED if path is None else load(path)


def _footer(meta: dict[str, Any]) -> str:
    where = "stored run" if meta.get("source") == "stored" else "measured"
    return f"{meta.get('date', '?')}, {meta.get('cpu_count', '?')} CPUs, median times ({where})"


def thread_scaling(out_dir: Path) -> list[Path]:
    """Median time against threads, one panel per case and batch size, one line per peer."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    found = data()
    entries = found["series"]
    panels = list(dict.fromkeys((e["batch"], e["case"]) for e in sorted(entries, key=_order)))
    columns = min(3, max(1, len(panels)))
    rows = max(1, -(-len(panels) // columns))
    top, bottom = 0.6, 0.3  # inches above the panels (title, legend) and below (footer)
    height = 2.45 * rows + top + bottom
    fig, axes = new_figure(3.4 * columns, height, nrows=rows, ncols=columns, squeeze=False)
    counts = sorted({t for e in entries for t in e["threads"]}) or [1]
    flat = [ax for row in axes for ax in row]
    for ax, (batch, case) in zip(flat, panels, strict=False):
        title = case
        for e in entries:
            if e["case"] != case or e["batch"] != batch:
                continue
            colour, marker = PEER_STYLE.get(e["peer"], ("black", "x"))
            threads = np.array(e["threads"], dtype=float)
            ms = np.array(e["median_s"]) * 1e3
            ax.plot(threads, ms, marker=marker, color=colour, label=PEER_LABEL.get(e["peer"]))
            ideal = ms[0] * threads[0] / threads  # perfect scaling from the fewest threads
            ax.plot(threads, ideal, color=colour, ls=":", lw=1.0)
            title = e["title"]
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(counts, [str(t) for t in counts])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_xlim(counts[0] / 1.3, counts[-1] * 1.3)
        ax.set_title(f"{title}, N={batch}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, which="major", alpha=0.3)
        ax.set_xlabel("threads", fontsize=8)
        ax.set_ylabel("median time (ms)", fontsize=8)
    for ax in flat[len(panels) :]:
        ax.set_visible(False)
    if not entries:
        flat[0].set_visible(True)
        flat[0].text(0.5, 0.5, "no scaling run", ha="center", transform=flat[0].transAxes)
    handles, labels = [], []
    for peer in PEER_STYLE:
        if any(e["peer"] == peer for e in entries):
            colour, marker = PEER_STYLE[peer]
            handles.append(flat[0].plot([], [], marker=marker, color=colour)[0])
            labels.append(PEER_LABEL[peer])
    handles.append(flat[0].plot([], [], color="black", ls=":", lw=1.0)[0])
    labels.append("perfect scaling (time / T)")
    fig.suptitle(
        "Time against threads (every pool of every peer sized to T)",
        fontsize=10,
        y=1.0 - 0.06 / height,
        va="top",
    )
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0 - 0.32 / height),
        ncol=len(labels),
        fontsize=8,
        frameon=False,
    )
    fig.tight_layout(rect=(0.0, bottom / height, 1.0, 1.0 - top / height))
    return [save(fig, out_dir / "scaling_threads.png", footer=_footer(found["meta"]), tight=False)]


def _order(entry: dict[str, Any]) -> tuple[int, int]:
    """Panels batch by batch, cases in the table's order (unknown cases last)."""
    names = [case.name for case in CASES]
    return entry["batch"], names.index(entry["case"]) if entry["case"] in names else len(names)


FIGURES = {"scaling_threads": thread_scaling}
