"""Build an :class:`~.frames.Animation` for a geometry: the arrays, the panels, the frames.

The inputs are random integers 0..3 and the kernels -1, 0 or 1 (``Geometry.seed``), so every
number fits a cell and a reader can redo a sum. The outputs are refconv's: the family's own
function (``conv2d``, ``depthwise_conv2d``, ``pointwise_conv2d``, ``separable_conv2d``,
``spatial_separable_conv2d``; ``conv2d(method="im2col")`` for im2col) computes them before
any frame is made, and each frame writes its cells from that result. The cells a frame lights
are those :class:`~refconv.explain.concepts.trace.Windows` finds for the output it writes.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ...explain.concepts.trace import Step, Windows
from ...functional import (
    conv2d,
    depthwise_conv2d,
    pointwise_conv2d,
    separable_conv2d,
    spatial_separable_conv2d,
)
from .frames import (
    LIMITS,
    Animation,
    Cell,
    Frame,
    Geometry,
    GeometryError,
    Panel,
    layout,
    problems,
    steps_of,
    sum_caption,
    written,
)

__all__ = ["build"]

#: What each family calls its weights, and the array between two steps.
NAMES = {
    "standard": ["w"],
    "grouped": ["w"],
    "depthwise": ["w"],
    "pointwise": ["w"],
    "im2col": ["w"],
    "separable": ["dw", "pw"],
    "spatial": ["column", "row"],
}


def _results(g: Geometry, x: np.ndarray, weights: list[np.ndarray]) -> list[np.ndarray]:
    """The output of every step, computed by the family's own refconv function."""
    s, p, d = g.stride, g.padding, g.dilation
    if g.family in ("standard", "grouped"):
        return [conv2d(x, weights[0], stride=s, padding=p, dilation=d, groups=g.groups)]
    if g.family == "im2col":
        w = weights[0]
        return [conv2d(x, w, stride=s, padding=p, dilation=d, groups=g.groups, method="im2col")]
    if g.family == "depthwise":
        return [depthwise_conv2d(x, weights[0], stride=s, padding=p, dilation=d)]
    if g.family == "pointwise":
        return [pointwise_conv2d(x, weights[0])]
    first, _ = steps_of(g)
    t = first.run(x, weights[0])
    a, b = weights
    if g.family == "separable":
        return [t, separable_conv2d(x, a, b, stride=s, padding=p, dilation=d)]
    return [t, spatial_separable_conv2d(x, a, b, stride=s, padding=p, dilation=d, groups=g.groups)]


def _maps(name: str, values: np.ndarray, step: Step | None, column: int) -> list[Panel]:
    """One panel per channel of ``values`` (C, H, W), padded as ``step`` reads it (NaN
    values stay NaN inside; the padding ring is zeros)."""
    pads = step.pads if step is not None else ((0, 0), (0, 0))
    (top, bottom), (left, right) = pads
    panels = []
    for c, channel in enumerate(values):
        grid = np.pad(channel.astype(float), ((top, bottom), (left, right)))
        panels.append(Panel(f"{name}[{c}]", grid, pads, column, c, 0))
    return panels


def _kernels(name: str, w: np.ndarray, groups: int, column: int) -> list[Panel]:
    """One panel per kernel slice ``w[o, k]``: row = the input channel it meets, slot = the
    output's place in its group."""
    o_total, cg = w.shape[:2]
    per_group = o_total // groups
    return [
        Panel(
            f"{name}[{o}, {k}]",
            w[o, k].astype(float),
            column=column,
            row=(o // per_group) * cg + k,
            slot=o % per_group,
            role="kernel",
            share=column - 1,
        )
        for o in range(o_total)
        for k in range(cg)
    ]


def _slide(
    step: Step,
    names: tuple[str, str, str],
    data: np.ndarray,
    w: np.ndarray,
    result: np.ndarray,
    out_pads: tuple[int, int],
    prefix: str,
) -> list[Frame]:
    """The window of ``step`` stopping at every output pixel; all output channels at once.

    ``names`` are the input, weight and output panels' names; ``data`` the input (C, H, W)
    without padding; ``out_pads`` the (top, left) padding ring of the output panels.
    """
    source, weight, target = names
    windows = Windows(step)
    (top, _), (left, _) = step.pads
    o_total, h_out, w_out = step.output_shape
    frames = []
    for i in range(h_out):
        for j in range(w_out):
            lit: dict[str, set[Cell]] = defaultdict(set)
            writes = []
            for o in range(o_total):
                for t in windows.taps(o, i, j):
                    lit[f"{source}[{t.channel}]"].add((t.row + top, t.col + left))
                    lit[f"{weight}[{o}, {t.weight[1]}]"].add(t.weight[2:])
                cell = (i + out_pads[0], j + out_pads[1])
                lit[f"{target}[{o}]"].add(cell)
                writes.append((f"{target}[{o}]", *cell, float(result[o, i, j])))
            caption = prefix + sum_caption(target, 0, i, j, windows.taps(0, i, j), data, w)
            if o_total > 1:
                caption += f"; all {o_total} channels at once"
            frames.append(Frame(caption, {k: frozenset(v) for k, v in lit.items()}, tuple(writes)))
    return frames


def _im2col(anim: Animation, step: Step, x: np.ndarray, w: np.ndarray, y: np.ndarray) -> None:
    """im2col's two phases: build the matrix column by column, then multiply."""
    windows = Windows(step)
    (top, _), (left, _) = step.pads
    o_total, cg, k_h, k_w = step.weight_shape
    per_group, taps = o_total // step.groups, cg * k_h * k_w
    _, h_out, w_out = step.output_shape
    rows = step.groups * taps
    weights = np.full((o_total, rows), np.nan)  # block-diagonal with groups
    for o in range(o_total):
        g = o // per_group
        weights[o, g * taps : (g + 1) * taps] = w[o].ravel()  # (Cg * kH * kW,)
    # the matrix product drawn as taught: cols on top, W on its left, Y = W @ cols below cols
    pixels = h_out * w_out
    anim.panels["cols"] = Panel("cols", np.full((rows, pixels), np.nan), column=2)
    anim.panels["W"] = Panel("W", weights, column=1, row=1, role="kernel", share=2)
    anim.panels["Y"] = Panel(
        "Y", np.full((o_total, pixels), np.nan), column=2, row=1, label="Y = W @ cols"
    )
    every_weight = frozenset(zip(*np.nonzero(~np.isnan(weights)), strict=True))
    for phase in ("im2col", "GEMM"):
        for p in range(h_out * w_out):
            i, j = divmod(p, w_out)
            lit: dict[str, set[Cell]] = defaultdict(set)
            writes: list[tuple[str, int, int, float]] = []
            column = {(r, p) for r in range(rows)}
            if phase == "im2col":
                for g in range(step.groups):
                    for r, t in enumerate(windows.taps(g * per_group, i, j)):
                        lit[f"x[{t.channel}]"].add((t.row + top, t.col + left))
                        value = 0.0 if t.padding else float(x[t.channel, t.row, t.col])
                        writes.append(("cols", g * taps + r, p, value))
                lit["cols"] |= column
                caption = (
                    f"im2col: column {p} of the matrix = the {rows} inputs of output ({i}, {j})"
                )
            else:
                lit["cols"] |= column
                lit["W"] |= every_weight
                for o in range(o_total):
                    lit["Y"].add((o, p))
                    lit[f"y[{o}]"].add((i, j))
                    writes += [("Y", o, p, float(y[o, i, j])), (f"y[{o}]", i, j, float(y[o, i, j]))]
                shown = ", ".join(written(v) for v in y[:, i, j])
                caption = f"GEMM: Y[:, {p}] = W @ cols[:, {p}] = ({shown}) = y[:, {i}, {j}]"
            anim.frames.append(
                Frame(caption, {k: frozenset(v) for k, v in lit.items()}, tuple(writes))
            )


def _pair(value: tuple[int, int]) -> str:
    return str(value[0]) if value[0] == value[1] else f"{value[0]}x{value[1]}"


def _title(g: Geometry, steps: list[Step]) -> str:
    """``conv2d: 1x5x5 input, 3x3 kernel, stride 2, padding 1, dilation 1 → 1x3x3 output``."""
    c, h, w = steps[0].input_shape
    what = {
        "standard": "conv2d",
        "grouped": f"conv2d, groups={g.groups}",
        "depthwise": f"depthwise_conv2d, depth multiplier {g.multiplier}",
        "pointwise": "pointwise_conv2d",
        "separable": f"separable_conv2d, depth multiplier {g.multiplier}",
        "spatial": "spatial_separable_conv2d" + (f", groups={g.groups}" if g.groups > 1 else ""),
        "im2col": "conv2d by im2col + GEMM" + (f", groups={g.groups}" if g.groups > 1 else ""),
    }[g.family]
    geometry = ""
    if g.family != "pointwise":
        (top, bottom), (left, right) = (
            steps[0].pads
            if len(steps) == 1
            else (
                steps[0].pads[0],
                steps[1].pads[1],
            )
        )
        pads = (
            _pair((top, left))
            if (top, left) == (bottom, right)
            else f"{((top, bottom), (left, right))}"
        )
        geometry = (
            f", {g.kernel[0]}x{g.kernel[1]} kernel, stride {_pair(g.stride)}, padding {pads}, "
            f"dilation {_pair(g.dilation)}"
        )
    o, h_out, w_out = steps[-1].output_shape
    return f"{what}: {c}x{h}x{w} input{geometry} → {o}x{h_out}x{w_out} output"


def build(g: Geometry) -> Animation:
    """The animation of ``g``; a :class:`~.frames.GeometryError` (a ``ValueError``) naming
    the parameter to change if ``g`` does not fit :data:`~.frames.LIMITS`.

    >>> anim = build(Geometry("standard", (5, 5), (3, 3), padding=1, stride=(2, 2)))
    >>> len(anim.frames), anim.output().shape  # one frame per output pixel
    (9, (1, 3, 3))
    """
    found = problems(g)
    if found:
        raise GeometryError(*found[0])
    rng = np.random.default_rng(g.seed)
    steps = steps_of(g)
    x = rng.integers(0, 4, size=steps[0].input_shape).astype(float)  # (C, H, W)
    weights = [rng.integers(-1, 2, size=s.weight_shape).astype(float) for s in steps]
    results = _results(g, x, weights)
    names = NAMES[g.family]
    arrays = {"x": x, **dict(zip(names, weights, strict=True)), "y": results[-1]}
    if len(steps) == 2:
        arrays["t"] = results[0]
    anim = Animation(g, _title(g, steps), [], {}, [], arrays)
    for panel in _maps("x", x, steps[0], 0):
        anim.panels[panel.key] = panel
    if g.family == "im2col":
        for panel in _maps("y", np.full(results[0].shape, np.nan), None, 3):
            panel.role = "output"
            anim.panels[panel.key] = panel
        _im2col(anim, steps[0], x, weights[0], results[0])
        anim.columns = ["input x", "weights W", "im2col matrix", "output y"]
        return _fits(anim)
    maps = ["x", "t", "y"] if len(steps) == 2 else ["x", "y"]
    for k, (step, w, result) in enumerate(zip(steps, weights, results, strict=True)):
        following = steps[k + 1] if k + 1 < len(steps) else None
        for panel in _kernels(names[k], w, step.groups, 2 * k + 1):
            anim.panels[panel.key] = panel
        for panel in _maps(maps[k + 1], np.full(result.shape, np.nan), following, 2 * k + 2):
            panel.role = "output"
            anim.panels[panel.key] = panel
        pads = (following.pads[0][0], following.pads[1][0]) if following else (0, 0)
        prefix = f"step {k + 1}, {step.name}: " if len(steps) == 2 else ""
        source = x if k == 0 else results[0]
        anim.frames += _slide(
            step, (maps[k], names[k], maps[k + 1]), source, w, result, pads, prefix
        )
        kernels = step.name if step.name.startswith(names[k]) else f"{names[k]}: {step.name}"
        anim.columns += [
            kernels,
            f"{'output' if following is None else 'then'} {maps[k + 1]}",
        ]
    anim.columns.insert(0, "input x")
    return _fits(anim)


def _fits(anim: Animation) -> Animation:
    """``anim`` if its board fits :data:`~.frames.LIMITS`; else a :class:`GeometryError`
    naming what to make smaller."""
    _, width, height = layout(anim)
    g = anim.geometry
    what = "channels" if g.channels > 1 or g.out_channels > 1 else "size"
    for size, limit, side in (
        (width, LIMITS["board_width"], "wide"),
        (height, LIMITS["board_height"], "tall"),
    ):
        if size > limit:
            raise GeometryError(
                what,
                f"the board would be {size:g} cells {side}; at most {limit}: fewer channels, "
                f"a smaller input or kernel",
            )
    return anim
