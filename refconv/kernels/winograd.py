"""Winograd F(2x2, 3x3): a 3x3 convolution with 16 multiplications per 2x2 outputs, not 36.

Lavin and Gray (2016), "Fast algorithms for convolutional neural networks": a 2x2 block of
outputs of a 3x3 cross-correlation is computed from the 4x4 block of input ``d`` it reads and
the 3x3 kernel ``g`` as ::

    Y = A^T [ (G g G^T) * (B^T d B) ] A        (* elementwise: 16 products)

    B^T = [[1, 0, -1, 0],    G = [[1, 0, 0],          A^T = [[1, 1, 1, 0],
           [0, 1, 1, 0],          [1/2, 1/2, 1/2],           [0, 1, -1, -1]]
           [0, -1, 1, 0],         [1/2, -1/2, 1/2],
           [0, 1, 0, -1]]         [0, 0, 1]]

Summed over the input channels, the 16 products of each position ``xi`` of the 4x4 block
become 16 matrix products, one per position, over all tiles at once::

    U[xi] = (G g G^T)[xi]       (C_out, C_in)     the kernel, transformed once per call
    V[xi] = (B^T d B)[xi]       (C_in, tiles)     the input, transformed tile by tile
    M[xi] = U[xi] @ V[xi]       (C_out, tiles)    16 GEMMs
    y     = A^T M A             (C_out, 2x2 per tile)

so the GEMMs do 16/36 of the multiplications of im2col (2.25x fewer); the transforms are
additions only. Only a 3x3 kernel with stride 1 and dilation 1 fits this scheme.

The kernel runs, like :mod:`.im2col`, one ``prange`` task per (image, band of tile rows), each
in per-thread workspaces: transform the band's input into ``V`` for every channel
(:func:`.winograd_tiles.input_band`), multiply, transform ``M`` back into the output with the
bias (:func:`.winograd_tiles.output_band`). The transforms, additions only, are in
:mod:`.winograd_tiles`.

**Rounding.** The transforms add and subtract inputs before they are multiplied, so the
error is not bounded by ``sum |w| |x|`` over the 3x3 window, as it is for the other methods,
but by the magnitudes of the transformed 4x4 tile::

    |error| <= (C_in // groups + 16) * eps * W,
    W = |A^T| [ sum over c of (|G| |g| |G^T|) * (|B^T| |d| |B|) ] |A|      (per 2x2 block)

(:func:`error_magnitude` computes ``W``; ``tests/conv/test_accuracy.py`` checks the bound on
spikes, zero taps and mixed magnitudes). On smooth or random data ``W`` is a few times
``sum |w| |x|`` and the error a few units in the last place; but ``W`` counts every pixel of
the tile, also those the window of an output does not read, so one large value beside small
ones ruins its neighbours: an identity kernel next to a float32 spike of 1e8 gives 0.0
instead of 1.0. That is why ``method="auto"`` never picks Winograd.

**Inf and NaN.** A non-finite value can turn into NaN where the direct sum gives Inf
(``inf - inf``), or appear where the direct sum has none (a sum of large inputs overflowing).
The kernel therefore counts the non-finite values it produces; if there are any,
:func:`conv2d_winograd` computes the convolution again with im2col, so non-finite values come
out exactly as the other methods give them.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ..arguments import Pads, Pair
from . import workspace as workspace_settings
from .blas import gemm_address, single_threaded_blas
from .gemm import matmul
from .im2col import conv2d_im2col, rows_per_band
from .runtime import kernel, launch, thread_plan
from .winograd_tiles import input_band, output_band
from .workspace import workspace

TILE_TASKS_PER_THREAD = 2  # bands of tile rows per thread when there are fewer images


G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
# (G g G^T)[i, j] = sum over (p, q) of G[i, p] G[j, q] g[p, q]: row 4i + j, column 3p + q
G_KRON = np.kron(G, G)  # (16, 9); entries 0, +-1/4, +-1/2, +-1: the products are exact


def error_magnitude(x: np.ndarray, weight: np.ndarray, pads: Pads, groups: int) -> np.ndarray:
    """``W``, the magnitude that bounds Winograd's rounding error, for every output (float64).

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in // groups, 3, 3), ``pads`` ((top, bottom),
    (left, right)) of zeros; returns (N, C_out, H_out, W_out) with ``|winograd - exact| <=
    (C_in // groups + 16) * eps * W``. The counterpart of the other methods' ``sum |w| |x|``
    (``refconv.testing``), which it can exceed by any factor (see the module docstring).

    An identity kernel on a 4x4 tile holding 1 at (1, 1) and a spike of 1e8 at (2, 2): output
    (0, 0) is 1, and ``sum |w| |x|`` there is 1, but ``W`` is 1e8 + 1 -- and float32
    Winograd gives 0.0 there, where im2col gives 1.0:

    >>> x = np.zeros((1, 1, 4, 4)); x[0, 0, 1, 1] = 1.0; x[0, 0, 2, 2] = 1e8
    >>> w = np.zeros((1, 1, 3, 3)); w[0, 0, 1, 1] = 1.0
    >>> error_magnitude(x, w, ((0, 0), (0, 0)), 1)[0, 0]
    array([[1.00000001e+08, 1.00000001e+08],
           [1.00000001e+08, 1.00000001e+08]])
    """
    (top, bottom), (left, right) = pads
    n_batch, c_in, height, width = x.shape
    c_out = weight.shape[0]
    h_out, w_out = height + top + bottom - 2, width + left + right - 2
    t_h, t_w = (h_out + 1) // 2, (w_out + 1) // 2
    # the padded input, one more row / column where the last tile overhangs
    d = np.zeros((n_batch, c_in, 2 * t_h + 2, 2 * t_w + 2))
    d[:, :, top : top + height, left : left + width] = np.abs(x)
    tiles = np.lib.stride_tricks.sliding_window_view(d, (4, 4), axis=(2, 3))[:, :, ::2, ::2]
    b_t, a_t = np.abs(_B_T), np.abs(_A_T)
    t = np.einsum("xi,ncabij,yj->ncabxy", b_t, tiles, b_t)  # |B^T| |d| |B|, per tile
    u = np.einsum("xp,ocpq,yq->ocxy", np.abs(G), np.abs(weight.astype(np.float64)), np.abs(G))
    o_group, c_group = c_out // groups, c_in // groups
    w_tile = np.concatenate(
        [
            np.einsum(
                "ncabxy,ocxy->noabxy",
                t[:, g * c_group : (g + 1) * c_group],
                u[g * o_group : (g + 1) * o_group],
            )
            for g in range(groups)
        ],
        axis=1,
    )  # (N, C_out, t_h, t_w, 4, 4)
    blocks = np.einsum("rx,noabxy,sy->noarbs", a_t, w_tile, a_t)  # (N, C_out, t_h, 2, t_w, 2)
    return blocks.reshape(n_batch, c_out, 2 * t_h, 2 * t_w)[:, :, :h_out, :w_out]


_B_T = np.array(
    [[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 1.0, 0.0, -1.0]]
)
_A_T = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])


def transform_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """``U = G g G^T`` for every (output, input) channel pair: (groups, 16, C_out // groups,
    C_in // groups), position ``xi = 4 * row + column`` of the 4x4 block.

    One small matrix product, ``G_KRON @ g`` with each kernel flattened to a column of 9.
    Call it with BLAS pinned to one thread (:func:`~.blas.single_threaded_blas`).
    """
    c_out, c_group = weight.shape[:2]
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0: the output check sees it
        u = G_KRON.astype(weight.dtype) @ weight.reshape(c_out * c_group, 9).T  # (16, O*Cg)
    u = u.reshape(16, groups, c_out // groups, c_group)
    return np.ascontiguousarray(u.transpose(1, 0, 2, 3))


@kernel
def winograd_bands(
    x: np.ndarray,
    u: np.ndarray,
    b: np.ndarray,
    pt: int,
    pl: int,
    band: int,
    splits: np.ndarray,
    v_ws: np.ndarray,
    m_ws: np.ndarray,
    gemm: int,
    bits: np.ndarray,
    exponent: np.unsignedinteger,
    one: np.floating,
    out: np.ndarray,
) -> int:
    n_batch, c_in, height, width = x.shape
    groups, _, o_group, c_group = u.shape
    c_out, h_out, w_out = out.shape[1], out.shape[2], out.shape[3]
    t_h, t_w = (h_out + 1) // 2, (w_out + 1) // 2  # tiles down and across
    half = t_w + 1  # split values per row: padded columns 0 .. 2 t_w + 1
    bands = (t_h + band - 1) // band
    xf = x.reshape(-1)
    of = out.reshape(-1)
    bad = 0
    for t in prange(n_batch * bands):  # t = (n, band of tile rows): disjoint output rows
        n = t // bands
        i0 = (t % bands) * band  # tile rows [i0, i1)
        i1 = min(t_h, i0 + band)
        tiles = (i1 - i0) * half  # tile k = r*half + j; j = t_w is not a tile (unused)
        me = numba.get_thread_id()
        vf = v_ws[me]
        mf = m_ws[me]
        input_band(vf, splits[me], xf, n, c_in, height, width, i0, i1, half, pt, pl, one)
        v = vf[: 16 * c_in * tiles].reshape(16, c_in, tiles)
        m = mf[: 16 * c_out * tiles].reshape(16, c_out, tiles)
        for g in range(groups):
            for xi in range(16):
                matmul(
                    gemm,
                    u[g, xi],
                    v[xi, g * c_group : (g + 1) * c_group],
                    m[xi, g * o_group : (g + 1) * o_group],
                )
        bad += output_band(of, bits, exponent, mf, b, n, c_out, h_out, w_out, i0, i1, half, one)
    return bad


def winograd_plan(
    n_batch: int, c_in: int, c_out: int, h_out: int, w_out: int, itemsize: int, threads: int
) -> tuple[int, int, int, int]:
    """``(band, split_size, v_size, m_size)``: tile rows per task and the values of each
    thread's workspaces (each of the four split arrays, ``V``, ``M``), within
    ``WORKSPACE_BYTES``; bands are cut as im2col's are (:func:`.im2col.rows_per_band`), a
    tile row of ``V`` and ``M`` taking ``16 * (C_in + C_out)`` values per slot."""
    t_h, half = (h_out + 1) // 2, (w_out + 1) // 2 + 1
    per_image = -(-TILE_TASKS_PER_THREAD * threads // n_batch)
    band = rows_per_band(
        16 * (c_in + c_out),
        half,
        t_h,
        itemsize,
        workspace_settings.WORKSPACE_BYTES // threads,
        per_image,
    )
    return band, (band + 1) * half + 1, 16 * c_in * band * half, 16 * c_out * band * half


def conv2d_winograd(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """3x3 stride-1 cross-correlation by Winograd F(2x2, 3x3); same signature as
    ``conv2d_reference``. Falls back to :func:`conv2d_im2col` if any value is not finite."""
    n_batch, c_in = x.shape[:2]
    c_out, h_out, w_out = out.shape[1:]
    b = np.zeros(c_out, dtype=out.dtype) if bias is None else bias
    (top, _), (left, _) = pads
    threads = thread_plan(out.size * weight[0].size)
    band, split_size, v_size, m_size = winograd_plan(
        n_batch, c_in, c_out, h_out, w_out, out.itemsize, threads
    )
    splits = workspace("winograd splits", (threads, 4, split_size), out.dtype)
    v_ws = workspace("winograd input", (threads, v_size), out.dtype)
    m_ws = workspace("winograd product", (threads, m_size), out.dtype)
    bits = out.reshape(-1).view(np.uint32 if out.itemsize == 4 else np.uint64)
    exponent = bits.dtype.type(0x7F800000 if out.itemsize == 4 else 0x7FF0000000000000)
    with single_threaded_blas():
        u = transform_weight(weight, groups)
        bad = launch(
            winograd_bands,
            threads,
            x,
            u,
            b,
            top,
            left,
            band,
            splits,
            v_ws,
            m_ws,
            gemm_address(out.dtype),
            bits,
            exponent,
            out.dtype.type(1),
            out,
        )
    if bad:
        return conv2d_im2col(x, weight, bias, stride, pads, dilation, groups, out)
    return out
