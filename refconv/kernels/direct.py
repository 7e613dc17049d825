"""Direct convolution: the reference loops, compiled by Numba and run in parallel.

The loop nest is reordered so the innermost loop runs along one output row, with a unit (or
small constant) stride in memory, which LLVM vectorises::

    for every output row (n, o, i)               <- prange: rows never overlap
        row = bias[o]
        for each kernel tap (p, q) and input channel c of the group:
            row[j] += w[o, c, p, q] * x[n, c, i*sh + p*dh - top, j*sw + q*dw - left]

Zero padding is never materialised: for each tap only the output columns whose input column
lies inside the image are visited (:func:`~.rows.inside`), with the row loops of
:mod:`.rows`. Depthwise convolutions (one input channel per group) have kernels of their own
(:mod:`.depthwise`): parallel over bands of rows rather than whole rows, and for 3x3 kernels
all nine taps fused. Other padding modes (reflect, replicate, circular) are applied by the
caller beforehand.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..arguments import Pads, Pair
from .depthwise import conv2d_depthwise
from .rows import axpy, fill, inside
from .runtime import kernel, launch, thread_plan


@kernel
def direct_rows(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    sh: int,
    sw: int,
    pt: int,
    pl: int,
    dh: int,
    dw: int,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    n_batch, c_in, height, width = x.shape
    c_out, c_group, k_h, k_w = w.shape
    h_out, w_out = out.shape[2], out.shape[3]
    o_group = c_out // groups
    xf = x.reshape(-1)  # flat views, made once (see the module docstring)
    of = out.reshape(-1)
    for t in prange(n_batch * c_out * h_out):  # t is the output row (n, o, i)
        i = t % h_out
        o = (t // h_out) % c_out
        n = t // (h_out * c_out)
        c0 = (o // o_group) * c_group  # first input channel of o's group
        row = t * w_out  # flat index of out[n, o, i, 0]
        fill(of, row, w_out, b[o])
        for p in range(k_h):
            ih = i * sh + p * dh - pt
            if ih < 0 or ih >= height:
                continue
            for q in range(k_w):
                offset = q * dw - pl  # input column of output column 0 for this tap
                lo, hi = inside(offset, sw, width, w_out)
                if hi <= lo:
                    continue
                for c in range(c_group):
                    src = ((n * c_in + c0 + c) * height + ih) * width + lo * sw + offset
                    axpy(of, row + lo, xf, src, hi - lo, w[o, c, p, q], sw)
    return out


def conv2d_direct(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """Grouped 2-D cross-correlation by direct loops; same signature as
    :func:`~.reference.conv2d_reference`.

    ``x`` (N, C_in, H, W), ``weight`` (C_out, C_in // groups, kH, kW), ``bias`` (C_out,) or
    None, ``out`` (N, C_out, H_out, W_out), all C-contiguous and of one float dtype.
    """
    b = np.zeros(weight.shape[0], dtype=out.dtype) if bias is None else bias
    (top, _), (left, _) = pads
    threads = thread_plan(out.size * weight[0].size)  # multiply-adds
    if weight.shape[1] == 1 and groups == x.shape[1]:
        return conv2d_depthwise(x, weight, b, stride, pads, dilation, out, threads)
    if weight.shape[2:] == (1, 1) and stride == (1, 1) and pads == ((0, 0), (0, 0)):
        # 1x1: each output plane is a sum of whole input planes, so treat a plane as one
        # long row -- one task and one vectorised loop per plane, not per short row
        n, c_in, h, w = x.shape
        plane_out = out.reshape(n, out.shape[1], 1, h * w)
        launch(
            direct_rows,
            threads,
            x.reshape(n, c_in, 1, h * w),
            weight,
            b,
            1,
            1,
            0,
            0,
            1,
            1,
            groups,
            plane_out,
        )
        return out
    return launch(
        direct_rows,
        threads,
        x,
        weight,
        b,
        stride[0],
        stride[1],
        top,
        left,
        dilation[0],
        dilation[1],
        groups,
        out,
    )
