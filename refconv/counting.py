"""Counted by execution: instrumented loops that perform every product and sum, and tally them.

The closed forms in :mod:`refconv.cost` say how many multiplications and additions an op needs;
the functions here *do* the op, one scalar operation at a time, and count as they go. They
return the output too, so a test can check that the loop really computed the convolution
(it must equal :func:`refconv.conv2d`) and that its tally equals the closed form.

They are deliberately plain Python: use them on small inputs only (a few channels, a few
pixels), never on a real network's activations.

Every function takes an unbatched input ``x`` of shape ``(C, H, W)`` (``(F,)`` for
:func:`linear_counted`) and returns ``(output, Tally)``.

Examples
--------
>>> import numpy as np
>>> x = np.ones((3, 12, 12))
>>> y, tally = conv2d_counted(x, np.ones((4, 3, 5, 5)))
>>> y.shape, tally.multiplications, tally.additions      # 4*8*8*75 and 4*8*8*74
((4, 8, 8), 19200, 18944)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arguments
from .cost import pool2d_arguments, pool2d_output_size
from .padding import pad


@dataclass
class Tally:
    """Running totals of scalar operations."""

    multiplications: int = 0
    additions: int = 0
    comparisons: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.multiplications + other.multiplications,
                     self.additions + other.additions,
                     self.comparisons + other.comparisons)


def _padded_with_mask(x: np.ndarray, pads, padding_mode: str) -> tuple[np.ndarray, np.ndarray]:
    """The padded input ``(C, H + t + b, W + l + r)`` and a mask that is False on zero padding.

    Padding by reflect / replicate / circular copies real values, so its mask stays True.
    """
    xp = pad(x[np.newaxis], pads, padding_mode)[0]  # (C, Hp, Wp)
    real = np.ones(xp.shape[1:], dtype=bool)  # (Hp, Wp)
    if padding_mode == "zeros":
        real[:] = False
        (top, _), (left, _) = pads
        real[top:top + x.shape[1], left:left + x.shape[2]] = True
    return xp, real


def conv2d_counted(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> tuple[np.ndarray, Tally]:
    """Grouped 2-D convolution (technically, cross-correlation), counting every operation.

    Parameters
    ----------
    x : ndarray, shape (C_in, H, W)
    weight : ndarray, shape (C_out, C_in // groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, padding, dilation, groups, padding_mode
        As in :func:`refconv.conv2d`.
    effective : bool, default False
        Skip the products whose input pixel is zero padding.

    Returns
    -------
    y : ndarray, shape (C_out, H_out, W_out)
    tally : Tally
        Each product is one multiplication; adding it to the running sum (all but the
        first) is one addition; adding the bias is one more.

    Examples
    --------
    >>> import numpy as np
    >>> y, t = conv2d_counted(np.ones((1, 3, 3)), np.ones((1, 1, 3, 3)), padding=1,
    ...                       effective=True)
    >>> y[0]                                  # how many real pixels each window sees
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    >>> t.multiplications, t.additions        # 49 products, 49 - 9 sums
    (49, 40)
    """
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    c_in, height, width = x.shape
    c_out, c_group, k_h, k_w = weight.shape
    geometry = arguments.conv_geometry((1, c_in, height, width), weight.shape, stride, padding,
                                   dilation, groups, padding_mode)
    (s_h, s_w), (d_h, d_w) = geometry.stride, geometry.dilation
    h_out, w_out = geometry.out_size
    xp, real = _padded_with_mask(x, geometry.pads, padding_mode)
    skip_padding = effective and padding_mode == "zeros"
    out_per_group = c_out // geometry.groups
    y = np.zeros((c_out, h_out, w_out))
    tally = Tally()
    for o in range(c_out):
        first_channel = (o // out_per_group) * c_group
        for i in range(h_out):
            for j in range(w_out):
                total = None
                for c in range(c_group):
                    for p in range(k_h):
                        for q in range(k_w):
                            r, s = i * s_h + p * d_h, j * s_w + q * d_w
                            if skip_padding and not real[r, s]:
                                continue  # a padded zero: the product is known to be 0
                            product = xp[first_channel + c, r, s] * weight[o, c, p, q]
                            tally.multiplications += 1
                            if total is None:
                                total = product
                            else:
                                total = total + product
                                tally.additions += 1
                if total is None:  # every tap fell on padding
                    total = 0.0
                if bias is not None:
                    total = total + bias[o]
                    tally.additions += 1
                y[o, i, j] = total
    return y, tally


def batch_norm2d_counted(x: np.ndarray, scale: np.ndarray, shift: np.ndarray
                         ) -> tuple[np.ndarray, Tally]:
    """Inference BatchNorm, folded: ``y = x * scale[c] + shift[c]`` (1 mul + 1 add each).

    >>> y, t = batch_norm2d_counted(np.ones((2, 2, 2)), np.array([2.0, 3.0]), np.zeros(2))
    >>> y[:, 0, 0], t.multiplications, t.additions
    (array([2., 3.]), 8, 8)
    """
    y = np.empty(x.shape)
    tally = Tally()
    for c, i, j in np.ndindex(*x.shape):
        y[c, i, j] = x[c, i, j] * scale[c] + shift[c]
        tally.multiplications += 1
        tally.additions += 1
    return y, tally


def relu_counted(x: np.ndarray) -> tuple[np.ndarray, Tally]:
    """``max(x, 0)``: one comparison per element.

    >>> relu_counted(np.array([[[-1.0, 2.0]]]))[0]
    array([[[0., 2.]]])
    """
    y = np.empty(x.shape)
    tally = Tally()
    for index in np.ndindex(*x.shape):
        y[index] = x[index] if x[index] > 0 else 0.0
        tally.comparisons += 1
    return y, tally


def _windows(x: np.ndarray, kernel_size, stride, padding, dilation, fill: float, op: str):
    """The output shape ``(C, H_out, W_out)`` and, for every output element, its index and its
    window's values (a flat list, padding filled with ``fill``).

    The arguments are checked by the same functions as the layers' forward pass and the closed
    forms (:func:`refconv.cost.pool2d_arguments`, :func:`refconv.cost.pool2d_output_size`).
    """
    k, s, p, d = pool2d_arguments(kernel_size, stride, padding, dilation, op)
    if x.ndim != 3:
        raise ValueError(f"{op} counted: x must be unbatched (C, H, W); got shape {x.shape}")
    c_in = x.shape[0]
    h_out, w_out = pool2d_output_size(x.shape, k, s, p, d, op)
    xp = np.pad(x, ((0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=fill)
    windows = [
        ((c, i, j), [xp[c, i * s[0] + a * d[0], j * s[1] + b * d[1]]
                     for a in range(k[0]) for b in range(k[1])])
        for c in range(c_in) for i in range(h_out) for j in range(w_out)
    ]
    return (c_in, h_out, w_out), windows


def max_pool2d_counted(x: np.ndarray, kernel_size, stride=None, padding=0, dilation=1
                       ) -> tuple[np.ndarray, Tally]:
    """Max pooling (padding with ``-inf``): ``kH*kW - 1`` comparisons per output.

    >>> y, t = max_pool2d_counted(np.arange(16.0).reshape(1, 4, 4), 2)
    >>> y[0], t.comparisons
    (array([[ 5.,  7.],
           [13., 15.]]), 12)
    """
    shape, windows = _windows(x, kernel_size, stride, padding, dilation, -np.inf,
                             "MaxPool2d")
    y = np.empty(shape)
    tally = Tally()
    for index, values in windows:
        best = values[0]
        for v in values[1:]:
            tally.comparisons += 1
            if v > best:
                best = v
        y[index] = best
    return y, tally


def avg_pool2d_counted(x: np.ndarray, kernel_size, stride=None, padding=0
                       ) -> tuple[np.ndarray, Tally]:
    """Average pooling (zeros padded and counted, PyTorch's ``count_include_pad=True``):
    ``kH*kW - 1`` additions and one multiplication by ``1 / (kH*kW)`` per output.

    >>> y, t = avg_pool2d_counted(np.arange(16.0).reshape(1, 4, 4), 2)
    >>> y[0], t.additions, t.multiplications
    (array([[ 2.5,  4.5],
           [10.5, 12.5]]), 12, 4)
    """
    shape, windows = _windows(x, kernel_size, stride, padding, 1, 0.0, "AvgPool2d")
    y = np.empty(shape)
    tally = Tally()
    for index, values in windows:
        total = values[0]
        for v in values[1:]:
            total = total + v
            tally.additions += 1
        y[index] = total * (1.0 / len(values))
        tally.multiplications += 1
    return y, tally


def global_avg_pool2d_counted(x: np.ndarray) -> tuple[np.ndarray, Tally]:
    """Mean over each channel, shape ``(C, 1, 1)``: ``H*W - 1`` additions, 1 multiplication.

    >>> y, t = global_avg_pool2d_counted(np.ones((2, 3, 3)))
    >>> y.ravel(), t.additions, t.multiplications
    (array([1., 1.]), 16, 2)
    """
    return avg_pool2d_counted(x, x.shape[1:])


def linear_counted(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
                   ) -> tuple[np.ndarray, Tally]:
    """``y = weight @ x + bias`` with ``weight`` of shape ``(out, in)``, counted.

    >>> y, t = linear_counted(np.ones(3), np.ones((2, 3)), np.zeros(2))
    >>> y, t.multiplications, t.additions
    (array([3., 3.]), 6, 6)
    """
    out_features, in_features = weight.shape
    y = np.empty(out_features)
    tally = Tally()
    for o in range(out_features):
        total = x[0] * weight[o, 0]
        tally.multiplications += 1
        for i in range(1, in_features):
            total = total + x[i] * weight[o, i]
            tally.multiplications += 1
            tally.additions += 1
        if bias is not None:
            total = total + bias[o]
            tally.additions += 1
        y[o] = total
    return y, tally
