"""Every layer's backward pass against central finite differences of its forward pass, float64.

For the loss ``L = sum(G * layer(x))``, whose gradient with respect to the output is ``G``,
each entry of every gradient can be measured from the forward pass alone::

    dL/da[k] ~ (L(a + h e_k) - L(a - h e_k)) / (2h)

for the input and for every parameter, in training and in inference mode (they differ for
BatchNorm and Dropout), and one random direction ``v`` through all entries of each array at
once (``<dL/da, v>`` against the difference along ``v``). ``h = 1e-6``: the truncation error
of a smooth layer is ``O(h^2) ~ 1e-12``, the rounding error ``~ eps * |L| / h ~ 1e-9``; a wrong
gradient is wrong by O(1), so the tolerance ``1e-6 * (1 + |gradient|)`` separates the two.
ReLU and MaxPool are not differentiable where an input is 0 or two inputs tie: their inputs
here are distinct values spaced far wider than ``h``, none near 0 (:func:`_distinct`).

The kernels behind the convolution layers are checked over every geometry in tests/grad;
here hypothesis draws the layers' options to check that each layer passes them on, and adds
its bias and keeps its gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refconv import models, nn

H = 1e-6
RTOL = 1e-6
F64 = {"dtype": np.float64}
SETTINGS = settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])


def _distinct(rng, shape, spacing=0.05):
    """Distinct values ``spacing`` apart, none within ``spacing / 2`` of 0, shuffled: no ties
    for MaxPool, no zero for ReLU, however an input moves by ``h``."""
    n = int(np.prod(shape))
    values = (np.arange(n) - n // 2 + 0.5) * spacing
    return rng.permutation(values).reshape(shape)


def gradcheck(
    layer, x, rng, *, before_forward=lambda: None, entries=4, criterion=None, target=None, h=H
):
    """Check ``layer.backward`` (input and parameter gradients) against central differences.

    ``before_forward`` runs before every forward pass (e.g. to reseed Dropout, so that every
    evaluation draws the same mask). The loss is ``sum(G * y)`` with a random ``G``, or
    ``criterion(y, target)`` (a :mod:`refconv.nn` loss, whose backward starts the chain).
    """
    g = None

    def value(y):
        return criterion(y, target) if criterion is not None else float(np.sum(y * g))

    def run():
        before_forward()
        return value(layer(x))

    before_forward()
    y = layer(x)
    g = rng.standard_normal(y.shape)
    layer.zero_grad()
    value(y)
    upstream = criterion.backward() if criterion is not None else g
    grads = {"x": layer.backward(upstream)}
    arrays = {"x": x}
    for name, p in layer.named_parameters():
        grads[name], arrays[name] = p.grad, p.data
    for name, a in arrays.items():
        assert grads[name].shape == a.shape, name
        flat = a.reshape(-1)  # a view: the arrays are contiguous
        assert np.shares_memory(flat, a)
        for k in rng.choice(a.size, size=min(entries, a.size), replace=False):
            old = flat[k]
            flat[k] = old + h
            plus = run()
            flat[k] = old - h
            minus = run()
            flat[k] = old
            measured = (plus - minus) / (2 * h)
            got = grads[name].reshape(-1)[k]
            assert abs(got - measured) <= RTOL * (1 + abs(got)), (
                f"{layer!r} training={layer.training}: dL/d{name}[{np.unravel_index(k, a.shape)}]"
                f" = {got!r}, finite differences {measured!r}"
            )
        v = rng.uniform(-1.0, 1.0, a.shape)
        saved = a.copy()
        a += h * v
        plus = run()
        a[...] = saved - h * v
        minus = run()
        a[...] = saved
        measured = (plus - minus) / (2 * h)
        got = float(np.sum(grads[name] * v))
        assert abs(got - measured) <= RTOL * (1 + np.sum(np.abs(grads[name]))), (
            f"{layer!r} training={layer.training}: <dL/d{name}, v> = {got!r}, finite "
            f"differences {measured!r}"
        )
    return grads


MODES = pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])


# -- convolutions ------------------------------------------------------------------------


@st.composite
def conv_options(draw, max_kernel=3):
    """Options every convolution layer takes, valid for any input of at least 6x6."""
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    dilation = draw(st.sampled_from([1, 2, (1, 2)]))
    padding = draw(st.sampled_from([0, 1, (1, 0), ((0, 2), (1, 0)), "same", "valid"]))
    stride = 1 if padding == "same" and draw(st.booleans()) else draw(st.sampled_from([1, 2]))
    mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    return {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "padding_mode": mode,
        "bias": draw(st.booleans()),
    }


def _input(data, channels, batch=True):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    shape = (channels, data.draw(st.integers(6, 8)), data.draw(st.integers(6, 8)))
    if batch and data.draw(st.booleans()):
        shape = (data.draw(st.integers(1, 2)), *shape)
    return rng, rng.standard_normal(shape)


@SETTINGS
@given(data=st.data(), options=conv_options(), groups=st.sampled_from([1, 2]))
def test_conv2d(data, options, groups):
    rng, x = _input(data, 4)
    layer = nn.Conv2d(4, 6, groups=groups, seed=rng, **options, **F64)
    gradcheck(layer.train(data.draw(st.booleans())), x, rng)


@SETTINGS
@given(data=st.data(), options=conv_options(), multiplier=st.integers(1, 2))
def test_depthwise_conv2d(data, options, multiplier):
    rng, x = _input(data, 3)
    layer = nn.DepthwiseConv2d(3, depth_multiplier=multiplier, seed=rng, **options, **F64)
    gradcheck(layer, x, rng)


@SETTINGS
@given(data=st.data(), bias=st.booleans())
def test_pointwise_conv2d(data, bias):
    rng, x = _input(data, 3)
    gradcheck(nn.PointwiseConv2d(3, 5, bias=bias, seed=rng, **F64), x, rng)


@SETTINGS
@given(data=st.data(), options=conv_options(), multiplier=st.integers(1, 2))
def test_separable_conv2d(data, options, multiplier):
    rng, x = _input(data, 3)
    layer = nn.SeparableConv2d(3, 4, depth_multiplier=multiplier, seed=rng, **options, **F64)
    gradcheck(layer, x, rng)


@SETTINGS
@given(data=st.data(), options=conv_options(), groups=st.sampled_from([1, 2]))
def test_spatial_separable_conv2d(data, options, groups):
    rng, x = _input(data, 4)
    layer = nn.SpatialSeparableConv2d(
        4, 6, intermediate_channels=4, groups=groups, seed=rng, **options, **F64
    )
    gradcheck(layer, x, rng)


# -- the layers around them --------------------------------------------------------------


@MODES
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(3, 4, 5, 2), (4, 3, 3)], ids=["batch", "unbatched"])
def test_batchnorm(training, affine, shape):
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm2d(shape[-3], eps=1e-3, affine=affine, **F64)
    bn.weight[:] = rng.uniform(0.5, 2.0, bn.num_features)
    bn.bias[:] = rng.standard_normal(bn.num_features)
    bn.running_mean[:] = rng.standard_normal(bn.num_features)
    bn.running_var[:] = rng.uniform(0.5, 2.0, bn.num_features)
    x = 3.0 + 2.0 * rng.standard_normal(shape)  # a mean and a scale to take out
    gradcheck(bn.train(training), x, rng)


def test_batchnorm_training_gradient_is_orthogonal_to_shifts_and_scales():
    """In training mode (and eps = 0) the output does not change when a channel of x is
    shifted or scaled (the batch statistics take it out), so dL/dx sums to 0 per channel and
    is orthogonal to x - mean: the two terms that the chain rule through the mean and the
    variance subtracts. (With eps > 0 a scaling changes the output a little.)"""
    rng = np.random.default_rng(2)
    bn = nn.BatchNorm2d(3, eps=0.0, **F64).train()
    x = rng.standard_normal((4, 3, 5, 5))
    bn(x)
    dx = bn.backward(rng.standard_normal(x.shape))
    np.testing.assert_allclose(dx.sum(axis=(0, 2, 3)), 0, atol=1e-12)
    centred = x - x.mean(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose((dx * centred).sum(axis=(0, 2, 3)), 0, atol=1e-10)


@MODES
def test_relu(training):
    rng = np.random.default_rng(3)
    gradcheck(nn.ReLU().train(training), _distinct(rng, (2, 3, 4, 4)), rng, entries=12)


@pytest.mark.parametrize(
    "options",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": (2, 3), "stride": 1},
        {"kernel_size": 2, "stride": 1, "dilation": 2, "padding": 1},
    ],
)
def test_max_pool(options):
    rng = np.random.default_rng(4)
    gradcheck(nn.MaxPool2d(**options), _distinct(rng, (2, 2, 7, 6)), rng, entries=16)


@pytest.mark.parametrize(
    "options",
    [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": (3, 2)}],
)
def test_avg_pool(options):
    rng = np.random.default_rng(5)
    gradcheck(nn.AvgPool2d(**options), rng.standard_normal((2, 2, 7, 6)), rng, entries=12)


def test_max_pool_ties_go_to_the_first_pixel():
    pool = nn.MaxPool2d(2, stride=1)
    x = np.array([[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]])  # (1, 2, 3): two windows
    pool(x)
    np.testing.assert_array_equal(
        pool.backward(np.array([[[10.0, 20.0]]]))[0],
        [[10.0, 20.0, 0.0], [0.0, 0.0, 0.0]],  # window 2's max: (0, 1), first of (0,1), (1,1)
    )


def test_global_avg_pool_and_flatten():
    rng = np.random.default_rng(6)
    gradcheck(nn.GlobalAvgPool2d(), rng.standard_normal((2, 3, 4, 5)), rng)
    gradcheck(nn.GlobalAvgPool2d(), rng.standard_normal((3, 4, 5)), rng)
    gradcheck(nn.Flatten(), rng.standard_normal((2, 3, 4, 5)), rng)
    gradcheck(nn.Flatten(), rng.standard_normal((3, 4, 5)), rng)


@MODES
def test_dropout(training):
    rng = np.random.default_rng(7)
    drop = nn.Dropout(0.4).train(training)

    def same_mask():
        drop.generator = np.random.default_rng(0)

    gradcheck(drop, rng.standard_normal((4, 6)), rng, before_forward=same_mask, entries=8)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(shape, bias):
    rng = np.random.default_rng(8)
    gradcheck(nn.Linear(4, 3, bias=bias, seed=0, **F64), rng.standard_normal(shape), rng)


# -- losses ------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses(reduction):
    rng = np.random.default_rng(9)
    logits = 3.0 * rng.standard_normal((5, 4))
    targets = rng.integers(0, 4, 5)
    for criterion, target in [
        (nn.CrossEntropyLoss(reduction), targets),
        (nn.MSELoss(reduction), rng.standard_normal((5, 4))),
    ]:
        criterion(logits, target)
        analytic = criterion.backward()
        for k in range(logits.size):
            e = np.zeros(logits.size)
            e[k] = H
            e = e.reshape(logits.shape)
            measured = (criterion(logits + e, target) - criterion(logits - e, target)) / (2 * H)
            got = analytic.reshape(-1)[k]
            assert abs(got - measured) <= RTOL * (1 + abs(got)), (criterion, k)


# -- whole models ------------------------------------------------------------------------


@pytest.mark.slow
@MODES
@pytest.mark.parametrize("build", [models.standard_cnn, models.separable_cnn])
def test_whole_model(build, training):
    """The articles' CIFAR-10 networks, float64, on two 32x32 images, through
    CrossEntropyLoss: the input gradient and every parameter's gradient (one sampled entry
    and one direction through all entries, each). In inference mode BatchNorm's running
    statistics are set away from their initial (0, 1), so that the folded map is not the
    identity.

    The model's ReLU and max-pool inputs cannot be kept away from their kinks: a shift of
    every weight of a layer by ``h * v`` moves thousands of them, and at ``h = 1e-6`` one
    crossed a kink (the error, 1e-5, fell to 1e-10 at ``h = 1e-7``). So ``h = 1e-7`` here;
    the rounding error, ``eps * |L| / h ~ 1e-8``, stays far below the tolerance."""
    rng = np.random.default_rng(10)
    model = build(seed=0).to(np.float64).train(training)
    for _, layer in model.named_leaves():
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean[:] = 0.1 * rng.standard_normal(layer.num_features)
            layer.running_var[:] = rng.uniform(0.5, 2.0, layer.num_features)
            layer.weight[:] = rng.uniform(0.5, 2.0, layer.num_features)
            layer.bias[:] = 0.1 * rng.standard_normal(layer.num_features)
    dropout = model["dropout"]

    def same_mask():
        dropout.generator = np.random.default_rng(1)

    x = rng.standard_normal((2, 3, 32, 32))
    gradcheck(
        model,
        x,
        rng,
        before_forward=same_mask,
        entries=1,
        criterion=nn.CrossEntropyLoss(),
        target=np.array([3, 7]),
        h=1e-7,
    )
