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
in per-thread workspaces: split the band's input rows by row and by column parity
(:func:`_split_plane`, so that every load is unit-stride), transform them into ``V``
(:func:`_input_tiles`; both for every channel in :func:`_input_band`), multiply, transform
``M`` back into the output with the bias (:func:`_output_tiles`, in :func:`_output_band`).
The two band steps are functions of their own, compiled once and shared by the kernel and
its serial twin; the helpers inside them are inlined (as calls, once a row, they made the
kernel 15 % slower).

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
from numba import prange, uint64

from ..arguments import Pads, Pair
from . import workspace as workspace_settings
from .blas import gemm_address, single_threaded_blas
from .gemm import matmul
from .im2col import conv2d_im2col, rows_per_band
from .rows import split_rows
from .runtime import INLINE_JIT, SERIAL_JIT, kernel, launch, thread_plan
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


@INLINE_JIT
def _split_plane(
    ee: np.ndarray,
    eo: np.ndarray,
    oe: np.ndarray,
    oo: np.ndarray,
    pairs: int,
    half: int,
    xf: np.ndarray,
    plane: int,
    height: int,
    width: int,
    ih0: int,
    pl: int,
) -> None:
    """Padded rows ``ih0 .. ih0 + 2*pairs - 1`` of one plane, split by row and by column
    parity: row ``r`` of ``ee``/``eo`` (``half`` values each) is padded row ``ih0 + 2r``, its
    even/odd columns; ``oe``/``oo`` the same for row ``ih0 + 2r + 1``. One value past the
    last row of each is zero (the loads of the unused last tile read it)."""
    for r in range(pairs):
        row = slice(r * half, (r + 1) * half)
        split_rows(ee[row], eo[row], 1, half, xf, plane, height, width, ih0 + 2 * r, pl)
        split_rows(oe[row], oo[row], 1, half, xf, plane, height, width, ih0 + 2 * r + 1, pl)
    end = pairs * half
    ee[end], eo[end], oe[end], oo[end] = 0.0, 0.0, 0.0, 0.0


@INLINE_JIT
def _pick(
    ee: np.ndarray,
    eo: np.ndarray,
    oe: np.ndarray,
    oo: np.ndarray,
    row: int,
    column: int,
) -> np.ndarray:
    """The split array of row parity ``row`` and column parity ``column`` (0 even, 1 odd)."""
    if row == 0:
        return ee if column == 0 else eo
    return oe if column == 0 else oo


@INLINE_JIT
def _input_entry(
    vf: np.ndarray,
    dst: int,
    xp: np.ndarray,
    yp: np.ndarray,
    xq: np.ndarray,
    yq: np.ndarray,
    ox: int,
    oy: int,
    op: int,
    oq: int,
    sr: np.floating,
    sc: np.floating,
    count: int,
) -> None:
    """One position of ``V`` for ``count`` tiles: ``vf[dst + k] = R(xp, yp, op + k) + sc *
    R(xq, yq, oq + k)``, ``R(x, y, k) = x[ox + k] + sr * y[oy + k]`` (``sr``, ``sc`` are +-1:
    the products are exact). One store per loop: LLVM needs four alias checks to vectorise
    it, where 16 stores in one loop kept it scalar."""
    d = uint64(dst)
    xa, ya = uint64(ox + op), uint64(oy + op)
    xb, yb = uint64(ox + oq), uint64(oy + oq)
    for kk in range(count):
        k = uint64(kk)
        vf[d + k] = (xp[xa + k] + sr * yp[ya + k]) + sc * (xq[xb + k] + sr * yq[yb + k])


@INLINE_JIT
def _input_tiles(
    vf: np.ndarray,
    v0: int,
    stride: int,
    ee: np.ndarray,
    eo: np.ndarray,
    oe: np.ndarray,
    oo: np.ndarray,
    half: int,
    count: int,
    one: np.floating,
) -> None:
    """``V = B^T d B`` of ``count`` tiles of one channel: ``vf[v0 + xi*stride + k]``,
    ``xi = 4a + b``, tile ``k = r*half + j`` (tile row ``r``, column ``j``).

    Tile ``(r, j)`` covers padded rows ``2r .. 2r + 3`` -- rows ``r`` and ``r + 1`` of the
    even-row and odd-row splits -- and padded columns ``2j .. 2j + 3`` -- values ``j`` and
    ``j + 1`` of the even-column and odd-column splits. So rows and columns combine alike:
    ``B^T`` takes 0 - 2, 1 + 2, 2 - 1, 1 - 3, i.e. (even, next even, -), (odd, next even, +),
    (next even, odd, -), (odd, next odd, -).
    """
    for a in range(4):
        x_row, ox = (1, 0) if a == 1 or a == 3 else (0, half if a == 2 else 0)
        y_row, oy = (1, 0) if a == 2 else ((1 if a == 3 else 0), half)
        sr = one if a == 1 else -one
        for b in range(4):
            p_col, op = (1, 0) if b == 1 or b == 3 else (0, 1 if b == 2 else 0)
            q_col, oq = (1, 0) if b == 2 else ((1 if b == 3 else 0), 1)
            sc = one if b == 1 else -one
            _input_entry(
                vf,
                v0 + (4 * a + b) * stride,
                _pick(ee, eo, oe, oo, x_row, p_col),
                _pick(ee, eo, oe, oo, y_row, p_col),
                _pick(ee, eo, oe, oo, x_row, q_col),
                _pick(ee, eo, oe, oo, y_row, q_col),
                ox,
                oy,
                op,
                oq,
                sr,
                sc,
                count,
            )


@INLINE_JIT
def _output_row(
    of: np.ndarray,
    row: int,
    mf: np.ndarray,
    m0: int,
    s: int,
    k0: int,
    sign: np.floating,
    count: int,
    bias: float,
) -> None:
    """One output row of ``count`` whole tiles: ``of[row + 2j]``, ``of[row + 2j + 1]`` from
    ``P_c = M[k0 + c] + sign * (M[k0 + 4 + c] + M[k0 + 8 + c])`` (``M[xi]`` at ``mf[m0 +
    xi*s + j]``): ``P0 + P1 + P2`` and ``P1 - P2 - P3``, plus ``bias``. (Rows of ``A^T``: 0 +
    1 + 2 with ``k0 = 0``, ``sign = 1``; 1 - 2 - 3 with ``k0 = 4``, ``sign = -1``.)"""
    r, two, one = uint64(row), uint64(2), uint64(1)
    b0, b4, b8 = uint64(m0 + k0 * s), uint64(m0 + (k0 + 4) * s), uint64(m0 + (k0 + 8) * s)
    s1, s2, s3 = uint64(s), uint64(2 * s), uint64(3 * s)
    for jj in range(count):
        j = uint64(jj)
        p0 = mf[b0 + j] + sign * (mf[b4 + j] + mf[b8 + j])
        p1 = mf[b0 + s1 + j] + sign * (mf[b4 + s1 + j] + mf[b8 + s1 + j])
        p2 = mf[b0 + s2 + j] + sign * (mf[b4 + s2 + j] + mf[b8 + s2 + j])
        p3 = mf[b0 + s3 + j] + sign * (mf[b4 + s3 + j] + mf[b8 + s3 + j])
        of[r + two * j] = (p0 + p1 + p2) + bias
        of[r + two * j + one] = (p1 - p2 - p3) + bias


@INLINE_JIT
def _output_last(
    of: np.ndarray,
    row: int,
    mf: np.ndarray,
    m0: int,
    s: int,
    k0: int,
    sign: np.floating,
    j: int,
    bias: float,
) -> None:
    """The left output of tile ``j`` only (it overhangs the right edge): ``P0 + P1 + P2``."""
    total = bias
    for c in range(3):
        base = m0 + (k0 + c) * s + j
        total += mf[uint64(base)] + sign * (mf[uint64(base + 4 * s)] + mf[uint64(base + 8 * s)])
    of[uint64(row + 2 * j)] = total


@INLINE_JIT
def _count_nonfinite(bits: np.ndarray, start: int, count: int, exponent: np.unsignedinteger) -> int:
    """How many of ``count`` floats, seen as unsigned integers ``bits[start ..]``, have every
    exponent bit set (Inf or NaN). An integer sum: LLVM vectorises it."""
    bad = 0
    s = uint64(start)
    for k in range(count):
        bad += (bits[s + uint64(k)] & exponent) == exponent
    return bad


@INLINE_JIT
def _output_tiles(
    of: np.ndarray,
    bits: np.ndarray,
    exponent: np.unsignedinteger,
    top: int,
    mf: np.ndarray,
    m0: int,
    stride: int,
    w_out: int,
    bias: float,
    both: bool,
    one: np.floating,
) -> int:
    """``y = A^T M A + bias`` for one row of tiles of one output channel, from ``mf[m0 +
    xi*stride + j]``: output row ``top`` (flat index of its column 0) and, when ``both``,
    the next one. Returns how many of the values written are not finite."""
    full = w_out // 2
    bad = 0
    for k in range(2 if both else 1):
        row = top + k * w_out
        k0, sign = (0, one) if k == 0 else (4, -one)
        _output_row(of, row, mf, m0, stride, k0, sign, full, bias)
        if w_out % 2:
            _output_last(of, row, mf, m0, stride, k0, sign, full, bias)
        bad += _count_nonfinite(bits, row, w_out, exponent)
    return bad


@SERIAL_JIT
def _input_band(
    vf: np.ndarray,
    split: np.ndarray,
    xf: np.ndarray,
    n: int,
    c_in: int,
    height: int,
    width: int,
    i0: int,
    i1: int,
    half: int,
    pt: int,
    pl: int,
    one: np.floating,
) -> None:
    """``V`` of tile rows ``[i0, i1)`` of image ``n``, every input channel: ``vf[xi*C_in*tiles
    + c*tiles + k]`` (``split``: this thread's four parity splits, :func:`_split_plane`)."""
    ee, eo, oe, oo = split[0], split[1], split[2], split[3]
    tiles = (i1 - i0) * half
    for c in range(c_in):
        _split_plane(
            ee,
            eo,
            oe,
            oo,
            i1 - i0 + 1,
            half,
            xf,
            (n * c_in + c) * height * width,
            height,
            width,
            2 * i0 - pt,
            pl,
        )
        _input_tiles(vf, c * tiles, c_in * tiles, ee, eo, oe, oo, half, tiles, one)


@SERIAL_JIT
def _output_band(
    of: np.ndarray,
    bits: np.ndarray,
    exponent: np.unsignedinteger,
    mf: np.ndarray,
    b: np.ndarray,
    n: int,
    c_out: int,
    h_out: int,
    w_out: int,
    i0: int,
    i1: int,
    half: int,
    one: np.floating,
) -> int:
    """``y = A^T M A + bias`` of tile rows ``[i0, i1)`` of image ``n``, every output channel;
    returns how many of the values written are not finite."""
    tiles = (i1 - i0) * half
    bad = 0
    for o in range(c_out):
        for r in range(i1 - i0):
            i = 2 * (i0 + r)  # the tile row's first output row
            bad += _output_tiles(
                of,
                bits,
                exponent,
                ((n * c_out + o) * h_out + i) * w_out,
                mf,
                o * tiles + r * half,
                c_out * tiles,
                w_out,
                b[o],
                i + 1 < h_out,
                one,
            )
    return bad


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
        _input_band(vf, splits[me], xf, n, c_in, height, width, i0, i1, half, pt, pl, one)
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
        bad += _output_band(of, bits, exponent, mf, b, n, c_out, h_out, w_out, i0, i1, half, one)
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
