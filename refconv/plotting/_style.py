"""Shared look for refconv's figures: one place to change fonts, sizes and saving."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

DPI = 120


def new_figure(width: float = 7.0, height: float = 4.5, **kwargs) -> tuple[Figure, object]:
    """A figure and its axes (``plt.subplots`` keyword arguments pass through)."""
    return plt.subplots(figsize=(width, height), **kwargs)


def save(fig: Figure, path: Path) -> Path:
    """Save as PNG, close the figure (so long runs do not pile up memory), return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path
