"""Every layer, loss and the articles' two CIFAR-10 models against PyTorch autograd, float64.

:func:`torch_forward` runs a refconv model with ``torch.nn.functional`` -- layer by layer, on
torch copies of its parameters and buffers -- so that autograd computes the gradients refconv
computes by hand. Forward outputs, input gradients, every parameter's gradient and, in
training mode, BatchNorm's running statistics must agree to float64 rounding. Skipped when
PyTorch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from refconv import arguments, models, nn

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_PAD_MODE = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "replicate",
    "circular": "circular",
}
RTOL, ATOL = 1e-10, 1e-12  # float64: sums of at most a few thousand products


def _pad(x, pads, mode):
    (top, bottom), (left, right) = pads
    return F.pad(x, (left, right, top, bottom), mode=TORCH_PAD_MODE[mode])


def _conv_pads(layer, x):
    return arguments.explicit_padding(
        layer.padding, layer.kernel_size, layer.stride, layer.dilation, tuple(x.shape[-2:])
    )


def _leaf(layer, x, get):
    """One refconv leaf layer in torch; ``get(attr)`` is the torch copy of ``layer.<attr>``
    (a parameter or a buffer)."""
    if isinstance(layer, nn.BatchNorm2d):
        batch = x if x.ndim == 4 else x[None]
        y = F.batch_norm(
            batch,
            get("running_mean"),
            get("running_var"),
            get("weight") if layer.affine else None,
            get("bias") if layer.affine else None,
            training=layer.training,
            momentum=layer.momentum,
            eps=layer.eps,
        )
        return y if x.ndim == 4 else y[0]
    bias = get("bias") if getattr(layer, "bias", None) is not None else None
    if isinstance(layer, nn.SeparableConv2d):
        mid = F.conv2d(
            _pad(x, _conv_pads(layer, x), layer.padding_mode),
            get("depthwise_weight"),
            None,
            layer.stride,
            0,
            layer.dilation,
            groups=layer.in_channels,
        )
        return F.conv2d(mid, get("pointwise_weight"), bias)
    if isinstance(layer, nn.SpatialSeparableConv2d):
        shape4 = tuple(x.shape) if x.ndim == 4 else (1, *x.shape)
        column, row = arguments.spatial_passes(
            shape4, layer.kernel_size, layer.stride, layer.padding, layer.dilation, "zeros"
        )
        mid = x
        for (stride, pads, dilation), weight in [(column, "column_weight"), (row, "row_weight")]:
            mid = F.conv2d(
                _pad(mid, pads, layer.padding_mode),
                get(weight),
                None,
                stride,
                0,
                dilation,
                groups=layer.groups,
            )
        return mid + bias[:, None, None] if bias is not None else mid
    if isinstance(layer, nn.Conv2d):  # and its depthwise and pointwise kinds
        return F.conv2d(
            _pad(x, _conv_pads(layer, x), layer.padding_mode),
            get("weight"),
            bias,
            layer.stride,
            0,
            layer.dilation,
            groups=layer.groups,
        )
    if isinstance(layer, nn.ReLU):
        return F.relu(x)
    if isinstance(layer, nn.MaxPool2d):
        return F.max_pool2d(x, layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    if isinstance(layer, nn.AvgPool2d):
        return F.avg_pool2d(x, layer.kernel_size, layer.stride, layer.padding)
    if isinstance(layer, nn.GlobalAvgPool2d):
        return x.mean(dim=(-2, -1), keepdim=True)
    if isinstance(layer, nn.Flatten):
        return torch.flatten(x, 1) if x.ndim == 4 else torch.flatten(x)
    if isinstance(layer, nn.Linear):
        return F.linear(x, get("weight"), bias)
    if isinstance(layer, nn.Dropout):
        assert not layer.training or layer.p == 0, "torch draws other masks"
        return x
    raise TypeError(f"no torch twin for {layer!r}")


def torch_forward(model, x, tensors):
    """``model(x)`` in torch, ``tensors`` holding torch copies of its named parameters and
    buffers."""
    for name, layer in model.named_leaves():
        x = _leaf(layer, x, lambda attr, name=name: tensors[f"{name}.{attr}" if name else attr])
    return x


def check_against_torch(model, x, rng, *, criterion=None, target=None, torch_loss=None):
    """Forward and backward of ``model`` (float64) against autograd through
    :func:`torch_forward`; returns nothing, asserts everything."""
    tensors = {
        name: torch.tensor(p.data, requires_grad=True) for name, p in model.named_parameters()
    }
    tensors |= {name: torch.tensor(b) for name, b in model.named_buffers()}
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_forward(model, xt, tensors)
    y = model(x)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")
    model.zero_grad()
    if criterion is None:
        g = rng.standard_normal(y.shape)
        yt.backward(torch.tensor(g))
    else:
        value = criterion(y, target)
        lt = torch_loss(yt, torch.tensor(target))
        assert value == pytest.approx(lt.item(), rel=1e-13)
        g = criterion.backward()
        lt.backward()
    dx = model.backward(g)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg="dL/dx")
    for name, p in model.named_parameters():
        np.testing.assert_allclose(
            p.grad, tensors[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"dL/d{name}"
        )
    for name, b in model.named_buffers():  # updated in place in training mode by both
        np.testing.assert_allclose(b, tensors[name].numpy(), rtol=1e-13, atol=1e-15, err_msg=name)


F64 = {"dtype": np.float64, "seed": 0}
CONVS = [
    nn.Conv2d(4, 6, 3, stride=2, padding=1, **F64),
    nn.Conv2d(4, 6, (3, 2), dilation=(2, 1), groups=2, padding="same", **F64),
    nn.Conv2d(4, 4, 3, padding=((0, 2), (1, 1)), padding_mode="reflect", bias=False, **F64),
    nn.Conv2d(4, 2, 3, stride=(1, 2), padding=2, padding_mode="circular", **F64),
    nn.DepthwiseConv2d(4, 3, depth_multiplier=2, padding=1, padding_mode="replicate", **F64),
    nn.DepthwiseConv2d(4, 3, stride=2, padding="same", bias=False, **F64),
    nn.PointwiseConv2d(4, 5, **F64),
    nn.SeparableConv2d(4, 6, 3, depth_multiplier=2, stride=2, padding="same", **F64),
    nn.SeparableConv2d(4, 3, 3, dilation=2, padding=2, padding_mode="reflect", **F64),
    nn.SpatialSeparableConv2d(4, 6, 3, padding=1, **F64),
    nn.SpatialSeparableConv2d(
        4, 8, (3, 5), intermediate_channels=4, groups=4, padding="same", **F64
    ),
]


@pytest.mark.parametrize("layer", CONVS, ids=repr)
@pytest.mark.parametrize("shape", [(2, 4, 7, 8), (4, 6, 6)], ids=["batch", "unbatched"])
def test_convolutions(layer, shape):
    rng = np.random.default_rng(0)
    check_against_torch(layer, rng.standard_normal(shape), rng)


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(3, 4, 5, 2), (4, 3, 3)], ids=["batch", "unbatched"])
def test_batchnorm(training, affine, shape):
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm2d(shape[-3], eps=1e-3, affine=affine, momentum=0.3, dtype=np.float64)
    for array in (bn.weight, bn.running_var):
        array[:] = rng.uniform(0.5, 2.0, bn.num_features)
    for array in (bn.bias, bn.running_mean):
        array[:] = rng.standard_normal(bn.num_features)
    check_against_torch(bn.train(training), 2 + 3 * rng.standard_normal(shape), rng)


@pytest.mark.parametrize(
    "layer",
    [
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.MaxPool2d((2, 3), stride=1, dilation=(2, 1), padding=(1, 0)),
        nn.AvgPool2d(2),
        nn.AvgPool2d(3, stride=2, padding=1),  # the padded zeros count, as torch's default
        nn.GlobalAvgPool2d(),
        nn.Flatten(),
    ],
    ids=repr,
)
@pytest.mark.parametrize("shape", [(2, 3, 7, 6), (3, 6, 7)], ids=["batch", "unbatched"])
def test_parameter_free_layers(layer, shape):
    rng = np.random.default_rng(2)
    check_against_torch(layer, rng.standard_normal(shape), rng)


@pytest.mark.parametrize("layer", [nn.MaxPool2d(2), nn.MaxPool2d(3, stride=1, padding=1)], ids=repr)
def test_max_pool_ties_and_relu_zeros_as_torch(layer):
    """Small integers: many windows tie (the first maximum takes the gradient), many ReLU
    inputs are exactly 0 (gradient 0)."""
    rng = np.random.default_rng(3)
    x = rng.integers(-1, 2, (2, 2, 6, 6)).astype(np.float64)
    check_against_torch(nn.Sequential(layer, nn.ReLU()), x, rng)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_and_dropout(shape):
    rng = np.random.default_rng(4)
    net = nn.Sequential(nn.Linear(4, 3, **F64), nn.Dropout(0.3), nn.Linear(3, 2, bias=False, **F64))
    check_against_torch(net, rng.standard_normal(shape), rng)  # dropout: inference


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_losses(reduction):
    rng = np.random.default_rng(5)
    logits = 10 * rng.standard_normal((6, 5))
    targets = rng.integers(0, 5, 6)
    ce = nn.CrossEntropyLoss(reduction)
    lt = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(lt, torch.tensor(targets), reduction=reduction)
    assert ce(logits, targets) == pytest.approx(expected.item(), rel=1e-14)
    expected.backward()
    np.testing.assert_allclose(ce.backward(), lt.grad.numpy(), rtol=1e-13, atol=1e-16)
    lt = torch.tensor(logits[0], requires_grad=True)  # unbatched
    expected = F.cross_entropy(lt, torch.tensor(targets[0]), reduction=reduction)
    assert ce(logits[0], targets[0]) == pytest.approx(expected.item(), rel=1e-14)
    expected.backward()
    np.testing.assert_allclose(ce.backward(), lt.grad.numpy(), rtol=1e-13, atol=1e-16)
    target = rng.standard_normal(logits.shape)
    mse = nn.MSELoss(reduction)
    lt = torch.tensor(logits, requires_grad=True)
    expected = F.mse_loss(lt, torch.tensor(target), reduction=reduction)
    assert mse(logits, target) == pytest.approx(expected.item(), rel=1e-14)
    expected.backward()
    np.testing.assert_allclose(mse.backward(), lt.grad.numpy(), rtol=1e-13, atol=1e-16)


@pytest.mark.slow
@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("build", [models.standard_cnn, models.separable_cnn])
def test_whole_models(build, training):
    """The articles' CIFAR-10 models, through CrossEntropyLoss: in training mode BatchNorm
    normalises by batch statistics and updates the running ones; Dropout is set to p = 0
    there (torch would draw other masks; the masks are checked in test_gradients.py)."""
    rng = np.random.default_rng(6)
    model = build(seed=0).to(np.float64).train(training)
    model["dropout"].p = 0.0
    targets = rng.integers(0, 10, 4)
    check_against_torch(
        model,
        rng.standard_normal((4, 3, 32, 32)),
        rng,
        criterion=nn.CrossEntropyLoss(),
        target=targets,
        torch_loss=F.cross_entropy,
    )
