"""``refconv separable``: text and JSON output, exit codes, error messages."""

from __future__ import annotations

import json

import pytest

from refconv import filters
from refconv.cli import main
from refconv.cli.separable import MAX_SIZE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["separable", *argv])
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


def test_list_json(capsys):
    code, out, err = run(capsys, "--list", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert [row["name"] for row in data["zoo"]] == list(filters.ZOO)
    by_name = {row["name"]: row for row in data["zoo"]}
    assert by_name["sobel_x"] == {"name": "sobel_x", "shape": [3, 3], "dtype": "int64", "rank": 1}
    assert by_name["log"]["shape"] == [9, 9] and by_name["log"]["rank"] == 2
    assert "gaussian" in data["base_names"]


def test_the_largest_size_runs_and_the_next_is_refused(capsys):
    code, out, _ = run(capsys, "box", "--size", str(MAX_SIZE), "--image", "2048x2048")
    assert code == 0
    assert out.startswith(f"kernel: box size={MAX_SIZE}, {MAX_SIZE}x{MAX_SIZE}, int64")
    assert "rank: 1" in out and f"full {MAX_SIZE}*{MAX_SIZE} = {MAX_SIZE**2}" in out
    code, out, err = run(capsys, "gaussian", "--size", str(MAX_SIZE + 1))
    assert code == 2 and out == ""
    assert err == (
        f"refconv separable: error: argument --size: expected an int from 1 to "
        f"{MAX_SIZE}; got '{MAX_SIZE + 1}'\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["[[1,2],[3]]"], "rows of equal length"),
        (["[[1,2],"], "could not read the matrix"),
        (["[[1,2],[2,4]]", "--size", "5"], "--size applies only to named filters"),
        (["sobel", "--image", "big"], "argument --image: expected HxW"),
        (["box", "--axis", "x"], "box --axis x: filter 'box' does not take axis"),
        (["sobel", "--size", "4"], "sobel --size 4: size must be an odd int"),
        (["gaussian", "--sigma", "-1"], "argument --sigma: expected a positive, finite number"),
        (["sobel", "--tol", "1"], "argument --tol: expected a number with 0 <= tol < 1"),
        (["nope"], "unknown filter 'nope'"),
        ([], "give a KERNEL"),
        ([" "], "give a KERNEL"),
    ],
)
def test_errors(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("refconv separable: error:") and message in err
    assert len(err.splitlines()) == 1


def test_scharr_through_the_main_entry_point(capsys):
    assert main(["separable", "scharr"]) == 0
    assert "column (3x1): [3, 10, 3]" in capsys.readouterr().out
