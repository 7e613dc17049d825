"""Figures for operation counting: the TDS example, a sweep over C_out and K against the
``1/N + 1/K^2`` formula, and MobileNet v1's per-layer and per-type breakdowns.

Each function takes the output folder and returns the PNG paths it wrote; :data:`FIGURES`
maps a figure's name to its function. All counts come from :mod:`refconv.counting`: its
closed forms and :func:`~refconv.summary` (exact multiplications, no bias).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import models
from ..counting import (
    Summary,
    SummaryRow,
    compare_convolutions,
    conv2d_cost,
    separable_conv2d_cost,
    summary,
)
from .style import new_figure, save

COLORS = {
    "standard": "#c0392b",
    "depthwise": "#2e86c1",
    "pointwise": "#85c1e9",
    "spatial": "#27ae60",
    "Conv 3x3": "#c0392b",
    "Conv DW 3x3": "#2e86c1",
    "Conv 1x1": "#85c1e9",
    "Fully Connected": "#7f8c8d",
}


def tds_example(out_dir: Path) -> list[Path]:
    """Multiplications per convolution type for 12x12x3, 5x5 kernels, 256 outputs (the
    TDS introduction's example), on a linear axis: a bar's length is its count.

    (On a log axis a stacked bar lies: 4,800 of 53,952 would look like a third of it.) The
    one count past the axis, the spatially separable block with 256 channels between its
    passes, is cut at the edge and labelled.
    """
    rows = {r.name: r.multiplications for r in compare_convolutions()}
    narrow = compare_convolutions(intermediate_channels=3)[-1].multiplications
    standard = rows["standard"]
    fig, ax = new_figure(8.4, 4.2)
    labels = [
        "standard\n5x5x3 x 256",
        "depthwise + pointwise\n(Keras SeparableConv2D)",
        "spatially separable\n5x1 (3->3) + 1x5 (3->256)",
        "spatially separable\n5x1 (3->256) + 1x5 (256->256)",
    ]
    values = [standard, rows["depthwise + pointwise"], narrow, rows["spatial 5x1 + 1x5"]]
    colors = [COLORS["standard"], COLORS["pointwise"], COLORS["spatial"], COLORS["spatial"]]
    right = 1.45 * standard  # the axis ends here; a longer bar is cut
    y = np.arange(len(values))[::-1]
    ax.barh(y, [min(v, right) for v in values], color=colors, height=0.6)
    ax.barh(y[1], rows["depthwise"], color=COLORS["depthwise"], height=0.6)
    for yi, v in zip(y, values, strict=True):
        if v > right:
            ax.text(
                right * 0.98,
                yi,
                f"{v:,} →\n{v / standard:.1f} x standard, off the axis",
                va="center",
                ha="right",
                fontsize=9,
                color="white",
                weight="bold",
            )
        else:
            ratio = "" if v == standard else f"  ({v / standard:.3f} x standard)"
            ax.text(v + right * 0.01, yi, f"{v:,}{ratio}", va="center", fontsize=9)
    ax.annotate(
        f"depthwise {rows['depthwise']:,} + pointwise {rows['pointwise']:,}",
        (rows["depthwise + pointwise"] / 2, y[1] - 0.32),
        xytext=(right * 0.3, y[1] - 0.45),
        fontsize=9,
        va="top",
        arrowprops={"arrowstyle": "->", "lw": 0.8},
    )
    ax.set_xlim(0, right)
    ax.set_yticks(y, labels, fontsize=9)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v / 1e6:g}M" if v else "0")
    ax.set_xlabel("multiplications (linear axis)")
    ax.set_title("12x12x3 input, 5x5 kernels, 256 output channels, no padding")
    ax.grid(axis="x", alpha=0.25)
    return [save(fig, out_dir / "counting_tds_example.png")]


def sweep(out_dir: Path) -> list[Path]:
    """Separable / standard multiplications over C_out for K = 1, 3, 5, 7, with 1/N + 1/K^2."""
    fig, (left, right) = new_figure(11.0, 4.4, ncols=2)
    outs = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
    for k, color in zip((3, 5, 7), ("#2e86c1", "#27ae60", "#8e44ad"), strict=True):
        std = [
            conv2d_cost((32, 16, 16), int(n), k, padding="same", bias=False).multiplications
            for n in outs
        ]
        sep = [
            separable_conv2d_cost(
                (32, 16, 16), int(n), k, padding="same", bias=False
            ).multiplications
            for n in outs
        ]
        left.plot(outs, std, "-", color=color, label=f"standard, K={k}")
        left.plot(outs, sep, "--", color=color, label=f"depthwise + pointwise, K={k}")
        ratio = np.array(sep) / np.array(std)
        right.plot(outs, ratio, "o", color=color, label=f"exact count, K={k}")
        dense = np.logspace(0, np.log10(1024), 200)
        right.plot(
            dense,
            1 / dense + 1 / k**2,
            "-",
            color=color,
            alpha=0.6,
            label=f"1/N + 1/K² = 1/N + 1/{k * k}",
        )
    right.axhline(1.0, color="black", lw=0.8)
    right.text(1024, 1.12, "above 1: separable costs more", fontsize=8, ha="right")
    right.set_ylim(0.015, 2.0)
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("output channels N")
        ax.grid(which="both", alpha=0.25)
    left.set_ylabel("multiplications")
    left.set_title("16x16x32 input, 'same' padding", fontsize=10)
    left.legend(fontsize=7, frameon=False)
    right.set_ylabel("separable / standard")
    right.set_title("the ratio is exactly 1/N + 1/K² (input channels cancel)", fontsize=10)
    right.legend(fontsize=7, frameon=False, loc="lower left")
    return [save(fig, out_dir / "counting_sweep.png")]


def _mobilenet_rows() -> tuple[Summary, list[tuple[SummaryRow, str]]]:
    """MobileNet v1 1.0-224 at 224x224, and its conv / FC rows with the paper's type names."""
    s = summary(models.mobilenet_v1(), (3, 224, 224))
    kinds = {
        "Conv2d": "Conv 3x3",
        "DepthwiseConv2d": "Conv DW 3x3",
        "PointwiseConv2d": "Conv 1x1",
        "Linear": "Fully Connected",
    }
    return s, [(r, kinds[r.layer]) for r in s.rows if r.layer in kinds]


def mobilenet_layers(out_dir: Path) -> list[Path]:
    """MobileNet v1 1.0-224: Mult-Adds and parameters of every conv / FC layer, one row a
    layer (names written level, at a readable size)."""
    s, rows = _mobilenet_rows()
    fig, (left, right) = new_figure(10.0, 8.0, ncols=2, sharey=True)
    y = np.arange(len(rows))[::-1]  # first layer on top
    colors = [COLORS[kind] for _, kind in rows]
    left.barh(y, [r.macs / 1e6 for r, _ in rows], color=colors)
    right.barh(y, [r.params / 1e3 for r, _ in rows], color=colors)
    left.set_yticks(y, [r.name.replace("conv_", "") for r, _ in rows], fontsize=9)
    left.set_xlabel("Mult-Adds (millions)")
    right.set_xlabel("parameters (thousands)")
    fig.suptitle(
        f"MobileNet v1 1.0-224: {s.total_macs / 1e6:.1f}M Mult-Adds (paper: 569M), "
        f"conv + FC layers, BN excluded",
        fontsize=11,
    )
    handles = [
        left.barh(0, 0, color=COLORS[k], label=k)
        for k in ("Conv 3x3", "Conv DW 3x3", "Conv 1x1", "Fully Connected")
    ]
    right.legend(handles=handles, fontsize=9, frameon=False, loc="upper right")
    for ax in (left, right):
        ax.grid(axis="x", alpha=0.25)
        ax.set_ylim(-0.6, len(rows) - 0.4)
    return [save(fig, out_dir / "counting_mobilenet_layers.png")]


def mobilenet_types(out_dir: Path) -> list[Path]:
    """MobileNet v1 share of Mult-Adds and parameters by layer type, exact vs paper Table 2."""
    _, rows = _mobilenet_rows()
    kinds = ["Conv 1x1", "Conv DW 3x3", "Conv 3x3", "Fully Connected"]
    paper = {
        "Conv 1x1": (94.86, 74.59),
        "Conv DW 3x3": (3.06, 1.06),
        "Conv 3x3": (1.19, 0.02),
        "Fully Connected": (0.18, 24.33),
    }
    macs = {k: sum(r.macs for r, kind in rows if kind == k) for k in kinds}
    weights = {k: sum(r.params - r.cost.bias_adds for r, kind in rows if kind == k) for k in kinds}
    fig, axes = new_figure(11.0, 4.2, ncols=2)
    for ax, values, column, title in (
        (axes[0], macs, 0, "share of Mult-Adds"),
        (axes[1], weights, 1, "share of parameters (weights)"),
    ):
        total = sum(values.values())
        exact = [100 * values[k] / total for k in kinds]
        printed = [paper[k][column] for k in kinds]
        y = np.arange(len(kinds))[::-1]
        ax.barh(y + 0.18, exact, height=0.36, color=[COLORS[k] for k in kinds], label="exact count")
        ax.barh(
            y - 0.18, printed, height=0.36, color="white", edgecolor="black", label="paper, Table 2"
        )
        for yi, e, p in zip(y, exact, printed, strict=True):
            inside = max(e, p) > 70  # a long bar holds its own label, the axis ends at 100 %
            ax.text(
                max(e, p) - 1.5 if inside else max(e, p) + 1.5,
                yi,
                f"{e:.2f}% / {p:.2f}%",
                va="center",
                ha="right" if inside else "left",
                fontsize=9,
                color="#c0392b" if abs(e - p) > 0.006 else "black",
                bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5} if inside else None,
            )
        ax.set_yticks(y, kinds)
        ax.set_xlim(0, 100)
        ax.set_xlabel("percent (exact / printed)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.suptitle(
        "MobileNet v1 1.0-224 by layer type: Conv 3x3 is 1.91% of the Mult-Adds, "
        "not the printed 1.19%",
        fontsize=10,
    )
    return [save(fig, out_dir / "counting_mobilenet_types.png")]


FIGURES = {
    "counting_tds_example": tds_example,
    "counting_sweep": sweep,
    "counting_mobilenet_layers": mobilenet_layers,
    "counting_mobilenet_types": mobilenet_types,
}
