"""The adjoint of padding: the gradient of a padded pixel goes back to the pixel it copied.

Before a kernel runs, the forward pass turns ``x`` (N, C, H, W) into the array the kernel
reads, ``x'`` (:func:`refconv.padding.read_only_what_is_used`): the padding mode applied
(reflect, replicate, circular copy input pixels into the border) and, for pads, strides or
dilations far beyond the input, only the rows and columns the output reads gathered. Either
way every pixel of ``x'`` is a copy of one input pixel, or a zero::

    x'[n, c, a, b] = x[n, c, source[a, b]]      (source[a, b] = -1: a zero)

``x -> x'`` is linear, and its adjoint sends each gradient back where its value came from,
adding where one input pixel was copied several times -- a scatter-add::

    grad_x[n, c, source[a, b]] += grad_x'[n, c, a, b]     for every (a, b) with source >= 0

With reflect padding of 2, ``c b | a b c d | c b``: pixel ``b`` is read three times, so it
receives three gradients, ``c`` three, ``a`` and ``d`` one each.

:func:`source_map` finds ``source`` by running :func:`~refconv.padding.read_only_what_is_used`
itself on the pixel numbers ``1 .. H*W`` (zeros stay zeros): the map is the forward pass's
own, whatever it did. :func:`scatter_reference` is the scatter-add in NumPy
(``np.add.at``); :func:`scatter` the same loop compiled, parallel over planes (each plane of
``grad_x`` is written by one task only).
"""

from __future__ import annotations

import numpy as np
from numba import prange, uint64

from ..arguments import ConvGeometry, Pads, Pair
from ..kernels.runtime import kernel, launch, thread_plan
from ..padding import read_only_what_is_used

# (source or None, (H', W'), stride, pads, dilation): see source_map
SourceMap = tuple[np.ndarray | None, Pair, Pair, Pads, Pair]


def source_map(size: Pair, kernel_size: Pair, geometry: ConvGeometry, mode: str) -> SourceMap:
    """Where each pixel of the kernel's input ``x'`` comes from, and the kernel's geometry.

    Parameters
    ----------
    size : (H, W) of ``x``
    kernel_size : (kH, kW)
    geometry : the checked geometry of the forward call
    mode : the padding mode

    Returns
    -------
    source : ndarray of int64, shape (H' * W',), or None
        ``x'[a, b]`` reads pixel ``source[a * W' + b]`` of the flattened ``x`` plane (-1: a
        zero). ``None`` when ``x'`` is ``x`` itself (zero padding, nothing gathered).
    padded_size : (H', W') of ``x'``
    stride, pads, dilation : what the forward kernel runs with on ``x'`` (``pads``: the zero
        padding still to apply).

    Examples
    --------
    >>> from refconv.arguments import conv_geometry
    >>> g = conv_geometry((1, 1, 1, 4), (1, 1, 1, 3), 1, ((0, 0), (2, 2)), 1, 1, "reflect")
    >>> source_map((1, 4), (1, 3), g, "reflect")[0]          # c b | a b c d | c b
    array([2, 1, 0, 1, 2, 3, 2, 1])
    """
    height, width = size
    args = (kernel_size, geometry.stride, geometry.pads, geometry.dilation, geometry.out_size)
    if mode == "zeros":  # the usual case: a stand-in of no memory asks whether x' is x
        probe = np.broadcast_to(np.float64(0.0), (1, 1, height, width))
        used, stride, pads, dilation = read_only_what_is_used(probe, *args, mode)
        if used is probe:  # nothing applied, nothing gathered
            return None, size, stride, pads, dilation
    numbers = np.arange(1.0, height * width + 1.0).reshape(1, 1, height, width)  # 0: a zero
    used, stride, pads, dilation = read_only_what_is_used(numbers, *args, mode)
    padded = (used.shape[2], used.shape[3])
    return used.reshape(-1).astype(np.int64) - 1, padded, stride, pads, dilation


def scatter_reference(grad_padded: np.ndarray, source: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` (N, C, H, W) = the scatter-add of ``grad_padded`` (N, C, H', W') through
    ``source`` (H' * W',): ``out[n, c].flat[source[k]] += grad_padded[n, c].flat[k]``."""
    n, c = out.shape[:2]
    # one row per pixel, plus a last row for the zeros: (H*W + 1, N*C)
    pixels = np.zeros((out.shape[2] * out.shape[3] + 1, n * c), dtype=out.dtype)
    rows = np.where(source < 0, pixels.shape[0] - 1, source)
    np.add.at(pixels, rows, grad_padded.reshape(n * c, -1).T)  # pixels[rows[k]] += column k
    out[...] = pixels[:-1].T.reshape(out.shape)
    return out


@kernel
def scatter_planes(grad_padded: np.ndarray, source: np.ndarray, out: np.ndarray) -> np.ndarray:
    n_planes = out.shape[0] * out.shape[1]
    plane = out.shape[2] * out.shape[3]
    length = source.shape[0]
    gf = grad_padded.reshape(-1)
    of = out.reshape(-1)
    for t in prange(n_planes):  # plane t of out is written by this task alone
        base = uint64(t * plane)
        for k in range(plane):
            of[base + uint64(k)] = 0.0
        src = uint64(t * length)
        for k in range(length):
            s = source[k]
            if s >= 0:
                of[base + uint64(s)] += gf[src + uint64(k)]
    return out


def scatter(grad_padded: np.ndarray, source: np.ndarray, out: np.ndarray) -> np.ndarray:
    """:func:`scatter_reference`, compiled: the same additions in the same order."""
    launch(scatter_planes, thread_plan(grad_padded.size), grad_padded, source, out)
    return out
