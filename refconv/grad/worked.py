"""The gradient identities as runnable functions, and the worked example the docs print.

``python -m refconv.grad.worked`` prints every number of ``docs/gradients-notes.md``'s worked
example. The identity functions compute each gradient a second way, from the forward pass
alone (:func:`refconv.conv2d`); ``tests/grad/test_identities.py`` holds them equal to
:mod:`refconv.grad`:

* :func:`input_gradient_by_flipped_kernel` -- the input gradient as a *full* convolution of
  the output gradient, spread ``stride`` apart (:func:`spread`), with the kernel flipped in
  both directions and its channel axes swapped;
* :func:`weight_gradient_by_correlation` -- the weight gradient as a correlation of the
  padded input with the output gradient, whose taps lie ``stride`` apart: the forward pass
  with the roles of stride and dilation swapped.
"""

from __future__ import annotations

import numpy as np

from ..arguments import Pads, Pair
from ..functional import conv2d
from ..padding import pad
from .conv import conv2d_bias, conv2d_input, conv2d_weight


def spread(g: np.ndarray, stride: Pair) -> np.ndarray:
    """``g`` (N, C, H, W) with ``stride - 1`` zeros between rows and between columns:
    (N, C, (H-1)*sh + 1, (W-1)*sw + 1). Output ``i`` read its window at row ``i*sh``; here
    its gradient sits at that row.

    >>> spread(np.array([[[[1.0, 2.0]]]]), (1, 3))[0, 0]
    array([[1., 0., 0., 2.]])
    """
    n, c, h, w = g.shape
    out = np.zeros((n, c, (h - 1) * stride[0] + 1, (w - 1) * stride[1] + 1), g.dtype)
    out[:, :, :: stride[0], :: stride[1]] = g
    return out


def input_gradient_by_flipped_kernel(
    x_shape: tuple[int, int, int, int],
    weight: np.ndarray,
    g: np.ndarray,
    stride: Pair,
    pads: Pads,
    dilation: Pair,
) -> np.ndarray:
    """``dL/dx`` (zero padding, groups=1) as a full convolution with the flipped kernel.

    The spread gradient (:func:`spread`) is padded by the dilated kernel's span less one on
    every side and correlated with ``weight[:, :, ::-1, ::-1]``, in and out channels swapped
    (``(C_in, C_out, kH, kW)``), same dilation: that gives the gradient of every padded row
    and column a window covered. Rows past the last window (the remainder of the stride)
    get zeros, and the padding is cut off.
    """
    n, c_in, height, width = x_shape
    k_h, k_w = weight.shape[2:]
    reach = (dilation[0] * (k_h - 1), dilation[1] * (k_w - 1))  # span of the kernel, less 1
    flipped = np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    covered = conv2d(spread(g, stride), flipped, padding=reach, dilation=dilation)
    (top, bottom), (left, right) = pads
    grad_padded = np.zeros((n, c_in, height + top + bottom, width + left + right), g.dtype)
    grad_padded[:, :, : covered.shape[2], : covered.shape[3]] = covered  # (N, C_in, ...)
    return grad_padded[:, :, top : top + height, left : left + width]


def weight_gradient_by_correlation(
    x: np.ndarray, g: np.ndarray, kernel_size: Pair, stride: Pair, pads: Pads, dilation: Pair
) -> np.ndarray:
    """``dL/dw`` (groups=1) as a correlation of the padded input with the output gradient.

    For each input channel ``c`` and output channel ``o``, ``dw[o, c]`` is the padded
    ``x[:, c]`` correlated with ``g[:, o]`` as a kernel, summed over the images: a forward
    convolution whose *dilation* is the forward stride (the gradient's taps lie ``stride``
    apart) and whose *stride* is the forward dilation, on the padded rows and columns the
    taps read (not the remainder past the last window). Images play the part of channels.
    """
    xp = pad(x, pads, "zeros").transpose(1, 0, 2, 3)  # (C_in, N, H', W'): images as channels
    gk = g.transpose(1, 0, 2, 3)  # (C_out, N, H_out, W_out): the gradient as a kernel
    k_h, k_w = kernel_size
    rows = (k_h - 1) * dilation[0] + (gk.shape[2] - 1) * stride[0] + 1  # what the taps read
    cols = (k_w - 1) * dilation[1] + (gk.shape[3] - 1) * stride[1] + 1
    corr = conv2d(xp[:, :, :rows, :cols], gk, stride=dilation, dilation=stride)
    return np.ascontiguousarray(corr.transpose(1, 0, 2, 3))  # (C_out, C_in, kH, kW)


def _grid(a: np.ndarray) -> str:
    """A 2-D integer array as rows of right-aligned numbers."""
    cells = [[f"{v:g}" for v in row] for row in a]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("    " + " ".join(c.rjust(width) for c in row) for row in cells)


def worked_example() -> str:
    """The numbers of ``docs/gradients-notes.md``'s worked example, as text."""
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # (N, C_in, H, W) = (1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])  # (C_out, C_in, kH, kW) = (1, 1, 2, 2)
    g = np.array([[[[1.0, -1.0], [2.0, 0.0]]]])  # dL/dy, the shape of y: (1, 1, 2, 2)
    y = conv2d(x, w)
    dx = conv2d_input(x.shape, w, g)
    dw = conv2d_weight(x, w.shape, g)
    flipped = w[0, 0, ::-1, ::-1]
    g_full = np.pad(g[0, 0], 1)
    x4 = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    g2 = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    spread_g = spread(g2, (2, 2))[0, 0]
    dx2 = conv2d_input(x4.shape, w, g2, stride=2)
    row = np.arange(1.0, 5.0).reshape(1, 1, 1, 4)
    ones = np.ones((1, 1, 1, 3))  # a 1x3 kernel; with reflect padding 2 the row has 6 outputs
    pads = ((0, 0), (2, 2))
    dx_reflect = conv2d_input(
        row.shape, ones, np.ones((1, 1, 1, 6)), padding=pads, padding_mode="reflect"
    )
    parts = [
        "x (1, 1, 3, 3):",
        _grid(x[0, 0]),
        "w (1, 1, 2, 2):",
        _grid(w[0, 0]),
        "y = conv2d(x, w), (1, 1, 2, 2):",
        _grid(y[0, 0]),
        "G = dL/dy, (1, 1, 2, 2):",
        _grid(g[0, 0]),
        "dL/dx = grad.conv2d_input(x.shape, w, G), (1, 1, 3, 3):",
        _grid(dx[0, 0]),
        "the same as a full convolution: G padded by kH - 1 = 1 on every side (4x4)",
        _grid(g_full),
        "correlated with w flipped in both directions:",
        _grid(flipped),
        "gives:",
        _grid(conv2d(g_full[None, None], flipped[None, None].copy())[0, 0]),
        "dL/dw = grad.conv2d_weight(x, w.shape, G), (1, 1, 2, 2):",
        _grid(dw[0, 0]),
        "the same as x correlated with G as a 2x2 kernel:",
        _grid(conv2d(x, g)[0, 0]),
        f"dL/db = grad.conv2d_bias(G) = {conv2d_bias(g)}",
        "stride 2: x (1, 1, 4, 4), the same w, G (1, 1, 2, 2):",
        _grid(g2[0, 0]),
        "G spread 2 apart (3x3), then the full convolution as above:",
        _grid(spread_g),
        "dL/dx, (1, 1, 4, 4):",
        _grid(dx2[0, 0]),
        "reflect padding 2 of the row [1 2 3 4] reads 3 2 | 1 2 3 4 | 3 2; a 1x3 kernel of",
        "ones and G = ones (6 outputs): each padded pixel is read by up to 3 windows, and",
        "the copies' gradients go back to the pixels they copied:",
        _grid(dx_reflect[0, 0]),
    ]
    return "\n".join(parts)


def main() -> None:
    print(worked_example())


if __name__ == "__main__":
    main()
