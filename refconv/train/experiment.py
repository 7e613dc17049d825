"""The CIFAR-10 notebook's experiment: the standard CNN against the separable CNN, trained alike.

The notebook builds two Keras models that differ only in their three convolutions
(``Conv2D`` or ``SeparableConv2D``; :func:`refconv.models.standard_cnn` and
:func:`refconv.models.separable_cnn`), trains both with Adam (learning rate 0.001) on the
same data, and compares parameters, accuracy and time per epoch. :func:`run_experiment` does
the same with refconv's layers, backward passes and optimizers, and adds the exact number of
multiplications per image (:func:`refconv.counting.summary`). Both models start from the same
seed and meet the same batches in the same order.

The result is a JSON-ready dict (what ``refconv train --json`` prints); :func:`format_table`
and :func:`format_epochs` turn it into the text ``refconv train`` prints. Everything in it
follows from the seed, except the times (the keys that end in ``seconds``), which
:func:`without_timings` removes.

>>> result = run_experiment(("separable",), epochs=1, batch_size=16, seed=0, n_train=32,
...                         n_test=10)
>>> row = result["models"][0]
>>> row["name"], row["params"], row["multiplications"]
('separable', 275461, 1605888)
>>> sorted(row)[:4]
['epochs', 'keras_params', 'model', 'multiplications']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import models, nn, optim
from ..counting import summary
from ..data import Dataset, load_dataset
from .loop import Epoch, fit

MODELS: dict[str, Callable[..., nn.Sequential]] = {
    "standard": models.standard_cnn,
    "separable": models.separable_cnn,
}
OPTIMIZERS = ("adam", "sgd")
#: The notebook's Adam learning rate; SGD's default is the usual 0.01 with momentum 0.9.
DEFAULT_LR = {"adam": 1e-3, "sgd": 1e-2}
INPUT_SHAPE = (3, 32, 32)


def make_optimizer(name: str, model: nn.Module, lr: float | None = None) -> optim.Optimizer:
    """``"adam"`` (the notebook's: ``Adam(lr=0.001)``) or ``"sgd"`` (momentum 0.9, lr 0.01)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {name!r}")
    rate = DEFAULT_LR[name] if lr is None else lr
    if name == "adam":
        return optim.Adam(model.parameters(), lr=rate)
    return optim.SGD(model.parameters(), lr=rate, momentum=0.9)


def model_facts(name: str, seed: int) -> dict[str, Any]:
    """What a model is before training: its parameters (PyTorch's count, and Keras'
    ``count_params()``, which adds BatchNorm's running statistics) and its multiplications
    per 32x32x3 image (forward pass, exact)."""
    model = MODELS[name](seed=seed)
    counted = summary(model, INPUT_SHAPE)
    return {
        "name": name,
        "model": model.name,
        "params": counted.total_params,
        "keras_params": summary(model, INPUT_SHAPE, params="keras").total_params,
        "multiplications": counted.total_multiplications,
    }


def epoch_json(epoch: Epoch) -> dict[str, float]:
    """One epoch's numbers, with ``seconds`` (the only one that is not reproducible)."""
    return {
        "train_loss": epoch.train_loss,
        "train_accuracy": epoch.train_accuracy,
        "test_loss": epoch.test_loss,
        "test_accuracy": epoch.test_accuracy,
        "seconds": epoch.seconds,
    }


def run_experiment(
    model_names: Sequence[str] = ("standard", "separable"),
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    dataset: str = "synthetic",
    data_dir: str | Path | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
    optimizer: str = "adam",
    lr: float | None = None,
    show_progress: bool = False,
    data: Dataset | None = None,
    on_epoch: Callable[[str, int, Epoch], None] | None = None,
) -> dict[str, Any]:
    """Train each model of ``model_names`` on the same data; return everything as JSON data.

    Parameters
    ----------
    model_names : sequence of {"standard", "separable"}
    epochs, batch_size, seed : int
        ``seed`` builds the dataset (synthetic), initialises every model (and its dropout
        masks), and orders the batches.
    dataset, data_dir, n_train, n_test
        As :func:`refconv.data.load_dataset` takes them (``data`` passes one already loaded).
    optimizer : {"adam", "sgd"}, lr : float, optional
        See :func:`make_optimizer`.
    show_progress : bool
        tqdm bars on stderr.
    on_epoch : callable, optional
        ``on_epoch(model_name, index, epoch)`` after each epoch.

    Returns
    -------
    dict
        ``config`` (the arguments), ``dataset`` (name, sizes, classes), ``models``: one dict
        per model with ``name``, ``model``, ``params``, ``keras_params``,
        ``multiplications``, ``epochs`` (one :func:`epoch_json` each), ``test_accuracy``
        (after the last epoch), ``seconds_per_epoch`` (mean) and ``seconds`` (training and
        measuring, in all).
    """
    unknown = [name for name in model_names if name not in MODELS]
    if unknown or not model_names:
        raise ValueError(f"models must be among {tuple(MODELS)}; got {list(model_names)}")
    if data is None:
        data = load_dataset(dataset, seed=seed, data_dir=data_dir, n_train=n_train, n_test=n_test)
    rows = []
    for name in model_names:
        row = model_facts(name, seed)
        model = MODELS[name](seed=seed)
        started = time.perf_counter()
        history = fit(
            model,
            data,
            epochs,
            batch_size,
            make_optimizer(optimizer, model, lr),
            seed,
            show_progress=show_progress,
            name=row["model"],
            on_epoch=_named(on_epoch, name),
        )
        seconds = time.perf_counter() - started
        row["epochs"] = [epoch_json(epoch) for epoch in history.epochs]
        row["test_accuracy"] = history.epochs[-1].test_accuracy if history.epochs else None
        row["seconds_per_epoch"] = sum(history.column("seconds")) / max(len(history.epochs), 1)
        row["seconds"] = seconds
        rows.append(row)
    return {
        "config": {
            "models": list(model_names),
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "optimizer": optimizer,
            "lr": DEFAULT_LR[optimizer] if lr is None else lr,
        },
        "dataset": {
            "name": data.name,
            "train": len(data.y_train),
            "test": len(data.y_test),
            "classes": list(data.classes),
        },
        "models": rows,
    }


def _named(
    on_epoch: Callable[[str, int, Epoch], None] | None, name: str
) -> Callable[[int, Epoch], None] | None:
    """``on_epoch`` with the model's name filled in (what :func:`fit` calls)."""
    if on_epoch is None:
        return None
    hook = on_epoch
    return lambda index, epoch: hook(name, index, epoch)


def without_timings(result: Any) -> Any:
    """``result`` without the keys that hold wall times (``seconds``, ``seconds_per_epoch``):
    what two runs with the same seed must share exactly."""
    if isinstance(result, dict):
        return {k: without_timings(v) for k, v in result.items() if not k.startswith("seconds")}
    if isinstance(result, list):
        return [without_timings(v) for v in result]
    return result


# --------------------------------------------------------------------------- text


def epoch_line(name: str, index: int, epochs: int, epoch: Mapping[str, float]) -> str:
    """The line ``refconv train`` prints after each epoch (``epoch`` as :func:`epoch_json`).

    >>> epoch_line("separable", 2, 3, {"train_loss": 1.5, "train_accuracy": 0.25,
    ...                                "test_accuracy": 0.5, "seconds": 12.34})
    'separable epoch 2/3: train loss 1.5000, train accuracy 0.2500, test accuracy 0.5000 (12.3 s)'
    """
    return (
        f"{name:9} epoch {index}/{epochs}: train loss {epoch['train_loss']:.4f}, "
        f"train accuracy {epoch['train_accuracy']:.4f}, test accuracy "
        f"{epoch['test_accuracy']:.4f} ({epoch['seconds']:.1f} s)"
    )


def format_epochs(result: dict[str, Any]) -> str:
    """Every :func:`epoch_line` of ``result``, model after model: what ``refconv train``
    printed while it ran."""
    epochs = result["config"]["epochs"]
    return "\n".join(
        epoch_line(row["name"], index, epochs, e)
        for row in result["models"]
        for index, e in enumerate(row["epochs"], start=1)
    )


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    """The final table's cells: one row per model (the header is :data:`TABLE_HEADER`)."""
    return [
        [
            row["model"],
            f"{row['params']:,}",
            f"{row['keras_params']:,}",
            f"{row['multiplications']:,}",
            "-" if row["test_accuracy"] is None else f"{row['test_accuracy']:.4f}",
            f"{row['seconds_per_epoch']:.1f}",
        ]
        for row in result["models"]
    ]


TABLE_HEADER = [
    "model",
    "parameters",
    "Keras count_params",
    "multiplications / image",
    "test accuracy",
    "s / epoch",
]


def format_table(result: dict[str, Any]) -> str:
    """The final table, aligned text (numbers right-aligned), with a ratio line when both
    models ran."""
    rows = table_rows(result)
    widths = [max(len(r[i]) for r in [TABLE_HEADER, *rows]) for i in range(len(TABLE_HEADER))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [line(TABLE_HEADER), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    by_name = {row["name"]: row for row in result["models"]}
    if {"standard", "separable"} <= set(by_name):
        std, sep = by_name["standard"], by_name["separable"]
        lines.append(
            f"separable / standard: parameters {sep['params'] / std['params']:.3f}, "
            f"multiplications {sep['multiplications'] / std['multiplications']:.3f}, "
            f"time per epoch {sep['seconds_per_epoch'] / std['seconds_per_epoch']:.2f}"
        )
    return "\n".join(lines)
