"""What every frame of an animation shows, as data: the numbers drawn, the cells lit.

An :class:`Animation` is a list of *panels* (2-D grids of numbers: an input channel, a
kernel slice, an output channel, im2col's matrix) and a list of :class:`Frame`\\ s. A frame
lights some cells (the window being read, the kernel, the cell being written) and writes
numbers into others; :meth:`Animation.values` replays the writes, so a test reads back the
numbers of any frame -- and the last frame's output equals refconv's.

Every number comes from refconv: the inputs and kernels are random small integers (a seed),
the outputs are what ``refconv.conv2d`` (through the family's own function) returns, and the
cells each output reads are those :class:`refconv.explain.concepts.trace.Windows` finds by
running ``conv2d`` itself.

The frame count follows the geometry (``H_out x W_out`` is the output size of a step):

=============  ===============================================================================
family         frames
=============  ===============================================================================
standard       ``H_out * W_out``: the window stops once per output pixel; every output
grouped        channel (and, for depthwise, every channel's own kernel) is written at once
depthwise
pointwise      ``H * W``: one per pixel (a 1x1 window)
separable      ``2 * H_out * W_out``: the depthwise step, then the pointwise step
spatial        ``H_out * W + H_out * W_out``: the ``kH x 1`` pass over every column (its output
               is ``H_out x W``), then the ``1 x kW`` pass
im2col         ``2 * H_out * W_out``: one column of the matrix per output pixel, then the GEMM
               one column at a time
=============  ===============================================================================
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ...arguments import Pads
from ...explain.concepts.trace import Step, Tap, family_steps
from ...functional.compute import PaddingArg

__all__ = [
    "EXAMPLES",
    "FAMILIES",
    "LIMITS",
    "Animation",
    "Frame",
    "Geometry",
    "GeometryError",
    "Panel",
    "frame_count",
    "layout",
    "problems",
    "steps_of",
]

GAP_X, GAP_Y = 3.0, 1.5  # cells between columns, and between panels of a column
FAMILIES = ("standard", "grouped", "depthwise", "pointwise", "separable", "spatial", "im2col")
Cell = tuple[int, int]


class GeometryError(ValueError):
    """A geometry an animation cannot show: ``parameter`` is the one to change, ``reason``
    says why (the message is ``"parameter: reason"``)."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter, self.reason = parameter, reason


@dataclass(frozen=True)
class Geometry:
    """The convolution an animation shows, and the seed of its random integers.

    ``size`` is the input's ``(H, W)``, ``kernel`` ``(kH, kW)``; ``padding`` takes what
    :func:`refconv.conv2d` takes. ``channels`` are the input channels; ``out_channels`` the
    output channels (not used by ``depthwise``, whose output has ``channels * multiplier``);
    ``multiplier`` is the depth multiplier (``depthwise``, ``separable``); ``groups`` is
    used by ``grouped``, ``spatial`` and ``im2col``. ``pointwise`` takes no kernel, stride,
    padding or dilation (they must keep their defaults).
    """

    family: str = "standard"
    size: tuple[int, int] = (5, 5)
    kernel: tuple[int, int] = (3, 3)
    stride: tuple[int, int] = (1, 1)
    padding: PaddingArg = 0
    dilation: tuple[int, int] = (1, 1)
    channels: int = 1
    out_channels: int = 1
    multiplier: int = 1
    groups: int = 1
    seed: int = 0


@dataclass
class Panel:
    """A 2-D grid of numbers drawn in one place: ``values`` (NaN: empty), with a ring of
    ``padding`` cells drawn grey, and its place ``(column, row, slot)`` on the board.

    ``share`` is the column whose rows this panel's column shares (a kernel slice sits level
    with the input channel it reads); ``label`` is written above it (default: ``key``).
    """

    key: str
    values: np.ndarray
    padding: Pads = ((0, 0), (0, 0))
    column: int = 0
    row: int = 0
    slot: int = 0
    role: str = "data"  # data, kernel or output: how the renderer colours it
    share: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Frame:
    """One frame: the cells lit (by panel key), the numbers written, and the caption."""

    caption: str
    lit: dict[str, frozenset[Cell]]
    writes: tuple[tuple[str, int, int, float], ...] = ()


@dataclass
class Animation:
    """An animation as data: its geometry, title, column titles, panels, frames, and the
    arrays computed by refconv (``"x"``, the weights, ``"y"``; ``"t"`` between two steps)."""

    geometry: Geometry
    title: str
    columns: list[str]
    panels: dict[str, Panel]
    frames: list[Frame] = field(default_factory=list)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def values(self, frame: int = -1) -> dict[str, np.ndarray]:
        """Every panel's numbers as drawn after ``frame`` (default: the last)."""
        shown = {key: panel.values.copy() for key, panel in self.panels.items()}
        for f in self.frames[: len(self.frames) + frame + 1 if frame < 0 else frame + 1]:
            for key, r, c, v in f.writes:
                shown[key][r, c] = v
        return shown

    def output(self, name: str = "y", frame: int = -1) -> np.ndarray:
        """The channels ``name[0]``, ``name[1]``, ... as drawn after ``frame``, stacked,
        without their padding ring: shape (C, H, W)."""
        shown = self.values(frame)
        grids = []
        for k in range(len(self.panels)):
            panel = self.panels.get(f"{name}[{k}]")
            if panel is None:
                break
            (top, bottom), (left, right) = panel.padding
            h, w = panel.values.shape
            grids.append(shown[panel.key][top : h - bottom, left : w - right])
        return np.stack(grids)


def layout(anim: Animation) -> tuple[dict[str, tuple[float, float]], float, float]:
    """The top-left corner of every panel, in cells; and the board's width and height.

    Panels of a column stack by ``row`` and put their ``slot``\\ s side by side; a column
    whose panels name a ``share`` column lays its rows out with that one's.
    """
    columns: dict[int, list[Panel]] = defaultdict(list)
    for panel in anim.panels.values():
        columns[panel.column].append(panel)
    heights: dict[tuple[int, int], float] = defaultdict(float)  # (group, row) -> height
    group = {}
    for k in sorted(columns):
        shared = [p.share for p in columns[k] if p.share is not None]
        group[k] = shared[0] if shared else k
        for p in columns[k]:
            heights[(group[k], p.row)] = max(heights[(group[k], p.row)], p.values.shape[0])
    tops: dict[tuple[int, int], float] = {}
    totals: dict[int, float] = defaultdict(float)
    for (g, row), h in sorted(heights.items()):
        tops[(g, row)] = totals[g]
        totals[g] += h + GAP_Y
    board_h = max(totals.values()) - GAP_Y
    places, x = {}, 0.0
    for k in sorted(columns):
        slot_w: dict[int, int] = defaultdict(int)
        for p in columns[k]:
            slot_w[p.slot] = max(slot_w[p.slot], p.values.shape[1])
        lefts = {s: x + sum(slot_w[t] + 1.0 for t in slot_w if t < s) for s in slot_w}
        shift = (board_h - (totals[group[k]] - GAP_Y)) / 2
        for p in columns[k]:
            h, w = p.values.shape
            room = heights[(group[k], p.row)]
            places[p.key] = (
                lefts[p.slot] + (slot_w[p.slot] - w) / 2,
                shift + tops[(group[k], p.row)] + (room - h) / 2,
            )
        x += sum(slot_w.values()) + len(slot_w) - 1.0 + GAP_X
    return places, x - GAP_X, board_h


def steps_of(g: Geometry) -> list[Step]:
    """The convolutions of the animation's family (``im2col``: the standard one)."""
    family = "standard" if g.family == "im2col" and g.groups == 1 else g.family
    family = "grouped" if g.family == "im2col" else family
    return family_steps(
        family,
        (g.channels, *g.size),
        g.kernel,
        g.out_channels,
        g.stride,
        g.padding,
        g.dilation,
        g.groups,
        g.multiplier,
    )


def frame_count(g: Geometry) -> int:
    """How many frames the animation of ``g`` has: the rule of the module docstring."""
    steps = steps_of(g)
    pixels = [s.output_shape[1] * s.output_shape[2] for s in steps]
    if g.family == "im2col":
        return 2 * pixels[0]
    return sum(pixels)


def written(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2g}"


def sum_caption(
    name: str, o: int, i: int, j: int, taps: list[Tap], x: np.ndarray, w: np.ndarray
) -> str:
    """``y[0, 1, 2] = 3·1 + 0·(-1) + ... = 7``: one output summed by hand from its taps (the
    products written out when there are at most 9)."""
    terms = []
    for t in taps:
        pixel = 0.0 if t.padding else float(x[t.channel, t.row, t.col])
        weight = float(w[t.weight])
        terms.append(
            f"{written(pixel)}·{written(weight) if weight >= 0 else f'({written(weight)})'}"
        )
    total = sum(
        0.0 if t.padding else float(x[t.channel, t.row, t.col]) * float(w[t.weight]) for t in taps
    )
    head = f"{name}[{o}, {i}, {j}] = "
    if len(terms) <= 9:
        return f"{head}{' + '.join(terms)} = {written(total)}"
    padded = sum(t.padding for t in taps)
    return f"{head}{written(total)}: {len(terms)} products" + (
        f", {padded} of them with padding" if padded else ""
    )


#: Largest values the animations accept, so that every number stays readable, a GIF stays
#: under 1 MB and takes under 5 s to make.
LIMITS = {
    "size": 16,
    "kernel": 7,
    "stride": 4,
    "dilation": 4,
    "padding": 4,
    "channels": 4,
    "out_channels": 4,
    "multiplier": 3,
    "groups": 4,
    "frames": 100,
    "board_width": 64,  # cells: with 16-pixel cells, a board of about 1000 x 700 pixels
    "board_height": 44,
    "matrix": 36,  # rows of im2col's matrix, C * kH * kW
}


#: The geometry each family is shown with when nothing else is asked for.
EXAMPLES = {
    "standard": Geometry("standard"),
    "grouped": Geometry("grouped", channels=4, out_channels=2, groups=2),
    "depthwise": Geometry("depthwise", channels=2, multiplier=2),
    "pointwise": Geometry("pointwise", (4, 4), (1, 1), channels=3, out_channels=2),
    "separable": Geometry("separable", channels=2, out_channels=2),
    "spatial": Geometry("spatial"),
    "im2col": Geometry("im2col", (4, 4), channels=2, out_channels=2),
}


def problems(g: Geometry) -> list[tuple[str, str]]:
    """What is wrong with ``g`` for an animation: ``(parameter, reason)`` pairs, or none."""
    found = []
    if g.family not in FAMILIES:
        found.append(("family", f"must be one of {', '.join(FAMILIES)}; got {g.family!r}"))
        return found
    for name in ("size", "kernel", "stride", "dilation"):
        value = getattr(g, name)
        if not 1 <= min(value) <= max(value) <= LIMITS[name]:
            found.append((name, f"must be from 1 to {LIMITS[name]}; got {value}"))
    pads = g.padding if isinstance(g.padding, str) else np.ravel(np.asarray(g.padding, dtype=int))
    if not isinstance(pads, str) and (pads.min() < 0 or pads.max() > LIMITS["padding"]):
        found.append(("padding", f"must be from 0 to {LIMITS['padding']}; got {g.padding}"))
    for name in ("channels", "out_channels", "multiplier", "groups"):
        if not 1 <= getattr(g, name) <= LIMITS[name]:
            found.append((name, f"must be from 1 to {LIMITS[name]}; got {getattr(g, name)}"))
    if found:
        return found
    if g.family == "pointwise":
        defaults = {"kernel": (1, 1), "stride": (1, 1), "dilation": (1, 1), "padding": 0}
        found += [
            (name, "a pointwise convolution is 1x1: no kernel, stride, padding or dilation")
            for name, default in defaults.items()
            if getattr(g, name) != default
        ][:1]
    if g.groups > 1 and g.family not in ("grouped", "spatial", "im2col"):
        found.append(("groups", f"applies to grouped, spatial and im2col, not {g.family}"))
    elif g.groups > 1 and (g.channels % g.groups or g.out_channels % g.groups):
        found.append(
            (
                "groups",
                f"{g.groups} must divide channels ({g.channels}) and "
                f"out_channels ({g.out_channels})",
            )
        )
    if g.multiplier > 1 and g.family not in ("depthwise", "separable"):
        found.append(("multiplier", f"applies to depthwise and separable, not {g.family}"))
    if g.family == "depthwise" and g.out_channels != 1:
        found.append(
            (
                "out_channels",
                "a depthwise convolution has channels x multiplier "
                "outputs: set the multiplier instead",
            )
        )
    if found:
        return found
    try:
        frames = frame_count(g)
    except ValueError as exc:  # refconv's own check: the kernel does not fit
        return [("kernel", " ".join(str(exc).split()))]
    if frames > LIMITS["frames"]:
        found.append(
            (
                "size",
                f"gives {frames} frames; at most {LIMITS['frames']}: a smaller "
                f"input or a larger stride",
            )
        )
    rows = g.channels * g.kernel[0] * g.kernel[1]
    if g.family == "im2col" and rows > LIMITS["matrix"]:
        found.append(
            (
                "kernel",
                f"im2col's matrix would have {rows} rows (channels x kH x kW); "
                f"at most {LIMITS['matrix']}",
            )
        )
    return found
