"""Cross-correlation vs convolution, on numbers small enough to check by hand.

Deep-learning "convolution" (PyTorch ``conv2d``, Keras ``Conv2D``, ONNX ``Conv``, refconv) slides
the kernel over the input *as it is*: that is cross-correlation. ``scipy.signal.convolve2d`` flips
the kernel first: that is convolution in the mathematical sense. So::

    correlate2d(x, w) == convolve2d(x, w[::-1, ::-1])

for the 'valid' and 'full' modes. (For 'same' with an even kernel the two scipy functions
centre the window differently; see ``scripts/padding_conventions.py``.)

Run: ``python scripts/correlation_vs_convolution.py``
"""

from __future__ import annotations

import numpy as np
from scipy import signal

import refconv


def show(name: str, a: np.ndarray) -> None:
    rows = np.array2string(a.astype(np.int64), separator=" ").splitlines()
    print(f"{name} =")
    for row in rows:
        print(f"    {row}")


def worked_sum(x: np.ndarray, w: np.ndarray, i: int, j: int) -> str:
    """The sum behind y[i, j] of a cross-correlation, written out term by term."""
    k_h, k_w = w.shape
    terms = [f"{int(x[i + p, j + q])}*{int(w[p, q])}" for p in range(k_h) for q in range(k_w)]
    total = int(np.sum(x[i : i + k_h, j : j + k_w] * w))
    return " + ".join(terms) + f" = {total}"


def main() -> None:
    x = np.arange(1, 10).reshape(3, 3)  # (H, W) = (3, 3)
    w = np.array([[1, 2], [3, 4]])  # (kH, kW) = (2, 2)
    flipped = w[::-1, ::-1]

    print("== the inputs")
    show("x", x)
    show("w", w)
    show("w[::-1, ::-1]", flipped)

    print()
    print("== y[0, 0] by hand")
    print(f"cross-correlation (w as given):  {worked_sum(x, w, 0, 0)}")
    print(f"convolution (w flipped):         {worked_sum(x, flipped, 0, 0)}")

    corr = signal.correlate2d(x, w, mode="valid")
    conv = signal.convolve2d(x, w, mode="valid")
    conv_of_flipped = signal.convolve2d(x, flipped, mode="valid")
    ours = refconv.conv2d(x[None, None], w[None, None])[0, 0]  # (1, 1, 2, 2) -> (2, 2)

    print()
    print("== 'valid' outputs, shape (H - kH + 1, W - kW + 1) = (2, 2)")
    show("scipy.signal.correlate2d(x, w)", corr)
    show("scipy.signal.convolve2d(x, w)", conv)
    show("scipy.signal.convolve2d(x, w[::-1, ::-1])", conv_of_flipped)
    show("refconv.conv2d(x, w)", ours)

    print()
    print("== the identities")
    print(
        f"correlate2d(x, w) == convolve2d(x, w[::-1, ::-1]):  "
        f"{np.array_equal(corr, conv_of_flipped)}"
    )
    print(f"refconv.conv2d(x, w) == correlate2d(x, w):          {np.array_equal(ours, corr)}")
    print(f"refconv.conv2d(x, w) == convolve2d(x, w):           {np.array_equal(ours, conv)}")

    rng = np.random.default_rng(0)
    big = rng.integers(-9, 10, size=(6, 7))
    print()
    print("== on a random 6x7 integer input, for each mode and kernel size")
    print("mode    k  correlate2d(x, w) == convolve2d(x, w[::-1, ::-1])")
    for mode in ("valid", "full", "same"):
        for k in (2, 3):
            kernel = rng.integers(-9, 10, size=(k, k))
            same = np.array_equal(
                signal.correlate2d(big, kernel, mode=mode),
                signal.convolve2d(big, kernel[::-1, ::-1], mode=mode),
            )
            print(f"{mode:6s}  {k}  {same}")


if __name__ == "__main__":
    main()
