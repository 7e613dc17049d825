"""Direct convolution: the spec's loops, compiled by Numba and run in parallel.

The loop nest is reordered so the innermost loop runs along one output row with a unit (or
constant) stride in memory, which LLVM can vectorise:

    for every output row (n, o, i)            <- prange: rows never overlap
        row = bias[o]
        for each kernel tap (p, q) and input channel c of the group:
            row[j] += w[o, c, p, q] * x[n, c, i*sh + p*dh - top, j*sw + q*dw - left]

Zero padding is never materialised: for each tap the range of output columns ``j`` whose
input column lies inside the image is computed once (``_inside``), and only that range is
visited. All indices inside the innermost loop are then non-negative, so no wrap-around check
stands in the way of vectorisation. Other padding modes are applied by the caller beforehand.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ._numba import JIT, SERIAL_JIT, launch


@SERIAL_JIT
def _inside(offset, stride, size, n_out):
    """Output positions ``j`` in ``[lo, hi)`` with ``0 <= j*stride + offset < size``."""
    lo = 0 if offset >= 0 else (-offset + stride - 1) // stride
    last = size - 1 - offset
    hi = 0 if last < 0 else min(n_out, last // stride + 1)
    return lo, max(lo, hi)


@JIT
def _conv2d_direct(x, w, b, sh, sw, pt, pl, dh, dw, groups, out):
    n_batch, _, height, width = x.shape
    c_out, c_group, k_h, k_w = w.shape
    h_out, w_out = out.shape[2], out.shape[3]
    o_group = c_out // groups
    for t in prange(n_batch * c_out * h_out):
        i = t % h_out
        o = (t // h_out) % c_out
        n = t // (h_out * c_out)
        c0 = (o // o_group) * c_group  # first input channel of o's group
        row = out[n, o, i]  # (W_out,)
        for j in range(w_out):
            row[j] = b[o]
        for p in range(k_h):
            ih = i * sh + p * dh - pt
            if ih < 0 or ih >= height:
                continue
            for q in range(k_w):
                offset = q * dw - pl  # input column of output column 0 for this tap
                lo, hi = _inside(offset, sw, width, w_out)
                start = lo * sw + offset  # >= 0
                for c in range(c_group):
                    wv = w[o, c, p, q]
                    xrow = x[n, c0 + c, ih]  # (W,)
                    for k in range(hi - lo):
                        row[lo + k] += wv * xrow[start + k * sw]
    return out


def conv2d_direct(x, weight, bias, stride, pads, dilation, groups, out):
    """Grouped 2-D cross-correlation by direct loops; same signature as ``conv2d_spec``.

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in // groups, kH, kW), ``bias`` (C_out,) or
    None, ``out`` (N, C_out, H_out, W_out), all C-contiguous and of one float dtype.
    """
    b = np.zeros(weight.shape[0], dtype=out.dtype) if bias is None else bias
    (top, _), (left, _) = pads
    return launch(_conv2d_direct, x, weight, b, stride[0], stride[1], top, left,
                  dilation[0], dilation[1], groups, out)
