"""Layers: objects with parameters, a forward pass, a closed-form cost and a counted run.

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
* ``cost(input_shape)``: the exact :class:`~refconv.counting.OpCount` for one input of shape
  ``input_shape`` (no batch axis);
* ``counted(x)``: the same computation by the instrumented loops of :mod:`refconv.counting`
  on one small unbatched input, returning ``(output, Tally)``;
* ``parameters()`` and ``buffers()``: dicts of the arrays it holds.

Modules
-------
=================  ===========================================================================
``module``         :class:`Module` (the base class) and :class:`Sequential`
``init``           seeds and PyTorch's default initialisation
``conv``           :class:`Conv2d`, :class:`DepthwiseConv2d`, :class:`PointwiseConv2d`
``separable``      :class:`SeparableConv2d`, :class:`SpatialSeparableConv2d`
``normalization``  :class:`BatchNorm2d` (inference)
``pooling``        :class:`MaxPool2d`, :class:`AvgPool2d`, :class:`GlobalAvgPool2d`
``basic``          :class:`ReLU`, :class:`Flatten`, :class:`Dropout`, :class:`Linear`
=================  ===========================================================================

A new layer is a class in one of these files (or a new one) whose ``cost`` and ``counted``
call a closed form and a counted loop of :mod:`refconv.counting`, side by side there.

Examples
--------
>>> import numpy as np
>>> from refconv import nn
>>> layer = nn.SeparableConv2d(3, 256, 5, bias=False, seed=0)
>>> layer(np.ones((1, 3, 12, 12), dtype=np.float32)).shape
(1, 256, 8, 8)
>>> layer.cost((3, 12, 12)).multiplications
53952
"""

from .basic import Dropout, Flatten, Linear, ReLU
from .conv import Conv2d, DepthwiseConv2d, PointwiseConv2d
from .init import Seed, as_generator
from .module import Module, Sequential
from .normalization import BatchNorm2d
from .pooling import AvgPool2d, GlobalAvgPool2d, MaxPool2d
from .separable import SeparableConv2d, SpatialSeparableConv2d

__all__ = [
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "DepthwiseConv2d",
    "Dropout",
    "Flatten",
    "GlobalAvgPool2d",
    "Linear",
    "MaxPool2d",
    "Module",
    "PointwiseConv2d",
    "ReLU",
    "Seed",
    "SeparableConv2d",
    "Sequential",
    "SpatialSeparableConv2d",
    "as_generator",
]
