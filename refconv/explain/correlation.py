"""Cross-correlation vs convolution, on numbers small enough to check by hand.

Deep-learning "convolution" (PyTorch ``conv2d``, Keras ``Conv2D``, ONNX ``Conv``, refconv)
slides the kernel over the input *as it is*: that is cross-correlation,
``y[i, j] = sum_{p, q} x[i + p, j + q] * w[p, q]``. ``scipy.signal.convolve2d`` flips the
kernel first: that is convolution in the mathematical sense. So::

    correlate2d(x, w) == convolve2d(x, w[::-1, ::-1])

for the 'valid' and 'full' modes. (For 'same' with an even kernel the two scipy functions
centre the window differently; see :mod:`refconv.explain.padding_conventions.scipy_same`.)

A worked example: ``x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]`` and ``w = [[1, 2], [3, 4]]``.
Cross-correlation lays ``w`` over the top-left 2x2 window as it is, convolution lays it
flipped:

>>> import numpy as np
>>> x, w = np.arange(1, 10).reshape(3, 3), np.array([[1, 2], [3, 4]])
>>> worked_sum(x, w, 0, 0)
'1*1 + 2*2 + 4*3 + 5*4 = 37'
>>> worked_sum(x, w[::-1, ::-1], 0, 0)
'1*4 + 2*3 + 4*2 + 5*1 = 23'
>>> correlate_valid(x, w)
array([[37, 47],
       [67, 77]])

``python scripts/correlation_vs_convolution.py`` prints :func:`report` of :func:`example`, the
text docs/algorithms.md quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import signal

from ..functional import conv2d
from .page import array_lines

__all__ = [
    "CorrelationExample",
    "correlate_valid",
    "example",
    "report",
    "scipy_correlate_valid",
    "worked_sum",
]


def correlate_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Plain 'valid' cross-correlation in NumPy, no convolution library involved.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    w : ndarray, shape (kH, kW)

    Returns
    -------
    ndarray, shape (H - kH + 1, W - kW + 1)
        ``y[i, j] = sum_{p, q} x[i + p, j + q] * w[p, q]``.

    Examples
    --------
    >>> correlate_valid(np.arange(4).reshape(1, 4), np.array([[1, -1]]))
    array([[-1, -1, -1]])
    """
    windows = sliding_window_view(x, w.shape)  # (H - kH + 1, W - kW + 1, kH, kW)
    return np.einsum("ijpq,pq->ij", windows, w)


def scipy_correlate_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``scipy.signal.correlate2d(x, w, mode="valid")`` in float64, to compare with refconv.

    The worked examples check refconv against scipy, the truth source, rather than against
    :func:`correlate_valid`; both give the same ``(H - kH + 1, W - kW + 1)`` array from an
    ``(H, W)`` image and a ``(kH, kW)`` kernel, this one in float64 like refconv's output.

    Examples
    --------
    >>> scipy_correlate_valid(np.arange(4).reshape(1, 4), np.array([[1, -1]]))
    array([[-1., -1., -1.]])
    """
    return signal.correlate2d(x.astype(np.float64), w.astype(np.float64), mode="valid")


def worked_sum(x: np.ndarray, w: np.ndarray, i: int, j: int) -> str:
    """The sum behind ``y[i, j]`` of a cross-correlation, written out term by term.

    Parameters
    ----------
    x : ndarray, shape (H, W), integer-valued
    w : ndarray, shape (kH, kW), integer-valued
    i, j : int
        The output pixel; its window is ``x[i : i + kH, j : j + kW]``.

    Examples
    --------
    >>> worked_sum(np.array([[1, 2, 3]]), np.array([[10, 1]]), 0, 1)
    '2*10 + 3*1 = 23'
    """
    k_h, k_w = w.shape
    terms = [f"{int(x[i + p, j + q])}*{int(w[p, q])}" for p in range(k_h) for q in range(k_w)]
    total = int(np.sum(x[i : i + k_h, j : j + k_w] * w))
    return " + ".join(terms) + f" = {total}"


@dataclass(frozen=True)
class CorrelationExample:
    """The worked example of :func:`example`: inputs, 'valid' outputs and the identities.

    ``x`` is ``(3, 3)``, ``w`` and ``flipped`` ``(2, 2)``; ``correlated``, ``convolved``,
    ``convolved_flipped`` and ``refconv`` are the ``(2, 2)`` 'valid' outputs of
    ``correlate2d(x, w)``, ``convolve2d(x, w)``, ``convolve2d(x, w[::-1, ::-1])`` and
    ``refconv.conv2d``. ``modes`` holds ``(mode, k, correlate2d(x, w) == convolve2d(x,
    w[::-1, ::-1]))`` on a random 6x7 input.
    """

    x: np.ndarray
    w: np.ndarray
    flipped: np.ndarray
    correlated: np.ndarray
    convolved: np.ndarray
    convolved_flipped: np.ndarray
    refconv: np.ndarray
    modes: list[tuple[str, int, bool]]


def example() -> CorrelationExample:
    """Run the worked example: the four 'valid' outputs, then the identity in every mode.

    Examples
    --------
    >>> ex = example()
    >>> bool(np.array_equal(ex.refconv, ex.correlated))
    True
    >>> [(mode, k) for mode, k, same in ex.modes if not same]
    [('same', 2)]
    """
    x = np.arange(1, 10).reshape(3, 3)  # (H, W) = (3, 3)
    w = np.array([[1, 2], [3, 4]])  # (kH, kW) = (2, 2)
    flipped = w[::-1, ::-1]
    ours = conv2d(x[None, None], w[None, None])[0, 0]  # (1, 1, 3, 3) -> (1, 1, 2, 2) -> (2, 2)

    rng = np.random.default_rng(0)
    big = rng.integers(-9, 10, size=(6, 7))
    modes = []
    for mode in ("valid", "full", "same"):
        for k in (2, 3):
            kernel = rng.integers(-9, 10, size=(k, k))
            same = np.array_equal(
                signal.correlate2d(big, kernel, mode=mode),
                signal.convolve2d(big, kernel[::-1, ::-1], mode=mode),
            )
            modes.append((mode, k, bool(same)))
    return CorrelationExample(
        x=x,
        w=w,
        flipped=flipped,
        correlated=signal.correlate2d(x, w, mode="valid"),
        convolved=signal.convolve2d(x, w, mode="valid"),
        convolved_flipped=signal.convolve2d(x, flipped, mode="valid"),
        refconv=ours,
        modes=modes,
    )


def report(ex: CorrelationExample) -> str:
    """The text docs/algorithms.md quotes, from :func:`example`'s results."""
    lines = ["== the inputs"]
    lines += array_lines("x", ex.x) + array_lines("w", ex.w)
    lines += array_lines("w[::-1, ::-1]", ex.flipped)
    lines += ["", "== y[0, 0] by hand"]
    lines.append(f"cross-correlation (w as given):  {worked_sum(ex.x, ex.w, 0, 0)}")
    lines.append(f"convolution (w flipped):         {worked_sum(ex.x, ex.flipped, 0, 0)}")
    lines += ["", "== 'valid' outputs, shape (H - kH + 1, W - kW + 1) = (2, 2)"]
    lines += array_lines("scipy.signal.correlate2d(x, w)", ex.correlated)
    lines += array_lines("scipy.signal.convolve2d(x, w)", ex.convolved)
    lines += array_lines("scipy.signal.convolve2d(x, w[::-1, ::-1])", ex.convolved_flipped)
    lines += array_lines("refconv.conv2d(x, w)", ex.refconv)
    identities = [
        (
            "correlate2d(x, w) == convolve2d(x, w[::-1, ::-1]):",
            np.array_equal(ex.correlated, ex.convolved_flipped),
        ),
        ("refconv.conv2d(x, w) == correlate2d(x, w):", np.array_equal(ex.refconv, ex.correlated)),
        ("refconv.conv2d(x, w) == convolve2d(x, w):", np.array_equal(ex.refconv, ex.convolved)),
    ]
    lines += ["", "== the identities"]
    lines += [f"{label:<51} {same}" for label, same in identities]
    lines += ["", "== on a random 6x7 integer input, for each mode and kernel size"]
    lines.append("mode    k  correlate2d(x, w) == convolve2d(x, w[::-1, ::-1])")
    lines += [f"{mode:6s}  {k}  {same}" for mode, k, same in ex.modes]
    return "\n".join(lines)
