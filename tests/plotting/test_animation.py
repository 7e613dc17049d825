"""refconv.plotting.animation: the frames follow the geometry and show refconv's numbers.

Each animation is data before it is a picture: its panels' numbers after the last frame
must equal ``refconv.conv2d``'s output (two ``conv2d`` calls for the two-step families),
and the frame count must follow the rule of the module docstring, written out again here
from PyTorch's output-size formula. The GIF is then read back with Pillow: as many frames,
under 1 MB.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import refconv
from refconv.plotting.animation import (
    EXAMPLES,
    FAMILIES,
    Animation,
    Geometry,
    GeometryError,
    build,
    frame_count,
    problems,
)
from refconv.plotting.animation.render import write_gif


def out_size(size: int, kernel: int, stride: int, dilation: int, pads: int) -> int:
    """PyTorch's formula, written out here rather than imported."""
    return (size + pads - dilation * (kernel - 1) - 1) // stride + 1


GEOMETRIES = [
    Geometry("standard"),
    Geometry("standard", (5, 5), (3, 3), (2, 2), 1),  # padding and stride
    Geometry("standard", (7, 7), (3, 3), dilation=(2, 2)),
    Geometry("standard", (6, 5), (3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2), 2, 3),
    Geometry("standard", (5, 5), (3, 3), padding="same", channels=3, out_channels=2),
    Geometry("grouped", channels=4, out_channels=2, groups=2),
    Geometry("grouped", (6, 6), (3, 3), (2, 2), 1, channels=4, out_channels=4, groups=4),
    Geometry("depthwise", channels=2, multiplier=2),
    Geometry("depthwise", (6, 6), (2, 3), (1, 2), 1, (2, 1), channels=3, multiplier=1),
    Geometry("pointwise", (4, 4), (1, 1), channels=3, out_channels=2),
    Geometry("separable", channels=2, out_channels=2),
    Geometry("separable", (6, 6), (3, 3), (2, 2), "same", channels=2, out_channels=3, multiplier=2),
    Geometry("spatial"),
    Geometry("spatial", (6, 5), (3, 2), (2, 1), ((1, 0), (1, 2)), (1, 2), 2, 2),
    Geometry("spatial", (5, 5), (3, 3), padding=1, channels=2, out_channels=2, groups=2),
    Geometry("im2col", (4, 4), channels=2, out_channels=2),
    Geometry("im2col", (5, 4), (2, 3), (1, 2), 1, channels=2, out_channels=2, groups=2),
]


def _pads(g: Geometry) -> tuple[int, int]:
    """Total padding of height and width."""
    if g.padding == "same":
        return tuple(  # type: ignore[return-value]
            max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
            for n, k, s, d in zip(g.size, g.kernel, g.stride, g.dilation, strict=True)
        )
    p = np.broadcast_to(np.asarray(g.padding), (2, 2)) if np.ndim(g.padding) < 2 else g.padding
    p = np.asarray(p)
    return int(p[0].sum()), int(p[1].sum())


def expected_frames(g: Geometry) -> int:
    """The rule: one frame per output pixel of each step (the Kx1 pass of spatial keeps the
    full width), twice the output pixels for im2col, one per pixel for pointwise."""
    (h, w), (kh, kw), (sh, sw), (dh, dw) = g.size, g.kernel, g.stride, g.dilation
    ph, pw = _pads(g)
    h_out, w_out = out_size(h, kh, sh, dh, ph), out_size(w, kw, sw, dw, pw)
    if g.family == "pointwise":
        return h * w
    if g.family == "separable":
        return 2 * h_out * w_out
    if g.family == "spatial":
        return h_out * w + h_out * w_out
    if g.family == "im2col":
        return 2 * h_out * w_out
    return h_out * w_out


def by_conv2d(anim: Animation) -> np.ndarray:
    """The animation's output computed with refconv.conv2d alone, from its arrays."""
    g, a = anim.geometry, anim.arrays
    x = a["x"]
    s, p, d = g.stride, g.padding, g.dilation
    if g.family in ("standard", "grouped", "im2col"):
        return refconv.conv2d(x, a["w"], stride=s, padding=p, dilation=d, groups=g.groups)
    if g.family == "depthwise":
        return refconv.conv2d(x, a["w"], stride=s, padding=p, dilation=d, groups=g.channels)
    if g.family == "pointwise":
        return refconv.conv2d(x, a["w"])
    if g.family == "separable":
        t = refconv.conv2d(x, a["dw"], stride=s, padding=p, dilation=d, groups=g.channels)
        return refconv.conv2d(t, a["pw"])
    # spatial: Kx1 with the vertical half of the geometry, then 1xK with the horizontal half
    (top, bottom), (left, right) = refconv.arguments.explicit_padding(p, g.kernel, s, d, g.size)
    t = refconv.conv2d(
        x,
        a["column"],
        stride=(s[0], 1),
        padding=((top, bottom), (0, 0)),
        dilation=(d[0], 1),
        groups=g.groups,
    )
    return refconv.conv2d(
        t,
        a["row"],
        stride=(1, s[1]),
        padding=((0, 0), (left, right)),
        dilation=(1, d[1]),
        groups=g.groups,
    )


@pytest.mark.parametrize("g", GEOMETRIES, ids=lambda g: f"{g.family}-{g.size}-{g.kernel}")
def test_the_last_frame_shows_refconvs_output(g: Geometry) -> None:
    anim = build(g)
    assert len(anim.frames) == frame_count(g) == expected_frames(g)
    np.testing.assert_array_equal(anim.output(), by_conv2d(anim))
    np.testing.assert_array_equal(anim.output(), anim.arrays["y"])
    if "t" in anim.arrays:
        np.testing.assert_array_equal(anim.output("t"), anim.arrays["t"])
    first = anim.output(frame=0)
    assert np.isnan(first).sum() > 0  # the output fills up frame by frame
    assert not np.isnan(anim.output()).any()


@pytest.mark.parametrize("g", GEOMETRIES[:5], ids=lambda g: f"{g.size}-{g.kernel}-{g.stride}")
def test_the_window_moves_as_stride_padding_and_dilation_say(g: Geometry) -> None:
    """Frame k of a standard convolution lights, on every input channel, the padded cells
    ``(i*sh + p*dh, j*sw + q*dw)`` of output ``(i, j) = divmod(k, W_out)``."""
    anim = build(g)
    (kh, kw), (sh, sw), (dh, dw) = g.kernel, g.stride, g.dilation
    w_out = anim.output().shape[2]
    for k, frame in enumerate(anim.frames):
        i, j = divmod(k, w_out)
        window = {(i * sh + p * dh, j * sw + q * dw) for p in range(kh) for q in range(kw)}
        for c in range(g.channels):
            assert frame.lit[f"x[{c}]"] == window


def test_each_caption_is_the_sum_the_cell_receives() -> None:
    anim = build(Geometry("standard", (5, 5), (3, 3), (2, 2), 1, seed=4))
    for frame in anim.frames:
        products = re.findall(r"(-?\d+)·\(?(-?\d+)\)?", frame.caption)
        assert len(products) == 9
        total = sum(int(a) * int(b) for a, b in products)
        assert frame.caption.endswith(f"= {total}")
        assert frame.writes[0][3] == total


def test_im2col_builds_the_matrix_then_multiplies() -> None:
    anim = build(Geometry("im2col", (4, 4), channels=2, out_channels=2))
    cols, weights, y = anim.values()["cols"], anim.panels["W"].values, anim.arrays["y"]
    assert cols.shape == (18, 4)  # C * kH * kW rows, H_out * W_out columns
    np.testing.assert_array_equal(weights @ cols, y.reshape(2, 4))
    halfway = anim.values(frame=3)  # the matrix is complete, no product yet
    assert not np.isnan(halfway["cols"]).any() and np.isnan(halfway["Y"]).all()


def test_depthwise_lights_one_channel_per_kernel() -> None:
    anim = build(EXAMPLES["depthwise"])  # 2 channels, multiplier 2
    first = anim.frames[0].lit
    assert set(first) == {
        "x[0]",
        "x[1]",
        *(f"w[{o}, 0]" for o in range(4)),
        *(f"y[{o}]" for o in range(4)),
    }
    assert [anim.panels[f"w[{o}, 0]"].row for o in range(4)] == [0, 0, 1, 1]


@pytest.mark.parametrize(
    ("g", "parameter"),
    [
        (Geometry("standard", (16, 16)), "size"),  # 196 frames
        (Geometry("standard", kernel=(7, 7)), "kernel"),  # larger than the input
        (Geometry("pointwise", kernel=(3, 3)), "kernel"),
        (Geometry("standard", multiplier=2), "multiplier"),
        (Geometry("depthwise", out_channels=2), "out_channels"),
        (Geometry("grouped", channels=3, out_channels=2, groups=2), "groups"),
        (Geometry("standard", groups=2, channels=2, out_channels=2), "groups"),
        (Geometry("im2col", (7, 7), (7, 7), channels=2), "kernel"),  # 98 matrix rows
        (Geometry("spin"), "family"),
        (Geometry("standard", channels=5), "channels"),
        (Geometry("standard", padding=5), "padding"),
    ],
)
def test_a_geometry_that_does_not_fit_names_its_parameter(g: Geometry, parameter: str) -> None:
    assert problems(g)[0][0] == parameter
    with pytest.raises(GeometryError) as error:
        build(g)
    assert error.value.parameter == parameter


def test_a_board_too_big_to_read_is_refused() -> None:
    with pytest.raises(GeometryError, match="cells tall") as error:
        build(Geometry("depthwise", (12, 12), channels=4, multiplier=3))
    assert error.value.parameter == "channels"


@pytest.mark.parametrize("family", FAMILIES)
def test_the_gif_has_one_image_per_frame_and_stays_small(family: str, tmp_path: Path) -> None:
    anim = build(EXAMPLES[family])
    path = write_gif(anim, tmp_path / f"{family}.gif", fps=4)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(anim.frames)
        gif.seek(gif.n_frames - 1)
        assert gif.info["duration"] > 250  # the last frame is held
    assert path.stat().st_size < 1_000_000


def test_the_largest_board_allowed_still_makes_a_small_gif(tmp_path: Path) -> None:
    g = Geometry("standard", (12, 12), (3, 3), channels=2, out_channels=2)  # 100 frames
    anim = build(g)
    path = write_gif(anim, tmp_path / "big.gif")
    assert len(anim.frames) == 100 and path.stat().st_size < 1_000_000


def test_writing_a_gif_chooses_no_backend_and_no_pyplot(tmp_path: Path) -> None:
    code = """
import json, sys, matplotlib
before = {k: repr(v) for k, v in dict.items(matplotlib.rcParams)}
from refconv.plotting.animation import EXAMPLES, build, write_gif
write_gif(build(EXAMPLES["separable"]), sys.argv[1])
after = {k: repr(v) for k, v in dict.items(matplotlib.rcParams)}
print(json.dumps({"same": before == after, "pyplot": "matplotlib.pyplot" in sys.modules}))
"""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["MPLCONFIGDIR"] = str(tmp_path / "mplconfig")
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.gif")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"same": True, "pyplot": False}
