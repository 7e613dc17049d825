"""What ``refconv demo`` and ``refconv count`` print is written for a student (the learner's
path, item 6): it fits 100 columns; shapes are H x W x C, as the articles and ``--input``
write them; the spatially separable rows say which form they count and stand beside the
per-channel form; a printed shape is never set against a count; "numbers" are checked and
"figures" are pictures; the formula 1/N + 1/K^2 comes with the letter M the sources disagree
on; and stderr stays empty unless ``--verbose`` asks for the timing's steps.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from refconv import published
from refconv.cli import main
from refconv.cli.count import per_channel_rows
from refconv.plotting import performance_data
from refconv.published.report import WIDTH, check_lines

COUNT_OPTIONS = [
    [],
    ["--input", "12x12x3", "--kernel", "5", "--out", "256"],
    ["--input", "224x224x3", "--kernel", "3", "--out", "64"],
    ["--input", "32x32x3", "--kernel", "3", "--out", "64", "--padding", "same"],
    ["--input", "12x12x3", "--kernel", "5", "--out", "256", "--multiplier", "2", "--bias"],
    ["--input", "8x8x64", "--kernel", "3", "--out", "128", "--padding", "same", "--effective"],
    ["--input", "56x40x32", "--kernel", "7", "--stride", "2", "--dilation", "2", "--out", "96"],
    ["--input", "12x12x3", "--kernel", "5", "--out", "256", "--intermediate", "3"],
]


def printed(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def assert_fits(text: str) -> None:
    long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not long, f"{len(long)} line(s) over {WIDTH} columns, e.g. {long[0]!r}"


def test_the_demo_fits_100_columns_and_keeps_stderr_empty(capsys):
    status, out, err = printed(capsys, ["demo"])
    assert status == 0 and err == ""
    assert_fits(out)


@pytest.mark.parametrize("options", COUNT_OPTIONS, ids=lambda o: " ".join(o) or "verify")
def test_count_fits_100_columns(options, capsys):
    status, out, err = printed(capsys, ["count", *options])
    assert status == 0 and err == ""
    assert_fits(out)


def test_the_demo_writes_shapes_as_the_articles_do(capsys):
    _, out, _ = printed(capsys, ["demo"])
    assert "Shapes are H x W x C" in out
    assert "standard     12x12x3  256 of 5x5x3  8x8x256        1,228,800" in out
    assert "pointwise    8x8x3    256 of 1x1x3  8x8x256           49,152" in out
    # refconv's own (N, C, H, W) order appears once, labelled, where the arrays are named
    assert "NCHW: the image is x.shape == (1, 3, 12, 12)" in out
    assert "3x12x12" not in out and "256x8x8" not in out and "(256, 8, 8)" not in out


def test_count_writes_output_shapes_as_its_input(capsys):
    _, out, _ = printed(capsys, ["count", "--input", "12x10x3", "--kernel", "5", "--out", "7"])
    assert out.startswith("input 12x10x3 (H x W x C), kernel 5x5, 7 outputs")
    standard = next(line for line in out.splitlines() if line.startswith("standard"))
    assert standard.split()[1] == "8x6x7"  # (12 - 5 + 1) x (10 - 5 + 1) x 7
    assert "(C,H,W)" not in out and "(7, 8, 6)" not in out


def test_the_spatially_separable_rows_say_which_form_and_show_the_other(capsys):
    _, out, _ = printed(capsys, ["demo"])
    lines = out.splitlines()
    mixing = lines.index(
        "spatially separable as in the articles: both passes mix channels, 256 between them"
    )
    assert lines[mixing + 1].startswith("  5x1, 3 -> 256 ")
    assert lines[mixing + 2].startswith("  1x5, 256 -> 256 ")
    assert lines[mixing + 3].split()[-1] == "17.3667"  # the row the issue quoted, now explained
    per_channel = lines.index(
        "spatially separable per channel (3 -> 3 -> 3), then a pointwise step mixes the channels;"
    )
    assert per_channel == mixing + 4
    rows = {
        line[:23].strip(): line.split()[-4] for line in lines[per_channel + 2 : per_channel + 6]
    }
    assert rows == {
        "5x1, per channel": "1,440",  # 8 x 12 outputs x 3 channels x 5 taps
        "1x5, per channel": "960",  # 8 x 8 x 3 x 5
        "pointwise 3 -> 256": "49,152",
        "5x1 + 1x5 + pointwise": "51,552",
    }


def test_per_channel_counts_by_hand():
    rows = per_channel_rows((3, 12, 12), 5, 256)
    assert [r.multiplications for r in rows[:3]] == [8 * 12 * 3 * 5, 8 * 8 * 3 * 5, 8 * 8 * 256 * 3]
    assert rows[3].multiplications == 1_440 + 960 + 49_152
    assert rows[3].cost.output_shape == (256, 8, 8)
    biased = per_channel_rows((3, 12, 12), 5, 256, bias=True)
    assert biased[3].cost.params == rows[3].cost.params + 256  # one bias: the pointwise step's


def test_count_json_keeps_its_rows_and_adds_the_per_channel_form(capsys):
    argv = ["count", "--input", "12x12x3", "--kernel", "5", "--out", "256", "--json"]
    _, out, _ = printed(capsys, argv)
    data = json.loads(out)
    assert [r["multiplications"] for r in data["rows"]][-1] == 21_340_160
    assert [r["name"] for r in data["per_channel_rows"]][-1] == "per channel 5x1 + 1x5 + pointwise"
    assert data["per_channel_rows"][-1]["multiplications"] == 51_552
    assert data["per_channel_rows"][-1]["output_shape"] == [256, 8, 8]  # JSON: refconv's order


def test_the_formula_comes_with_the_letter_the_sources_disagree_on(capsys):
    _, out, _ = printed(capsys, ["demo"])
    lines = out.splitlines()
    formula = next(i for i, line in enumerate(lines) if "1/N + 1/K^2 = 0.0439" in line)
    assert lines[formula].endswith("(1/256 + 1/5^2; N outputs, K kernel)")
    assert lines[formula + 1] == (
        "M is the input channels in the efficient-convolution article, the depth multiplier in "
        "refconv"
    )
    _, out, _ = printed(
        capsys, ["count", "--input", "12x12x3", "--kernel", "5", "--multiplier", "2"]
    )
    assert f"M (1/N + 1/K^2) = {2 * (1 / 64 + 1 / 25):.4f} (2 (1/64 + 1/5^2);" in out


def test_numbers_are_checked_and_figures_are_pictures(capsys):
    _, demo, _ = printed(capsys, ["demo"])
    _, count, _ = printed(capsys, ["count"])
    assert "71 numbers checked, 12 errata reproduced, 0 mismatches." in demo
    assert count.endswith("71 numbers checked, 12 errata reproduced, 0 mismatches.\n")
    assert "Numbers checked: the largest |refconv - scipy.signal.correlate2d|" in demo
    assert "figure" not in demo.lower()
    assert "figures checked" not in count and "published figures" not in count


def test_a_printed_shape_is_never_set_against_a_count():
    (diagram,) = [c for c in published.all_checks() if c.printed == "12x12x256"]
    lines = check_lines(diagram)
    assert lines[0].endswith(": printed output 12x12x256")
    assert not any(re.search(r"12x12x256, exact", line) for line in lines)
    assert "2,764,800 multiplications" in " ".join(lines)  # the note gives the count
    for check in published.all_checks():
        text = " ".join(check_lines(check))
        assert not re.search(r"printed \d+(x\d+)+, exact", text), check.what


def test_a_long_check_keeps_its_convention_whole():
    check = published.Check(
        "a source",
        "a claim long enough to need a second line of its own " * 2,
        "10,988,544",
        10_793_196,
        "multiplications, valid padding, no bias",
        "range [0.727347, 0.742041]",
        True,
    )
    lines = check_lines(check)
    assert all(len(line) <= WIDTH for line in lines)
    assert any(line.strip() == "exact 10,793,196" or "exact 10,793,196" in line for line in lines)
    (convention,) = [line for line in lines if line.lstrip().startswith("(")]
    assert (
        convention.strip()
        == "(multiplications, valid padding, no bias; range [0.727347, 0.742041])"
    )


# ---------------------------------------------------------------- demo --figures


@pytest.fixture
def no_drawing(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """demo --figures without timing or drawing: a measurement that only reports its steps."""
    from pathlib import Path

    import refconv.plotting

    small = json.loads(
        (Path(__file__).parents[1] / "plotting" / "performance_small.json").read_text()
    )

    def collect(quick: bool = True, progress: Any = None) -> dict[str, Any]:
        if progress:
            progress("round 1/5: 21 cases timed")
        return small

    monkeypatch.setattr(performance_data, "collect", collect)
    monkeypatch.delenv(performance_data.DATA_ENV, raising=False)
    monkeypatch.setattr(refconv.plotting, "write_all", lambda out: [Path(out) / "f.png"])
    performance_data.use_data(None)
    request.addfinalizer(lambda: performance_data.use_data(None))


@pytest.mark.usefixtures("no_drawing")
def test_demo_figures_says_nothing_on_stderr_without_verbose(tmp_path, capsys):
    status, out, err = printed(capsys, ["demo", "--figures", str(tmp_path)])
    assert status == 0 and err == ""
    assert_fits(out)
    assert f"wrote 1 figures to {tmp_path}" in out
    assert "The performance figures: 7 cases timed on 1 thread in 3 rounds" in out
    assert (tmp_path / performance_data.DATA_FILE).exists()  # the numbers, saved for reuse


@pytest.mark.usefixtures("no_drawing")
def test_demo_figures_verbose_tells_the_steps_and_the_numbers_on_stderr(tmp_path, capsys):
    status, _, err = printed(capsys, ["demo", "--figures", str(tmp_path), "--verbose"])
    assert status == 0
    lines = err.splitlines()
    assert lines[0] == "performance figures: round 1/5: 21 cases timed"
    assert any("depthwise-separable" in line and "x [" in line for line in lines)
    assert all(line.startswith("performance figures: ") for line in lines)


@pytest.mark.usefixtures("no_drawing")
def test_demo_figures_json_stays_valid(tmp_path, capsys):
    status, out, err = printed(capsys, ["demo", "--figures", str(tmp_path), "--json"])
    data = json.loads(out)
    assert status == 0 and err == ""
    assert data["figures"] == [str(tmp_path / "f.png")]
    assert data["performance"][0].startswith("7 cases timed on 1 thread")
    assert data["comparison_per_channel"][-1]["multiplications"] == 51_552
