"""refconv.explain.keras_layout: Keras kernels as refconv weights, and Keras' formulas.

The formulas are checked on their own (against scipy and hand-worked numbers), so that the
families' checks "refconv == Keras formula" compare refconv with something independent.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from refconv.explain.keras_layout import (
    keras_conv2d,
    keras_conv_to_refconv,
    keras_depthwise_conv2d,
    keras_depthwise_to_refconv,
)


def test_keras_conv2d_is_a_sum_of_correlations() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=(5, 6, 3))  # (H, W, C_in)
    kernel = rng.integers(-2, 3, size=(3, 2, 3, 4))  # (kH, kW, C_in, C_out)
    y = keras_conv2d(x, kernel)
    assert y.shape == (3, 5, 4)
    for o in range(4):
        expected = sum(
            signal.correlate2d(x[:, :, c], kernel[:, :, c, o], mode="valid") for c in range(3)
        )
        assert np.array_equal(y[:, :, o], expected)


def test_keras_depthwise_channel_order() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, size=(4, 4, 2))  # (H, W, C_in)
    kernel = rng.integers(-2, 3, size=(2, 3, 2, 3))  # (kH, kW, C_in, M)
    y = keras_depthwise_conv2d(x, kernel)  # (3, 2, 6)
    weight = keras_depthwise_to_refconv(kernel)  # (6, 1, 2, 3)
    assert y.shape == (3, 2, 6) and weight.shape == (6, 1, 2, 3)
    for c in range(2):
        for m in range(3):
            expected = signal.correlate2d(x[:, :, c], kernel[:, :, c, m], mode="valid")
            assert np.array_equal(y[:, :, c * 3 + m], expected)
            assert np.array_equal(weight[c * 3 + m, 0], kernel[:, :, c, m])


def test_keras_conv_to_refconv_is_oihw() -> None:
    kernel = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)  # (kH, kW, C_in, C_out)
    weight = keras_conv_to_refconv(kernel)
    assert weight.shape == (5, 4, 2, 3)
    assert weight[4, 1, 0, 2] == kernel[0, 2, 1, 4]
