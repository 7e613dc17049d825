"""Shared look for refconv's figures: one place to change sizes and saving.

Figures are :class:`matplotlib.figure.Figure` objects made directly, never through
``matplotlib.pyplot``: no backend is chosen, no figure is registered with pyplot, and the
user's settings (an inline backend in a notebook, their rcParams) are left as they were.
``Figure.savefig`` renders PNG files on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

DPI = 120


def new_figure(width: float = 7.0, height: float = 4.5, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes; ``Figure.subplots`` keyword arguments (``nrows``, ``ncols``,
    ``sharex``, ``gridspec_kw``...) pass through, as with ``plt.subplots``."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(**kwargs)


#: Height kept free for a footer at the bottom of a figure, in inches.
FOOTER_INCHES = 0.25


def save(fig: Figure, path: Path, footer: str | None = None, tight: bool = True) -> Path:
    """Lay out ``fig``, save it as PNG at :data:`DPI` (folders created), return the path.

    ``footer`` is a grey line at the bottom right (e.g. when a measurement was made): the
    layout keeps :data:`FOOTER_INCHES` free for it, under the axes' labels. ``tight=False``
    keeps a layout the figure already has (``tight_layout`` would redo it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if tight:
        bottom = FOOTER_INCHES / fig.get_figheight() if footer else 0.0
        fig.tight_layout(rect=(0.0, bottom, 1.0, 1.0))
    if footer:
        fig.text(0.99, 0.012, footer, ha="right", va="bottom", fontsize=7, color="gray")
    fig.savefig(path, dpi=DPI)
    return path
