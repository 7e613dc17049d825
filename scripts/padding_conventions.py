"""Padding conventions of PyTorch, TensorFlow/Keras, ONNX, scipy.signal and scipy.ndimage, side by
side, each measured or checked where the library is installed: what docs/algorithms.md quotes.

Four sections: explicit pads and output sizes for several (H, k, s, d); where scipy's
``mode='same'`` puts the window, measured; scipy.ndimage boundary modes next to PyTorch's
``padding_mode`` names; PyTorch itself, if ``torch`` can be imported (skipped otherwise).

The code lives in :mod:`refconv.explain.padding_conventions`, one module per section.

Run: ``python scripts/padding_conventions.py``
"""

from __future__ import annotations

from refconv.explain import padding_conventions
from refconv.explain.peers import load_torch


def main() -> None:
    print(padding_conventions.report(torch=load_torch()))


if __name__ == "__main__":
    main()
