"""The ``refconv`` command line: demo, count, plot, bench --list, --json everywhere, help
texts, and the README's own example. Bad values: test_cli_fuzz.py; info: test_info.py."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from refconv import published
from refconv.cli import SUBCOMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def test_demo_prints_the_tds_counts_and_agrees_with_scipy(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "1,228,800" in out
    assert "4,800 + 49,152 = 53,952" in out
    assert "8x8x256" in out  # H x W x C, as the articles write it


def test_demo_json_has_every_method_within_float64_rounding(capsys):
    assert main(["demo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    results = data["convolutions"]
    assert results["standard"]["multiplications"] == 1_228_800
    assert results["depthwise"]["multiplications"] == 4_800
    assert results["pointwise"]["multiplications"] == 49_152
    assert results["pointwise"]["output"] == [256, 8, 8]
    for row in results.values():
        assert set(row["max_abs_error_vs_scipy"]) == {"auto", "reference", "direct", "im2col"}
        # float64 sums of at most 75 products of standard normals: rounding is ~1e-14
        assert max(row["max_abs_error_vs_scipy"].values()) < 1e-12
    assert data["example"]["input_hwc"] == [12, 12, 3]
    assert data["separable_multiplications"] == 53_952 and data["times_fewer"] == 22.78
    assert [r["multiplications"] for r in data["comparison"]][:4] == [
        1_228_800,
        4_800,
        49_152,
        53_952,
    ]
    checks = published.all_checks()
    assert data["verification"]["checked"] == len(checks)
    assert data["verification"]["mismatches"] == 0
    assert data["verification"]["errata"] == sum(c.tolerance == "erratum" for c in checks)
    assert {c["verdict"] for c in data["verification"]["errata_checks"]} == {"erratum"}
    assert data["separability"]["sobel_x"]["column"] == [1, 2, 1]
    assert data["separability"]["sobel_x"]["row"] == [-1, 0, 1]
    assert data["separability"]["laplacian4"]["rank"] == 2
    assert data["ok"] is True and "figures" not in data


def test_plot_writes_the_separability_figures(tmp_path, capsys):
    assert main(["plot", "--out", str(tmp_path), "--topic", "separability"]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written, "no figure written"
    assert all((tmp_path / name).stat().st_size > 1000 for name in written)
    assert set(capsys.readouterr().out.split()) == {str(tmp_path / n) for n in written}


def test_plot_json_lists_the_files_it_wrote(tmp_path, capsys):
    out = tmp_path / "new" / "folder"  # created, parents too
    assert main(["plot", "--out", str(out), "--topic", "separability", "--json"]) == 0
    paths = json.loads(capsys.readouterr().out)
    assert sorted(paths) == sorted(str(p) for p in out.glob("*.png"))
    assert paths and all(p.endswith(".png") for p in paths)


def test_plot_topics_are_the_plotting_modules():
    from refconv.plotting import TOPICS, figures

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    topic = next(a for a in subparsers.choices["plot"]._actions if a.dest == "topic")
    assert tuple(topic.choices) == TOPICS
    for name in TOPICS:
        assert figures((name,)) and all(key.startswith(name) for key in figures((name,)))


def test_count_json_without_input_is_the_verification(capsys):
    assert main(["count", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    checks = published.all_checks()
    assert [s["title"] for s in data["sections"]] == list(published.SECTIONS)
    flat = [c for s in data["sections"] for c in s["checks"]]
    assert len(flat) == data["checked"] == len(checks)
    assert [c["what"] for c in flat] == [c.what for c in checks]
    assert data["mismatches"] == 0 and data["ok"] is True
    assert (
        data["errata"]
        == sum(c["verdict"] == "erratum" for c in flat)
        == sum(c.tolerance == "erratum" for c in checks)
    )
    total = next(c for c in flat if c["what"] == "depthwise + pointwise")
    assert (total["printed"], total["exact"], total["verdict"]) == ("53,952", 53_952, "ok")
    swapped = next(c for c in flat if c["what"] == "Conv 3x3 share of Mult-Adds")
    assert (swapped["printed"], swapped["verdict"]) == ("1.19%", "erratum")
    assert {c["verdict"] for c in flat} == {"ok", "erratum", "info"}


def test_count_json_with_input_repeats_the_options_in_hwc(capsys):
    assert (
        main(
            [
                "count",
                "--input",
                "12x10x3",
                "--kernel",
                "5",
                "--out",
                "256",
                "--stride",
                "2",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["input_hwc"] == [12, 10, 3] and data["input_chw"] == [3, 12, 10]
    assert data["options"]["kernel"] == 5 and data["options"]["stride"] == 2
    assert data["options"]["padding"] == 0 and data["options"]["intermediate"] is None
    standard = data["rows"][0]
    # (12 - 5) // 2 + 1 = 4 rows, (10 - 5) // 2 + 1 = 3 columns, 3*5*5 products each
    assert standard["output_shape"] == [256, 4, 3]
    assert standard["multiplications"] == 256 * 4 * 3 * 75
    assert data["formula_1_over_N_plus_1_over_K2"] == pytest.approx(1 / 256 + 1 / 25)


def test_count_effective_table(capsys):
    assert (
        main(
            [
                "count",
                "--input",
                "3x3x1",
                "--kernel",
                "3",
                "--out",
                "1",
                "--padding",
                "1",
                "--effective",
                "--json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["multiplications"] == 49  # 4+6+4 + 6+9+6 + 4+6+4 real pixels


def test_bench_list_json_names_every_case(capsys):
    from refconv import bench

    assert main(["bench", "--list", "--json"]) == 0
    cases = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in cases] == [c.name for c in bench.CASES]
    seed = next(c for c in cases if c["name"] == "seed_standard")
    assert (seed["c_in"], seed["c_out"], seed["size"], seed["kernel"]) == (3, 256, 12, 5)


def test_bench_list_json_to_a_file_prints_the_text(tmp_path, capsys):
    target = tmp_path / "cases.json"
    assert main(["bench", "--list", "--json", str(target)]) == 0
    assert "seed_standard" in capsys.readouterr().out
    assert json.loads(target.read_text())[0]["name"] == "std_64_64"


def test_bench_json_path_is_checked_before_the_benchmark(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["bench", "--json", str(blocker / "results.json"), "--quick"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("refconv bench: error: --json") and "\n" == err[-1]
    assert blocker.read_text() == "x"


def test_demo_figures_folder_is_checked_before_the_report(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["demo", "--figures", str(blocker)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no report printed before the error
    assert err.startswith("refconv demo: error: --figures") and len(err.splitlines()) == 1


def test_to_json_writes_nan_and_infinity_as_null():
    from refconv.cli.options import to_json

    text = to_json({"a": float("inf"), "b": [float("nan"), 1.5], "c": (2, -float("inf"))})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": [2, None]}
    assert "NaN" not in text and "Infinity" not in text


def test_library_errors_that_slip_through_are_one_line(capsys, monkeypatch):
    """A ValueError from a library call (not a bug in refconv) is one line, status 2."""
    from refconv.cli.count import counting

    def refuse(*args, **kwargs):
        raise ValueError("input_shape must be (C, H, W)\nwith positive ints")

    monkeypatch.setattr(counting, "compare_convolutions", refuse)
    assert main(["count", "--input", "12x12x3"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "refconv count: error: input_shape must be (C, H, W) with positive ints\n"


def test_other_exceptions_are_bugs_and_keep_their_traceback(monkeypatch):
    from refconv.cli.count import counting

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(counting, "compare_convolutions", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["count", "--input", "12x12x3"])


def test_python_dash_m_refconv_runs_the_same_cli():
    result = subprocess.run(
        [sys.executable, "-m", "refconv", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("refconv ")


def test_the_readme_python_example_runs_as_written():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert namespace["y"].shape == (1, 256, 6, 6)
    assert namespace["dw"].shape == (1, 6, 8, 8)
    assert namespace["sep"].shape == (1, 256, 8, 8)
    np.testing.assert_array_equal(namespace["x"].dtype, np.float32)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_plain_text_help(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: refconv {command}")
    assert "``" not in text and not re.search(r":[a-z]+:`", text), "reST markup in --help"
    assert "--json" in text


def test_every_option_has_a_help_string():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subparsers.choices) == set(SUBCOMMANDS)
    for name, sub in [("refconv", parser), *subparsers.choices.items()]:
        for action in sub._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
            assert "``" not in action.help and not re.search(r":[a-z]+:`", action.help)
    assert "``" not in parser.format_help()
