"""Layers: constructors, seeded init, forward through the functional API, errors."""

import numpy as np
import pytest

import refconv
from refconv import nn


def test_seeded_init_is_reproducible_and_pytorch_bounded():
    a = nn.Conv2d(3, 8, 3, seed=42)
    b = nn.Conv2d(3, 8, 3, seed=42)
    np.testing.assert_array_equal(a.weight, b.weight)
    np.testing.assert_array_equal(a.bias, b.bias)
    bound = 1 / np.sqrt(3 * 9)  # U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(a.weight).max() <= bound
    assert a.weight.dtype == np.float32
    rng = np.random.default_rng(0)
    c, d = nn.Linear(4, 2, seed=rng), nn.Linear(4, 2, seed=rng)
    assert not np.array_equal(c.weight, d.weight)  # one generator, two draws


def test_shapes_follow_the_constructors():
    assert nn.Conv2d(4, 6, (3, 5), groups=2).weight.shape == (6, 2, 3, 5)
    dw = nn.DepthwiseConv2d(3, 5, depth_multiplier=2)
    assert dw.weight.shape == (6, 1, 5, 5) and dw.out_channels == 6
    assert nn.PointwiseConv2d(3, 7).weight.shape == (7, 3, 1, 1)
    sep = nn.SeparableConv2d(3, 8, 3, depth_multiplier=2)
    assert sep.depthwise_weight.shape == (6, 1, 3, 3)
    assert sep.pointwise_weight.shape == (8, 6, 1, 1) and sep.bias.shape == (8,)
    sp = nn.SpatialSeparableConv2d(4, 8, (3, 5), intermediate_channels=6, groups=2)
    assert sp.column_weight.shape == (6, 2, 3, 1) and sp.row_weight.shape == (8, 3, 1, 5)
    assert nn.Linear(5, 2, bias=False).bias is None


def test_forward_matches_the_functional_api():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 9))
    conv = nn.Conv2d(3, 4, 3, stride=2, padding="same", dtype=np.float64, seed=0)
    np.testing.assert_allclose(conv(x), refconv.conv2d(x, conv.weight, conv.bias, 2, "same"))
    sep = nn.SeparableConv2d(3, 4, 3, depth_multiplier=2, padding=1, dtype=np.float64, seed=0)
    expected = refconv.pointwise_conv2d(
        refconv.depthwise_conv2d(x, sep.depthwise_weight, padding=1), sep.pointwise_weight, sep.bias
    )
    np.testing.assert_allclose(sep(x), expected, rtol=1e-12)


def test_spatial_separable_equals_the_outer_product_kernel():
    layer = nn.SpatialSeparableConv2d(1, 1, 3, padding=1, bias=False, dtype=np.float64, seed=0)
    kernel = np.outer(layer.column_weight[0, 0, :, 0], layer.row_weight[0, 0, 0, :])
    x = np.random.default_rng(2).standard_normal((1, 6, 6))
    np.testing.assert_allclose(
        layer(x), refconv.conv2d(x, kernel[None, None], padding=1), atol=1e-12
    )


def test_batchnorm_inference_formula():
    bn = nn.BatchNorm2d(2, eps=1e-3, dtype=np.float64)
    bn.running_mean[:] = [1.0, -2.0]
    bn.running_var[:] = [3.0, 0.5]
    bn.weight[:] = [2.0, 0.5]
    bn.bias[:] = [0.1, -0.3]
    x = np.random.default_rng(3).standard_normal((2, 3, 3))
    expected = (x - bn.running_mean[:, None, None]) / np.sqrt(
        bn.running_var[:, None, None] + 1e-3
    ) * bn.weight[:, None, None] + bn.bias[:, None, None]
    np.testing.assert_allclose(bn(x), expected, rtol=1e-12)
    assert {name for name, _ in bn.named_parameters()} == {"weight", "bias"}
    assert {name for name, _ in bn.named_buffers()} == {"running_mean", "running_var"}


def test_pooling_by_hand():
    x = np.array([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
    np.testing.assert_array_equal(nn.MaxPool2d(2, stride=1)(x)[0], [[5.0, 6.0], [8.0, 9.0]])
    np.testing.assert_array_equal(
        nn.MaxPool2d(3, padding=1, stride=2)(x)[0], [[5.0, 6.0], [8.0, 9.0]]
    )
    np.testing.assert_array_equal(nn.AvgPool2d(2, stride=1)(x)[0], [[3.0, 4.0], [6.0, 7.0]])
    # padded zeros count in the mean: corner window (1+2+4+5)/9
    assert nn.AvgPool2d(3, stride=2, padding=1)(x)[0, 0, 0] == pytest.approx(12 / 9)
    assert nn.GlobalAvgPool2d()(x)[0, 0, 0] == 5.0


def test_flatten_linear_dropout():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten()(x[0]).shape == (12,)
    fc = nn.Linear(12, 3, dtype=np.float64, seed=0)
    np.testing.assert_allclose(fc(nn.Flatten()(x)), nn.Flatten()(x) @ fc.weight.T + fc.bias)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x), x)


def test_sequential_names_parameters_and_cost():
    net = nn.Sequential(
        {
            "features": nn.Sequential(nn.Conv2d(3, 4, 3, bias=False, seed=0), nn.BatchNorm2d(4)),
            "head": nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 4, 2, seed=1)),
        },
        name="tiny",
    )
    assert [n for n, _ in net.named_leaves()] == ["features.0", "features.1", "head.0", "head.1"]
    assert {name for name, _ in net.named_parameters()} == {
        "features.0.weight",
        "features.1.weight",
        "features.1.bias",
        "head.1.weight",
        "head.1.bias",
    }
    c = net.cost((3, 6, 6))
    assert c.output_shape == (2,)
    assert c.params == 108 + 8 + 130 and c.buffers == 8
    assert net(np.zeros((1, 3, 6, 6), dtype=np.float32)).shape == (1, 2)
    assert len(net) == 2 and isinstance(net["head"], nn.Sequential)
    assert "Conv2d(3, 4" in repr(net)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="groups=3 must divide"):
        nn.Conv2d(4, 6, 3, groups=3)
    with pytest.raises(ValueError, match="in_channels = 3"):
        nn.Conv2d(3, 4, 3).cost((4, 8, 8))
    with pytest.raises(ValueError, match="Put a Flatten before it"):
        nn.Linear(12, 2).cost((3, 2, 2))
    with pytest.raises(TypeError, match=r"refconv\.nn layers"):
        nn.Sequential(lambda x: x)
    with pytest.raises(ValueError, match="BatchNorm2d\\(4\\) expects x"):
        nn.BatchNorm2d(4)(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_parameter_counts_match_pytorch():
    torch = pytest.importorskip("torch")
    pairs = [
        (nn.Conv2d(3, 32, 3, padding=1), torch.nn.Conv2d(3, 32, 3, padding=1)),
        (
            nn.DepthwiseConv2d(32, 3, depth_multiplier=2, bias=False),
            torch.nn.Conv2d(32, 64, 3, groups=32, bias=False),
        ),
        (nn.Conv2d(8, 8, 3, groups=4), torch.nn.Conv2d(8, 8, 3, groups=4)),
        (nn.BatchNorm2d(24), torch.nn.BatchNorm2d(24)),
        (nn.Linear(2048, 128), torch.nn.Linear(2048, 128)),
    ]
    for ours, theirs in pairs:
        shape = (
            (ours.in_channels, 8, 8)
            if hasattr(ours, "in_channels")
            else ((24, 8, 8) if isinstance(ours, nn.BatchNorm2d) else (2048,))
        )
        expected = sum(p.numel() for p in theirs.parameters())
        assert ours.cost(shape).params == expected
