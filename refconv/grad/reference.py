"""The reference gradients: the backward pass written the way it is derived, loop by loop.

Read this first (``method="reference"``); the fast kernels in ``direct.py`` and ``im2col.py``
have the same signatures and are tested against it. The forward pass
(:func:`refconv.kernels.reference.conv2d_reference`) is::

    y[n, o, i, j] = sum over c, p, q of  xp[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * w[o, c, p, q]

with ``xp`` the zero-padded input, ``g`` the group of ``o`` and ``Cg = C_in // groups``. Each
output reads a window of ``xp`` and weighs it by ``w[o]``, so with ``G = dL/dy``:

* **input gradient** -- every output sends its gradient back through the window it read,
  weighted by the same kernel: ``dL/dxp[n, window of (o, i, j)] += G[n, o, i, j] * w[o]``
  (:func:`conv2d_input_reference`; the padded border's share is dropped). Gathered per input
  pixel, with stride 1 this is a *full* correlation of ``G`` with the kernel flipped in both
  directions and its in/out channels swapped; a stride ``s`` spreads the rows of ``G`` ``s``
  apart first (stride becomes a dilation of the output gradient).
* **weight gradient** -- tap ``(p, q)`` of ``w[o, c]`` multiplied, in every output, the pixel
  ``xp[n, c, i*sh + p*dh, j*sw + q*dw]``, so its gradient is the sum of those pixels weighed
  by ``G[n, o, i, j]``: a correlation of the input with the output gradient, the gradient
  acting as a ``H_out x W_out`` kernel whose taps are ``stride`` apart
  (:func:`conv2d_weight_reference`). Stride and dilation swap roles.

Both are loops over a few slices, slow on purpose; ``docs/gradients-notes.md`` derives them.
"""

from __future__ import annotations

import numpy as np

from ..arguments import Pads, Pair
from ..padding import pad


def conv2d_input_reference(
    grad_output: np.ndarray,
    weight: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """Gradient of ``sum(grad_output * y)`` with respect to ``x``, ``y`` the convolution of
    ``x`` by ``weight`` (zero ``pads``): each output's gradient scattered through its window.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    weight : ndarray, shape (C_out, C_in // groups, kH, kW)
    stride, dilation : (h, w)
    pads : ((top, bottom), (left, right))
        The forward pass's zero padding.
    groups : int
    out : ndarray, shape (N, C_in, H, W)
        Written in place and returned: the gradient of the unpadded input.

    Examples
    --------
    One output of a 2x2 kernel on a 2x2 input: the gradient is the kernel times ``G``.

    >>> import numpy as np
    >>> w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> g = np.array([[[[10.0]]]])
    >>> dx = np.empty((1, 1, 2, 2))
    >>> conv2d_input_reference(g, w, (1, 1), ((0, 0), (0, 0)), (1, 1), 1, dx)[0, 0]
    array([[10., 20.],
           [30., 40.]])
    """
    n_batch, c_out, h_out, w_out = grad_output.shape
    _, c_in, height, width = out.shape
    (top, bottom), (left, right) = pads
    grad_padded = np.zeros((n_batch, c_in, height + top + bottom, width + left + right), out.dtype)
    c_out_per_group = c_out // groups
    c_in_per_group, k_h, k_w = weight.shape[1:]
    s_h, s_w = stride
    d_h, d_w = dilation
    for n in range(n_batch):
        for o in range(c_out):
            g = o // c_out_per_group
            channels = slice(g * c_in_per_group, (g + 1) * c_in_per_group)
            for i in range(h_out):
                for j in range(w_out):
                    # the window y[n, o, i, j] read: (Cg, kH, kW), dilation as a step
                    rows = slice(i * s_h, i * s_h + d_h * (k_h - 1) + 1, d_h)
                    cols = slice(j * s_w, j * s_w + d_w * (k_w - 1) + 1, d_w)
                    grad_padded[n, channels, rows, cols] += grad_output[n, o, i, j] * weight[o]
    out[...] = grad_padded[:, :, top : top + height, left : left + width]  # the border dropped
    return out


def conv2d_weight_reference(
    x: np.ndarray,
    grad_output: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
    groups: int,
    out: np.ndarray,
) -> np.ndarray:
    """Gradient of ``sum(grad_output * y)`` with respect to the weight, ``y`` the convolution
    of ``x`` (zero ``pads``): for each tap, the pixels it read weighed by the output gradient.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    stride, dilation : (h, w)
    pads : ((top, bottom), (left, right))
    groups : int
    out : ndarray, shape (C_out, C_in // groups, kH, kW)
        Written in place and returned.

    Examples
    --------
    A 1x1 kernel on a 2x2 input with stride 2 reads one pixel, ``x[0, 0]``:

    >>> import numpy as np
    >>> x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> dw = np.empty((1, 1, 1, 1))
    >>> conv2d_weight_reference(x, np.full((1, 1, 1, 1), 5.0), (2, 2), ((0, 0), (0, 0)),
    ...                         (1, 1), 1, dw)[0, 0]
    array([[5.]])
    """
    xp = pad(x, pads, "zeros")  # (N, C_in, H + top + bottom, W + left + right)
    h_out, w_out = grad_output.shape[2:]
    c_out, c_in_per_group, k_h, k_w = out.shape
    c_out_per_group = c_out // groups
    s_h, s_w = stride
    d_h, d_w = dilation
    for o in range(c_out):
        g = o // c_out_per_group
        for c in range(c_in_per_group):
            for p in range(k_h):
                for q in range(k_w):
                    # the pixel tap (p, q) read in every output: (N, H_out, W_out)
                    rows = slice(p * d_h, p * d_h + s_h * (h_out - 1) + 1, s_h)
                    cols = slice(q * d_w, q * d_w + s_w * (w_out - 1) + 1, s_w)
                    read = xp[:, g * c_in_per_group + c, rows, cols]
                    out[o, c, p, q] = np.sum(read * grad_output[:, o])
    return out
