"""The training loop: epochs of mini-batch steps, then a measurement on held-out data.

One training step is the four lines every PyTorch loop has (``refconv.optim`` says why each
is there)::

    optimizer.zero_grad()                       # forget the last step's gradients
    loss = criterion(model(x), y)               # forward: logits (N, 10) -> a float
    model.backward(criterion.backward())        # backward: every parameter's .grad
    optimizer.step()                            # update every parameter's .data

:func:`train_epoch` runs it over one pass of a :class:`~refconv.data.Batches`, in training
mode (BatchNorm normalises with the batch's statistics, Dropout drops), and returns the
epoch's mean loss and accuracy as Keras' ``fit`` prints them: averaged over the batches as
they were met, each computed before that batch's update. :func:`evaluate` measures in
inference mode (BatchNorm's running statistics, no dropout), as Keras' ``evaluate``.
:func:`fit` alternates the two, epoch by epoch, and keeps the :class:`History`.

>>> import numpy as np
>>> from refconv import models, optim
>>> from refconv.data import Batches, load_dataset
>>> data = load_dataset("synthetic", seed=0, n_train=40, n_test=20)
>>> model = models.separable_cnn(seed=0)
>>> history = fit(model, data, epochs=1, batch_size=20, optimizer=optim.Adam(model.parameters()),
...               seed=0)
>>> len(history.epochs), 0.0 <= history.epochs[0].test_accuracy <= 1.0
(1, True)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..data import Batches, Dataset
from ..nn import CrossEntropyLoss, Module
from ..optim import Optimizer

#: Called after every training step with that batch's ``(loss, accuracy)``.
StepHook = Callable[[float, float], None]

EVAL_BATCH = 250  # images per forward pass when measuring (memory, not results, depends on it)


@dataclass(frozen=True)
class Epoch:
    """What one epoch measured.

    Attributes
    ----------
    train_loss, train_accuracy : float
        Mean over the epoch's batches, in training mode, each before its update (as Keras'
        ``fit`` reports ``loss`` and ``accuracy``).
    test_loss, test_accuracy : float
        On the test set after the epoch, in inference mode.
    seconds : float
        Wall time of the epoch's training steps (the measurement excluded).
    """

    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float


@dataclass
class History:
    """Every epoch of a :func:`fit`, in order."""

    epochs: list[Epoch] = field(default_factory=list)

    def column(self, name: str) -> list[float]:
        """One measurement over the epochs, e.g. ``history.column("test_accuracy")``."""
        return [float(getattr(epoch, name)) for epoch in self.epochs]


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose largest score is at the label's index.

    >>> accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0]))
    0.6666666666666666
    """
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def train_epoch(
    model: Module,
    batches: Batches,
    optimizer: Optimizer,
    criterion: CrossEntropyLoss | None = None,
    on_step: StepHook | None = None,
) -> tuple[float, float]:
    """One pass over ``batches`` in training mode: ``(mean loss, mean accuracy)``.

    Means are weighted by batch size (a short last batch counts for what it holds).
    """
    criterion = criterion or CrossEntropyLoss()
    model.train()
    loss_sum = correct = seen = 0.0
    for x, y in batches:  # x (B, 3, 32, 32), y (B,)
        optimizer.zero_grad()
        logits = model(x)  # (B, 10)
        loss = criterion(logits, y)
        model.backward(criterion.backward())
        optimizer.step()
        batch_accuracy = accuracy(logits, y)
        loss_sum += loss * len(y)
        correct += batch_accuracy * len(y)
        seen += len(y)
        if on_step is not None:
            on_step(loss, batch_accuracy)
    return loss_sum / seen, correct / seen


def evaluate(
    model: Module, x: np.ndarray, y: np.ndarray, batch_size: int = EVAL_BATCH
) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``x``, ``y`` in inference mode.

    The model is left in inference mode. The images go through in chunks of ``batch_size``
    (at inference each image's output depends on that image only, so the chunks change the
    memory used, not the numbers, beyond the order of float32 sums).
    """
    model.eval()
    criterion = CrossEntropyLoss(reduction="sum")
    loss_sum = correct = 0.0
    for start in range(0, len(y), batch_size):
        xb, yb = x[start : start + batch_size], y[start : start + batch_size]
        logits = model(xb)  # (b, 10)
        loss_sum += criterion(logits, yb)
        correct += accuracy(logits, yb) * len(yb)
    if len(y) == 0:
        return float("nan"), float("nan")
    return loss_sum / len(y), correct / len(y)


class _Bar:
    """A tqdm bar on stderr for one epoch, showing the running means of loss and accuracy
    (disabled -- nothing printed -- unless ``show``)."""

    def __init__(self, total: int, description: str, show: bool) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total, desc=description, unit="batch", file=sys.stderr, disable=not show
        )
        self.steps, self.loss, self.accuracy = 0, 0.0, 0.0

    def step(self, loss: float, batch_accuracy: float) -> None:
        """After each training step: update the running means, advance the bar."""
        self.steps += 1
        self.loss += (loss - self.loss) / self.steps
        self.accuracy += (batch_accuracy - self.accuracy) / self.steps
        self.bar.set_postfix(loss=f"{self.loss:.3f}", acc=f"{self.accuracy:.3f}")
        self.bar.update(1)

    def close(self, test_accuracy: float) -> None:
        """After the measurement: show the test accuracy, end the bar's line."""
        self.bar.set_postfix(
            loss=f"{self.loss:.3f}", acc=f"{self.accuracy:.3f}", test_acc=f"{test_accuracy:.3f}"
        )
        self.bar.close()


def fit(
    model: Module,
    data: Dataset,
    epochs: int,
    batch_size: int,
    optimizer: Optimizer,
    seed: int = 0,
    *,
    show_progress: bool = False,
    name: str = "",
    on_epoch: Callable[[int, Epoch], None] | None = None,
) -> History:
    """Train ``model`` on ``data`` for ``epochs`` epochs; measure the test set after each.

    Parameters
    ----------
    model : Module
        Ends with class scores, ``(N, classes)``.
    data : Dataset
    epochs, batch_size : int
    optimizer : Optimizer
        Holds ``model.parameters()``.
    seed : int
        Draws the order of the training images, epoch after epoch (``Batches(seed=seed)``):
        two models fitted with the same seed meet the same batches.
    show_progress : bool
        A tqdm bar per epoch on stderr, with the running loss and accuracy.
    name : str
        The model's name on the progress bar.
    on_epoch : callable, optional
        Called as ``on_epoch(index, epoch)`` after each epoch (index from 1).
    """
    batches = Batches(data.x_train, data.y_train, batch_size, seed=seed)
    history = History()
    for index in range(1, epochs + 1):
        bar = _Bar(len(batches), f"{name} epoch {index}/{epochs}".strip(), show_progress)
        started = time.perf_counter()
        train_loss, train_accuracy = train_epoch(model, batches, optimizer, on_step=bar.step)
        seconds = time.perf_counter() - started
        test_loss, test_accuracy = evaluate(model, data.x_test, data.y_test)
        bar.close(test_accuracy)
        epoch = Epoch(train_loss, train_accuracy, test_loss, test_accuracy, seconds)
        history.epochs.append(epoch)
        if on_epoch is not None:
            on_epoch(index, epoch)
    return history
