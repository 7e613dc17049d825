"""im2col + GEMM: turn a convolution into one matrix product, in bounded-memory chunks.

For one image ``n`` and one group ``g`` (``Cg = C_in // groups``, ``Og = C_out // groups``)::

    cols[(c, p, q), (i, j)] = xp[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw]   # (Cg*kH*kW, H_out*W_out)
    y[n, g*Og:(g+1)*Og]     = w[g*Og:(g+1)*Og].reshape(Og, Cg*kH*kW) @ cols  # (Og, H_out*W_out)

``cols`` repeats every input pixel up to kH*kW times, so building it whole can take far more
memory than the input: a (1, 8, 2048, 2048) float32 input with a 7x7 kernel would need
8*49 * 2042*2042 * 4 bytes = 6.5 GB. Here ``cols`` is built for a band of output rows at a
time, sized to fit ``WORKSPACE_BYTES`` (256 MiB by default), and one buffer is reused for
every band, group and image. A 1x1 convolution with stride 1 and no padding needs no
columns at all: its ``cols`` *is* the input, viewed as ``(C_in, H*W)``.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._numba import JIT, launch
from .direct import _copy, _fill, _inside

WORKSPACE_BYTES = 256 * 2**20


@JIT
def _im2col(x, n, c0, k_h, k_w, sh, sw, pt, pl, dh, dw, r0, r1, w_out, cols):
    """Fill ``cols`` (Cg*kH*kW, (r1 - r0)*W_out) for output rows ``r0 <= i < r1``."""
    c_in, height, width = x.shape[1], x.shape[2], x.shape[3]
    rows = r1 - r0
    taps = k_h * k_w
    xf = x.reshape(-1)  # flat views and unsigned offsets, as in direct.py
    cf = cols.reshape(-1)
    for t in prange(cols.shape[0] * rows):  # t is one row of W_out columns: (c, p, q), i
        r = t % rows
        k = t // rows  # (c, p, q) flattened
        c = k // taps
        p = (k // k_w) % k_h
        q = k % k_w
        dst = t * w_out  # flat index of cols[k, r * W_out]
        ih = (r0 + r) * sh + p * dh - pt
        if ih < 0 or ih >= height:  # a padded row: all zeros
            _fill(cf, dst, w_out, 0.0)
            continue
        offset = q * dw - pl
        lo, hi = _inside(offset, sw, width, w_out)
        src = ((n * c_in + c0 + c) * height + ih) * width + lo * sw + offset
        _copy(cf, dst, xf, src, lo, hi, sw)  # zeros left of the image, then the image
        _fill(cf, dst + hi, w_out - hi, 0.0)  # zeros right of the image


def rows_per_band(k: int, w_out: int, h_out: int, itemsize: int, budget: int) -> int:
    """How many output rows of columns fit the workspace budget (at least one)."""
    return max(1, min(h_out, budget // max(1, k * w_out * itemsize)))


def conv2d_im2col(x, weight, bias, stride, pads, dilation, groups, out):
    """Grouped 2-D cross-correlation as im2col + GEMM; same signature as ``conv2d_spec``."""
    n_batch, _, height, width = x.shape
    c_out, c_group, k_h, k_w = weight.shape
    h_out, w_out = out.shape[2], out.shape[3]
    o_group = c_out // groups
    k = c_group * k_h * k_w
    w2 = weight.reshape(groups, o_group, k)  # (groups, Og, Cg*kH*kW)
    y = out.reshape(n_batch, c_out, h_out * w_out)  # a view: GEMM results land in out
    (top, _), (left, _) = pads
    identity = (k_h, k_w) == (1, 1) and stride == (1, 1) and pads == ((0, 0), (0, 0))
    if identity:  # 1x1: the columns are the input itself
        x3 = x.reshape(n_batch, x.shape[1], height * width)  # (N, C_in, H*W)
        for n in range(n_batch):
            for g in range(groups):
                np.matmul(w2[g], x3[n, g * c_group:(g + 1) * c_group],
                          out=y[n, g * o_group:(g + 1) * o_group])
    else:
        band = rows_per_band(k, w_out, h_out, out.itemsize, WORKSPACE_BYTES)
        workspace = np.empty(k * band * w_out, dtype=out.dtype)
        for n in range(n_batch):
            for g in range(groups):
                for r0 in range(0, h_out, band):
                    r1 = min(h_out, r0 + band)
                    cols = workspace[:k * (r1 - r0) * w_out].reshape(k, (r1 - r0) * w_out)
                    launch(_im2col, cols.size, x, n, g * c_group, k_h, k_w, stride[0],
                           stride[1], top, left, dilation[0], dilation[1], r0, r1, w_out, cols)
                    np.matmul(w2[g], cols,
                              out=y[n, g * o_group:(g + 1) * o_group, r0 * w_out:r1 * w_out])
    if bias is not None:
        out += bias[:, None, None]
    return out
