"""summary(): rows, totals, parameter and MAC conventions, the table."""

import numpy as np
import pytest

from refconv import counting, nn
from refconv.counting import counter_macs, summary


def _block():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, seed=0),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.AvgPool2d(2),
        nn.GlobalAvgPool2d(),
        nn.Flatten(),
        nn.Linear(8, 4, seed=1),
        name="block",
    )


def test_rows_and_totals():
    s = summary(_block(), (3, 8, 8))
    assert [r.layer for r in s.rows] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "AvgPool2d",
        "GlobalAvgPool2d",
        "Flatten",
        "Linear",
    ]
    assert [r.output_shape for r in s.rows][:6] == [(8, 8, 8)] * 3 + [
        (8, 4, 4),
        (8, 2, 2),
        (8, 1, 1),
    ]
    assert s.rows[0].params == 8 * 27 + 8
    assert s.total_params == 224 + 16 + 36
    assert s.total_multiplications == sum(r.multiplications for r in s.rows)
    conv_mults = 8 * 64 * 27
    assert s.rows[0].multiplications == conv_mults
    assert s.total_additions == sum(r.additions for r in s.rows)
    assert s.output_shape == (4,)


def test_parameter_conventions():
    pytorch = summary(_block(), (3, 8, 8))
    keras = summary(_block(), (3, 8, 8), params="keras")
    assert keras.total_params - pytorch.total_params == 16  # BN moving mean and variance
    assert keras.trainable_params == pytorch.total_params
    assert keras.non_trainable_params == 16
    assert pytorch.total_buffers == 16


def test_mac_conventions_per_layer_type():
    conv = counting.conv2d_cost((3, 8, 8), 8, 3, padding=1)  # 512 outputs, with bias
    bn = counting.batch_norm2d_cost((8, 8, 8))
    relu = counting.relu_cost((8, 8, 8))
    maxpool = counting.max_pool2d_cost((8, 8, 8), 2)
    avgpool = counting.avg_pool2d_cost((8, 4, 4), 2)
    gap = counting.global_avg_pool2d_cost((8, 2, 2))
    fc = counting.linear_cost(8, 4)
    table = {
        #          conv                  bn    relu  max   avg  gap  fc
        "macs": (conv.multiplications, 0, 0, 0, 0, 0, 32),
        "thop": (conv.multiplications, 2048, 0, 0, 32, 40, 32),
        "ptflops": (conv.multiplications + 512, 1024, 512, 512, 128, 32, 36),
        "fvcore": (conv.multiplications, 1024, 0, 0, 0, 32, 32),
    }
    for convention, expected in table.items():
        got = tuple(
            counter_macs(op, convention) for op in (conv, bn, relu, maxpool, avgpool, gap, fc)
        )
        assert got == expected, convention
    no_affine = counting.batch_norm2d_cost((8, 8, 8), affine=False)
    assert counter_macs(no_affine, "thop") == 1024
    assert counter_macs(no_affine, "ptflops") == counter_macs(no_affine, "fvcore") == 512


def test_flops_are_twice_the_macs():
    s = summary(_block(), (3, 8, 8), macs="ptflops")
    assert s.total_flops == 2 * s.total_macs


def test_table_text():
    text = str(summary(_block(), (3, 8, 8), params="keras", macs="thop"))
    assert text.startswith('Model "block", input (3, 8, 8)')
    assert "Layer (name)" in text and "MACs [thop]" in text
    assert "Total params: 292" in text
    assert "Keras count_params" in text and "Non-trainable params: 16" in text
    assert "(8, 4, 4)" in text
    assert "Buffers: 16" in str(summary(_block(), (3, 8, 8)))


def test_single_layer_and_effective_counts():
    layer = nn.Conv2d(1, 1, 3, padding=1, bias=False, seed=0)
    assert summary(layer, (1, 3, 3)).total_multiplications == 81
    assert summary(layer, (1, 3, 3), effective=True).total_multiplications == 49
    assert summary(layer, (1, 3, 3)).rows[0].name == "conv2d"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"params": "tf"}, "params convention"), ({"macs": "flops"}, "macs convention")],
)
def test_unknown_convention(kwargs, message):
    with pytest.raises(ValueError, match=message):
        summary(_block(), (3, 8, 8), **kwargs)


# Regression (issue 13): summary(m, "3x224x224") failed with "invalid literal for int()" and
# summary(m, (3, 224.7, 224)) was silently truncated to 224.
@pytest.mark.parametrize(
    ("shape", "error", "match"),
    [
        (
            "3x224x224",
            TypeError,
            r"input_shape must be a tuple of ints such as \(3, 224, 224\), not "
            r"a string; got '3x224x224'",
        ),
        ("(3, 8, 8)", TypeError, r"not a string"),
        (
            (3, 224.7, 224),
            TypeError,
            r"input_shape must hold ints .*got 224\.7 \(float\) at index 1",
        ),
        ((3, 8.0, 8), TypeError, r"got 8\.0 \(float\) at index 1"),
        ((3, True, 8), TypeError, r"got True \(bool\) at index 1"),
        (3, TypeError, r"input_shape must be a tuple of ints .*got int 3"),
        (None, TypeError, r"input_shape must be a tuple"),
        ((3, -8, 8), ValueError, r"input_shape must hold sizes >= 1; got \(3, -8, 8\)"),
        ((0, 8, 8), ValueError, r"sizes >= 1; got \(0, 8, 8\)"),
        ((1, 3, 8, 8), ValueError, r"got 4 sizes \(1, 3, 8, 8\)\. Leave out the batch axis"),
        ((3, 8), ValueError, r"input_shape must be \(C, H, W\) .*got 2 sizes \(3, 8\)"),
        ((), ValueError, r"got 0 sizes \(\)"),
    ],
)
def test_input_shape_is_checked_and_named(shape, error, match):
    with pytest.raises(error, match=match):
        summary(_block(), shape)


def test_input_shape_accepts_lists_and_numpy_ints():
    s = summary(_block(), [np.int64(3), 8, np.int32(8)])
    assert s.input_shape == (3, 8, 8) and all(type(v) is int for v in s.input_shape)
    assert s.rows[0].input_shape == (3, 8, 8)
    assert summary(nn.Linear(6, 2, seed=0), (6,)).output_shape == (2,)


# Regression (issue 13): a layer's error did not say which layer failed or what it received.
def test_a_failing_layer_is_named_with_the_shape_it_received():
    net = nn.Sequential(
        {
            "features": nn.Sequential(nn.Conv2d(3, 8, 3, seed=0), nn.ReLU()),
            "head": nn.Sequential(nn.Conv2d(4, 2, 1, seed=1)),
        }
    )
    with pytest.raises(ValueError) as info:
        summary(net, (3, 8, 8))
    message = str(info.value)
    assert message.startswith("layer 'head.0' (Conv2d(4, 2, kernel_size=(1, 1), stride=(1, 1)")
    assert "failed on input_shape (8, 6, 6): " in message
    assert message.endswith(
        "Conv2d expects input_shape (C, H, W) with C = in_channels = 4; got (8, 6, 6)"
    )
    assert isinstance(info.value.__cause__, ValueError)


def test_a_single_failing_layer_is_named_by_its_type():
    with pytest.raises(
        ValueError,
        match=r"^layer 'maxpool2d' \(MaxPool2d\(kernel_size=9, .*\)\) "
        r"failed on input_shape \(3, 8, 8\): MaxPool2d\(",
    ):
        summary(nn.MaxPool2d(9), (3, 8, 8))


@pytest.mark.parametrize(
    ("model", "kwargs", "error", "match"),
    [
        (
            lambda x: x,
            {},
            TypeError,
            r"model must be a refconv\.nn layer or Sequential; got function",
        ),
        (None, {"effective": "yes"}, TypeError, r"effective must be True or False; got 'yes'"),
    ],
)
def test_model_and_effective_are_checked(model, kwargs, error, match):
    with pytest.raises(error, match=match):
        summary(_block() if model is None else model, (3, 8, 8), **kwargs)
