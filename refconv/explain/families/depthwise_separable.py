"""``separable_conv2d`` (Keras ``SeparableConv2D``): depthwise, then pointwise, one bias.

A depthwise-separable convolution is two convolutions in a row: a depthwise one (each input
channel filtered on its own, ``M`` kernels per channel, ``C_in -> C_in * M`` channels) and a
pointwise 1x1 one that mixes those channels (``C_in * M -> C_out``), with one bias at the end.
Keras keeps two kernels: ``depthwise_kernel (kH, kW, C_in, M)`` and
``pointwise_kernel (1, 1, C_in * M, C_out)``; refconv takes them as
``(C_in * M, 1, kH, kW)`` and ``(C_out, C_in * M, 1, 1)``. Written out,

    ``y[o] = b[o] + sum over c, m of pw[o, c*M + m] * correlate2d(x[c], dw[c*M + m])``,

which is one ``conv2d`` with kernels ``W[o, c] = sum over m of pw[o, c*M + m] * dw[c*M + m]``.
``stride`` and ``padding`` belong to the depthwise step; the pointwise one has no window.

>>> import numpy as np
>>> from refconv import separable_conv2d
>>> x = np.ones((1, 3, 3))  # (C_in, H, W)
>>> dw = np.ones((2, 1, 2, 2))  # (C_in * M, 1, kH, kW) with M = 2: two all-ones 2x2 kernels
>>> pw = np.array([1.0, -2.0]).reshape(1, 2, 1, 1)  # (C_out, C_in * M, 1, 1)
>>> separable_conv2d(x, dw, pw)[0]  # 4 * 1 - 2 * 4 at every pixel
array([[-4., -4.],
       [-4., -4.]])

:func:`example` prints a random case in the Keras layout (section 4 of docs/families.md).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from ...functional import conv2d, depthwise_conv2d, pointwise_conv2d, separable_conv2d
from ..correlation import scipy_correlate_valid as corr
from ..keras_layout import keras_conv_to_refconv, keras_depthwise_to_refconv
from ..page import Array, Check, Item, Text, header
from ..peers import tensor

__all__ = ["example"]


def example(torch: ModuleType | None = None) -> list[Item]:
    """Section 4: the two Keras kernels, the formula, two identities, stride and padding.

    Parameters
    ----------
    torch : module or None
        PyTorch, to check two chained ``F.conv2d`` too; ``None`` leaves that line out.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        In print order: the kernel shapes, ``y``, the formula and two identities, stride and
        padding, then the ``[torch]`` check.

    Examples
    --------
    >>> from refconv.explain.page import array, failed
    >>> items = example()
    >>> array(items, "y[0]").tolist(), failed(items)
    ([[9.0, 5.0], [17.0, -17.0]], [])
    """
    items = header("4. separable_conv2d = Keras SeparableConv2D")
    rng = np.random.default_rng(4)
    x = rng.integers(-3, 4, size=(2, 4, 4))  # (C_in, H, W) = (2, 4, 4)
    dk = rng.integers(-2, 3, size=(3, 3, 2, 2))  # depthwise_kernel (kH, kW, C_in, M = 2)
    pk = rng.integers(-2, 3, size=(1, 1, 4, 3))  # pointwise_kernel (1, 1, C_in * M, C_out)
    b = np.array([1, 2, 3])  # one bias, (C_out,)
    dw = keras_depthwise_to_refconv(dk)  # (4, 1, 3, 3)
    pw = keras_conv_to_refconv(pk)  # (3, 4, 1, 1)
    y = separable_conv2d(x, dw, pw, b)  # (3, 2, 2)
    items += [
        Text(f"depthwise_kernel {dk.shape} -> depthwise_weight {dw.shape}"),
        Text(f"pointwise_kernel {pk.shape} -> pointwise_kernel.transpose(3, 2, 0, 1) {pw.shape}"),
        Text(f"x {x.shape} -> y {y.shape}"),
    ]
    by_hand = np.stack(
        [
            b[o]
            + sum(
                pk[0, 0, c * 2 + m, o] * corr(x[c], dk[:, :, c, m])
                for c in range(2)
                for m in range(2)
            )
            for o in range(3)
        ]
    )  # (C_out, 2, 2)
    items += [Array(f"y[{o}]", y[o]) for o in range(3)]
    two_steps = pointwise_conv2d(depthwise_conv2d(x, dw), pw, b)
    full = np.einsum(
        "ocm,cmpq->ocpq", pw[:, :, 0, 0].reshape(3, 2, 2), dw[:, 0].reshape(2, 2, 3, 3)
    )  # (C_out, C_in, kH, kW)
    items += [
        Check(
            "y[o] == b[o] + sum_{c,m} pointwise_kernel[0, 0, c*M+m, o] * "
            "correlate2d(x[c], depthwise_kernel[:, :, c, m])",
            np.array_equal(y, by_hand),
        ),
        Check(
            "separable_conv2d == pointwise_conv2d(depthwise_conv2d(x)) + b",
            np.array_equal(y, two_steps),
        ),
        Check(
            "separable_conv2d == conv2d with W[o, c] = sum_m pw[o, c*M+m] * dw[c*M+m]",
            np.array_equal(y, conv2d(x, full, b)),
        ),
    ]

    ys = separable_conv2d(x, dw, pw, b, stride=2, padding=1)
    mid = depthwise_conv2d(x, dw, stride=2, padding=1)
    items += [
        Text(f"stride=2, padding=1: depthwise {x.shape} -> {mid.shape}, pointwise -> {ys.shape}"),
        Check(
            "stride/padding belong to the depthwise step",
            np.array_equal(ys, pointwise_conv2d(mid, pw, b)),
        ),
    ]
    if torch is not None:
        F = torch.nn.functional
        depthwise = F.conv2d(
            tensor(torch, x[None]), tensor(torch, dw), stride=2, padding=1, groups=2
        )
        t = F.conv2d(depthwise, tensor(torch, pw), tensor(torch, b))[0].numpy()
        items.append(
            Check(
                "F.conv2d(F.conv2d(x, dw, groups=C_in), pw, b) == refconv",
                np.array_equal(t, ys),
                torch=True,
            )
        )
    return items
