"""Boundary modes: scipy.ndimage's names next to PyTorch's ``padding_mode`` names, measured.

Padding need not be zeros: a boundary mode says which input values stand beyond the edge.
On the row ``a b c d`` extended by two on each side, PyTorch (and refconv) offer

* ``'zeros'``:     ``0 0 | a b c d | 0 0``
* ``'reflect'``:   ``c b | a b c d | c b`` (mirror about the edge pixel, which is not repeated)
* ``'replicate'``: ``a a | a b c d | d d``
* ``'circular'``:  ``c d | a b c d | a b``

scipy.ndimage calls these ``'constant'``, ``'mirror'``, ``'nearest'`` and ``'wrap'``; its own
``'reflect'`` repeats the edge pixel (``b a | a b c d | d c``, NumPy's ``'symmetric'``), which
PyTorch has no name for. The same word, two meanings: this module measures ndimage's values
instead of trusting the names. A one-hot kernel reads a single neighbour, so correlating with
it reveals what ndimage puts there:

>>> import numpy as np
>>> as_text(ndimage_extension(np.array([1.0, 2.0, 3.0, 4.0]), "reflect", 2), 2)
'b a | a b c d | d c'

:func:`measure` collects the rows and a 2-D check; :func:`table` prints section 3 of
``python scripts/padding_conventions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ...functional import conv2d
from ...padding import pad
from ..correlation import correlate_valid

__all__ = [
    "NDIMAGE_MODES",
    "PADDING_MODES",
    "PAIRS",
    "BoundaryModes",
    "as_text",
    "measure",
    "ndimage_extension",
    "table",
]

NDIMAGE_MODES = ("constant", "reflect", "mirror", "nearest", "wrap")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
# (ndimage mode, PyTorch padding_mode) checked in 2-D; the last pair is the false friend
PAIRS = (
    ("constant", "zeros"),
    ("mirror", "reflect"),
    ("nearest", "replicate"),
    ("wrap", "circular"),
    ("reflect", "reflect"),
)


def ndimage_extension(row: np.ndarray, mode: str, width: int) -> np.ndarray:
    """The values ndimage reads outside ``row``, found by correlating with one-hot kernels.

    A one-hot at index ``m`` of a length ``2*width + 1`` kernel makes output ``i`` read
    ``row[i + m - width]``: output 0 shows the values before the row, output ``n - 1`` those
    after it.

    Parameters
    ----------
    row : ndarray, shape (n,)
    mode : str
        An ndimage boundary mode (``cval=0`` for ``'constant'``).
    width : int
        How many values to read on each side.

    Returns
    -------
    ndarray, shape (n + 2*width,)
        ``row`` with the ``width`` values before and after it that ndimage uses.
    """
    size = 2 * width + 1
    values = []
    for offset in range(-width, 0):  # positions -width .. -1, read from output 0
        kernel = np.zeros(size)
        kernel[offset + width] = 1.0
        values.append(ndimage.correlate1d(row, kernel, mode=mode, cval=0.0)[0])
    values.extend(row)
    last = len(row) - 1
    for beyond in range(1, width + 1):  # positions n .. n+width-1, read from output n-1
        kernel = np.zeros(size)
        kernel[beyond + width] = 1.0
        values.append(ndimage.correlate1d(row, kernel, mode=mode, cval=0.0)[last])
    return np.array(values)


def as_text(values: np.ndarray, width: int) -> str:
    """Values 0 to 4 as ``0`` and the letters ``a`` to ``d``, the row between bars.

    >>> as_text(np.array([0, 0, 1, 2, 0, 0]), 2)
    '0 0 | a b | 0 0'
    """
    letters = ["0" if v == 0 else "abcd"[int(v) - 1] for v in values]
    return (
        " ".join(letters[:width])
        + " | "
        + " ".join(letters[width:-width])
        + " | "
        + " ".join(letters[-width:])
    )


@dataclass(frozen=True)
class BoundaryModes:
    """What :func:`measure` found.

    ``refconv[mode]``: the row ``a b c d`` padded by refconv with each ``padding_mode``;
    ``ndimage[mode]``: the row as ndimage extends it; ``same_as[mode]``: the ``padding_mode``
    with the same values, or ``None``; ``two_d[(nd_mode, mode)]``: whether
    ``ndimage.correlate(x, w, mode=nd_mode)`` equals ``refconv.conv2d(x, w, padding=2,
    padding_mode=mode)`` for a 5x5 kernel; ``reflect_is_symmetric``: whether ndimage's
    ``'reflect'`` equals ``np.pad(mode='symmetric')`` then a 'valid' cross-correlation.
    """

    width: int
    refconv: dict[str, np.ndarray]
    ndimage: dict[str, np.ndarray]
    same_as: dict[str, str | None]
    two_d: dict[tuple[str, str], bool]
    reflect_is_symmetric: bool


def measure(width: int = 2) -> BoundaryModes:
    """Extend ``a b c d`` by ``width`` in every mode, then check the pairs in 2-D.

    Examples
    --------
    >>> found = measure()
    >>> found.same_as["mirror"], found.same_as["reflect"]  # the same word, two meanings
    ('reflect', None)
    >>> found.two_d[("reflect", "reflect")], found.reflect_is_symmetric
    (False, True)
    """
    row = np.array([1.0, 2.0, 3.0, 4.0])  # a b c d
    ours = {
        mode: pad(row.reshape(1, 1, 1, 4), ((0, 0), (width, width)), mode)[0, 0, 0]
        for mode in PADDING_MODES
    }  # (1, 1, 1, 4) -> (1, 1, 1, 4 + 2*width) -> (4 + 2*width,)
    theirs = {mode: ndimage_extension(row, mode, width) for mode in NDIMAGE_MODES}
    same_as = {}
    for mode, values in theirs.items():
        match = [m for m, v in ours.items() if np.array_equal(v, values)]
        same_as[mode] = match[0] if match else None

    rng = np.random.default_rng(3)
    x = rng.integers(-9, 10, size=(7, 8)).astype(np.float64)  # (H, W)
    w = rng.integers(-9, 10, size=(5, 5)).astype(np.float64)  # (kH, kW)
    two_d = {}
    for nd_mode, mode in PAIRS:
        nd = ndimage.correlate(x, w, mode=nd_mode, cval=0.0)
        rc = conv2d(x[None, None], w[None, None], padding=2, padding_mode=mode)[0, 0]
        two_d[(nd_mode, mode)] = bool(np.array_equal(rc, nd))
    symmetric = correlate_valid(np.pad(x, 2, mode="symmetric"), w)
    reflect_is_symmetric = bool(np.array_equal(symmetric, ndimage.correlate(x, w, mode="reflect")))
    return BoundaryModes(width, ours, theirs, same_as, two_d, reflect_is_symmetric)


def table(found: BoundaryModes) -> str:
    """Section 3 of ``python scripts/padding_conventions.py``."""
    width = found.width
    lines = [f"== 3. boundary modes on the row a b c d, extended by {width} on each side, measured"]
    for mode, values in found.refconv.items():
        lines.append(f"   refconv / PyTorch padding_mode={mode!r:12} {as_text(values, width)}")
    for mode, values in found.ndimage.items():
        match = found.same_as[mode]
        same_as = f"= padding_mode={match!r}" if match else "no PyTorch equivalent"
        lines.append(f"   scipy.ndimage mode={mode!r:17} {as_text(values, width)}   {same_as}")
    lines += [
        "",
        "   2-D check, 5x5 kernel: ndimage.correlate(x, w, mode=M) == refconv.conv2d(x, w,",
        "   padding=2, padding_mode=P)",
    ]
    for (nd_mode, mode), same in found.two_d.items():
        lines.append(f"   ndimage {nd_mode!r:10} vs refconv {mode!r:11} {same}")
    lines.append(
        f"   ndimage 'reflect'  vs np.pad(mode='symmetric') + valid  {found.reflect_is_symmetric}"
    )
    return "\n".join(lines)
