"""``refconv animate``: writes the GIF it names, lists it with --json, and refuses a
geometry it cannot show in one line that names the option (more bad values: the fuzz test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from refconv.cli import main
from refconv.plotting.animation import EXAMPLES, frame_count


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("refconv animate: error: ")
    return err


def test_the_default_is_the_standard_example_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["animate"]) == 0
    assert capsys.readouterr().out == "standard.gif\n"
    with Image.open(tmp_path / "standard.gif") as gif:
        assert gif.n_frames == frame_count(EXAMPLES["standard"]) == 9


def test_json_lists_the_file_written_into_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "gifs"
    folder.mkdir()
    assert main(["animate", "--family", "depthwise", "--out", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [str(folder / "depthwise.gif")]
    assert (folder / "depthwise.gif").stat().st_size < 1_000_000


def test_every_option_reaches_the_geometry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a" / "conv.gif"  # folders created
    argv = [
        "animate",
        "--input",
        "6x5",
        "--kernel",
        "3x2",
        "--stride",
        "2x1",
        "--padding",
        "1x0",
        "--dilation",
        "1x2",
        "--channels",
        "2",
        "--out-channels",
        "3",
        "--fps",
        "5",
        "--seed",
        "9",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"{out}\n"
    # output (6 + 2 - 3) // 2 + 1 = 3 rows, (5 - 2 - 1) // 1 + 1 = 3 columns: 9 frames
    with Image.open(out) as gif:
        assert gif.n_frames == 9
        assert gif.info["duration"] == 200  # 5 frames a second


def test_same_padding_and_the_two_step_families(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for family, size, frames in (
        ("separable", "5x5", 2 * 25),
        ("spatial", "5x5", 25 + 25),
        ("im2col", "4x4", 2 * 16),
    ):
        out = tmp_path / f"{family}.gif"
        argv = ["animate", "--family", family, "--input", size, "--padding", "same"]
        assert main([*argv, "--out", str(out)]) == 0
        with Image.open(out) as gif:
            assert gif.n_frames == frames, family
    capsys.readouterr()


@pytest.mark.parametrize(
    ("argv", "option", "said"),
    [
        (["--input", "16x16"], "--input 16x16", "196 frames; at most 100"),
        (["--kernel", "7"], "--kernel 7x7", "larger than the padded input"),
        (["--family", "pointwise", "--kernel", "3"], "--kernel 3x3", "1x1"),
        (["--multiplier", "2"], "--multiplier 2", "depthwise and separable"),
        (["--family", "depthwise", "--out-channels", "2"], "--out-channels 2", "multiplier"),
        (["--family", "grouped", "--groups", "3"], "--groups 3", "must divide"),
        (
            ["--family", "depthwise", "--input", "12x12", "--channels", "4", "--multiplier", "3"],
            "--channels 4",
            "cells tall",
        ),
        (["--out", "/dev/null/x.gif"], "--out", "cannot write the GIF"),
    ],
)
def test_a_geometry_it_cannot_show_is_one_line_naming_the_option(
    argv: list[str], option: str, said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["animate", *argv, "--out", argv[-1] if option == "--out" else str(tmp_path)]) == 2
    line = _one_error(capsys)
    assert option in line and said in line


def test_the_limit_itself_is_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["animate", "--input", "12x12", "--out", str(tmp_path / "a.gif")]) == 0
    with Image.open(tmp_path / "a.gif") as gif:
        assert gif.n_frames == 100  # a 10x10 output
    capsys.readouterr()


def test_an_option_the_family_does_not_take(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["animate", "--groups", "2"]) == 2
    assert "--groups 2: applies to grouped, spatial and im2col" in _one_error(capsys)


def test_a_value_left_to_the_example_is_named_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    # the grouped example has 4 channels and 2 outputs: 3 groups divide neither
    assert main(["animate", "--family", "grouped", "--input", "5x5", "--groups", "3"]) == 2
    assert "--groups 3: 3 must divide channels (4)" in _one_error(capsys)
    assert main(["animate", "--family", "im2col", "--kernel", "5"]) == 2  # 4x4 example input
    assert "--kernel 5x5: kernel is larger than the padded input" in _one_error(capsys)
