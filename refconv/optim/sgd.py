"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay, as
``torch.optim.SGD``.

>>> import numpy as np
>>> from refconv import nn
>>> layer = nn.Linear(1, 1, bias=False, seed=0, dtype=np.float64)
>>> layer.weight[:] = 1.0
>>> p = next(layer.parameters())
>>> opt = SGD(layer.parameters(), lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     p.grad = np.array([[1.0]])              # a constant gradient
...     opt.step()
>>> layer.weight                                # 1 - 0.1*1, then - 0.1*(0.9*1 + 1)
array([[0.71]])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .. import arguments
from ..nn import Parameter
from .optimizer import Optimizer, non_negative


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g`` (``torch/optim/sgd.py``, ``_single_tensor_sgd``)::

        g = g + weight_decay * p                          if weight_decay != 0
        b = g  (first step),  else  b = momentum * b + (1 - dampening) * g
        g = g + momentum * b  if nesterov  else  b        if momentum != 0
        p = p - lr * g

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``.
    lr : float >= 0
    momentum : float >= 0, default 0
    dampening : float, default 0
    weight_decay : float >= 0, default 0
        L2 penalty, added to the gradient.
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening == 0``.

    Attributes
    ----------
    momentum_buffers : dict of Parameter -> ndarray
        ``b`` of each parameter, made at its first step (PyTorch's
        ``state[p]["momentum_buffer"]``).
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = non_negative(momentum, "momentum")
        self.dampening = _number(dampening, "dampening")
        self.weight_decay = non_negative(weight_decay, "weight_decay")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False; got {nesterov!r}")
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening = 0 (as PyTorch); got "
                f"momentum={self.momentum}, dampening={self.dampening}"
            )
        self.momentum_buffers: dict[Parameter, np.ndarray] = {}

    def step(self) -> None:
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                g = g + self.weight_decay * p.data
            if self.momentum != 0:
                b = self.momentum_buffers.get(p)
                if b is None:
                    b = self.momentum_buffers[p] = g.copy()
                else:
                    b *= self.momentum
                    b += (1 - self.dampening) * g
                g = g + self.momentum * b if self.nesterov else b
            p.data -= self.lr * g  # in place: p.data is the layer's array

    def extra_repr(self) -> str:
        return (
            f"lr={self.lr}, momentum={self.momentum}, dampening={self.dampening}, "
            f"weight_decay={self.weight_decay}, nesterov={self.nesterov}"
        )


def _number(value: object, name: str) -> float:
    if not arguments.is_real(value) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite number; got {value!r}")
    return float(value)
