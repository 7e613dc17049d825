"""Adam, as ``torch.optim.Adam`` (Kingma & Ba 2015, Algorithm 1).

>>> import numpy as np
>>> from refconv import nn
>>> layer = nn.Linear(1, 1, bias=False, seed=0, dtype=np.float64)
>>> layer.weight[:] = 1.0
>>> opt = Adam(layer.parameters(), lr=0.1)
>>> next(layer.parameters()).grad = np.array([[-5.0]])
>>> opt.step()
>>> layer.weight                  # the first step is lr * sign(g), whatever g's size
array([[1.1]])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .. import arguments
from ..nn import Parameter
from .optimizer import Optimizer, non_negative


@dataclass
class AdamState:
    """One parameter's state (PyTorch's ``state[p]``): its step count and the two moments."""

    step: int
    exp_avg: np.ndarray  # m: running mean of the gradient
    exp_avg_sq: np.ndarray  # v: running mean of its square


class Adam(Optimizer):
    """Adam, PyTorch's update rule (``torch/optim/adam.py``, ``_single_tensor_adam``).

    For each parameter ``p`` with gradient ``g``, at its step ``t = 1, 2, ...``::

        g = g + weight_decay * p                       if weight_decay != 0 (L2, not AdamW)
        m = m + (1 - beta1) * (g - m)                  (torch: exp_avg.lerp_(g, 1 - beta1))
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    ``m`` and ``v`` start at zero; the two ``1 - beta**t`` undo that start's pull towards zero
    (the bias correction), so the first step has size ``lr`` in every coordinate.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float >= 0, default 1e-3
    betas : (float, float) in [0, 1), default (0.9, 0.999)
    eps : float >= 0, default 1e-8
    weight_decay : float >= 0, default 0

    Attributes
    ----------
    state : dict of Parameter -> AdamState
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise TypeError(f"betas must be a pair of numbers in [0, 1); got {betas!r}")
        for i, beta in enumerate(betas):
            if not arguments.is_real(beta) or not 0.0 <= beta < 1.0:
                raise ValueError(f"betas[{i}] must be a number in [0, 1); got {beta!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = non_negative(eps, "eps")
        self.weight_decay = non_negative(weight_decay, "weight_decay")
        self.state: dict[Parameter, AdamState] = {}

    def step(self) -> None:
        beta1, beta2 = self.betas
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad
            if p not in self.state:
                self.state[p] = AdamState(0, np.zeros_like(p.data), np.zeros_like(p.data))
            s = self.state[p]
            s.step += 1
            if self.weight_decay != 0:
                g = g + self.weight_decay * p.data
            s.exp_avg += (1 - beta1) * (g - s.exp_avg)
            s.exp_avg_sq *= beta2
            s.exp_avg_sq += (1 - beta2) * g * g
            step_size = self.lr / (1 - beta1**s.step)
            denominator = np.sqrt(s.exp_avg_sq) / (1 - beta2**s.step) ** 0.5 + self.eps
            p.data -= step_size * s.exp_avg / denominator  # in place: the layer's array

    def extra_repr(self) -> str:
        return f"lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay}"
