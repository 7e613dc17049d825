"""The verification of every published figure runs clean, in-process, and prints them."""

import io
import json
import runpy
from pathlib import Path

from refconv import verification
from refconv.cli import main

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "verify_counts.py"


def test_verification_passes_and_prints_the_key_figures():
    out = io.StringIO()
    assert verification.run(out) == 0
    text = out.getvalue()
    for figure in ("1,228,800", "4,800", "49,152", "53,952", "52,952",  # seed 001
                   "222", "10,793,196",  # seed 002
                   "258.55M", "258,545,664", "69.57M", "186.9M", "5.93k", "1.56K", "4.25K",
                   "357,706", "275,909",  # seed 004
                   "569M", "568,740,352", "4.2M", "94.86%", "1.19%", "74.59%", "24.33%",
                   "325,400,448", "290,675,200"):
        assert figure in text, figure
    assert "0 mismatches" in text
    assert text.count("ERRATUM") == sum(c.tolerance == "erratum"
                                        for c in verification.all_checks())


def test_every_check_passes_and_errata_are_real():
    checks = verification.all_checks()
    assert all(c.ok for c in checks)
    errata = {c.what for c in checks if c.tolerance == "erratum"}
    assert "Conv 3x3 share of Mult-Adds" in errata
    assert "1.0 MobileNet-160 Mult-Adds" in errata


def test_cli_count_verifies(capsys):
    assert main(["count"]) == 0
    assert "0 mismatches" in capsys.readouterr().out


def test_cli_count_table_and_json(capsys):
    assert main(["count", "--input", "12x12x3", "--kernel", "5", "--out", "256"]) == 0
    text = capsys.readouterr().out
    assert "1,228,800" in text and "53,952" in text and "1/N + 1/K^2 = 0.0439" in text
    assert main(["count", "--input", "12x12x3", "--kernel", "5", "--out", "256", "--padding",
                 "same", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0]["multiplications"] == 2_764_800
    assert data["rows"][0]["output_shape"] == [256, 12, 12]


def test_script_exits_zero(capsys):
    namespace = runpy.run_path(str(SCRIPT))
    assert namespace["main"]() == 0
    assert "0 mismatches" in capsys.readouterr().out
