"""Where scipy's ``mode='same'`` puts the window, measured rather than read from the manual.

A 'same' output has the input's size, so a ``k``-wide kernel needs ``k - 1`` zeros per axis:
``b`` before and ``k - 1 - b`` after. For an odd ``k`` the only centred choice is
``b = (k - 1) / 2``; for an even ``k`` a library must pick ``b = (k - 1) // 2`` (the odd pixel
after, TensorFlow 'SAME' / ONNX ``SAME_UPPER``, refconv) or ``b = k // 2`` (before, ONNX
``SAME_LOWER``). scipy's functions do not all pick the same.

To find out which, run the library and look for the ``b`` for which a plain 'valid'
cross-correlation of the zero-padded input (:func:`~refconv.explain.correlation.correlate_valid`)
gives the same output (for the convolve functions, with the flipped kernel ``w[::-1, ::-1]``):

>>> import numpy as np
>>> from scipy import signal
>>> x, w = np.arange(16.0).reshape(4, 4), np.array([[1.0, 2.0], [3.0, 4.0]])
>>> measured_before(signal.correlate2d(x, w, mode="same"), x, w), label(0, 2)
(0, '(0,1) UPPER')
>>> measured_before(signal.convolve2d(x, w, mode="same"), x, w[::-1, ::-1]), label(1, 2)
(1, '(1,0) LOWER')

:func:`measure` runs six scipy functions for ``k = 1 .. 6``; :func:`table` prints section 2 of
``python scripts/padding_conventions.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy
from scipy import ndimage, signal

from ...functional import conv2d
from ..correlation import correlate_valid

__all__ = ["FUNCTIONS", "ScipySame", "label", "measure", "measured_before", "table"]

Filter = Callable[[np.ndarray, np.ndarray], np.ndarray]

# name: (the function with its 'same' settings, whether it flips the kernel)
FUNCTIONS: dict[str, tuple[Filter, bool]] = {
    "signal.correlate2d": (lambda x, w: signal.correlate2d(x, w, mode="same"), False),
    "signal.convolve2d": (lambda x, w: signal.convolve2d(x, w, mode="same"), True),
    "signal.correlate": (lambda x, w: signal.correlate(x, w, mode="same", method="direct"), False),
    "signal.convolve": (lambda x, w: signal.convolve(x, w, mode="same", method="direct"), True),
    "ndimage.correlate": (lambda x, w: ndimage.correlate(x, w, mode="constant", cval=0.0), False),
    "ndimage.convolve": (lambda x, w: ndimage.convolve(x, w, mode="constant", cval=0.0), True),
}


def measured_before(result: np.ndarray, x: np.ndarray, w: np.ndarray) -> int | None:
    """The ``b`` for which zero padding ``(b, k - 1 - b)`` on both axes and a 'valid'
    cross-correlation with ``w`` reproduce ``result``; ``None`` if no ``b`` does.

    Parameters
    ----------
    result : ndarray, shape (H, W)
        A library's 'same' output.
    x : ndarray, shape (H, W)
    w : ndarray, shape (k, k)
        The kernel as the library applied it (flipped, for a convolution).
    """
    k = w.shape[0]
    for before in range(k):
        widths = ((before, k - 1 - before), (before, k - 1 - before))
        if np.array_equal(correlate_valid(np.pad(x, widths), w), result):
            return before
    return None


def label(before: int | None, k: int) -> str:
    """``(b,a) UPPER``, ``LOWER``, ``both`` (odd ``k``: the two agree) or ``no match``.

    >>> label(1, 3), label(1, 4), label(2, 4), label(None, 4)
    ('(1,1) both', '(1,2) UPPER', '(2,1) LOWER', 'no match')
    """
    if before is None:
        return "no match"
    upper, lower = (k - 1) // 2, k // 2
    name = "UPPER" if before == upper else "LOWER" if before == lower else "?"
    if upper == lower:
        name = "both"
    return f"({before},{k - 1 - before}) {name}"


@dataclass(frozen=True)
class ScipySame:
    """What :func:`measure` found, all on one random ``(9, 9)`` integer input.

    ``before[k][name]``: the measured ``b`` of each of :data:`FUNCTIONS` for a ``k x k`` kernel
    (``k = 1 .. 6``); ``origin_minus_one[k]``: ``b`` of ``ndimage.correlate(..., origin=-1)``
    for ``k = 2, 4, 6``; ``refconv_equal[k]``: whether ``refconv.conv2d(x, w, padding='same')``
    equals ``scipy.signal.correlate2d(x, w, 'same')``.
    """

    before: dict[int, dict[str, int | None]]
    origin_minus_one: dict[int, int | None]
    refconv_equal: dict[int, bool]


def measure() -> ScipySame:
    """Run each scipy function and measure where its window sits.

    Examples
    --------
    >>> found = measure()
    >>> found.before[4]["signal.correlate2d"], found.before[4]["signal.convolve2d"]
    (1, 2)
    >>> all(found.refconv_equal.values())
    True
    """
    rng = np.random.default_rng(7)
    x = rng.integers(-9, 10, size=(9, 9)).astype(np.float64)  # (H, W)
    before: dict[int, dict[str, int | None]] = {}
    for k in range(1, 7):
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        before[k] = {}
        for name, (fn, flips) in FUNCTIONS.items():
            before[k][name] = measured_before(fn(x, w), x, w[::-1, ::-1] if flips else w)
    origin = {}
    for k in (2, 4, 6):  # origin must lie in [-(k // 2), (k - 1) // 2]
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        y = ndimage.correlate(x, w, mode="constant", cval=0.0, origin=-1)
        origin[k] = measured_before(y, x, w)
    equal = {}
    for k in range(1, 7):
        w = rng.integers(-9, 10, size=(k, k)).astype(np.float64)
        ours = conv2d(x[None, None], w[None, None], padding="same")[0, 0]  # (H, W)
        equal[k] = bool(np.array_equal(ours, signal.correlate2d(x, w, mode="same")))
    return ScipySame(before, origin, equal)


def table(found: ScipySame) -> str:
    """Section 2 of ``python scripts/padding_conventions.py``."""
    lines = [
        f"== 2. scipy mode='same', and ndimage with mode='constant', origin=0 (scipy "
        f"{scipy.__version__}), measured",
        "   (b, a): zeros before/after on each axis so that a 'valid' cross-correlation with",
        "   the kernel reproduces scipy's output. For the convolve functions the kernel is",
        "   the flipped one, w[::-1, ::-1].  UPPER: b = (k-1)//2 (the odd pixel after, as",
        "   TensorFlow 'SAME' / ONNX SAME_UPPER); LOWER: b = k//2 (ONNX SAME_LOWER).",
        (f"{'k':>2}  " + "  ".join(f"{name:19}" for name in FUNCTIONS)).rstrip(),
    ]
    for k, measured in found.before.items():
        cells = [label(b, k) for b in measured.values()]
        lines.append((f"{k:>2}  " + "  ".join(f"{c:19}" for c in cells)).rstrip())
    lines += [
        "",
        "   ndimage.correlate with origin=-1 on an even kernel (origin must lie in",
        "   [-(k//2), (k-1)//2]):",
    ]
    lines += [f"{k:>2}  {label(b, k)}" for k, b in found.origin_minus_one.items()]
    lines += [
        "",
        "   refconv.conv2d(x, w, padding='same') == scipy.signal.correlate2d(x, w, 'same'):",
    ]
    lines += [f"{k:>2}  {same}" for k, same in found.refconv_equal.items()]
    return "\n".join(lines)
