"""Cross-correlation vs convolution, on numbers small enough to check by hand.

Deep-learning "convolution" (PyTorch ``conv2d``, Keras ``Conv2D``, ONNX ``Conv``, refconv) slides
the kernel over the input *as it is*: that is cross-correlation. ``scipy.signal.convolve2d`` flips
the kernel first. So ``correlate2d(x, w) == convolve2d(x, w[::-1, ::-1])`` for the 'valid' and
'full' modes (for 'same' with an even kernel see ``scripts/padding_conventions.py``).

The worked example lives in :mod:`refconv.explain.correlation`.

Run: ``python scripts/correlation_vs_convolution.py``
"""

from __future__ import annotations

from refconv.explain import correlation


def main() -> None:
    print(correlation.report(correlation.example()))


if __name__ == "__main__":
    main()
