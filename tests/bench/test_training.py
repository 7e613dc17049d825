"""The training section of the benchmark: the PyTorch peer computes the same network with the
same weights, the rows and tables; the timed run itself is marked ``bench``."""

from __future__ import annotations

import numpy as np
import pytest

from refconv.bench.training import (
    TRAINING_BY_NAME,
    TRAINING_CASES,
    layer_times,
    refconv_model,
    refconv_step,
    step_inputs,
)
from refconv.bench.training_table import format_training, run_training, training_row
from refconv.cli import main


@pytest.mark.parametrize("case", TRAINING_CASES, ids=lambda c: c.name)
def test_the_torch_peer_is_the_same_network_with_the_same_weights(case):
    torch = pytest.importorskip("torch")
    from refconv.bench.training import torch_model

    x, _ = step_inputs(8)
    expected = refconv_model(case).eval()(x)  # inference: no dropout, running statistics
    got = torch_model(case).eval()(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", TRAINING_CASES, ids=lambda c: c.name)
def test_the_torch_step_has_the_same_gradients_without_dropout(case):
    """Training mode with dropout switched off: refconv's backward equals autograd's."""
    torch = pytest.importorskip("torch")
    from refconv import nn
    from refconv.bench.training import torch_model

    model, net = refconv_model(case), torch_model(case)
    for layer in model:
        if isinstance(layer, nn.Dropout):
            layer.p = 0.0
    net[-2].p = 0.0  # torch's Dropout, the second last module
    x, y = step_inputs(6)
    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(x), y)
    model.backward(criterion.backward())
    t_loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y))
    t_loss.backward()
    assert loss == pytest.approx(float(t_loss.detach()), rel=1e-5)
    first = next(model.parameters())  # the first convolution's (depthwise) weight
    t_first = next(net.parameters())
    np.testing.assert_allclose(first.grad, t_first.grad.numpy(), rtol=1e-3, atol=1e-6)


def test_a_refconv_step_learns_its_batch():
    step = refconv_step(TRAINING_BY_NAME["train_separable"], batch=8)
    losses = [step() for _ in range(6)]
    assert losses[-1] < losses[0]


def test_the_refconv_profile_has_every_layer_the_loss_and_the_update():
    rows = layer_times("refconv", TRAINING_BY_NAME["train_separable"], repeats=1)
    names = [row["layer"] for row in rows]
    assert names[0] == "separable_conv2d" and names[-2:] == ["loss", "optimizer (Adam)"]
    assert len(names) == 17 + 2
    assert all(row["forward_s"] >= 0 and row["backward_s"] >= 0 for row in rows)


def test_layer_times_refuses_other_peers():
    with pytest.raises(ValueError, match="no training step for peer 'scipy'"):
        layer_times("scipy", TRAINING_CASES[0])


def _layers(scale):
    return [
        {"layer": "conv", "forward_s": 0.01 * scale, "backward_s": 0.03 * scale},
        {"layer": "loss", "forward_s": 0.001, "backward_s": 0.0},
    ]


def test_a_row_and_its_tables():
    case = TRAINING_BY_NAME["train_standard"]
    row = training_row(
        case,
        {"refconv": [0.3, 0.2, 0.25], "torch": [0.1, 0.2, 0.2]},
        {"refconv": 1.0, "torch": 0.5},
        {"refconv": _layers(2), "torch": _layers(1)},
    )
    assert row["peers"]["refconv"]["median_s"] == 0.25 and row["peers"]["torch"]["n"] == 3
    assert row["ratio"] == pytest.approx(1.25) and row["passed"] is True  # bar 1.5
    assert row["peers"]["refconv"]["images_per_s"] == pytest.approx(64 / 0.25)
    assert row["layers"][0] == {
        "layer": "conv",
        "refconv_forward_s": 0.02,
        "refconv_backward_s": 0.06,
        "torch_forward_s": 0.01,
        "torch_backward_s": 0.03,
    }
    text = format_training([row])
    assert "training step StandardCNN 64x3x32²" in text and "1.25" in text and "pass" in text
    conv_line = next(line for line in text.splitlines() if line.startswith("conv "))
    assert conv_line.split() == ["conv", "20.00", "60.00", "99%", "10.00", "30.00", "2"]


def test_a_row_without_torch_has_no_verdict():
    row = training_row(TRAINING_CASES[1], {"refconv": [0.5]}, {}, {"refconv": _layers(1)})
    assert row["ratio"] is None and row["passed"] is None
    assert "n/a" in format_training([row])


def test_unknown_training_cases_are_one_line(capsys):
    assert main(["bench", "--training", "--cases", "std_64_64"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert "--cases with --training: unknown ['std_64_64']" in err


@pytest.mark.bench
def test_the_training_section_runs_both_peers():
    pytest.importorskip("torch")
    rows = run_training(
        [TRAINING_BY_NAME["train_separable"]], repeats=2, rounds=2, profile_repeats=1
    )
    (row,) = rows
    assert set(row["peers"]) == {"refconv", "torch"} and row["ratio"] > 0
    assert row["peers"]["refconv"]["n"] == 2 and len(row["layers"]) == 19
    print(format_training(rows))
