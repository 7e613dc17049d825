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


def save(fig: Figure, path: Path) -> Path:
    """Lay out ``fig``, save it as PNG at :data:`DPI` (folders created), return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path
