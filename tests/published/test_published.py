"""The verification of every published figure runs clean, in-process, and prints them."""

import io
import json
import subprocess
import sys
from pathlib import Path

from refconv import published
from refconv.cli import main
from refconv.published.report import check_lines
from refconv.sources import SOURCES

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_counts.py"


def test_verification_passes_and_prints_the_key_figures():
    out = io.StringIO()
    assert published.run(out) == 0
    text = out.getvalue()
    for figure in (
        "1,228,800",
        "4,800",
        "49,152",
        "53,952",
        "52,952",  # the TDS introduction
        "222",
        "10,793,196",  # the efficient-convolution article
        "258.55M",
        "258,545,664",
        "69.57M",
        "186.9M",
        "5.93k",
        "1.56K",
        "4.25K",
        "357,706",
        "275,909",  # the CIFAR-10 notebook
        "569M",
        "568,740,352",
        "4.2M",
        "94.86%",
        "1.19%",
        "74.59%",
        "24.33%",
        "325,400,448",
        "290,675,200",
    ):
        assert figure in text, figure
    assert "0 mismatches" in text
    assert text.count("ERRATUM") == sum(c.tolerance == "erratum" for c in published.all_checks())


def test_every_check_passes_and_errata_are_real():
    checks = published.all_checks()
    assert all(c.ok for c in checks)
    errata = {c.what for c in checks if c.tolerance == "erratum"}
    assert "Conv 3x3 share of Mult-Adds" in errata
    assert "1.0 MobileNet-160 Mult-Adds" in errata


def test_sections_and_sources_name_the_articles_not_file_numbers():
    titles = list(published.SECTIONS)
    assert titles[:4] == [
        "The TDS introduction: 12x12x3 image, 5x5 kernels, 256 outputs",
        "The efficient-convolution article: 224x224x3 walk-through and complexity formulas",
        "The PyTorch comparison: profiler table of Param (conv1 + each block)",
        "The CIFAR-10 notebook: StandardCNN vs SeparableCNN (Keras)",
    ]
    checks = published.all_checks()
    assert {c.source for c in published.tds_checks()} == {SOURCES["tds"].short}
    assert {c.source for c in published.notebook_checks()} == {SOURCES["notebook"].short}
    for check in checks:
        text = " ".join((check.source, check.what, check.note)).lower()
        assert "seed" not in text, check


def test_a_failed_check_is_counted_and_printed_as_a_mismatch(monkeypatch):
    wrong = published.check.exact("a source", "a figure", 1, 2, "a convention")
    assert not wrong.ok and "[MISMATCH]" in "\n".join(check_lines(wrong))
    monkeypatch.setattr(published, "SECTIONS", {"One section": lambda: [wrong]})
    out = io.StringIO()
    assert published.run(out) == 1
    assert out.getvalue().endswith("1 numbers checked, 0 errata reproduced, 1 mismatches.\n")


def test_cli_count_verifies(capsys):
    assert main(["count"]) == 0
    assert "0 mismatches" in capsys.readouterr().out


def test_cli_count_table_and_json(capsys):
    assert main(["count", "--input", "12x12x3", "--kernel", "5", "--out", "256"]) == 0
    text = capsys.readouterr().out
    assert "1,228,800" in text and "53,952" in text and "1/N + 1/K^2 = 0.0439" in text
    assert (
        main(
            [
                "count",
                "--input",
                "12x12x3",
                "--kernel",
                "5",
                "--out",
                "256",
                "--padding",
                "same",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0]["multiplications"] == 2_764_800
    assert data["rows"][0]["output_shape"] == [256, 12, 12]


def test_script_exits_zero():
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "0 mismatches" in done.stdout
