"""The convolution, counted twice: by a closed form and by a loop that does every product.

For one output pixel of a convolution (technically, cross-correlation) with
``Cg = C_in // groups`` input channels per group and a ``kH x kW`` kernel::

    multiplications = Cg * kH * kW
    additions       = Cg * kH * kW - 1        (summing the products)
                      + 1                     (adding the bias, if there is one)

so a whole convolution costs ``C_out * H_out * W_out`` times that (:func:`conv2d_cost`).
:func:`conv2d_counted` performs the same convolution one product at a time and tallies as it
goes; it returns the output too, so a test can check that the loop really computed the
convolution and that its tally equals the closed form. Depthwise (``groups = C_in``) and
pointwise (1x1) convolutions are special cases of both.

``effective=True`` skips the products whose input pixel is a zero-padding pixel (see
:mod:`refconv.counting`): the closed form counts, per output row and column, the taps that
land on a real pixel; the loop skips them as it meets them.

Examples
--------
The TDS introduction's example: 12x12x3 input, 5x5 kernels, 256 output channels, no padding.

>>> standard = conv2d_cost((3, 12, 12), 256, 5, bias=False)
>>> standard.multiplications, standard.output_shape
(1228800, (256, 8, 8))
>>> dw = depthwise_conv2d_cost((3, 12, 12), 5, bias=False)
>>> pw = pointwise_conv2d_cost(dw.output_shape, 256, bias=False)
>>> dw.multiplications, pw.multiplications, dw.multiplications + pw.multiplications
(4800, 49152, 53952)
>>> import numpy as np
>>> y, tally = conv2d_counted(np.ones((3, 12, 12)), np.ones((4, 3, 5, 5)))
>>> y.shape, tally.multiplications, tally.additions      # 4*8*8*75 and 4*8*8*74
((4, 8, 8), 19200, 18944)
"""

from __future__ import annotations

import numpy as np

from .. import arguments
from ..padding import pad
from .opcount import IntOrPair, OpCount, Shape, Tally, feature_map_shape


def _valid_taps(
    size: int, kernel: int, stride: int, dilation: int, before: int, out: int, effective: bool
) -> list[int]:
    """For each output index along one axis, how many kernel taps read a real input pixel.

    With ``effective=False`` every tap counts (padded zeros included): ``[kernel] * out``.
    """
    if not effective:
        return [kernel] * out
    taps = []
    for i in range(out):
        start = i * stride - before  # input index of tap 0
        taps.append(sum(1 for p in range(kernel) if 0 <= start + p * dilation < size))
    return taps


def conv2d_cost(
    input_shape: Shape,
    out_channels: int,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: object = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Exact cost of a (grouped) 2-D convolution, as :func:`refconv.conv2d` computes it.

    Parameters
    ----------
    input_shape : (C_in, H, W)
    out_channels : int
    kernel_size : int or (kH, kW)
    stride, padding, dilation, groups, padding_mode
        As in :func:`refconv.conv2d` (``padding`` may be ``"same"`` or ``"valid"``).
    bias : bool, default True
    effective : bool, default False
        Skip products with zero-padding pixels (see :mod:`refconv.counting`).

    Returns
    -------
    OpCount
        ``multiplications = C_out * H_out * W_out * Cg * kH * kW`` (``Cg = C_in // groups``),
        ``additions = C_out * H_out * W_out * (Cg * kH * kW - 1 + bias)``,
        ``params = C_out * Cg * kH * kW + C_out * bias``.

    Examples
    --------
    >>> c = conv2d_cost((3, 224, 224), 32, 3, stride=2, padding=1, bias=False)
    >>> c.output_shape, c.multiplications, c.params
    ((32, 112, 112), 10838016, 864)
    >>> conv2d_cost((1, 3, 3), 1, 3, padding=1, effective=True).multiplications  # 4+6+4+6+9+...
    49
    """
    c_in, h, w = feature_map_shape(input_shape)
    c_out = arguments.positive_int(out_channels, "out_channels")
    g = arguments.positive_int(groups, "groups")
    kh, kw = arguments.pair(kernel_size, "kernel_size", 1)
    mode = arguments.choice(padding_mode, "padding_mode", arguments.PADDING_MODES)
    geometry = arguments.conv_geometry(
        (1, c_in, h, w), (c_out, c_in // g, kh, kw), stride, padding, dilation, g, mode
    )
    cg = c_in // geometry.groups
    h_out, w_out = geometry.out_size
    skip = effective and mode == "zeros"
    rows = _valid_taps(
        h, kh, geometry.stride[0], geometry.dilation[0], geometry.pads[0][0], h_out, skip
    )
    cols = _valid_taps(
        w, kw, geometry.stride[1], geometry.dilation[1], geometry.pads[1][0], w_out, skip
    )
    # Products of one output channel: Cg * (sum over pixels of row taps * col taps).
    products_per_channel = cg * sum(rows) * sum(cols)
    # Pixels with at least one real product (each then needs products - 1 additions).
    busy_pixels = sum(1 for r in rows if r) * sum(1 for c in cols if c)
    pixels = h_out * w_out
    multiplications = c_out * products_per_channel
    bias_adds = c_out * pixels if bias else 0
    additions = c_out * (products_per_channel - busy_pixels) + bias_adds
    params = c_out * cg * kh * kw + (c_out if bias else 0)
    return OpCount(
        multiplications=multiplications,
        additions=additions,
        params=params,
        output_shape=(c_out, h_out, w_out),
        kind="conv",
        input_numel=c_in * h * w,
        output_numel=c_out * pixels,
        bias_adds=bias_adds,
    )


def depthwise_conv2d_cost(
    input_shape: Shape,
    kernel_size: IntOrPair,
    depth_multiplier: int = 1,
    stride: IntOrPair = 1,
    padding: object = 0,
    dilation: IntOrPair = 1,
    bias: bool = True,
    padding_mode: str = "zeros",
    effective: bool = False,
) -> OpCount:
    """Depthwise convolution: ``groups = C_in``, ``C_out = C_in * depth_multiplier``.

    Each output pixel costs ``kH * kW`` multiplications and ``kH * kW - 1`` additions (+1 bias).

    Examples
    --------
    >>> c = depthwise_conv2d_cost((3, 12, 12), 5, bias=False)   # 3 x 5x5x1 kernels, 8x8 moves
    >>> c.multiplications, c.params
    (4800, 75)
    >>> depthwise_conv2d_cost((3, 12, 12), 5, depth_multiplier=2, bias=False).output_shape
    (6, 8, 8)
    """
    c_in, _, _ = feature_map_shape(input_shape)
    m = arguments.positive_int(depth_multiplier, "depth_multiplier")
    return conv2d_cost(
        input_shape,
        c_in * m,
        kernel_size,
        stride,
        padding,
        dilation,
        c_in,
        bias,
        padding_mode,
        effective,
    )


def pointwise_conv2d_cost(
    input_shape: Shape, out_channels: int, bias: bool = True, groups: int = 1
) -> OpCount:
    """1x1 convolution: ``C_out * H * W * C_in // groups`` multiplications.

    Examples
    --------
    >>> pointwise_conv2d_cost((3, 8, 8), 256, bias=False).multiplications
    49152
    """
    return conv2d_cost(input_shape, out_channels, 1, 1, 0, 1, groups, bias)


def _padded_with_mask(
    x: np.ndarray, pads: arguments.Pads, padding_mode: str
) -> tuple[np.ndarray, np.ndarray]:
    """The padded input ``(C, H + t + b, W + l + r)`` and a mask that is False on zero padding.

    Padding by reflect / replicate / circular copies real values, so its mask stays True.
    """
    xp = pad(x[np.newaxis], pads, padding_mode)[0]  # (C, Hp, Wp)
    real = np.ones(xp.shape[1:], dtype=bool)  # (Hp, Wp)
    if padding_mode == "zeros":
        real[:] = False
        (top, _), (left, _) = pads
        real[top : top + x.shape[1], left : left + x.shape[2]] = True
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

    Plain Python loops: use it on small inputs only (a few channels, a few pixels).

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
    geometry = arguments.conv_geometry(
        (1, c_in, height, width), weight.shape, stride, padding, dilation, groups, padding_mode
    )
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
