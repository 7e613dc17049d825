"""The ``training`` section of the benchmark: one training step of each CIFAR-10 model, refconv
against the same model in PyTorch, and where the time goes layer by layer.

A step is what ``refconv train`` repeats: forward, cross-entropy, backward, Adam update, on a
batch of 64 images of 32x32x3 (:func:`refconv_step`); the PyTorch peer builds the same network
with ``torch.nn`` layers, copies refconv's initial weights into it, and runs ``zero_grad``,
forward, ``loss.backward()`` and ``Adam.step()`` (:func:`torch_step`). Each peer runs in its
own benchmark process (:class:`refconv.bench.worker.Worker`, ops ``train_step`` and
``train_profile``), with the same number of threads; the peers take turns in rounds, as in
the rest of the benchmark (:func:`.training_table.run_training`). The bar is refconv at
most 1.5 times PyTorch's median.

The profile (:func:`layer_times`) times each layer's forward and backward pass alone, in the
same processes: refconv's layers by their ``forward`` and ``backward``; PyTorch's by running
autograd one layer at a time (each layer's input detached, its output's ``backward`` given
the gradient the next layer returned), so the two columns time the same work. PyTorch does not
compute the gradient of the images (the first layer's input); refconv's ``Sequential``
does, and its profile shows what that costs.

>>> [case.name for case in TRAINING_CASES]
['train_standard', 'train_separable']
>>> step = refconv_step(TRAINING_BY_NAME["train_separable"], batch=4)
>>> 1.5 < step() < 3.5           # one training step; its loss is near log(10) = 2.30
True
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import models, nn, optim
from .timing import time_calls


@dataclass(frozen=True)
class TrainingCase:
    """One training-step benchmark: a model of the CIFAR-10 notebook at a batch size.

    Attributes
    ----------
    name, title : str
        As the convolution cases' (``--cases`` takes the name).
    model : {"standard", "separable"}
        :func:`refconv.models.standard_cnn` or :func:`refconv.models.separable_cnn`.
    batch : int
        Images per step.
    bar : float or None
        Largest acceptable ratio of refconv's median step to PyTorch's.
    """

    name: str
    title: str
    model: str
    batch: int = 64
    bar: float | None = 1.5
    family: str = "training"


TRAINING_CASES: tuple[TrainingCase, ...] = (
    TrainingCase("train_standard", "training step StandardCNN 64x3x32²", "standard"),
    TrainingCase("train_separable", "training step SeparableCNN 64x3x32²", "separable"),
)
TRAINING_BY_NAME = {case.name: case for case in TRAINING_CASES}
TRAINING_PEERS = ("refconv", "torch")
_BUILD = {"standard": models.standard_cnn, "separable": models.separable_cnn}


def step_inputs(batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A batch of images in [0, 1) and labels: ``x (batch, 3, 32, 32)`` float32, ``y (batch,)``."""
    rng = np.random.default_rng(seed)
    return rng.random((batch, 3, 32, 32), dtype=np.float32), rng.integers(0, 10, batch)


def refconv_model(case: TrainingCase) -> nn.Sequential:
    """The case's model, seed 0, in training mode."""
    return _BUILD[case.model](seed=0).train()


def refconv_step(case: TrainingCase, batch: int | None = None) -> Callable[[], float]:
    """A zero-argument function that runs one training step with refconv; returns the loss."""
    model = refconv_model(case)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    x, y = step_inputs(batch or case.batch)

    def step() -> float:
        optimizer.zero_grad()
        loss = criterion(model(x), y)  # forward: (B, 10) logits -> a float
        model.backward(criterion.backward())  # backward: every .grad
        optimizer.step()
        return loss

    return step


# -- PyTorch: the same network, the same weights -------------------------------------------------


def torch_model(case: TrainingCase) -> Any:
    """The case's network in ``torch.nn``, one module per refconv leaf, with refconv's weights.

    ``SeparableConv2d`` becomes a depthwise ``Conv2d`` (``groups=C``, no bias) followed by a
    1x1 ``Conv2d`` with the bias, as Keras' ``SeparableConv2D`` computes it.
    """
    import torch

    source = refconv_model(case)
    layers = []
    for _, layer in source.named_leaves():
        layers.append(_torch_layer(torch, layer))
    net = torch.nn.Sequential(*layers)
    net.train()
    return net


def _torch_layer(torch: Any, layer: nn.Module) -> Any:
    def tensor(array: np.ndarray | None) -> Any:
        if array is None:  # the notebook's models have every bias
            raise ValueError(f"{layer!r}: an array the PyTorch copy needs is None")
        return torch.nn.Parameter(torch.from_numpy(np.array(array, dtype=np.float32)))

    if isinstance(layer, nn.SeparableConv2d):
        channels = layer.depthwise_weight.shape[0]
        depthwise = torch.nn.Conv2d(
            channels, channels, 3, padding="same", groups=channels, bias=False
        )
        pointwise = torch.nn.Conv2d(channels, layer.pointwise_weight.shape[0], 1)
        depthwise.weight = tensor(layer.depthwise_weight)
        pointwise.weight = tensor(layer.pointwise_weight)
        pointwise.bias = tensor(layer.bias)
        return torch.nn.Sequential(depthwise, pointwise)
    if isinstance(layer, nn.Conv2d):
        out, c_in = layer.weight.shape[:2]
        conv = torch.nn.Conv2d(c_in, out, 3, padding="same")
        conv.weight, conv.bias = tensor(layer.weight), tensor(layer.bias)
        return conv
    if isinstance(layer, nn.BatchNorm2d):
        norm = torch.nn.BatchNorm2d(layer.num_features, eps=layer.eps, momentum=layer.momentum)
        norm.weight, norm.bias = tensor(layer.weight), tensor(layer.bias)
        return norm
    if isinstance(layer, nn.Linear):
        fc = torch.nn.Linear(layer.in_features, layer.out_features)
        fc.weight, fc.bias = tensor(layer.weight), tensor(layer.bias)
        return fc
    simple = {
        nn.ReLU: torch.nn.ReLU,
        nn.MaxPool2d: lambda: torch.nn.MaxPool2d(2),
        nn.Flatten: torch.nn.Flatten,
        nn.Dropout: lambda: torch.nn.Dropout(0.5),
    }
    return simple[type(layer)]()


def torch_step(case: TrainingCase, batch: int | None = None) -> Callable[[], float]:
    """The same training step in PyTorch: ``zero_grad``, forward, ``backward``, ``Adam.step``."""
    import torch

    net = torch_model(case)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    x_array, y_array = step_inputs(batch or case.batch)
    x, y = torch.from_numpy(x_array), torch.from_numpy(y_array)

    def step() -> float:
        optimizer.zero_grad(set_to_none=True)
        loss: Any = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return step


STEP_CALLS: dict[str, Callable[[TrainingCase], Callable[[], float]]] = {
    "refconv": refconv_step,
    "torch": torch_step,
}


# -- where the time goes ---------------------------------------------------------------------------


def layer_times(peer: str, case: TrainingCase, repeats: int = 5) -> list[dict[str, Any]]:
    """Each layer's forward and backward time (median of ``repeats`` steps), in step order,
    then the loss and the optimizer's update: ``[{"layer", "forward_s", "backward_s"}, ...]``.
    """
    x, y = step_inputs(case.batch)
    if peer == "refconv":
        return _refconv_layer_times(case, x, y, repeats)
    if peer == "torch":
        return _torch_layer_times(case, x, y, repeats)
    raise ValueError(f"no training step for peer {peer!r}; choose from {TRAINING_PEERS}")


def _medians(names: list[str], forward: list[list[float]], backward: list[list[float]]) -> Any:
    return [
        {"layer": n, "forward_s": statistics.median(f), "backward_s": statistics.median(b)}
        for n, f, b in zip(names, forward, backward, strict=True)
    ]


def _refconv_layer_times(
    case: TrainingCase, x: np.ndarray, y: np.ndarray, repeats: int
) -> list[dict[str, Any]]:
    model = refconv_model(case)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    leaves = list(model.named_leaves())
    names = [name for name, _ in leaves] + ["loss", "optimizer (Adam)"]
    forward: list[list[float]] = [[] for _ in names]
    backward: list[list[float]] = [[] for _ in names]
    for r in range(repeats + 1):  # the first round warms up (compiles), untimed
        optimizer.zero_grad()
        h = x
        for i, (_, layer) in enumerate(leaves):
            t0 = time.perf_counter()
            h = layer(h)
            forward[i].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        criterion(h, y)
        g = criterion.backward()
        forward[-2].append(time.perf_counter() - t0)
        backward[-2].append(0.0)
        for i in reversed(range(len(leaves))):
            t0 = time.perf_counter()
            g = leaves[i][1].backward(g)
            backward[i].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        optimizer.step()
        forward[-1].append(time.perf_counter() - t0)
        backward[-1].append(0.0)
        if r == 0:
            for column in forward + backward:
                column.clear()
    return list(_medians(names, forward, backward))


def _torch_layer_times(
    case: TrainingCase, x_array: np.ndarray, y_array: np.ndarray, repeats: int
) -> list[dict[str, Any]]:
    import torch

    net = torch_model(case)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.from_numpy(x_array), torch.from_numpy(y_array)
    names = [name for name, _ in refconv_model(case).named_leaves()]
    names += ["loss", "optimizer (Adam)"]
    forward: list[list[float]] = [[] for _ in names]
    backward: list[list[float]] = [[] for _ in names]
    modules = list(net)
    for r in range(repeats + 1):
        optimizer.zero_grad(set_to_none=True)
        inputs, outputs = [], []
        h = x
        for i, module in enumerate(modules):
            # each layer alone: its input detached (the images need no gradient, as in a step)
            h = h.detach().requires_grad_(i > 0)
            t0 = time.perf_counter()
            out = module(h)
            forward[i].append(time.perf_counter() - t0)
            inputs.append(h)
            outputs.append(out)
            h = out
        logits = h.detach().requires_grad_(True)
        t0 = time.perf_counter()
        loss: Any = torch.nn.functional.cross_entropy(logits, y)
        forward[-2].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        loss.backward()
        backward[-2].append(time.perf_counter() - t0)
        g = logits.grad
        for i in reversed(range(len(modules))):
            t0 = time.perf_counter()
            outputs[i].backward(g)
            backward[i].append(time.perf_counter() - t0)
            g = inputs[i].grad
        t0 = time.perf_counter()
        optimizer.step()
        forward[-1].append(time.perf_counter() - t0)
        backward[-1].append(0.0)
        if r == 0:
            for column in forward + backward:
                column.clear()
    return list(_medians(names, forward, backward))


# -- what a benchmark process answers (refconv.bench.worker) ------------------------------------

_STEPS: dict[str, Callable[[], float]] = {}  # this process's step function per case name


def answer(peer: str, request: dict[str, Any]) -> dict[str, Any]:
    """A worker's answer to ``train_step`` (timed steps) or ``train_profile`` (layer times)."""
    case = TrainingCase(**request["case"])
    if peer not in STEP_CALLS:
        raise ValueError(f"no training step for peer {peer!r}; choose from {TRAINING_PEERS}")
    if request["op"] == "train_profile":
        return {"layers": layer_times(peer, case, request.get("repeats", 5))}
    if case.name not in _STEPS:
        _STEPS.clear()  # one model at a time in memory
        _STEPS[case.name] = STEP_CALLS[peer](case)
    times, first = time_calls(
        _STEPS[case.name],
        request["repeats"],
        request["warmup"],
        min_s=request.get("min_s", 0.0),
    )
    return {"times": times, "first_s": first}
