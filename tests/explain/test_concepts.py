"""refconv.explain.concepts: the trace, the worked examples of docs/concepts.md, and the page.

The trace is checked three ways: on a case worked by hand (which padded pixels a strided
window reads), against the definition over a grid of geometries (every output's products
sum to refconv's value, for every family), and across refconv's methods. The page is
checked number by number: every output block of docs/concepts.md is what its command
prints, and every number in its prose is printed by one of its commands.
"""

from __future__ import annotations

import doctest
import itertools
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import refconv
from refconv.cli import build_parser, main
from refconv.cli.animate import geometry
from refconv.explain import concepts
from refconv.explain.concepts import costs, examples, two_steps
from refconv.explain.concepts.trace import FAMILIES, Step, Tap, Windows, family_steps, trace, value
from refconv.explain.page import failed, text
from refconv.plotting.animation import frame_count

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "concepts.md"


# --------------------------------------------------------------------------- the trace


def test_a_strided_padded_window_worked_by_hand() -> None:
    # 4x4 input, 2x2 kernel, stride 2, padding 1: output 3x3; y[0, 0, 0] sits on the corner,
    # three of its four taps read padding; y[0, 1, 2] reads rows 1..2, columns 3..4 (4 = pad)
    step = Step.of("standard 2x2", (1, 4, 4), (1, 1, 2, 2), stride=2, padding=1)
    assert step.output_shape == (1, 3, 3)
    windows = Windows(step)
    assert windows.taps(0, 0, 0) == [
        Tap(0, -1, -1, (0, 0, 0, 0), True),
        Tap(0, -1, 0, (0, 0, 0, 1), True),
        Tap(0, 0, -1, (0, 0, 1, 0), True),
        Tap(0, 0, 0, (0, 0, 1, 1), False),
    ]
    assert [(t.row, t.col, t.padding) for t in windows.taps(0, 1, 2)] == [
        (1, 3, False),
        (1, 4, True),
        (2, 3, False),
        (2, 4, True),
    ]


def test_dilation_and_groups_worked_by_hand() -> None:
    # 4 channels in 2 groups, 3x3 kernel with dilation 2 on a 5x5 input: one output pixel,
    # whose taps are rows and columns 0, 2, 4; output channel 1 (group 1) reads channels 2, 3
    step = Step.of("grouped", (4, 5, 5), (2, 2, 3, 3), dilation=2, groups=2)
    taps = Windows(step).taps(1, 0, 0)
    assert {t.channel for t in taps} == {2, 3}
    assert sorted({t.row for t in taps}) == [0, 2, 4] == sorted({t.col for t in taps})
    assert taps[0].weight == (1, 0, 0, 0) and taps[-1].weight == (1, 1, 2, 2)


GEOMETRIES = [
    # (input (C, H, W), kernel, stride, padding, dilation)
    ((4, 6, 6), 3, 1, 0, 1),
    ((4, 7, 6), (3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2)),
    ((2, 5, 5), 3, 2, "same", 1),
    ((4, 4, 7), (1, 3), 1, 1, 2),
]


@pytest.mark.parametrize(("family", "geometry"), list(itertools.product(FAMILIES, GEOMETRIES)))
def test_every_output_is_the_sum_of_its_traced_products(family: str, geometry: tuple) -> None:
    shape, kernel, stride, padding, dilation = geometry
    options = {"groups": 2} if family in ("grouped", "spatial") else {}
    options |= {"multiplier": 2} if family in ("depthwise", "separable") else {}
    steps = family_steps(family, shape, kernel, 4, stride, padding, dilation, **options)
    rng = np.random.default_rng(7)
    data = rng.integers(-3, 4, size=shape).astype(float)
    for step in steps:
        weight = rng.integers(-2, 3, size=step.weight_shape).astype(float)
        y = step.run(data, weight)
        assert y.shape == step.output_shape
        windows = Windows(step)
        for o, i, j in np.ndindex(*y.shape):
            assert value(windows.taps(o, i, j), data, weight) == y[o, i, j]
        data = y


def test_the_steps_are_refconvs_functions() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, size=(2, 7, 7)).astype(float)
    sep = family_steps("separable", (2, 7, 7), 3, 5, stride=2, padding="same", multiplier=2)
    dw, pw = (rng.integers(-2, 3, size=s.weight_shape).astype(float) for s in sep)
    expected = refconv.separable_conv2d(x, dw, pw, stride=2, padding="same")
    np.testing.assert_array_equal(sep[1].run(sep[0].run(x, dw), pw), expected)
    spatial = family_steps("spatial", (2, 7, 7), 3, 4, stride=2, padding=1, intermediate=3)
    col, row = (rng.integers(-2, 3, size=s.weight_shape).astype(float) for s in spatial)
    expected = refconv.spatial_separable_conv2d(x, col, row, stride=2, padding=1)
    np.testing.assert_array_equal(spatial[1].run(spatial[0].run(x, col), row), expected)


@pytest.mark.parametrize("method", ["direct", "im2col"])
def test_every_method_finds_the_same_windows(method: str) -> None:
    step = Step.of("grouped", (4, 7, 6), (4, 2, 3, 2), (2, 1), ((1, 0), (2, 1)), (1, 2), 2)
    reference, other = Windows(step), Windows(step, method)
    for name in ("channel", "row", "col"):
        np.testing.assert_array_equal(getattr(other, name), getattr(reference, name))


def test_trace_follows_a_value_back_through_two_steps() -> None:
    steps = family_steps("spatial", (3, 12, 12), 5, 256, intermediate=3)
    reads, second = trace(steps, (0, 0, 0))
    assert len(second) == 15  # 3 channels x 5 columns of t
    assert {(t.channel, t.row, t.col) for t in second} == {
        (r, 0, c) for r in range(3) for c in range(5)
    }
    assert len(reads) == 15 * 15  # each of the 15 values of t reads 3 channels x 5 rows
    assert {(t.channel, t.row, t.col) for t in reads} == set(
        itertools.product(range(3), range(5), range(5))
    )


def test_an_unknown_family_is_refused() -> None:
    with pytest.raises(ValueError, match="family must be one of"):
        family_steps("dilated", (3, 12, 12), 5, 256)


# --------------------------------------------------------------------------- the examples


@pytest.mark.parametrize("topic", concepts.TOPICS)
def test_every_check_of_every_topic_holds(topic: str) -> None:
    assert failed(concepts.items(topic)) == []


def test_the_articles_headline_counts() -> None:
    assert text(examples.standard(), "multiplications:").endswith("= 1,228,800")
    assert text(examples.depthwise(), "multiplications: 25 per output value x 192").endswith(
        "= 4,800"
    )
    assert text(examples.pointwise(), "multiplications:").endswith("= 49,152")
    assert text(two_steps.separable(), "multiplications:") == (
        "multiplications: 4,800 (depthwise) + 49,152 (pointwise) = 53,952"
    )
    assert text(two_steps.separable(), "standard convolution:") == (
        "standard convolution: 1,228,800, 22.78 times as many"
    )
    table = {name: cost.multiplications for name, cost, _ in costs.rows()}
    assert table["standard"] == 1_228_800 and table["depthwise + pointwise, M = 1"] == 53_952
    assert table["spatially separable, R = 256"] == 21_340_160
    assert table["grouped, 4 channels, groups = 2"] * 2 == table["standard, 4 input channels"]


def test_the_worked_values_are_refconvs() -> None:
    x = examples.example_input()
    w = examples.example_weight((256, 3, 5, 5))
    y = refconv.conv2d(x, w)
    assert text(examples.standard(), "refconv.conv2d(x, w)[0, 0, 0]") == (
        f"refconv.conv2d(x, w)[0, 0, 0] = {int(y[0, 0, 0])}"
    )
    assert text(examples.standard(), "  total =") == f"  total = {int(np.sum(x[:, :5, :5] * w[0]))}"


def test_read_summary_and_span() -> None:
    taps = [Tap(2, r, c, (0, 0, r, c), False) for r in range(3) for c in (0, 2)]
    assert examples.read_summary(taps) == "6 pixels: channel 2; rows 0..2; columns 0, 2"
    assert examples.span([4, 1, 2, 3]) == "1..4" and examples.span([0, 3]) == "0, 3"


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert concepts.main(["costs"]) == 0
    assert capsys.readouterr().out == concepts.report("costs") + "\n"
    with pytest.raises(SystemExit) as stop:
        concepts.main(["nope"])
    assert stop.value.code == 2
    assert "unknown topic 'nope'" in capsys.readouterr().err


def test_refconv_explain_prints_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "pointwise", "costs"]) == 0
    out = capsys.readouterr().out
    assert out == concepts.report("pointwise") + "\n\n" + concepts.report("costs") + "\n"
    assert main(["explain", "separable", "--json"]) == 0
    (items,) = json.loads(capsys.readouterr().out).values()
    assert items[0] == {"text": "== depthwise-separable convolution: refconv.separable_conv2d"}
    assert {"check": "by hand == refconv", "ok": True} in items
    assert {"text": "multiplications: 4,800 (depthwise) + 49,152 (pointwise) = 53,952"} in items
    assert main(["explain", "nope"]) == 2
    assert "argument TOPIC: expected one of standard" in capsys.readouterr().err


def test_python_dash_m_prints_a_topic() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "refconv.explain.concepts", "separable"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == concepts.report("separable") + "\n"


# --------------------------------------------------------------------------- docs/concepts.md


def _blocks(page: str) -> list[tuple[str, str]]:
    """Every ```` ```console ```` block that starts with a command line ``$ refconv explain``."""
    pattern = r"```console\n\$ (refconv explain [a-z]+)\n(.*?)```"
    return [(command, output.rstrip("\n")) for command, output in re.findall(pattern, page, re.S)]


def test_every_output_on_the_page_is_what_its_command_prints() -> None:
    page = PAGE.read_text()
    blocks = _blocks(page)
    assert [command.split()[-1] for command, _ in blocks] == list(concepts.TOPICS)
    for command, output in blocks:
        assert output == concepts.report(command.split()[-1]), command


def test_every_number_in_the_prose_is_printed_by_a_command() -> None:
    page = PAGE.read_text()
    prose = re.sub(r"```.*?```", "", page, flags=re.S)  # the code blocks are checked above
    prose = re.sub(r"\]\([^)]*\)|`[^`]*`", "", prose)  # link targets and inline code
    printed = "\n".join(concepts.report(topic) for topic in concepts.TOPICS)
    numbers = set(re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", prose))
    missing = sorted(n for n in numbers if n not in printed)
    assert missing == []


def test_every_picture_on_the_page_exists_and_is_small() -> None:
    page = PAGE.read_text()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
    assert any(p.endswith(".gif") for p in pictures) and any(p.endswith(".png") for p in pictures)
    for picture in pictures:
        file = PAGE.parent / picture
        assert file.is_file(), picture
        if file.suffix == ".gif":
            assert file.stat().st_size < 1_000_000, picture
    gifs = sum(f.stat().st_size for f in (ROOT / "docs" / "animations").glob("*.gif"))
    assert gifs < 2_000_000  # every GIF the docs show, together


def test_the_code_on_the_page_runs_and_prints_what_it_says() -> None:
    results = doctest.testfile(str(PAGE), module_relative=False, verbose=False)
    assert results.attempted >= 10 and results.failed == 0


def test_every_animation_on_the_page_is_what_its_command_makes() -> None:
    """Each ``refconv animate ...`` line under a GIF names the options it was made with: the
    GIF has the frame count of that geometry (``--out`` is the GIF beside the command)."""
    page = PAGE.read_text()
    gifs = re.findall(r"!\[[^\]]*\]\((animations/[a-z0-9_]+\.gif)\)", page)
    commands = re.findall(r"`(refconv animate[^`]*)`", page)
    assert len(gifs) == len(commands) == 10
    parser = build_parser()
    for gif, command in zip(gifs, commands, strict=True):
        args = parser.parse_args([*shlex.split(command)[1:], "--out", gif])
        with Image.open(PAGE.parent / gif) as image:
            assert image.n_frames == frame_count(geometry(args)), command
