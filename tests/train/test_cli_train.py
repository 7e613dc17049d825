"""``refconv train``: the text, --json, --out, the progress bar, CIFAR-10 from a folder, and
two runs of a tiny configuration that print the same JSON, times excepted."""

from __future__ import annotations

import json

import pytest

from refconv.cli import main
from refconv.cli.train import BATCH_SIZE, CURVES, EPOCHS, RESULTS
from refconv.train import without_timings

from ..data.cifar_fixture import PER_BATCH, write_folder

TINY = ["train", "--limit", "24", "--epochs", "2", "--batch-size", "12", "--seed", "3"]


def _json_run(capsys, argv):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert err == ""  # stderr is no TTY here, and no --verbose: no progress bar
    return json.loads(out)


def test_two_runs_of_the_same_configuration_print_the_same_json_except_the_times(capsys):
    first = _json_run(capsys, [*TINY, "--json"])
    second = _json_run(capsys, [*TINY, "--json"])
    assert without_timings(first) == without_timings(second)
    assert [row["name"] for row in first["models"]] == ["standard", "separable"]
    assert first["config"]["seed"] == 3 and first["dataset"]["train"] == 24


def test_the_text_shows_each_epoch_then_the_table(capsys):
    assert main([*TINY, "--model", "separable"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == ""
    assert lines[0].startswith("separable epoch 1/2: train loss ")
    assert lines[1].startswith("separable epoch 2/2: ")
    assert lines[2] == ""
    assert lines[3].split()[:2] == ["model", "parameters"]
    assert lines[5].startswith("SeparableCNN") and "275,461" in lines[5]
    assert len(lines) == 6


def test_verbose_shows_the_progress_bar_on_stderr(capsys):
    assert main([*TINY, "--model", "separable", "--epochs", "1", "--verbose", "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout stays pure JSON
    assert "SeparableCNN epoch 1/1" in err and "2/2" in err


def test_out_writes_the_curves_and_the_results(capsys, tmp_path):
    out_dir = tmp_path / "figures"
    printed = _json_run(capsys, [*TINY, "--model", "standard", "--json", "--out", str(out_dir)])
    assert (out_dir / CURVES).read_bytes()[:4] == b"\x89PNG"
    assert json.loads((out_dir / RESULTS).read_text()) == printed


def test_cifar10_from_a_folder(capsys, tmp_path):
    write_folder(tmp_path)
    argv = ["train", "--data", "cifar10", "--data-dir", str(tmp_path), "--model", "separable"]
    result = _json_run(capsys, [*argv, "--epochs", "1", "--batch-size", "8", "--json"])
    assert result["dataset"]["name"] == "cifar10"
    assert (result["dataset"]["train"], result["dataset"]["test"]) == (5 * PER_BATCH, PER_BATCH)
    assert result["dataset"]["classes"][0] == "airplane"


def test_cifar10_offline_is_one_line(capsys, tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network here")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert main(["train", "--data", "cifar10", "--data-dir", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith("refconv train: error: cannot download CIFAR-10 from https://")
    assert "no network here" in err


def test_the_defaults():
    assert (EPOCHS, BATCH_SIZE) == (3, 64)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--data", "cifar10"], "--data cifar10 needs --data-dir"),
        (["train", "--data-dir", "x"], "--data-dir is for --data cifar10"),
        (["train", "--data", "cifar10", "--data-dir", "/dev/null/x"], "--data-dir '/dev/null/x'"),
    ],
)
def test_options_that_do_not_go_together(argv, message, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and message in err
