"""Draw an :class:`~.frames.Animation` and write it as a GIF (matplotlib's Pillow writer).

The board is drawn once on a :class:`~matplotlib.figure.Figure` (never pyplot): every panel
as a grid of cells with its numbers, padding cells grey, kernels pale yellow. Each frame then
lights the cells it reads (orange) and writes (blue), and writes its new numbers.

Drawing hundreds of numbers for every frame would take seconds, so frames are *blitted*: the
board is rendered once and kept as pixels (``copy_from_bbox``); a frame restores those
pixels, draws its new numbers on them (and keeps the result as the board from then on), then
its lit cells and its caption. A frame costs milliseconds, a 100-frame GIF a few seconds.
"""

from __future__ import annotations

from pathlib import Path as FilePath

import numpy as np
from matplotlib.animation import PillowWriter
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from PIL import Image

from .frames import Animation, Panel, layout, written

__all__ = ["draw_board", "write_gif"]

DPI = 100
FACES = {"data": "white", "kernel": "#fff3cf", "output": "white"}
PADDING_FACE, MISSING_FACE = "#dcdcdc", "#f0f0f0"
READ = (1.0, 0.62, 0.11, 0.45)  # a lit cell being read: translucent orange (RGBA)
WRITE = (0.23, 0.53, 1.0, 0.45)  # a lit cell being written: translucent blue
HOLD_SECONDS = 2.0  # the last frame stays this long before the GIF loops


def squares(corners: np.ndarray) -> Path:
    """One path of unit squares with top-left ``corners`` (n, 2), in cells: drawing a single
    path is much quicker than drawing a collection of n patches."""
    unit = np.array([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)], dtype=float)  # (5, 2): (x, y)
    vertices = corners.reshape(-1, 1, 2) + unit  # (n, 5, 2)
    one = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
    return Path(vertices.reshape(-1, 2), np.tile(one, len(corners)))


def _faces(panel: Panel) -> list[str]:
    (top, bottom), (left, right) = panel.padding
    h, w = panel.values.shape
    faces = []
    for r in range(h):
        for c in range(w):
            if not (top <= r < h - bottom and left <= c < w - right):
                faces.append(PADDING_FACE)
            elif panel.role == "kernel" and np.isnan(panel.values[r, c]):
                faces.append(MISSING_FACE)
            else:
                faces.append(FACES[panel.role])
    return faces


def draw_board(anim: Animation) -> tuple[Figure, Axes, dict[str, tuple[float, float]], float]:
    """The figure with every panel, its numbers, labels and the column titles drawn.

    Returns the figure, its axes (in cells, y downward), the panels' places and the size of
    a number's font, in points.
    """
    places, width, height = layout(anim)
    cell = float(np.clip(min(900 / (width + 2), 520 / (height + 4)), 11, 26))  # pixels
    fig = Figure(figsize=(cell * (width + 2) / DPI, (cell * (height + 4) + 78) / DPI), dpi=DPI)
    bottom = 34 / (fig.get_figheight() * DPI)
    ax = fig.add_axes((0.0, bottom, 1.0, 1 - bottom - 44 / (fig.get_figheight() * DPI)))
    ax.set_xlim(-1, width + 1)
    ax.set_ylim(height + 0.5, -3.5)
    ax.axis("off")
    size = cell * 0.42 * 72 / DPI
    for panel in anim.panels.values():
        x0, y0 = places[panel.key]
        h, w = panel.values.shape
        faces = _faces(panel)
        ax.add_collection(
            PolyCollection(
                [
                    [
                        (x0 + c, y0 + r),
                        (x0 + c + 1, y0 + r),
                        (x0 + c + 1, y0 + r + 1),
                        (x0 + c, y0 + r + 1),
                    ]
                    for r in range(h)
                    for c in range(w)
                ],
                facecolors=faces,
                edgecolors="0.6",
                linewidths=0.5,
            )
        )
        label = panel.label or panel.key
        ax.text(x0 + w / 2, y0 - 0.15, label, ha="center", va="bottom", fontsize=size)
        for (r, c), v in np.ndenumerate(panel.values):
            if not np.isnan(v):
                grey = faces[r * w + c] == PADDING_FACE
                ax.text(
                    x0 + c + 0.5,
                    y0 + r + 0.5,
                    written(v),
                    ha="center",
                    va="center",
                    fontsize=size,
                    color="0.45" if grey else "black",
                )
    for k, title in enumerate(anim.columns):
        xs = [places[p.key][0] for p in anim.panels.values() if p.column == k]
        ends = [places[p.key][0] + p.values.shape[1] for p in anim.panels.values() if p.column == k]
        if xs:
            ax.text(
                (min(xs) + max(ends)) / 2,
                -2.6,
                title,
                ha="center",
                va="bottom",
                fontsize=size * 1.15,
                weight="bold",
            )
    fig.text(
        0.5,
        1 - 8 / (fig.get_figheight() * DPI),
        anim.title,
        ha="center",
        va="top",
        fontsize=max(size * 1.2, 7.5),
        wrap=True,
    )
    return fig, ax, places, size


class _BoardWriter(PillowWriter):
    """matplotlib's Pillow writer, taking each frame from the canvas as it was blitted (not
    redrawn) and mapping it onto one palette, made from the first frame.

    ``PillowWriter.grab_frame`` redraws the whole figure and Pillow then quantizes every
    frame on its own: a tenth of a second each. Here a frame costs a few milliseconds, and
    one palette for all frames keeps the GIF small.
    """

    palette: Image.Image | None = None
    _frames: list[Image.Image]  # PillowWriter's, made by setup()

    def grab_frame(self, **savefig_kwargs: object) -> None:
        canvas = self.fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)  # write_gif attaches one
        size = (int(canvas.get_width_height()[0]), int(canvas.get_width_height()[1]))
        rgb = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        rgb = rgb.convert("RGB")
        if self.palette is None:
            self.palette = rgb.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
            # Pillow maps onto a given palette through a coarse colour cache, which can send
            # white to a near-white entry: make every near-white entry white
            entries = np.array(self.palette.getpalette() or [], dtype=np.uint8).reshape(-1, 3)
            entries[entries.min(axis=1) >= 248] = 255
            self.palette.putpalette(entries.ravel().tolist())
        self._frames.append(rgb.quantize(palette=self.palette, dither=Image.Dither.NONE))


def write_gif(anim: Animation, path: str | FilePath, fps: int = 2) -> FilePath:
    """Write ``anim`` as a GIF at ``fps`` frames a second; the last frame is held
    :data:`HOLD_SECONDS`. Returns the path.

    The GIF has ``len(anim.frames)`` frames: Pillow merges the held copies of the last one.
    """
    path = FilePath(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax, places, size = draw_board(anim)
    canvas = FigureCanvasAgg(fig)
    caption = fig.text(
        0.5,
        10 / (fig.get_figheight() * DPI),
        "",
        ha="center",
        va="bottom",
        fontsize=max(size * 1.1, 7),
        animated=True,
    )
    ax.set_autoscale_on(False)
    # the lit cells of a frame: two compound paths (read, written), one square per cell
    read, write = (
        PathPatch(Path(np.zeros((1, 2))), fc=color, ec=color, lw=1.2, animated=True)
        for color in (READ, WRITE)
    )
    ax.add_patch(read)
    ax.add_patch(write)
    canvas.draw()  # the board, once; animated artists are left out
    board = canvas.copy_from_bbox(fig.bbox)
    writer = _BoardWriter(fps=fps)
    with writer.saving(fig, str(path), dpi=DPI):
        for frame in anim.frames:
            canvas.restore_region(board)
            for key, r, c, v in frame.writes:  # new numbers: drawn once, kept in the board
                x0, y0 = places[key]
                text = ax.text(
                    x0 + c + 0.5,
                    y0 + r + 0.5,
                    written(v),
                    ha="center",
                    va="center",
                    fontsize=size,
                    weight="bold",
                    animated=True,
                )
                ax.draw_artist(text)
                text.remove()
            board = canvas.copy_from_bbox(fig.bbox)
            writing = {(key, r, c) for key, r, c, _ in frame.writes}
            corners: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
            for key, found in frame.lit.items():
                x0, y0 = places[key]
                for r, c in found:
                    corners[(key, r, c) in writing].append((x0 + c, y0 + r))
            for patch, cells in ((read, corners[False]), (write, corners[True])):
                if cells:
                    patch.set_path(squares(np.array(cells)))
                    ax.draw_artist(patch)
            caption.set_text(frame.caption)
            fig.draw_artist(caption)
            writer.grab_frame()
        for _ in range(int(HOLD_SECONDS * fps)):
            writer.grab_frame()
    return path
