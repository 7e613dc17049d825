"""Layers: objects with parameters, a forward and a backward pass, a closed-form cost and a
counted run; and the losses a backward pass starts from.

The constructors mirror PyTorch's (``in_channels, out_channels, kernel_size, stride=1,
padding=0, dilation=1, groups=1, bias=True, padding_mode="zeros"``), with Keras' names where
Keras is the reference (``depth_multiplier``, ``SeparableConv2d``). Weights are NCHW / OIHW and
initialised as PyTorch does, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, from ``seed`` (an int
``>= 0``, a :class:`numpy.random.Generator`, or ``None`` for fresh entropy), in ``dtype``
(float32 or float64).

Constructors check their arguments at once (types and ranges; ``padding="same"`` needs the input
size, so only its spelling is checked up front) and keep them as PyTorch does: a convolution
stores ``stride``, ``dilation`` and a numeric ``padding`` as ``(h, w)`` tuples, ``"same"`` /
``"valid"`` as given; a pooling layer stores what was passed.

Every layer has

* ``forward(x)`` (also ``layer(x)``): ``x`` of shape ``(N, C, H, W)`` or unbatched ``(C, H, W)``
  (``(N, F)`` / ``(F,)`` for :class:`Linear`), through the functional API;
* ``backward(grad_output)``: ``dL/dx`` from ``dL/dy`` of the last forward, adding each
  parameter's gradient to its ``.grad`` (convolutions through :mod:`refconv.grad`);
* ``train()`` / ``eval()`` and ``training``: as PyTorch, except that a layer starts in
  inference mode (``training = False``; see :mod:`refconv.nn.module` for why);
* ``named_parameters()`` / ``parameters()``: :class:`Parameter` handles (``.data`` is the
  layer's array, ``.grad`` its gradient), what an optimizer of :mod:`refconv.optim` takes;
  ``named_buffers()`` / ``buffers()``: the non-learnable arrays; ``zero_grad()``;
* ``cost(input_shape)``: the exact :class:`~refconv.counting.OpCount` for one input of shape
  ``input_shape`` (no batch axis), at inference;
* ``counted(x)``: the same computation by the instrumented loops of :mod:`refconv.counting`
  on one small unbatched input, returning ``(output, Tally)``.

The arrays themselves stay attributes: ``layer.weight``, ``layer.bias``, ``bn.running_var``.

Modules
-------
=================  ===========================================================================
``module``         :class:`Module` (the base class), :class:`Sequential`, :class:`Parameter`
``init``           seeds and PyTorch's default initialisation
``conv``           :class:`Conv2d`, :class:`DepthwiseConv2d`, :class:`PointwiseConv2d`
``separable``      :class:`SeparableConv2d`, :class:`SpatialSeparableConv2d`
``normalization``  :class:`BatchNorm2d`
``pooling``        :class:`MaxPool2d`, :class:`AvgPool2d`, :class:`GlobalAvgPool2d`
``basic``          :class:`ReLU`, :class:`Flatten`, :class:`Dropout`, :class:`Linear`
``loss``           :class:`CrossEntropyLoss`, :class:`MSELoss`
``ops``            the passes the layers run: a NumPy spec beside each Numba kernel
=================  ===========================================================================

A new layer is a class in one of these files (or a new one) whose ``cost`` and ``counted``
call a closed form and a counted loop of :mod:`refconv.counting`, side by side there, and whose
``backward`` is checked against finite differences in ``tests/nn``.

Examples
--------
>>> import numpy as np
>>> from refconv import nn
>>> layer = nn.SeparableConv2d(3, 256, 5, bias=False, seed=0)
>>> layer(np.ones((1, 3, 12, 12), dtype=np.float32)).shape
(1, 256, 8, 8)
>>> layer.cost((3, 12, 12)).multiplications
53952

One training step (see :mod:`refconv.optim`):

>>> from refconv import optim
>>> net = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.Flatten(), nn.Linear(8, 3, seed=1)).train()
>>> criterion, opt = nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.1)
>>> x, targets = np.ones((4, 1, 4, 4), dtype=np.float32), np.array([0, 1, 2, 0])
>>> before = criterion(net(x), targets)
>>> net.backward(criterion.backward()).shape            # dL/dx
(4, 1, 4, 4)
>>> opt.step()
>>> criterion(net(x), targets) < before
True
"""

from .basic import Dropout, Flatten, Linear, ReLU
from .conv import Conv2d, DepthwiseConv2d, PointwiseConv2d
from .init import Seed, as_generator
from .loss import CrossEntropyLoss, MSELoss
from .module import Module, Parameter
from .normalization import BatchNorm2d
from .pooling import AvgPool2d, GlobalAvgPool2d, MaxPool2d
from .separable import SeparableConv2d, SpatialSeparableConv2d
from .sequential import Sequential

__all__ = [
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "CrossEntropyLoss",
    "DepthwiseConv2d",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2d",
    "Linear",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "Parameter",
    "PointwiseConv2d",
    "ReLU",
    "Seed",
    "SeparableConv2d",
    "Sequential",
    "SpatialSeparableConv2d",
    "as_generator",
]
