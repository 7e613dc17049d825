"""Data-flow diagrams: which input channels and pixels feed an output value, and through
which weights, for every convolution family on the articles' example.

Each diagram is drawn from a real computation: :func:`refconv.explain.concepts.trace.trace`
runs refconv's ``conv2d`` to find the pixels and weights an output value reads, step by step,
and this module draws what it found -- input, kernel(s), output, left to right, one grid per
channel, the cells read filled in the colour of their channel, a line from each window to
the kernel slice it meets and from each kernel slice to a sum (Σ) feeding the output cell.
Nothing in a picture is placed by hand: a wrong trace would draw a wrong picture, and the
tests compare the picture's data with refconv's numbers.

The families and the output values traced (12x12x3 input, 5x5 kernels, 256 outputs, as in
the TDS introduction):

=============  ==============================================================================
figure         what it shows
=============  ==============================================================================
standard       ``y[0, 0, 0]``: a 5x5 window of each of the 3 channels, one 5x5x3 filter
grouped        ``y[0, 0, 0]`` and ``y[128, 0, 0]`` of a 4-channel input with ``groups=2``:
               each reads its own group's 2 channels
depthwise      ``y[0..5, 0, 0]`` with a depth multiplier of 2: channel ``c`` feeds outputs
               ``2c`` and ``2c + 1`` only
pointwise      ``y[0, 0, 0]`` of the 8x8x3 depthwise output: one pixel of each channel
separable      ``y[0, 0, 0]``: three 5x5 windows, three depthwise values, one 1x1x3 filter
spatial        ``y[0, 0, 0]`` through 3 channels between a 5x1 and a 1x5 convolution
=============  ==============================================================================

:data:`FIGURES` maps ``dataflow_<family>`` to a function that writes the PNG;
:func:`diagram` returns the figure and the :class:`Diagram` data it was drawn from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from ..counting import (
    conv2d_cost,
    depthwise_conv2d_cost,
    pointwise_conv2d_cost,
    separable_conv2d_cost,
    spatial_separable_conv2d_cost,
)
from ..explain.concepts.examples import INPUT, KERNEL, OUTPUTS, read_summary
from ..explain.concepts.trace import FAMILIES, Step, Tap, family_steps, trace
from .style import save

#: Colours of the input channels (red, green, blue as in an RGB image, then more).
CHANNEL_COLORS = ("#d62728", "#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b")
MIXED = "#6c5b7b"  # a channel that mixes several input channels
GAP = 9.0  # cells between two columns of the diagram
#: What the diagrams call the weight of a step, by the first word of the step's name.
WEIGHT_NAMES = {"depthwise": "dw", "pointwise": "pw", "column": "column", "row": "row"}


@dataclass
class Grid:
    """One channel (or kernel slice) drawn as a grid of cells, with the cells read filled."""

    label: str
    rows: int
    cols: int
    color: str
    cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) read or traced
    depth: int = 0  # outlines drawn behind: more channels than the ones shown
    x: float = 0.0  # top-left corner, in cells (y grows downward)
    y: float = 0.0

    def centre(self, cells: set[tuple[int, int]] | None = None) -> tuple[float, float]:
        """The centre of ``cells`` (default: of the whole grid), in diagram coordinates."""
        if not cells:
            return self.x + self.cols / 2, self.y + self.rows / 2
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        return self.x + (min(cols) + max(cols) + 1) / 2, self.y + (min(rows) + max(rows) + 1) / 2


@dataclass
class Diagram:
    """What a data-flow diagram draws: columns of grids and the lines between them.

    ``columns`` holds, left to right, a title and the grids of each column; ``links`` the
    lines ``(grid, cells, grid, cells, colour)``; ``sums`` the grids whose traced cells a Σ
    feeds.
    """

    title: str
    caption: str
    columns: list[tuple[str, list[Grid]]]
    links: list[tuple[Grid, set[tuple[int, int]], Grid, set[tuple[int, int]], str]]
    sums: list[Grid]


def _color(colors: dict[int, str], channels: set[int]) -> str:
    return colors[next(iter(channels))] if len(channels) == 1 else MIXED


def build(
    steps: list[Step], outputs: list[tuple[int, int, int]], title: str, caption: str
) -> Diagram:
    """Trace ``outputs`` of the last step back through ``steps`` and lay out the diagram.

    Feature maps show the channels the traces touch (every input channel when there are at
    most 4); a step's kernel column shows each weight slice ``w[o, c']`` the traces use,
    slices of one filter one under another.
    """
    levels: list[list[Tap]] = [[] for _ in steps]  # taps per step, from the traces of every output
    for output in outputs:
        for k, level in enumerate(trace(steps, output)):
            levels[k].extend(level)
    c_in = steps[0].input_shape[0]
    shown = sorted({t.channel for t in levels[0]} | (set(range(c_in)) if c_in <= 4 else set()))
    colors = {c: CHANNEL_COLORS[c % len(CHANNEL_COLORS)] for c in shown}
    maps = {c: Grid(f"x[{c}]", *steps[0].input_shape[1:], colors[c]) for c in shown}
    names = ["x"] + ["t"] * (len(steps) - 1) + ["y"]
    columns: list[tuple[str, list[Grid]]] = [
        (f"input {names[0]}\n{steps[0].input_shape}", list(maps.values()))
    ]
    links: list[tuple[Grid, set[tuple[int, int]], Grid, set[tuple[int, int]], str]] = []
    sums: list[Grid] = []
    for k, (step, taps) in enumerate(zip(steps, levels, strict=True)):
        last = k == len(steps) - 1
        wanted = outputs if last else [(t.channel, t.row, t.col) for t in levels[k + 1]]
        out_channels = sorted({o for o, _, _ in wanted})
        sources: dict[int, set[int]] = {o: set() for o in out_channels}
        slices: dict[tuple[int, int], list[Tap]] = {}
        for t in taps:
            slices.setdefault(t.weight[:2], []).append(t)
            sources[t.weight[0]].add(t.channel)
        kernels: dict[tuple[int, int], Grid] = {}
        for (o, c_local), used in sorted(slices.items()):
            channel = used[0].channel
            kernels[(o, c_local)] = Grid(
                f"{WEIGHT_NAMES.get(step.name.split()[0], 'w')}[{o}, {c_local}]",
                *step.weight_shape[2:],
                maps[channel].color,
                {(t.weight[2], t.weight[3]) for t in used},
            )
        o_total, cg, k_h, k_w = step.weight_shape
        what = "filters" if cg * k_h * k_w > 1 else "weights"
        columns.append(
            (f"{step.name}\n{len(out_channels)} of {o_total} {what}", list(kernels.values()))
        )
        new = {
            o: Grid(
                f"{names[k + 1]}[{o}]",
                *step.output_shape[1:],
                _color({c: maps[c].color for c in maps}, sources[o]),
                {(i, j) for oo, i, j in wanted if oo == o},
            )
            for o in out_channels
        }
        for (o, c_local), kernel in kernels.items():
            used = slices[(o, c_local)]
            source = maps[used[0].channel]
            cells = {(t.row, t.col) for t in used if not t.padding}
            source.cells |= cells
            links.append((source, cells, kernel, set(), kernel.color))
            links.append((kernel, set(), new[o], new[o].cells, kernel.color))
        sums += list(new.values())
        if len(new) < step.output_shape[0]:
            list(new.values())[-1].depth = 2
        shape = step.output_shape
        columns.append(
            (f"{'output' if last else 'then'} {names[k + 1]}\n{shape}", list(new.values()))
        )
        maps = new
    return Diagram(title, caption, columns, links, sums)


def _layout(diagram: Diagram) -> tuple[float, float]:
    """Place every grid: columns left to right, grids top to bottom, each column centred
    vertically. Returns the width and height of the diagram in cells."""
    heights = []
    x = 0.0
    for _, grids in diagram.columns:
        y = 0.0
        width = max(g.cols for g in grids)
        for g in grids:
            g.x, g.y = x + (width - g.cols) / 2, y
            y += g.rows + 2.5
        heights.append(y - 2.5)
        x += width + GAP
    height = max(heights)
    for (_, grids), h in zip(diagram.columns, heights, strict=True):
        for g in grids:
            g.y += (height - h) / 2
    return x - GAP, height


def _draw_grid(ax: Axes, grid: Grid) -> None:
    for d in range(grid.depth, 0, -1):  # the channels behind, as outlines
        ax.add_patch(
            Rectangle(
                (grid.x + 0.7 * d, grid.y - 0.7 * d), grid.cols, grid.rows, fc="white", ec="0.6"
            )
        )
    cells = [
        Rectangle((grid.x + c, grid.y + r), 1, 1)
        for r in range(grid.rows)
        for c in range(grid.cols)
    ]
    faces = [
        grid.color if (r, c) in grid.cells else "white"
        for r in range(grid.rows)
        for c in range(grid.cols)
    ]
    ax.add_collection(PatchCollection(cells, facecolors=faces, edgecolors="0.78", linewidths=0.4))
    ax.add_patch(Rectangle((grid.x, grid.y), grid.cols, grid.rows, fill=False, lw=1.0, ec="0.3"))
    lift = 0.7 * grid.depth + (0.3 if grid.depth else 0.0)
    ax.text(
        grid.x + grid.cols / 2,
        grid.y - 0.4 - lift,
        grid.label,
        ha="center",
        va="bottom",
        fontsize=8,
    )


def _sum_node(grid: Grid) -> tuple[float, float]:
    """Where the Σ that feeds a grid's traced cells sits: left of the grid, level with them."""
    _, y = grid.centre(grid.cells)
    return grid.x - GAP / 3, y


def draw(diagram: Diagram) -> Figure:
    """The figure of a laid-out :class:`Diagram` (a :class:`~matplotlib.figure.Figure`)."""
    width, height = _layout(diagram)
    scale = min(0.13, 10.4 / (width + 2))  # inches per cell
    top, below = -6.5, 1.0  # cells kept above the grids (titles) and below them
    caption = textwrap.fill(diagram.caption, int(scale * (width + 2) * 14))
    lines = caption.count("\n") + 1
    axes_w, axes_h = scale * (width + 3.5), scale * (height + below - top)
    fig_w, head, foot = axes_w + 0.3, 0.45, 0.2 + 0.19 * lines
    fig_h = axes_h + head + foot
    fig = Figure(figsize=(fig_w, fig_h))
    ax = fig.add_axes((0.15 / fig_w, foot / fig_h, axes_w / fig_w, axes_h / fig_h))
    ax.set_xlim(-1, width + 2.5)
    ax.set_ylim(height + below, top)
    ax.axis("off")
    for title, grids in diagram.columns:
        left = min(g.x for g in grids)
        right = max(g.x + g.cols for g in grids)
        ax.text(
            (left + right) / 2, top + 0.8, title, ha="center", va="top", fontsize=8.5, weight="bold"
        )
        for grid in grids:
            _draw_grid(ax, grid)
    for grid in diagram.sums:
        node = _sum_node(grid)
        ax.add_patch(Circle(node, 1.0, fc="white", ec="0.2", lw=0.8, zorder=4))
        ax.text(*node, "Σ", ha="center", va="center", fontsize=8, zorder=5)
        first = min(c for _, c in grid.cells)
        ax.annotate(
            "",
            (grid.x + first, node[1]),
            (node[0] + 1.0, node[1]),
            arrowprops={"arrowstyle": "->", "lw": 0.8, "shrinkA": 0, "shrinkB": 0},
        )
    for start, start_cells, end, end_cells, color in diagram.links:
        _, y0 = start.centre(start_cells)
        x0 = start.x + (max(c for _, c in start_cells) + 1 if start_cells else start.cols)
        if end_cells:
            x1, y1 = _sum_node(end)
            x1 -= 1.0
        else:
            x1, y1 = end.x, end.y + end.rows / 2
        ax.plot([x0, x1], [y0, y1], color=color, lw=0.9, alpha=0.8)
    fig.text(0.5, 1 - 0.1 / fig_h, diagram.title, ha="center", va="top", fontsize=11)
    fig.text(0.5, 0.1 / fig_h, caption, ha="center", va="bottom", fontsize=9)
    return fig


def _example(family: str) -> tuple[list[Step], list[tuple[int, int, int]], str, str]:
    """The steps, the traced outputs, the title and the caption of one family's diagram.

    Every number in a caption is computed: by :mod:`refconv.counting`, or from the trace.
    """
    n, k = OUTPUTS, KERNEL
    first = (0, 0, 0)
    if family == "standard":
        steps = family_steps("standard", INPUT, k, n)
        taps = trace(steps, first)[0]
        mults = conv2d_cost(INPUT, n, k, bias=False).multiplications
        h, w = steps[0].output_shape[1:]
        return (
            steps,
            [first],
            "standard convolution: every filter reads every channel",
            (
                f"y[0, 0, 0] reads {read_summary(taps)}, one weight each. {n} filters x {h}x{w} "
                f"positions x {len(taps)} = {mults:,} multiplications."
            ),
        )
    if family == "grouped":
        steps = family_steps("grouped", (4, 12, 12), k, n, groups=2)
        mults = conv2d_cost((4, 12, 12), n, k, groups=2, bias=False).multiplications
        whole = conv2d_cost((4, 12, 12), n, k, bias=False).multiplications
        half = n // 2
        return (
            steps,
            [first, (half, 0, 0)],
            "grouped convolution, groups=2: two halves",
            (
                f"Outputs 0..{half - 1} read channels 0, 1 only; outputs {half}..{n - 1} "
                f"read 2, 3 only. {mults:,} multiplications instead of {whole:,} with "
                f"groups=1. (The input has 4 channels: 3 cannot be split in 2 groups.)"
            ),
        )
    if family == "depthwise":
        steps = family_steps("depthwise", INPUT, k, n, multiplier=2)
        mults = depthwise_conv2d_cost(INPUT, k, 2, bias=False).multiplications
        single = depthwise_conv2d_cost(INPUT, k, 1, bias=False).multiplications
        outputs = [(o, 0, 0) for o in range(steps[0].output_shape[0])]
        title = "depthwise convolution, depth multiplier 2: channels never mix"
        return (
            steps,
            outputs,
            title,
            (
                f"Output channel c*2 + m reads input channel c only, through its own "
                f"{k}x{k} kernel: {mults:,} multiplications ({single:,} with a multiplier of 1)."
            ),
        )
    if family == "pointwise":
        steps = family_steps("pointwise", (3, 8, 8), 1, n)
        mults = pointwise_conv2d_cost((3, 8, 8), n, bias=False).multiplications
        title = "pointwise (1x1) convolution: channels mix, pixels do not"
        return (
            steps,
            [first],
            title,
            (
                f"y[0, 0, 0] reads one pixel of each channel of the 8x8x3 depthwise output: "
                f"{mults:,} multiplications ({len(trace(steps, first)[0])} per output value)."
            ),
        )
    if family == "separable":
        steps = family_steps("separable", INPUT, k, n)
        separable = separable_conv2d_cost(INPUT, n, k, bias=False)
        (_, dw), (_, pw) = separable.parts
        standard = conv2d_cost(INPUT, n, k, bias=False).multiplications
        pixels = read_summary(trace(steps, first)[0]).split(":")[0]
        title = "depthwise-separable convolution: depthwise, then pointwise"
        return (
            steps,
            [first],
            title,
            (
                f"The same {pixels} as the standard convolution, in two steps: "
                f"{dw.multiplications:,} + {pw.multiplications:,} = "
                f"{separable.multiplications:,} multiplications instead of {standard:,}."
            ),
        )
    if family == "spatial":
        steps = family_steps("spatial", INPUT, k, n, intermediate=3)
        spatial = spatial_separable_conv2d_cost(INPUT, n, k, 3, bias=False)
        reads, second = trace(steps, first)
        return (
            steps,
            [first],
            "spatially separable convolution: 5x1, then 1x5",
            (
                f"{steps[0].output_shape[0]} channels between the passes; y[0, 0, 0] reads "
                f"{len(second)} values of t, which read {read_summary(reads).split(':')[0]} of x: "
                f"{spatial.multiplications:,} multiplications."
            ),
        )
    raise ValueError(f"no data-flow diagram for family {family!r}")


def diagram(family: str) -> tuple[Figure, Diagram]:
    """The data-flow figure of one family (see the module docstring) and its data."""
    steps, outputs, title, caption = _example(family)
    data = build(steps, outputs, title, caption)
    return draw(data), data


def _writer(family: str) -> Callable[[Path], list[Path]]:
    def write(out_dir: Path) -> list[Path]:
        fig, _ = diagram(family)
        return [save(fig, out_dir / f"dataflow_{family}.png", tight=False)]

    write.__doc__ = f"The {family} data-flow diagram (dataflow_{family}.png)."
    return write


FIGURES = {f"dataflow_{family}": _writer(family) for family in FAMILIES}
