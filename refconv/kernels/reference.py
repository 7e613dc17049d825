"""The reference: a convolution written the way it is defined, one output pixel at a time.

This is the version to read first (``method="reference"``). It is slow on purpose: nothing is
fused, reordered or vectorised beyond one window times one kernel. The fast kernels in
``direct.py``, ``im2col.py`` and ``winograd.py`` have the same signature and are tested
against this file.

Deep-learning "convolution" is, technically, cross-correlation: the kernel is *not* flipped::

    y[n, o, i, j] = bias[o] + sum over c, p, q of
                    xp[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * w[o, c, p, q]

where ``xp`` is the zero-padded input, ``g = o // (C_out // groups)`` is the group of output
channel ``o`` and ``Cg = C_in // groups`` is the number of input channels each group sees.
A depthwise convolution is the case ``groups == C_in``; with a depth multiplier ``M``,
``C_out = C_in * M`` and output channel ``c * M + m`` reads input channel ``c`` (Keras' order).
"""

from __future__ import annotations

import numpy as np

from ..padding import pad


def conv2d_reference(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: tuple[int, int],
    pads: tuple[tuple[int, int], tuple[int, int]],
    dilation: tuple[int, int],
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """Grouped 2-D cross-correlation by its definition.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in // groups, kH, kW)
    bias : ndarray, shape (C_out,), or None
    stride, dilation : (h, w)
    pads : ((top, bottom), (left, right))
        Zero padding still to apply (other padding modes were applied by the caller).
    groups : int
    out : ndarray, shape (N, C_out, H_out, W_out)
        Written in place and returned.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 2, 2))
    >>> y = np.empty((1, 1, 3, 3))
    >>> conv2d_reference(x, w, None, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, y)[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    xp = pad(x, pads, "zeros")  # (N, C_in, H + top + bottom, W + left + right)
    n_batch, c_out, h_out, w_out = out.shape
    c_out_per_group = c_out // groups
    c_in_per_group = weight.shape[1]
    k_h, k_w = weight.shape[2], weight.shape[3]
    s_h, s_w = stride
    d_h, d_w = dilation
    for n in range(n_batch):
        for o in range(c_out):
            g = o // c_out_per_group
            channels = slice(g * c_in_per_group, (g + 1) * c_in_per_group)
            for i in range(h_out):
                for j in range(w_out):
                    # the receptive field of y[n, o, i, j]: (Cg, kH, kW), dilation as a step
                    rows = slice(i * s_h, i * s_h + d_h * (k_h - 1) + 1, d_h)
                    cols = slice(j * s_w, j * s_w + d_w * (k_w - 1) + 1, d_w)
                    window = xp[n, channels, rows, cols]
                    total = np.sum(window * weight[o])
                    out[n, o, i, j] = total if bias is None else total + bias[o]
    return out
