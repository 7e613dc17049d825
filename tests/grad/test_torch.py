"""Optional: refconv's gradients against PyTorch's (``torch.nn.grad`` and autograd).

Skipped when torch is not installed. PyTorch computes in float64 here; the padding modes go
through ``F.pad`` before ``F.conv2d``, as ``nn.Conv2d(padding_mode=...)`` does, and autograd
differentiates the whole chain -- the padding's scatter-back included. The two-step blocks are
built from two ``F.conv2d`` calls, the spatially separable one padding each pass along its
own axis, as refconv's forward pass does.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import refconv
from refconv import grad
from refconv.arguments import conv_geometry
from refconv.testing import assert_conv_close

torch = pytest.importorskip("torch")
F = torch.nn.functional

GRAD_METHODS = ("reference", "direct", "im2col", "auto")
TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate"}
TORCH_MODE["circular"] = "circular"


@pytest.fixture(autouse=True, scope="module")
def _torch_on_one_thread():
    """PyTorch on one thread while these tests run: its pool and Numba's, both spinning on
    this machine's few cores, made a 0.2 ms backward pass take 150 ms."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _pad(t, pads, mode):
    (top, bottom), (left, right) = pads
    return F.pad(t, (left, right, top, bottom), mode=TORCH_MODE[mode])


def _close(actual, desired, reduction, scale, what):
    assert actual.shape == desired.shape, what
    assert_conv_close(actual, desired, reduction=reduction, scale=scale, err_msg=what)


CASES = [
    # x shape, weight shape, groups, stride, padding, dilation
    ((2, 3, 9, 8), (4, 3, 3, 3), 1, 1, 1, 1),
    ((1, 4, 10, 7), (6, 2, 2, 3), 2, (2, 1), (1, 2), (1, 2)),
    ((2, 2, 6, 6), (2, 2, 1, 1), 1, 2, 0, 1),
    ((1, 3, 11, 9), (3, 1, 3, 3), 3, 3, 2, 2),
    ((2, 3, 5, 5), (6, 1, 2, 2), 3, 1, 1, 3),
]


@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize(("x_shape", "w_shape", "groups", "stride", "padding", "dilation"), CASES)
def test_torch_nn_grad_functions(method, x_shape, w_shape, groups, stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    g = rng.standard_normal(refconv.conv2d(x, w, **kw).shape)
    tx, tw, tg = (torch.from_numpy(a) for a in (x, w, g))
    want_x = torch.nn.grad.conv2d_input(x_shape, tw, tg, **kw).numpy()
    want_w = torch.nn.grad.conv2d_weight(tx, w_shape, tg, **kw).numpy()
    k = w_shape[0] // groups * w_shape[2] * w_shape[3]
    got_x = grad.conv2d_input(x_shape, w, g, **kw, method=method)
    _close(got_x, want_x, k, k * 20.0, "input")
    got_w = grad.conv2d_weight(x, w_shape, g, **kw, method=method)
    _close(got_w, want_w, g[:, 0].size, g[:, 0].size * 20.0, "weight")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [((1, 2), (0, 2)), "same"])
def test_autograd_through_padding_modes(dtype, method, mode, padding):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2)), np.ones(6)
    kw = dict(stride=(2, 1), padding=padding, dilation=(1, 2), groups=2, padding_mode=mode)
    pads = conv_geometry(x.shape, w.shape, (2, 1), padding, (1, 2), 2, mode).pads
    tx, tw, tb = _t(x), _t(w), _t(b)
    ty = F.conv2d(_pad(tx, pads, mode), tw, tb, stride=(2, 1), dilation=(1, 2), groups=2)
    g = rng.standard_normal(ty.shape)
    ty.backward(torch.from_numpy(g))
    xd, wd, gd = x.astype(dtype), w.astype(dtype), g.astype(dtype)
    got_x = grad.conv2d_input(x.shape, wd, gd, **kw, method=method)
    got_w = grad.conv2d_weight(xd, w.shape, gd, **kw, method=method)
    assert got_x.dtype == got_w.dtype == dtype
    _close(got_x, tx.grad.numpy(), 3 * 3 * 2 * 2, 200.0, "input")  # pixels read up to 4x
    _close(got_w, tw.grad.numpy(), g[:, 0].size, g[:, 0].size * 20.0, "weight")
    np.testing.assert_allclose(grad.conv2d_bias(gd), tb.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize(
    ("mode", "stride", "dilation"),
    list(itertools.product(["zeros", "reflect", "replicate", "circular"], [1, 2], [1, 2])),
)
def test_autograd_of_the_separable_block(method, mode, stride, dilation):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 8, 7))
    dw, pw, b = rng.standard_normal((6, 1, 3, 3)), rng.standard_normal((5, 6, 1, 1)), np.ones(5)
    kw = dict(stride=stride, padding="same", dilation=dilation, padding_mode=mode)
    pads = conv_geometry(x.shape, dw.shape, stride, "same", dilation, 3, mode).pads
    tx, tdw, tpw, tb = _t(x), _t(dw), _t(pw), _t(b)
    mid = F.conv2d(_pad(tx, pads, mode), tdw, stride=stride, dilation=dilation, groups=3)
    ty = F.conv2d(mid, tpw, tb)
    g = rng.standard_normal(ty.shape)
    ty.backward(torch.from_numpy(g))
    got = grad.separable_conv2d_weights(x, dw, pw, g, **kw, method=method)
    for name, want in [
        ("x", tx),
        ("depthwise_weight", tdw),
        ("pointwise_weight", tpw),
        ("bias", tb),
    ]:
        reduction = 9 * 6 * g[:, 0].size
        _close(getattr(got, name), want.grad.numpy(), reduction, 1e3, name)
    dx = grad.separable_conv2d_input(x.shape, dw, pw, g, **kw, method=method)
    _close(dx, tx.grad.numpy(), 9 * 6, 1e3, "x (input only)")


@pytest.mark.parametrize("method", GRAD_METHODS)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("groups", [1, 2])
def test_autograd_of_the_spatially_separable_block(method, mode, groups):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 7, 8))
    r = 4
    cw, rw = (
        rng.standard_normal((r, 2 // groups, 3, 1)),
        rng.standard_normal((4, r // groups, 1, 3)),
    )
    kw = dict(stride=(2, 1), padding=((2, 1), (1, 2)), dilation=(1, 2), padding_mode=mode)
    (rows, cols) = kw["padding"]
    tx, tcw, trw = _t(x), _t(cw), _t(rw)
    mid = F.conv2d(_pad(tx, (rows, (0, 0)), mode), tcw, stride=(2, 1), groups=groups)
    ty = F.conv2d(_pad(mid, ((0, 0), cols), mode), trw, dilation=(1, 2), groups=groups)
    g = rng.standard_normal(ty.shape)
    ty.backward(torch.from_numpy(g))
    got = grad.spatial_separable_conv2d_weights(x, cw, rw, g, groups=groups, **kw, method=method)
    for name, want in [("x", tx), ("column_weight", tcw), ("row_weight", trw)]:
        _close(getattr(got, name), want.grad.numpy(), 3 * 4 * g[:, 0].size, 1e3, name)
    np.testing.assert_allclose(got.bias, g.sum(axis=(0, 2, 3)))
