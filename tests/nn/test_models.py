"""The model zoo: MobileNet v1 and the articles' networks, counted exactly."""

import numpy as np
import pytest

from refconv import models
from refconv.counting import summary


def test_mobilenet_v1_architecture_table1():
    s = summary(models.mobilenet_v1(), (3, 224, 224))
    shapes = {r.name: r.output_shape for r in s.rows}
    assert shapes["conv1"] == (32, 112, 112)
    assert shapes["conv_pw_1"] == (64, 112, 112)
    assert shapes["conv_dw_2"] == (64, 56, 56)
    assert shapes["conv_pw_6"] == (512, 14, 14)
    assert shapes["conv_pw_11"] == (512, 14, 14)
    assert shapes["conv_dw_13"] == (1024, 7, 7)
    assert shapes["avg_pool"] == (1024, 1, 1)
    assert s.output_shape == (1000,)
    assert sum(r.layer == "DepthwiseConv2d" for r in s.rows) == 13
    assert sum(r.layer == "PointwiseConv2d" for r in s.rows) == 13


def test_mobilenet_v1_counts():
    s = summary(models.mobilenet_v1(), (3, 224, 224))
    assert s.total_macs == 568_740_352  # paper: 569M Mult-Adds
    conv_fc = sum(r.params for r in s.rows if r.layer not in ("BatchNorm2d",))
    assert conv_fc == 4_210_088  # paper: 4.2M
    assert s.total_params == 4_231_976  # PyTorch convention, BN 2 per channel
    assert (
        summary(models.mobilenet_v1(), (3, 224, 224), params="keras").total_params == 4_253_864
    )  # Keras MobileNet(alpha=1.0) count_params()


@pytest.mark.parametrize(
    ("alpha", "macs"), [(0.75, 325_400_448), (0.5, 149_497_088), (0.25, 41_030_272)]
)
def test_width_multiplier(alpha, macs):
    assert summary(models.mobilenet_v1(alpha), (3, 224, 224)).total_macs == macs


@pytest.mark.parametrize(
    ("res", "macs"), [(192, 418_121_728), (160, 290_675_200), (128, 186_400_768)]
)
def test_resolution(res, macs):
    assert summary(models.mobilenet_v1(), (3, res, res)).total_macs == macs


def test_literal_table1_stride_shrinks_the_last_map():
    s = summary(models.mobilenet_v1(last_depthwise_stride=2), (3, 224, 224))
    assert {r.name: r.output_shape for r in s.rows}["conv_dw_13"] == (1024, 4, 4)
    assert s.total_macs == 533_833_216


def test_efficient_article_example_net():
    s = summary(models.example_net(), (3, 224, 224))
    assert [r.name for r in s.rows] == ["conv1", "dwconv.depthwise", "dwconv.pointwise", "conv2"]
    assert s.total_params == 896 + 288 + 2048 + 73_856
    assert s.output_shape == (128, 224, 224)


@pytest.mark.parametrize(
    ("variant", "macs", "params"),
    [
        ("standard", 258_545_664, 5_928),
        ("depthwise_separable", 69_568_512, 1_560),
        ("spatially_separable", 186_900_480, 4_248),
    ],
)
def test_pytorch_comparison_param_variants_ptflops(variant, macs, params):
    s = summary(models.param_net(variant), (3, 416, 416), macs="ptflops")
    assert (s.total_macs, s.total_params) == (macs, params)


def test_pytorch_comparison_full_param_net():
    s = summary(models.param_net(), (3, 416, 416))
    assert s.output_shape == (24, 208, 208)
    assert s.total_params == 696 + 5_232 + 864 + 2 * 1_776
    with pytest.raises(ValueError, match="variant must be"):
        models.param_net("mobile")


def test_notebook_keras_parameter_counts():
    std = summary(models.standard_cnn(), (3, 32, 32), params="keras")
    sep = summary(models.separable_cnn(), (3, 32, 32), params="keras")
    assert std.total_params == 357_706
    assert sep.total_params == 275_909
    assert [r.params for r in std.rows if "conv" in r.name] == [896, 18_496, 73_856]
    assert [r.params for r in sep.rows if "conv" in r.name] == [155, 2_400, 8_896]
    assert std.non_trainable_params == sep.non_trainable_params == 448


def test_notebook_forward_runs():
    net = models.separable_cnn(seed=0)
    assert net(np.zeros((1, 3, 32, 32), dtype=np.float32)).shape == (1, 10)


def test_block_note_spatial_block():
    s = summary(models.spatial_block(), (3, 32, 32), params="keras")
    assert s.total_params == 576 + 256 + 12_288 + 256
    assert s.total_macs == 32 * 32 * 64 * 3 * 3 + 32 * 32 * 64 * 64 * 3


# Regression (issue 13): mobilenet_v1(float("inf")) raised OverflowError, "0.5" and True were
# taken as numbers, 0.01 failed inside Conv2d naming out_channels, num_classes=0 named
# out_features. Each is now refused up front, naming the argument.
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"width_multiplier": float("inf")},
            ValueError,
            r"width_multiplier must be a finite .*inf",
        ),
        ({"width_multiplier": float("-inf")}, ValueError, r"width_multiplier must be a finite"),
        (
            {"width_multiplier": float("nan")},
            ValueError,
            r"width_multiplier must be a finite .*nan",
        ),
        ({"width_multiplier": -0.5}, ValueError, r"width_multiplier must be a finite number > 0"),
        ({"width_multiplier": 0}, ValueError, r"width_multiplier must be a finite number > 0"),
        ({"width_multiplier": 0.01}, ValueError, r"at least 1/32 = 0\.03125.*got 0\.01"),
        (
            {"width_multiplier": "0.5"},
            TypeError,
            r"width_multiplier must be a number.*'0\.5' \(str\)",
        ),
        (
            {"width_multiplier": True},
            TypeError,
            r"width_multiplier must be a number.*True \(bool\)",
        ),
        ({"width_multiplier": None}, TypeError, r"width_multiplier must be a number"),
        ({"num_classes": 0}, ValueError, r"num_classes must be a positive int; got 0"),
        ({"num_classes": -3}, ValueError, r"num_classes must be a positive int; got -3"),
        ({"num_classes": True}, TypeError, r"num_classes must be a positive int; got True"),
        ({"num_classes": 10.0}, TypeError, r"num_classes must be a positive int; got 10\.0"),
        ({"last_depthwise_stride": 0}, ValueError, r"last_depthwise_stride must be a positive int"),
        ({"seed": 0.5}, TypeError, r"seed must be an int >= 0"),
    ],
)
def test_mobilenet_v1_refuses_bad_arguments_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        models.mobilenet_v1(**kwargs)


def test_mobilenet_v1_accepts_every_real_number_in_range():
    assert summary(models.mobilenet_v1(np.float32(0.5)), (3, 224, 224)).total_macs == 149_497_088
    smallest = models.mobilenet_v1(1 / 32, num_classes=np.int64(3))  # one channel in conv1
    assert smallest["conv1"].out_channels == 1
    assert summary(smallest, (3, 32, 32)).output_shape == (3,)
    assert models.mobilenet_v1(2).name == "MobileNet-v1-2"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"filters": 0}, ValueError, r"filters must be a positive int; got 0"),
        ({"kernel_size": 2.5}, TypeError, r"kernel_size must be a positive int; got 2\.5"),
        ({"in_channels": True}, TypeError, r"in_channels must be a positive int; got True"),
    ],
)
def test_spatial_block_refuses_bad_arguments_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        models.spatial_block(**kwargs)


@pytest.mark.parametrize(
    "builder", [models.example_net, models.standard_cnn, models.separable_cnn, models.param_net]
)
def test_every_builder_checks_its_seed(builder):
    with pytest.raises(TypeError, match="seed must be an int >= 0"):
        builder(seed="7")
