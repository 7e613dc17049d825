"""Winograd F(2x2, 3x3)'s tile transforms, one band of tile rows at a time.

:mod:`.winograd` multiplies ``M[xi] = U[xi] @ V[xi]`` for the 16 positions ``xi`` of a 4x4
tile; this module makes ``V`` from the input and turns ``M`` back into outputs, with
additions and subtractions only (every coefficient of ``B^T`` and ``A^T`` is 0 or +-1)::

    V = B^T d B     B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    y = A^T M A     A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

* :func:`input_band`: for every input channel, the band's padded rows are split by row and
  by column parity (:func:`_split_plane`: every later load is unit-stride, the tiles
  overlapping by two rows and two columns), and the 16 entries of ``B^T d B`` are formed
  for all the band's tiles at once (:func:`_input_tiles`, one loop per entry);
* :func:`output_band`: for every output channel and tile row, the two output rows
  ``A^T M A + bias`` (:func:`_output_tiles`), counting the values that are not finite, so
  that :func:`.winograd.conv2d_winograd` can hand such a call to im2col.

The two band steps are functions of their own, compiled once and shared by the kernel and
its serial twin; the helpers inside them are inlined (as calls, once a row, they made the
kernel 15 % slower).
"""

from __future__ import annotations

import numpy as np
from numba import uint64

from .rows import split_rows
from .runtime import INLINE_JIT, SERIAL_JIT


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
def input_band(
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
def output_band(
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
