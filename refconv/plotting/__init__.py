"""Every figure refconv makes; matplotlib is imported only inside this package.

Each topic module (``separability``, ``counting``, ``performance``) defines ``FIGURES``, a dict
mapping a figure's name to a function ``f(out_dir: Path) -> list[Path]`` that writes it (PNG)
and returns the paths written. :func:`write_all` runs them all; ``refconv plot --out DIR``
calls it.

The figures are drawn on :class:`matplotlib.figure.Figure` objects (:mod:`.style`), without
``matplotlib.pyplot``: importing this package or writing figures chooses no backend and
changes no rcParams, so a notebook's inline plots keep working. Importing this package does
not import matplotlib; the topic modules do, when :func:`figures` loads them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

TOPICS = ("separability", "counting", "dataflow", "performance", "scaling")

FigureFunction = Callable[[Path], list[Path]]


def figures(topics: tuple[str, ...] = TOPICS) -> dict[str, FigureFunction]:
    """All figure functions by name, topic by topic (each topic one of :data:`TOPICS`)."""
    found: dict[str, FigureFunction] = {}
    for topic in topics:
        module = importlib.import_module(f"refconv.plotting.{topic}")
        found.update(module.FIGURES)
    return found


def write_all(out_dir: str | Path, topics: tuple[str, ...] = TOPICS) -> list[Path]:
    """Write every figure of the given topics into ``out_dir`` (created if needed).

    Returns the paths written, in the order of ``topics`` and of each topic's ``FIGURES``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for function in figures(topics).values():
        written.extend(function(out))
    return written
