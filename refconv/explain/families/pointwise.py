"""``pointwise_conv2d``: a 1x1 convolution is a matrix product over channels at every pixel.

With a ``(C_out, C_in, 1, 1)`` weight there is no spatial window: output pixel ``(i, j)`` is
``W @ x[:, i, j]`` with the ``(C_out, C_in)`` matrix ``W = weight[:, :, 0, 0]``, the same
matrix at every pixel. So ``pointwise_conv2d(x, W) == einsum('oc,chw->ohw', W, x)``, and on a
``(C_in, 1, 1)`` "image" it is a ``Linear`` layer, ``W @ v + b``:

>>> import numpy as np
>>> from refconv import pointwise_conv2d
>>> W, v, b = np.array([[1, 0, -1], [1, 1, 1]]), np.array([1, 2, 3]), np.array([10, 20])
>>> pointwise_conv2d(v[:, None, None], W[:, :, None, None], b)[:, 0, 0], W @ v + b
(array([ 8., 26.]), array([ 8, 26]))

:func:`example` prints this (section 3 of docs/families.md).
"""

from __future__ import annotations

import numpy as np

from ...functional import pointwise_conv2d
from ..page import Array, Check, Item, Text, header

__all__ = ["example"]


def example() -> list[Item]:
    """Section 3: one pixel by hand, the einsum identity, and the ``Linear`` layer.

    Returns
    -------
    list of :class:`~refconv.explain.page.Item`
        In print order: ``x``, ``W`` and ``y`` at pixel ``(0, 0)``, ``y``, the einsum check
        and the ``Linear`` line.

    Examples
    --------
    >>> from refconv.explain.page import array, failed
    >>> items = example()
    >>> array(items, "y[:, 0, 0]").tolist(), failed(items)
    ([-8.0, 12.0], [])
    """
    items = header("3. pointwise_conv2d: a matrix product over channels at every pixel")
    x = np.arange(12).reshape(3, 2, 2)  # (C_in, H, W) = (3, 2, 2)
    m = np.array([[1, 0, -1], [1, 1, 1]])  # (C_out, C_in) = (2, 3)
    y = pointwise_conv2d(x, m[:, :, None, None])  # weight (2, 3, 1, 1) -> y (2, 2, 2)
    items += [
        Array("x[:, 0, 0]", x[:, 0, 0]),
        Array("W", m),
        Array("W @ x[:, 0, 0]", m @ x[:, 0, 0]),
        Array("y[:, 0, 0]", y[:, 0, 0]),
        Array("y[0]", y[0]),
        Array("y[1]", y[1]),
        Check(
            "pointwise_conv2d == einsum('oc,chw->ohw', W, x)",
            np.array_equal(y, np.einsum("oc,chw->ohw", m, x)),
        ),
    ]
    v = np.array([1, 2, 3])  # (C_in,)
    b = np.array([10, 20])  # (C_out,)
    lin = pointwise_conv2d(v[:, None, None], m[:, :, None, None], b)  # (2, 1, 1)
    items.append(
        Text(
            f"Linear: W @ v + b = {(m @ v + b).tolist()}, "
            f"pointwise_conv2d(v as a (3, 1, 1) image) = "
            f"{lin[:, 0, 0].astype(int).tolist()}"
        )
    )
    return items
