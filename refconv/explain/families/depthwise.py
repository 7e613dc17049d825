"""``depthwise_conv2d`` with a depth multiplier ``M``, and the channel order ``c * M + m``.

A depthwise convolution filters each input channel on its own, with ``M`` kernels per channel
(Keras' ``depth_multiplier``), and never adds channels together: ``C_in`` channels in,
``C_in * M`` out. Output channel ``c * M + m`` is input channel ``c`` filtered by its ``m``-th
kernel; the weight is ``(C_in * M, 1, kH, kW)``, row ``c * M + m``. It is ``conv2d`` with
``groups=C_in``.

A worked example: channel 0 is all 1s, channel 1 all 100s, and kernel ``(c, m)`` is a 2x2
kernel of ``10 * c + m + 1``. Each output pixel sums four equal products, so output channel
``c * M + m`` is ``4 * value * (10 * c + m + 1)``:

>>> import numpy as np
>>> from refconv import depthwise_conv2d
>>> x = np.stack([np.ones((3, 3)), np.full((3, 3), 100.0)])  # (C_in, H, W) = (2, 3, 3)
>>> w = np.array([1, 2, 11, 12]).reshape(4, 1, 1, 1) * np.ones((4, 1, 2, 2))  # (C_in * M, 1, 2, 2)
>>> depthwise_conv2d(x, w)[:, 0, 0].tolist()  # (C_in * M,) with M = 2
[4.0, 8.0, 4400.0, 4800.0]

:func:`example` prints this, the same numbers from a Keras ``depthwise_kernel`` reshaped the
wrong way, and a random case checked against scipy and TensorFlow's formula (section 2 of
docs/families.md).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from ...functional import depthwise_conv2d
from ..correlation import scipy_correlate_valid as corr
from ..keras_layout import keras_depthwise_conv2d, keras_depthwise_to_refconv
from ..page import Check, Item, Text, header
from ..peers import tensor

__all__ = ["example"]


def example(torch: ModuleType | None = None) -> list[Item]:
    """Section 2: the channel order of a depth multiplier, right and wrong, then a random case.

    Parameters
    ----------
    torch : module or None
        PyTorch, to check ``F.conv2d(x, weight, groups=C_in)`` too; ``None`` leaves that out.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        In print order: the channel table, the right and the wrong reshape, the random case
        checked against scipy and TensorFlow's formula, then the ``[torch]`` check.

    Examples
    --------
    >>> from refconv.explain.page import failed, text
    >>> items = example()
    >>> text(items, "right reshape")
    'right reshape, y[:, 0, 0] = [4, 8, 4400, 4800]'
    >>> failed(items)
    []
    """
    items = header("2. depthwise_conv2d with depth multiplier M")
    x = np.stack([np.ones((3, 3)), np.full((3, 3), 100.0)])  # (C_in, H, W) = (2, 3, 3)
    kernel = np.zeros((2, 2, 2, 2))  # Keras depthwise_kernel (kH, kW, C_in, M)
    for c in range(2):
        for m in range(2):
            kernel[:, :, c, m] = 10 * c + m + 1  # a 2x2 kernel of 1s, 2s, 11s or 12s
    w = keras_depthwise_to_refconv(kernel)  # (C_in * M, 1, kH, kW) = (4, 1, 2, 2)
    y = depthwise_conv2d(x, w)  # (4, 2, 2)
    items += [
        Text("x[0] = all 1, x[1] = all 100; kernel[:, :, c, m] = a 2x2 kernel of (10*c + m + 1)s"),
        Text(
            f"Keras depthwise_kernel {kernel.shape} -> "
            f"kernel.transpose(2, 3, 0, 1).reshape(4, 1, 2, 2) {w.shape}"
        ),
        Text("output channel  c  m  kernel value  y[channel, 0, 0]"),
    ]
    for ch in range(4):
        items.append(
            Text(f"{ch:>14}  {ch // 2}  {ch % 2}  {int(w[ch, 0, 0, 0]):>12}  {int(y[ch, 0, 0])}")
        )
    wrong = kernel.transpose(3, 2, 0, 1).reshape(4, 1, 2, 2)  # M-major: row m*C_in + c
    y_wrong = depthwise_conv2d(x, wrong)
    items += [
        Text(f"right reshape, y[:, 0, 0] = {y[:, 0, 0].astype(int).tolist()}"),
        Text(
            f"wrong reshape kernel.transpose(3, 2, 0, 1).reshape(4, 1, 2, 2), kernel values "
            f"{wrong[:, 0, 0, 0].astype(int).tolist()}, y[:, 0, 0] = "
            f"{y_wrong[:, 0, 0].astype(int).tolist()}"
        ),
    ]

    rng = np.random.default_rng(2)
    xr = rng.integers(-3, 4, size=(3, 5, 5))  # C_in = 3
    kr = rng.integers(-2, 3, size=(3, 3, 3, 2))  # (kH, kW, C_in, M = 2)
    wr = keras_depthwise_to_refconv(kr)  # (6, 1, 3, 3)
    yr = depthwise_conv2d(xr, wr)  # (6, 3, 3)
    keras = keras_depthwise_conv2d(xr.transpose(1, 2, 0), kr).transpose(2, 0, 1)  # HWC -> CHW
    items += [
        Text(""),
        Text(
            f"random: x {xr.shape}, depthwise_kernel {kr.shape} -> weight {wr.shape} -> "
            f"y {yr.shape}"
        ),
        Check(
            "y[c*M + m] == correlate2d(x[c], kernel[:, :, c, m]) for every c, m",
            all(
                np.array_equal(yr[c * 2 + m], corr(xr[c], kr[:, :, c, m]))
                for c in range(3)
                for m in range(2)
            ),
        ),
        Check(
            "refconv.depthwise_conv2d == tf.nn.depthwise_conv2d formula", np.array_equal(yr, keras)
        ),
    ]
    if torch is not None:
        t = torch.nn.functional.conv2d(tensor(torch, xr[None]), tensor(torch, wr), groups=3)
        items.append(
            Check(
                "F.conv2d(x, weight, groups=C_in) == refconv.depthwise_conv2d",
                np.array_equal(t[0].numpy(), yr),
                torch=True,
            )
        )
    return items
