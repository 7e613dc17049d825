"""Standard and grouped ``conv2d``, and how a Keras ``Conv2D`` kernel becomes a refconv weight.

A standard convolution filters every input channel with its own 2-D kernel and adds the
results: with ``x`` of shape ``(C_in, H, W)`` and ``w`` of shape ``(C_out, C_in, kH, kW)``,

    ``y[o] = sum over c of correlate2d(x[c], w[o, c])``   (cross-correlation, 'valid').

With ``groups=g`` the channels split into ``g`` blocks: output channel ``o`` belongs to group
``o // (C_out // g)`` and reads only that group's ``C_in // g`` input channels, so ``w`` is
``(C_out, C_in // g, kH, kW)``.

A worked example with two input channels and one output channel:

>>> import numpy as np
>>> from refconv import conv2d
>>> x = np.array([[[1, 2, 3], [4, 5, 6], [7, 8, 9]],
...               [[1, 0, 2], [0, 1, 0], [2, 0, 1]]])  # (C_in, H, W) = (2, 3, 3)
>>> w = np.array([[[[1, 0], [0, -1]], [[1, 1], [1, 1]]]])  # (C_out, C_in, kH, kW) = (1, 2, 2, 2)
>>> conv2d(x, w)[0]  # (-4 + 2, -4 + 3; -4 + 3, -4 + 2)
array([[-2., -1.],
       [-1., -2.]])

:func:`example` prints this and the grouped and Keras cases (section 1 of docs/families.md).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from ...functional import conv2d
from ..correlation import scipy_correlate_valid as corr
from ..keras_layout import keras_conv2d, keras_conv_to_refconv
from ..page import Array, Check, Item, Text, header
from ..peers import tensor

__all__ = ["example"]


def example(torch: ModuleType | None = None) -> list[Item]:
    """Section 1: ``conv2d`` by hand, grouped, and from a Keras kernel.

    Parameters
    ----------
    torch : module or None
        PyTorch, to check ``F.conv2d(..., groups=2)`` against refconv too; ``None`` leaves that
        line out.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        In print order: the 2-channel example, the grouped case, the Keras kernel, and the
        ``[torch]`` check when ``torch`` is given.

    Examples
    --------
    >>> from refconv.explain.page import array, failed
    >>> items = example()
    >>> array(items, "refconv.conv2d(x, w)[0]").tolist()
    [[-2.0, -1.0], [-1.0, -2.0]]
    >>> failed(items)
    []
    """
    items = header("1. conv2d: standard and grouped")
    x = np.array(
        [[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0, 2], [0, 1, 0], [2, 0, 1]]]
    )  # (C_in, H, W) = (2, 3, 3)
    w = np.array([[[[1, 0], [0, -1]], [[1, 1], [1, 1]]]])  # (C_out, C_in, kH, kW) = (1, 2, 2, 2)
    y = conv2d(x, w)  # (1, 2, 2)
    items += [
        Array("x[0]", x[0]),
        Array("x[1]", x[1]),
        Array("w[0, 0]", w[0, 0]),
        Array("w[0, 1]", w[0, 1]),
        Array("correlate2d(x[0], w[0, 0])", corr(x[0], w[0, 0])),
        Array("correlate2d(x[1], w[0, 1])", corr(x[1], w[0, 1])),
        Array("refconv.conv2d(x, w)[0]", y[0]),
        Text(f"shapes: x {x.shape}, w {w.shape} -> y {y.shape}"),
        Check(
            "conv2d == sum over c of correlate2d(x[c], w[0, c])",
            np.array_equal(y[0], corr(x[0], w[0, 0]) + corr(x[1], w[0, 1])),
        ),
    ]

    # grouped: 4 input channels in 2 groups of 2, 6 output channels in 2 groups of 3
    rng = np.random.default_rng(1)
    xg = rng.integers(-3, 4, size=(4, 4, 4))  # (C_in, H, W) = (4, 4, 4)
    wg = rng.integers(-2, 3, size=(6, 2, 3, 3))  # (C_out, C_in // groups, kH, kW), groups = 2
    yg = conv2d(xg, wg, groups=2)  # (6, 2, 2)
    items += [Text(""), Text(f"grouped: x {xg.shape}, w {wg.shape}, groups=2 -> y {yg.shape}")]
    for o in range(6):
        g = o // 3  # C_out // groups = 3 output channels per group
        items.append(
            Text(f"  output channel {o}: group {g}, reads input channels {2 * g} and {2 * g + 1}")
        )
    by_hand = np.stack(
        [corr(xg[2 * (o // 3)], wg[o, 0]) + corr(xg[2 * (o // 3) + 1], wg[o, 1]) for o in range(6)]
    )  # (6, 2, 2)
    items.append(Check("grouped conv2d == correlate2d per group", np.array_equal(yg, by_hand)))

    # a Keras Conv2D kernel (kH, kW, C_in, C_out), checked against Keras' formula on NHWC
    kernel = rng.integers(-2, 3, size=(3, 3, 4, 5))
    ours = conv2d(xg, keras_conv_to_refconv(kernel))  # (5, 2, 2)
    theirs = keras_conv2d(xg.transpose(1, 2, 0), kernel).transpose(2, 0, 1)  # HWC -> CHW
    items += [
        Text(""),
        Text(
            f"Keras Conv2D kernel {kernel.shape} -> kernel.transpose(3, 2, 0, 1) "
            f"{keras_conv_to_refconv(kernel).shape}"
        ),
        Check(
            "refconv.conv2d(x, kernel.transpose(3, 2, 0, 1)) == Keras Conv2D formula",
            np.array_equal(ours, theirs),
        ),
    ]
    if torch is not None:
        F = torch.nn.functional
        tg = F.conv2d(tensor(torch, xg[None]), tensor(torch, wg), groups=2)[0].numpy()
        items.append(
            Check("F.conv2d(x, w, groups=2) == refconv.conv2d", np.array_equal(tg, yg), torch=True)
        )
    return items
