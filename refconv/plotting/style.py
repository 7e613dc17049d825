"""Shared look for refconv's figures: one place to change sizes and saving.

Figures are :class:`matplotlib.figure.Figure` objects made directly, never through
``matplotlib.pyplot``: no backend is chosen, no figure is registered with pyplot, and the
user's settings (an inline backend in a notebook, their rcParams) are left as they were.
``Figure.savefig`` renders PNG files on its own.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

DPI = 120


def new_figure(width: float = 7.0, height: float = 4.5, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes; ``Figure.subplots`` keyword arguments (``nrows``, ``ncols``,
    ``sharex``, ``gridspec_kw``...) pass through, as with ``plt.subplots``."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(**kwargs)


#: Height kept free for a one-line footer at the bottom of a figure, in inches.
FOOTER_INCHES = 0.25
FOOTER_LINE_INCHES = 0.13  # each further line of a footer (7 points)
CAPTION_INCHES = 0.16  # a caption line (8 points)
CAPTION_CHARS_PER_INCH = 15.5  # 8-point text: about this many characters fit in an inch


def save(
    fig: Figure,
    path: Path,
    footer: str | None = None,
    tight: bool = True,
    caption: str | None = None,
    footer_color: str = "gray",
) -> Path:
    """Lay out ``fig``, save it as PNG at :data:`DPI` (folders created), return the path.

    ``footer`` is small text at the bottom right (e.g. when a measurement was made; one line
    per ``\\n``, in ``footer_color``); ``caption`` a paragraph above it, wrapped to the
    figure's width (what the reader needs to read the figure right). The layout keeps their
    height free, under the axes' labels. ``tight=False`` keeps a layout the figure already
    has (``tight_layout`` would redo it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = fig.get_figwidth(), fig.get_figheight()
    footer_in = FOOTER_INCHES + FOOTER_LINE_INCHES * footer.count("\n") if footer else 0.0
    lines = textwrap.wrap(caption, int(width * CAPTION_CHARS_PER_INCH) - 4) if caption else []
    caption_in = CAPTION_INCHES * len(lines) + (0.05 if lines else 0.0)
    if tight:
        fig.tight_layout(rect=(0.0, (footer_in + caption_in) / height, 1.0, 1.0))
    if lines:
        fig.text(
            0.01,
            (footer_in + 0.03) / height,
            "\n".join(lines),
            ha="left",
            va="bottom",
            fontsize=8,
            linespacing=1.25,
        )
    if footer:
        fig.text(0.99, 0.012, footer, ha="right", va="bottom", fontsize=7, color=footer_color)
    fig.savefig(path, dpi=DPI)
    return path
