"""The training loop: the step's order, the means it reports, evaluation in inference mode."""

from __future__ import annotations

import numpy as np
import pytest

from refconv import models, nn, optim
from refconv.data import Batches, Dataset, load_dataset
from refconv.train import Epoch, History, accuracy, evaluate, fit, train_epoch


def _tiny_net(seed=0):
    """Linear on 2 features -> 3 classes: cheap, and exactly checkable."""
    return nn.Sequential(nn.Linear(2, 3, seed=seed, dtype=np.float64))


def _blobs(n=60, seed=0):
    """Three separable clusters in 2-D."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = np.array([[4.0, 0.0], [-4.0, 0.0], [0.0, 4.0]])
    return centres[y] + rng.normal(0, 0.5, size=(n, 2)), y


def test_accuracy_counts_the_arg_max():
    logits = np.array([[0.0, 1.0], [2.0, 1.0], [0.0, 1.0], [5.0, -1.0]])
    assert accuracy(logits, np.array([1, 0, 0, 1])) == 0.5


def test_train_epoch_is_the_four_line_step_by_hand():
    """One epoch of train_epoch equals zero_grad/forward/backward/step written out."""
    x, y = _blobs()
    a, b = _tiny_net(), _tiny_net()
    opt_a, opt_b = optim.SGD(a.parameters(), lr=0.1), optim.SGD(b.parameters(), lr=0.1)
    loss, acc = train_epoch(a, Batches(x, y, 16, seed=1), opt_a)
    criterion, losses, hits = nn.CrossEntropyLoss(), [], []
    b.train()
    for xb, yb in Batches(x, y, 16, seed=1):
        opt_b.zero_grad()
        logits = b(xb)
        losses.append(criterion(logits, yb) * len(yb))
        hits.append(np.sum(logits.argmax(1) == yb))
        b.backward(criterion.backward())
        opt_b.step()
    assert np.array_equal(a[0].weight, b[0].weight) and np.array_equal(a[0].bias, b[0].bias)
    assert loss == pytest.approx(sum(losses) / len(y), rel=1e-12)
    assert acc == pytest.approx(sum(hits) / len(y), rel=1e-12)


def test_fit_learns_an_easy_problem():
    x, y = _blobs(90)
    data = Dataset("blobs", x[:60], y[:60], x[60:], y[60:], ("a", "b", "c"))
    net = _tiny_net()
    history = fit(net, data, epochs=5, batch_size=10, optimizer=optim.Adam(net.parameters(), 0.1))
    assert len(history.epochs) == 5 and all(isinstance(e, Epoch) for e in history.epochs)
    losses = history.column("train_loss")
    assert losses[-1] < losses[0] / 3
    assert history.epochs[-1].test_accuracy == 1.0
    assert all(e.seconds >= 0 for e in history.epochs)


def test_evaluate_is_in_inference_mode_and_does_not_depend_on_the_chunks():
    data = load_dataset("synthetic", seed=0, n_train=10, n_test=30)
    model = models.separable_cnn(seed=0).train()
    loss_a, acc_a = evaluate(model, data.x_test, data.y_test, batch_size=7)
    assert model.training is False  # left in inference mode (dropout off, running stats)
    loss_b, acc_b = evaluate(model, data.x_test, data.y_test, batch_size=30)
    assert acc_a == acc_b
    assert loss_a == pytest.approx(loss_b, rel=1e-5)  # float32 sums in another order
    logits = model(data.x_test)
    assert acc_a == accuracy(logits, data.y_test)
    assert loss_b == pytest.approx(nn.CrossEntropyLoss()(logits, data.y_test), rel=1e-5)


def test_evaluate_does_not_touch_the_parameters_or_the_running_statistics():
    data = load_dataset("synthetic", seed=0, n_train=10, n_test=12)
    model = models.standard_cnn(seed=1)
    before = [b.copy() for b in model.buffers()] + [p.data.copy() for p in model.parameters()]
    evaluate(model, data.x_test, data.y_test)
    after = list(model.buffers()) + [p.data for p in model.parameters()]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_an_empty_test_set_gives_nan():
    loss, acc = evaluate(_tiny_net(), np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
    assert np.isnan(loss) and np.isnan(acc)


def test_history_columns():
    h = History([Epoch(1.0, 0.5, 2.0, 0.25, 3.0), Epoch(0.5, 0.75, 1.0, 0.5, 2.0)])
    assert h.column("test_accuracy") == [0.25, 0.5]
    assert h.column("seconds") == [3.0, 2.0]


def test_the_progress_bar_writes_to_stderr_only_when_asked(capsys):
    x, y = _blobs(20)
    data = Dataset("blobs", x, y, x, y, ("a", "b", "c"))
    net = _tiny_net()
    fit(net, data, 1, 10, optim.SGD(net.parameters(), lr=0.1), show_progress=False)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    fit(net, data, 1, 10, optim.SGD(net.parameters(), lr=0.1), show_progress=True, name="net")
    out, err = capsys.readouterr()
    assert out == "" and "net epoch 1/1" in err and "2/2" in err and "test_acc" in err
