"""Optimizers: they update a model's parameters from their gradients, as ``torch.optim``.

The training step, in the order PyTorch writes it::

    optimizer = refconv.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for x, targets in batches:
        optimizer.zero_grad()                       # forget the last step's gradients
        loss = criterion(model(x), targets)         # forward
        model.backward(criterion.backward())        # backward: every parameter's .grad
        optimizer.step()                            # update every parameter's .data

Each ``step`` is PyTorch's update rule, written out (``torch/optim/sgd.py`` and ``adam.py``,
the single-tensor path that PyTorch runs on the CPU), so that in float64 the two follow the
same trajectory to rounding.

=============  ==========================================================================
``optimizer``  :class:`Optimizer`: the parameter list, ``zero_grad``, the argument checks
``sgd``        :class:`SGD`: momentum, dampening, Nesterov, weight decay
``adam``       :class:`Adam`: the two moment estimates with bias correction
=============  ==========================================================================
"""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
