"""The convolution families of refconv on small integer arrays: the numbers docs/families.md quotes.

One module per section, each a worked example that returns its printed lines as data
(:mod:`refconv.explain.page` items):

=========================  ====================================================================
module                     section
=========================  ====================================================================
``standard``               1. ``conv2d``, standard and grouped; a Keras ``Conv2D`` kernel
``depthwise``              2. ``depthwise_conv2d`` with a depth multiplier, channel ``c * M + m``
``pointwise``              3. ``pointwise_conv2d``: a matrix product over channels at every pixel
``depthwise_separable``    4. ``separable_conv2d`` (Keras ``SeparableConv2D``), its two kernels
``spatial_separable``      5. ``spatial_separable_conv2d``: ``K x 1`` then ``1 x K``, on a grid
``pytorch_class``          6. the PyTorch comparison's ``SpatiallySeparableConv2d`` class
=========================  ====================================================================

Every worked example is checked against ``scipy.signal.correlate2d`` (cross-correlation, the
deep-learning "convolution") or against the Keras / TensorFlow formula written out in NumPy
(:mod:`refconv.explain.keras_layout`). Lines marked ``[torch]`` need PyTorch; they are left
out when ``torch`` is ``None``.

``python scripts/families.py`` prints :func:`report`.
"""

from __future__ import annotations

from types import ModuleType

from ... import __version__
from ..page import Item, Text, render
from . import depthwise, depthwise_separable, pointwise, pytorch_class, spatial_separable, standard

__all__ = [
    "depthwise",
    "depthwise_separable",
    "items",
    "pointwise",
    "pytorch_class",
    "report",
    "spatial_separable",
    "standard",
]


def items(torch: ModuleType | None = None) -> list[Item]:
    """The six sections after a line of versions, as :mod:`~refconv.explain.page` items.

    Parameters
    ----------
    torch : module or None
        PyTorch, to add the ``[torch]`` checks; ``None`` leaves them out.
    """
    versions = f"refconv {__version__}"
    versions += f", torch {torch.__version__}" if torch is not None else ", torch not installed"
    return [
        Text(versions),
        *standard.example(torch),
        *depthwise.example(torch),
        *pointwise.example(),
        *depthwise_separable.example(torch),
        *spatial_separable.example(),
        *pytorch_class.example(torch),
    ]


def report(torch: ModuleType | None = None) -> str:
    """The text ``python scripts/families.py`` prints (without the final newline)."""
    return render(items(torch))
