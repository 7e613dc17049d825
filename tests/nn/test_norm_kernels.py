"""Batch normalisation's and ReLU's Numba kernels against their NumPy specs
(:mod:`refconv.nn.ops.batch_norm`, :mod:`refconv.nn.ops.relu`).

ReLU's gradient is a select: kernel and spec agree exactly, NaN and infinite gradients
included. Batch normalisation's kernels sum in float64 where the spec sums in the input's
dtype, so the two agree to the spec's rounding:

* float64: the sums differ in order only, by a few units of float64 rounding of the terms'
  magnitudes; ``y`` and the gradients are O(1) here, hence ``atol = 1e-12``;
* float32: the spec's float32 sums are off by up to ~``log2(m) * eps32`` relative (pairwise
  summation); the kernels are checked against a float64 evaluation of the spec instead, to a
  few float32 roundings of each value (:data:`F32_ATOL`), and the spec to 100 times that.

Every kernel call runs inside :func:`refconv.kernels.workspace.guarded` (a write outside its
output or workspace fails the test).
"""

from __future__ import annotations

import numpy as np
import pytest

from refconv import nn
from refconv.kernels.workspace import guarded
from refconv.nn.ops.batch_norm import (
    CHUNK,
    batch_norm_backward,
    batch_norm_backward_reference,
    batch_norm_forward,
    batch_norm_forward_reference,
)
from refconv.nn.ops.relu import relu_backward, relu_backward_reference

F64_ATOL = 1e-12
F32_ATOL = 8 * float(np.finfo(np.float32).eps)  # values here are O(1): a few roundings each
SHAPES = [
    (4, 3, 5, 7),
    (2, 2, 3, CHUNK // 2 + 5),  # a plane of more than one chunk of partial sums
    (16, 5, 1, 1),  # 1x1 planes: the statistics run over the batch alone
    (1, 4, 3, 3),
    (64, 32, 8, 8),  # large enough to run on every thread
]


def _parameters(rng, channels, dtype, affine):
    if not affine:
        return None, None
    return (
        rng.uniform(0.5, 2.0, channels).astype(dtype),
        rng.standard_normal(channels).astype(dtype),
    )


def _guarded(call):
    with guarded() as guard:
        result = call()
        guard.check()
    return result


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_float64_matches_the_spec(shape, affine):
    rng = np.random.default_rng(0)
    x = 3.0 + 2.0 * rng.standard_normal(shape)
    weight, bias = _parameters(rng, shape[1], np.float64, affine)
    ours = _guarded(lambda: batch_norm_forward(x, weight, bias, 1e-3))
    theirs = batch_norm_forward_reference(x, weight, bias, 1e-3)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=0, atol=F64_ATOL)
    _, mean, _, inv_std = theirs
    g = rng.standard_normal(shape)
    for batch_statistics in (True, False):
        ours = _guarded(
            lambda bs=batch_statistics: batch_norm_backward(g, x, mean, inv_std, weight, bs)
        )
        theirs = batch_norm_backward_reference(g, x, mean, inv_std, weight, batch_statistics)
        for a, b in zip(ours, theirs, strict=True):
            if b is None:
                assert a is None
                continue
            assert a.dtype == b.dtype and a.shape == b.shape
            # the parameter gradients are sums of m terms of O(1): scale the tolerance by m
            scale = 1.0 if a.ndim == 4 else x.size / shape[1]
            np.testing.assert_allclose(a, b, rtol=0, atol=F64_ATOL * scale)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("offset", [0.0, 1000.0])  # far from 0: the variance cancels
def test_batch_norm_float32_is_float64_rounded(shape, offset):
    """float32 results within a few roundings of the same formulas run in float64."""
    rng = np.random.default_rng(1)
    x = (offset + rng.standard_normal(shape)).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    weight, bias = _parameters(rng, shape[1], np.float32, True)
    y, mean, var, inv_std = _guarded(lambda: batch_norm_forward(x, weight, bias, 1e-3))
    exact = batch_norm_forward_reference(x.astype(np.float64), weight, bias, 1e-3)
    spec = batch_norm_forward_reference(x, weight, bias, 1e-3)
    assert y.dtype == mean.dtype == var.dtype == inv_std.dtype == np.float32
    np.testing.assert_allclose(mean, exact[1], rtol=F32_ATOL)
    np.testing.assert_allclose(var, exact[2], rtol=F32_ATOL)
    # x - mean loses offset * eps32 of x's own rounding: the same in every evaluation
    atol = F32_ATOL * (1 + offset) * float(np.max(exact[3]))
    np.testing.assert_allclose(y, exact[0], rtol=0, atol=atol)
    np.testing.assert_allclose(spec[0], exact[0], rtol=0, atol=100 * atol)
    grad_x, grad_weight, grad_bias = _guarded(
        lambda: batch_norm_backward(g, x, mean, inv_std, weight, True)
    )
    exact = batch_norm_backward_reference(
        g.astype(np.float64), x.astype(np.float64), mean, inv_std, weight, True
    )
    np.testing.assert_allclose(grad_x, exact[0], rtol=0, atol=atol * 4)
    m = x.size // shape[1]
    np.testing.assert_allclose(grad_bias, exact[2], rtol=0, atol=F32_ATOL * m)
    np.testing.assert_allclose(grad_weight, exact[1], rtol=0, atol=F32_ATOL * m * (1 + offset))


def test_batch_norm_nan_stays_in_its_channel():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2, 4, 4))
    x[1, 0, 2, 2] = np.nan
    y, mean, _, inv_std = batch_norm_forward(x, None, None, 1e-5)
    assert np.isnan(y[:, 0]).all() and np.isfinite(y[:, 1]).all()
    assert np.isnan(mean[0]) and np.isfinite(mean[1])
    grad_x, _, _ = batch_norm_backward(np.ones_like(x), x, mean, inv_std, None, True)
    assert np.isnan(grad_x[:, 0]).all() and np.isfinite(grad_x[:, 1]).all()


def test_batch_norm_hand_worked():
    """One channel, m = 4: mean 4, variance 5 (eps 0); g = x_hat gives dL/dx = 0 (the
    gradient along x_hat itself is removed by the variance's share)."""
    x = np.array([1.0, 3.0, 5.0, 7.0]).reshape(2, 1, 1, 2)
    y, mean, _, inv_std = batch_norm_forward(x, None, None, 0.0)
    np.testing.assert_allclose(y.ravel(), np.array([-3, -1, 1, 3]) / np.sqrt(5), rtol=1e-15)
    grad_x, _, _ = batch_norm_backward(y, x, mean, inv_std, None, True)
    np.testing.assert_allclose(grad_x, 0.0, atol=1e-15)
    ones = np.ones(1)
    grad_x, grad_weight, grad_bias = batch_norm_backward(
        np.ones_like(x), x, mean, inv_std, ones, True
    )
    np.testing.assert_allclose(grad_x, 0.0, atol=1e-15)  # a constant shift changes nothing
    np.testing.assert_allclose([grad_weight[0], grad_bias[0]], [0.0, 4.0], atol=1e-15)


def test_batch_norm_layer_runs_the_kernels():
    """The layer's training step equals the kernels' (a float32 layer, float32 input)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 6, 6)).astype(np.float32)
    bn = nn.BatchNorm2d(3, eps=1e-3).train()
    bn.weight[:] = [0.5, 1.0, 2.0]
    y = bn(x)
    expected = batch_norm_forward(x, bn.weight, bn.bias, 1e-3)
    np.testing.assert_array_equal(y, expected[0])
    g = rng.standard_normal(y.shape).astype(np.float32)
    grad_x = bn.backward(g)
    _, mean, _, inv_std = expected
    np.testing.assert_array_equal(
        grad_x, batch_norm_backward(g, x, mean, inv_std, bn.weight, True)[0]
    )


RELU_VALUES = np.array([-np.inf, -2.0, -0.0, 0.0, 1e-300, 3.0, np.inf, np.nan])


@pytest.mark.parametrize("x_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("g_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4, 5), (64, 32, 16, 16), (2, 3, 1 << 14)])
def test_relu_backward_matches_the_spec_exactly(x_dtype, g_dtype, shape):
    rng = np.random.default_rng(4)
    x = rng.choice(RELU_VALUES, shape).astype(x_dtype)
    g = rng.choice(np.concatenate([RELU_VALUES, rng.standard_normal(8)]), shape).astype(g_dtype)
    ours = _guarded(lambda: relu_backward(x, g))
    theirs = relu_backward_reference(x, g)
    assert ours.dtype == theirs.dtype == g_dtype and ours.shape == shape
    np.testing.assert_array_equal(ours.view(np.uint8), theirs.view(np.uint8))  # bit for bit


def test_relu_backward_of_views():
    """Non-contiguous ``x`` and ``g`` (transposed, strided) are read as they are."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 8)).T
    g = rng.standard_normal((8, 12))[:, ::2]
    np.testing.assert_array_equal(relu_backward(x, g), relu_backward_reference(x, g))


def test_batch_norm_backward_of_an_empty_batch():
    """Inference on zero images: empty gradients, zero parameter gradients, no 0 / 0."""
    x = np.zeros((0, 3, 4, 4), np.float32)
    ones = np.ones(3, np.float32)
    grad_x, grad_weight, grad_bias = batch_norm_backward(x, x, ones, ones, ones, False)
    assert grad_x.shape == x.shape
    np.testing.assert_array_equal(grad_weight, 0.0)
    np.testing.assert_array_equal(grad_bias, 0.0)
