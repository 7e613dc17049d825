"""BatchNorm, ReLU, Linear and the reshapes, counted by closed form and by execution.

=================  ==========================  ==========================  ===================
op                 multiplications             additions                   comparisons
=================  ==========================  ==========================  ===================
BatchNorm2d        1 per element               1 per element               0
(inference)        ``x * scale[c]``            ``+ shift[c]``
ReLU               0                           0                           1 per element
Linear             ``in * out``                ``(in - 1) * out`` (+out)   0
Flatten, Dropout   0                           0                           0
=================  ==========================  ==========================  ===================

BatchNorm at inference is ``y = (x - mean) / sqrt(var + eps) * gamma + beta``; refconv folds it
once per channel into ``scale = gamma / sqrt(var + eps)`` and ``shift = beta - mean * scale``
(a per-channel cost that does not grow with the image and is not counted), leaving one
multiplication and one addition per element.

>>> import numpy as np
>>> linear_cost(3, 2).additions
6
>>> linear_counted(np.ones(3), np.ones((2, 3)), np.zeros(2))[1]
Tally(multiplications=6, additions=6, comparisons=0)
"""

from __future__ import annotations

import numpy as np

from .. import arguments
from .opcount import OpCount, Shape, Tally, feature_map_shape, numel


def batch_norm2d_cost(input_shape: Shape, affine: bool = True) -> OpCount:
    """Inference BatchNorm folded to ``x * scale[c] + shift[c]``: 1 mul + 1 add per element.

    Parameters: ``gamma``, ``beta`` (``2 * C`` if ``affine``); buffers: running mean and
    variance (``2 * C``). PyTorch's ``parameters()`` counts the first, Keras' ``count_params()``
    both (``4 * C``).

    Examples
    --------
    >>> c = batch_norm2d_cost((32, 16, 16))
    >>> c.multiplications, c.additions, c.params, c.buffers
    (8192, 8192, 64, 64)
    """
    c, h, w = feature_map_shape(input_shape)
    n = c * h * w
    return OpCount(
        n,
        n,
        2 * c if affine else 0,
        (c, h, w),
        buffers=2 * c,
        kind="batchnorm",
        input_numel=n,
        output_numel=n,
    )


def batch_norm2d_counted(
    x: np.ndarray, scale: np.ndarray, shift: np.ndarray
) -> tuple[np.ndarray, Tally]:
    """Inference BatchNorm of ``x`` ``(C, H, W)``, folded: ``y = x * scale[c] + shift[c]``
    (1 mul + 1 add each).

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


def relu_cost(input_shape: Shape) -> OpCount:
    """ReLU: one comparison with 0 per element, no arithmetic.

    >>> relu_cost((2, 3, 3)).comparisons
    18
    """
    n = numel(tuple(input_shape))
    return OpCount(
        0, 0, 0, tuple(input_shape), comparisons=n, kind="relu", input_numel=n, output_numel=n
    )


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


def linear_cost(in_features: int, out_features: int, bias: bool = True) -> OpCount:
    """Fully connected layer: ``in * out`` multiplications, ``(in - 1) * out`` additions
    (``+ out`` with bias), ``in * out (+ out)`` parameters.

    >>> c = linear_cost(1024, 1000)
    >>> c.multiplications, c.additions, c.params
    (1024000, 1024000, 1025000)
    """
    i = arguments.positive_int(in_features, "in_features")
    o = arguments.positive_int(out_features, "out_features")
    return OpCount(
        i * o,
        (i - 1) * o + (o if bias else 0),
        i * o + (o if bias else 0),
        (o,),
        kind="linear",
        input_numel=i,
        output_numel=o,
        bias_adds=o if bias else 0,
    )


def linear_counted(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
) -> tuple[np.ndarray, Tally]:
    """``y = weight @ x + bias`` with ``x`` of shape ``(in,)``, ``weight`` ``(out, in)``, counted.

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


def reshape_cost(input_shape: Shape, output_shape: Shape) -> OpCount:
    """Flatten, Dropout at inference, Identity: no arithmetic at all.

    >>> reshape_cost((8, 4, 4), (128,)).multiplications
    0
    """
    return OpCount(
        0,
        0,
        0,
        tuple(output_shape),
        kind="reshape",
        input_numel=numel(tuple(input_shape)),
        output_numel=numel(output_shape),
    )
