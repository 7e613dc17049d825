"""The base class of the optimizers: the parameters they update, ``zero_grad``, the checks.

>>> import numpy as np
>>> from refconv import nn, optim
>>> layer = nn.Linear(2, 1, seed=0)
>>> opt = optim.SGD(layer.parameters(), lr=0.1)
>>> len(opt.params), opt
(2, SGD(2 parameters, lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False))
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .. import arguments
from ..nn import Parameter


class Optimizer:
    """Holds the :class:`~refconv.nn.Parameter` objects to update and the learning rate.

    ``params`` is what ``model.parameters()`` returns (any iterable of Parameters, read once
    into the list ``self.params``). Subclasses define :meth:`step`. ``lr`` is a plain
    attribute: change it between steps to schedule the learning rate (PyTorch keeps it in
    ``param_groups[0]["lr"]``; refconv has a single group).
    """

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params = _parameter_list(params, type(self).__name__)
        self.lr = non_negative(lr, "lr")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward: ``.grad = None`` (PyTorch's default,
        ``set_to_none=True``), or zeros written into the existing arrays."""
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad[...] = 0

    def step(self) -> None:
        """Update every parameter that has a gradient (those with ``grad is None`` are left
        alone, as PyTorch does)."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"lr={self.lr}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, {self.extra_repr()})"


def non_negative(value: object, name: str) -> float:
    """A finite number ``>= 0`` as a float, or the error that says so."""
    if not arguments.is_real(value):
        raise TypeError(f"{name} must be a number >= 0; got {value!r} ({type(value).__name__})")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


def _parameter_list(params: object, optimizer: str) -> list[Parameter]:
    hint = f"pass model.parameters(), e.g. {optimizer}(model.parameters(), lr=0.01)"
    if isinstance(params, Parameter) or not isinstance(params, Iterable):
        raise TypeError(
            f"{optimizer} takes an iterable of refconv.nn.Parameter; got "
            f"{type(params).__name__}. {hint}"
        )
    if isinstance(params, dict):
        raise TypeError(f"{optimizer} takes Parameters, not a dict; {hint}")
    found = list(params)
    for p in found:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"{optimizer} takes refconv.nn.Parameter objects (they carry .data and .grad); "
                f"got a {type(p).__name__}. {hint}"
            )
    if not found:
        raise ValueError(f"{optimizer} got an empty parameter list; {hint}")
    if len({id(p) for p in found}) != len(found):
        raise ValueError(
            f"{optimizer} got the same parameter more than once; it would be updated twice per step"
        )
    return found
