"""Figures for separability: kernel = column x row, singular-value spectra, low-rank
approximations, and separable edge detection on a photograph.

Each function takes the output folder and returns the PNG paths it wrote; :data:`FIGURES`
maps a figure's name to its function.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import cbook
from matplotlib.axes import Axes
from matplotlib.image import imread

from ..separability import (
    analyze,
    default_tol,
    filter_full,
    filter_separable,
    filters,
    low_rank,
    separate,
)
from .style import new_figure, save

#: The TDS introduction's separable 3x3 kernel ("Image 1: Separating a 3x3 kernel spatially").
TDS_KERNEL = np.array([[3, 6, 9], [4, 8, 12], [5, 10, 15]])

CMAP = "RdBu_r"  # diverging: negative blue, zero white, positive red


def _matrix(ax: Axes, values: np.ndarray, vmax: float, title: str = "") -> None:
    """Draw a small matrix with its values written in the cells."""
    values = np.atleast_2d(values)
    ax.imshow(values, cmap=CMAP, vmin=-vmax, vmax=vmax)
    for (i, j), v in np.ndenumerate(values):
        text = f"{v:d}" if values.dtype.kind == "i" else f"{v:.2g}"
        ax.text(
            j,
            i,
            text,
            ha="center",
            va="center",
            fontsize=11,
            color="white" if abs(v) > 0.6 * vmax else "black",
        )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)


def _symbol(ax: Axes, text: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=22)


def decomposition(out_dir: Path) -> list[Path]:
    """Sobel-x and the TDS example's 3x3 kernel written as column x row, values in the cells."""
    examples = [("Sobel-x", filters.sobel()), ("TDS example", TDS_KERNEL)]
    fig, axes = new_figure(
        7.0, 4.6, nrows=2, ncols=5, gridspec_kw={"width_ratios": [3, 0.8, 1, 0.8, 3]}
    )
    for row_axes, (name, kernel) in zip(axes, examples, strict=True):
        column, row = separate(kernel)
        vmax = float(np.abs(kernel).max())
        _matrix(row_axes[0], kernel, vmax, f"{name} (3x3)")
        _symbol(row_axes[1], "=")
        _matrix(row_axes[2], column[:, None], vmax, "column\n(3x1)")
        _symbol(row_axes[3], "⊗")
        # the 1x3 row, drawn in the middle of a 3x3 cell grid so sizes match
        _matrix(row_axes[4], row[None, :], vmax, "row (1x3)")
    fig.suptitle("A rank-1 kernel is an outer product: 9 weights from 3 + 3", fontsize=11)
    return [save(fig, out_dir / "separability_decomposition.png")]


def spectra(out_dir: Path) -> list[Path]:
    """sigma_2 / sigma_1 of every zoo kernel against the rank-1 tolerance, and a few spectra."""
    names = list(filters.ZOO)
    results = {name: analyze(filters.make(name)) for name in names}
    floor = 1e-18  # where an exactly zero sigma_2 is drawn on the log axis
    fig, (left, right) = new_figure(9.0, 4.4, ncols=2, gridspec_kw={"width_ratios": [1.1, 1]})
    ratios = [max(results[n].ratio, floor) for n in names]
    colours = ["tab:blue" if results[n].is_separable else "tab:red" for n in names]
    y = np.arange(len(names))
    left.barh(y, ratios, color=colours, left=floor / 10)
    left.set_xscale("log")
    left.set_xlim(floor / 10, 2)
    left.set_yticks(y, names, fontsize=9)
    tol9 = default_tol((9, 9))
    left.axvline(tol9, color="black", lw=1, ls="--")
    left.text(tol9 * 2, -0.75, "tol for 9x9 = 9·eps", fontsize=8, va="bottom")
    for i, name in enumerate(names):
        if results[name].ratio == 0:
            left.text(floor * 2, i, "0", fontsize=8, va="center")
    left.set_ylim(len(names) - 0.5, -1.3)
    left.set_xlabel("σ₂ / σ₁   (blue: rank 1, red: not separable)")
    left.set_title("Rank-1 test: σ₂ ≤ max(kH, kW)·eps·σ₁", fontsize=10)

    for name in ("sobel7_x", "gaussian", "laplacian8", "log", "dog"):
        s = results[name].singular_values
        shown = np.maximum(s / s[0], floor)
        style = "s--" if name == "laplacian8" else "o-"
        k_h, k_w = filters.make(name).shape
        right.semilogy(np.arange(1, s.size + 1), shown, style, ms=4, label=f"{name} ({k_h}×{k_w})")
    right.axhspan(floor / 3, 1e-15, color="0.9")
    right.text(1.1, 3e-17, "rounding noise", fontsize=8, color="0.3")
    right.set_ylim(floor / 3, 3)
    right.set_xlabel("i")
    right.set_ylabel("σᵢ / σ₁")
    right.set_title("Rank = how many σᵢ stand above rounding noise", fontsize=10)
    right.legend(fontsize=8, loc="upper right")
    return [save(fig, out_dir / "separability_spectra.png")]


def low_rank_figure(out_dir: Path) -> list[Path]:
    """A Laplacian of Gaussian (rank 2) and its rank-1 and rank-2 approximations."""
    kernel = filters.log(15, sigma=2.0)
    s = analyze(kernel).singular_values
    vmax = float(np.abs(kernel).max())
    fig, axes = new_figure(8.4, 4.6, nrows=2, ncols=3)
    approximations = [kernel] + [
        sum(np.outer(c, r) for c, r in low_rank(kernel, rank)) for rank in (1, 2)
    ]
    titles = ["LoG 15x15, σ = 2", "rank 1: one separable pair", "rank 2: two pairs"]
    for ax, approx, title in zip(axes[0], approximations, titles, strict=True):
        ax.imshow(approx, cmap=CMAP, vmin=-vmax, vmax=vmax)
        ax.set_title(title, fontsize=10)
    axes[1, 0].semilogy(np.arange(1, s.size + 1), np.maximum(s, 1e-20), "o-", ms=4)
    axes[1, 0].set_title("singular values", fontsize=10)
    axes[1, 0].set_xlabel("i")
    for ax, rank in zip(axes[1, 1:], (1, 2), strict=True):
        residual = kernel - approximations[rank]
        rmax = float(np.abs(residual).max())  # each residual on its own scale: a rank-2
        ax.imshow(residual, cmap=CMAP, vmin=-rmax, vmax=rmax)  # residual is rounding noise
        error = np.linalg.norm(residual)
        predicted = np.sqrt(np.sum(s[rank:] ** 2))
        ax.set_title(
            f"kernel − rank {rank}: ‖·‖_F = {error:.2g}\n√(σ{rank + 1}² + …) = {predicted:.2g}",
            fontsize=9,
        )
        what = "" if rank == 1 else ": rounding noise"
        ax.set_xlabel(f"colours ×{_power(vmax / rmax)} the kernel's{what}", fontsize=8)
    for ax in (*axes[0], *axes[1, 1:]):
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(
        "Eckart–Young: the truncated SVD is the best sum of r separable kernels", fontsize=11
    )
    return [save(fig, out_dir / "separability_low_rank.png")]


def _power(factor: float) -> str:
    """``7`` for a small factor, ``2·10¹⁶`` for a large one."""
    if factor < 100:
        return f"{factor:.0f}"
    exponent = int(np.floor(np.log10(factor)))
    digits = str(exponent).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
    return f"{factor / 10**exponent:.0f}·10{digits}"


def photograph() -> np.ndarray:
    """Grace Hopper from matplotlib's sample data, grey, float64 in [0, 1], every 2nd pixel."""
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)  # matplotlib's copy
    rgb = imread(path, format="jpg")  # (600, 512, 3) uint8
    grey = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255
    return grey[::2, ::2]  # (300, 256)


def edges(out_dir: Path) -> list[Path]:
    """Sobel-x on a photograph: two 1-D passes vs the 3x3 kernel, and their difference."""
    image = photograph()
    kernel = filters.sobel()
    column, row = separate(kernel)
    full = filter_full(image, kernel, padding="same")
    two_pass = filter_separable(image, column, row, padding="same")
    difference = two_pass - full
    fig, axes = new_figure(10.0, 3.3, ncols=4)
    vmax = float(np.abs(full).max())
    panels = [
        (image, "gray", 0, 1, f"photograph {image.shape[0]}x{image.shape[1]}"),
        (full, "gray", -vmax, vmax, "Sobel-x, 3x3 kernel\n9 mult./pixel"),
        (two_pass, "gray", -vmax, vmax, "[1,2,1]ᵀ then [-1,0,1]\n3 + 3 mult./pixel"),
    ]
    for ax, (data, cmap, lo, hi, title) in zip(axes, panels, strict=False):
        ax.imshow(data, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=10)
    eps = float(np.finfo(np.float64).eps)
    in_eps = difference / eps  # in units of eps: readable numbers, no 1e-16 offset on the bar
    worst = float(np.abs(in_eps).max())
    scale = max(worst, 1.0)
    shown = axes[3].imshow(in_eps, cmap=CMAP, vmin=-scale, vmax=scale)
    axes[3].set_title(
        f"difference (two-pass − 2-D)\nmax |·| = {worst:.0f} ε = {worst * eps:.1g}", fontsize=10
    )
    bar = fig.colorbar(shown, ax=axes[3], fraction=0.046, pad=0.04)
    bar.set_label(f"in units of ε = {eps:.2g}", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return [_palette(save(fig, out_dir / "separability_edges.png"))]


def _palette(path: Path) -> Path:
    """Re-save a PNG with a 256-colour palette: a third of the size, no visible change."""
    from PIL import Image  # Pillow: a dependency of matplotlib

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)
    return path


FIGURES = {
    "separability_decomposition": decomposition,
    "separability_spectra": spectra,
    "separability_low_rank": low_rank_figure,
    "separability_edges": edges,
}
