"""Explicit padding of NCHW arrays with PyTorch's four ``padding_mode`` meanings.

=============  ==========================  ===============  ==================
padding_mode   value of a padded pixel     ``numpy.pad``    example, pad 2
=============  ==========================  ===============  ==================
``zeros``      0                           ``constant``     ``0 0 | a b c d | 0 0``
``reflect``    mirror, edge not repeated   ``reflect``      ``c b | a b c d | c b``
``replicate``  nearest edge pixel          ``edge``         ``a a | a b c d | d d``
``circular``   wrap around (periodic)      ``wrap``         ``c d | a b c d | a b``
=============  ==========================  ===============  ==================

``reflect`` needs each pad smaller than the axis, ``circular`` at most the axis, as in PyTorch;
the functional layer checks that before calling :func:`pad`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .arguments import Pads, Pair

NumpyMode = Literal["constant", "reflect", "edge", "wrap"]
_NUMPY_MODE: dict[str, NumpyMode] = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def pad(x: np.ndarray, pads: Pads, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x`` (shape ``(N, C, H, W)``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    pads : ((top, bottom), (left, right))
    mode : {"zeros", "reflect", "replicate", "circular"}

    Returns
    -------
    ndarray, shape (N, C, H + top + bottom, W + left + right)
        A new C-contiguous array; ``x`` is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(4.0).reshape(1, 1, 1, 4)
    >>> pad(x, ((0, 0), (2, 2)), "reflect")[0, 0, 0]
    array([2., 1., 0., 1., 2., 3., 2., 1.])
    >>> pad(x, ((0, 0), (2, 2)), "circular")[0, 0, 0]
    array([2., 3., 0., 1., 2., 3., 0., 1.])
    """
    widths = ((0, 0), (0, 0), tuple(pads[0]), tuple(pads[1]))
    return np.ascontiguousarray(np.pad(x, widths, mode=_NUMPY_MODE[mode]))


def source_index(coords: np.ndarray, size: int, before: int, mode: str) -> np.ndarray:
    """Which input pixel each padded coordinate reads, along one axis; -1 for a zero.

    Coordinate ``t`` of the padded axis is input pixel ``u = t - before`` when ``0 <= u <
    size``; outside it, ``zeros`` reads nothing (-1), ``replicate`` the nearest edge pixel,
    ``reflect`` the mirror image about the edge pixel, ``circular`` ``u mod size``. (Reflect
    and circular assume PyTorch's limits, a pad smaller than / at most the axis.)

    >>> source_index(np.arange(8), 4, 2, "reflect")
    array([2, 1, 0, 1, 2, 3, 2, 1])
    >>> source_index(np.arange(8), 4, 2, "zeros")
    array([-1, -1,  0,  1,  2,  3, -1, -1])
    """
    u = coords - before
    inside = (u >= 0) & (u < size)
    if mode == "zeros":
        outside = np.full(u.shape, -1)
    elif mode == "replicate":
        outside = np.clip(u, 0, size - 1)
    elif mode == "reflect":
        outside = np.where(u < 0, -u, 2 * (size - 1) - u)
    else:  # circular
        outside = u % size
    return np.where(inside, u, outside).astype(np.int64)


def _with_zero_slice(x: np.ndarray, index: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` with a slice of zeros appended along ``axis`` if ``index`` asks for one (-1),
    and ``index`` pointing there."""
    if not (index < 0).any():
        return x, index
    zero_shape = list(x.shape)
    zero_shape[axis] = 1
    x = np.concatenate([x, np.zeros(zero_shape, dtype=x.dtype)], axis=axis)
    return x, np.where(index < 0, x.shape[axis] - 1, index)


def read_only_what_is_used(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pads: Pads,
    dilation: tuple[int, int],
    out_size: tuple[int, int],
    mode: str,
) -> tuple[np.ndarray, tuple[int, int], Pads, tuple[int, int]]:
    """Prepare ``x`` (N, C, H, W) for a kernel: padding applied, axes no longer than needed.

    Returns ``(x, stride, pads, dilation)`` describing the same convolution, in which

    * only zero padding is left to apply (``mode`` other than ``"zeros"`` is applied here);
    * an axis whose padded length ``L`` is more than twice ``size + out * kernel`` -- pads,
      strides or dilations far beyond the input, e.g. ``padding=10**4, stride=10**4`` -- is
      replaced by the ``out * kernel`` values the output actually reads, tap by tap (row
      ``i * kernel + p`` holds padded row ``i * stride + p * dilation``), read with stride
      ``kernel``, dilation 1 and no padding. So memory scales with the input and the output,
      never with the padding, and no index a kernel computes exceeds the arrays it is given.
    """
    (top, bottom), (left, right) = pads
    height, width = x.shape[2], x.shape[3]
    if (
        mode == "zeros"
        and top + bottom <= height + 2 * out_size[0] * kernel[0]
        and left + right <= width + 2 * out_size[1] * kernel[1]
    ):
        return x, stride, pads, dilation  # the usual call: nothing to gather, no padding to apply
    strides, dilations = list(stride), list(dilation)
    new_pads: list[Pair] = [(before, after) for before, after in pads]
    gathered: dict[int, np.ndarray] = {}  # axis -> the padded coordinates' sources
    for axis in (0, 1):
        size = x.shape[2 + axis]
        before, after = pads[axis]
        k, s, d, out = kernel[axis], stride[axis], dilation[axis], out_size[axis]
        if size + before + after > 2 * (size + out * k):
            # Python ints: a stride or dilation near 2**62 times an index leaves int64
            coords = np.array(
                [i * s + p * d for i in range(out) for p in range(k)],
                dtype=object if size + before + after >= 2**62 else np.int64,
            )
            gathered[axis] = source_index(coords, size, before, mode)  # (out * k,)
            strides[axis], new_pads[axis], dilations[axis] = k, (0, 0), 1
    if gathered:
        rows = gathered.get(0, np.arange(x.shape[2]))
        cols = gathered.get(1, np.arange(x.shape[3]))
        x, rows = _with_zero_slice(x, rows, 2)
        x, cols = _with_zero_slice(x, cols, 3)
        x = np.ascontiguousarray(x[:, :, rows[:, None], cols[None, :]])  # (N, C, rows, cols)
    if mode != "zeros" and any(new_pads[0] + new_pads[1]):
        x = pad(x, (new_pads[0], new_pads[1]), mode)  # the axes not gathered
        new_pads = [(0, 0), (0, 0)]
    return x, (strides[0], strides[1]), (new_pads[0], new_pads[1]), (dilations[0], dilations[1])
