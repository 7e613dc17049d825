"""``refconv separable``: text and JSON output, exit codes, error messages."""

from __future__ import annotations

import argparse
import importlib.util
import json

import pytest

from refconv import filters
from refconv.commands import separable


def run(capsys, *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="refconv")
    separable.register(parser.add_subparsers())
    args = parser.parse_args(["separable", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_sobel_text(capsys):
    code, out, err = run(capsys, "sobel")
    assert code == 0 and err == ""
    assert "rank: 1" in out
    assert "column (3x1): [1, 2, 1]" in out
    assert "row    (1x3): [-1, 0, 1]" in out
    assert "np.outer(column, row) == kernel exactly" in out
    assert "full 3*3 = 9, separable 3+3 = 6" in out
    # 256x256 default image: same 9*65536 vs 6*65536; valid 254x254 with a 254x256 intermediate
    assert "589,824" in out and "393,216" in out
    assert "580,644" in out and f"{3 * 254 * 256 + 3 * 254 * 254:,}" in out


def test_matrix_json(capsys):
    code, out, _ = run(capsys, "[[1,2],[2,4]]", "--image", "12x12", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["rank"] == 1 and data["is_separable"] is True
    assert data["column"] == [1, 2] and data["row"] == [1, 2]
    same, valid = data["costs"]
    assert (same["full"], same["separable"]) == (4 * 144, 4 * 144)  # 2x2: nothing saved
    assert (valid["full"], valid["column_pass"], valid["row_pass"]) == (484, 264, 242)


def test_sizes_and_non_separable(capsys):
    code, out, _ = run(capsys, "sobel", "--size", "5", "--axis", "y", "--json")
    data = json.loads(out)
    assert data["column"] == [-1, -2, 0, 2, 1] and data["row"] == [1, 4, 6, 4, 1]
    code, out, _ = run(capsys, "laplacian4")
    assert code == 0
    assert "rank: 2" in out and "separable: no" in out and "low_rank(kernel, 2)" in out


def test_list(capsys):
    code, out, _ = run(capsys, "--list")
    assert code == 0
    for name in filters.ZOO:
        assert name in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["[[1,2],[3]]"], "rows of equal length"),
        (["[[1,2],"], "could not read the matrix"),
        (["[[1,2],[2,4]]", "--size", "5"], "only apply to named filters"),
        (["sobel", "--image", "big"], "--image must look like 256x256"),
        (["box", "--axis", "x"], "filter 'box' does not take axis"),
        (["nope"], "unknown filter 'nope'"),
        ([], "give a KERNEL"),
    ],
)
def test_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("refconv separable: error:") and message in err


def _all_subcommands_present() -> bool:
    from refconv.cli import SUBCOMMANDS

    return all(importlib.util.find_spec(f"refconv.commands.{n}") for n in SUBCOMMANDS)


@pytest.mark.skipif(not _all_subcommands_present(), reason="not every subcommand module exists")
def test_through_the_main_entry_point(capsys):
    from refconv.cli import main

    assert main(["separable", "scharr"]) == 0
    assert "column (3x1): [3, 10, 3]" in capsys.readouterr().out
