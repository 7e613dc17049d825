"""docs/training.md shows what the commands print: the default run's epochs and table (from the
JSON that run wrote, docs/figures/training_results.json), a small run made again here, the
shapes of a training step, and the numbers in its prose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from refconv import models
from refconv.cli import main
from refconv.cli.train import BATCH_SIZE, EPOCHS
from refconv.counting import summary
from refconv.train import format_table
from refconv.train.experiment import format_epochs
from refconv.train.shapes import backward_shapes, format_shapes

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "training.md"
RESULTS = ROOT / "docs" / "figures" / "training_results.json"
CURVES = ROOT / "docs" / "figures" / "training_curves.png"
DEFAULT_RUN = "refconv train --model both --epochs 3 --batch-size 64 --seed 0 --out docs/figures"
SMALL_RUN = "refconv train --model separable --limit 200 --epochs 1 --batch-size 50"


def _output_of(command: str) -> str:
    """The lines after ``$ command`` in the page's console block, up to its closing fence."""
    text = PAGE.read_text()
    start = text.index(f"```console\n$ {command}\n") + len(f"```console\n$ {command}\n")
    return text[start : text.index("```", start)].rstrip("\n")


@pytest.fixture(scope="module")
def result():
    return json.loads(RESULTS.read_text())


def test_the_stored_run_is_the_default_run(result):
    assert result["config"] == {
        "models": ["standard", "separable"],
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "seed": 0,
        "optimizer": "adam",
        "lr": 0.001,
    }
    assert result["dataset"]["name"] == "synthetic"
    assert (result["dataset"]["train"], result["dataset"]["test"]) == (10_000, 2_000)
    assert f"--epochs {EPOCHS} --batch-size {BATCH_SIZE} --seed 0" in DEFAULT_RUN


def test_the_page_shows_what_the_default_run_printed(result):
    assert _output_of(DEFAULT_RUN) == format_epochs(result) + "\n\n" + format_table(result)


def test_the_curves_are_there():
    assert CURVES.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](figures/training_curves.png)" in PAGE.read_text()


def _without_times(text: str) -> str:
    text = re.sub(r"\(\d+\.\d s\)", "(- s)", text)  # an epoch line's time
    text = re.sub(r"time per epoch \d+\.\d+", "time per epoch -", text)
    lines = []
    for line in text.splitlines():
        if line.startswith(("StandardCNN", "SeparableCNN")):
            line = line.rsplit(maxsplit=1)[0]  # the table's last column: seconds per epoch
        lines.append(line.rstrip())
    return "\n".join(lines)


def test_the_small_run_prints_the_same_numbers_here(capsys):
    assert main(SMALL_RUN.split()[1:]) == 0
    out, _ = capsys.readouterr()
    assert _without_times(out.rstrip("\n")) == _without_times(_output_of(SMALL_RUN))


@pytest.mark.parametrize("model", ["standard", "separable"])
def test_the_shapes_are_those_of_a_real_step(model):
    command = f"python -m refconv.train.shapes {model} 64"
    assert _output_of(command) == format_shapes(backward_shapes(model, 64))


def _prose() -> str:
    text = PAGE.read_text()
    return " ".join(re.sub(r"```.*?```", "", text, flags=re.DOTALL).split())


def test_the_numbers_in_the_prose(result):
    by_name = {row["name"]: row for row in result["models"]}
    std, sep = by_name["standard"], by_name["separable"]
    prose = _prose()
    expected = [
        f"{sep['params']:,} parameters instead of {std['params']:,}",
        f"{sep['params'] / std['params']:.3f} times",
        f"{sep['multiplications']:,} multiplications per image instead of "
        f"{std['multiplications']:,}",
        f"{sep['multiplications'] / std['multiplications']:.3f} times",
        f"{sep['test_accuracy']:.4f} against {std['test_accuracy']:.4f}",
        f"after one epoch, {sep['epochs'][0]['test_accuracy']:.4f} against "
        f"{std['epochs'][0]['test_accuracy']:.4f}",
        f"{sep['seconds_per_epoch'] / std['seconds_per_epoch']:.2f} times as long",
    ]
    # the summary's rows: what the convolutions hold and do, and what the rest does
    for name, build in (("standard", models.standard_cnn), ("separable", models.separable_cnn)):
        rows = summary(build(seed=0), (3, 32, 32)).rows
        conv = [r for r in rows if "Conv" in r.layer]
        by_name[name]["conv_params"] = sum(r.params for r in conv)
        by_name[name]["conv_mults"] = sum(r.multiplications for r in conv)
        by_name[name]["other_mults"] = sum(r.multiplications for r in rows if r not in conv)
        by_name[name]["dense"] = [r.params for r in rows if r.layer == "Linear"]
    assert std["other_mults"] == sep["other_mults"] and std["dense"] == sep["dense"]
    expected += [
        f"({sep['dense'][0]:,} + {sep['dense'][1]:,} parameters)",
        f"{sep['conv_params']:,} parameters instead of {std['conv_params']:,}",
        f"{sep['conv_mults']:,} instead of {std['conv_mults']:,}",
        f"and the dense layers, {sep['other_mults']:,})",
        f"first epoch's training loss averaged {std['epochs'][0]['train_loss']:.4f}",
        f"against {sep['epochs'][0]['train_loss']:.4f}",
    ]
    for sentence in expected:
        assert sentence in prose, sentence
