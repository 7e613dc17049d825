"""The command line never shows a traceback: every bad value is one line on stderr, exit 2.

Each case is a subcommand with one malformed option value (zero, negative, past 2**62,
not a number, empty, a malformed shape, a path under /dev/null); the error line must name
that option. Everything runs in-process through ``refconv.cli.main`` except a few calls
through ``python -m refconv``, which prove the exit status and stderr of the real entry point.
None of these cases gets as far as the work (no benchmark, no figure, no JIT compile).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refconv.cli import main
from refconv.cli.options import SPATIAL_MAX

HUGE = str(2**62 + 1)
BAD_INTS = ("0", "-3", HUGE, str(10**40), "abc", "", "1.5", "3e2", "0x10")
BAD_SHAPES_HWC = (
    "12x12",
    "axbxc",
    "0x0x0",
    "12x12x3x1",
    "12x0x3",
    "",
    "x",
    f"{HUGE}x1x1",
    f"{SPATIAL_MAX + 1}x1x1",
)
BAD_SHAPES_HW = ("12", "axb", "0x0", "12x12x3", "", f"1x{HUGE}")
BAD_PATHS = ("", "/dev/null/x", "/dev/null/x/y")
COUNT = ["count", "--input", "12x12x3"]


def _cases() -> list[tuple[list[str], str]]:
    """(argv, the option the error line must name)."""
    cases = []
    for option in ("--kernel", "--out", "--stride", "--dilation", "--multiplier", "--intermediate"):
        cases += [([*COUNT, option, value], option) for value in BAD_INTS]
    cases += [
        ([*COUNT, "--padding", value], "--padding")
        for value in ("-1", HUGE, "abc", "", "1.5", "samee")
    ]
    cases += [(["count", "--input", value], "--input") for value in BAD_SHAPES_HWC]
    cases += [
        (["count", "--input", "3x3x3", "--kernel", "5"], "--kernel"),
        (["count", "--input", "12x12x3", "--kernel", "3", "--dilation", "6"], "--dilation"),
        (["count", "--input", "12x1x3", "--kernel", "3"], "--kernel"),
        (["count", "--kernel", "5"], "--kernel"),
        (["count", "--effective"], "--effective"),
        (["count", "--input", "4096x4096x3", "--kernel", "1025", "--effective"], "--effective"),
    ]
    separable = ["separable", "gaussian"]
    cases += [([*separable, "--size", value], "--size") for value in (*BAD_INTS, "100000", "1026")]
    cases += [
        (["separable", "sobel", "--order", value], "--order") for value in ("-1", HUGE, "abc", "")
    ]
    cases += [
        ([*separable, "--sigma", value], "--sigma")
        for value in ("0", "-1", "nan", "inf", "abc", "", "1e999")
    ]
    cases += [
        (["separable", "sobel", "--tol", value], "--tol")
        for value in ("-0.1", "1", "nan", "abc", "")
    ]
    cases += [(["separable", "sobel", "--image", value], "--image") for value in BAD_SHAPES_HW]
    cases += [
        (["separable", "laplacian", "--neighbours", "5"], "--neighbours"),
        (["separable", "sobel", "--axis", "z"], "--axis"),
        (["separable", "sobel", "--size", "4"], "--size"),  # sobel sizes are odd
        (["separable", "sobel", "--size", "3", "--order", "3"], "--order"),
        (["separable", "box", "--axis", "x"], "--axis"),
        (["separable", "[[1,2],[2,4]]", "--size", "5"], "--size"),
    ]
    cases += [(["plot", "--out", value], "--out") for value in BAD_PATHS]
    cases += [(["plot", "--out", "figures", "--topic", "nope"], "--topic"), (["plot"], "--out")]
    cases += [(["demo", "--figures", value], "--figures") for value in BAD_PATHS]
    for option in ("--batch", "--repeats", "--rounds", "--threads"):
        cases += [(["bench", option, value], option) for value in BAD_INTS]
    cases += [(["bench", "--batch", "65"], "--batch"), (["bench", "--threads", "257"], "--threads")]
    cases += [(["bench", "--json", value], "--json") for value in BAD_PATHS]
    cases += [(["bench", "--peers", "nope"], "--peers"), (["bench", "--cases", "nope"], "--cases")]
    for option in ("--channels", "--out-channels", "--multiplier", "--groups", "--fps", "--seed"):
        cases += [
            (["animate", option, value], option)
            for value in BAD_INTS
            if value != "0" or option != "--seed"
        ]
    for option in ("--input", "--kernel", "--stride", "--dilation"):
        cases += [
            (["animate", option, value], option)
            for value in ("0", "-1", "abc", "", "1x2x3", "99", HUGE)
        ]
    cases += [
        (["animate", "--padding", value], "--padding")
        for value in ("-1", "abc", "", "9", HUGE, "samee")
    ]
    cases += [(["animate", "--out", value], "--out") for value in BAD_PATHS]
    cases += [
        (["animate", "--family", "nope"], "--family"),
        (["animate", "--kernel", "7"], "--kernel"),  # larger than the 5x5 input
        (["animate", "--input", "16x16"], "--input"),  # 196 frames
        (["animate", "--family", "depthwise", "--out-channels", "2"], "--out-channels"),
        (["animate", "--family", "pointwise", "--stride", "2"], "--stride"),  # 1x1: none to set
    ]
    cases += [(["explain", value], "TOPIC") for value in ("nope", "", "Standard", "costs x")]
    for option in ("--epochs", "--batch-size", "--limit"):
        cases += [(["train", option, value], option) for value in BAD_INTS]
    cases += [
        (["train", "--epochs", "1001"], "--epochs"),
        (["train", "--batch-size", "4097"], "--batch-size"),
    ]
    cases += [
        (["train", "--seed", value], "--seed")
        for value in ("-1", HUGE, str(2**32), "abc", "", "1.5", "0x10")
    ]
    cases += [
        (["train", "--lr", value], "--lr")
        for value in ("0", "-0.1", "nan", "inf", "-inf", "abc", "", "11", "1e999")
    ]
    cases += [(["train", "--out", value], "--out") for value in BAD_PATHS]
    cases += [
        (["train", "--data", "cifar10", "--data-dir", value], "--data-dir") for value in BAD_PATHS
    ]
    cases += [
        (["train", "--model", "nope"], "--model"),
        (["train", "--data", "mnist"], "--data"),
        (["train", "--optimizer", "rmsprop"], "--optimizer"),
        (["train", "--data", "cifar10"], "--data-dir"),
        (["train", "--data-dir", "somewhere"], "--data-dir"),  # the synthetic data needs none
    ]
    return cases


def _one_error_line(capsys, command: str) -> str:
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"refconv {command}: error: "), err
    assert lines[0].strip() != f"refconv {command}: error:"
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "option"), _cases(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_a_bad_value_is_one_line_naming_its_option(argv, option, capsys):
    assert main(argv) == 2
    line = _one_error_line(capsys, argv[0])
    assert option in line


@pytest.mark.parametrize(
    ("argv", "given", "expected"),
    [
        ([*COUNT, "--kernel", "0"], "'0'", "from 1 to 65536"),
        ([*COUNT, "--out", HUGE], HUGE[:20], "from 1 to 2**62"),
        (["count", "--input", "12x12"], "'12x12'", "HxWxC"),
        (["count", "--input", "3x3x3", "--kernel", "5"], "3x3x3", "only 3x3"),
        (["separable", "gaussian", "--size", "100000"], "'100000'", "from 1 to 1025"),
        (["plot", "--out", "/dev/null/x"], "'/dev/null/x'", "Not a directory"),
    ],
)
def test_the_line_says_what_was_given_and_what_is_expected(argv, given, expected, capsys):
    assert main(argv) == 2
    line = _one_error_line(capsys, argv[0])
    assert given in line and expected in line


def test_a_huge_value_is_cut_in_the_error_line(capsys):
    assert main([*COUNT, "--kernel", "9" * 5000]) == 2
    line = _one_error_line(capsys, "count")
    assert "(5000 chars)" in line and len(line) < 200


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    kernel=st.one_of(st.integers(-3, 9).map(str), TEXT),
    stride=st.one_of(st.integers(-1, 4).map(str), TEXT),
    padding=st.one_of(st.sampled_from(["same", "valid", "0", "2", "-1"]), TEXT),
    shape=st.one_of(st.sampled_from(["12x12x3", "5x7x2", "1x1x1", "0x4x4"]), TEXT),
)
def test_count_with_any_values_answers_or_fails_in_one_line(kernel, stride, padding, shape):
    """Any text in any of these options: either a table (exit 0) or one error line (exit 2)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    argv = ["count", "--input", shape, "--kernel", kernel, "--stride", stride, "--padding", padding]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    if code == 0:
        assert err.getvalue() == "" and "multiplications" in out.getvalue()
    else:
        assert code == 2 and out.getvalue() == ""
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and lines[0].startswith("refconv count: error: ")
        assert any(
            option in lines[0] for option in ("--input", "--kernel", "--stride", "--padding")
        )


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.integers(max_value=0), st.integers(min_value=1026)).map(str))
def test_separable_refuses_every_size_outside_1_to_1025_before_building_it(value):
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["separable", "gaussian", "--size", value]) == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1 and "argument --size" in err.getvalue()


@pytest.mark.parametrize("argv", [["nope"], ["--json"], ["count", "--nope"]])
def test_unknown_commands_and_options_are_one_line(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and "error:" in err


def test_no_subcommand_prints_the_help_and_exits_2(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: refconv")
    for command in ("demo", "count", "separable", "plot", "bench", "info"):
        assert command in err


# --------------------------------------------------------------------------- the real entry


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "refconv", *argv], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (("count", "--input", "12x12x3", "--kernel", "0"), "--kernel"),
        (("demo", "--figures", "/dev/null/x"), "--figures"),  # refused before the report
    ],
)
def test_python_dash_m_exits_2_with_one_line(argv, option):
    result = _run(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and option in result.stderr
    assert "Traceback" not in result.stderr


def test_python_dash_m_without_a_command_exits_2():
    result = _run()
    assert result.returncode == 2
    assert result.stdout == "" and result.stderr.startswith("usage: refconv")


def test_a_reader_that_leaves_early_is_not_an_error():
    """``refconv ... --json | head -c 1``: the broken pipe ends the command quietly, status 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "refconv", "separable", "gaussian", "--size", "301", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(1) == b"{"
    process.stdout.close()  # a 301x301 kernel is ~2 MB of JSON: the next write breaks the pipe
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=120) == 0
    assert err == b""
