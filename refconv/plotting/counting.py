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
    TDS introduction's example)."""
    rows = {r.name: r.multiplications for r in compare_convolutions()}
    fig, ax = new_figure(8.0, 4.2)
    labels = [
        "standard\n5x5x3 x 256",
        "depthwise + pointwise\n(Keras SeparableConv2D)",
        "spatially separable\n5x1 (3->256) + 1x5 (256->256)",
        "spatially separable\n5x1 (3->3) + 1x5 (3->256)",
    ]
    narrow = compare_convolutions(intermediate_channels=3)[-1].multiplications
    values = [rows["standard"], rows["depthwise + pointwise"], rows["spatial 5x1 + 1x5"], narrow]
    colors = [COLORS["standard"], COLORS["depthwise"], COLORS["spatial"], COLORS["spatial"]]
    y = np.arange(len(values))[::-1]
    ax.barh(y, values, color=colors, height=0.6)
    # the depthwise + pointwise bar split into its two steps
    ax.barh(y[1], rows["depthwise"], color="#1b4f72", height=0.6, label="depthwise part")
    for yi, v in zip(y, values, strict=True):
        ax.text(v * 1.15, yi, f"{v:,}", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(1e3, 2e8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlabel("multiplications (log scale)")
    ax.set_title("12x12x3 input, 5x5 kernels, 256 output channels, no padding")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", which="both", alpha=0.25)
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
    """MobileNet v1 1.0-224: Mult-Adds and parameters of every conv / FC layer."""
    s, rows = _mobilenet_rows()
    fig, (top, bottom) = new_figure(11.0, 6.0, nrows=2, sharex=True)
    x = np.arange(len(rows))
    colors = [COLORS[kind] for _, kind in rows]
    top.bar(x, [r.macs / 1e6 for r, _ in rows], color=colors)
    bottom.bar(x, [r.params / 1e3 for r, _ in rows], color=colors)
    top.set_ylabel("Mult-Adds (millions)")
    bottom.set_ylabel("parameters (thousands)")
    bottom.set_xticks(x, [r.name.replace("conv_", "") for r, _ in rows], rotation=90, fontsize=8)
    top.set_title(
        f"MobileNet v1 1.0-224: {s.total_macs / 1e6:.1f}M Mult-Adds (paper: 569M), "
        f"conv + FC layers, BN excluded"
    )
    handles = [
        top.bar(0, 0, color=COLORS[k], label=k)
        for k in ("Conv 3x3", "Conv DW 3x3", "Conv 1x1", "Fully Connected")
    ]
    top.legend(handles=handles, fontsize=8, frameon=False)
    for ax in (top, bottom):
        ax.grid(axis="y", alpha=0.25)
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
            ax.text(
                max(e, p) + 1.5,
                yi,
                f"{e:.2f}% / {p:.2f}%",
                va="center",
                fontsize=8,
                color="#c0392b" if abs(e - p) > 0.006 else "black",
            )
        ax.set_yticks(y, kinds)
        ax.set_xlim(0, 125)
        ax.set_xlabel("percent (exact / printed)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, frameon=False, loc="center right")
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
