"""The notebook's experiment: the facts of each model, the JSON, the table, the curves, and
the same numbers from the same seed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from refconv import models
from refconv.counting import summary
from refconv.train import format_table, make_optimizer, run_experiment, without_timings
from refconv.train.experiment import TABLE_HEADER, format_epochs, table_rows
from refconv.train.figure import learning_curves, save_learning_curves

TINY = {"epochs": 2, "batch_size": 16, "seed": 0, "n_train": 32, "n_test": 20}


@pytest.fixture(scope="module")
def result():
    return run_experiment(("standard", "separable"), **TINY)


def test_the_models_facts_come_from_the_summary(result):
    by_name = {row["name"]: row for row in result["models"]}
    for name, build in (("standard", models.standard_cnn), ("separable", models.separable_cnn)):
        s = summary(build(seed=0), (3, 32, 32))
        assert by_name[name]["params"] == s.total_params
        assert by_name[name]["multiplications"] == s.total_multiplications
    # the notebook's Keras count_params() (BatchNorm's moving statistics included)
    assert by_name["standard"]["keras_params"] == 357_706
    assert by_name["separable"]["keras_params"] == 275_909
    assert by_name["standard"]["model"] == "StandardCNN"


def test_the_result_is_json_and_says_how_it_was_made(result):
    again = json.loads(json.dumps(result))
    assert again == result
    assert result["config"] == {
        "models": ["standard", "separable"],
        "epochs": 2,
        "batch_size": 16,
        "seed": 0,
        "optimizer": "adam",
        "lr": 0.001,
    }
    assert result["dataset"]["name"] == "synthetic"
    assert (result["dataset"]["train"], result["dataset"]["test"]) == (32, 20)
    for row in result["models"]:
        assert len(row["epochs"]) == 2
        assert row["test_accuracy"] == row["epochs"][-1]["test_accuracy"]
        mean = sum(e["seconds"] for e in row["epochs"]) / 2
        assert row["seconds_per_epoch"] == pytest.approx(mean)
        for e in row["epochs"]:
            assert 0 <= e["train_accuracy"] <= 1 and 0 <= e["test_accuracy"] <= 1
            assert e["train_loss"] > 0 and np.isfinite(e["test_loss"])


def test_the_same_seed_gives_the_same_numbers(result):
    again = run_experiment(("standard", "separable"), **TINY)
    assert without_timings(again) == without_timings(result)
    assert again != result  # the times differ: without_timings is what makes them equal


def test_another_seed_gives_other_numbers(result):
    other = run_experiment(("separable",), **{**TINY, "seed": 1})
    mine = next(row for row in result["models"] if row["name"] == "separable")
    assert other["models"][0]["epochs"][0]["train_loss"] != mine["epochs"][0]["train_loss"]


def test_without_timings_drops_exactly_the_times():
    data = {"a": 1, "seconds": 2.0, "rows": [{"seconds_per_epoch": 1.0, "b": [1, {"seconds": 3}]}]}
    assert without_timings(data) == {"a": 1, "rows": [{"b": [1, {}]}]}


def test_the_table(result):
    text = format_table(result)
    lines = text.splitlines()
    for word in TABLE_HEADER:
        assert word in lines[0]
    assert lines[2].startswith("StandardCNN") and "357,258" in lines[2] and "10,642,688" in lines[2]
    assert lines[3].startswith("SeparableCNN") and "275,461" in lines[3] and "1,605,888" in lines[3]
    assert lines[4].startswith("separable / standard: parameters 0.771, multiplications 0.151")
    rows = table_rows(result)
    assert rows[0][4] == f"{result['models'][0]['test_accuracy']:.4f}"


def test_the_epoch_lines(result):
    lines = format_epochs(result).splitlines()
    assert len(lines) == 4
    first = result["models"][0]["epochs"][0]
    assert lines[0].startswith("standard  epoch 1/2: train loss ")
    assert lines[3].startswith("separable epoch 2/2: train loss ")
    assert f"{first['train_loss']:.4f}" in lines[0] and f"{first['test_accuracy']:.4f}" in lines[0]


def test_one_model_alone_has_no_ratio_line():
    alone = run_experiment(("separable",), epochs=1, batch_size=16, n_train=16, n_test=10)
    assert len(format_table(alone).splitlines()) == 3


def test_the_optimizers():
    model = models.separable_cnn(seed=0)
    adam, sgd = make_optimizer("adam", model), make_optimizer("sgd", model, lr=0.05)
    assert type(adam).__name__ == "Adam" and adam.lr == 0.001
    assert type(sgd).__name__ == "SGD" and sgd.lr == 0.05 and sgd.momentum == 0.9
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer("rmsprop", model)


@pytest.mark.parametrize("names", [(), ("resnet",), ("standard", "nope")])
def test_unknown_models_are_refused(names):
    with pytest.raises(ValueError, match="models must be among"):
        run_experiment(names, epochs=1, batch_size=4, n_train=4, n_test=4)


def test_the_learning_curves(result, tmp_path):
    fig = learning_curves(result)
    acc_ax, loss_ax = fig.axes
    assert len(acc_ax.lines) == 4 + 1  # 2 models x (train, test) + the chance line
    assert len(loss_ax.lines) == 4
    std_test = next(line for line in acc_ax.lines if line.get_label() == "StandardCNN, test")
    expected = [e["test_accuracy"] for e in result["models"][0]["epochs"]]
    assert list(std_test.get_ydata()) == expected
    path = save_learning_curves(result, tmp_path / "curves" / "training_curves.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
