"""The shapes of a training step, layer by layer, as one forward and backward pass finds them.

``python -m refconv.train.shapes standard 64`` runs one forward and one backward pass of the
notebook's standard CNN on a batch of 64 and prints, for each layer, the shape it received,
the shape it returned, and the shapes of the gradients its backward pass produced -- the table
``docs/training.md`` derives step by step. Every gradient has the shape of what it is the
gradient of: ``dL/dx`` the input's, ``dL/dy`` the output's, ``dL/dW`` the weight's.

>>> rows = backward_shapes("separable", batch=2)
>>> rows[0].layer, rows[0].input_shape, rows[0].output_shape
('separable_conv2d', (2, 3, 32, 32), (2, 32, 32, 32))
>>> rows[0].parameter_grads
(('depthwise_weight', (3, 1, 3, 3)), ('pointwise_weight', (32, 3, 1, 1)), ('bias', (32,)))
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from .. import nn
from .experiment import MODELS


@dataclass(frozen=True)
class ShapeRow:
    """One layer of a training step: what it received and returned, and its gradients."""

    layer: str
    kind: str  # the layer's class name
    input_shape: tuple[int, ...]  # also the shape of dL/dx, what backward returns
    output_shape: tuple[int, ...]  # also the shape of dL/dy, what backward receives
    grad_input_shape: tuple[int, ...]
    parameter_grads: tuple[tuple[str, tuple[int, ...]], ...]


def backward_shapes(model_name: str, batch: int = 64, seed: int = 0) -> list[ShapeRow]:
    """Run one forward and backward pass of ``model_name`` on ``batch`` random images and
    record every layer's shapes (measured from the arrays, not computed)."""
    model = MODELS[model_name](seed=seed).train()
    rng = np.random.default_rng(seed)
    x = rng.random((batch, 3, 32, 32), dtype=np.float32)  # (N, C, H, W)
    leaves = list(model.named_leaves())
    inputs, outputs = [], []
    h = x
    for _, layer in leaves:
        inputs.append(h.shape)
        h = layer(h)
        outputs.append(h.shape)
    criterion = nn.CrossEntropyLoss()
    criterion(h, rng.integers(0, 10, batch))
    g = criterion.backward()  # dL/dlogits, (N, 10)
    grads: list[tuple[int, ...]] = [() for _ in leaves]
    for i in reversed(range(len(leaves))):
        g = leaves[i][1].backward(g)
        grads[i] = g.shape
    return [
        ShapeRow(
            name,
            type(layer).__name__,
            tuple(inputs[i]),
            tuple(outputs[i]),
            tuple(grads[i]),
            tuple(
                (p_name, p.shape) for p_name, p in layer.named_parameters() if p.grad is not None
            ),
        )
        for i, (name, layer) in enumerate(leaves)
    ]


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


def format_shapes(rows: list[ShapeRow]) -> str:
    """The rows as an aligned table: layer, type, x and dL/dx, y and dL/dy, dL/dparameters."""
    header = ["layer", "type", "x, dL/dx", "y, dL/dy", "dL/dW (parameter gradients)"]
    body = [
        [
            row.layer,
            row.kind,
            _shape(row.input_shape),
            _shape(row.output_shape),
            ", ".join(f"{name} {_shape(shape)}" for name, shape in row.parameter_grads) or "-",
        ]
        for row in rows
    ]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()
        for cells in [header, ["-" * w for w in widths], *body]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m refconv.train.shapes [standard|separable] [BATCH]``."""
    args = sys.argv[1:] if argv is None else argv
    name = args[0] if args else "standard"
    if name not in MODELS or len(args) > 2 or (len(args) == 2 and not args[1].isdigit()):
        print("usage: python -m refconv.train.shapes [standard|separable] [BATCH]", file=sys.stderr)
        return 2
    batch = int(args[1]) if len(args) == 2 else 64
    rows = backward_shapes(name, max(batch, 1))
    for row in rows:  # every gradient has the shape of what it is the gradient of
        if row.grad_input_shape != row.input_shape:
            raise AssertionError(
                f"{row.layer}: dL/dx {row.grad_input_shape} != x {row.input_shape}"
            )
    print(format_shapes(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
