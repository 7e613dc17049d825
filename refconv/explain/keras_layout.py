"""Keras kernels and refconv weights: the same numbers in another order.

Keras and TensorFlow store images channels last (NHWC) and kernels as
``(kH, kW, C_in, C_out)``; refconv, like PyTorch, uses NCHW images and OIHW weights
``(C_out, C_in, kH, kW)``. Moving a kernel from one to the other is a transpose, and for a
depthwise kernel with depth multiplier ``M`` a transpose then a reshape whose order matters:
output channel ``c * M + m`` is input channel ``c`` filtered by its ``m``-th kernel.

A small example: a Keras ``Conv2D`` kernel with ``kH = kW = 1``, 2 input channels and 3
output channels is a ``(1, 1, 2, 3)`` array; in refconv it is ``(3, 2, 1, 1)``:

>>> import numpy as np
>>> kernel = np.arange(6).reshape(1, 1, 2, 3)  # (kH, kW, C_in, C_out)
>>> keras_conv_to_refconv(kernel)[:, :, 0, 0]  # (C_out, C_in): row o reads kernel[0, 0, :, o]
array([[0, 3],
       [1, 4],
       [2, 5]])

The two ``keras_*`` formulas below compute what Keras computes, written out in NumPy on a
channels-last image, so that the worked examples can check refconv against Keras without
TensorFlow installed.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "keras_conv2d",
    "keras_conv_to_refconv",
    "keras_depthwise_conv2d",
    "keras_depthwise_to_refconv",
]


def keras_conv_to_refconv(kernel: np.ndarray) -> np.ndarray:
    """A Keras ``Conv2D`` kernel as a refconv weight: ``kernel.transpose(3, 2, 0, 1)``.

    Parameters
    ----------
    kernel : ndarray, shape (kH, kW, C_in, C_out)

    Returns
    -------
    ndarray, shape (C_out, C_in, kH, kW)
        A view of ``kernel``.

    Examples
    --------
    >>> keras_conv_to_refconv(np.zeros((3, 3, 4, 5))).shape
    (5, 4, 3, 3)
    """
    return kernel.transpose(3, 2, 0, 1)


def keras_depthwise_to_refconv(kernel: np.ndarray) -> np.ndarray:
    """A Keras ``depthwise_kernel`` as a refconv depthwise weight, row ``c * M + m``.

    Parameters
    ----------
    kernel : ndarray, shape (kH, kW, C_in, M)

    Returns
    -------
    ndarray, shape (C_in * M, 1, kH, kW)
        Row ``c * M + m`` is ``kernel[:, :, c, m]``:
        ``kernel.transpose(2, 3, 0, 1).reshape(C_in * M, 1, kH, kW)``. (Transposing to
        ``(M, C_in, ...)`` first, ``transpose(3, 2, 0, 1)``, gives the order ``m * C_in + c``:
        the same numbers on the wrong output channels.)

    Examples
    --------
    >>> kernel = np.zeros((1, 1, 2, 2))  # (kH, kW, C_in = 2, M = 2)
    >>> kernel[0, 0] = [[1, 2], [11, 12]]  # kernel[0, 0, c, m] = 10 * c + m + 1
    >>> keras_depthwise_to_refconv(kernel)[:, 0, 0, 0]  # rows c * M + m
    array([ 1.,  2., 11., 12.])
    """
    k_h, k_w, c_in, mult = kernel.shape
    return kernel.transpose(2, 3, 0, 1).reshape(c_in * mult, 1, k_h, k_w)  # row c*M + m


def keras_conv2d(x_hwc: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Keras ``Conv2D`` with ``padding='valid'``, stride 1, no bias, in NumPy.

    ``out[i, j, o] = sum_{p, q, c} x[i + p, j + q, c] * kernel[p, q, c, o]``.

    Parameters
    ----------
    x_hwc : ndarray, shape (H, W, C_in)
        One image, channels last.
    kernel : ndarray, shape (kH, kW, C_in, C_out)

    Returns
    -------
    ndarray, shape (H - kH + 1, W - kW + 1, C_out)

    Examples
    --------
    >>> x = np.arange(8.0).reshape(2, 2, 2)  # (H, W, C_in)
    >>> keras_conv2d(x, np.ones((2, 2, 2, 1)))  # every value summed once
    array([[[28.]]])
    """
    k_h, k_w = kernel.shape[:2]
    windows = sliding_window_view(x_hwc, (k_h, k_w), axis=(0, 1))  # (H_out, W_out, C, kH, kW)
    return np.einsum("ijcpq,pqco->ijo", windows, kernel)


def keras_depthwise_conv2d(x_hwc: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``tf.nn.depthwise_conv2d`` with ``padding='VALID'``, stride 1, in NumPy, literally.

    TensorFlow's documentation defines it as ``output[i, j, k * channel_multiplier + q] =
    sum_{di, dj} filter[di, dj, k, q] * input[i + di, j + dj, k]``; the loops below say the
    same.

    Parameters
    ----------
    x_hwc : ndarray, shape (H, W, C_in)
        One image, channels last.
    kernel : ndarray, shape (kH, kW, C_in, M)

    Returns
    -------
    ndarray of float64, shape (H - kH + 1, W - kW + 1, C_in * M)

    Examples
    --------
    >>> x = np.stack([np.ones((2, 2)), np.full((2, 2), 100.0)], axis=-1)  # (2, 2, C_in = 2)
    >>> kernel = np.ones((2, 2, 2, 2))  # (kH, kW, C_in, M = 2)
    >>> kernel[..., 1] = 2.0  # the second kernel of each channel is all 2s
    >>> keras_depthwise_conv2d(x, kernel)[0, 0]  # channels c * M + m
    array([  4.,   8., 400., 800.])
    """
    k_h, k_w, c_in, mult = kernel.shape
    h_out, w_out = x_hwc.shape[0] - k_h + 1, x_hwc.shape[1] - k_w + 1
    out = np.zeros((h_out, w_out, c_in * mult))
    for k in range(c_in):
        for q in range(mult):
            for di in range(k_h):
                for dj in range(k_w):
                    out[:, :, k * mult + q] += (
                        kernel[di, dj, k, q] * x_hwc[di : di + h_out, dj : dj + w_out, k]
                    )
    return out
