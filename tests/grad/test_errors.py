"""Argument checks: the gradient functions refuse what the forward pass refuses, in its words.

Each bad call is made twice, to the forward function and to each gradient function of its
family, and the two errors must have the same type and the same message: the checks are the
forward pass's own (:mod:`refconv.grad.checks`), so they cannot drift apart unnoticed. Then
what only a gradient can get wrong: a ``grad_output`` of the wrong shape (a ``ValueError``
naming both shapes), ``input_shape`` and ``weight_shape`` that are not shapes, Winograd;
and the contract's promises: dtypes kept, unbatched inputs, inputs never modified.
"""

from __future__ import annotations

import numpy as np
import pytest

import refconv
from refconv import grad

X = np.ones((2, 4, 6, 6))
G_ANY = np.ones(1)  # never reached: the forward checks fail first

CONV_BAD = [
    dict(weight=np.ones((3, 3))),  # not 4-D
    dict(weight=np.ones((4, 3, 3, 3))),  # C_in // groups mismatch
    dict(weight=np.ones((3, 2, 3, 3)), groups=2),  # groups does not divide C_out
    dict(weight=np.ones((4, 4, 9, 9))),  # kernel larger than the input
    dict(weight=np.ones((4, 4, 3, 3)), padding=6, padding_mode="reflect"),
    dict(weight=np.ones((4, 4, 3, 3)), padding=7, padding_mode="circular"),
    dict(weight=np.ones((4, 4, 3, 3)), padding=-1),
    dict(weight=np.ones((4, 4, 3, 3)), padding="full"),
    dict(weight=np.ones((4, 4, 3, 3)), padding=1.5),
    dict(weight=np.ones((4, 4, 3, 3)), stride=0),
    dict(weight=np.ones((4, 4, 3, 3)), stride=True),
    dict(weight=np.ones((4, 4, 3, 3)), dilation=(1, 2, 3)),
    dict(weight=np.ones((4, 4, 3, 3)), groups=0),
    dict(weight=np.ones((4, 4, 3, 3)), padding_mode="mirror"),
    dict(weight=np.ones((0, 4, 3, 3))),
    dict(weight=np.ones((4, 4, 3, 3)), x=np.ones((6, 6))),  # x not 3-D or 4-D
    dict(weight=np.ones((4, 4, 3, 3)), x=np.ones((2, 4, 0, 6))),  # no rows
]


def _error(call):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return type(info.value), str(info.value)


def _split(case):
    kw = dict(case)
    return kw.pop("x", X), kw.pop("weight"), kw


@pytest.mark.parametrize("case", CONV_BAD, ids=range(len(CONV_BAD)))
def test_conv_gradients_refuse_what_the_forward_pass_refuses(case):
    x, w, kw = _split(case)
    expected = _error(lambda: refconv.conv2d(x, w, **kw))
    assert _error(lambda: grad.conv2d_input(x.shape, w, G_ANY, **kw)) == expected
    assert _error(lambda: grad.conv2d_weight(x, w.shape, G_ANY, **kw)) == expected


DEPTHWISE_BAD = [
    dict(weight=np.ones((6, 1, 3, 3))),  # not a multiple of C_in = 4
    dict(weight=np.ones((4, 2, 3, 3))),  # second axis must be 1
    dict(weight=np.ones((4, 1, 3, 3)), padding="same", padding_mode="reflect", dilation=7),
    dict(weight=np.ones((8, 1, 7, 1))),
]


@pytest.mark.parametrize("case", DEPTHWISE_BAD, ids=range(len(DEPTHWISE_BAD)))
def test_depthwise_gradients_refuse_what_the_forward_pass_refuses(case):
    x, w, kw = _split(case)
    expected = _error(lambda: refconv.depthwise_conv2d(x, w, **kw))
    assert _error(lambda: grad.depthwise_conv2d_input(x.shape, w, G_ANY, **kw)) == expected
    assert _error(lambda: grad.depthwise_conv2d_weight(x, w.shape, G_ANY, **kw)) == expected


POINTWISE_BAD = [
    dict(weight=np.ones((3, 4, 3, 3))),  # not 1x1
    dict(weight=np.ones((3, 4))),  # 2-D
    dict(weight=np.ones((3, 2, 1, 1)), groups=2),  # groups does not divide C_out = 3
]


@pytest.mark.parametrize("case", POINTWISE_BAD, ids=range(len(POINTWISE_BAD)))
def test_pointwise_gradients_refuse_what_the_forward_pass_refuses(case):
    x, w, kw = _split(case)
    expected = _error(lambda: refconv.pointwise_conv2d(x, w, **kw))
    assert _error(lambda: grad.pointwise_conv2d_input(x.shape, w, G_ANY, **kw)) == expected
    assert _error(lambda: grad.pointwise_conv2d_weight(x, w.shape, G_ANY, **kw)) == expected


SEPARABLE_BAD = [
    (np.ones((4, 1, 3, 3)), np.ones((5, 8, 1, 1)), {}),  # pointwise expects C_in*M = 4
    (np.ones((6, 1, 3, 3)), np.ones((5, 6, 1, 1)), {}),  # 6 is no multiple of 4
    (np.ones((4, 1, 3, 3)), np.ones((5, 4, 3, 3)), {}),  # pointwise not 1x1
    (np.ones((4, 1, 3, 3)), np.ones((5, 4, 1, 1)), dict(padding=6, padding_mode="reflect")),
    (np.ones((4, 1, 3, 3)), np.ones((5, 4, 1, 1)), dict(method="winograd")),
]


@pytest.mark.parametrize("case", SEPARABLE_BAD, ids=range(len(SEPARABLE_BAD)))
def test_separable_gradients_refuse_what_the_forward_pass_refuses(case):
    dw, pw, kw = case
    forward = _error(lambda: refconv.separable_conv2d(X, dw, pw, **kw))
    got_input = _error(lambda: grad.separable_conv2d_input(X.shape, dw, pw, G_ANY, **kw))
    got_weights = _error(lambda: grad.separable_conv2d_weights(X, dw, pw, G_ANY, **kw))
    if kw.get("method") == "winograd":  # refused by both, each giving its own reason
        assert "method='winograd' does not apply here" in forward[1]
        assert "the gradients have no Winograd kernel" in got_input[1]
        assert got_weights == got_input
        return
    assert got_input == forward
    assert got_weights == forward


SPATIAL_BAD = [
    (np.ones((3, 4, 3, 3)), np.ones((2, 3, 1, 3)), {}),  # column not kH x 1
    (np.ones((3, 4, 3, 1)), np.ones((2, 3, 3, 3)), {}),  # row not 1 x kW
    (np.ones((3, 4, 3, 1)), np.ones((2, 5, 1, 3)), {}),  # row does not fit R = 3
    (np.ones((4, 1, 3, 1)), np.ones((6, 1, 1, 3)), dict(groups=4)),  # 6 no multiple of 4
    (np.ones((3, 4, 3, 1)), np.ones((2, 3, 1, 3)), dict(padding=6, padding_mode="reflect")),
    (np.ones((3, 4, 9, 1)), np.ones((2, 3, 1, 3)), {}),  # kernel taller than the input
]


@pytest.mark.parametrize("case", SPATIAL_BAD, ids=range(len(SPATIAL_BAD)))
def test_spatial_gradients_refuse_what_the_forward_pass_refuses(case):
    cw, rw, kw = case
    expected = _error(lambda: refconv.spatial_separable_conv2d(X, cw, rw, **kw))
    assert _error(lambda: grad.spatial_separable_conv2d_input(X.shape, cw, rw, G_ANY, **kw)) == (
        expected
    )
    assert _error(lambda: grad.spatial_separable_conv2d_weights(X, cw, rw, G_ANY, **kw)) == (
        expected
    )


def test_a_grad_output_of_the_wrong_shape_names_both_shapes():
    w = np.ones((8, 4, 3, 3))
    with pytest.raises(ValueError) as info:
        grad.conv2d_input(X.shape, w, np.ones((2, 8, 5, 5)), padding=1)
    message = str(info.value)
    assert "(2, 8, 6, 6)" in message  # what the forward pass gives
    assert "grad_output.shape=(2, 8, 5, 5)" in message
    assert "x (2, 4, 6, 6)" in message and "weight (8, 4, 3, 3)" in message
    with pytest.raises(ValueError, match=r"forward output: \(2, 8, 4, 4\)"):
        grad.conv2d_weight(X, w.shape, np.ones((2, 8, 6, 6)))
    with pytest.raises(ValueError, match=r"forward output: \(8, 4, 4\).*\(1, 8, 4, 4\)"):
        grad.conv2d_input(X.shape[1:], w, np.ones((1, 8, 4, 4)))  # unbatched wants 3-D
    with pytest.raises(ValueError, match=r"forward output: \(2, 5, 6, 6\)"):
        grad.separable_conv2d_weights(
            X, np.ones((4, 1, 3, 3)), np.ones((5, 4, 1, 1)), np.ones((2, 4, 6, 6)), padding=1
        )
    with pytest.raises(ValueError, match=r"forward output: \(2, 2, 4, 6\)"):
        grad.spatial_separable_conv2d_input(
            X.shape, np.ones((3, 4, 3, 1)), np.ones((2, 3, 1, 3)), np.ones((2, 2, 4, 4)),
            padding=((0, 0), (1, 1)),
        )  # fmt: skip


@pytest.mark.parametrize("bad", [6, "x", (2, 4, 6.0, 6), np.ones(4), None])
def test_input_shape_and_weight_shape_must_be_shapes(bad):
    with pytest.raises(TypeError, match=r"input_shape must be a tuple of ints, \(N, C_in"):
        grad.conv2d_input(bad, np.ones((1, 4, 3, 3)), G_ANY)
    with pytest.raises(TypeError, match=r"weight_shape must be a tuple of ints, \(C_out"):
        grad.conv2d_weight(X, bad, G_ANY)


def test_shapes_with_a_negative_size_are_refused():
    with pytest.raises(ValueError, match=r"input_shape must have no negative size; got \(2, -4"):
        grad.conv2d_input((2, -4, 6, 6), np.ones((1, 4, 3, 3)), G_ANY)
    with pytest.raises(ValueError, match=r"weight_shape must have no negative size"):
        grad.depthwise_conv2d_weight(X, [4, 1, -3, 3], G_ANY)


def test_winograd_is_refused_with_the_reason():
    w = np.ones((4, 4, 3, 3))
    # the gradients have no Winograd kernel: it is refused, and not offered
    with pytest.raises(ValueError) as info:
        grad.conv2d_weight(X, w.shape, np.ones((2, 4, 4, 4)), method="fft")
    assert str(info.value) == (
        "method must be one of 'auto', 'reference', 'direct', 'im2col'; got 'fft'"
    )
    with pytest.raises(ValueError, match=r"method='winograd' does not apply here: the grad"):
        grad.conv2d_input(X.shape, w, np.ones((2, 4, 4, 4)), method="winograd")


def test_dtypes_are_kept_and_integers_compute_in_float64():
    x32, w32 = X.astype(np.float32), np.ones((4, 4, 3, 3), np.float32)
    g32 = np.ones((2, 4, 4, 4), np.float32)
    assert grad.conv2d_input(X.shape, w32, g32).dtype == np.float32
    assert grad.conv2d_weight(x32, w32.shape, g32).dtype == np.float32
    assert grad.conv2d_bias(g32).dtype == np.float32
    assert grad.conv2d_input(X.shape, w32, g32.astype(np.float64)).dtype == np.float64
    assert grad.conv2d_weight(x32.astype(int), w32.shape, g32).dtype == np.float64
    assert grad.conv2d_bias(g32.astype(bool)).dtype == np.float64
    big_endian = g32.astype(">f4")  # another byte order is float32 too
    assert grad.conv2d_input(X.shape, w32, big_endian).dtype == np.dtype("float32")
    with pytest.raises(TypeError, match=r"grad_output has dtype complex128"):
        grad.conv2d_input(X.shape, w32, g32.astype(complex))
    with pytest.raises(ValueError, match=r"grad_output must have shape \(N, C_out"):
        grad.conv2d_bias(np.ones((3, 3)))


def test_unbatched_inputs_and_empty_batches():
    w = np.arange(36.0).reshape(1, 4, 3, 3)
    g = np.arange(16.0).reshape(1, 1, 4, 4)
    batched = grad.conv2d_input((1, 4, 6, 6), w, g)
    np.testing.assert_array_equal(grad.conv2d_input((4, 6, 6), w, g[0]), batched[0])
    dw = grad.conv2d_weight(X[:1], w.shape, g)
    np.testing.assert_array_equal(grad.conv2d_weight(X[0], w.shape, g[0]), dw)
    empty = np.ones((0, 1, 4, 4))
    assert not grad.conv2d_input((0, 4, 6, 6), w, empty).any()
    assert not grad.conv2d_weight(X[:0], w.shape, empty).any()
    assert grad.conv2d_input((0, 4, 6, 6), w, empty).shape == (0, 4, 6, 6)


@pytest.mark.parametrize("method", ["reference", "direct", "im2col", "auto"])
def test_inputs_are_never_modified(method):
    rng = np.random.default_rng(0)
    x, dw, pw = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((6, 1, 3, 3)), None
    pw = rng.standard_normal((4, 6, 1, 1))
    g = rng.standard_normal((2, 4, 5, 5))
    saved = [a.copy() for a in (x, dw, pw, g)]
    kw = dict(padding=1, padding_mode="reflect", method=method)
    grad.separable_conv2d_weights(x, dw, pw, g, **kw)
    grad.separable_conv2d_input(x.shape, dw, pw, g, **kw)
    for before, after in zip(saved, (x, dw, pw, g), strict=True):
        np.testing.assert_array_equal(before, after)
