"""The convolution families of refconv on small integer arrays: the numbers docs/families.md quotes.

Six sections: standard and grouped ``conv2d`` (and a Keras ``Conv2D`` kernel), ``depthwise_conv2d``
with a depth multiplier, ``pointwise_conv2d``, ``separable_conv2d`` (Keras ``SeparableConv2D``),
``spatial_separable_conv2d``, and the PyTorch comparison's ``SpatiallySeparableConv2d`` class.
Lines marked ``[torch]`` need PyTorch and are skipped when it is not installed.

The worked examples live in :mod:`refconv.explain.families`, one module per section.

Run: ``python scripts/families.py``
"""

from __future__ import annotations

from refconv.explain import families
from refconv.explain.peers import load_torch


def main() -> None:
    print(families.report(torch=load_torch()))


if __name__ == "__main__":
    main()
